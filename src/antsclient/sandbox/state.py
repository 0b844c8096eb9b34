"""The simulated ANTS: agencies, requests and their rules, behind one lock.

Every rule comes from antsclient itself, so the server cannot disagree with the client:
the lifecycle table (:mod:`antsclient.lifecycle`), the document rules
(:mod:`antsclient.attachments`), the data validation (:func:`antsclient.validate`) and the
geo referential (:mod:`antsclient.geo`, through :mod:`antsclient.sandbox.referential`).
What only the server knows lives here: who owns which request, the one-use ePhoto codes,
emails already used (divergence), idempotency keys, the student's 7-day window on a clock
the tests control, and the prefecture's decisions.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import math
import random
import secrets
import threading
import time
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any, Final, TypeVar

import attrs

from antsclient.attachments import check_comment, check_pages, required_kinds
from antsclient.codec import from_data, read_application, to_data
from antsclient.errors import (
    ActionNotAllowed,
    ApplicationDataError,
    AuthenticationError,
    ConfigurationError,
    DivergenceError,
    FieldProblem,
    RequestNotFound,
)
from antsclient.lifecycle import Action, check, ensure_allowed, next_status
from antsclient.models.application import Application, Cerfa02
from antsclient.models.credentials import department_of_postal_code, prefecture_problem
from antsclient.models.enums import (
    Bucket,
    Cerfa,
    DocumentKind,
    PrefectureDecision,
    PrefectureDocumentKind,
    RequestStatus,
)
from antsclient.models.request import (
    APPLICANT_VALIDATION_WINDOW,
    AttachmentFile,
    AttachmentSlot,
    EPhoto,
    OnlineRequest,
    Prefecture,
    PrefectureDocument,
)
from antsclient.models.window import within
from antsclient.sandbox import assets, referential
from antsclient.sandbox.errors import SandboxError, not_found
from antsclient.sandbox.journal import Change, Journal, MemoryJournal
from antsclient.sandbox.prefectures import prefectures_of
from antsclient.sandbox.records import Agency, IdempotencyEntry, RequestRecord, StoredFile
from antsclient.sandbox.seed import make_application
from antsclient.validation import normalise_ephoto_code, validate

__all__ = [
    "DEFAULT_AGENCY",
    "Clock",
    "SandboxState",
    "SearchFilters",
]

T = TypeVar("T")

DEFAULT_AGENCY: Final = Agency(
    agreement="E1706900030",
    login="claboret662",
    password="3cfBelfort!",  # noqa: S106 - public sandbox test data, from the manual
    prefecture="Préfecture du Territoire de Belfort",
    postal_code="90000",
    name="Auto-école du Lion (Belfort)",
)
"""The agency of the manual's examples, seeded in every sandbox."""

SECOND_AGENCY: Final = Agency(
    agreement="E1906900012",
    login="rhone-conduite",
    password="Rh0ne-Conduite!",  # noqa: S106 - public sandbox test data
    prefecture="Préfecture du Rhône",
    postal_code="69800",
    name="Rhône Conduite (Saint-Priest)",
)
"""A second agency, to show isolation and transfers."""

_FIRST_NUMBER: Final = 3200
_NOT_LIVE: Final = frozenset({RequestStatus.REJECTED, RequestStatus.TRANSFERRED})


class Clock:
    """Wall-clock time plus an offset the tests move forward (``advance``).

    With ``start`` the clock begins at that instant, so seeded data is identical from one
    run to the next; it flows from there, or stands still with ``frozen=True`` (then only
    ``advance`` moves it).
    """

    def __init__(self, start: dt.datetime | None = None, *, frozen: bool = False) -> None:
        self._start = start
        self._frozen = frozen
        self._t0 = time.monotonic()
        self.offset = dt.timedelta(0)

    def now(self) -> dt.datetime:
        """The current sandbox time (aware, UTC)."""
        if self._start is None:
            base = dt.datetime.now(dt.UTC)
        elif self._frozen:
            base = self._start
        else:
            base = self._start + dt.timedelta(seconds=time.monotonic() - self._t0)
        return base + self.offset

    def advance(self, delta: dt.timedelta) -> None:
        """Move the clock forward by ``delta``."""
        self.offset += delta


@attrs.frozen(kw_only=True)
class SearchFilters:
    """The filters of ``search_requests`` (windows inclusive)."""

    bucket: Bucket | None = None
    cerfa: Cerfa | None = None
    number: str | None = None
    created_from: dt.datetime | None = None
    created_to: dt.datetime | None = None
    modified_from: dt.datetime | None = None
    modified_to: dt.datetime | None = None
    page: int = 1
    page_size: int = 100


@functools.cache
def _holds(bucket: Bucket, cerfa: Cerfa, status: RequestStatus, transferred: bool) -> bool:
    """``Bucket.holds``, remembered: a search asks it for every request."""
    return bucket.holds(cerfa=cerfa, status=status, transferred=transferred)


def _fingerprint(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class SandboxState:
    """Everything the simulated ANTS holds, thread-safe behind one lock.

    ``seed`` makes the sample data and the generated numbers deterministic; ``token_ttl``
    is the lifetime of an access token on :attr:`clock`; ``store`` persists every mutation
    (``None``: in memory only). A store that already holds data is resumed, not re-seeded.
    """

    def __init__(
        self,
        *,
        seed: int = 0,
        token_ttl: dt.timedelta = dt.timedelta(hours=1),
        store: Journal | None = None,
        clock: Clock | None = None,
        sample_data: bool = True,
    ) -> None:
        self._lock = threading.RLock()
        self.seed = seed
        self.clock = clock or Clock()
        self.token_ttl = token_ttl
        self._store: Journal = store or MemoryJournal()
        self._persist = not isinstance(self._store, MemoryJournal)
        self._rng = random.Random(seed)  # noqa: S311 - reproducible sample data
        self.agencies: dict[str, Agency] = {}
        self._requests: dict[str, dict[str, RequestRecord]] = {}
        self._live: dict[str, str] = {}  # number -> agreement of the live record
        self._emails: dict[str, set[str]] = {}  # folded email -> live numbers
        self._ephoto_codes: dict[str, str] = {}  # code -> number holding it
        self._idempotency: dict[str, IdempotencyEntry] = {}
        self._awaiting: set[str] = set()  # numbers waiting for the student
        self._tokens: dict[str, tuple[str, dt.datetime]] = {}
        self._counter = _FIRST_NUMBER
        self._serial = 0
        self._templates: dict[int, dict[str, Any]] = {}
        self._ordered: dict[str, list[RequestRecord]] = {}  # by (modified, number)
        if not self._load() and sample_data:
            self._seed_sample()

    # -- plumbing ---------------------------------------------------------------------------

    @contextmanager
    def _mutation(self) -> Iterator[list[Change]]:
        """Hold the lock, collect the changed rows, save them in one transaction."""
        with self._lock:
            changes: list[Change] = []
            self._sweep(changes)
            yield changes
            if self._persist and changes:
                changes.append(("meta", "state", self._meta()))
                self._store.save(changes)

    def _read(self) -> AbstractContextManager[list[Change]]:
        """A read: the same lock, and the window sweep it may cause is saved too."""
        return self._mutation()

    def _meta(self) -> dict[str, Any]:
        return {
            "counter": self._counter,
            "serial": self._serial,
            "clock_offset": self.clock.offset.total_seconds(),
            "seed": self.seed,
        }

    def _row(self, record: RequestRecord, changes: list[Change]) -> None:
        """Note a changed record: to be saved, and the agency's order to be rebuilt."""
        self._ordered.pop(record.agreement, None)
        if self._persist:
            changes.append(("request", record.key, to_data(record)))

    def _load(self) -> bool:
        tables = self._store.load()
        if not tables:
            return False
        meta = dict(tables.get("meta", {}).get("state", {}))
        self._counter = int(meta.get("counter", _FIRST_NUMBER))
        self._serial = int(meta.get("serial", 0))
        self.clock.offset = dt.timedelta(seconds=float(meta.get("clock_offset", 0.0)))
        self._rng = random.Random(f"{self.seed}-{self._counter}-{self._serial}")  # noqa: S311
        for data in tables.get("agency", {}).values():
            agency = from_data(data, Agency)
            self.agencies[agency.agreement] = agency
        for data in tables.get("request", {}).values():
            self._index(from_data(data, RequestRecord))
        for key, data in tables.get("idempotency", {}).items():
            self._idempotency[key] = from_data(data, IdempotencyEntry)
        return True

    def _index(self, record: RequestRecord) -> None:
        self._requests.setdefault(record.agreement, {})[record.number] = record
        self._ordered.pop(record.agreement, None)
        if record.copy:
            return
        self._live[record.number] = record.agreement
        if record.email:
            self._emails.setdefault(record.email.casefold(), set()).add(record.number)
        for code in record.ephoto.values():
            self._ephoto_codes[code] = record.number
        if record.status is RequestStatus.AWAITING_APPLICANT_VALIDATION:
            self._awaiting.add(record.number)

    def _set_status(self, record: RequestRecord, status: RequestStatus) -> None:
        record.status = status
        record.modified = self.clock.now()
        if status is RequestStatus.AWAITING_APPLICANT_VALIDATION and not record.copy:
            self._awaiting.add(record.number)
        else:
            self._awaiting.discard(record.number)

    def _sweep(self, changes: list[Change]) -> None:
        """The student's window: past 7 days unconfirmed, a request is a draft again."""
        if not self._awaiting:
            return
        now = self.clock.now()
        for number in list(self._awaiting):
            record = self._live_record(number)
            deadline = (record.validated_at or now) + APPLICANT_VALIDATION_WINDOW
            if now < deadline:
                continue
            record.status = next_status(Action.APPLICANT_WINDOW_EXPIRES, record.status)
            record.modified = deadline
            record.validated_at = None
            self._awaiting.discard(number)
            self._row(record, changes)

    def _live_record(self, number: str) -> RequestRecord:
        agreement = self._live.get(number)
        if agreement is None:
            raise _request_not_found(number)
        return self._requests[agreement][number]

    def _record(self, agency: Agency, number: str) -> RequestRecord:
        record = self._requests.get(agency.agreement, {}).get(number)
        if record is None:
            raise _request_not_found(number)
        return record

    def _next_serial(self) -> int:
        self._serial += 1
        return self._serial

    def _new_number(self) -> str:
        self._counter += 1
        while str(self._counter) in self._live:
            self._counter += 1
        return str(self._counter)

    def _direct_number(self) -> str:
        stamp = self.clock.now().strftime("%Y%m%d%H%M%S")
        while True:
            number = f"901{stamp}{self._rng.randrange(10**6):06d}"
            if number not in self._live:
                return number

    def _neph(self) -> str:
        return str(self._rng.randrange(10**11, 10**12))

    # -- agencies and tokens ----------------------------------------------------------------

    def add_agency(self, agency: Agency) -> Agency:
        """Add (or replace) an agency."""
        with self._mutation() as changes:
            self.agencies[agency.agreement] = agency
            self._requests.setdefault(agency.agreement, {})
            if self._persist:
                changes.append(("agency", agency.agreement, to_data(agency)))
            return agency

    def login(self, agreement: str, login: str, password: str) -> dict[str, Any]:
        """A token for an agency, or :class:`AuthenticationError` (never says which is wrong)."""
        with self._lock:
            agency = self.agencies.get(agreement.strip())
            if (
                agency is None
                or not secrets.compare_digest(agency.login, login)
                or not secrets.compare_digest(agency.password.encode(), password.encode())
            ):
                raise AuthenticationError(
                    "authentication failed: wrong agreement number, login or password",
                    field="credentials",
                )
            token = "sbx_" + secrets.token_urlsafe(24)
            now = self.clock.now()
            expires = now + self.token_ttl
            self._tokens[token] = (agency.agreement, expires)
            return {
                "access_token": token,
                "token_type": "Bearer",
                "expires_in": int(self.token_ttl.total_seconds()),
                "expires_at": expires.isoformat(),
            }

    def authenticate(self, token: str | None) -> Agency:
        """The agency a bearer token stands for; 401 ``token_invalid`` / ``token_expired``."""
        with self._lock:
            entry = self._tokens.get(token or "")
            if entry is None:
                raise SandboxError(
                    "missing or unknown access token",
                    code="token_invalid",
                    message_fr="Session ANTS invalide : reconnectez-vous.",
                    status=401,
                )
            agreement, expires = entry
            if self.clock.now() >= expires:
                del self._tokens[token or ""]
                raise SandboxError(
                    "the access token has expired",
                    code="token_expired",
                    message_fr="Session ANTS expirée : reconnectez-vous.",
                    status=401,
                )
            return self.agencies[agreement]

    # -- referential ------------------------------------------------------------------------

    def prefectures(self, agency: Agency, postal_code: str | None) -> tuple[str, list[Prefecture]]:
        """The prefectures of the department of ``postal_code`` (else the agency's)."""
        code = (postal_code or agency.postal_code or "").strip()
        department = department_of_postal_code(code)
        if not code or department is None:
            raise ConfigurationError(
                "the agency's postal code is needed to list the prefectures",
                field="postal_code",
                message_fr="Le code postal de l'agence doit être renseigné pour mettre à jour "
                "la liste des préfectures.",
            )
        return department, prefectures_of(department)

    # -- requests ---------------------------------------------------------------------------

    def _online(self, record: RequestRecord) -> OnlineRequest:
        return OnlineRequest(
            number=record.number,
            cerfa=record.cerfa,
            status=record.status,
            status_label=record.status.label,
            type_label=record.cerfa.label,
            created=record.created,
            modified=record.modified,
            transferred=record.transferred,
            neph=record.neph,
            student_id=record.student_id,
            applicant_name=record.applicant_name,
            email=record.email,
            validated_at=record.validated_at,
        )

    def _model(self, record: RequestRecord) -> Application:
        return read_application(record.application, record.cerfa)

    def _replay(
        self, agency: Agency, scope: str, key: str | None, fingerprint: str
    ) -> IdempotencyEntry | None:
        if not key:
            return None
        entry = self._idempotency.get(f"{agency.agreement}|{scope}|{key}")
        if entry is None:
            return None
        if entry.fingerprint != fingerprint:
            raise SandboxError(
                f"the Idempotency-Key {key!r} was already used with another body",
                code="idempotency_key_reused",
                message_fr="Cette clé d'idempotence a déjà servi pour une autre requête.",
                status=409,
            )
        return entry

    def _remember(
        self,
        agency: Agency,
        scope: str,
        key: str | None,
        entry: IdempotencyEntry,
        changes: list[Change],
    ) -> None:
        if not key:
            return
        full = f"{agency.agreement}|{scope}|{key}"
        self._idempotency[full] = entry
        if self._persist:
            changes.append(("idempotency", full, to_data(entry)))

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
        with self._mutation() as changes:
            replay = self._replay(agency, "create", idempotency_key, fingerprint)
            if replay is not None:
                return self._online(self._record(agency, replay.number)), True
            if problems:
                raise ApplicationDataError(problems=problems)
            cerfa = application.cerfa
            self._check_divergence(application.applicant.email, cerfa)
            code = self._check_ephoto_code(application.ephoto_code, number=None)
            now = self.clock.now()
            record = RequestRecord(
                number=self._new_number(),
                agreement=agency.agreement,
                cerfa=cerfa,
                status=RequestStatus.DRAFT,
                created=now,
                modified=now,
                application=dict(to_data(application)),
                neph=application.neph,
                student_id=application.student_id,
                paper_mandate=isinstance(application, Cerfa02) and application.paper_mandate,
            )
            if code:
                record.ephoto[cerfa.value] = code
            self._index(record)
            self._row(record, changes)
            self._remember(
                agency,
                "create",
                idempotency_key,
                IdempotencyEntry(fingerprint=fingerprint, number=record.number),
                changes,
            )
            return self._online(record), False

    def _data_problems(
        self, agency: Agency, application: Application, confirmed: Collection[str]
    ) -> list[FieldProblem]:
        today = self.clock.now().date()
        problems = [p for p in validate(application, on=today) if p.is_error]
        problems += referential.check_places(application, confirmed)
        prefecture = prefecture_problem(agency.prefecture, field="prefecture")
        if prefecture is not None:
            problems.append(prefecture)
        return problems

    def _check_divergence(self, email: str, cerfa: Cerfa) -> None:
        for number in sorted(self._emails.get(email.strip().casefold(), ())):
            other = self._live_record(number)
            if other.cerfa is cerfa and other.status not in _NOT_LIVE:
                raise DivergenceError(
                    f"a request ({number}) already uses the email {email!r}",
                    existing_number=number,
                )

    def _check_ephoto_code(self, code: str | None, *, number: str | None) -> str | None:
        if code is None or not code.strip():
            return None
        normalised = normalise_ephoto_code(code)
        holder = self._ephoto_codes.get(normalised)
        if holder is not None and holder != number:
            raise SandboxError(
                f"the ePhoto code is already used by another request ({holder})",
                code="ephoto.already_used",
                message_fr="Ce code ePhoto a déjà été utilisé : un code ePhoto ne peut servir "
                "qu'une seule fois.",
                field="ephoto_code",
                status=409,
            )
        return normalised

    def get(self, agency: Agency, number: str) -> OnlineRequest:
        """One of the agency's requests (another agency's is not found)."""
        with self._read():
            return self._online(self._record(agency, number))

    def application_of(self, agency: Agency, number: str) -> tuple[Cerfa, dict[str, Any]]:
        """The cerfa and application data ANTS holds for the request."""
        with self._read():
            record = self._record(agency, number)
            return record.cerfa, record.application

    def validate(self, agency: Agency, number: str) -> OnlineRequest:
        """Valider la demande: a draft with every required document goes to the student."""
        with self._mutation() as changes:
            record = self._record(agency, number)
            check(Action.VALIDATE, record.status, slots=self._slots(record))
            status = next_status(
                Action.VALIDATE,
                record.status,
                cerfa=record.cerfa,
                paper_mandate=record.paper_mandate,
            )
            self._set_status(record, status)
            record.validated_at = record.modified
            self._row(record, changes)
            return self._online(record)

    def delete(self, agency: Agency, number: str) -> None:
        """Supprimer la demande (BROUILLON or EN COURS DE VALIDATION PAR L'ÉLÈVE)."""
        with self._mutation() as changes:
            record = self._record(agency, number)
            ensure_allowed(Action.DELETE, record.status)
            del self._requests[agency.agreement][number]
            self._ordered.pop(agency.agreement, None)
            self._live.pop(number, None)
            self._awaiting.discard(number)
            if record.email:
                self._emails.get(record.email.casefold(), set()).discard(number)
            for code in record.ephoto.values():
                self._ephoto_codes.pop(code, None)
            if self._persist:
                changes.append(("request", record.key, None))

    def transfer(self, agency: Agency, number: str) -> OnlineRequest:
        """Take over another agency's filed request; its copy there shows « transféré »."""
        with self._mutation() as changes:
            record = self._live_record(number)
            if record.agreement == agency.agreement:
                raise ActionNotAllowed(
                    f"request {number} already belongs to the agency",
                    action=Action.TRANSFER.value,
                    status=record.status.value,
                    rule="only another agency's request can be transferred",
                    message_fr="Cette demande est déjà rattachée à votre agence.",
                )
            ensure_allowed(Action.TRANSFER, record.status)
            now = self.clock.now()
            taken = attrs.evolve(
                record,
                agreement=agency.agreement,
                transferred=True,
                modified=now,
                student_id=None,  # the former school's student is not the new school's
                files=list(record.files),
                ephoto=dict(record.ephoto),
            )
            record.copy = True
            record.transferred = True
            self._set_status(record, RequestStatus.TRANSFERRED)
            self._index(taken)
            self._row(record, changes)
            self._row(taken, changes)
            return self._online(taken)

    def send_complement(self, agency: Agency, number: str) -> OnlineRequest:
        """Transmettre le complément: À COMPLÉTER → under review again."""
        with self._mutation() as changes:
            record = self._record(agency, number)
            self._set_status(record, next_status(Action.SEND_COMPLEMENT, record.status))
            self._row(record, changes)
            return self._online(record)

    def link(self, agency: Agency, number: str, student_id: str) -> OnlineRequest:
        """Relier la demande à un élève."""
        with self._mutation() as changes:
            record = self._record(agency, number)
            ensure_allowed(Action.LINK, record.status)
            record.student_id = student_id
            record.modified = self.clock.now()
            self._row(record, changes)
            return self._online(record)

    def search(self, agency: Agency, filters: SearchFilters) -> dict[str, Any]:
        """A page of the agency's requests, ordered by (modified, number)."""
        with self._read():
            ordered = self._ordered.get(agency.agreement)
            if ordered is None:
                held = self._requests.get(agency.agreement, {}).values()
                ordered = sorted(held, key=lambda r: (r.modified, r.number))
                self._ordered[agency.agreement] = ordered
            plain = filters == SearchFilters(page=filters.page, page_size=filters.page_size)
            records = ordered if plain else [r for r in ordered if self._matches(r, filters)]
            total = len(records)
            size = filters.page_size
            start = (filters.page - 1) * size
            items = [to_data(self._online(r)) for r in records[start : start + size]]
            return {
                "items": items,
                "page": filters.page,
                "page_size": size,
                "total": total,
                "pages": math.ceil(total / size),
            }

    @staticmethod
    def _matches(record: RequestRecord, f: SearchFilters) -> bool:
        if f.bucket is not None and not _holds(
            f.bucket, record.cerfa, record.status, record.transferred
        ):
            return False
        if f.cerfa is not None and record.cerfa is not f.cerfa:
            return False
        if f.number is not None and record.number != f.number:
            return False
        return within(record.created, f.created_from, f.created_to) and within(
            record.modified, f.modified_from, f.modified_to
        )

    def counts(self, agency: Agency) -> dict[str, dict[str, int]]:
        """How many requests each bucket holds: per cerfa and in all."""
        with self._read():
            groups = Counter(
                (r.cerfa, r.status, r.transferred)
                for r in self._requests.get(agency.agreement, {}).values()
            )
            result = {key: dict.fromkeys((b.value for b in Bucket), 0) for key in ("02", "06")}
            for (cerfa, status, transferred), n in groups.items():
                row = result[cerfa.value]
                for bucket in Bucket:
                    if _holds(bucket, cerfa, status, transferred):
                        row[bucket.value] += n
            result["all"] = {b.value: result["02"][b.value] + result["06"][b.value] for b in Bucket}
            return result

    # -- supporting documents ---------------------------------------------------------------

    def _slots(self, record: RequestRecord) -> list[AttachmentSlot]:
        required = required_kinds(self._model(record), on=self.clock.now().date())
        slots = []
        for kind in DocumentKind:
            files = tuple(self._file_model(f) for f in record.files if f.kind is kind)
            comments = [f.comment for f in files if f.comment]
            slots.append(
                AttachmentSlot(
                    kind=kind,
                    label=kind.label,
                    pages=sum(f.pages for f in files),
                    max_pages=kind.max_pages,
                    help=kind.help,
                    sent=bool(files),
                    required=kind in required,
                    comment=comments[-1] if comments else None,
                    files=files,
                )
            )
        return slots

    @staticmethod
    def _file_model(stored: StoredFile) -> AttachmentFile:
        return AttachmentFile(
            file_id=stored.file_id,
            name=stored.name,
            pages=stored.pages,
            size=stored.size,
            media_type=stored.media_type,
            comment=stored.comment,
        )

    def slots(self, agency: Agency, number: str) -> list[AttachmentSlot]:
        """One slot per document kind, in the kinds' order."""
        with self._read():
            record = self._record(agency, number)
            ensure_allowed(Action.VIEW_ATTACHMENTS, record.status)
            return self._slots(record)

    def ensure_can_upload(self, agency: Agency, number: str) -> None:
        """Raise unless the request exists for the agency and its status takes documents."""
        with self._read():
            ensure_allowed(Action.UPLOAD_ATTACHMENT, self._record(agency, number).status)

    def upload(
        self,
        agency: Agency,
        number: str,
        kind: DocumentKind,
        *,
        name: str,
        content: bytes,
        media_type: str,
        pages: int,
        comment: str | None,
        idempotency_key: str | None = None,
    ) -> tuple[AttachmentFile, bool]:
        """Store a checked file for ``kind``; ``(file, replayed)``.

        The caller has sniffed the type and counted the pages; the page limit is checked here,
        with the pages already sent, under the lock.
        """
        check_comment(comment)
        fingerprint = _fingerprint(
            b"\0".join([kind.value.encode(), name.encode(), (comment or "").encode(), content])
        )
        scope = f"upload/{number}/{kind.value}"
        with self._mutation() as changes:
            record = self._record(agency, number)
            replay = self._replay(agency, scope, idempotency_key, fingerprint)
            if replay is not None:
                for stored in record.files:
                    if stored.file_id == replay.file_id:
                        return self._file_model(stored), True
                raise _attachment_not_found(str(replay.file_id))
            ensure_allowed(Action.UPLOAD_ATTACHMENT, record.status)
            already = sum(f.pages for f in record.files if f.kind is kind)
            check_pages(kind, pages, pages_already_sent=already, name=name)
            stored = StoredFile(
                file_id=f"F{self._next_serial():06d}{self._rng.randrange(16**6):06x}",
                kind=kind,
                name=name,
                pages=pages,
                size=len(content),
                media_type=media_type,
                content=content,
                comment=comment,
            )
            record.files.append(stored)
            record.modified = self.clock.now()
            self._row(record, changes)
            self._remember(
                agency,
                scope,
                idempotency_key,
                IdempotencyEntry(fingerprint=fingerprint, number=number, file_id=stored.file_id),
                changes,
            )
            return self._file_model(stored), False

    def _stored(self, record: RequestRecord, kind: DocumentKind, file_id: str) -> StoredFile:
        for stored in record.files:
            if stored.file_id == file_id and stored.kind is kind:
                return stored
        raise _attachment_not_found(file_id)

    def attachment(
        self, agency: Agency, number: str, kind: DocumentKind, file_id: str
    ) -> StoredFile:
        """A sent file, with its bytes."""
        with self._read():
            record = self._record(agency, number)
            ensure_allowed(Action.VIEW_ATTACHMENTS, record.status)
            return self._stored(record, kind, file_id)

    def delete_attachment(
        self, agency: Agency, number: str, kind: DocumentKind, file_id: str
    ) -> None:
        """Delete a sent file (draft only)."""
        with self._mutation() as changes:
            record = self._record(agency, number)
            stored = self._stored(record, kind, file_id)
            ensure_allowed(Action.DELETE_ATTACHMENT, record.status)
            record.files.remove(stored)
            record.modified = self.clock.now()
            self._row(record, changes)

    # -- ePhoto -----------------------------------------------------------------------------

    def set_ephoto(self, agency: Agency, number: str, cerfa: Cerfa, code: str) -> str:
        """Set the ePhoto code of a draft for ``cerfa``; a code serves one request only."""
        with self._mutation() as changes:
            record = self._record(agency, number)
            ensure_allowed(Action.SET_EPHOTO, record.status)
            model = self._model(record)
            invalid = [
                p
                for p in validate(attrs.evolve(model, ephoto_code=code))
                if p.code == "ephoto.invalid"
            ]
            if invalid or not code.strip():
                message_fr = (
                    invalid[0].message_fr if invalid else "Le code ePhoto doit être renseigné."
                )
                raise SandboxError(
                    f"{code!r} is not an ePhoto code",
                    code="ephoto.invalid",
                    message_fr=message_fr,
                    field="code",
                    status=422,
                )
            normalised = self._check_ephoto_code(code, number=number)
            assert normalised is not None
            previous = record.ephoto.get(cerfa.value)
            if previous is not None and previous != normalised:
                self._ephoto_codes.pop(previous, None)
            record.ephoto[cerfa.value] = normalised
            self._ephoto_codes[normalised] = number
            record.modified = self.clock.now()
            self._row(record, changes)
            return normalised

    def ephoto(self, agency: Agency, number: str) -> EPhoto:
        """The photo and signature of the request's ePhoto code (its own cerfa's first)."""
        with self._read():
            record = self._record(agency, number)
            ensure_allowed(Action.VIEW_EPHOTO, record.status)
            for cerfa in (record.cerfa, *Cerfa):
                code = record.ephoto.get(cerfa.value)
                if code is not None:
                    return EPhoto(
                        code=code,
                        cerfa=cerfa,
                        photo=assets.PHOTO_JPEG,
                        signature=assets.signature_png(code),
                    )
            raise SandboxError(
                f"request {number} has no ePhoto code",
                code="ephoto_not_found",
                message_fr="Aucun code ePhoto n'est associé à cette demande.",
                status=404,
            )

    def delete_ephoto(self, agency: Agency, number: str, cerfa: Cerfa) -> None:
        """Delete the ePhoto code for ``cerfa`` (draft only); the code is free again."""
        with self._mutation() as changes:
            record = self._record(agency, number)
            ensure_allowed(Action.DELETE_EPHOTO, record.status)
            code = record.ephoto.pop(cerfa.value, None)
            if code is None:
                raise SandboxError(
                    f"request {number} has no ePhoto code for Cerfa {cerfa.value}",
                    code="ephoto_not_found",
                    message_fr=f"Aucun code ePhoto Cerfa {cerfa.value} n'est associé à cette "
                    "demande.",
                    status=404,
                )
            self._ephoto_codes.pop(code, None)
            record.modified = self.clock.now()
            self._row(record, changes)

    def deposit_form(self, agency: Agency, number: str) -> bytes:
        """Formulaire de dépôt de photo-signature (Cerfa 02 drafts only), as a PDF."""
        with self._read():
            record = self._record(agency, number)
            check(Action.DEPOSIT_FORM, record.status, cerfa=record.cerfa)
            return assets.pdf(
                "Formulaire de dépôt de photo-signature",
                [f"Demande n° {record.number}", f"Élève : {record.applicant_name or ''}"],
            )

    # -- prefecture documents ---------------------------------------------------------------

    def _available_documents(self, record: RequestRecord) -> set[PrefectureDocumentKind]:
        if record.student_id is None:
            return set()
        k = PrefectureDocumentKind
        status = record.status
        model = self._model(record)
        kinds: set[PrefectureDocumentKind] = set()
        if record.cerfa is Cerfa.C02 and "02" not in record.ephoto:
            kinds.add(k.PHOTO_SIGNATURE_FORM)
        if status is not RequestStatus.DRAFT:
            kinds.add(k.REQUEST_RECEIPT)
        if DocumentKind.MEDICAL_OPINION in required_kinds(model, on=self.clock.now().date()):
            kinds.add(k.MEDICAL_OPINION)
        if status in {RequestStatus.READY_FOR_CERFA06, RequestStatus.ACCEPTED}:
            kinds |= {k.REGISTRATION_DEPOSIT_CERTIFICATE, k.REGISTRATION_FACSIMILE}
        if status is RequestStatus.ACCEPTED:
            kinds.add(k.DRIVING_RIGHTS_CERTIFICATE)
        if isinstance(model, Cerfa02) and model.after_cancellation:
            kinds |= {k.CANCELLATION_STATEMENT, k.INVALIDATION_STATEMENT}
        return kinds

    def documents(self, agency: Agency, number: str) -> list[PrefectureDocument]:
        """The prefecture documents of a linked request (none for an unlinked one)."""
        with self._read():
            record = self._record(agency, number)
            ensure_allowed(Action.DOWNLOAD_DOCUMENTS, record.status)
            if record.student_id is None:
                return []
            available = self._available_documents(record)
            return [
                PrefectureDocument(kind=kind, label=kind.label, available=kind in available)
                for kind in PrefectureDocumentKind
            ]

    def document(
        self, agency: Agency, number: str, kind: PrefectureDocumentKind
    ) -> tuple[str, bytes]:
        """A prefecture document as ``(filename, PDF bytes)``."""
        with self._read():
            record = self._record(agency, number)
            ensure_allowed(Action.DOWNLOAD_DOCUMENTS, record.status)
            if kind not in self._available_documents(record):
                raise SandboxError(
                    f"document {kind.value!r} is not available for request {number}",
                    code="document_not_found",
                    message_fr=f"Le document « {kind.label} » n'est pas disponible pour cette "
                    "demande.",
                    status=404,
                )
            lines = [
                f"Demande n° {record.number}",
                f"Élève : {record.applicant_name or ''}",
                f"Statut : {record.status.label}",
            ]
            if record.neph:
                lines.append(f"N° NEPH : {record.neph}")
            return f"{kind.value}-{record.number}.pdf", assets.pdf(kind.label, lines)

    # -- the other side: the student and the prefecture -------------------------------------

    def _other_side(self, number: str, change: Callable[[RequestRecord], None]) -> OnlineRequest:
        with self._mutation() as changes:
            record = self._live_record(number)
            change(record)
            self._row(record, changes)
            return self._online(record)

    def applicant_validates(self, number: str) -> OnlineRequest:
        """The student confirms within 7 days (after that, the request is a draft again)."""

        def change(record: RequestRecord) -> None:
            self._set_status(record, next_status(Action.APPLICANT_VALIDATES, record.status))

        return self._other_side(number, change)

    def prefecture_takes_up(self, number: str) -> OnlineRequest:
        """The prefecture takes up a request whose documents were checked."""

        def change(record: RequestRecord) -> None:
            self._set_status(record, next_status(Action.PREFECTURE_TAKES_UP, record.status))

        return self._other_side(number, change)

    def prefecture_decides(self, number: str, decision: PrefectureDecision | str) -> OnlineRequest:
        """Accept, reject or ask to complete; an accepted Cerfa 02 gets its NEPH."""
        decision = PrefectureDecision(decision)
        action = {
            PrefectureDecision.ACCEPT: Action.PREFECTURE_ACCEPTS,
            PrefectureDecision.REJECT: Action.PREFECTURE_REJECTS,
            PrefectureDecision.ASK_COMPLETION: Action.PREFECTURE_ASKS_COMPLETION,
        }[decision]

        def change(record: RequestRecord) -> None:
            self._set_status(record, next_status(action, record.status, cerfa=record.cerfa))
            if decision is PrefectureDecision.ACCEPT and record.neph is None:
                record.neph = self._neph()

        return self._other_side(number, change)

    def register_direct(
        self,
        *,
        agreement: str | None = None,
        application: Application | None = None,
        status: RequestStatus = RequestStatus.UNDER_REVIEW,
    ) -> OnlineRequest:
        """A request the student registered directly on ANTS: long number, unlinked."""
        with self._mutation() as changes:
            agency = self.agencies[agreement or DEFAULT_AGENCY.agreement]
            now = self.clock.now()
            if application is None:
                data = make_application(self._rng, self._next_serial(), today=now.date())
                cerfa = Cerfa.C02
            else:
                data = dict(to_data(application))
                cerfa = application.cerfa
            record = RequestRecord(
                number=self._direct_number(),
                agreement=agency.agreement,
                cerfa=cerfa,
                status=status,
                created=now,
                modified=now,
                application=data,
                neph=data.get("neph"),
                validated_at=now if status is not RequestStatus.DRAFT else None,
            )
            record.application["student_id"] = None
            self._index(record)
            self._row(record, changes)
            return self._online(record)

    # -- bulk and inspection ----------------------------------------------------------------

    def seed_requests(
        self,
        count: int,
        *,
        agreement: str | None = None,
        statuses: Iterable[RequestStatus] | None = None,
    ) -> list[str]:
        """Add ``count`` requests to an agency, in a cycle of statuses; their numbers."""
        cycle = list(
            statuses
            or (
                RequestStatus.DRAFT,
                RequestStatus.UNDER_REVIEW,
                RequestStatus.IN_PROGRESS,
                RequestStatus.READY_FOR_CERFA06,
                RequestStatus.TO_COMPLETE,
                RequestStatus.REJECTED,
            )
        )
        with self._mutation() as changes:
            agency = self.agencies[agreement or DEFAULT_AGENCY.agreement]
            now = self.clock.now()
            numbers: list[str] = []
            for i in range(count):
                status = cycle[i % len(cycle)]
                created = now - dt.timedelta(minutes=self._rng.randrange(60 * 24 * 365))
                serial = self._next_serial()
                neph = self._neph() if status is RequestStatus.READY_FOR_CERFA06 else None
                record = RequestRecord(
                    number=self._new_number(),
                    agreement=agency.agreement,
                    cerfa=Cerfa.C02,
                    status=status,
                    created=created,
                    modified=min(created + dt.timedelta(minutes=self._rng.randrange(60 * 24)), now),
                    application=self._seed_application(serial, now.date()),
                    neph=neph,
                    student_id=f"S{serial:06d}",
                )
                if status is RequestStatus.AWAITING_APPLICANT_VALIDATION:
                    record.validated_at = record.modified = now
                self._index(record)
                self._row(record, changes)
                numbers.append(record.number)
            return numbers

    def _seed_application(self, serial: int, today: dt.date) -> dict[str, Any]:
        """Sample data, fast: a few templates, each student with their own email."""
        slot = serial % 61
        template = self._templates.get(slot)
        if template is None:
            template = make_application(self._rng, slot, today=today)
            self._templates[slot] = template
        applicant = dict(template["applicant"])
        local = str(applicant["email"]).partition("@")[0].rsplit(".", 1)[0]
        applicant["email"] = f"{local}.{serial}@seed.example.fr"
        return {**template, "applicant": applicant}

    def requests(self, agreement: str | None = None) -> list[OnlineRequest]:
        """Every request the server holds (one agency's, or all), by agency then number."""
        with self._read():
            agreements = [agreement] if agreement is not None else sorted(self._requests)
            return [
                self._online(record)
                for a in agreements
                for _, record in sorted(self._requests.get(a, {}).items())
            ]

    def advance(self, delta: dt.timedelta) -> None:
        """Move the clock forward; the student's expired windows close at once."""
        with self._mutation() as changes:
            self.clock.advance(delta)
            self._sweep(changes)
            if self._persist:
                changes.append(("meta", "state", self._meta()))

    def close(self) -> None:
        """Release the store."""
        with self._lock:
            self._store.close()

    # -- sample data ------------------------------------------------------------------------

    def _seed_sample(self) -> None:
        self.add_agency(attrs.evolve(DEFAULT_AGENCY))
        self.add_agency(attrs.evolve(SECOND_AGENCY))
        main = DEFAULT_AGENCY.agreement
        self.seed_requests(1, agreement=main, statuses=[RequestStatus.DRAFT])
        self.seed_requests(
            1, agreement=main, statuses=[RequestStatus.AWAITING_APPLICANT_VALIDATION]
        )
        self.seed_requests(
            4,
            agreement=main,
            statuses=[
                RequestStatus.UNDER_REVIEW,
                RequestStatus.TO_COMPLETE,
                RequestStatus.READY_FOR_CERFA06,
                RequestStatus.REJECTED,
            ],
        )
        self.register_direct(agreement=main)
        self.seed_requests(
            2,
            agreement=SECOND_AGENCY.agreement,
            statuses=[RequestStatus.DRAFT, RequestStatus.IN_PROGRESS],
        )


def _request_not_found(number: str) -> RequestNotFound:
    return RequestNotFound(f"no request {number!r} for this agency", field="number")


def _attachment_not_found(file_id: str) -> SandboxError:
    return not_found(
        f"attachment {file_id!r}",
        "attachment_not_found",
        "Ce fichier n'existe pas pour cette pièce justificative.",
    )
