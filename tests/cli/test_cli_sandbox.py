"""The command line against a running sandbox: demo, sandbox, sync, counts, export, and
ANTS's refusals as exit codes."""

from __future__ import annotations

import re
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from cli_consoles import Consoles, written
from openpyxl import load_workbook

from antsclient import AntsSession, RetryPolicy
from antsclient.__main__ import (
    EXIT_OK,
    EXIT_REFUSED,
    EXIT_UNAVAILABLE,
    EXIT_USAGE,
    main,
)
from antsclient.cli import access, commands
from antsclient.sandbox import SandboxHandle

pytestmark = pytest.mark.network

PARIS_MOMENT = re.compile(r"\d{2}/\d{2}/\d{4} \d{2}:\d{2}")


def test_the_demo_tells_the_whole_story(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--out", str(tmp_path), "--lang", "fr"]) == EXIT_OK
    out = capsys.readouterr().out
    assert "Sync the agency" not in out  # one language per output
    for step in (
        "Paramétrage de l'agence",
        "« ST PRIEST » → « SAINT-PRIEST (69800) »",
        "dépasse la taille maximale de 11 Mo",
        "NEPH",
        "Cerfa 06 n°",
        "Impression Cerfa",
        "Mettre à jour toutes les demandes",
        "Tableau de bord",
        "reliée à l'élève",
        "demandes.xlsx",
        "Divergence de données",
        "Terminé en",
    ):
        assert step in out, step
    assert {p.name for p in tmp_path.iterdir()} >= {
        "application.json",
        "cni.pdf",
        "demandes.sqlite3",
        "demandes.xlsx",
        "ephoto.jpg",
        "signature.png",
    }
    (printed,) = tmp_path.glob("cerfa02-*.pdf")
    assert f"Cerfa 02 (n° 14866*01) de la demande {printed.stem[8:]} : {printed}" in out
    assert "3cfBelfort" not in out


def test_the_demo_in_english_only(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--out", str(tmp_path), "--lang", "en"]) == EXIT_OK
    out = capsys.readouterr().out
    assert "Sync the agency into a local store" in out
    assert "Done in" in out
    assert "Terminé en" not in out
    assert "Mettre à jour toutes les demandes" not in out


def test_the_demo_on_a_cp1252_console(tmp_path: Path, consoles: Consoles) -> None:
    stdout = consoles.encoded("cp1252")
    assert main(["demo", "--out", str(tmp_path), "--lang", "fr"]) == EXIT_OK
    out = written(stdout)
    assert "« ST PRIEST » -> « SAINT-PRIEST (69800) »" in out
    assert "• x Divergence de données" in out
    assert "Terminé en" in out
    assert stdout.errors == "strict"  # given back as it was


def _sync(db: Path, *extra: str) -> int:
    return main(["sync", "--db", str(db), *extra])


def test_sync_counts_and_export(
    sandbox_env: SandboxHandle, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "store.sqlite3"
    assert _sync(db, "--create") == EXIT_OK
    captured = capsys.readouterr()
    assert captured.out.startswith("Mise à jour terminée : 7 nouvelle(s), 0 modifiée(s)")
    assert PARIS_MOMENT.search(captured.out.splitlines()[-1])
    assert captured.err == ""  # not a terminal: no progress frames
    assert main(["counts"]) == EXIT_OK
    assert "Brouillons" in capsys.readouterr().out
    target = tmp_path / "demandes.xlsx"
    assert main(["export", str(target), "--db", str(db)]) == EXIT_OK
    assert capsys.readouterr().out == f"7 demande(s) → {target}\n"
    server = sandbox_env.requests(sandbox_env.credentials.agreement)
    sheet = load_workbook(target).active
    assert sheet is not None
    assert sheet.max_row == len(server) + 1
    assert _sync(db, "--modified-from", "01/01/2020") == EXIT_OK
    assert "Demandes modifiées depuis" not in capsys.readouterr().out


def test_sync_in_english(
    sandbox_env: SandboxHandle, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--lang", "en", "sync", "--db", str(tmp_path / "s.db"), "--create"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Sync done: 7 new, 0 updated, 0 unchanged, 1 unlinked, 0 unreadable")
    assert re.search(r"The next sync starts from \d{4}-\d{2}-\d{2} \d{2}:\d{2} \(Paris\)", out)
    assert "Mise à jour" not in out


def test_full_brings_back_dated_requests(
    sandbox_env: SandboxHandle, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "store.sqlite3"
    assert _sync(db, "--create") == EXIT_OK
    capsys.readouterr()
    sandbox_env.seed_requests(5)  # an import, dated before the last sync
    assert _sync(db) == EXIT_OK
    out = capsys.readouterr().out
    assert "0 nouvelle(s)" in out
    assert "Demandes modifiées depuis le" in out
    assert _sync(db, "--full") == EXIT_OK
    out = capsys.readouterr().out
    assert "5 nouvelle(s)" in out
    assert "Demandes modifiées depuis" not in out


def test_progress_frames_only_on_a_terminal(
    sandbox_env: SandboxHandle,
    tmp_path: Path,
    consoles: Consoles,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    terminal = consoles.terminal()
    db = tmp_path / "store.sqlite3"
    assert _sync(db, "--create") == EXIT_OK
    assert "Mise à jour des demandes" in terminal.getvalue()
    assert "\r" in terminal.getvalue()
    assert main(["export", str(tmp_path / "t.xlsx"), "--db", str(db)]) == EXIT_OK
    assert "Export Excel" in terminal.getvalue()
    monkeypatch.undo()
    capsys.readouterr()
    assert main(["export", str(tmp_path / "x.xlsx"), "--db", str(db)]) == EXIT_OK
    assert capsys.readouterr().err == ""


def test_timeout_is_the_sessions(
    sandbox_env: SandboxHandle, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    made: list[AntsSession] = []
    original = access.session_for

    def spy(*args: Any) -> AntsSession:
        made.append(original(*args))
        return made[-1]

    monkeypatch.setattr(access, "session_for", spy)
    assert main(["counts", "--timeout", "7.5"]) == EXIT_OK
    assert _sync(tmp_path / "s.db", "--create") == EXIT_OK
    assert made[0].timeout == 7.5
    assert made[1].timeout != 7.5  # the library's default


def test_verbose_shows_the_librarys_log(
    sandbox_env: SandboxHandle, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["counts"]) == EXIT_OK
    assert capsys.readouterr().err == ""
    assert main(["counts", "-v"]) == EXIT_OK
    err = capsys.readouterr().err
    assert "INFO antsclient: POST /api/v1/auth/token -> 200" in err
    assert "DEBUG" not in err
    assert main(["-vv", "counts"]) == EXIT_OK
    assert "DEBUG antsclient.cli: session on" in capsys.readouterr().err
    assert main(["counts"]) == EXIT_OK
    assert capsys.readouterr().err == ""  # the handler went with the command


def test_wrong_password_exit_code(
    sandbox_env: SandboxHandle,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("ANTS_PASSWORD", "wrong-password")
    assert main(["counts"]) == EXIT_REFUSED
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith("antsclient counts : Erreur d'authentification")
    assert err[0].endswith("[authentication_failed]")
    assert re.fullmatch(r"Référence de la réponse, à donner au support : \w+", err[1])
    assert "wrong-password" not in "\n".join(err)
    assert main(["counts", "--lang", "en"]) == EXIT_REFUSED
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith("antsclient counts: authentication failed")
    assert err[1].startswith("Answer id, to quote to support: ")


@pytest.fixture
def quick_sessions(monkeypatch: pytest.MonkeyPatch) -> None:
    """Sessions that retry at once (an outage is found in milliseconds)."""

    def quick(url: str, credentials: Any, timeout: float | None) -> AntsSession:
        return AntsSession(credentials, base_url=url, retry=RetryPolicy.immediate(2))

    monkeypatch.setattr(access, "session_for", quick)


@pytest.mark.usefixtures("quick_sessions")
def test_unreachable_exit_code(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ANTS_BASE_URL", "http://127.0.0.1:9")
    for name in ("ANTS_AGREEMENT", "ANTS_LOGIN", "ANTS_PASSWORD"):
        monkeypatch.setenv(name, "x")
    assert main(["counts"]) == EXIT_UNAVAILABLE
    err = capsys.readouterr().err
    assert err.startswith("antsclient counts : La page ne répond pas")
    assert "Traceback" not in err


@pytest.mark.usefixtures("quick_sessions")
def test_an_unreadable_answer_is_unavailable(
    sandbox_env: SandboxHandle, capsys: pytest.CaptureFixture[str]
) -> None:
    sandbox_env.set_faults(malformed_rate=1.0)
    assert main(["counts", "--lang", "en"]) == EXIT_UNAVAILABLE
    assert "body that is not JSON" in capsys.readouterr().err


# -- the sandbox command -------------------------------------------------------------------


@pytest.fixture
def busy_port() -> Iterator[int]:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        yield listener.getsockname()[1]


def test_sandbox_on_a_busy_port(busy_port: int, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sandbox", "--port", str(busy_port)]) == EXIT_USAGE
    assert capsys.readouterr().err.splitlines() == [
        f"antsclient sandbox : le port {busy_port} est déjà utilisé : choisissez-en un autre "
        "avec --port (0 : un port libre)",
        f"antsclient sandbox: port {busy_port} is already in use: choose another with --port "
        "(0: any free port)",
    ]


def test_sandbox_on_an_address_it_cannot_have(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sandbox", "--port", "0", "--host", "192.0.2.1"]) == EXIT_USAGE
    fr, en = capsys.readouterr().err.splitlines()
    assert fr.startswith("antsclient sandbox : impossible d'écouter sur 192.0.2.1:0 : ")
    assert en.startswith("antsclient sandbox: cannot listen on 192.0.2.1:0: ")


@pytest.mark.parametrize("kind", ["folder", "text"])
def test_sandbox_with_an_unusable_db(
    kind: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path
    if kind == "text":
        db = tmp_path / "notes.txt"
        db.write_text("not a database " * 100, encoding="utf-8")
    assert main(["sandbox", "--port", "0", "--db", str(db)]) == EXIT_USAGE
    fr, en = capsys.readouterr().err.splitlines()
    assert fr.startswith(f"antsclient sandbox : fichier de demandes « {db} » inutilisable")
    assert en.startswith(f"antsclient sandbox: cannot use the store {str(db)!r}")


def test_sandbox_serves_until_ctrl_c(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    answers: list[int] = []

    def one_call_then_ctrl_c() -> None:
        url = re.search(r"http://127\.0\.0\.1:\d+", capsys.readouterr().out)
        assert url is not None
        answers.append(httpx.get(f"{url[0]}/openapi.yaml").status_code)
        raise KeyboardInterrupt

    monkeypatch.setattr(commands, "wait_until_interrupted", one_call_then_ctrl_c)
    db = tmp_path / "sandbox.sqlite3"
    assert main(["sandbox", "--port", "0", "--db", str(db), "--lang", "en"]) == EXIT_OK
    assert answers == [200]
    assert capsys.readouterr().err == "Sandbox stopped.\n"
    assert db.exists()
