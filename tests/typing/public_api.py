"""The public API as a user types against it: checked by `mypy --strict tests/typing`."""

from __future__ import annotations

import datetime as dt

import antsclient as ants
from antsclient.lifecycle import Action, ensure_allowed


def build() -> ants.Cerfa02:
    applicant = ants.Applicant(
        last_name="MARTIN",
        first_name="Julie",
        birth_date=dt.date(2001, 3, 14),
        birth_city="PARIS",
        birth_department="75",
        birth_country="FRANCE",
        address=ants.Address(street="1 rue", postal_code="69800", city="SAINT-PRIEST"),
        email="julie@example.org",
    )
    return ants.Cerfa02(applicant=applicant, categories={ants.LicenceCategory.B})


def check(application: ants.Application) -> list[str]:
    problems: list[ants.FieldProblem] = ants.validate(application)
    return [p.message_fr for p in problems if p.is_error]


def credentials() -> ants.Credentials:
    creds = ants.Credentials(agreement="E1706900030", login="x", password="secret")
    secret: ants.Secret = creds.password
    assert isinstance(secret.reveal(), str)
    return creds


def status_rule(status: ants.RequestStatus) -> str | None:
    try:
        ensure_allowed(Action.DELETE, status)
    except ants.ActionNotAllowed as exc:
        return exc.rule
    return None
