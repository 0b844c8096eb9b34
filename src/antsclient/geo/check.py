"""Vérification des villes, départements et pays — the geo check before sending.

:func:`check` looks at every geo field of an application (Cerfa 02 or 06): the student's
city of residence, the legal representative's city, the birth city, department and country,
the department and country of the previous licence. Each field gets a :class:`FieldCheck`:

* ``CONFORMING`` — written as the ANTS expects;
* ``CORRECTED`` — one certain answer (``before`` → ``after``), e.g. ``ST PRIEST`` with postal
  code 69800 → ``SAINT-PRIEST (69800)``;
* ``NEEDS_CHOICE`` — several candidates, ranked (``suggestions``);
* ``UNKNOWN`` — nothing recognised.

:meth:`GeoReport.apply` returns a corrected copy of the application (``attrs.evolve``),
taking the user's choices for the fields they settled — the user can always confirm a value
they know is right.

City fields of an address are written with their postal code, as the ANTS autocomplete does
(``SAINT-PRIEST (69800)``); the birth city is written by its name (``PARIS``).
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Iterator, Mapping
from datetime import date
from typing import Any, Final, Protocol, TypeVar, cast

import attrs

from antsclient._display import html_table
from antsclient.errors import FieldProblem
from antsclient.geo.history import former_department
from antsclient.geo.match import (
    FRANCE_INSEE_CODE,
    CommuneMatch,
    find_country,
    find_department,
    suggest_communes,
)
from antsclient.geo.normalise import normalise_city, normalise_department, strip_accents

_HEADLINES: Final = {
    "city.incorrect": "Ville incorrecte",
    "department.incorrect": "Département incorrect",
    "country.incorrect": "Pays incorrect",
}

__all__ = [
    "CheckStatus",
    "FieldCheck",
    "GeoReport",
    "check",
]

# French messages, in the wording of the ANTS check screen.
MSG_CITY = "Ville incorrecte"
MSG_DEPARTMENT = "Département incorrect"
MSG_COUNTRY = "Pays incorrect"
MSG_HYPHENS = "Les espaces doivent être remplacés par des tirets (-) dans le nom des villes"
MSG_SAINT = (
    "Le nom de la ville comporte le mot SAINT écrit en abrégé (ST) : "
    "vous devez saisir SAINT en toute lettre"
)
MSG_ACCENTS = "Le nom de la ville comprend des accents"
MSG_ABROAD = "Le département n'est pas français. Il doit rester vide (99 n'est plus pris en compte)"
MSG_COUNTRY_UNKNOWN = "Le pays n'est pas reconnu"
MSG_CITY_LIST = (
    "La ville doit être présente dans la liste qui s'affiche automatiquement en saisissant "
    "les 1ers caractères"
)
MSG_CORSICA = "La Corse est divisée en 2A et 2B depuis 1976"

_SURE = 0.9
_ALGERIA_CODE = "99352"
_ALGERIA_NAME = "ALGERIE"
"""A country or department matched at least this well is corrected without asking."""


class CheckStatus(enum.Enum):
    """Outcome of the check of one field."""

    CONFORMING = "CONFORMING"
    """Conforme : written as the ANTS expects."""
    CORRECTED = "CORRECTED"
    """Corrigé : one certain answer, ``after``."""
    NEEDS_CHOICE = "NEEDS_CHOICE"
    """À choisir : several candidates, see ``suggestions``."""
    UNKNOWN = "UNKNOWN"
    """Non reconnu."""


@attrs.frozen(slots=True, repr=False)
class FieldCheck:
    """The check of one geo field (shown in yellow on the check screen when not conforming)."""

    path: str
    """Dotted path in the application: ``applicant.address.city``."""
    label: str
    """French label of the field: ``Ville d'habitation de l'élève``."""
    status: CheckStatus
    before: str | None
    after: str | None = None
    """The corrected value (``CORRECTED``); ``None`` also means "leave empty" for a
    department abroad — see :attr:`clear`."""
    suggestions: tuple[str, ...] = ()
    """Values to choose from, best first (``NEEDS_CHOICE``, or alternatives)."""
    messages: tuple[str, ...] = ()
    """French messages for the user."""
    note: str = ""
    """What was recognised (e.g. ``commune déléguée de …``)."""
    clear: bool = False
    """The correction is to empty the field (a department abroad)."""

    @property
    def ok(self) -> bool:
        """The field is conforming."""
        return self.status is CheckStatus.CONFORMING

    @property
    def code(self) -> str:
        """The problem's stable code: ``city.incorrect``, ``department.incorrect`` or
        ``country.incorrect``."""
        last = self.path.rsplit(".", 1)[-1]
        if "city" in last:
            return "city.incorrect"
        if "department" in last:
            return "department.incorrect"
        return "country.incorrect"

    def __repr__(self) -> str:
        parts = [self.path, self.status.name, repr(self.before)]
        if self.status is CheckStatus.CORRECTED:
            parts[-1] += " -> " + ("empty" if self.clear else repr(self.after))
        elif self.suggestions:
            parts.append(f"{len(self.suggestions)} suggestion(s)")
        return f"{type(self).__name__}({', '.join(parts)})"

    def as_problem(self, suggestions: tuple[str, ...] | None = None) -> FieldProblem:
        """This field as a :class:`~antsclient.FieldProblem` in the manual's words
        (« Ville incorrecte : … »), with its ``suggestions`` (the check's by default)."""
        if suggestions is None:
            suggestions = self.suggestions or ((self.after,) if self.after else ())
        value = self.before or ""
        headline, *details = self.messages or (_HEADLINES[self.code],)
        text = f"{headline} : « {value} » ({self.label})."
        if details:
            text += " " + ". ".join(details) + "."
        if suggestions:
            text += " Choisissez parmi : " + ", ".join(suggestions) + "."
        return FieldProblem(
            field=self.path,
            code=self.code,
            message=f"{self.path} {value!r} does not conform to the ANTS referential "
            f"({self.status.value.lower()}): choose a suggestion or confirm the value",
            message_fr=text,
            suggestions=suggestions,
        )


@attrs.frozen(slots=True, repr=False)
class GeoReport:
    """All the geo fields of one application, checked.

    Its repr is one line naming the fields to look at; in Jupyter it shows as the check
    screen (field, status, before → after, suggestions, messages).
    """

    fields: tuple[FieldCheck, ...]

    @property
    def ok(self) -> bool:
        """Every field is conforming: the request can be sent as is."""
        return all(f.ok for f in self.fields)

    @property
    def problems(self) -> tuple[FieldCheck, ...]:
        """The fields that are not conforming (shown in yellow)."""
        return tuple(f for f in self.fields if not f.ok)

    def field_problems(self, confirmed: Iterable[str] = ()) -> list[FieldProblem]:
        r"""The fields that still need the user, as :class:`~antsclient.FieldProblem`\ s.

        A corrected field is not one (the correction is applied before sending), nor a field
        whose path the user ``confirmed``.
        """
        skip = set(confirmed)
        return [
            field.as_problem()
            for field in self.problems
            if field.status is not CheckStatus.CORRECTED and field.path not in skip
        ]

    def __repr__(self) -> str:
        problems = self.problems
        if not problems:
            return f"{type(self).__name__}({len(self.fields)} fields, all conforming)"
        listed = ", ".join(f"{f.path} {f.status.name}" for f in problems)
        name = type(self).__name__
        return f"{name}({len(self.fields)} fields, {len(problems)} to look at: {listed})"

    def _repr_html_(self) -> str:
        """The check screen as a table: field, status, before → after, suggestions,
        messages; fields to look at in yellow."""
        problems = len(self.problems)
        caption = "Vérification des villes, départements et pays : " + (
            "tout est conforme" if not problems else f"{problems} champ(s) à revoir"
        )
        return html_table(
            ("Champ", "Chemin", "Statut", "Avant → après", "Suggestions", "Messages"),
            (
                (
                    f.label,
                    f.path,
                    _STATUS_FR[f.status],
                    _change(f),
                    ", ".join(f.suggestions) or None,
                    ". ".join(f.messages) + "." if f.messages else None,
                )
                for f in self.fields
            ),
            caption=caption,
            styles=("" if f.ok else "background-color:#fff3b0" for f in self.fields),
        )

    def __getitem__(self, path: str) -> FieldCheck:
        for field in self.fields:
            if field.path == path:
                return field
        raise KeyError(path)

    def __contains__(self, path: object) -> bool:
        return any(f.path == path for f in self.fields)

    def __iter__(self) -> Iterator[FieldCheck]:
        return iter(self.fields)

    def apply(self, application: _A, choices: Mapping[str, str | None] | None = None) -> _A:
        """A copy of ``application`` with the corrections and the user's choices.

        ``choices`` maps a field path to the value the user picked (one of the suggestions,
        or the value they confirm); it wins over the automatic correction. Fields
        ``NEEDS_CHOICE`` or ``UNKNOWN`` without a choice are left as they are.
        """
        choices = dict(choices or {})
        unknown = set(choices) - {f.path for f in self.fields}
        if unknown:
            raise KeyError(f"not a checked geo field: {', '.join(sorted(unknown))}")
        result: Any = application
        for field in self.fields:
            if field.path in choices:
                value: str | None = choices[field.path]
            elif field.status is CheckStatus.CORRECTED:
                value = None if field.clear else field.after
            else:
                continue
            result = _set_path(result, field.path, value)
            result = _set_companion(result, field.path, value)
        return cast("_A", result)


_STATUS_FR: Final = {
    CheckStatus.CONFORMING: "Conforme",
    CheckStatus.CORRECTED: "Corrigé",
    CheckStatus.NEEDS_CHOICE: "À choisir",
    CheckStatus.UNKNOWN: "Non reconnu",
}


def _shown(value: str | None) -> str:
    return "(vide)" if value is None or not value.strip() else value


def _change(field: FieldCheck) -> str:
    """``before → after`` for a correction, else the value as it is (for display)."""
    before = _shown(field.before)
    if field.status is not CheckStatus.CORRECTED:
        return before
    return f"{before} → {'(vide)' if field.clear else _shown(field.after)}"


_WITH_POSTAL_CODE: Final = re.compile(r"^(?P<name>.+) \((?P<code>[0-9]{5})\)$")
_WITH_DEPARTMENT: Final = re.compile(r"^(?P<name>.+) \((?P<code>[0-9]{2}|2A|2B|97[0-9])\)$")


def _set_companion(obj: Any, path: str, value: str | None) -> Any:
    """A chosen place settles its companion field too: the postal code of an address city
    written ``NAME (69800)``; the department of a birth city chosen as ``NAME (69)``."""
    if value is None:
        return obj
    if path.endswith("address.city"):
        found = _WITH_POSTAL_CODE.match(value)
        if found:
            return _set_path(obj, path[: -len("city")] + "postal_code", found["code"])
    elif path == "applicant.birth_city":
        found = _WITH_DEPARTMENT.match(value)
        if found:
            obj = _set_path(obj, path, found["name"])
            return _set_path(obj, "applicant.birth_department", found["code"])
    return obj


def _set_path(obj: Any, path: str, value: str | None) -> Any:
    head, _, rest = path.partition(".")
    if not rest:
        return attrs.evolve(obj, **{head: value})
    child = getattr(obj, head)
    return attrs.evolve(obj, **{head: _set_path(child, rest, value)})


# -- the fields an application must offer (matches antsclient.models) ------------------------


class _AddressLike(Protocol):
    @property
    def city(self) -> str: ...
    @property
    def postal_code(self) -> str: ...


class _ApplicantLike(Protocol):
    @property
    def birth_city(self) -> str: ...
    @property
    def birth_department(self) -> str | None: ...
    @property
    def birth_country(self) -> str: ...
    @property
    def birth_date(self) -> date: ...
    @property
    def address(self) -> _AddressLike: ...


class _RepresentativeLike(Protocol):
    @property
    def address(self) -> _AddressLike: ...


class _PreviousLicenceLike(Protocol):
    @property
    def issuing_department(self) -> str | None: ...
    @property
    def exchange_country(self) -> str | None: ...


class ApplicationLike(Protocol):
    """The geo fields of a Cerfa 02 / Cerfa 06 (:mod:`antsclient.models`)."""

    @property
    def applicant(self) -> _ApplicantLike: ...
    @property
    def legal_representative(self) -> _RepresentativeLike | None: ...
    @property
    def previous_licence(self) -> _PreviousLicenceLike | None: ...


_A = TypeVar("_A", bound=ApplicationLike)

LABELS = {
    "applicant.address.city": "Ville d'habitation de l'élève",
    "legal_representative.address.city": "Ville du représentant légal",
    "applicant.birth_city": "Ville de naissance",
    "applicant.birth_department": "Département de naissance",
    "applicant.birth_country": "Pays de naissance",
    "previous_licence.issuing_department": "Département délivrance ancien permis",
    "previous_licence.exchange_country": "Pays d'origine ancien permis",
}

_CERTAIN = 0.95
_MARGIN = 0.05


def _writing_messages(value: str) -> list[str]:
    messages = []
    upper = value.upper()
    if any(token in {"ST", "STE", "STS", "STES"} for token in _tokens(upper)):
        messages.append(MSG_SAINT)
    if " " in value.strip():
        messages.append(MSG_HYPHENS)
    if strip_accents(value) != value:
        messages.append(MSG_ACCENTS)
    return messages


def _tokens(text: str) -> list[str]:
    for separator in "-'.()":
        text = text.replace(separator, " ")
    return text.split()


def _related(a: CommuneMatch, b: CommuneMatch) -> bool:
    """Same commune, or one is an arrondissement / former commune of the other."""
    return bool({a.insee_code, a.parent_insee_code} & {b.insee_code, b.parent_insee_code} - {None})


def _check_city(
    path: str,
    value: str | None,
    *,
    postal_code: str | None = None,
    department: str | None = None,
    with_postal_code: bool,
) -> FieldCheck:
    label = LABELS[path]
    if not value or not value.strip():
        return FieldCheck(path, label, CheckStatus.UNKNOWN, value, messages=(MSG_CITY,))
    matches = suggest_communes(value, postal_code=postal_code, department=department, limit=10)
    if not matches:
        return FieldCheck(
            path, label, CheckStatus.UNKNOWN, value, messages=(MSG_CITY, MSG_CITY_LIST)
        )

    def written(match: CommuneMatch) -> str:
        return match.current_label if with_postal_code else match.current_name

    def offered(match: CommuneMatch) -> tuple[str, ...]:
        # A birth city is written by its name alone, but homonyms need their department to
        # be told apart: « SAINT-PRIEST (69) »; apply() splits it into city and department.
        if with_postal_code:
            if postal_code in match.postal_codes or len(match.postal_codes) <= 1:
                return (match.current_label,)
            # One label per postal code, as the ANTS list shows them.
            return tuple(f"{match.current_name} ({code})" for code in match.postal_codes)
        if match.department:
            return (f"{match.current_name} ({match.department})",)
        return (written(match),)

    top = matches[0]
    # An arrondissement or a former commune of the top answer is not a rival answer.
    second = max((m.score for m in matches[1:] if not _related(top, m)), default=0.0)
    suggestions = tuple(dict.fromkeys(label for m in matches for label in offered(m)))
    certain = top.score >= _CERTAIN and top.score - second >= _MARGIN
    if certain:
        after = written(top)
        accepted = {after, top.current_name} if not with_postal_code else {after}
        if value.strip() in accepted:
            return FieldCheck(path, label, CheckStatus.CONFORMING, value, after=after)
        messages = [MSG_CITY, *_writing_messages(value)]
        return FieldCheck(
            path,
            label,
            CheckStatus.CORRECTED,
            value,
            after=after,
            suggestions=suggestions,
            messages=tuple(messages),
            note=top.note,
        )
    messages = [MSG_CITY, *_writing_messages(value), MSG_CITY_LIST]
    return FieldCheck(
        path,
        label,
        CheckStatus.NEEDS_CHOICE,
        value,
        suggestions=suggestions,
        messages=tuple(messages),
        note=top.note,
    )


def _check_country(path: str, value: str | None, *, required: bool) -> FieldCheck:
    label = LABELS[path]
    if not value or not value.strip():
        if required:
            return FieldCheck(path, label, CheckStatus.UNKNOWN, value, messages=(MSG_COUNTRY,))
        return FieldCheck(path, label, CheckStatus.CONFORMING, value)
    match = find_country(value)
    if match is None:
        return FieldCheck(
            path,
            label,
            CheckStatus.UNKNOWN,
            value,
            messages=(MSG_COUNTRY, MSG_COUNTRY_UNKNOWN),
        )
    return _settle(
        path,
        value,
        canonical=match.name,
        score=match.score,
        note=match.note,
        doubtful=(MSG_COUNTRY, MSG_COUNTRY_UNKNOWN),
    )


def _settle(
    path: str,
    value: str,
    *,
    canonical: str,
    score: float,
    note: str,
    doubtful: tuple[str, ...],
) -> FieldCheck:
    """Conforming when written as ``canonical``; corrected to it when the match is sure;
    else a choice to make, with ``doubtful`` as the messages."""
    label = LABELS[path]
    if value.strip() == canonical:
        return FieldCheck(path, label, CheckStatus.CONFORMING, value, after=canonical)
    if score >= _SURE:
        return FieldCheck(
            path,
            label,
            CheckStatus.CORRECTED,
            value,
            after=canonical,
            messages=doubtful[:1],
            note=note,
        )
    return FieldCheck(
        path,
        label,
        CheckStatus.NEEDS_CHOICE,
        value,
        suggestions=(canonical,),
        messages=doubtful,
        note=note,
    )


def _check_department(
    path: str,
    value: str | None,
    *,
    abroad: bool,
    birth_date: date | None = None,
    implied: str | None = None,
) -> FieldCheck:
    """``implied``: the department of the city when it is certain (fills an empty one)."""
    label = LABELS[path]
    empty = not value or not value.strip()
    if abroad or (not empty and normalise_department(value) == ""):
        if empty:
            return FieldCheck(path, label, CheckStatus.CONFORMING, value)
        return FieldCheck(
            path,
            label,
            CheckStatus.CORRECTED,
            value,
            after=None,
            clear=True,
            messages=(MSG_DEPARTMENT, MSG_ABROAD),
        )
    if empty:
        if implied:
            return FieldCheck(
                path,
                label,
                CheckStatus.CORRECTED,
                value,
                after=implied,
                messages=(MSG_DEPARTMENT,),
                note="département de la ville de naissance",
            )
        return FieldCheck(path, label, CheckStatus.CONFORMING, value)
    assert value is not None
    match = find_department(value, birth_date=birth_date)
    if match is None:
        return FieldCheck(path, label, CheckStatus.UNKNOWN, value, messages=(MSG_DEPARTMENT,))
    if match.code == "20" and match.score < 1.0:
        if implied in {"2A", "2B"}:
            return FieldCheck(
                path,
                label,
                CheckStatus.CORRECTED,
                value,
                after=implied,
                messages=(MSG_DEPARTMENT, MSG_CORSICA),
                note=match.note,
            )
        return FieldCheck(
            path,
            label,
            CheckStatus.NEEDS_CHOICE,
            value,
            suggestions=("2A", "2B"),
            messages=(MSG_DEPARTMENT, MSG_CORSICA),
            note=match.note,
        )
    return _settle(
        path,
        value,
        canonical=match.code,
        score=match.score,
        note=match.note,
        doubtful=(MSG_DEPARTMENT,),
    )


def _is_abroad(country: str | None) -> bool:
    if not country or not country.strip():
        return False
    match = find_country(country)
    return match is not None and match.insee_code != FRANCE_INSEE_CODE


def _check_foreign_city(path: str, value: str | None) -> FieldCheck:
    """A city abroad is not in the COG: only the writing rules apply."""
    label = LABELS[path]
    if not value or not value.strip():
        return FieldCheck(path, label, CheckStatus.UNKNOWN, value, messages=(MSG_CITY,))
    written = normalise_city(value)
    if written == value.strip():
        return FieldCheck(path, label, CheckStatus.CONFORMING, value, after=written)
    return FieldCheck(
        path,
        label,
        CheckStatus.CORRECTED,
        value,
        after=written,
        messages=(MSG_CITY, *_writing_messages(value)),
        note="ville à l'étranger",
    )


def check(application: ApplicationLike) -> GeoReport:
    """Check every geo field of a Cerfa 02 / Cerfa 06 against the referential (offline).

    The first call loads the referential.
    """
    applicant: _ApplicantLike = application.applicant
    fields: list[FieldCheck] = []

    address: _AddressLike = applicant.address
    fields.append(
        _check_city(
            "applicant.address.city",
            address.city,
            postal_code=address.postal_code,
            with_postal_code=True,
        )
    )
    representative: _RepresentativeLike | None = application.legal_representative
    if representative is not None:
        fields.append(
            _check_city(
                "legal_representative.address.city",
                representative.address.city,
                postal_code=representative.address.postal_code,
                with_postal_code=True,
            )
        )

    birth_department = applicant.birth_department
    algeria = _french_algeria(applicant)
    abroad = algeria or _is_abroad(applicant.birth_country)
    birth_code = normalise_department(birth_department, birth_date=applicant.birth_date)
    if abroad:
        city_check = _check_foreign_city("applicant.birth_city", applicant.birth_city)
        implied = None
    else:
        city_check = _check_city(
            "applicant.birth_city",
            applicant.birth_city,
            department=birth_code or None,
            with_postal_code=False,
        )
        implied = _implied_department(applicant.birth_city, birth_code, city_check)
    fields.append(city_check)
    fields.append(
        _check_department(
            "applicant.birth_department",
            birth_department,
            abroad=abroad,
            birth_date=applicant.birth_date,
            implied=implied,
        )
    )
    if algeria:
        fields.append(_algerian_country(applicant.birth_country))
    else:
        fields.append(
            _check_country("applicant.birth_country", applicant.birth_country, required=True)
        )

    previous: _PreviousLicenceLike | None = application.previous_licence
    if previous is not None:
        fields.append(
            _check_department(
                "previous_licence.issuing_department",
                previous.issuing_department,
                abroad=False,
            )
        )
        fields.append(
            _check_country(
                "previous_licence.exchange_country", previous.exchange_country, required=False
            )
        )
    return GeoReport(tuple(fields))


def _french_algeria(applicant: _ApplicantLike) -> bool:
    """Born in a department of French Algeria before 1962 (see :mod:`antsclient.geo.history`):
    the department names one, and the city is not a commune of today's department of that
    code (``91`` for a birth in Évry written with today's code is Essonne)."""
    former = former_department(applicant.birth_department, applicant.birth_date)
    if former is None or former.country is None:
        return False
    if not applicant.birth_city or not applicant.birth_city.strip():
        return True
    matches = suggest_communes(applicant.birth_city, department=former.code, limit=1)
    return not (matches and matches[0].department == former.code and matches[0].score >= _SURE)


def _algerian_country(value: str | None) -> FieldCheck:
    """The country of a birth in French Algeria before 1962: ALGERIE."""
    path = "applicant.birth_country"
    match = find_country(value)
    if match is not None and match.insee_code == _ALGERIA_CODE:
        return _check_country(path, value, required=True)
    return FieldCheck(
        path,
        LABELS[path],
        CheckStatus.CORRECTED,
        value,
        after=_ALGERIA_NAME,
        messages=(MSG_COUNTRY,),
        note="département français d'Algérie jusqu'en 1962 : pays de naissance ALGERIE",
    )


def _implied_department(city: str, department: str | None, city_check: FieldCheck) -> str | None:
    """The birth city's department, when the city is certain."""
    if city_check.status not in {CheckStatus.CONFORMING, CheckStatus.CORRECTED}:
        return None
    matches = suggest_communes(city, department=department or None, limit=2)
    if not matches:
        return None
    top = matches[0]
    if any(m.score >= top.score - _MARGIN and m.department != top.department for m in matches[1:]):
        return None
    return top.department
