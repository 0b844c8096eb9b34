"""The sandbox's view of the geo referential: the one of :mod:`antsclient.geo`, never another.

Every place-name rule of the server goes through this module, so the server judges a city,
a department or a country exactly as the client's own check does.
"""

from __future__ import annotations

from collections.abc import Collection

from antsclient import geo
from antsclient.errors import FieldProblem
from antsclient.geo.history import confirmed_place_exists
from antsclient.models.application import Application

__all__ = [
    "check_places",
    "countries",
    "department_name",
    "departments",
    "search_communes",
]


def _exists(code: str, value: str) -> bool:
    """Whether a value the user confirmed is, as written, in the referential."""
    if code == "city.incorrect":
        # As written: the name or the label ANTS shows, not merely the same once normalised
        # (« ST PRIEST » is not written the ANTS way, whatever it stands for).
        return any(value in (m.name, m.label) for m in geo.suggest_communes(value, limit=20))
    if code == "department.incorrect":
        department = geo.find_department(value)
        return department is not None and department.exact
    country = geo.find_country(value)
    return country is not None and country.exact


def check_places(
    application: Application, confirmed_fields: Collection[str] = ()
) -> list[FieldProblem]:
    """Every city, department or country of ``application`` the referential refuses.

    A field listed in ``confirmed_fields`` gets no fuzzy suggestion: it passes when its value
    exists as written in the referential, and is refused otherwise.
    """
    problems: list[FieldProblem] = []
    for field in geo.check(application).problems:
        if field.path not in confirmed_fields:
            problems.append(field.as_problem())
            continue
        value = (field.before or "").strip()
        if value and field.path.startswith("applicant.birth_"):
            # A birth place as it was at the date of birth (the rule of antsclient.geo.history).
            birth_date = application.applicant.birth_date
            if confirmed_place_exists(field.code, value, birth_date):
                continue
        if not (value and _exists(field.code, value)):
            problems.append(field.as_problem(suggestions=()))
    return problems


def search_communes(
    text: str, *, postal_code: str | None = None, limit: int = 10
) -> list[dict[str, str]]:
    """The communes the ANTS autocomplete offers for ``text``: names starting with it, in
    alphabetical order, one entry per postal code (:func:`antsclient.geo.autocomplete`)."""
    items: list[dict[str, str]] = []
    for match in geo.autocomplete(text, postal_code=postal_code or None, limit=limit):
        postal = match.postal_code or (match.postal_codes[0] if match.postal_codes else "")
        items.append(
            {
                "insee_code": match.insee_code,
                "name": match.name,
                "postal_code": postal,
                "department": match.department,
                "label": match.label,
            }
        )
    return items


def departments() -> list[tuple[str, str]]:
    """Every department of the referential, as (code, name)."""
    return sorted((d.code, d.name) for d in geo.get_referential().departments.values())


def department_name(code: str) -> str | None:
    """The name of a department, or ``None`` if the referential does not know it."""
    department = geo.get_referential().departments.get(code)
    return department.name if department is not None else None


def countries() -> list[tuple[str, str]]:
    """Every current country of the referential, as (INSEE code, name)."""
    return sorted(
        (c.insee_code, c.name) for c in geo.get_referential().countries.values() if not c.historic
    )
