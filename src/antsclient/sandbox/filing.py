"""Le dépôt des demandes: a request filed, validated, deleted, transferred, completed,
linked to a student, and found again.

The data is judged by :func:`antsclient.validate`, the places by the geo referential
(:mod:`antsclient.sandbox.referential`), the agency's prefecture by
:func:`~antsclient.models.credentials.prefecture_problem`, each action by the lifecycle
(:func:`antsclient.lifecycle.check`). What only the server knows comes from the ledger: who
holds a number, the live requests using an email (divergence), the ePhoto codes in use.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any, Final

import attrs

from antsclient.codec import to_data
from antsclient.errors import (
    ActionNotAllowed,
    ApplicationDataError,
    DivergenceCase,
    DivergenceError,
    FieldProblem,
    RequestNotFound,
)
from antsclient.lifecycle import Action, check, ensure_allowed, next_status
from antsclient.models.application import Application, Cerfa06
from antsclient.models.credentials import prefecture_problem
from antsclient.models.enums import Cerfa, DocumentKind, LicenceCategory, RequestStatus
from antsclient.models.request import OnlineRequest
from antsclient.models.request_types import REQUEST_TYPES, TRAININGS, Prerequisite
from antsclient.sandbox import referential, search
from antsclient.sandbox.errors import SandboxError
from antsclient.sandbox.files import slots_of
from antsclient.sandbox.idempotency import IdempotencyKeys
from antsclient.sandbox.ledger import Ledger
from antsclient.sandbox.mailbox import Mailbox
from antsclient.sandbox.records import Agency, IdempotencyEntry, RequestRecord, person_of
from antsclient.sandbox.search import SearchFilters
from antsclient.validation import neph_mismatch, unknown_cerfa02, unknown_neph, validate

__all__ = ["Filing", "request_types_data"]

_NOT_LIVE: Final = frozenset({RequestStatus.REJECTED, RequestStatus.TRANSFERRED})


def _kinds(kinds: Collection[DocumentKind]) -> list[str]:
    return [kind.value for kind in DocumentKind if kind in kinds]


def _categories(categories: Collection[LicenceCategory]) -> list[str]:
    return [category.value for category in LicenceCategory if category in categories]


def request_types_data() -> dict[str, Any]:
    """The request types and the trainings without exam, as ``GET /request-types`` serves
    them (:data:`antsclient.models.REQUEST_TYPES`, :data:`antsclient.models.TRAININGS`)."""
    items = [
        {
            "request_type": kind.value,
            "label": kind.label,
            "cerfa": spec.cerfa.value,
            "categories": _categories(spec.categories),
            "prerequisite": spec.prerequisite.value,
            "prerequisite_fr": spec.prerequisite_fr,
            "documents": _kinds(spec.documents),
            "accepted_status": spec.accepted_status.value,
            "applicant_validates": spec.applicant_validates,
            "pro_account_only": spec.pro_account_only,
            "registration_age": spec.registration_age,
            "age_rule_fr": spec.age_rule_fr,
        }
        for kind, spec in REQUEST_TYPES.items()
    ]
    trainings = [
        {
            "training": training.value,
            "label": training.label,
            "categories": _categories(spec.categories),
            "held": _categories(spec.held),
            "held_for_days": None if spec.held_for is None else spec.held_for.days,
            "minimum_age": spec.minimum_age,
            "mention": spec.mention,
            "documents": _kinds(spec.documents),
        }
        for training, spec in TRAININGS.items()
    ]
    return {"items": items, "trainings": trainings}


class Filing:
    """The agencies' requests: filed, moved through the lifecycle, searched and counted."""

    def __init__(
        self, ledger: Ledger, keys: IdempotencyKeys, *, mailbox: Mailbox | None = None
    ) -> None:
        self.ledger = ledger
        self.keys = keys
        self.mailbox: Mailbox = mailbox or Mailbox(ledger)

    def create(
        self,
        agency: Agency,
        application: Application,
        *,
        confirmed_fields: Collection[str] = (),
        idempotency_key: str | None = None,
        fingerprint: str = "",
    ) -> tuple[OnlineRequest, bool]:
        """File a request as a draft; ``(request, replayed)``.

        Every data problem comes back at once (422). Then divergence (the email of another
        live request), then the ePhoto code (once only).
        """
        problems = self._data_problems(agency, application, confirmed_fields)
        ledger = self.ledger
        with ledger.mutation() as changes:
            replay = self.keys.replay(agency, "create", idempotency_key, fingerprint)
            if replay is not None:
                return ledger.record(agency, replay.number).online(), True
            if problems:
                raise ApplicationDataError(problems=problems)
            cerfa = application.cerfa
            self._check_title_prerequisite(agency, application)
            self._check_divergence(application, cerfa)
            code = ledger.free_ephoto_code(application.ephoto_code, number=None)
            now = ledger.clock.now()
            record = RequestRecord(
                number=ledger.new_number(),
                agreement=agency.agreement,
                cerfa=cerfa,
                status=RequestStatus.DRAFT,
                created=now,
                modified=now,
                application=dict(to_data(application)),
                neph=application.neph,
                student_id=application.student_id,
                paper_mandate=application.paper_mandate,
            )
            if code:
                record.ephoto[cerfa.value] = code
            ledger.add(record)
            ledger.row(record, changes)
            entry = IdempotencyEntry(fingerprint=fingerprint, number=record.number)
            self.keys.remember(agency, "create", idempotency_key, entry, changes)
            return record.online(), False

    def _data_problems(
        self, agency: Agency, application: Application, confirmed: Collection[str]
    ) -> list[FieldProblem]:
        today = self.ledger.clock.now().date()
        problems = [p for p in validate(application, on=today) if p.is_error]
        problems += referential.check_places(application, confirmed)
        prefecture = prefecture_problem(agency.prefecture, field="prefecture")
        if prefecture is not None:
            problems.append(prefecture)
        return problems

    def _check_title_prerequisite(self, agency: Agency, application: Application) -> None:
        """A title after the exam follows an accepted Cerfa 02 (``cerfa02_number``) or a NEPH
        the ledger knows; a title after a training needs neither."""
        if not isinstance(application, Cerfa06):
            return
        if REQUEST_TYPES[application.request_type].prerequisite is not (
            Prerequisite.ACCEPTED_CERFA02
        ):
            return
        if application.cerfa02_number:
            try:
                inscription = self.ledger.record(agency, application.cerfa02_number)
            except RequestNotFound:
                raise ApplicationDataError(
                    problems=[unknown_cerfa02(application.cerfa02_number)]
                ) from None
            check(Action.CREATE_CERFA06, inscription.status)
            mismatch = neph_mismatch(application.neph, inscription.neph)
            if mismatch is not None:
                raise ApplicationDataError(problems=[mismatch])
            return
        neph = application.neph or ""
        holders = [r for r in self.ledger.holding_neph(neph) if r.cerfa is Cerfa.C02]
        if not holders:
            raise ApplicationDataError(problems=[unknown_neph(neph)])
        if not any(r.status is RequestStatus.READY_FOR_CERFA06 for r in holders):
            check(Action.CREATE_CERFA06, holders[-1].status)

    def _check_divergence(self, application: Application, cerfa: Cerfa) -> None:
        """Divergence de données, the manual's three cases, against every live request of
        the same form: the email used by another person (shared in a family), by this very
        person (already registered: link it), or this person under another email (the data
        differs from what ANTS holds)."""
        email = application.applicant.email
        person = person_of(to_data(application.applicant))
        for other in self.ledger.using_email(email):
            if other.cerfa is cerfa and other.status not in _NOT_LIVE:
                same = person is not None and other.person == person
                case = DivergenceCase.ALREADY_REGISTERED if same else DivergenceCase.SHARED_EMAIL
                raise DivergenceError(
                    f"a request ({other.number}) already uses the email {email!r}"
                    + (" for the same person" if same else " for another person"),
                    existing_number=other.number,
                    case=case,
                )
        for other in self.ledger.of_person(person):
            if other.cerfa is cerfa and other.status not in _NOT_LIVE:
                raise DivergenceError(
                    f"a request ({other.number}) of the same person (name, birth date and "
                    "place) is on ANTS under another email",
                    existing_number=other.number,
                    case=DivergenceCase.DIFFERENT_DATA,
                    field="applicant",
                )

    def get(self, agency: Agency, number: str) -> OnlineRequest:
        """One of the agency's requests (another agency's is not found)."""
        with self.ledger.read():
            return self.ledger.record(agency, number).online()

    def application_of(self, agency: Agency, number: str) -> tuple[Cerfa, dict[str, Any]]:
        """The cerfa and application data ANTS holds for the request."""
        with self.ledger.read():
            record = self.ledger.record(agency, number)
            return record.cerfa, record.application

    def validate(self, agency: Agency, number: str) -> OnlineRequest:
        """Valider la demande: a draft with every required document goes to the student."""
        with self.ledger.mutation() as changes:
            record = self.ledger.record(agency, number)
            slots = slots_of(record, self.ledger.clock.now().date())
            check(Action.VALIDATE, record.status, slots=slots)
            status = next_status(
                Action.VALIDATE,
                record.status,
                cerfa=record.cerfa,
                paper_mandate=record.paper_mandate,
            )
            self.ledger.set_status(record, status)
            record.validated_at = record.modified
            self.ledger.row(record, changes)
            self.mailbox.filed(record, changes)
            return record.online()

    def delete(self, agency: Agency, number: str) -> None:
        """Supprimer la demande (BROUILLON or EN COURS DE VALIDATION PAR L'ÉLÈVE)."""
        with self.ledger.mutation() as changes:
            record = self.ledger.record(agency, number)
            ensure_allowed(Action.DELETE, record.status)
            self.ledger.remove(record, changes)

    def transfer(self, agency: Agency, number: str, former_agreement: str) -> OnlineRequest:
        """Take over another agency's filed request, named by its number and that agency's
        agreement; its copy there shows « transféré ». Not a request under a paper
        mandate."""
        with self.ledger.mutation() as changes:
            record = self.ledger.live_record(number)
            if record.agreement == agency.agreement:
                raise ActionNotAllowed(
                    f"request {number} already belongs to the agency",
                    action=Action.TRANSFER.value,
                    status=record.status.value,
                    rule="only another agency's request can be transferred",
                    message_fr="Cette demande est déjà rattachée à votre agence.",
                )
            if "".join(former_agreement.split()).upper() != record.agreement:
                raise SandboxError(
                    f"request {number} was not filed by the agency {former_agreement!r}",
                    code="transfer.agreement",
                    message_fr=f"La demande n° {number} n'a pas été déposée par l'auto-école "
                    f"d'agrément « {former_agreement} » : vérifiez le numéro de la demande et "
                    "l'agrément de l'ancienne auto-école.",
                    field="former_agreement",
                    status=422,
                )
            check(Action.TRANSFER, record.status, paper_mandate=record.paper_mandate)
            taken = attrs.evolve(
                record,
                agreement=agency.agreement,
                transferred=True,
                modified=self.ledger.clock.now(),
                student_id=None,  # the former school's student is not the new school's
                files=list(record.files),
                ephoto=dict(record.ephoto),
                history=list(record.history),
            )
            record.copy = True
            record.transferred = True
            self.ledger.set_status(record, RequestStatus.TRANSFERRED)
            self.ledger.add(taken)
            self.ledger.row(record, changes)
            self.ledger.row(taken, changes)
            return taken.online()

    def send_complement(self, agency: Agency, number: str) -> OnlineRequest:
        """Transmettre le complément: À COMPLÉTER → under review again."""
        with self.ledger.mutation() as changes:
            record = self.ledger.record(agency, number)
            self.ledger.set_status(record, next_status(Action.SEND_COMPLEMENT, record.status))
            self.ledger.row(record, changes)
            return record.online()

    def link(self, agency: Agency, number: str, student_id: str) -> OnlineRequest:
        """Relier la demande à un élève."""
        with self.ledger.mutation() as changes:
            record = self.ledger.record(agency, number)
            ensure_allowed(Action.LINK, record.status)
            record.student_id = student_id
            record.modified = self.ledger.clock.now()
            self.ledger.row(record, changes)
            return record.online()

    def search(self, agency: Agency, filters: SearchFilters) -> dict[str, Any]:
        """A page of the agency's requests, ordered by (modified, number)."""
        with self.ledger.read():
            return search.page(self.ledger.ordered(agency.agreement), filters)

    def search_body(self, agency: Agency, filters: SearchFilters, *, rows: bool = False) -> bytes:
        """:meth:`search`'s page as the JSON the API sends (its requests as rows when
        ``rows``), each request's written once."""
        with self.ledger.read():
            agreement = agency.agreement
            return search.page_body(
                self.ledger.ordered(agreement),
                filters,
                self.ledger.encoded(agreement, rows=rows),
                rows=rows,
            )

    def counts(self, agency: Agency) -> dict[str, dict[str, int]]:
        """How many requests each bucket holds: per cerfa and in all."""
        with self.ledger.read():
            return search.count(self.ledger.held(agency.agreement).values())

    def requests(self, agreement: str | None = None) -> list[OnlineRequest]:
        """Every request the server holds (one agency's, or all), by agency then number."""
        with self.ledger.read():
            agreements = [agreement] if agreement is not None else self.ledger.agreements()
            return [
                record.online()
                for a in agreements
                for _, record in sorted(self.ledger.held(a).items())
            ]
