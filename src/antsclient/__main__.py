"""The ``antsclient`` command line: ``antsclient <command>`` or ``python -m antsclient``.

Credentials come from the environment — ``ANTS_AGREEMENT``, ``ANTS_LOGIN``, ``ANTS_PASSWORD``,
``ANTS_POSTAL_CODE``, ``ANTS_PREFECTURE`` and ``ANTS_BASE_URL`` — or from a prompt; never
from the command line, where other users could read them.

Exit codes scripts can rely on: 0 success, 1 a check found errors, 2 bad usage or input,
3 ANTS refused the credentials or the data, 4 ANTS could not be reached.
"""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from antsclient.models import Credentials
    from antsclient.session import AntsSession

EXIT_OK = 0
EXIT_PROBLEMS = 1
EXIT_USAGE = 2
EXIT_REFUSED = 3
EXIT_UNAVAILABLE = 4

DEFAULT_DB = "antsclient.sqlite3"


def _check(args: argparse.Namespace) -> int:
    from antsclient.codec import CodecError, read_application  # noqa: PLC0415
    from antsclient.validation import validate  # noqa: PLC0415

    path = args.path
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        application = read_application(data.get("application", data), str(data.get("cerfa", "02")))
    except CodecError as exc:
        lines = "\n".join(f"  {line}" for line in exc.lines)
        print(f"antsclient check: {path} is {exc.what}:\n{lines}", file=sys.stderr)
        return EXIT_USAGE
    except (OSError, ValueError, TypeError, KeyError, AttributeError) as exc:
        print(f"antsclient check: cannot read {path}: {exc}", file=sys.stderr)
        return EXIT_USAGE
    problems = validate(application)
    if args.geo:
        from antsclient import geo  # noqa: PLC0415

        for field in geo.check(application).problems:
            hint = f" → {field.after}" if field.after else ""
            choices = f" ({', '.join(field.suggestions[:5])})" if field.suggestions else ""
            print(f"geo     {field.path}: {field.label} « {field.before} »{hint}{choices}")
    for problem in problems:
        print(f"{problem.severity.value:7} {problem.field}: {problem.message_fr} [{problem.code}]")
    errors = sum(1 for p in problems if p.is_error)
    print(f"{errors} error(s), {len(problems) - errors} warning(s)")
    return EXIT_PROBLEMS if errors else EXIT_OK


def _geo(args: argparse.Namespace) -> int:
    from antsclient import geo  # noqa: PLC0415

    if args.country:
        country = geo.find_country(args.text)
        if country is None:
            print(f"« {args.text} » : pays non reconnu / unknown country")
            return EXIT_PROBLEMS
        print(f"{country.name} ({country.insee_code})")
        return EXIT_OK
    matches = geo.suggest_communes(
        args.text, postal_code=args.postal_code, department=args.department, limit=args.limit
    )
    if not matches:
        print(f"« {args.text} » : aucune commune / no commune found")
        return EXIT_PROBLEMS
    for match in matches:
        note = f"  — {match.note}" if match.note else ""
        exact = "=" if match.exact else " "
        print(f"{exact} {match.label:40} {match.insee_code}  {match.score:.2f}{note}")
    return EXIT_OK


def read_credentials(
    environ: dict[str, str] | None = None,
    prompt: Callable[[str], str] = getpass.getpass,
    ask: Callable[[str], str] = input,
) -> Credentials:
    """Credentials from ``ANTS_*`` variables, asking for what is missing (password hidden)."""
    from antsclient.models import Credentials  # noqa: PLC0415

    env = os.environ if environ is None else environ
    agreement = env.get("ANTS_AGREEMENT") or ask("Numéro d'agrément Cerfa : ").strip()
    login = env.get("ANTS_LOGIN") or ask("Identifiant ANTS : ").strip()
    password = env.get("ANTS_PASSWORD") or prompt("Mot de passe ANTS : ")
    return Credentials(
        agreement=agreement,
        login=login,
        password=password,
        prefecture=env.get("ANTS_PREFECTURE") or None,
        postal_code=env.get("ANTS_POSTAL_CODE") or None,
    )


def _open_session(args: argparse.Namespace) -> AntsSession:
    from antsclient.session import AntsSession  # noqa: PLC0415

    base_url = args.base_url or os.environ.get("ANTS_BASE_URL")
    if not base_url:
        msg = "no ANTS address: set ANTS_BASE_URL or pass --base-url"
        raise SystemExit(msg)
    return AntsSession(read_credentials(), base_url=base_url)


def _window(start: str | None, end: str | None) -> tuple[dt.date | None, dt.date | None] | None:
    if start is None and end is None:
        return None
    return (
        dt.date.fromisoformat(start) if start else None,
        dt.date.fromisoformat(end) if end else None,
    )


def _sync(args: argparse.Namespace) -> int:
    from antsclient.progress import ProgressBar  # noqa: PLC0415
    from antsclient.storage import SqliteStore  # noqa: PLC0415

    with (
        SqliteStore(args.db) as store,
        _open_session(args) as session,
        ProgressBar("Mise à jour des demandes", file=sys.stderr) as bar,
    ):
        session.store = store
        report = session.requests.sync_all(
            created=_window(args.created_from, args.created_to),
            modified=_window(args.modified_from, args.modified_to),
            progress=bar,
        )
    print(
        f"{report.new} new, {report.updated} updated, {report.unchanged} unchanged, "
        f"{report.unlinked} unlinked, {report.failed} failed"
    )
    return EXIT_OK if not report.failed else EXIT_UNAVAILABLE


def _counts(args: argparse.Namespace) -> int:
    from antsclient.models import Bucket  # noqa: PLC0415

    with _open_session(args) as session:
        counts = session.requests.counts()
    for bucket in Bucket:
        row = counts.get(None, {})
        print(f"{bucket.label:45} {row.get(bucket, 0):6}")
    return EXIT_OK


def _export(args: argparse.Namespace) -> int:
    from antsclient import export  # noqa: PLC0415
    from antsclient.storage import SqliteStore  # noqa: PLC0415

    agreement = args.agreement or os.environ.get("ANTS_AGREEMENT") or ""
    with SqliteStore(args.db) as store:
        agreements = [agreement] if agreement else store.agreements()
        requests = [r for a in agreements for r in store.search(a)]
    path = export.to_excel(requests, args.path)
    print(f"{len(requests)} request(s) → {path}")
    return EXIT_OK


def _demo(args: argparse.Namespace) -> int:
    from antsclient.demo import run_demo  # noqa: PLC0415

    return run_demo(out=args.out)


def _version(_: argparse.Namespace) -> int:
    from antsclient import __version__  # noqa: PLC0415

    print(__version__)
    return EXIT_OK


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="antsclient",
        description="File and follow driving-licence applications with the ANTS.",
    )
    commands = parser.add_subparsers(dest="command", required=True)

    demo = commands.add_parser("demo", help="file a complete application on the sandbox")
    demo.add_argument("--out", help="folder for the demo's files (default: a new one)")
    demo.set_defaults(run=_demo)

    # « sandbox » hands its arguments to python -m antsclient.sandbox (see main).
    commands.add_parser("sandbox", help="serve the ANTS sandbox until Ctrl-C (--port, --db, …)")

    geo = commands.add_parser("geo", help="suggest communes (or a country) for a text")
    geo.add_argument("text")
    geo.add_argument("--postal-code")
    geo.add_argument("--department")
    geo.add_argument("--limit", type=int, default=10)
    geo.add_argument("--country", action="store_true", help="look the text up as a country")
    geo.set_defaults(run=_geo)

    check = commands.add_parser("check", help="validate an application.json offline")
    check.add_argument("path")
    check.add_argument("--geo", action="store_true", help="also run the geo check")
    check.set_defaults(run=_check)

    for name, helptext, run in (
        ("sync", "update every request of the agency", _sync),
        ("counts", "the dashboard: requests per bucket", _counts),
    ):
        cmd = commands.add_parser(name, help=helptext)
        cmd.add_argument("--base-url", help="ANTS address (default: $ANTS_BASE_URL)")
        if name == "sync":
            cmd.add_argument("--db", default=DEFAULT_DB, help="SQLite store")
            for bound in ("created-from", "created-to", "modified-from", "modified-to"):
                cmd.add_argument(f"--{bound}", metavar="YYYY-MM-DD")
        cmd.set_defaults(run=run)

    export = commands.add_parser("export", help="write the stored requests to an Excel file")
    export.add_argument("path")
    export.add_argument("--db", default=DEFAULT_DB, help="SQLite store")
    export.add_argument("--agreement", help="one agency (default: $ANTS_AGREEMENT, or all)")
    export.set_defaults(run=_export)

    version = commands.add_parser("version", help="print the version")
    version.set_defaults(run=_version)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    from antsclient.errors import AntsError, AntsUnavailable  # noqa: PLC0415

    arguments = list(sys.argv[1:] if argv is None else argv)
    if arguments[:1] == ["sandbox"]:
        from antsclient.sandbox.__main__ import main as sandbox_main  # noqa: PLC0415

        return sandbox_main(arguments[1:])
    args = _parser().parse_args(arguments)
    try:
        code: int = args.run(args)
    except AntsUnavailable as exc:
        print(f"antsclient: {exc.message_fr}", file=sys.stderr)
        return EXIT_UNAVAILABLE
    except AntsError as exc:
        print(f"antsclient: {exc.message_fr} [{exc.code}]", file=sys.stderr)
        return EXIT_REFUSED
    except KeyboardInterrupt:
        return 130
    return code


if __name__ == "__main__":
    sys.exit(main())
