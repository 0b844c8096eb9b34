"""Every user mistake exits 2 with one French line and one English line — never a traceback —
and is found before anything is read, asked or written."""

from __future__ import annotations

import errno
import os
import sqlite3
from pathlib import Path

import pytest

from antsclient.__main__ import EXIT_USAGE, main
from antsclient.cli import access
from antsclient.cli.options import french


def _usage(capsys: pytest.CaptureFixture[str]) -> tuple[str, str]:
    """The French and the English line of a usage error (and nothing on stdout)."""
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "Traceback" not in captured.err
    fr, en, *_ = captured.err.splitlines()
    return fr, en


@pytest.mark.parametrize(
    ("argv", "fr", "en"),
    [
        (
            ["sync", "--created-from", "2026-13-01"],
            "antsclient sync : argument --created-from : date invalide : « 2026-13-01 » "
            "(attendu : AAAA-MM-JJ ou JJ/MM/AAAA)",
            "antsclient sync: argument --created-from: not a date: '2026-13-01' "
            "(expected YYYY-MM-DD or DD/MM/YYYY)",
        ),
        (
            ["sync", "--modified-to", "31/02/2026"],
            "antsclient sync : argument --modified-to : date invalide : « 31/02/2026 » "
            "(attendu : AAAA-MM-JJ ou JJ/MM/AAAA)",
            "antsclient sync: argument --modified-to: not a date: '31/02/2026' "
            "(expected YYYY-MM-DD or DD/MM/YYYY)",
        ),
        (
            ["sandbox", "--port", "99999"],
            "antsclient sandbox : argument --port : port invalide : « 99999 » "
            "(attendu : de 0 à 65535)",
            "antsclient sandbox: argument --port: not a port: '99999' (expected 0 to 65535)",
        ),
        (
            ["sandbox", "--fault-rate", "2"],
            "antsclient sandbox : argument --fault-rate : proportion invalide : « 2 » "
            "(attendu : entre 0 et 1)",
            "antsclient sandbox: argument --fault-rate: not a share: '2' "
            "(expected a number between 0 and 1)",
        ),
        (
            ["counts", "--timeout", "0"],
            "antsclient counts : argument --timeout : durée invalide : « 0 » "
            "(attendu : un nombre de secondes > 0)",
            "antsclient counts: argument --timeout: not a number of seconds: '0' "
            "(expected a number above 0)",
        ),
        (
            ["geo", "X", "--limit", "0"],
            "antsclient geo : argument --limit : nombre invalide : « 0 » (attendu : un entier ≥ 1)",
            "antsclient geo: argument --limit: not a whole number above 0: '0'",
        ),
        (
            ["sandbox", "--seed", "x"],
            "antsclient sandbox : argument --seed : valeur invalide (nombre entier) : « x »",
            "antsclient sandbox: argument --seed: invalid int value: 'x'",
        ),
        (
            ["export"],
            "antsclient export : argument(s) obligatoire(s) manquant(s) : FICHIER.xlsx",
            "antsclient export: the following arguments are required: FICHIER.xlsx",
        ),
        (
            ["counts", "--password", "x"],
            "antsclient : argument(s) non reconnu(s) : --password x",
            "antsclient: unrecognized arguments: --password x",
        ),
    ],
)
def test_a_bad_option_value(
    argv: list[str], fr: str, en: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == EXIT_USAGE
    assert _usage(capsys) == (fr, en)


def test_an_unknown_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["synch"]) == EXIT_USAGE
    fr, en = _usage(capsys)
    assert fr.startswith("antsclient : argument COMMANDE : choix invalide : « synch » (possibles")
    assert en.startswith("antsclient: argument COMMANDE: invalid choice: 'synch'")


def test_an_unknown_argparse_message_still_has_a_french_line() -> None:
    assert french("something argparse never said") == "commande incorrecte (voir --help)"


def test_a_reversed_window(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["sync", "--created-from", "2026-03-02", "--created-to", "01/03/2026"]
    assert main(argv) == EXIT_USAGE
    assert _usage(capsys) == (
        "antsclient sync : --created-from (02/03/2026) est après --created-to (01/03/2026)",
        "antsclient sync: --created-from (2026-03-02) is after --created-to (2026-03-01)",
    )


def test_full_with_dates(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sync", "--full", "--modified-from", "2026-01-01"]) == EXIT_USAGE
    fr, en = _usage(capsys)
    assert "--full liste tout" in fr
    assert "--full lists everything" in en


def test_no_ants_address(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["counts"]) == EXIT_USAGE
    assert _usage(capsys) == (
        "antsclient counts : adresse de l'ANTS inconnue : définissez ANTS_BASE_URL ou donnez "
        "--base-url",
        "antsclient counts: no ANTS address: set ANTS_BASE_URL or pass --base-url",
    )


@pytest.mark.parametrize("url", ["not-a-url", "ftp://ants.example", "https://"])
def test_an_address_that_cannot_work(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["counts", "--base-url", url]) == EXIT_USAGE
    fr, en = _usage(capsys)
    assert f"adresse de l'ANTS invalide : « {url} »" in fr
    assert f"not an ANTS address: {url!r}" in en


def test_cron_without_credentials_asks_nothing(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ANTS_BASE_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("ANTS_AGREEMENT", "E1706900030")
    monkeypatch.setattr("getpass.getpass", lambda _: pytest.fail("no prompt under cron"))
    monkeypatch.setattr("builtins.input", lambda _: pytest.fail("no question under cron"))
    assert main(["counts"]) == EXIT_USAGE
    assert _usage(capsys) == (
        "antsclient counts : identifiants manquants (ANTS_LOGIN, ANTS_PASSWORD) et pas de "
        "terminal pour les demander : définissez ces variables d'environnement",
        "antsclient counts: missing credentials (ANTS_LOGIN, ANTS_PASSWORD) and no terminal "
        "to ask for them: set these environment variables",
    )


# -- the store ---------------------------------------------------------------------------


def test_export_refuses_a_missing_store(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "demandes.sqlite"
    assert main(["export", str(tmp_path / "x.xlsx"), "--db", str(db)]) == EXIT_USAGE
    fr, en = _usage(capsys)
    assert fr == (
        f"antsclient export : le fichier de demandes « {db} » n'existe pas : vérifiez --db "
        "(antsclient sync --create le crée)"
    )
    assert en.startswith(f"antsclient export: the store {str(db)!r} does not exist")
    assert sorted(tmp_path.iterdir()) == []  # neither the store nor the export


def test_sync_refuses_a_missing_store_unless_asked_to_create_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ANTS_BASE_URL", "http://127.0.0.1:9")
    db = tmp_path / "typo.sqlite"
    assert main(["sync", "--db", str(db)]) == EXIT_USAGE
    fr, _ = _usage(capsys)
    assert "n'existe pas" in fr
    # --create is accepted, but the credentials are missing: still nothing is created.
    assert main(["sync", "--db", str(db), "--create"]) == EXIT_USAGE
    assert "identifiants manquants" in _usage(capsys)[0]
    assert not db.exists()


@pytest.mark.parametrize("command", ["sync", "export"])
def test_a_store_that_is_not_one(
    command: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("ANTS_BASE_URL", "http://127.0.0.1:9")
    for name in ("ANTS_AGREEMENT", "ANTS_LOGIN", "ANTS_PASSWORD"):
        monkeypatch.setenv(name, "x")
    text = tmp_path / "notes.txt"
    text.write_text("not a database " * 100, encoding="utf-8")
    target = [str(tmp_path / "x.xlsx")] if command == "export" else []
    assert main([command, *target, "--db", str(text)]) == EXIT_USAGE
    fr, en = _usage(capsys)
    assert f"fichier de demandes « {text} » inutilisable" in fr
    assert f"cannot use the store {str(text)!r}" in en
    assert main([command, *target, "--db", str(tmp_path)]) == EXIT_USAGE
    assert _usage(capsys)[0].endswith("inutilisable : c'est un dossier")


def test_sync_create_in_a_missing_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ANTS_BASE_URL", "http://127.0.0.1:9")
    db = tmp_path / "absent" / "store.sqlite"
    assert main(["sync", "--db", str(db), "--create"]) == EXIT_USAGE
    fr, en = _usage(capsys)
    assert fr.endswith(f"inutilisable : le dossier « {db.parent} » n'existe pas")
    assert en.endswith(f"the folder {str(db.parent)!r} does not exist")


def test_a_store_that_cannot_be_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ANTS_BASE_URL", "http://127.0.0.1:9")
    db = tmp_path / "store.sqlite"
    sqlite3.connect(db).close()

    def refused(file: Path, *, folder: bool) -> None:
        raise PermissionError(errno.EACCES, "Permission denied", str(file))

    monkeypatch.setattr(access, "_probe", refused)
    assert main(["sync", "--db", str(db)]) == EXIT_USAGE
    fr, en = _usage(capsys)
    assert fr.endswith("inutilisable : permission refusée")
    assert en.endswith("permission denied")


# -- the export's target ----------------------------------------------------------------


@pytest.fixture
def store(tmp_path: Path) -> Path:
    from antsclient.storage import SqliteStore

    path = tmp_path / "store.sqlite"
    SqliteStore(path).close()
    return path


def test_export_to_a_missing_folder_reads_no_row(
    store: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr(access, "open_store", lambda *a, **k: pytest.fail("store opened"))
    target = tmp_path / "absent" / "demandes.xlsx"
    assert main(["export", str(target), "--db", str(store)]) == EXIT_USAGE
    assert _usage(capsys) == (
        f"antsclient export : impossible d'écrire « {target} » : le dossier "
        f"« {target.parent} » n'existe pas",
        f"antsclient export: cannot write {str(target)!r}: the folder "
        f"{str(target.parent)!r} does not exist",
    )


def test_export_to_a_file_that_is_not_xlsx(
    store: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "demandes.csv"
    assert main(["export", str(target), "--db", str(store)]) == EXIT_USAGE
    assert _usage(capsys) == (
        f"antsclient export : « {target} » : l'export écrit un fichier Excel, nommé en .xlsx",
        f"antsclient export: {str(target)!r}: the export writes an Excel file, named .xlsx",
    )
    assert not target.exists()


def test_export_onto_a_folder(
    store: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "archive.xlsx"
    folder.mkdir()
    assert main(["export", str(folder), "--db", str(store)]) == EXIT_USAGE
    fr, en = _usage(capsys)
    assert fr.endswith("c'est un dossier")
    assert en.endswith("it is a folder")


def test_export_to_a_file_that_cannot_be_written(
    store: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr(access, "open_store", lambda *a, **k: pytest.fail("store opened"))
    target = tmp_path / "demandes.xlsx"
    target.write_bytes(b"open in Excel")

    def locked(file: Path, *, folder: bool) -> None:
        raise PermissionError(errno.EACCES, "Permission denied", str(file))

    monkeypatch.setattr(access, "_probe", locked)
    assert main(["--lang", "en", "export", str(target), "--db", str(store)]) == EXIT_USAGE
    assert _usage(capsys) == (
        f"antsclient export : impossible d'écrire « {target} » : permission refusée",
        f"antsclient export: cannot write {str(target)!r}: permission denied",
    )
    assert target.read_bytes() == b"open in Excel"


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root writes anywhere")
def test_export_into_a_read_only_folder(
    store: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        assert main(["export", str(folder / "x.xlsx"), "--db", str(store)]) == EXIT_USAGE
    finally:
        folder.chmod(0o700)
    assert _usage(capsys)[0].endswith("permission refusée")


def test_the_probe_leaves_nothing_behind(tmp_path: Path) -> None:
    target = tmp_path / "demandes.xlsx"
    assert access.writable_target(target) == target
    assert list(tmp_path.iterdir()) == []
    target.write_bytes(b"kept")
    access.writable_target(target)
    assert target.read_bytes() == b"kept"


def test_export_of_an_agency_the_store_does_not_hold(
    store: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("ANTS_AGREEMENT", "E9999999999")
    assert main(["export", str(tmp_path / "x.xlsx"), "--db", str(store)]) == EXIT_USAGE
    fr, en = _usage(capsys)
    assert "aucune demande de l'agence E9999999999" in fr
    assert "no request of the agency E9999999999" in en
    assert not (tmp_path / "x.xlsx").exists()


def test_demo_into_a_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    file = tmp_path / "notes.txt"
    file.write_text("x", encoding="utf-8")
    assert main(["demo", "--out", str(file)]) == EXIT_USAGE
    fr, en = _usage(capsys)
    assert fr.endswith("c'est un fichier")
    assert en.endswith("it is a file")
