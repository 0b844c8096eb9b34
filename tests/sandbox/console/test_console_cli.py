"""The console from the command line: the demo stays up on it, the sandbox announces it."""

from __future__ import annotations

import io
import re
from pathlib import Path

import httpx
import pytest

from antsclient.cli import commands, main
from antsclient.cli.console import EXIT_OK
from antsclient.demo import run_demo

pytestmark = pytest.mark.network


def test_demo_console_keeps_the_story_up_until_ctrl_c(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    seen: list[str] = []
    told: list[str] = []

    def browse_then_ctrl_c() -> None:
        told.append(capsys.readouterr().out)
        url = re.search(r"Console : (http://127\.0\.0\.1:\d+/console/)", told[0])
        assert url is not None
        mail = httpx.get(url[1] + "eleve")
        seen.append(mail.text)
        raise KeyboardInterrupt

    monkeypatch.setattr(commands, "wait_until_interrupted", browse_then_ctrl_c)
    assert main(["demo", "--out", str(tmp_path), "--lang", "fr", "--console"]) == EXIT_OK
    out = told[0]
    assert "Courriel à claire.laboret@example.org : « Validez votre demande" in out
    assert "L'élève valide par le lien du courriel : Dossier en cours" in out
    (page,) = seen
    assert "Messages reçus par l'élève" in page
    assert "est acceptée" in page  # the story's student was told of the decision
    assert "Bac à sable arrêté." in capsys.readouterr().err


def test_demo_from_python_hands_over_the_console(tmp_path: Path) -> None:
    out = io.StringIO()
    urls: list[str] = []
    assert run_demo(out=str(tmp_path), stream=out, language="en", console=urls.append) == 0
    (url,) = urls
    assert f"Console: open {url} in a browser" in out.getvalue()


def test_the_sandbox_announces_its_console(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    answers: list[int] = []

    def one_page_then_ctrl_c() -> None:
        url = re.search(r"Console: (http://127\.0\.0\.1:\d+/console/)", capsys.readouterr().out)
        assert url is not None
        answers.append(httpx.get(url[1] + "bac-a-sable").status_code)
        raise KeyboardInterrupt

    monkeypatch.setattr(commands, "wait_until_interrupted", one_page_then_ctrl_c)
    assert main(["sandbox", "--port", "0", "--lang", "en"]) == EXIT_OK
    assert answers == [200]
