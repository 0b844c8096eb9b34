"""Le registre des demandes: every request the simulated ANTS holds, and what indexes them.

One lock guards it all. A change happens inside :meth:`Ledger.mutation`, which first closes
the student's expired windows, then collects the changed rows and writes them to the
journal (:mod:`antsclient.sandbox.journal`) in one transaction. The indexes answer what the
rules ask: the live record of a number, the live requests using an email (divergence), the
request holding an ePhoto code (a code serves once), the requests waiting for the student.
The ledger also draws the numbers: short ones for the agencies' requests, long ones for those
made directly on ANTS, NEPH numbers.
"""

from __future__ import annotations

import datetime as dt
import random
import threading
from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from typing import Any, Final

from antsclient.codec import from_data
from antsclient.errors import RequestNotFound
from antsclient.lifecycle import Action, next_status
from antsclient.models.enums import RequestStatus
from antsclient.models.request import APPLICANT_VALIDATION_WINDOW
from antsclient.sandbox.clock import Clock
from antsclient.sandbox.errors import SandboxError
from antsclient.sandbox.journal import Changes, Journal, MemoryJournal
from antsclient.sandbox.records import Agency, Person, RequestRecord, StatusChange
from antsclient.validation import normalise_ephoto_code, normalise_neph

__all__ = ["Ledger", "request_not_found"]

FIRST_NUMBER: Final = 3200
"""The agencies' requests are numbered from here on (3201, 3202, …)."""


class Ledger:
    """Every agency's requests, their indexes and their journal, behind one lock.

    ``seed`` makes the drawn numbers deterministic; ``journal`` persists every mutation
    (``None``: in memory only).
    """

    def __init__(self, *, seed: int, clock: Clock, journal: Journal | None = None) -> None:
        self.lock: threading.RLock = threading.RLock()
        self.seed = seed
        self.clock = clock
        self.journal: Journal = journal or MemoryJournal()
        self._keep = not isinstance(self.journal, MemoryJournal)
        self.rng: random.Random = random.Random(seed)  # noqa: S311 - reproducible sample data
        self._counter = FIRST_NUMBER
        self._serial = 0
        self._requests: dict[str, dict[str, RequestRecord]] = {}
        self._live: dict[str, str] = {}  # number -> agreement of the live record
        self._emails: dict[str, set[str]] = {}  # folded email -> live numbers
        self._people: dict[Person, set[str]] = {}  # person -> live numbers
        self._ephoto_codes: dict[str, str] = {}  # code -> number holding it
        self._awaiting: set[str] = set()  # numbers waiting for the student
        self._ordered: dict[str, list[RequestRecord]] = {}  # by (modified, number)
        # A search page's JSON of each request, by agency, then shape (items, rows), then number.
        self._encoded: dict[str, dict[bool, dict[str, bytes]]] = {}

    # -- transactions ---------------------------------------------------------------------

    @contextmanager
    def mutation(self) -> Iterator[Changes]:
        """Hold the lock, collect the changed rows, save them in one transaction."""
        with self.lock:
            changes = Changes(keep=self._keep)
            self.sweep(changes)
            yield changes
            if changes.rows:
                changes.put("meta", "state", self.meta())
                self.journal.save(changes.rows)

    def read(self) -> AbstractContextManager[Changes]:
        """A read: the same lock, and the window sweep it may cause is saved too."""
        return self.mutation()

    def meta(self) -> dict[str, Any]:
        """The ledger's own row: the numbering, the clock's offset, the seed."""
        return {
            "counter": self._counter,
            "serial": self._serial,
            "clock_offset": self.clock.offset.total_seconds(),
            "seed": self.seed,
        }

    def restore(self, tables: Mapping[str, Mapping[str, Any]]) -> None:
        """Take up the numbering, the clock and the requests of a journal's rows."""
        meta = dict(tables.get("meta", {}).get("state", {}))
        self._counter = int(meta.get("counter", FIRST_NUMBER))
        self._serial = int(meta.get("serial", 0))
        self.clock.offset = dt.timedelta(seconds=float(meta.get("clock_offset", 0.0)))
        self.rng = random.Random(f"{self.seed}-{self._counter}-{self._serial}")  # noqa: S311
        for data in tables.get("request", {}).values():
            self.add(from_data(data, RequestRecord))

    # -- records --------------------------------------------------------------------------

    def open(self, agreement: str) -> None:
        """Make room for an agency's requests."""
        self._requests.setdefault(agreement, {})

    def agreements(self) -> list[str]:
        """The agencies holding requests (or room for them), in order."""
        return sorted(self._requests)

    def held(self, agreement: str) -> Mapping[str, RequestRecord]:
        """An agency's records by number (its transferred copies included)."""
        return self._requests.get(agreement, {})

    def ordered(self, agreement: str) -> list[RequestRecord]:
        """An agency's records by (modified, number), kept until one of them changes."""
        ordered = self._ordered.get(agreement)
        if ordered is None:
            held = self.held(agreement).values()
            ordered = sorted(held, key=lambda r: (r.modified, r.number))
            self._ordered[agreement] = ordered
        return ordered

    def encoded(self, agreement: str, *, rows: bool = False) -> dict[str, bytes]:
        """The JSON of an agency's records as a search page writes them (as objects, or as
        rows when ``rows``), by number: filled by :func:`antsclient.sandbox.search.page_body`,
        kept until one of them changes."""
        return self._encoded.setdefault(agreement, {}).setdefault(rows, {})

    def record(self, agency: Agency, number: str) -> RequestRecord:
        """The agency's record of ``number`` (another agency's is not found)."""
        record = self._requests.get(agency.agreement, {}).get(number)
        if record is None:
            raise request_not_found(number)
        return record

    def live_record(self, number: str) -> RequestRecord:
        """The live record of ``number``, whichever agency holds it."""
        agreement = self._live.get(number)
        if agreement is None:
            raise request_not_found(number)
        return self._requests[agreement][number]

    def add(self, record: RequestRecord) -> None:
        """Hold a record and index it (a transferred copy is not live)."""
        self._requests.setdefault(record.agreement, {})[record.number] = record
        self._ordered.pop(record.agreement, None)
        self._encoded.pop(record.agreement, None)
        if not record.history:
            record.history.append(StatusChange(at=record.created, status=record.status))
        if record.copy:
            return
        self._live[record.number] = record.agreement
        if record.email:
            self._emails.setdefault(record.email.casefold(), set()).add(record.number)
        person = record.person
        if person is not None:
            self._people.setdefault(person, set()).add(record.number)
        for code in record.ephoto.values():
            self._ephoto_codes[code] = record.number
        if record.status is RequestStatus.AWAITING_APPLICANT_VALIDATION:
            self._awaiting.add(record.number)

    def remove(self, record: RequestRecord, changes: Changes) -> None:
        """Forget a record and free its number, email and ePhoto codes."""
        del self._requests[record.agreement][record.number]
        self._ordered.pop(record.agreement, None)
        self._encoded.pop(record.agreement, None)
        self._live.pop(record.number, None)
        self._awaiting.discard(record.number)
        if record.email:
            self._emails.get(record.email.casefold(), set()).discard(record.number)
        person = record.person
        if person is not None:
            self._people.get(person, set()).discard(record.number)
        for code in record.ephoto.values():
            self._ephoto_codes.pop(code, None)
        changes.drop("request", record.key)

    def row(self, record: RequestRecord, changes: Changes) -> None:
        """Note a changed record: to be saved, and the agency's order to be rebuilt."""
        self._ordered.pop(record.agreement, None)
        self._encoded.pop(record.agreement, None)
        changes.put("request", record.key, record)

    def set_status(
        self, record: RequestRecord, status: RequestStatus, *, note: str | None = None
    ) -> None:
        """Move a record to ``status`` now (its history keeps the step, with ``note``), and
        note whether it waits for the student."""
        record.status = status
        record.modified = self.clock.now()
        record.history.append(StatusChange(at=record.modified, status=status, note=note))
        if status is RequestStatus.AWAITING_APPLICANT_VALIDATION and not record.copy:
            self._awaiting.add(record.number)
        else:
            self._awaiting.discard(record.number)

    def sweep(self, changes: Changes) -> None:
        """The student's window: past 7 days unconfirmed, a request is a draft again."""
        if not self._awaiting:
            return
        now = self.clock.now()
        for number in list(self._awaiting):
            record = self.live_record(number)
            deadline = (record.validated_at or now) + APPLICANT_VALIDATION_WINDOW
            if now < deadline:
                continue
            record.status = next_status(Action.APPLICANT_WINDOW_EXPIRES, record.status)
            record.modified = deadline
            record.validated_at = None
            record.history.append(StatusChange(at=deadline, status=record.status))
            self._awaiting.discard(number)
            self.row(record, changes)

    # -- what the indexes answer ----------------------------------------------------------

    def using_email(self, email: str) -> list[RequestRecord]:
        """The live records whose student has ``email`` (case aside), by number."""
        numbers = sorted(self._emails.get(email.strip().casefold(), ()))
        return [self.live_record(number) for number in numbers]

    def holding_neph(self, neph: str) -> list[RequestRecord]:
        """The live records whose NEPH is ``neph`` (spaces aside), by number: how the sandbox
        knows a NEPH (an accepted inscription gave it, or a request carries it)."""
        wanted = normalise_neph(neph)
        found = []
        for number, agreement in sorted(self._live.items()):
            record = self._requests[agreement][number]
            if record.neph is not None and normalise_neph(record.neph) == wanted:
                found.append(record)
        return found

    def of_person(self, person: Person | None) -> list[RequestRecord]:
        """The live records of ``person`` (names, birth date and city), by number."""
        numbers = sorted(self._people.get(person, ())) if person is not None else []
        return [self.live_record(number) for number in numbers]

    def free_ephoto_code(self, code: str | None, *, number: str | None) -> str | None:
        """``code`` normalised, unless another request than ``number`` holds it (409)."""
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

    def hold_ephoto_code(self, code: str, number: str) -> None:
        """``number`` holds ``code`` from now on."""
        self._ephoto_codes[code] = number

    def release_ephoto_code(self, code: str) -> None:
        """``code`` is free again."""
        self._ephoto_codes.pop(code, None)

    # -- numbers --------------------------------------------------------------------------

    def next_serial(self) -> int:
        """A serial for sample students and file ids, never given twice."""
        self._serial += 1
        return self._serial

    def new_number(self) -> str:
        """The next short number of an agency's request."""
        self._counter += 1
        while str(self._counter) in self._live:
            self._counter += 1
        return str(self._counter)

    def direct_number(self) -> str:
        """A long number, as ANTS gives a request the student made directly (901…)."""
        stamp = self.clock.now().strftime("%Y%m%d%H%M%S")
        while True:
            number = f"901{stamp}{self.rng.randrange(10**6):06d}"
            if number not in self._live:
                return number

    def neph(self) -> str:
        """A NEPH number (12 digits)."""
        return str(self.rng.randrange(10**11, 10**12))


def request_not_found(number: str) -> RequestNotFound:
    """The 404 of a number the agency does not hold."""
    return RequestNotFound(f"no request {number!r} for this agency", field="number")
