"""The command line: demo and check, with exit codes scripts rely on."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from antsclient.__main__ import EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, main
from antsclient.demo import run_demo, sample_application
from antsclient.protocol.converter import to_data


def test_demo_writes_a_valid_application(tmp_path: Path) -> None:
    out = io.StringIO()
    assert run_demo(out=str(tmp_path), stream=out) == 0
    text = out.getvalue()
    assert "Prénom incorrect" in text
    assert "Pièce d'identité" in text
    saved = json.loads((tmp_path / "application.json").read_text(encoding="utf-8"))
    assert saved["application"]["applicant"]["first_name"] == "Claire"
    assert main(["check", str(tmp_path / "application.json")]) == EXIT_OK


def test_demo_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--out", str(tmp_path)]) == 0
    assert str(tmp_path) in capsys.readouterr().out


def test_check_reports_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(to_data(sample_application())), encoding="utf-8")
    assert main(["check", str(path)]) == EXIT_PROBLEMS
    out = capsys.readouterr().out
    assert "first_name.several_given_names" in out
    assert "1 error(s)" in out


def test_check_reads_a_cerfa06(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = to_data(sample_application())
    body = {"applicant": data["applicant"], "categories": ["B"], "neph": "150833200011"}
    path = tmp_path / "c06.json"
    path.write_text(json.dumps({"cerfa": "06", "application": body}), encoding="utf-8")
    assert main(["check", str(path)]) == EXIT_PROBLEMS  # the two given names again
    assert "neph" not in capsys.readouterr().out


def test_check_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(tmp_path / "absent.json")]) == EXIT_USAGE
    assert "cannot read" in capsys.readouterr().err


def test_check_not_an_application(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "x.json"
    path.write_text(json.dumps({"applicant": {"last_name": "X"}}), encoding="utf-8")
    assert main(["check", str(path)]) == EXIT_USAGE
    assert "not an application" in capsys.readouterr().err


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["version"]) == EXIT_OK
    assert capsys.readouterr().out.strip().count(".") == 2


def test_no_command_is_a_usage_error() -> None:
    with pytest.raises(SystemExit) as exc:
        main([])
    assert exc.value.code == EXIT_USAGE
