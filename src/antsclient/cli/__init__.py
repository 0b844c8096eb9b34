"""The ``antsclient`` command line: ``antsclient <command>`` or ``python -m antsclient``.

Credentials come from the environment — ``ANTS_AGREEMENT``, ``ANTS_LOGIN``, ``ANTS_PASSWORD``,
``ANTS_POSTAL_CODE``, ``ANTS_PREFECTURE`` and ``ANTS_BASE_URL`` — or from a prompt on a
terminal; never from the command line, where other users could read them.

Exit codes scripts can rely on: 0 success, 1 a check found errors (or a sync could not read
some requests), 2 bad usage or input (one French line, one English line), 3 ANTS refused the
credentials or the data, 4 ANTS could not be reached or answered something unreadable.
Every other line is in one language: ``--lang``, else the locale's.

* :mod:`~antsclient.cli.console` — the language, the streams, the exit codes;
* :mod:`~antsclient.cli.options` — the parser;
* :mod:`~antsclient.cli.access` — credentials, session, store and export file, checked;
* :mod:`~antsclient.cli.commands` — the commands.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from antsclient.cli.access import read_credentials
from antsclient.cli.commands import COMMANDS
from antsclient.cli.console import (
    EXIT_OK,
    EXIT_PROBLEMS,
    EXIT_REFUSED,
    EXIT_UNAVAILABLE,
    EXIT_USAGE,
    Console,
    UsageError,
    language_of,
    tolerant_streams,
    verbose_logging,
)
from antsclient.cli.options import build_parser, parse

__all__ = [
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "EXIT_PROBLEMS",
    "EXIT_REFUSED",
    "EXIT_UNAVAILABLE",
    "EXIT_USAGE",
    "UsageError",
    "main",
    "read_credentials",
]

EXIT_INTERRUPTED = 130
"""Ctrl-C."""


def _usage(console: Console, error: UsageError, command: str | None) -> int:
    prog = f"antsclient {command}" if command else "antsclient"
    for line in error.lines(prog):
        print(line, file=console.err)
    return EXIT_USAGE


def _refused(console: Console, error: Exception, command: str) -> int:
    """An :class:`~antsclient.AntsError`'s exit code, its message in the console's language,
    and the answer's id to quote to support."""
    from antsclient.errors import (  # noqa: PLC0415
        AntsUnavailable,
        ConfigurationError,
        ProtocolError,
    )

    message_fr = getattr(error, "message_fr", str(error))
    code = getattr(error, "code", "")
    if isinstance(error, ConfigurationError):
        return _usage(console, UsageError(message_fr, str(error)), command)
    unavailable = isinstance(error, AntsUnavailable | ProtocolError)
    suffix = "" if unavailable else f" [{code}]"
    console.tell(
        f"antsclient {command} : {message_fr}{suffix}", f"antsclient {command}: {error}{suffix}"
    )
    request_id = getattr(error, "request_id", None)
    if request_id:
        console.tell(
            f"Référence de la réponse, à donner au support : {request_id}",
            f"Answer id, to quote to support: {request_id}",
        )
    return EXIT_UNAVAILABLE if unavailable else EXIT_REFUSED


def _run(args: argparse.Namespace, console: Console) -> int:
    from antsclient.errors import AntsError  # noqa: PLC0415

    try:
        return COMMANDS[args.command](args, console)
    except UsageError as exc:
        return _usage(console, exc, args.command)
    except AntsError as exc:
        return _refused(console, exc, args.command)
    except KeyboardInterrupt:
        console.tell("Interrompu.", "Interrupted.")
        return EXIT_INTERRUPTED


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    from antsclient import __version__  # noqa: PLC0415

    arguments = list(sys.argv[1:] if argv is None else argv)
    with tolerant_streams():
        console = Console(language_of(arguments))
        parser = build_parser(console.lang, __version__)
        try:
            args = parse(parser, arguments)
        except UsageError as exc:
            return _usage(console, exc, None)
        except SystemExit as done:  # --help, --version
            return done.code if isinstance(done.code, int) else EXIT_OK
        if args.lang:
            console.lang = args.lang
        with verbose_logging(args.verbose, console.err):
            return _run(args, console)
