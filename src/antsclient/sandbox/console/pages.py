"""What the console's pages show, computed from the sandbox without any HTML.

Each function reads the sandbox (:class:`~antsclient.sandbox.control.Controls`) and returns
plain data for a template: the agency's dashboard and list, a request's page with the actions
its status allows (and the lifecycle's reason for those it does not), the prefecture's queue.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import urllib.parse
from collections.abc import Mapping
from typing import Any, Final

import attrs

from antsclient.codec import from_data
from antsclient.errors import ActionNotAllowed, AntsError
from antsclient.lifecycle import RULES, Action, check
from antsclient.models.enums import Bucket, Cerfa, DocumentKind
from antsclient.models.request import OnlineRequest
from antsclient.sandbox.control import Controls
from antsclient.sandbox.records import Agency
from antsclient.sandbox.search import SearchFilters

__all__ = [
    "AGENCY_ACTIONS",
    "PAGE_SIZE",
    "ActionView",
    "ListFilters",
    "agency_list",
    "prefecture_queue",
    "request_actions",
    "request_data",
]

PAGE_SIZE: Final = 50
"""Requests per page of the agency's list."""

AGENCY_ACTIONS: Final = (
    Action.REFRESH,
    Action.VIEW_ATTACHMENTS,
    Action.UPLOAD_ATTACHMENT,
    Action.DELETE_ATTACHMENT,
    Action.SET_EPHOTO,
    Action.VIEW_EPHOTO,
    Action.DELETE_EPHOTO,
    Action.DEPOSIT_FORM,
    Action.VALIDATE,
    Action.DOWNLOAD_DOCUMENTS,
    Action.SEND_COMPLEMENT,
    Action.CREATE_CERFA06,
    Action.TRANSFER,
    Action.LINK,
    Action.DELETE,
)
"""The manual's « Actions disponibles », in its order."""

POSTABLE: Final = {
    Action.VALIDATE: "valider",
    Action.SEND_COMPLEMENT: "complement",
    Action.DELETE: "supprimer",
}
"""The actions the console performs for the agency, by their path segment."""

QUEUE_SIZE: Final = 30
"""Requests of the prefecture's queue shown at once, of each kind."""


@attrs.frozen
class ActionView:
    """One action of a request: its label, whether its status allows it, and why not."""

    action: Action
    label: str
    allowed: bool
    reason: str
    path: str | None


@attrs.frozen(kw_only=True)
class ListFilters:
    """The list's filters, as the form sends them (empty: not filtered)."""

    bucket: Bucket | None = None
    cerfa: Cerfa | None = None
    number: str | None = None
    created_from: dt.date | None = None
    created_to: dt.date | None = None
    modified_from: dt.date | None = None
    modified_to: dt.date | None = None
    page: int = 1

    @classmethod
    def read(cls, params: Mapping[str, str]) -> tuple[ListFilters, list[str]]:
        """The filters of a query string, and the French problems of those ignored."""
        problems: list[str] = []
        values: dict[str, Any] = {}
        for name, key, kind in (
            ("bucket", "rubrique", Bucket),
            ("cerfa", "cerfa", Cerfa),
        ):
            text = params.get(key, "").strip()
            if text:
                try:
                    values[name] = kind(text)
                except ValueError:
                    problems.append(f"Valeur inconnue pour « {key} » : {text}")
        number = params.get("numero", "").strip()
        values["number"] = number or None
        for name in ("created_from", "created_to", "modified_from", "modified_to"):
            text = params.get(name, "").strip()
            if text:
                try:
                    values[name] = dt.date.fromisoformat(text)
                except ValueError:
                    problems.append(f"Date illisible : {text} (attendu : AAAA-MM-JJ)")
        page = params.get("page", "1")
        values["page"] = max(int(page), 1) if page.isdigit() else 1
        return cls(**values), problems

    def search(self, page: int, page_size: int) -> SearchFilters:
        """The sandbox's search filters (dates as whole days, Paris aside)."""

        def start(day: dt.date | None) -> dt.datetime | None:
            return None if day is None else dt.datetime.combine(day, dt.time(), dt.UTC)

        def end(day: dt.date | None) -> dt.datetime | None:
            return None if day is None else dt.datetime.combine(day, dt.time.max, dt.UTC)

        return SearchFilters(
            bucket=self.bucket,
            cerfa=self.cerfa,
            number=self.number,
            created_from=start(self.created_from),
            created_to=end(self.created_to),
            modified_from=start(self.modified_from),
            modified_to=end(self.modified_to),
            page=page,
            page_size=page_size,
        )

    def href(self, agreement: str, **changes: Any) -> str:
        """The list's address with these filters (and ``changes``), empty values left out."""
        values = attrs.evolve(self, **changes)
        pairs = {
            "agence": agreement,
            "rubrique": values.bucket,
            "cerfa": values.cerfa,
            "numero": values.number,
            "created_from": values.created_from,
            "created_to": values.created_to,
            "modified_from": values.modified_from,
            "modified_to": values.modified_to,
            "page": values.page if values.page != 1 else None,
        }
        query = urllib.parse.urlencode({k: str(v) for k, v in pairs.items() if v is not None})
        return f"/console/agence?{query}"


def agency_list(
    controls: Controls, agency: Agency, filters: ListFilters
) -> tuple[list[OnlineRequest], int, int]:
    """A page of the agency's list, the most recently changed first: ``(requests, total,
    pages)``."""
    state = controls.state
    total = int(state.search(agency, filters.search(1, 1))["total"])
    pages = max(math.ceil(total / PAGE_SIZE), 1)
    page = min(filters.page, pages)
    found = state.search(agency, filters.search(pages - page + 1, PAGE_SIZE))  # oldest first
    return [from_data(item, OnlineRequest) for item in reversed(found["items"])], total, pages


def request_actions(controls: Controls, agency: Agency, request: OnlineRequest) -> list[ActionView]:
    """Every action of the manual for ``request``: allowed, or greyed with the reason."""
    state = controls.state
    try:
        slots = state.slots(agency, request.number)
    except AntsError:
        slots = None
    views = []
    for action in AGENCY_ACTIONS:
        reason = ""
        try:
            check(
                action,
                request.status,
                cerfa=request.cerfa,
                linked=request.linked,
                slots=slots if action is Action.VALIDATE else None,
            )
        except ActionNotAllowed as exc:
            reason = exc.message_fr
        path = POSTABLE.get(action)
        views.append(ActionView(action, RULES[action].label, not reason, reason, path))
    return views


_LABELS: Final = {
    "last_name": "Nom",
    "usage_name": "Nom d'usage",
    "first_name": "Prénom",
    "other_first_names": "Autres prénoms",
    "sex": "Sexe",
    "birth_date": "Date de naissance",
    "birth_city": "Ville de naissance",
    "birth_department": "Département de naissance",
    "birth_country": "Pays de naissance",
    "street": "Adresse",
    "complement": "Complément d'adresse",
    "postal_code": "Code postal",
    "city": "Ville",
    "country": "Pays",
    "email": "Courriel",
    "phone": "Téléphone",
    "relationship": "Lien",
    "categories": "Catégories",
    "neph": "N° NEPH",
    "medical_visit_date": "Date de la visite médicale",
    "ephoto_code": "Code ePhoto",
    "paper_mandate": "Mandat papier",
    "after_cancellation": "Après annulation",
    "military_licence": "Brevet militaire",
    "student_id": "Élève (logiciel)",
    "last_obtained_on": "Date d'obtention de la dernière catégorie",
    "last_obtained_place": "Lieu d'obtention",
    "obtained_by": "Obtenue par",
    "exchange_country": "Pays d'échange",
    "issuing_department": "Département de délivrance",
    "issuing_prefecture": "Préfecture de délivrance",
    "exam_pending": "Examen en cours",
    "exam_pending_other_department": "… dans un autre département",
    "exam_pending_other_category": "… pour une autre catégorie",
    "reads_french": "Lit et comprend le français",
    "adapted_vehicle": "Doit conduire un véhicule aménagé",
    "training_mode": "Mode de formation",
    "vision_correction": "Porte une correction visuelle",
    "affection_or_handicap": "Affection ou handicap",
    "invalidity_pension": "Pension d'invalidité",
    "opposes_data_reuse": "S'oppose à la réutilisation des données",
}
_ISO_DAY: Final = re.compile(r"(\d{4})-(\d\d)-(\d\d)")
_SECTIONS: Final = {
    "applicant": "Élève",
    "address": "adresse",
    "legal_representative": "Représentant légal",
    "previous_licence": "Permis détenu",
    "declarations": "Le candidat déclare",
}


def request_data(application: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The application's fields as ``(French label, value)`` lines, in the order ANTS holds
    them, sections named (« Élève — adresse — Ville »), empty ones left out."""
    lines: list[tuple[str, str]] = []

    def walk(path: tuple[str, ...], value: Any) -> None:
        if isinstance(value, Mapping):
            for key, inner in value.items():
                walk((*path, str(key)), inner)
        elif isinstance(value, list | tuple):
            if value:
                lines.append((_label(path), ", ".join(str(v) for v in value)))
        elif isinstance(value, bool):
            lines.append((_label(path), "Oui" if value else "Non"))
        elif value not in (None, ""):
            text = str(value)
            day = _ISO_DAY.fullmatch(text)
            lines.append((_label(path), f"{day[3]}/{day[2]}/{day[1]}" if day else text))

    walk((), application)
    return lines


def _label(path: tuple[str, ...]) -> str:
    *sections, name = path
    words = [_SECTIONS.get(part, part) for part in sections]
    return " — ".join([*words, _LABELS.get(name, name)])


def prefecture_queue(controls: Controls) -> tuple[list[tuple[str, OnlineRequest]], int]:
    """The requests the prefecture examines (oldest change first), then those accepted
    whose documents it may issue (latest first), at most :data:`QUEUE_SIZE` of each, as
    ``(agreement, request)``; and how many are under examination in all."""
    state = controls.state
    examined: list[tuple[str, OnlineRequest]] = []
    accepted: list[tuple[str, OnlineRequest]] = []
    total = 0
    for agreement, agency in sorted(state.agencies.items()):
        found = state.search(agency, SearchFilters(bucket=Bucket.IN_PROGRESS, page_size=QUEUE_SIZE))
        total += int(found["total"])
        examined += [(agreement, from_data(i, OnlineRequest)) for i in found["items"]]
        for bucket in (Bucket.READY_FOR_CERFA06, Bucket.ACCEPTED):
            held = int(state.search(agency, SearchFilters(bucket=bucket, page_size=1))["total"])
            last = max(math.ceil(held / 5), 1)
            page = state.search(agency, SearchFilters(bucket=bucket, page=last, page_size=5))
            accepted += [(agreement, from_data(i, OnlineRequest)) for i in page["items"]]
    examined.sort(key=lambda pair: pair[1].modified)
    accepted.sort(key=lambda pair: pair[1].modified, reverse=True)
    return examined[:QUEUE_SIZE] + accepted[:QUEUE_SIZE], total


def document_kind(text: str) -> DocumentKind | None:
    """The document kind of a path segment, if any."""
    try:
        return DocumentKind(text)
    except ValueError:
        return None
