"""The command line as a user runs it: a process, its stdin not a terminal, its stdout in
the console's encoding."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from antsclient.__main__ import EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, main
from antsclient.cli import commands

SRC = Path(__file__).resolve().parents[2] / "src"


def _run(*argv: str, **environ: str) -> subprocess.CompletedProcess[bytes]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("ANTS_", "LC_", "PYTHONIOENCODING"))
    }
    env.update({"LANG": "fr_FR.UTF-8", "PYTHONPATH": str(SRC), **environ})
    return subprocess.run(
        [sys.executable, "-m", "antsclient", *argv],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        env=env,
        timeout=60,
        check=False,
    )


def test_version() -> None:
    done = _run("--version")
    assert done.returncode == EXIT_OK
    assert done.stdout.decode().startswith("antsclient ")


def test_cron_gets_two_lines_and_no_prompt() -> None:
    done = _run("counts", ANTS_BASE_URL="http://127.0.0.1:9", ANTS_LOGIN="me")
    assert done.returncode == EXIT_USAGE
    fr, en = done.stderr.decode("utf-8").splitlines()
    assert fr.startswith("antsclient counts : identifiants manquants (ANTS_AGREEMENT, ANTS_PASS")
    assert en.startswith("antsclient counts: missing credentials (ANTS_AGREEMENT, ANTS_PASS")
    assert done.stdout == b""


def test_a_redirected_cp1252_console(application_file: Callable[..., Path]) -> None:
    done = _run("check", "--geo", str(application_file()), PYTHONIOENCODING="cp1252")
    assert done.returncode == EXIT_PROBLEMS
    assert b"Traceback" not in done.stderr
    out = done.stdout.decode("cp1252")
    assert "« ST PRIEST » -> « SAINT-PRIEST (69800) »" in out


def test_the_sandbox_without_its_extra(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in list(sys.modules):
        if name == "antsclient.sandbox" or name.startswith("antsclient.sandbox."):
            monkeypatch.delitem(sys.modules, name)
        elif name == "starlette" or name.startswith("starlette."):
            monkeypatch.setitem(sys.modules, name, None)
    monkeypatch.setitem(sys.modules, "starlette", None)
    monkeypatch.setattr(commands, "wait_until_interrupted", pytest.fail)
    for command, option in (("sandbox", ["--port", "0"]), ("demo", ["--out", str(tmp_path)])):
        assert main([command, *option]) == EXIT_USAGE
        fr, en = capsys.readouterr().err.splitlines()
        assert fr == (
            f"antsclient {command} : le bac à sable demande le module starlette : "
            "installez antsclient[sandbox]"
        )
        assert (
            en == f"antsclient {command}: the sandbox needs starlette: install antsclient[sandbox]"
        )
