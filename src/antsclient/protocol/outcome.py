"""What an answer means, decided in one place: the shells never read a status code.

:func:`classify` reads an HTTP answer and :func:`classify_failure` a transport failure; each
gives an :class:`Outcome`:

* ``OK`` — parse the body;
* ``RENEW_TOKEN`` — the token expired or was refused: log in again and resend, once;
* ``RETRY`` — ANTS is busy or failing: try again (after ``retry_after`` seconds when it says
  so); ``processed`` tells whether the call may have taken effect before it failed;
* ``ERROR`` — a refusal: ``error`` is the typed :class:`~antsclient.AntsError` to raise.
"""

from __future__ import annotations

import enum
import math
from typing import Final

import attrs
import httpx

from antsclient.errors import AntsError
from antsclient.protocol.errors import error_from_response

__all__ = ["TRANSIENT_STATUSES", "Outcome", "Verdict", "classify", "classify_failure"]

TRANSIENT_STATUSES: Final = frozenset({429, 500, 502, 503, 504})
"""Statuses worth another try: ANTS is busy or failing."""

_NOT_PROCESSED: Final = frozenset({429})
"""Statuses that say the call was refused before it was processed. Only a rate limit does:
a 503 may come from a gateway after ANTS saved the write behind it, so it proves nothing."""

_TOKEN_CODES: Final = frozenset({"token_expired", "token_invalid"})

_IN_PROGRESS: Final = "idempotency_key_in_use"
"""The code of a 409 saying the first try of the same key is still being carried out."""

_NEVER_SENT: Final = (
    httpx.ConnectError,
    httpx.ConnectTimeout,
    httpx.PoolTimeout,
    httpx.UnsupportedProtocol,
)
"""Failures before a request left: refused, unknown host (DNS), no connection in time."""


class Verdict(enum.Enum):
    """What to do with an answer."""

    OK = "ok"
    RENEW_TOKEN = "renew_token"  # noqa: S105 - a verdict, not a secret
    RETRY = "retry"
    ERROR = "error"


@attrs.frozen(kw_only=True, slots=True)
class Outcome:
    """The verdict on one answer (or failure), and what the shells need to act on it."""

    verdict: Verdict
    reason: str = ""
    processed: bool = False
    """For ``RETRY``: whether the call may have reached ANTS and taken effect."""
    retry_after: float | None = None
    """For ``RETRY``: the seconds ANTS asked to wait (``Retry-After``), if it did."""
    error: AntsError | None = None
    """For ``ERROR`` and ``RENEW_TOKEN``: the error to raise (the latter once renewal failed)."""


_OK: Final = Outcome(verdict=Verdict.OK)


def classify(response: httpx.Response) -> Outcome:
    """The :class:`Outcome` of an HTTP answer (its body read already)."""
    status = response.status_code
    if 200 <= status < 300:
        return _OK
    if status in TRANSIENT_STATUSES:
        return Outcome(
            verdict=Verdict.RETRY,
            reason=f"ANTS answered HTTP {status}",
            processed=status not in _NOT_PROCESSED,
            retry_after=_retry_after(response.headers.get("Retry-After")),
        )
    error = error_from_response(response)
    if status == 409 and error.code == _IN_PROGRESS:
        return Outcome(
            verdict=Verdict.RETRY,
            reason="ANTS is still carrying out the first try of this write",
            processed=True,
            retry_after=_retry_after(response.headers.get("Retry-After")),
        )
    if status == 401 and error.code in _TOKEN_CODES:
        return Outcome(verdict=Verdict.RENEW_TOKEN, reason="token refused", error=error)
    return Outcome(verdict=Verdict.ERROR, reason=error.message, error=error)


def classify_failure(exc: httpx.TransportError) -> Outcome:
    """The :class:`Outcome` of a transport failure: always worth another try; ``processed``
    unless the request certainly never left (no connection was made)."""
    never_sent = isinstance(exc, _NEVER_SENT)
    what = (
        "no connection to ANTS could be made"
        if never_sent
        else "the connection to ANTS failed or timed out"
    )
    return Outcome(
        verdict=Verdict.RETRY, reason=f"{type(exc).__name__}: {what}", processed=not never_sent
    )


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        return None
    return max(seconds, 0.0) if math.isfinite(seconds) else None
