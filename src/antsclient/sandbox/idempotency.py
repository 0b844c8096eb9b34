"""Les clés d'idempotence: what each ``Idempotency-Key`` already produced, per agency.

A create or an upload sent again with the same key and the same body is answered with its
first result (``Idempotent-Replayed: true``); the same key with another body is a 409.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from antsclient.codec import from_data
from antsclient.sandbox.errors import SandboxError
from antsclient.sandbox.journal import Changes
from antsclient.sandbox.records import Agency, IdempotencyEntry

__all__ = ["IdempotencyKeys", "fingerprint"]


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
