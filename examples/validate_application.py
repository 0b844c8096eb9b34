"""Vérifier une demande avant envoi: build a Cerfa 02 and list every problem at once.

Run it: ``python examples/validate_application.py``.
"""

from __future__ import annotations

import datetime as dt

import attrs

import antsclient as ants


def main() -> int:
    application = ants.Cerfa02(
        applicant=ants.Applicant(
            last_name="NGUYEN",
            first_name="Thi Mai",  # two given names in Prénom: refused
            birth_date=dt.date(2010, 5, 2),  # a minor: needs a legal representative
            birth_city="HANOI",
            birth_department="99",  # born abroad: must stay empty
            birth_country="VIET NAM",
            address=ants.Address(street="8 avenue Jean Jaurès", postal_code="69007", city="LYON"),
            email="mai.nguyen@example",  # no domain
        ),
        categories={ants.LicenceCategory.B},
    )
    today = dt.date(2026, 11, 27)
    for problem in ants.validate(application, on=today):
        print(f"{problem.field:32} {problem.message_fr}")

    fixed = attrs.evolve(
        application,
        applicant=attrs.evolve(
            application.applicant,
            first_name="Thi",
            other_first_names="Mai",
            birth_department=None,
            email="mai.nguyen@example.org",
        ),
        legal_representative=ants.LegalRepresentative(
            last_name="NGUYEN", first_name="Van", address=application.applicant.address
        ),
    )
    errors = [p for p in ants.validate(fixed, on=today) if p.is_error]
    print(f"after fixing: {len(errors)} error(s)")
    return len(errors)


if __name__ == "__main__":
    raise SystemExit(main())
