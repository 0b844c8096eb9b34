"""Shared helpers of the session tests against the sandbox: sessions over every transport,
request counting, real files, a student directory and a student-document source."""

from __future__ import annotations

import contextlib
import datetime as dt
import inspect
import itertools
import json
import uuid
import zlib
from collections.abc import AsyncIterator, Iterator
from typing import Any

import attrs
import httpx

import antsclient as ants
from antsclient import sandbox
from antsclient.storage.protocols import Student, StudentDocument

MODES = ("asgi-async", "tcp-async", "tcp-sync")
"""In process (ASGI transport), and over loopback TCP with both sessions."""

FAST = ants.RetryPolicy.immediate(attempts=3)


async def aw(value: Any) -> Any:
    """The result of a session call, whether the session is blocking or async."""
    if inspect.isawaitable(value):
        return await value
    return value


# --- counting what reaches the server ---------------------------------------------------------


class RequestLog:
    """Every HTTP request a session sent, and the tokens the login answers carried."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str]] = []
        self.tokens: list[str] = []

    def __len__(self) -> int:
        return len(self.calls)

    def seen(self, method: str | None = None, suffix: str = "") -> list[tuple[str, str]]:
        return [
            c for c in self.calls if (method is None or c[0] == method) and c[1].endswith(suffix)
        ]

    def _record(self, request: httpx.Request) -> None:
        self.calls.append((request.method, request.url.path))

    def _token_of(self, request: httpx.Request, body: bytes) -> None:
        if request.url.path.endswith("/auth/token"):
            with contextlib.suppress(ValueError, KeyError, TypeError):
                self.tokens.append(json.loads(body)["access_token"])


def _replayed(response: httpx.Response, body: bytes, request: httpx.Request) -> httpx.Response:
    return httpx.Response(
        response.status_code,
        headers=response.headers,
        content=body,
        request=request,
        extensions=response.extensions,
    )


class CountingAsyncTransport(httpx.AsyncBaseTransport):
    """Counts every request before handing it to ``inner``."""

    def __init__(self, inner: httpx.AsyncBaseTransport, log: RequestLog) -> None:
        self.inner = inner
        self.log = log

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.log._record(request)
        response = await self.inner.handle_async_request(request)
        if request.url.path.endswith("/auth/token"):
            body = await response.aread()
            self.log._token_of(request, body)
            return _replayed(response, body, request)
        return response

    async def aclose(self) -> None:
        await self.inner.aclose()


class CountingTransport(httpx.BaseTransport):
    """Counts every request before handing it to ``inner`` (blocking)."""

    def __init__(self, inner: httpx.BaseTransport, log: RequestLog) -> None:
        self.inner = inner
        self.log = log

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.log._record(request)
        response = self.inner.handle_request(request)
        if request.url.path.endswith("/auth/token"):
            body = response.read()
            self.log._token_of(request, body)
            return _replayed(response, body, request)
        return response

    def close(self) -> None:
        self.inner.close()


# --- one sandbox, three ways to reach it --------------------------------------------------------


@attrs.define
class SandboxEnv:
    """A sandbox and a way to open sessions on it (``mode`` of :data:`MODES`)."""

    mode: str
    sandbox: sandbox.Sandbox
    url: str
    app: Any = None

    @property
    def sync(self) -> bool:
        return self.mode == "tcp-sync"

    @contextlib.asynccontextmanager
    async def session(
        self,
        credentials: ants.Credentials | None = None,
        *,
        log: RequestLog | None = None,
        retry: ants.RetryPolicy = FAST,
        timeout: httpx.Timeout | float = 5.0,
        **options: Any,
    ) -> AsyncIterator[Any]:
        """An AntsSession or AsyncAntsSession on the sandbox, counting into ``log``."""
        creds = credentials or self.sandbox.credentials
        log = log if log is not None else RequestLog()
        common: dict[str, Any] = {
            "base_url": self.url,
            "retry": retry,
            "timeout": timeout,
            **options,
        }
        if self.sync:
            transport = CountingTransport(httpx.HTTPTransport(), log)
            with ants.AntsSession(creds, transport=transport, **common) as s:
                yield s
            return
        inner: httpx.AsyncBaseTransport = (
            httpx.ASGITransport(app=self.app)
            if self.app is not None
            else httpx.AsyncHTTPTransport()
        )
        async with ants.AsyncAntsSession(
            creds, transport=CountingAsyncTransport(inner, log), **common
        ) as s:
            yield s


@contextlib.contextmanager
def sandbox_env(mode: str, *, seed: int = 0) -> Iterator[SandboxEnv]:
    """A fresh sandbox reached in ``mode``."""
    if mode == "asgi-async":
        app = sandbox.create_app(seed=seed)
        try:
            yield SandboxEnv(mode, app.sandbox, "http://sandbox.test", app)
        finally:
            app.sandbox.close()
        return
    with sandbox.serve(seed=seed) as handle:
        yield SandboxEnv(mode, handle, handle.url)


# --- data ----------------------------------------------------------------------------------------


_people = itertools.count()


def unique_email(prefix: str = "eleve") -> str:
    return f"{prefix}.{uuid.uuid4().hex[:12]}@example.org"


def ephoto_code() -> str:
    """A fresh, well-formed ePhoto code (22 letters and digits)."""
    return "EP" + uuid.uuid4().hex[:20].upper()


def cerfa02(
    email: str | None = None,
    *,
    city: str = "ST PRIEST",
    postal_code: str = "69800",
    **applicant: Any,
) -> ants.Cerfa02:
    """A Cerfa 02 for an adult living in Saint-Priest, written as a user types it.

    Each call is another person (another birth date), as ANTS tells people apart: a test
    files the same person twice only by saying so (``birth_date=``).
    """
    fields: dict[str, Any] = {
        "last_name": "MARTIN",
        "first_name": "Julie",
        "birth_date": dt.date(2001, 3, 14) + dt.timedelta(days=next(_people) % 1500),
        "birth_city": "PARIS",
        "birth_department": "75",
        "birth_country": "FRANCE",
        "address": ants.Address(
            street="27 rue Aristide Briand", postal_code=postal_code, city=city
        ),
        "email": email or unique_email(),
        "phone": "0612345678",
        **applicant,
    }
    return ants.Cerfa02(applicant=ants.Applicant(**fields), categories={ants.LicenceCategory.B})


def tiny_pdf(pages: int = 1, text: str = "Piece justificative") -> bytes:
    """A real PDF of ``pages`` pages (pypdf counts them), written by hand."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b""]
    kids = []
    for _ in range(pages):
        stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
        page_no = len(objects) + 1
        kids.append(f"{page_no} 0 R")
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents "
            + f"{page_no + 1} 0 R".encode()
            + b" >>"
        )
        objects.append(f"<< /Length {len(stream)} >>\nstream\n".encode() + stream + b"\nendstream")
    objects[1] = f"<< /Type /Pages /Kids [{' '.join(kids)}] /Count {pages} >>".encode()
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return bytes(out)


def tiny_png(width: int = 4, height: int = 4) -> bytes:
    """A real greyscale PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return len(data).to_bytes(4, "big") + kind + data + crc.to_bytes(4, "big")

    raw = b"".join(b"\x00" + bytes([0x80] * width) for _ in range(height))
    header = width.to_bytes(4, "big") + height.to_bytes(4, "big") + bytes([8, 0, 0, 0, 0])
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


# --- what the host plugs in ----------------------------------------------------------------------


class StudentFiles:
    """The host's store of students' documents: some on disk, some held as bytes."""

    def __init__(self, documents: dict[str, StudentDocument]) -> None:
        self.documents = documents
        self.asked: list[str] = []

    def get_document(self, document_id: str) -> StudentDocument:
        self.asked.append(document_id)
        return self.documents[document_id]


class Students:
    """A tiny student directory (fiches élèves) kept in a dict."""

    def __init__(self, *students: Student) -> None:
        self.students = {s.student_id: s for s in students}
        self.updates: list[tuple[str, ants.Application]] = []

    def search(self, prefix: str, *, limit: int = 20) -> list[Student]:
        p = prefix.casefold()
        found = [
            s
            for s in self.students.values()
            if s.last_name.casefold().startswith(p) or s.first_name.casefold().startswith(p)
        ]
        return found[:limit]

    def get(self, student_id: str) -> Student | None:
        return self.students.get(student_id)

    def update_from_ants(self, student_id: str, application: ants.Application) -> Student:
        self.updates.append((student_id, application))
        a = application.applicant
        student = Student(
            student_id=student_id,
            last_name=a.last_name,
            first_name=a.first_name,
            email=a.email,
            application=application,
        )
        self.students[student_id] = student
        return student
