"""Soak: every write's outcome under answers lost after the commit.

600 students are filed — each a create, two uploads (identity, proof of address) and a
validation: 600 creates, 1,200 uploads, 600 validations — once by ``AntsSession`` from 8
threads and once by ``AsyncAntsSession`` from 20 tasks, each against a fresh sandbox over
loopback TCP whose post-commit faults lose the answer of a share of the saved writes (a 5xx,
a reset, or a stall past the client's timeout).

The host code is what a careful host writes: it makes one idempotency key per application
and per document and passes it again when it calls a create or an upload again after an
error; after a validation's error it reads the request before validating again. At the end
the sandbox must hold exactly 600 requests and exactly 1,200 documents, every request
validated; every error that surfaced must be an ``AntsError``, and one that said the write
had not taken effect (``may_have_taken_effect=False``) must have left the server as it was
(compared with what it held just before the call). Figures printed, never timed asserts;
the last line is one JSON object.

    python benchmarks/bench_soak.py [--students 600] [--rate 0.1] [--only threads|tasks]
                                    [--pre-commit 0.2 --attempts 2]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import attrs
import httpx

import antsclient as ants
from antsclient.demo import sample_application, write_pdf
from antsclient.sandbox import SandboxHandle, serve

T = TypeVar("T")
K = ants.DocumentKind
S = ants.RequestStatus

POLICY = ants.RetryPolicy(initial_backoff=0.01, max_backoff=0.05)
"""The default policy (5 attempts, 300 s), with short waits so that the soak is quick."""
TIMEOUT = httpx.Timeout(1.0)
STALL_SECONDS = 1.5


def _pdf(pages: int) -> bytes:
    """A real PDF of ``pages`` pages (the demo's scanned document)."""
    with tempfile.TemporaryDirectory() as folder:
        return write_pdf(Path(folder) / "scan.pdf", pages).read_bytes()


IDENTITY = _pdf(2)
PROOF = _pdf(1)


def application(email: str) -> ants.Cerfa02:
    """The manual's student (the demo's), an adult past 25 (two documents required), with
    the email given."""
    sample = sample_application()
    applicant = attrs.evolve(
        sample.applicant,
        first_name="Claire",
        other_first_names="Anne",
        birth_date=dt.date(1995, 7, 5),
        email=email,
    )
    return attrs.evolve(sample, applicant=applicant)


class Witness:
    """What surfaced to the host, and whether each error told the truth about its effect."""

    def __init__(self, sb: SandboxHandle) -> None:
        self.sb = sb
        self.agency = sb.state.agencies[sb.credentials.agreement]
        self.lock = threading.Lock()
        self.errors: Counter[str] = Counter()
        self.untyped: list[str] = []
        self.untruthful: list[str] = []
        self.policy = POLICY

    def note(self, what: str, exc: BaseException, unchanged: Callable[[], bool]) -> None:
        """Count a surfaced error; a write said not done must have left the server as it was."""
        with self.lock:
            if not isinstance(exc, ants.AntsError):
                self.untyped.append(f"{what}: {exc!r}")
                return
            may = getattr(exc, "may_have_taken_effect", None)
            self.errors[f"{what}: {type(exc).__name__} (may_have_taken_effect={may})"] += 1
            if may is False and not unchanged():
                self.untruthful.append(f"{what}: {exc!r}")

    # what the server holds, read from its state directly (no faults, no HTTP)
    def numbers(self, email: str) -> list[str]:
        return [r.number for r in self.sb.state.requests() if r.email == email]

    def files(self, number: str, kind: ants.DocumentKind) -> int:
        slots = self.sb.state.slots(self.agency, number)
        return sum(len(s.files) for s in slots if s.kind is kind)

    def status(self, number: str) -> S:
        return self.sb.state.get(self.agency, number).status


# --- the blocking host: 8 threads --------------------------------------------------------------


def blocking_host(sb: SandboxHandle, emails: list[str], witness: Witness, workers: int) -> None:
    local = threading.local()
    opened: list[ants.AntsSession] = []

    def session() -> ants.AntsSession:
        if not hasattr(local, "s"):
            local.s = ants.AntsSession(
                sb.credentials, base_url=sb.url, retry=witness.policy, timeout=TIMEOUT
            )
            with witness.lock:
                opened.append(local.s)
        return local.s

    def until_done(
        what: str, act: Callable[[], T], done: Callable[[], T | None], state: Callable[[], object]
    ) -> T:
        for _ in range(20):
            before = state()
            try:
                return act()
            except Exception as exc:  # every surfaced error is judged
                witness.note(what, exc, lambda b=before: state() == b)
            try:
                found = done()
            except ants.AntsError as exc:
                witness.note(f"{what} (host check)", exc, lambda: True)
                continue
            if found is not None:
                return found
        raise AssertionError(f"{what}: ANTS never answered")

    def file_one(email: str) -> None:
        s = session()
        key = uuid.uuid4().hex  # the host's key for this application, kept across its retries
        request = until_done(
            "create", lambda: _create(s, email, key), _unsettled, lambda: witness.numbers(email)
        )
        n = request.number
        for kind, content in ((K.IDENTITY, IDENTITY), (K.PROOF_OF_ADDRESS, PROOF)):
            key = uuid.uuid4().hex  # one per document
            until_done(
                f"upload {kind.value}",
                lambda k=kind, c=content, i=key: s.attachments.upload(
                    n, k, c, filename=f"{k.value}.pdf", idempotency_key=i
                ),
                _unsettled,
                lambda k=kind: witness.files(n, k),
            )
        until_done(
            "validate",
            lambda: s.requests.validate(n),
            lambda: _validated(s.requests.refresh(n)),
            lambda: witness.status(n),
        )

    try:
        with ThreadPoolExecutor(workers) as pool:
            for future in [pool.submit(file_one, e) for e in emails]:
                future.result()
    finally:
        for s in opened:
            s.close()


def _create(s: ants.AntsSession, email: str, key: str) -> ants.OnlineRequest:
    try:
        return s.requests.create(application(email), idempotency_key=key)
    except ants.DivergenceError as exc:  # an earlier call did file it: take it up
        if exc.existing_number is None:
            raise
        return s.requests.get(exc.existing_number)


def _unsettled() -> None:
    """A create or an upload is settled by calling it again under the host's key."""


def _validated(request: ants.OnlineRequest) -> ants.OnlineRequest | None:
    return request if request.status is S.AWAITING_APPLICANT_VALIDATION else None


# --- the async host: 20 tasks on one session ---------------------------------------------------


async def async_host(sb: SandboxHandle, emails: list[str], witness: Witness, tasks: int) -> None:
    async with ants.AsyncAntsSession(
        sb.credentials, base_url=sb.url, retry=witness.policy, timeout=TIMEOUT
    ) as s:

        async def until_done(
            what: str,
            act: Callable[[], Awaitable[T]],
            done: Callable[[], Awaitable[T | None]],
            state: Callable[[], object],
        ) -> T:
            for _ in range(20):
                before = state()
                try:
                    return await act()
                except Exception as exc:  # every surfaced error is judged
                    witness.note(what, exc, lambda b=before: state() == b)
                try:
                    found = await done()
                except ants.AntsError as exc:
                    witness.note(f"{what} (host check)", exc, lambda: True)
                    continue
                if found is not None:
                    return found
            raise AssertionError(f"{what}: ANTS never answered")

        async def create(email: str, key: str) -> ants.OnlineRequest:
            try:
                return await s.requests.create(application(email), idempotency_key=key)
            except ants.DivergenceError as exc:
                if exc.existing_number is None:
                    raise
                return await s.requests.get(exc.existing_number)

        async def unsettled() -> None:
            return _unsettled()

        async def file_one(email: str) -> None:
            key = uuid.uuid4().hex
            request = await until_done(
                "create", lambda: create(email, key), unsettled, lambda: witness.numbers(email)
            )
            n = request.number
            for kind, content in ((K.IDENTITY, IDENTITY), (K.PROOF_OF_ADDRESS, PROOF)):
                key = uuid.uuid4().hex
                await until_done(
                    f"upload {kind.value}",
                    lambda k=kind, c=content, i=key: s.attachments.upload(
                        n, k, c, filename=f"{k.value}.pdf", idempotency_key=i
                    ),
                    unsettled,
                    lambda k=kind: witness.files(n, k),
                )

            async def validated() -> ants.OnlineRequest | None:
                return _validated(await s.requests.refresh(n))

            await until_done(
                "validate", lambda: s.requests.validate(n), validated, lambda: witness.status(n)
            )

        queue: asyncio.Queue[str] = asyncio.Queue()
        for email in emails:
            queue.put_nowait(email)

        async def worker() -> None:
            while not queue.empty():
                await file_one(queue.get_nowait())

        await asyncio.gather(*(worker() for _ in range(tasks)))


# --- one run -------------------------------------------------------------------------------------


def run(
    kind: str, students: int, rate: float, seed: int, *, pre_commit: float = 0.0, attempts: int = 5
) -> dict[str, Any]:
    """One soak against a fresh sandbox; its figures. ``pre_commit`` adds the faults that
    keep a call from the domain (5xx, dropped connections, hangs, in equal parts) and a
    smaller ``attempts`` lets failures surface, to judge what the errors say."""
    emails = [f"soak.{kind}.{i:04d}@example.org" for i in range(students)]
    with serve(seed=seed) as sb:
        witness = Witness(sb)
        already = len(sb.state.requests(sb.credentials.agreement))
        witness.policy = attrs.evolve(POLICY, attempts=attempts)
        sb.set_post_commit_faults(rate, stall_seconds=STALL_SECONDS, seed=seed)
        third = pre_commit / 3
        sb.set_faults(error_rate=third, drop_rate=third, hang_rate=third, hang_seconds=1.5)
        sb.reset_received()
        started, cpu = time.perf_counter(), time.process_time()
        if kind == "threads":
            blocking_host(sb, emails, witness, workers=8)
        else:
            asyncio.run(async_host(sb, emails, witness, tasks=20))
        wall, cpu = time.perf_counter() - started, time.process_time() - cpu
        sb.set_post_commit_faults()
        sb.set_faults()
        received, lost = sb.received(), sb.lost_answers()
        held = sb.state.requests(sb.credentials.agreement)
        mine = [r for r in held if r.email in set(emails)]
        documents = sum(
            len(slot.files) for r in mine for slot in sb.state.slots(witness.agency, r.number)
        )
        statuses = Counter(r.status.value for r in mine)
    figures = {
        "host": "AntsSession, 8 threads" if kind == "threads" else "AsyncAntsSession, 20 tasks",
        "students": students,
        "post_commit_rate": rate,
        "pre_commit_rate": pre_commit,
        "attempts": attempts,
        "requests_added": len(held) - already,
        "requests_of_the_students": len(mine),
        "distinct_emails": len({r.email for r in mine}),
        "documents": documents,
        "statuses": dict(statuses),
        "answers_lost": dict(lost),
        "answers_lost_total": sum(lost.values()),
        "calls_received": dict(received),
        "surfaced_errors": dict(witness.errors),
        "untyped_errors": witness.untyped,
        "untruthful_errors": witness.untruthful,
        "wall_s": round(wall, 2),
        "client_and_server_cpu_s": round(cpu, 2),
    }
    figures["ok"] = (
        figures["requests_added"] == students
        and figures["requests_of_the_students"] == students
        and figures["distinct_emails"] == students
        and documents == 2 * students
        and statuses == Counter({S.AWAITING_APPLICANT_VALIDATION.value: students})
        and not witness.untyped
        and not witness.untruthful
    )
    return figures


def report(figures: dict[str, Any]) -> None:
    print(
        f"\n== {figures['host']}: {figures['students']} students, "
        f"answers of saved writes lost at {figures['post_commit_rate']:.0%}, calls faulted "
        f"before the commit at {figures['pre_commit_rate']:.0%}, {figures['attempts']} attempts"
    )
    print(f"  requests added     {figures['requests_added']:>6}  (expected {figures['students']})")
    print(f"  documents          {figures['documents']:>6}  (expected {2 * figures['students']})")
    print(f"  statuses           {figures['statuses']}")
    print(f"  answers lost       {figures['answers_lost_total']:>6}  {figures['answers_lost']}")
    writes = ("create_request", "upload_attachment", "validate_request")
    reads = sorted(set(figures["calls_received"]) - set(writes))
    print(
        "  calls received     "
        + ", ".join(f"{op} {figures['calls_received'].get(op, 0)}" for op in (*writes, *reads))
    )
    print(
        f"  surfaced errors    {sum(figures['surfaced_errors'].values()):>6}  "
        f"{figures['surfaced_errors'] or ''}"
    )
    print(
        f"  untyped / untruthful  {len(figures['untyped_errors'])} / "
        f"{len(figures['untruthful_errors'])}"
    )
    print(
        f"  wall {figures['wall_s']} s, process CPU {figures['client_and_server_cpu_s']} s  "
        f"-> {'OK' if figures['ok'] else 'FAILED'}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=600)
    parser.add_argument("--rate", type=float, default=0.1, help="share of saved writes lost")
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--only", choices=("threads", "tasks"))
    parser.add_argument("--pre-commit", type=float, default=0.0, help="share of calls faulted")
    parser.add_argument("--attempts", type=int, default=5, help="the retry policy's attempts")
    args = parser.parse_args(argv)
    results = []
    for kind in ("threads", "tasks"):
        if args.only in (None, kind):
            figures = run(
                kind,
                args.students,
                args.rate,
                args.seed,
                pre_commit=args.pre_commit,
                attempts=args.attempts,
            )
            report(figures)
            results.append(figures)
    print(json.dumps({"bench": "soak", "runs": results}, ensure_ascii=False))
    return 0 if all(r["ok"] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
