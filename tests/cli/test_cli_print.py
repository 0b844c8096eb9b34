"""``antsclient print``: the filled Cerfa of a request, as a PDF file."""

from __future__ import annotations

from pathlib import Path

import pytest
from pypdf import PdfReader

from antsclient.__main__ import main
from antsclient.cli.console import EXIT_OK, EXIT_REFUSED, EXIT_USAGE
from antsclient.sandbox import SandboxHandle


def _text(path: Path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


def test_print_writes_the_cerfa_of_a_request(
    sandbox_env: SandboxHandle, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    request = sandbox_env.requests(sandbox_env.credentials.agreement)[0]
    assert main(["print", request.number, "--to", str(tmp_path)]) == EXIT_OK
    target = tmp_path / f"cerfa{request.cerfa.value}-{request.number}.pdf"
    out = capsys.readouterr().out
    assert out == f"Cerfa {request.cerfa.value} de la demande {request.number} → {target}\n"
    text = _text(target)
    assert f"Demande n° {request.number}" in text
    assert sandbox_env.credentials.agreement in text


def test_print_the_other_form_into_a_named_file(
    sandbox_env: SandboxHandle, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    request = sandbox_env.requests(sandbox_env.credentials.agreement)[0]
    target = tmp_path / "dossier" / "titre.pdf"
    code = main(["--lang", "en", "print", request.number, "--to", str(target), "--cerfa", "06"])
    assert code == EXIT_OK
    assert capsys.readouterr().out == f"Cerfa 06 of request {request.number} → {target}\n"
    assert "cerfa N° 14948*01" in _text(target)


def test_print_an_unknown_request(
    sandbox_env: SandboxHandle, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["print", "0", "--to", str(tmp_path)]) == EXIT_REFUSED
    assert "[request_not_found]" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_print_without_reportlab(
    sandbox_env: SandboxHandle,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(__import__("sys").modules, "reportlab", None)
    assert main(["print", "3201", "--to", str(tmp_path)]) == EXIT_USAGE
    assert "pip install 'antsclient[print]'" in capsys.readouterr().err


def test_print_into_a_named_file_says_the_requests_form(
    sandbox_env: SandboxHandle, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    request = sandbox_env.requests(sandbox_env.credentials.agreement)[0]
    target = tmp_path / "fiche.pdf"
    assert main(["print", request.number, "--to", str(target)]) == EXIT_OK
    out = capsys.readouterr().out
    assert out == f"Cerfa {request.cerfa.value} de la demande {request.number} → {target}\n"


def test_print_into_a_place_that_cannot_hold_it(
    sandbox_env: SandboxHandle, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    request = sandbox_env.requests(sandbox_env.credentials.agreement)[0]
    blocker = tmp_path / "un-fichier"
    blocker.write_text("pas un dossier")
    assert main(["print", request.number, "--to", str(blocker / "sous-dossier")]) == EXIT_USAGE
    assert str(blocker) in capsys.readouterr().err
