"""Les clés d'idempotence: what each ``Idempotency-Key`` already produced, per agency.

Any write sent again with the same key and the same body is answered with its first result
(``Idempotent-Replayed: true``, 200 where the first answer was a 201); the same key with
another body is a 409 ``idempotency_key_reused``. Two layers keep the keys:

* :class:`IdempotencyKeys`, inside the domain, for a create and an upload: the key is kept in
  the same transaction as the request or the file (and in the journal), so a replay holds
  even across a restart;
* :class:`WriteKeys`, an ASGI middleware in front of the API, for every other write —
  validate, delete, transfer, complement, link, the ePhoto code, a document's deletion: the
  first successful answer of a key is kept (in memory, the most recent
  :data:`WRITE_KEYS_KEPT`) and a resend gets it back without the write being done again. A
  resend that arrives while the first try is still being carried out waits for it.
"""

from __future__ import annotations

import asyncio
import collections
import hashlib
import json
import threading
import time
from collections.abc import Mapping
from typing import Any, Final

import attrs

from antsclient.codec import from_data
from antsclient.errors import AntsError
from antsclient.sandbox.errors import SandboxError, error_body
from antsclient.sandbox.journal import Changes
from antsclient.sandbox.records import Agency, IdempotencyEntry

__all__ = ["WRITE_KEYS_KEPT", "IdempotencyKeys", "WriteKeys", "fingerprint"]

WRITE_KEYS_KEPT: Final = 100_000
"""How many answers of keyed writes :class:`WriteKeys` keeps (the oldest go first)."""

_BODY_LIMIT: Final = 1024 * 1024
"""A keyed write's body is read whole to fingerprint it, up to this size (beyond, the write
goes through unkeyed: only uploads are larger, and the domain keys those)."""

_WAIT_SECONDS: Final = 30.0
"""How long a resend waits for the first try of its key to finish, before a 409."""


def fingerprint(data: bytes) -> str:
    """The fingerprint of a body, to tell a replay from another call with the same key."""
    return hashlib.sha256(data).hexdigest()


class IdempotencyKeys:
    """The keys already used, by agency and scope (``create``, ``upload/<number>/<kind>``).

    The caller holds the ledger's lock.
    """

    def __init__(self) -> None:
        self._entries: dict[str, IdempotencyEntry] = {}

    def restore(self, tables: Mapping[str, Mapping[str, Any]]) -> None:
        """Take up the keys of a journal's rows."""
        for key, data in tables.get("idempotency", {}).items():
            self._entries[key] = from_data(data, IdempotencyEntry)

    def replay(
        self, agency: Agency, scope: str, key: str | None, fingerprint: str
    ) -> IdempotencyEntry | None:
        """What ``key`` produced before, if it was used (with the same body, else a 409)."""
        if not key:
            return None
        entry = self._entries.get(f"{agency.agreement}|{scope}|{key}")
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

    def remember(
        self,
        agency: Agency,
        scope: str,
        key: str | None,
        entry: IdempotencyEntry,
        changes: Changes,
    ) -> None:
        """Keep what ``key`` produced (nothing without a key)."""
        if not key:
            return
        full = f"{agency.agreement}|{scope}|{key}"
        self._entries[full] = entry
        changes.put("idempotency", full, entry)


@attrs.define
class _Answer:
    """What a keyed write answered (``None`` while its first try is being carried out)."""

    fingerprint: str
    status: int | None = None
    headers: list[tuple[bytes, bytes]] = attrs.field(factory=list)
    body: bytes = b""


class WriteKeys:
    """Replays of keyed writes, in front of the API (see the module's docstring).

    A write is keyed when it carries an ``Idempotency-Key``, a valid bearer token (the key
    is the agency's) and a body that is not multipart (an upload: the domain keys it).
    """

    def __init__(self, app: Any, state: Any, *, kept: int = WRITE_KEYS_KEPT) -> None:
        self.app = app
        self.state = state
        self.kept = kept
        self._lock = threading.Lock()
        self._answers: collections.OrderedDict[str, _Answer] = collections.OrderedDict()

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        scope_key = self._scope_key(scope)
        if scope_key is None:
            await self.app(scope, receive, send)
            return
        body, more = await _read_body(receive)
        if more:  # too large to fingerprint: not keyed
            await self.app(scope, _replaying(body, receive, more=True), send)
            return
        digest = fingerprint(b"\0".join([scope["method"].encode(), scope["path"].encode(), body]))
        answer = await self._claim(scope_key, digest)
        if answer is not None:
            await _send_answer(send, answer)
            return
        await self._carry_out(scope, scope_key, digest, _replaying(body, receive), send)

    def _scope_key(self, scope: Any) -> str | None:
        """``agreement|key`` of a keyed write, else ``None``."""
        if scope["type"] != "http" or scope["method"] not in {"POST", "PUT", "DELETE", "PATCH"}:
            return None
        headers = {name.lower(): value for name, value in scope.get("headers", ())}
        key = headers.get(b"idempotency-key", b"").decode("latin-1").strip()
        if not key or b"multipart/" in headers.get(b"content-type", b""):
            return None
        scheme, _, token = headers.get(b"authorization", b"").decode("latin-1").partition(" ")
        if scheme.lower() != "bearer":
            return None
        try:
            agency = self.state.authenticate(token.strip())
        except AntsError:
            return None  # the API answers the 401
        return f"{agency.agreement}|{key}"

    async def _claim(self, scope_key: str, digest: str) -> _Answer | None:
        """The answer to replay for ``scope_key``, or ``None`` once this call holds the key
        (a 409 :class:`SandboxError` for another body, or a first try still running)."""
        waited = time.monotonic() + _WAIT_SECONDS
        while True:
            with self._lock:
                answer = self._answers.get(scope_key)
                if answer is None:
                    self._answers[scope_key] = _Answer(fingerprint=digest)
                    return None
                if answer.fingerprint != digest:
                    return _refusal(_reused(scope_key))
                if answer.status is not None:
                    return answer
            if time.monotonic() > waited:
                return _refusal(_in_use(scope_key))
            await asyncio.sleep(0.005)

    async def _carry_out(
        self, scope: Any, scope_key: str, digest: str, receive: Any, send: Any
    ) -> None:
        """Run the write, keep its answer if it succeeded; forward the answer as it comes."""
        answer = _Answer(fingerprint=digest)
        parts: list[bytes] = []

        async def keep(message: Any) -> None:
            if message["type"] == "http.response.start":
                answer.status = int(message["status"])
                answer.headers = list(message.get("headers", ()))
            elif message["type"] == "http.response.body":
                parts.append(message.get("body", b""))
            await send(message)

        done = False
        try:
            await self.app(scope, receive, keep)
            done = answer.status is not None and 200 <= answer.status < 300
        finally:
            with self._lock:
                if done:
                    answer.body = b"".join(parts)
                    self._answers[scope_key] = answer
                    self._answers.move_to_end(scope_key)
                    while len(self._answers) > self.kept:
                        self._answers.popitem(last=False)
                else:
                    self._answers.pop(scope_key, None)


async def _read_body(receive: Any) -> tuple[bytes, bool]:
    """The request's body up to :data:`_BODY_LIMIT`; whether more is left to read."""
    parts: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return b"".join(parts), False
        chunk = message.get("body", b"")
        parts.append(chunk)
        size += len(chunk)
        if not message.get("more_body", False):
            return b"".join(parts), False
        if size > _BODY_LIMIT:
            return b"".join(parts), True


def _replaying(body: bytes, rest: Any, *, more: bool = False) -> Any:
    """A ``receive`` that gives ``body`` first (``more``: the rest of the body follows),
    then what ``rest`` gives."""
    given = False

    async def receive() -> Any:
        nonlocal given
        if not given:
            given = True
            return {"type": "http.request", "body": body, "more_body": more}
        return await rest()

    return receive


async def _send_answer(send: Any, answer: _Answer) -> None:
    status = 200 if answer.status == 201 else answer.status
    headers = list(answer.headers)  # the first answer's X-Request-Id names it still
    if answer.status is not None and 200 <= answer.status < 300:
        headers.append((b"idempotent-replayed", b"true"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": answer.body})


def _refusal(error: SandboxError) -> _Answer:
    body = json.dumps(error_body(error)).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
    ]
    return _Answer(fingerprint="", status=error.status, headers=headers, body=body)


def _reused(scope_key: str) -> SandboxError:
    return _key_error(
        scope_key,
        "was already used with another body",
        "idempotency_key_reused",
        "Cette clé d'idempotence a déjà servi pour une autre requête.",
    )


def _in_use(scope_key: str) -> SandboxError:
    return _key_error(
        scope_key,
        "names a write still being carried out",
        "idempotency_key_in_use",
        "Cette action est déjà en cours ; réessayez dans un instant.",
    )


def _key_error(scope_key: str, what: str, code: str, message_fr: str) -> SandboxError:
    key = scope_key.partition("|")[2]
    return SandboxError(
        f"the Idempotency-Key {key!r} {what}", code=code, message_fr=message_fr, status=409
    )
