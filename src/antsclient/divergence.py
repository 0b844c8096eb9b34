"""Divergence de données: where the host's student file and what ANTS holds differ.

The manual's third case of divergence — « les informations enregistrées sont différentes de
celles enregistrées sur le site de l'ANTS » — asks the user to check the student's file.
:func:`differences` says which fields to check: every field of the application ANTS holds
whose value in the host's file differs (case, accents and spacing aside), with its French
label and both values as the user reads them. ``session.requests.compare`` reads ANTS's side
and calls it; ``refresh(..., update_student=True)`` then writes ANTS's data into the
student's file, as the manual's « Mettre à jour » does.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterator, Mapping
from typing import Final, Protocol, cast, runtime_checkable

import attrs

from antsclient._display import french_date
from antsclient._text import fold
from antsclient.models.application import Application

__all__ = ["Difference", "StudentFile", "differences"]


@runtime_checkable
class StudentFile(Protocol):
    """A student of the host (:class:`~antsclient.storage.Student` is one): the names and
    email it always has, and the application data when it keeps it."""

    @property
    def last_name(self) -> str:
        """The student's last name (nom)."""
        ...

    @property
    def first_name(self) -> str:
        """The student's first name (prénom)."""
        ...

    @property
    def email(self) -> str | None:
        """The student's email, if the host has one."""
        ...

    @property
    def application(self) -> Application | None:
        """The application data the host keeps for the student, if any."""
        ...


@attrs.frozen(kw_only=True, slots=True)
class Difference:
    """Un champ divergent: ``field`` (dotted path), its French ``label``, and the value in
    the host's file and on ANTS as the user reads them (empty: not filled)."""

    field: str
    label: str
    host: str
    ants: str

    def __str__(self) -> str:
        return f"{self.label} : « {self.host or '—'} » (fiche) / « {self.ants or '—'} » (ANTS)"


LABELS: Final[Mapping[str, str]] = {
    "applicant.last_name": "Nom de naissance",
    "applicant.first_name": "Prénom",
    "applicant.other_first_names": "Autres prénoms",
    "applicant.usage_name": "Nom d'usage",
    "applicant.sex": "Sexe",
    "applicant.birth_date": "Date de naissance",
    "applicant.birth_city": "Commune de naissance",
    "applicant.birth_department": "Département de naissance",
    "applicant.birth_country": "Pays de naissance",
    "applicant.address.street": "Adresse",
    "applicant.address.complement": "Complément d'adresse",
    "applicant.address.postal_code": "Code postal",
    "applicant.address.city": "Ville d'habitation",
    "applicant.address.country": "Pays",
    "applicant.email": "Email",
    "applicant.phone": "Téléphone",
    "categories": "Catégorie(s) de permis demandée(s)",
    "neph": "Numéro NEPH",
    "medical_visit_date": "Visite médicale",
    "legal_representative.last_name": "Nom du représentant légal",
    "legal_representative.first_name": "Prénom du représentant légal",
    "legal_representative.address.street": "Adresse du représentant légal",
    "legal_representative.address.postal_code": "Code postal du représentant légal",
    "legal_representative.address.city": "Ville du représentant légal",
    "legal_representative.email": "Email du représentant légal",
    "legal_representative.phone": "Téléphone du représentant légal",
    "previous_licence.categories": "Catégorie(s) déjà obtenue(s)",
    "previous_licence.last_obtained_on": "Dernière catégorie obtenue le",
    "previous_licence.last_obtained_place": "Lieu",
    "previous_licence.obtained_by": "Par examen / par échange",
    "previous_licence.exchange_country": "Pays d'obtention",
    "previous_licence.issuing_department": "Département d'obtention",
    "previous_licence.issuing_prefecture": "Préfecture",
}
"""The French label of each field, as the student's file names it (others show their path)."""

_NOT_COMPARED: Final = frozenset(
    {"student_id", "ephoto_code", "request_type", "paper_mandate", "paper_mandate_date"}
)
"""The host's own id, the ePhoto code ANTS holds per form rather than in the file, and what
says how the request is filed (its type, the paper mandate) rather than who the student is."""


def _text(value: object) -> str:
    """A value as the user reads it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Oui" if value else "Non"
    if isinstance(value, dt.date):
        return french_date(value)
    if isinstance(value, enum.Enum):
        return str(getattr(value, "label", value.value))
    if isinstance(value, frozenset | set):
        return " ".join(sorted(_text(v) for v in value))
    return str(value)


def _leaves(value: object, path: str = "") -> Iterator[tuple[str, object]]:
    """Every leaf of an attrs value, by dotted path (an absent nested block is one leaf)."""
    if attrs.has(type(value)):
        for field in attrs.fields(cast("type[attrs.AttrsInstance]", type(value))):
            if not path and field.name in _NOT_COMPARED:
                continue
            yield from _leaves(getattr(value, field.name), f"{path}.{field.name}".lstrip("."))
    else:
        yield path, value


def _host_leaves(host: Application | StudentFile) -> dict[str, object]:
    if isinstance(host, StudentFile):
        if host.application is not None:
            return dict(_leaves(host.application))
        return {
            "applicant.last_name": host.last_name,
            "applicant.first_name": host.first_name,
            "applicant.email": host.email,
        }
    return dict(_leaves(host))


def _lookup(leaves: Mapping[str, object], path: str) -> tuple[bool, object]:
    """``(known, value)`` of ``path``: its leaf, or ``None`` under an absent block."""
    if path in leaves:
        return True, leaves[path]
    parts = path.split(".")
    for end in range(len(parts) - 1, 0, -1):
        parent = ".".join(parts[:end])
        if parent in leaves and leaves[parent] is None:
            return True, None
    return False, None


def differences(host: Application | StudentFile, ants: Application) -> list[Difference]:
    """The fields where the host's file (an application, or a student with or without its
    application data) and ANTS's application differ, in the form's order.

    Texts are compared as ANTS compares names: case, accents and spacing aside. Only what
    both sides can hold is compared: a student without application data on its names and
    email, a Cerfa 02 against a Cerfa 06 on their common fields.
    """
    theirs = dict(_leaves(ants))
    mine = _host_leaves(host)
    paths = [*theirs, *(p for p in mine if p not in theirs)]
    found = []
    for path in paths:
        known_here, here = _lookup(mine, path)
        known_there, there = _lookup(theirs, path)
        if not (known_here and known_there):
            continue
        host_text, ants_text = _text(here), _text(there)
        if fold(host_text) != fold(ants_text):
            found.append(
                Difference(field=path, label=LABELS.get(path, path), host=host_text, ants=ants_text)
            )
    return found
