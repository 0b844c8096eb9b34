"""Birth places in time (lieux de naissance qui n'existent plus sous ce nom).

A birth place is written as the user knows it, often as it was at the date of birth: a
commune since renamed (``CHALONS-SUR-MARNE``) or merged into another, a commune of the Seine
or of the Seine-et-Oise before 1968, a department of French Algeria before 1962, a country
that no longer exists (``RDA``, ``TCHECOSLOVAQUIE``, ``URSS``, ``YOUGOSLAVIE``).

**The rule** (one place, shared by the client's check and the sandbox):

* **Commune: today's name.** The ANTS list of communes is today's referential, so a former
  name or a former commune is corrected to the commune it is part of today, with a note
  saying what happened (« ancien nom : commune renommée, aujourd'hui … », « ancienne commune,
  fusionnée dans … »).
* **Department: the code at birth is accepted, today's is proposed.** ``20`` before 1976,
  ``75`` or ``78`` for a commune of the former Seine or Seine-et-Oise before 1968 are
  conforming (the code of the place at the date of birth, as INSEE records births); an empty
  department is filled with today's.
* **Country: as it was at birth.** A country that existed at the date of birth and keeps its
  own INSEE code (``REPUBLIQUE DEMOCRATIQUE ALLEMANDE``, ``TCHECOSLOVAQUIE``…) is written as
  it was; a name whose code INSEE gave to the successor (``URSS`` → ``RUSSIE``,
  ``YOUGOSLAVIE`` → ``SERBIE``) is written as the successor.
* **French Algeria before 3 July 1962** (departments 91 to 94: Alger, Oran, Constantine,
  Territoires du Sud, and the departments of 1957): the country is ``ALGERIE``, the
  department stays empty, the city follows the writing rules only — as for any birth abroad.
* **A birth place the user confirms** is accepted when it existed at the date of birth: a
  former name or former commune of the COG history (a dated change of name — INSEE's
  « changement de nom » — only for a birth before it), a former department, a historic
  country.
  :func:`confirmed_place_exists` is that test (the sandbox uses it).
"""

from __future__ import annotations

from datetime import date
from typing import Final

import attrs

from antsclient.geo.normalise import normalise_city
from antsclient.geo.referential import (
    FormerName,
    Referential,
    compact,
    country_key,
    get_referential,
)

__all__ = [
    "ALGERIA_INDEPENDENCE",
    "FORMER_DEPARTMENTS",
    "FormerDepartment",
    "confirmed_place_exists",
    "former_department",
    "former_names",
    "history_note",
]

ALGERIA_INDEPENDENCE: Final = date(1962, 7, 3)
PARIS_REGION_REFORM: Final = date(1968, 1, 1)
CORSICA_SPLIT: Final = date(1976, 1, 1)


@attrs.frozen(slots=True)
class FormerDepartment:
    """A department that no longer exists under this code."""

    code: str
    name: str
    until: date
    """The first day it no longer existed."""
    successors: tuple[str, ...]
    """Today's departments of its communes (empty: not in France today)."""
    country: str | None = None
    """The country of its places today, when not France (``ALGERIE``)."""


_ALGERIA = "ALGERIE"

FORMER_DEPARTMENTS: Final[tuple[FormerDepartment, ...]] = (
    FormerDepartment("75", "Seine", PARIS_REGION_REFORM, ("75", "92", "93", "94")),
    FormerDepartment(
        "78", "Seine-et-Oise", PARIS_REGION_REFORM, ("78", "91", "92", "93", "94", "95")
    ),
    FormerDepartment("20", "Corse", CORSICA_SPLIT, ("2A", "2B")),
    FormerDepartment("91", "Alger", ALGERIA_INDEPENDENCE, (), _ALGERIA),
    FormerDepartment("92", "Oran", ALGERIA_INDEPENDENCE, (), _ALGERIA),
    FormerDepartment("93", "Constantine", ALGERIA_INDEPENDENCE, (), _ALGERIA),
    FormerDepartment("94", "Territoires du Sud", ALGERIA_INDEPENDENCE, (), _ALGERIA),
)

# The departments of French Algeria after 1957, recognised by name (their codes were 8A–9R).
_ALGERIAN_NAMES: Final = frozenset(
    compact(normalise_city(name))
    for name in (
        "Alger",
        "Oran",
        "Constantine",
        "Territoires du Sud",
        "Bone",
        "Tizi-Ouzou",
        "Orleansville",
        "Medea",
        "Mostaganem",
        "Tlemcen",
        "Tiaret",
        "Setif",
        "Batna",
        "Saida",
        "Oasis",
        "Saoura",
        "Algerie",
    )
)


def former_department(text: str | None, birth_date: date | None) -> FormerDepartment | None:
    """The former department a birth department designates at the date of birth (by code,
    or by name for those of Algeria and the Seine), or ``None``."""
    if not text or not text.strip() or birth_date is None:
        return None
    raw = "".join(text.split()).upper()
    key = compact(normalise_city(text))
    for department in FORMER_DEPARTMENTS:
        if birth_date >= department.until:
            continue
        if raw == department.code or key == compact(normalise_city(department.name)):
            # Before 1968 the codes 91 to 95 were not metropolitan departments.
            return department
    if birth_date < ALGERIA_INDEPENDENCE and key in _ALGERIAN_NAMES:
        return FormerDepartment(raw, text.strip(), ALGERIA_INDEPENDENCE, (), _ALGERIA)
    return None


def former_names(text: str, ref: Referential | None = None) -> tuple[FormerName, ...]:
    """The former names or former communes (COG history since 1943) the text names."""
    ref = ref or get_referential()
    return ref.history(compact(normalise_city(text)))


def history_note(ref: Referential, former: FormerName) -> str:
    """What happened to a former birth place, in French."""
    name, department = ref.names[former.row], ref.departments_of[former.row]
    if former.event == "R":
        when = f" en {former.until.year}" if former.until else ""
        return f"ancien nom : commune renommée{when}, aujourd'hui {name}"
    if former.event == "F":
        return f"ancienne commune {former.name}, fusionnée dans {name} ({ref.codes[former.row]})"
    for old in FORMER_DEPARTMENTS:
        if old.code == former.department and old.successors:
            return (
                f"commune du département {old.name} ({old.code}) jusqu'en "
                f"{old.until.year} : aujourd'hui {name} ({department})"
            )
    return (
        f"commune du département {former.department} autrefois, rattachée depuis au "
        f"département {department} : aujourd'hui {name}"
    )


def confirmed_place_exists(code: str, value: str, birth_date: date | None) -> bool:
    """Whether a birth place the user confirmed existed at the date of birth (the rule
    above): a former commune or name, a former department, a historic country."""
    if code == "city.incorrect":
        # A dated former name was in use until that day (born on or after it: today's name).
        return any(
            former.until is None or birth_date is None or birth_date < former.until
            for former in former_names(value)
        )
    if code == "department.incorrect":
        return former_department(value, birth_date) is not None
    ref = get_referential()
    country = ref.country_keys.get(country_key(value))
    return country is not None and ref.countries[country].historic
