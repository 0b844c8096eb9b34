"""Deterministic sample data: students whose places conform to the referential.

Everything comes from a :class:`random.Random` seeded by the caller, so the same seed gives
the same agencies' requests, names and numbers.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any, Final

from antsclient._text import fold
from antsclient.codec import to_data
from antsclient.models.application import Address, Applicant, Cerfa02, Cerfa06
from antsclient.models.enums import LicenceCategory, Sex

__all__ = ["make_application"]

_LAST_NAMES: Final = (
    "MARTIN",
    "BERNARD",
    "THOMAS",
    "PETIT",
    "ROBERT",
    "RICHARD",
    "DURAND",
    "DUBOIS",
    "MOREAU",
    "LAURENT",
    "SIMON",
    "MICHEL",
    "LEFEBVRE",
    "LEROY",
    "ROUX",
    "DAVID",
    "BERTRAND",
    "MOREL",
    "FOURNIER",
    "GIRARD",
    "BONNET",
    "DUPONT",
    "LAMBERT",
    "FONTAINE",
)
_FIRST_NAMES: Final = (
    ("Lucas", Sex.MALE),
    ("Emma", Sex.FEMALE),
    ("Hugo", Sex.MALE),
    ("Léa", Sex.FEMALE),
    ("Louis", Sex.MALE),
    ("Chloé", Sex.FEMALE),
    ("Gabriel", Sex.MALE),
    ("Manon", Sex.FEMALE),
    ("Jules", Sex.MALE),
    ("Camille", Sex.FEMALE),
    ("Arthur", Sex.MALE),
    ("Inès", Sex.FEMALE),
    ("Nathan", Sex.MALE),
    ("Sarah", Sex.FEMALE),
    ("Adam", Sex.MALE),
    ("Jade", Sex.FEMALE),
)
# (address city as the ANTS autocomplete writes it, postal code, street)
_RESIDENCES: Final = (
    ("BELFORT (90000)", "90000", "12 faubourg de France"),
    ("VALDOIE (90300)", "90300", "4 rue de la Savoureuse"),
    ("DANJOUTIN (90400)", "90400", "8 rue du Général de Gaulle"),
    ("SAINT-PRIEST (69800)", "69800", "27 rue Aristide Briand"),
    ("MONTBELIARD (25200)", "25200", "3 place Saint-Martin"),
)
# (birth city, birth department, birth country)
_BIRTHS: Final = (
    ("BELFORT", "90", "FRANCE"),
    ("MONTBELIARD", "25", "FRANCE"),
    ("SAINT-PRIEST", "69", "FRANCE"),
    ("MULHOUSE", "68", "FRANCE"),
    ("BESANCON", "25", "FRANCE"),
)


def make_application(
    rng: random.Random,
    index: int,
    *,
    today: dt.date,
    cerfa: str = "02",
    neph: str | None = None,
    email_domain: str = "example.fr",
) -> dict[str, Any]:
    """Application data (the converter's form) of a plausible student, unique by ``index``."""
    last = _LAST_NAMES[rng.randrange(len(_LAST_NAMES))]
    first, sex = _FIRST_NAMES[rng.randrange(len(_FIRST_NAMES))]
    city, postal, street = _RESIDENCES[rng.randrange(len(_RESIDENCES))]
    birth_city, birth_department, birth_country = _BIRTHS[rng.randrange(len(_BIRTHS))]
    age = 19 + rng.randrange(12)  # adults: no legal representative needed
    birth = dt.date(today.year - age, 1 + rng.randrange(12), 1 + rng.randrange(28))
    address = Address(street=street, postal_code=postal, city=city)
    applicant = Applicant(
        last_name=last,
        first_name=first,
        birth_date=birth,
        birth_city=birth_city,
        birth_department=birth_department,
        birth_country=birth_country,
        address=address,
        email=f"{fold(first)}.{fold(last)}.{index}@{email_domain}",
        sex=sex,
        phone=f"06{rng.randrange(10**8):08d}",
    )
    if cerfa == "06":
        return dict(
            to_data(
                Cerfa06(
                    applicant=applicant,
                    categories={LicenceCategory.B},
                    neph=neph or f"{rng.randrange(10**11, 10**12)}",
                )
            )
        )
    return dict(to_data(Cerfa02(applicant=applicant, categories={LicenceCategory.B}, neph=neph)))
