"""Retries: what is worth another try, how long to wait, and what to say when tries run out.

The protocol classifies every answer (:func:`antsclient.protocol.classify`); a ``RETRY``
outcome becomes a :class:`Transient` that the shells' tenacity loop retries — unless the call
is an unsafe write that may have taken effect. When the tries are spent, :func:`unavailable`
builds the :class:`~antsclient.AntsUnavailable` the caller sees, saying whether the action
may have happened.
"""

from __future__ import annotations

import logging
from typing import Final, Generic, TypeVar

import attrs

from antsclient._policy import RetryPolicy
from antsclient.errors import AntsUnavailable
from antsclient.protocol import Call, Outcome, Safety

__all__ = ["Done", "Transient", "backoff", "log_call", "should_retry", "unavailable"]

T = TypeVar("T")

logger: Final = logging.getLogger("antsclient")


@attrs.frozen(slots=True)
class Done(Generic[T]):
    """The outcome of a write found to have taken effect after an unclear failure."""

    value: T


class Transient(Exception):
    """A failure worth another try (internal: never leaves a session).

    ``ambiguous`` is true when the call may have reached ANTS and taken effect.
    """

    def __init__(self, reason: str, *, ambiguous: bool, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.ambiguous = ambiguous
        self.retry_after = retry_after

    @classmethod
    def of(cls, outcome: Outcome) -> Transient:
        """The failure a ``RETRY`` outcome stands for."""
        return cls(outcome.reason, ambiguous=outcome.processed, retry_after=outcome.retry_after)


def should_retry(call: Call, exc: BaseException) -> bool:
    """Retry a transient failure, unless the call is an unsafe write that may have happened."""
    if not isinstance(exc, Transient):
        return False
    return call.safety is not Safety.UNSAFE or not exc.ambiguous


def backoff(policy: RetryPolicy, attempt: int, exc: BaseException | None, random: float) -> float:
    """Seconds to wait before try ``attempt + 1``: exponential, jittered, ``Retry-After`` aware."""
    if isinstance(exc, Transient) and exc.retry_after is not None:
        return min(exc.retry_after, policy.max_backoff)
    base = policy.initial_backoff * (2.0 ** (attempt - 1))
    return min(base + policy.jitter * random * policy.initial_backoff, policy.max_backoff)


def unavailable(call: Call, exc: Transient, attempts: int, ambiguous: bool) -> AntsUnavailable:
    """The error a caller sees when the tries are spent."""
    may = ambiguous and call.safety is not Safety.READ
    if not may:
        effect = "it did not take effect"
        effect_fr = "la demande n'a pas été prise en compte"
    elif call.safety is Safety.IDEMPOTENT:
        effect = "it may have taken effect; doing it again is safe (ANTS applies it once)"
        effect_fr = "l'action a peut-être été prise en compte ; vous pouvez la relancer"
    else:
        effect = "it may have taken effect: refresh the request before doing it again"
        effect_fr = (
            "l'action a peut-être été prise en compte : mettez à jour la demande avant de la "
            "relancer"
        )
    return AntsUnavailable(
        f"{call.describe()} failed after {attempts} attempt(s) ({exc.reason}); {effect}",
        may_have_taken_effect=may,
        attempts=attempts,
        message_fr=f"La page ne répond pas : le site de l'ANTS n'a pas répondu après "
        f"{attempts} tentative(s) ; {effect_fr}.",
    )


def log_call(call: Call, status: int | str, elapsed: float, attempt: int) -> None:
    """One line per call: method, path, status, time, attempt — never a header or a body."""
    logger.info(
        "%s -> %s in %.0f ms (attempt %d)", call.describe(), status, elapsed * 1000, attempt
    )
