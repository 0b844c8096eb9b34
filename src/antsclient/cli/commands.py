"""The commands: each takes the parsed arguments and the console, and returns its exit code.

A mistake the user can fix is raised as :class:`~antsclient.cli.console.UsageError`; an
:class:`~antsclient.AntsError` is left to :func:`antsclient.cli.main`, which turns it into
its exit code.
"""

from __future__ import annotations

import argparse
import errno
import json
import logging
import os
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from antsclient.cli import access
from antsclient.cli.console import EXIT_OK, EXIT_PROBLEMS, Console, UsageError

if TYPE_CHECKING:
    from antsclient.errors import FieldProblem
    from antsclient.geo import FieldCheck
    from antsclient.models import Application, OnlineRequest
    from antsclient.session import SyncReport

__all__ = ["COMMANDS", "wait_until_interrupted"]

logger: Final = logging.getLogger("antsclient.cli")

Progress = Callable[[int, int], None]


@contextmanager
def _progress(console: Console, fr: str, en: str) -> Iterator[Progress | None]:
    """A progress bar on a terminal; ``None`` (nothing drawn) when stderr is a file."""
    if not console.interactive:
        yield None
        return
    from antsclient.progress import ProgressBar  # noqa: PLC0415

    unit = console.text("demande", "request")
    with ProgressBar(console.text(fr, en), file=console.err, unit=unit) as bar:
        yield bar


# -- check ---------------------------------------------------------------------------------


def _read_json(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8-sig")  # Notepad writes a BOM
    except UnicodeDecodeError:
        raise UsageError(
            f"« {path} » n'est pas un texte UTF-8", f"{str(path)!r} is not UTF-8 text"
        ) from None
    except OSError as exc:
        fr, en = access.reason(exc)
        raise UsageError(
            f"impossible de lire « {path} » : {fr}", f"cannot read {str(path)!r}: {en}"
        ) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise UsageError(
            f"« {path} » n'est pas du JSON valide (ligne {exc.lineno}, colonne {exc.colno})",
            f"{str(path)!r} is not valid JSON (line {exc.lineno}, column {exc.colno})",
        ) from None


def _read_application(path: Path) -> Application:
    from antsclient.codec import CodecError, read_application  # noqa: PLC0415

    data = _read_json(path)
    if not isinstance(data, dict):
        raise UsageError(
            f"« {path} » n'est pas une demande : un objet JSON est attendu",
            f"{str(path)!r} is not an application: a JSON object is expected",
        )
    try:
        return read_application(data)
    except CodecError as exc:
        raise UsageError(
            f"« {path} » n'est pas une demande lisible ({len(exc.lines)} problème(s)) :",
            f"{path} is {exc.what}:",
            [f"  {line}" for line in exc.lines],
        ) from None
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        raise UsageError(
            f"« {path} » n'est pas une demande lisible : {exc}",
            f"cannot read {path}: {exc}",
        ) from None


_SEVERITIES: Final = {"error": ("erreur", "error"), "warning": ("attention", "warning")}


def _show_problem(console: Console, problem: FieldProblem) -> None:
    fr, en = _SEVERITIES.get(problem.severity.value, (problem.severity.value,) * 2)
    message = problem.message
    if message.startswith(f"{problem.field} "):
        message = message[len(problem.field) + 1 :]
    console.say(
        f"{fr:9} {problem.field} : {problem.message_fr} [{problem.code}]",
        f"{en:9} {problem.field}: {message} [{problem.code}]",
    )


def _show_correction(console: Console, field: FieldCheck) -> None:
    after = field.after or console.text("(vide)", "(empty)")
    console.say(
        f"{'corrigé':9} {field.path} : « {field.before} » → « {after} » (corrigé à l'envoi)",
        f"{'fixed':9} {field.path}: « {field.before} » → « {after} » (fixed when sent)",
    )


def run_check(args: argparse.Namespace, console: Console) -> int:
    """``check``: every problem of an application file; with ``--geo``, its places too."""
    from antsclient.validation import validate  # noqa: PLC0415

    application = _read_application(Path(args.path))
    problems = validate(application)
    if args.geo or args.confirm:
        from antsclient import geo  # noqa: PLC0415
        from antsclient.geo.check import LABELS, CheckStatus  # noqa: PLC0415

        unknown = sorted(set(args.confirm) - set(LABELS))
        if unknown:
            raise UsageError(
                f"--confirm : champ de lieu inconnu : {', '.join(unknown)} "
                f"(possibles : {', '.join(LABELS)})",
                f"--confirm: not a place field: {', '.join(unknown)} (one of {', '.join(LABELS)})",
            )
        report = geo.check(application)
        for field in report.problems:
            if field.status is CheckStatus.CORRECTED and field.path not in args.confirm:
                _show_correction(console, field)
        problems += report.field_problems(args.confirm)
    for problem in problems:
        _show_problem(console, problem)
    errors = sum(1 for p in problems if p.is_error)
    warnings = len(problems) - errors
    console.say(
        f"{errors} erreur(s), {warnings} avertissement(s)",
        f"{errors} error(s), {warnings} warning(s)",
    )
    return EXIT_PROBLEMS if errors else EXIT_OK


# -- geo -----------------------------------------------------------------------------------


def run_geo(args: argparse.Namespace, console: Console) -> int:
    """``geo``: the communes (or the country) the referential offers for a text."""
    from antsclient import geo  # noqa: PLC0415

    if args.country:
        country = geo.find_country(args.text)
        if country is None:
            console.say(f"« {args.text} » : pays non reconnu", f"« {args.text} »: unknown country")
            return EXIT_PROBLEMS
        console.say(
            f"{country.name} ({country.insee_code})", f"{country.name} ({country.insee_code})"
        )
        return EXIT_OK
    matches = geo.suggest_communes(
        args.text, postal_code=args.postal_code, department=args.department, limit=args.limit
    )
    if not matches:
        console.say(f"« {args.text} » : aucune commune", f"« {args.text} »: no commune found")
        return EXIT_PROBLEMS
    for match in matches:
        note = f"  — {match.note}" if match.note else ""
        exact = "=" if match.exact else " "
        line = f"{exact} {match.label:40} {match.insee_code}  {match.score:.2f}{note}"
        console.say(line, line)
    return EXIT_OK


# -- sync, counts --------------------------------------------------------------------------


def _windows(args: argparse.Namespace) -> dict[str, Any]:
    windows: dict[str, Any] = {}
    for kind in ("created", "modified"):
        start, end = getattr(args, f"{kind}_from"), getattr(args, f"{kind}_to")
        if start is not None or end is not None:
            windows[kind] = (start, end)
    return windows


def _show_sync(console: Console, report: SyncReport) -> None:
    r = report
    console.say(
        f"Mise à jour terminée : {r.new} nouvelle(s), {r.updated} modifiée(s), "
        f"{r.unchanged} inchangée(s), {r.unlinked} non reliée(s), {r.failed} illisible(s)",
        f"Sync done: {r.new} new, {r.updated} updated, {r.unchanged} unchanged, "
        f"{r.unlinked} unlinked, {r.failed} unreadable",
    )
    if r.removed:
        console.say(
            f"{r.removed} copie(s) locale(s) retirée(s) : ces demandes ne sont plus sur l'ANTS",
            f"{r.removed} local cop(ies) removed: these requests are no longer on ANTS",
        )
    if r.incremental and r.since is not None:
        since = console.moment(r.since)
        console.say(f"Demandes modifiées depuis le {since}", f"Requests changed since {since}")
    if r.watermark is not None:
        mark = console.moment(r.watermark)
        console.say(
            f"Prochaine mise à jour à partir du {mark}", f"The next sync starts from {mark}"
        )
    if r.failed:
        console.tell(
            f"{r.failed} demande(s) n'ont pas pu être lues : relancez la mise à jour plus tard",
            f"{r.failed} request(s) could not be read: run the sync again later",
        )


def run_sync(args: argparse.Namespace, console: Console) -> int:
    """``sync``: every request of the agency into the SQLite store."""
    windows = _windows(args)
    if args.full and windows:
        raise UsageError(
            "--full liste tout : retirez les dates, ou --full",
            "--full lists everything: leave out the dates, or --full",
        )
    url = access.base_url(args.base_url)
    access.check_store(args.db, create=args.create, write=True)
    credentials = access.read_credentials(lang=console.lang)
    logger.info("sync of %s into %s (full: %s, windows: %s)", url, args.db, args.full, windows)
    with ExitStack() as stack:
        store = stack.enter_context(access.open_store(args.db, create=args.create, write=True))
        session = stack.enter_context(access.session_for(url, credentials, args.timeout))
        progress = stack.enter_context(
            _progress(console, "Mise à jour des demandes", "Updating requests")
        )
        session.store = store
        try:
            report = session.requests.sync_all(full=args.full, progress=progress, **windows)
        except sqlite3.Error as exc:
            raise access.unusable_store(Path(args.db), str(exc), str(exc)) from None
    _show_sync(console, report)
    return EXIT_OK if not report.failed else EXIT_PROBLEMS


_BUCKETS_EN: Final = {
    "cerfa02": "CERFA 02",
    "cerfa06": "CERFA 06",
    "to_complete": "To complete",
    "awaiting_applicant_validation": "Awaiting the student's validation",
    "rejected": "Rejected",
    "drafts": "Drafts",
    "ready_for_cerfa06": "Ready for a Cerfa 06",
    "in_progress": "In progress",
    "transferred": "Transferred",
    "accepted": "Accepted",
}


def run_counts(args: argparse.Namespace, console: Console) -> int:
    """``counts``: the dashboard, requests per bucket."""
    from antsclient.models import Bucket  # noqa: PLC0415

    url = access.base_url(args.base_url)
    credentials = access.read_credentials(lang=console.lang)
    with access.session_for(url, credentials, args.timeout) as session:
        counts = session.requests.counts()
    row = counts.get(None, {})
    for bucket in Bucket:
        english = _BUCKETS_EN.get(bucket.value, bucket.value)
        count = row.get(bucket, 0)
        console.say(f"{bucket.label:45} {count:6}", f"{english:45} {count:6}")
    return EXIT_OK


# -- print ---------------------------------------------------------------------------------


def run_print(args: argparse.Namespace, console: Console) -> int:
    """``print``: the request's filled Cerfa 02 or 06 as a PDF (« Impression Cerfa »)."""
    from antsclient import printing  # noqa: PLC0415

    printing.require()
    url = access.base_url(args.base_url)
    target = args.to or "."
    credentials = access.read_credentials(lang=console.lang)
    with access.session_for(url, credentials, args.timeout) as session:
        request = session.requests.get(args.number)
        try:
            path = session.requests.print(request, to=target, cerfa=args.cerfa)
        except OSError as exc:
            raise access.unwritable(Path(target), *access.reason(exc)) from None
    cerfa = args.cerfa or request.cerfa.value
    console.say(
        f"Cerfa {cerfa} de la demande {args.number} → {path}",
        f"Cerfa {cerfa} of request {args.number} → {path}",
    )
    return EXIT_OK


# -- export --------------------------------------------------------------------------------


def _stored_requests(db: str, agreement: str) -> list[OnlineRequest]:
    with access.open_store(db) as store:
        agreements = store.agreements()
        if agreement and agreement not in agreements:
            known = ", ".join(agreements) or "—"
            raise UsageError(
                f"aucune demande de l'agence {agreement} dans « {db} » (agences : {known})",
                f"no request of the agency {agreement} in {db!r} (agencies: {known})",
            )
        try:
            return [r for a in ([agreement] if agreement else agreements) for r in store.search(a)]
        except sqlite3.Error as exc:
            raise access.unusable_store(Path(db), str(exc), str(exc)) from None


def run_export(args: argparse.Namespace, console: Console) -> int:
    """``export``: the stored requests into an Excel file, checked writable first."""
    from antsclient import export  # noqa: PLC0415

    if Path(args.path).suffix.lower() != ".xlsx":
        raise UsageError(
            f"« {args.path} » : l'export écrit un fichier Excel, nommé en .xlsx",
            f"{args.path!r}: the export writes an Excel file, named .xlsx",
        )
    target = access.writable_target(args.path)
    agreement = args.agreement or os.environ.get("ANTS_AGREEMENT") or ""
    requests = _stored_requests(args.db, agreement)
    with _progress(console, "Export Excel", "Excel export") as progress:
        try:
            path = export.to_excel(requests, target, progress=progress)
        except OSError as exc:
            raise access.unwritable(target, *access.reason(exc)) from None
    n = len(requests)
    console.say(f"{n} demande(s) → {path}", f"{n} request(s) → {path}")
    return EXIT_OK


# -- demo, sandbox, version ------------------------------------------------------------------


def _need_sandbox() -> None:
    try:
        import antsclient.sandbox  # noqa: F401, PLC0415
    except ImportError as exc:
        module = (exc.name or "starlette").partition(".")[0]
        raise UsageError(
            f"le bac à sable demande le module {module} : installez antsclient[sandbox]",
            f"the sandbox needs {module}: install antsclient[sandbox]",
        ) from None


def run_demo(args: argparse.Namespace, console: Console) -> int:
    """``demo``: the manual's story on a fresh sandbox."""
    from antsclient.demo import run_demo as demo  # noqa: PLC0415

    _need_sandbox()
    if args.out is not None:
        folder = Path(args.out)
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            fr, en = access.reason(exc)
            if isinstance(exc, FileExistsError):
                fr, en = "c'est un fichier", "it is a file"
            raise access.unwritable(folder, fr, en) from None
        access.writable_target(folder / "demandes.xlsx")
    watch = _watch_console(console) if args.console else None
    return demo(out=args.out, language=console.lang, console=watch)


def _watch_console(console: Console) -> Callable[[str], None]:
    """``demo --console``: the sandbox stays up until Ctrl-C while a person browses."""

    def watch(url: str) -> None:
        try:
            wait_until_interrupted()
        except KeyboardInterrupt:
            console.tell("Bac à sable arrêté.", "Sandbox stopped.")

    return watch


def wait_until_interrupted() -> None:
    """Block until Ctrl-C."""
    while True:
        time.sleep(1)


def _cannot_listen(args: argparse.Namespace, exc: OSError) -> UsageError:
    if exc.errno in {errno.EADDRINUSE, getattr(errno, "WSAEADDRINUSE", -1)}:
        return UsageError(
            f"le port {args.port} est déjà utilisé : choisissez-en un autre avec --port "
            "(0 : un port libre)",
            f"port {args.port} is already in use: choose another with --port (0: any free port)",
        )
    fr, en = access.reason(exc)
    return UsageError(
        f"impossible d'écouter sur {args.host}:{args.port} : {fr}",
        f"cannot listen on {args.host}:{args.port}: {en}",
    )


def run_sandbox(args: argparse.Namespace, console: Console) -> int:
    """``sandbox``: serve a sandbox until Ctrl-C."""
    _need_sandbox()
    from antsclient.sandbox import serve  # noqa: PLC0415
    from antsclient.sandbox.faults import FaultConfig  # noqa: PLC0415

    if args.db is not None:
        access.check_store(args.db, create=True, write=True)
    faults = FaultConfig(
        latency_ms=args.latency_ms,
        error_rate=args.fault_rate,
        drop_rate=args.drop_rate,
        seed=args.seed,
    )
    with ExitStack() as stack:
        try:
            sandbox = stack.enter_context(
                serve(port=args.port, db=args.db, seed=args.seed, faults=faults, host=args.host)
            )
        except OSError as exc:
            raise _cannot_listen(args, exc) from None
        except sqlite3.Error as exc:
            raise access.unusable_store(Path(args.db), str(exc), str(exc)) from None
        _announce(console, sandbox)
        try:
            wait_until_interrupted()
        except KeyboardInterrupt:
            console.tell("Bac à sable arrêté.", "Sandbox stopped.")
    return EXIT_OK


def _announce(console: Console, sandbox: Any) -> None:
    creds = sandbox.credentials
    url = sandbox.url
    password = creds.password.reveal()
    console.say(
        f"Bac à sable de l'ANTS sur {url} (API : {sandbox.api_url}, protocole : "
        f"{url}/openapi.yaml)",
        f"ANTS sandbox on {url} (API: {sandbox.api_url}, protocol: {url}/openapi.yaml)",
    )
    console.say(
        f"Agence : agrément {creds.agreement}, identifiant {creds.login}, mot de passe "
        f"{password} (données de test publiques)",
        f"Agency: agreement {creds.agreement}, login {creds.login}, password {password} "
        "(public sandbox test data)",
    )
    console.say(
        f"Console : {url}/console/ (auto-école, élève, préfecture, réglages ; cette machine "
        "seulement)",
        f"Console: {url}/console/ (agency, student, prefecture, settings; this machine only)",
    )
    console.say(
        f"Contrôles : POST/GET {url}/_sandbox/… — arrêt par Ctrl-C",
        f"Controls: POST/GET {url}/_sandbox/… — stop with Ctrl-C",
    )


def run_version(args: argparse.Namespace, console: Console) -> int:
    """``version``: the package's version."""
    from antsclient import __version__  # noqa: PLC0415

    console.say(f"antsclient {__version__}", f"antsclient {__version__}")
    return EXIT_OK


COMMANDS: Final[dict[str, Callable[[argparse.Namespace, Console], int]]] = {
    "check": run_check,
    "counts": run_counts,
    "demo": run_demo,
    "export": run_export,
    "geo": run_geo,
    "print": run_print,
    "sandbox": run_sandbox,
    "sync": run_sync,
    "version": run_version,
}
"""Each command's function, by name."""
