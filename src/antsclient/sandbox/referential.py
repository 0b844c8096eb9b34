"""The sandbox's view of the geo referential: the one of :mod:`antsclient.geo`, never another.

Every place-name rule of the server goes through this module, so the server judges a city,
a department or a country exactly as the client's own check does.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Final

from antsclient.errors import FieldProblem
from antsclient.models.application import Application

__all__ = [
    "check_places",
    "countries",
    "department_name",
    "departments",
    "search_communes",
]

_CODES: Final = {"city": "city.incorrect", "department": "department.incorrect"}
_ENGLISH: Final = {
    "city.incorrect": "the city does not conform to the referential",
    "department.incorrect": "the department does not conform to the referential",
    "country.incorrect": "the country does not conform to the referential",
}


def _code_of(path: str) -> str:
    last = path.rsplit(".", 1)[-1]
    for word, code in _CODES.items():
        if word in last:
            return code
    return "country.incorrect"


def _exists(code: str, value: str) -> bool:
    """Whether a value the user confirmed is, as written, in the referential."""
    from antsclient import geo  # noqa: PLC0415 - loads the referential on first use

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
    from antsclient import geo  # noqa: PLC0415

    problems: list[FieldProblem] = []
    for field in geo.check(application).problems:
        code = _code_of(field.path)
        value = field.before or ""
        if field.path in confirmed_fields:
            if value.strip() and _exists(code, value.strip()):
                continue
            suggestions: tuple[str, ...] = ()
        else:
            suggestions = field.suggestions or ((field.after,) if field.after else ())
        headline, *details = field.messages or (_headline(code),)
        text = f"{headline} : « {value} » ({field.label})."
        if details:
            text += " " + ". ".join(details) + "."
        if suggestions:
            text += " Choisissez parmi : " + ", ".join(suggestions) + "."
        problems.append(
            FieldProblem(
                field=field.path,
                code=code,
                message=f"{field.path}: {_ENGLISH[code]} ({value!r})",
                message_fr=text,
                suggestions=suggestions,
            )
        )
    return problems


def _headline(code: str) -> str:
    return {
        "city.incorrect": "Ville incorrecte",
        "department.incorrect": "Département incorrect",
    }.get(code, "Pays incorrect")


def search_communes(
    text: str, *, postal_code: str | None = None, limit: int = 10
) -> list[dict[str, str]]:
    """The communes the ANTS autocomplete offers for ``text``, best first."""
    from antsclient import geo  # noqa: PLC0415

    items: list[dict[str, str]] = []
    for match in geo.suggest_communes(text, postal_code=postal_code or None, limit=limit):
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
    from antsclient import geo  # noqa: PLC0415

    return sorted((d.code, d.name) for d in geo.get_referential().departments.values())


def department_name(code: str) -> str | None:
    """The name of a department, or ``None`` if the referential does not know it."""
    from antsclient import geo  # noqa: PLC0415

    department = geo.get_referential().departments.get(code)
    return department.name if department is not None else None


def countries() -> list[tuple[str, str]]:
    """Every current country of the referential, as (INSEE code, name)."""
    from antsclient import geo  # noqa: PLC0415

    return sorted(
        (c.insee_code, c.name) for c in geo.get_referential().countries.values() if not c.historic
    )
