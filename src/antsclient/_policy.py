"""Timeouts and retries: how long to wait for ANTS, and how often to try again.

ANTS can be slow (« La page ne répond pas : veuillez cliquer sur Attendre »): the defaults
wait rather than fail early, and retry what is safe to retry.
"""

from __future__ import annotations

from typing import Final

import attrs
import httpx

__all__ = ["DEFAULT_TIMEOUT", "UPLOAD_TIMEOUT", "RetryPolicy"]

DEFAULT_TIMEOUT: Final = httpx.Timeout(connect=15.0, read=90.0, write=90.0, pool=30.0)
"""15 s to connect, 90 s to read an answer or write a body, 30 s to get a pooled connection."""

UPLOAD_TIMEOUT: Final = httpx.Timeout(connect=15.0, read=180.0, write=300.0, pool=30.0)
"""Uploads of an 11 MB file on a slow line: 5 minutes to write, 3 to get the answer."""


@attrs.frozen(kw_only=True, slots=True)
class RetryPolicy:
    """How often and how long to try again after a transient failure.

    ``attempts`` tries at most, within ``deadline`` seconds overall: each try waits at most
    the time left (its timeouts are cut to it), and no try starts when its wait would pass
    the deadline, so a server that never answers ends the call near the deadline. The wait
    between two tries grows exponentially from ``initial_backoff`` up to ``max_backoff``,
    with random jitter so that many clients do not retry in step. A ``Retry-After`` from
    ANTS is honoured up to ``max_backoff``.
    """

    attempts: int = attrs.field(default=5, validator=attrs.validators.ge(1))
    deadline: float = attrs.field(default=300.0, validator=attrs.validators.gt(0))
    initial_backoff: float = attrs.field(default=0.5, validator=attrs.validators.ge(0))
    max_backoff: float = attrs.field(default=20.0, validator=attrs.validators.ge(0))
    jitter: float = attrs.field(default=1.0, validator=attrs.validators.ge(0))

    @classmethod
    def none(cls) -> RetryPolicy:
        """One attempt only."""
        return cls(attempts=1)

    @classmethod
    def immediate(cls, attempts: int = 5) -> RetryPolicy:
        """Retries without waiting: for tests against a local sandbox."""
        return cls(attempts=attempts, initial_backoff=0.0, max_backoff=0.0, jitter=0.0)
