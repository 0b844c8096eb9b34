"""The command line's console: one language per output, streams that never fail on a
character, the library's logging on demand, and dates for staff in Paris time.

The language is the ``--lang`` flag's, else the locale's (``LC_ALL``, ``LC_MESSAGES``,
``LANG``, then the system's: French when it starts with ``fr``), else English. A console
whose encoding cannot write a character (a cp1252 or ASCII file on Windows) gets an ASCII
look-alike instead (``→`` as ``->``, ``«`` as ``<<``, ``é`` as ``e``) rather than an error.
"""

from __future__ import annotations

import codecs
import datetime as dt
import locale
import logging
import os
import sys
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from typing import Final, Literal, TextIO

__all__ = [
    "EXIT_OK",
    "EXIT_PROBLEMS",
    "EXIT_REFUSED",
    "EXIT_UNAVAILABLE",
    "EXIT_USAGE",
    "LANGUAGES",
    "Console",
    "Language",
    "UsageError",
    "language_of",
    "tolerant_streams",
    "verbose_logging",
]

EXIT_OK: Final = 0
"""Done."""
EXIT_PROBLEMS: Final = 1
"""A check found errors, or a sync could not read some requests."""
EXIT_USAGE: Final = 2
"""Bad usage or input: an option, a file, a credential, a store or a port to fix."""
EXIT_REFUSED: Final = 3
"""ANTS refused the credentials or the data."""
EXIT_UNAVAILABLE: Final = 4
"""ANTS could not be reached, or answered something unreadable."""

Language = Literal["fr", "en"]
LANGUAGES: Final[tuple[Language, ...]] = ("fr", "en")

_LOCALE_VARIABLES: Final = ("LC_ALL", "LC_MESSAGES", "LANG")


class UsageError(Exception):
    """A mistake the user can fix: the command exits 2 with one French and one English line,
    each after ``prog`` (by default ``antsclient`` and the command), then ``details``."""

    def __init__(
        self, fr: str, en: str, details: Sequence[str] = (), *, prog: str | None = None
    ) -> None:
        super().__init__(en)
        self.fr = fr
        self.en = en
        self.details: tuple[str, ...] = tuple(details)
        self.prog = prog

    def lines(self, prog: str) -> list[str]:
        """The French line, the English line, then the details."""
        prog = self.prog or prog
        return [f"{prog} : {self.fr}", f"{prog}: {self.en}", *self.details]


def language_of(argv: Sequence[str], environ: Mapping[str, str] | None = None) -> Language:
    """The language of the output: ``--lang`` in ``argv``, else the locale's, else English."""
    for index, argument in enumerate(argv):
        if argument == "--":
            break
        value = None
        if argument.startswith("--lang="):
            value = argument.partition("=")[2]
        elif argument == "--lang" and index + 1 < len(argv):
            value = argv[index + 1]
        if value in LANGUAGES:
            return "fr" if value == "fr" else "en"
    env = os.environ if environ is None else environ
    name = next((env[v] for v in _LOCALE_VARIABLES if env.get(v)), None)
    if name is None:
        name = locale.getlocale()[0] or ""
    return "fr" if name.lower().startswith("fr") else "en"


class Console:
    """Where a command writes: ``out`` for its results, ``err`` for its messages, each line
    in the console's ``lang``."""

    def __init__(self, lang: Language, out: TextIO | None = None, err: TextIO | None = None):
        self.lang: Language = lang
        self.out: TextIO = out or sys.stdout
        self.err: TextIO = err or sys.stderr

    def text(self, fr: str, en: str) -> str:
        """``fr`` or ``en``, in the console's language."""
        return fr if self.lang == "fr" else en

    def say(self, fr: str, en: str) -> None:
        """A line of the result, on ``out``."""
        print(self.text(fr, en), file=self.out, flush=True)

    def tell(self, fr: str, en: str) -> None:
        """A message about the command, on ``err``."""
        print(self.text(fr, en), file=self.err, flush=True)

    @property
    def interactive(self) -> bool:
        """Whether ``err`` is a terminal: progress frames are drawn only there."""
        isatty = getattr(self.err, "isatty", None)
        return bool(isatty and isatty())

    def moment(self, value: dt.datetime) -> str:
        """An instant for staff: Paris time, ``12/03/2026 14:05`` in French,
        ``2026-03-12 14:05 (Paris)`` in English."""
        zone = _paris()
        local = (value if value.tzinfo else value.replace(tzinfo=dt.UTC)).astimezone(zone)
        suffix = "" if zone is not dt.UTC else " UTC"
        if self.lang == "fr":
            return f"{local:%d/%m/%Y %H:%M}{suffix}"
        return f"{local:%Y-%m-%d %H:%M}{suffix or ' (Paris)'}"


def _paris() -> dt.tzinfo:
    """Paris time, or UTC where no time-zone database exists (Windows without tzdata)."""
    import zoneinfo  # noqa: PLC0415

    try:
        return zoneinfo.ZoneInfo("Europe/Paris")
    except zoneinfo.ZoneInfoNotFoundError:
        return dt.UTC


# -- streams that degrade instead of failing ------------------------------------------------

_FALLBACK_ERRORS: Final = "antsclient.ascii"
_LOOK_ALIKES: Final = {
    "→": "->",
    "←": "<-",
    "✗": "x",
    "✓": "v",
    "•": "*",
    "«": "<<",
    "»": ">>",
    "—": "-",
    "–": "-",
    "…": "...",
    "█": "#",
    "’": "'",
    "‘": "'",
    "“": '"',
    "”": '"',
    "œ": "oe",
    "Œ": "OE",
    "€": "EUR",
    "\u00a0": " ",
    "\u202f": " ",
}


def _look_alike(char: str) -> str:
    if char in _LOOK_ALIKES:
        return _LOOK_ALIKES[char]
    plain = unicodedata.normalize("NFKD", char).encode("ascii", "ignore").decode("ascii")
    return plain or "?"


def _fallback(error: UnicodeError) -> tuple[str, int]:
    """The codec error handler: what an encoding cannot write, as ASCII look-alikes."""
    if not isinstance(error, UnicodeEncodeError):
        raise error
    text = error.object[error.start : error.end]
    return "".join(_look_alike(char) for char in text), error.end


codecs.register_error(_FALLBACK_ERRORS, _fallback)


def _writes_everything(encoding: str | None) -> bool:
    if not encoding:
        return False
    try:
        return codecs.lookup(encoding).name.startswith("utf")
    except LookupError:
        return False


@contextmanager
def tolerant_streams() -> Iterator[None]:
    """While the block runs, ``sys.stdout`` and ``sys.stderr`` write ASCII look-alikes for
    what their encoding cannot hold (a cp1252 or ASCII console) instead of raising."""
    changed: list[tuple[TextIO, str]] = []
    for stream in (sys.stdout, sys.stderr):
        errors = getattr(stream, "errors", None)
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is None or errors is None or _writes_everything(stream.encoding):
            continue
        with suppress(ValueError, OSError):
            reconfigure(errors=_FALLBACK_ERRORS)
            changed.append((stream, errors))
    try:
        yield
    finally:
        for stream, errors in changed:
            with suppress(ValueError, OSError, AttributeError):
                stream.reconfigure(errors=errors)  # type: ignore[attr-defined]


@contextmanager
def verbose_logging(verbosity: int, stream: TextIO) -> Iterator[None]:
    """The library's logging (logger ``antsclient``) on ``stream`` while the block runs:
    INFO for ``-v``, DEBUG for ``-vv``; nothing added for 0."""
    if verbosity <= 0:
        yield
        return
    logger = logging.getLogger("antsclient")
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    previous = logger.level
    logger.setLevel(logging.DEBUG if verbosity > 1 else logging.INFO)
    logger.addHandler(handler)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(previous)
