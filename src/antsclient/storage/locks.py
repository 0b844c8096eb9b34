"""Agency locks for the stores that are not a database server: files and memory.

* :class:`FileLocks` — one lock file per agency beside a SQLite file, held with the system's
  advisory lock on an open file (``flock``): the system drops it when its holder's file is
  closed, or when the process ends in any way (killed included), so a dead worker never keeps
  an agency locked. It serves processes of one machine (the SQLite file's).
* :class:`MemoryLocks` — for one process.

Both are :class:`~antsclient.storage.AgencyLocks`: ``with locks.lock_agency(a) as held``.
"""

from __future__ import annotations

import contextlib
import os
import re
import threading
from collections.abc import Iterator
from pathlib import Path

__all__ = ["FileLocks", "MemoryLocks"]

_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]")


class FileLocks:
    """One lock file per agency in ``folder`` (created on first use)."""

    def __init__(self, folder: str | os.PathLike[str]) -> None:
        self.folder: Path = Path(folder)

    def __repr__(self) -> str:
        return f"FileLocks({str(self.folder)!r})"

    @contextlib.contextmanager
    def lock_agency(self, agreement: str) -> Iterator[bool]:
        """Hold the agency's lock while the block runs; yields whether it was had."""
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / (_UNSAFE.sub("_", agreement) or "_")
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            held = _try_lock(fd)
            yield held
        finally:
            os.close(fd)  # releases the lock, if held


def _try_lock(fd: int) -> bool:
    try:
        import fcntl  # noqa: PLC0415 - POSIX
    except ImportError:  # pragma: no cover - Windows
        import msvcrt  # noqa: PLC0415

        try:
            getattr(msvcrt, "locking")(fd, getattr(msvcrt, "LK_NBLCK"), 1)  # noqa: B009
        except OSError:
            return False
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


class MemoryLocks:
    """Agency locks within one process (for :class:`~antsclient.storage.MemoryStore`)."""

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._held: set[str] = set()

    @contextlib.contextmanager
    def lock_agency(self, agreement: str) -> Iterator[bool]:
        """Hold the agency's lock while the block runs; yields whether it was had."""
        with self._guard:
            held = agreement not in self._held
            self._held.add(agreement)
        try:
            yield held
        finally:
            if held:
                with self._guard:
                    self._held.discard(agreement)
