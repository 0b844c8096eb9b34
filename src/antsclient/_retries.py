"""Retries: what is worth another try, how long to wait, and what to say when tries run out.

The protocol classifies every answer (:func:`antsclient.protocol.classify`); a ``RETRY``
outcome becomes a :class:`Transient` that the shells' ``_tries`` retries (the first try made
directly, the others driven by tenacity) —
unless the call is a write that may have taken effect and whose caller reads back what it
changes first (the shells' ``_write``, which gives every write one key, :func:`keyed`, and
returns :class:`Done` when the read-back finds the write done). :class:`Tries` follows the
tries of one call within the policy's attempts and its :class:`Deadline`, and builds the
:class:`~antsclient.AntsUnavailable` the caller sees when they are spent: which server, how
many tries, and whether the action may have happened.
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
import random
import time
import uuid
from collections.abc import Iterator
from typing import Any, Final, Generic, TypeVar

import attrs
import httpx

from antsclient._policy import RetryPolicy
from antsclient.errors import AntsUnavailable
from antsclient.protocol import Call, Outcome, Safety

__all__ = [
    "MIN_ATTEMPT",
    "Deadline",
    "Done",
    "Transient",
    "Tries",
    "backoff",
    "deadline",
    "failure_of",
    "keyed",
    "log_call",
    "should_retry",
    "unavailable",
]

T = TypeVar("T")

logger: Final = logging.getLogger("antsclient")

MIN_ATTEMPT: Final = 0.1
"""Seconds: no try starts with less time than this left before the deadline."""


@attrs.frozen(slots=True)
class Done(Generic[T]):
    """The outcome of a write found to have taken effect after an unclear failure."""

    value: T


class Transient(Exception):
    """A failure worth another try (internal: never leaves a session).

    ``ambiguous`` is true when the call may have reached ANTS and taken effect; ``reached``
    when the server was reached at all (an answer came, or the request left).
    """

    def __init__(
        self,
        reason: str,
        *,
        ambiguous: bool,
        retry_after: float | None = None,
        reached: bool = True,
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.ambiguous = ambiguous
        self.retry_after = retry_after
        self.reached = reached

    @classmethod
    def of(cls, outcome: Outcome) -> Transient:
        """The failure a ``RETRY`` outcome of an answer stands for."""
        return cls(outcome.reason, ambiguous=outcome.processed, retry_after=outcome.retry_after)

    @classmethod
    def failure(cls, outcome: Outcome) -> Transient:
        """The failure a ``RETRY`` outcome of a transport failure stands for: the server was
        reached only if the request may have left."""
        return cls(outcome.reason, ambiguous=outcome.processed, reached=outcome.processed)


class Deadline:
    """When a call must end: ``seconds`` from its start (on the monotonic clock)."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.at = time.monotonic() + seconds

    def remaining(self) -> float:
        """Seconds left (negative once passed)."""
        return self.at - time.monotonic()

    @property
    def spent(self) -> bool:
        """Whether too little time is left to start a try."""
        return self.remaining() < MIN_ATTEMPT

    def timeout(self, configured: httpx.Timeout) -> dict[str, float]:
        """The timeouts of one try (httpx's ``timeout`` extension): each of ``configured``'s,
        at most the time left, so that a server that never answers ends the call near its
        deadline."""
        left = max(self.remaining(), MIN_ATTEMPT)
        return {
            name: left if value is None else min(value, left)
            for name, value in configured.as_dict().items()
        }


_CURRENT: Final[contextvars.ContextVar[Deadline | None]] = contextvars.ContextVar(
    "antsclient_deadline", default=None
)


@contextlib.contextmanager
def deadline(policy: RetryPolicy) -> Iterator[Deadline]:
    """The deadline of the call in progress: the policy's from now — or the one an enclosing
    call set already (the login a call needs, the reads that check an unclear write), so
    that they all end within the one deadline."""
    current = _CURRENT.get()
    if current is not None:
        yield current
        return
    fresh = Deadline(policy.deadline)
    token = _CURRENT.set(fresh)
    try:
        yield fresh
    finally:
        _CURRENT.reset(token)


def should_retry(call: Call, exc: BaseException, *, reads_back: bool = False) -> bool:
    """Retry a transient failure, unless the call is an unsafe write that may have happened
    — or any write whose caller reads back what it changes before sending it again
    (``reads_back``): then an unclear failure goes to the caller first."""
    if not isinstance(exc, Transient):
        return False
    if reads_back and call.safety is not Safety.READ:
        return not exc.ambiguous
    return call.safety is not Safety.UNSAFE or not exc.ambiguous


def keyed(call: Call) -> Call:
    """``call`` with an ``Idempotency-Key`` (one made now if it has none): made once per
    logical call and sent with every try, so that ANTS carries the write out once."""
    if call.idempotency_key is not None:
        return call
    return attrs.evolve(call, idempotency_key=uuid.uuid4().hex)


def backoff(policy: RetryPolicy, attempt: int, exc: BaseException | None, random: float) -> float:
    """Seconds to wait before try ``attempt + 1``: exponential, jittered, ``Retry-After`` aware."""
    if isinstance(exc, Transient) and exc.retry_after is not None:
        return min(exc.retry_after, policy.max_backoff)
    base = policy.initial_backoff * (2.0 ** (attempt - 1))
    return min(base + policy.jitter * random * policy.initial_backoff, policy.max_backoff)


def failure_of(state: Any) -> BaseException | None:
    """The exception of the try a tenacity ``RetryCallState`` reports, if it failed."""
    outcome = state.outcome
    return None if outcome is None else outcome.exception()


class Tries:
    """The tries of one call: how many, whether any reached the server or may have taken
    effect, and when to stop — after the policy's attempts, or when the next try could not
    start (after its wait) before the deadline.

    ``stop`` and ``wait`` are asked after a failed try (``count`` is its number); each try's
    wait is drawn once, whichever of the two is asked first.
    """

    def __init__(self, call: Call, policy: RetryPolicy, deadline: Deadline, server: str) -> None:
        self.call = call
        self.policy = policy
        self.deadline = deadline
        self.server = server
        self.count = 0
        self.ambiguous = False
        self.reached = False
        self.last: Transient | None = None
        self.out_of_time = False
        """Whether the deadline, not the attempts, ended the tries."""
        self._waits: dict[int, float] = {}

    def failed(self, exc: Transient) -> None:
        """Count a failed try: what one try may have done stays true of the call."""
        self.ambiguous = self.ambiguous or exc.ambiguous
        self.reached = self.reached or exc.reached
        self.last = exc

    def wait(self, exc: BaseException | None) -> float:
        """Seconds to wait after try :attr:`count`, which failed with ``exc``."""
        attempt = self.count
        if attempt not in self._waits:
            jitter = random.random()  # noqa: S311 - jitter, not a secret
            self._waits[attempt] = backoff(self.policy, attempt, exc, jitter)
        return self._waits[attempt]

    def stop(self, exc: BaseException | None) -> bool:
        """Whether to give up after try :attr:`count` failed with ``exc``: attempts spent,
        or no time for another try after its wait."""
        if self.count >= self.policy.attempts:
            return True
        self.out_of_time = self.deadline.remaining() - self.wait(exc) < MIN_ATTEMPT
        return self.out_of_time

    def error(self) -> AntsUnavailable:
        """The error the caller sees once the tries are spent."""
        return unavailable(self)


def unavailable(tries: Tries) -> AntsUnavailable:
    """The error a caller sees when the tries are spent: the server named, and whether the
    action may have happened — never for a read, a login, or a request that never left."""
    call, server, count = tries.call, tries.server, tries.count
    within = f" within its {tries.deadline.seconds:g} s deadline" if tries.out_of_time else ""
    within_fr = f" en {tries.deadline.seconds:g} s" if tries.out_of_time else ""
    if tries.last is None:
        return AntsUnavailable(
            f"{call.describe()} was not sent to {server}: the call's "
            f"{tries.deadline.seconds:g} s deadline is reached",
            attempts=0,
            server=server,
            message_fr=f"La page ne répond pas : le délai de {tries.deadline.seconds:g} s est "
            f"écoulé ; rien n'a été envoyé au serveur {server}.",
        )
    reason = tries.last.reason
    if not tries.reached:
        return AntsUnavailable(
            f"{call.describe()} could not reach {server} after {count} attempt(s){within} "
            f"({reason}); it was never sent: check the server's address and the network",
            attempts=count,
            server=server,
            message_fr=f"La page ne répond pas : le serveur {server} n'a pas pu être joint "
            f"après {count} tentative(s){within_fr} ; rien n'a été envoyé. Vérifiez l'adresse "
            "du serveur et la connexion à Internet.",
        )
    # Only a write can have taken effect; logging in (the one anonymous call) changes nothing.
    changes = call.safety is not Safety.READ and call.authenticated
    may = changes and tries.ambiguous
    if not changes:
        effect, effect_fr = "nothing was changed", "réessayez plus tard."
    elif not may:
        effect = "it did not take effect"
        effect_fr = "l'action n'a pas été prise en compte ; réessayez plus tard."
    elif call.safety is Safety.IDEMPOTENT:
        effect = "it may have taken effect; doing it again is safe (ANTS applies it once)"
        effect_fr = "l'action a peut-être été prise en compte ; vous pouvez la relancer."
    else:
        effect = "it may have taken effect: refresh the request before doing it again"
        effect_fr = (
            "l'action a peut-être été prise en compte : mettez à jour la demande avant de la "
            "relancer."
        )
    return AntsUnavailable(
        f"{call.describe()} on {server} failed after {count} attempt(s){within} ({reason}); "
        f"{effect}",
        may_have_taken_effect=may,
        attempts=count,
        server=server,
        message_fr=f"La page ne répond pas : le site de l'ANTS ({server}) n'a pas répondu "
        f"après {count} tentative(s){within_fr} ; {effect_fr}",
    )


def log_call(call: Call, status: int | str, elapsed: float, attempt: int) -> None:
    """One line per call: method, path, status, time, attempt — never a header or a body."""
    logger.info(
        "%s -> %s in %.0f ms (attempt %d)", call.describe(), status, elapsed * 1000, attempt
    )
