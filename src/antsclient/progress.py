"""Barre de progression: one ``progress(done, total)`` callback for the library and the CLI.

A sync calls ``progress(done, total)`` in requests as pages are stored. :class:`ProgressBar`
draws it with tqdm (``tqdm.auto``: a widget in Jupyter) when tqdm is installed — the
``progress`` extra — and else as one plain text line with the rate, on ``file``.
"""

from __future__ import annotations

import importlib
import sys
import time
from typing import IO, Any

__all__ = ["ProgressBar", "progress_bar"]


class ProgressBar:
    """A ``progress(done, total)`` callback drawing a bar; :meth:`close` it (or use
    ``with``) after the sync.

    ``use_tqdm``: ``None`` uses tqdm when it is installed, ``True`` requires it, ``False``
    draws the text bar. ``unit`` names what is counted (« demande »).
    """

    def __init__(
        self,
        description: str = "Mise à jour des demandes",
        *,
        file: IO[str] | None = None,
        use_tqdm: bool | None = None,
        width: int = 30,
        unit: str = "demande",
        clock: Any = time.monotonic,
    ) -> None:
        self.description = description
        self.file = file
        self.width = width
        self.unit = unit
        self._clock = clock
        self._started: float | None = None
        self._bar: Any = None
        self._last = ""
        self._tqdm: Any = None
        if use_tqdm is not False:
            try:
                self._tqdm = importlib.import_module("tqdm.auto").tqdm
            except ImportError:
                if use_tqdm:
                    raise

    def __call__(self, done: int, total: int) -> None:
        if self._started is None:
            self._started = self._clock()
        if self._tqdm is not None:
            self._draw_tqdm(done, total)
        else:
            self._draw_text(done, total)

    def _draw_tqdm(self, done: int, total: int) -> None:
        if self._bar is None:
            self._bar = self._tqdm(
                total=total, desc=self.description, unit=self.unit, file=self.file
            )
        if self._bar.total != total:
            self._bar.total = total
        # update() with the increment keeps tqdm's rate right; setting n would not.
        if done > self._bar.n:
            self._bar.update(done - self._bar.n)
        else:
            self._bar.refresh()

    def rate(self, done: int) -> float:
        """Requests per second since the first call."""
        elapsed = 0.0 if self._started is None else self._clock() - self._started
        return done / elapsed if elapsed > 0 else 0.0

    def _draw_text(self, done: int, total: int) -> None:
        filled = self.width if total <= 0 else min(self.width * done // total, self.width)
        percent = 100 if total <= 0 else min(100 * done // total, 100)
        line = (
            f"\r{self.description} |{'█' * filled}{' ' * (self.width - filled)}| "
            f"{done}/{total} ({percent} %, {self.rate(done):.0f} {self.unit}s/s)"
        )
        if line != self._last:
            out = self.file or sys.stderr
            out.write(line)
            out.flush()
            self._last = line

    def close(self) -> None:
        """End the bar (a new line after a text bar)."""
        if self._bar is not None:
            self._bar.close()
            self._bar = None
        elif self._last:
            (self.file or sys.stderr).write("\n")
            self._last = ""

    def __enter__(self) -> ProgressBar:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def progress_bar(
    description: str = "Mise à jour des demandes", *, file: IO[str] | None = None
) -> ProgressBar:
    """A progress bar for a sync's ``progress`` (tqdm if installed, else text)."""
    return ProgressBar(description, file=file)
