"""The command line against a running sandbox: demo, sync, counts, export."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook

from antsclient.__main__ import EXIT_OK, EXIT_REFUSED, EXIT_UNAVAILABLE, main
from antsclient.sandbox import SandboxHandle

pytestmark = pytest.mark.network


def test_the_demo_tells_the_whole_story(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--out", str(tmp_path)]) == EXIT_OK
    out = capsys.readouterr().out
    for step in (
        "Paramétrage de l'agence",
        "« ST PRIEST » → « SAINT-PRIEST (69800) »",
        "dépasse la taille maximale de 11 Mo",
        "NEPH",
        "Cerfa 06 n°",
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
    assert "3cfBelfort" not in out


def _environment(
    monkeypatch: pytest.MonkeyPatch, sandbox: SandboxHandle, password: str | None = None
) -> None:
    creds = sandbox.credentials
    monkeypatch.setenv("ANTS_BASE_URL", sandbox.url)
    monkeypatch.setenv("ANTS_AGREEMENT", creds.agreement)
    monkeypatch.setenv("ANTS_LOGIN", creds.login)
    monkeypatch.setenv("ANTS_PASSWORD", password or creds.password.reveal())


def test_sync_counts_and_export(
    ants_sandbox: SandboxHandle,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _environment(monkeypatch, ants_sandbox)
    db = tmp_path / "store.sqlite3"
    assert main(["sync", "--db", str(db)]) == EXIT_OK
    captured = capsys.readouterr()
    assert "new" in captured.out
    assert "Mise à jour des demandes" in captured.err
    assert main(["counts"]) == EXIT_OK
    assert "Brouillons" in capsys.readouterr().out
    target = tmp_path / "demandes.xlsx"
    assert main(["export", str(target), "--db", str(db)]) == EXIT_OK
    server = ants_sandbox.requests(ants_sandbox.credentials.agreement)
    sheet = load_workbook(target).active
    assert sheet is not None
    assert sheet.max_row == len(server) + 1
    assert main(["sync", "--db", str(db), "--modified-from", "2020-01-01"]) == EXIT_OK


def test_wrong_password_exit_code(
    ants_sandbox: SandboxHandle,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _environment(monkeypatch, ants_sandbox, password="wrong-password")
    assert main(["counts"]) == EXIT_REFUSED
    err = capsys.readouterr().err
    assert "Erreur d'authentification" in err
    assert "wrong-password" not in err


def test_unreachable_exit_code(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ANTS_BASE_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("ANTS_AGREEMENT", "E1706900030")
    monkeypatch.setenv("ANTS_LOGIN", "x")
    monkeypatch.setenv("ANTS_PASSWORD", "y")
    import antsclient.__main__ as cli

    def quick(args: object) -> object:
        from antsclient import AntsSession, RetryPolicy
        from antsclient.__main__ import read_credentials

        return AntsSession(
            read_credentials(), base_url="http://127.0.0.1:9", retry=RetryPolicy.immediate(2)
        )

    monkeypatch.setattr(cli, "_open_session", quick)
    assert main(["counts"]) == EXIT_UNAVAILABLE
    assert "La page ne répond pas" in capsys.readouterr().err


def test_no_base_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ANTS_BASE_URL", raising=False)
    with pytest.raises(SystemExit, match="ANTS_BASE_URL"):
        main(["counts"])
