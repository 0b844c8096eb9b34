"""L'horloge du bac à sable: the sandbox's time, which the tests move forward.

Tokens expire and the student's 7-day window closes on this clock, never on the wall clock
alone, so a test can play a week in a second.
"""

from __future__ import annotations

import datetime as dt
import time

__all__ = ["Clock"]


class Clock:
    """Wall-clock time plus an offset the tests move forward (``advance``).

    With ``start`` the clock begins at that instant, so seeded data is identical from one
    run to the next; it flows from there, or stands still with ``frozen=True`` (then only
    ``advance`` moves it).
    """

    def __init__(self, start: dt.datetime | None = None, *, frozen: bool = False) -> None:
        self._start = start
        self._frozen = frozen
        self._t0 = time.monotonic()
        self.offset: dt.timedelta = dt.timedelta(0)

    def now(self) -> dt.datetime:
        """The current sandbox time (aware, UTC)."""
        if self._start is None:
            base = dt.datetime.now(dt.UTC)
        elif self._frozen:
            base = self._start
        else:
            base = self._start + dt.timedelta(seconds=time.monotonic() - self._t0)
        return base + self.offset

    def advance(self, delta: dt.timedelta) -> None:
        """Move the clock forward by ``delta``."""
        self.offset += delta
