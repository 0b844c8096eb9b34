"""The ``antsclient`` command line: ``python -m antsclient <command>``.

Exit codes scripts can rely on: 0 success, 1 a check found errors, 2 bad usage or input,
3 ANTS refused or could not be reached.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

EXIT_OK = 0
EXIT_PROBLEMS = 1
EXIT_USAGE = 2
EXIT_ANTS = 3


def _check(path: str) -> int:
    from antsclient.models import Cerfa02, Cerfa06  # noqa: PLC0415
    from antsclient.protocol.converter import from_data  # noqa: PLC0415
    from antsclient.validation import validate  # noqa: PLC0415

    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        cerfa = str(data.get("cerfa", "02"))
        body = data.get("application", data)
        application: Cerfa02 | Cerfa06 = (
            from_data(body, Cerfa06) if cerfa == "06" else from_data(body, Cerfa02)
        )
    except (OSError, ValueError, TypeError, KeyError, AttributeError) as exc:
        print(f"antsclient check: cannot read {path}: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except Exception as exc:  # cattrs raises grouped errors naming the fields
        print(f"antsclient check: {path} is not an application: {exc}", file=sys.stderr)
        return EXIT_USAGE
    problems = validate(application)
    for problem in problems:
        print(f"{problem.severity.value:7} {problem.field}: {problem.message_fr} [{problem.code}]")
    errors = sum(1 for p in problems if p.is_error)
    print(f"{errors} error(s), {len(problems) - errors} warning(s)")
    return EXIT_PROBLEMS if errors else EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    parser = argparse.ArgumentParser(
        prog="antsclient",
        description="File and follow driving-licence applications with the ANTS.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    demo = commands.add_parser("demo", help="file a complete application, step by step")
    demo.add_argument("--out", help="folder for the demo's files (default: a new one)")
    check = commands.add_parser("check", help="validate an application.json offline")
    check.add_argument("path")
    commands.add_parser("version", help="print the version")
    args = parser.parse_args(argv)
    if args.command == "check":
        return _check(args.path)
    if args.command == "version":
        from antsclient import __version__  # noqa: PLC0415

        print(__version__)
        return EXIT_OK
    from antsclient.demo import run_demo  # noqa: PLC0415

    return run_demo(out=args.out)


if __name__ == "__main__":
    sys.exit(main())
