"""A failing ANTS over real sockets: 5xx, hangs past the client's timeout, dropped connections
and creates that commit then stall. With the default retries, 200 students are filed exactly
once each, with every document and every validation, and anything that surfaces is typed.
Both shells: the blocking sessions in 12 threads, or the async ones sharing one event loop."""

from __future__ import annotations

import contextlib
import io
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

import httpx
from sandbox_fixtures import (
    CountingAsyncTransport,
    CountingTransport,
    RequestLog,
    cerfa02,
    tiny_pdf,
    tiny_png,
)
from shells import Shell

import antsclient as ants
from antsclient import sandbox

STUDENTS = 200
WORKERS = 12
TRIES = 20
"""Calls of one step before the test gives up (a slow machine needs more than a quick one)."""
K = ants.DocumentKind
S = ants.RequestStatus
T = TypeVar("T")


def test_two_hundred_students_filed_exactly_once_under_faults(shell: Shell, tmp_path: Path) -> None:
    identity = tmp_path / "cni.pdf"
    identity.write_bytes(tiny_pdf(2, "CNI"))
    proof = tiny_png()
    emails = [f"eleve.{i:03d}@faults.example.org" for i in range(STUDENTS)]
    surfaced: list[BaseException] = []
    numbers: dict[str, str] = {}
    lock = threading.Lock()
    log = RequestLog()
    # the default policy (5 attempts, 300 s deadline), with a tiny backoff so the test is fast
    policy = ants.RetryPolicy(initial_backoff=0.01, max_backoff=0.05)
    timeout = httpx.Timeout(0.4)

    with sandbox.serve(seed=7) as sb:
        agreement = sb.credentials.agreement
        already = len(sb.requests(agreement))
        sb.set_faults(
            error_rate=0.10,
            hang_rate=0.05,
            drop_rate=0.02,
            seed=2024,
            hang_seconds=0.8,
            stall_creates=True,
            stall_seconds=0.8,
        )
        local = threading.local()
        sessions = contextlib.ExitStack()

        def session() -> ants.AntsSession:
            if not hasattr(local, "session"):
                transport = (
                    CountingAsyncTransport(httpx.AsyncHTTPTransport(), log)
                    if shell.is_async
                    else CountingTransport(httpx.HTTPTransport(), log)
                )
                opened = shell.open(
                    sb.credentials,
                    base_url=sb.url,
                    retry=policy,
                    timeout=timeout,
                    transport=transport,
                )
                with lock:
                    local.session = sessions.enter_context(opened)
            return local.session

        def note(exc: BaseException) -> None:
            with lock:
                surfaced.append(exc)

        def until_done(action: Callable[[], T], check: Callable[[], object] | None = None) -> T:
            """Do ``action``; after a surfaced failure, ``check`` whether it happened first."""
            for _ in range(TRIES):
                try:
                    return action()
                except ants.AntsUnavailable as exc:
                    note(exc)
                if check is not None:
                    try:
                        done = check()
                    except ants.AntsError as exc:
                        note(exc)
                        continue
                    if done is not None:
                        return done  # type: ignore[return-value]
            raise AssertionError("ANTS never answered")

        def file_one(email: str) -> None:
            s = session()

            def create() -> ants.OnlineRequest:
                try:
                    return s.requests.create(cerfa02(email))
                except ants.DivergenceError as exc:  # an earlier try did file it
                    note(exc)
                    existing = exc.existing_number
                if existing is None:
                    raise AssertionError("a divergence names the existing request")
                return s.requests.get(existing)

            request = until_done(create)
            with lock:
                numbers[email] = request.number

            def has(kind: ants.DocumentKind) -> bool | None:
                slots = s.attachments.slots(request.number)
                return next(sl.sent for sl in slots if sl.kind is kind) or None

            # Each upload has the host's own key for all its calls, as a host that must not
            # send a file twice keeps one: a call made again after AntsUnavailable gets the
            # first call's file, even if that call is still under way on ANTS.
            until_done(
                lambda: s.attachments.upload(
                    request.number, K.IDENTITY, identity, idempotency_key=f"{email}/identity"
                ),
                check=lambda: has(K.IDENTITY),
            )
            until_done(
                lambda: s.attachments.upload(
                    request.number,
                    K.PROOF_OF_ADDRESS,
                    io.BytesIO(proof),
                    comment="facture",
                    idempotency_key=f"{email}/proof",
                ),
                check=lambda: has(K.PROOF_OF_ADDRESS),
            )

            def validated() -> bool | None:
                current = s.requests.refresh(request.number)
                return current.status is S.AWAITING_APPLICANT_VALIDATION or None

            until_done(lambda: s.requests.validate(request.number), check=validated)

        try:
            with ThreadPoolExecutor(WORKERS) as pool:
                for future in [pool.submit(file_one, email) for email in emails]:
                    exc = future.exception()
                    if exc is not None:
                        note(exc)
        finally:
            sessions.close()
            sb.set_faults()

        held = sb.requests(agreement)
        mine = [r for r in held if r.email in set(emails)]
        assert len(held) == already + STUDENTS, "exactly 200 requests more on the server"
        assert len(mine) == STUDENTS
        assert sorted(r.email for r in mine) == sorted(emails), "one request per student"
        assert {r.number for r in mine} == set(numbers.values())
        assert {r.status for r in mine} == {S.AWAITING_APPLICANT_VALIDATION}

        with ants.AntsSession(sb.credentials, base_url=sb.url) as check:
            for request in mine:
                slots = {sl.kind: sl for sl in check.attachments.slots(request.number)}
                assert len(slots[K.IDENTITY].files) == 1, request.number
                assert slots[K.IDENTITY].pages == 2
                assert len(slots[K.PROOF_OF_ADDRESS].files) == 1, request.number
                assert slots[K.PROOF_OF_ADDRESS].comment == "facture"

    # every failure that reached the caller was a typed antsclient error
    assert all(isinstance(e, ants.AntsError) for e in surfaced), [
        repr(e) for e in surfaced if not isinstance(e, ants.AntsError)
    ]
    assert len(log) > STUDENTS * 4, "the faulted run went through the counting transport"
    hung = sum(1 for e in surfaced if isinstance(e, ants.AntsUnavailable))
    assert hung <= STUDENTS // 4, f"the retries absorb most faults ({hung} surfaced)"
