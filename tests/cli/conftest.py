"""The command line's tests run in a known language, without the machine's ANTS_* variables
and without a terminal, unless a test says otherwise."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from cli_consoles import Consoles

from antsclient.codec import to_data
from antsclient.demo import sample_application
from antsclient.sandbox import SandboxHandle

ANTS_VARIABLES = (
    "ANTS_AGREEMENT",
    "ANTS_LOGIN",
    "ANTS_PASSWORD",
    "ANTS_POSTAL_CODE",
    "ANTS_PREFECTURE",
    "ANTS_BASE_URL",
)


@pytest.fixture(autouse=True)
def _french_and_no_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (*ANTS_VARIABLES, "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "fr_FR.UTF-8")
    monkeypatch.setattr("sys.stdin", io.StringIO(""))


@pytest.fixture
def sandbox_env(ants_sandbox: SandboxHandle, monkeypatch: pytest.MonkeyPatch) -> SandboxHandle:
    """The ANTS_* variables of the loopback sandbox's agency."""
    creds = ants_sandbox.credentials
    monkeypatch.setenv("ANTS_BASE_URL", ants_sandbox.url)
    monkeypatch.setenv("ANTS_AGREEMENT", creds.agreement)
    monkeypatch.setenv("ANTS_LOGIN", creds.login)
    monkeypatch.setenv("ANTS_PASSWORD", creds.password.reveal())
    return ants_sandbox


@pytest.fixture
def application_file(tmp_path: Path) -> Callable[..., Path]:
    """Writes the demo's application (two given names, « ST PRIEST ») as JSON, changed by
    ``applicant=`` and ``address=`` fields."""

    def write(name: str = "application.json", **changes: dict[str, str]) -> Path:
        data = to_data(sample_application())
        data["applicant"].update(changes.get("applicant", {}))
        data["applicant"]["address"].update(changes.get("address", {}))
        path = tmp_path / name
        path.write_text(json.dumps({"cerfa": "02", "application": data}), encoding="utf-8")
        return path

    return write


@pytest.fixture
def consoles(monkeypatch: pytest.MonkeyPatch) -> Consoles:
    """Consoles to put in place of stdout or stderr."""
    return Consoles(monkeypatch)
