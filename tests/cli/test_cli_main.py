"""The command line: exit codes scripts rely on, credentials never from argv."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from antsclient.__main__ import (
    EXIT_OK,
    EXIT_PROBLEMS,
    EXIT_USAGE,
    main,
    read_credentials,
)
from antsclient.codec import to_data
from antsclient.demo import sample_application


def _write(path: Path, data: object) -> Path:
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_check_reports_errors_and_geo(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _write(
        tmp_path / "bad.json", {"cerfa": "02", "application": to_data(sample_application())}
    )
    assert main(["check", "--geo", str(path)]) == EXIT_PROBLEMS
    out = capsys.readouterr().out
    assert "first_name.several_given_names" in out
    assert "SAINT-PRIEST (69800)" in out
    assert "1 error(s)" in out


def test_check_passes_a_fixed_application(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = to_data(sample_application())
    data["applicant"]["first_name"] = "Claire"
    data["applicant"]["other_first_names"] = "Anne"
    assert main(["check", str(_write(tmp_path / "ok.json", data))]) == EXIT_OK
    assert "0 error(s)" in capsys.readouterr().out


def test_check_reads_a_cerfa06(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = to_data(sample_application())
    body = {"applicant": data["applicant"], "categories": ["B"], "neph": "150833200011"}
    path = _write(tmp_path / "c06.json", {"cerfa": "06", "application": body})
    assert main(["check", str(path)]) == EXIT_PROBLEMS  # the two given names again
    assert "neph" not in capsys.readouterr().out


def test_check_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(tmp_path / "absent.json")]) == EXIT_USAGE
    assert "cannot read" in capsys.readouterr().err


def test_check_not_an_application(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _write(tmp_path / "x.json", {"applicant": {"last_name": "X"}})
    assert main(["check", str(path)]) == EXIT_USAGE
    err = capsys.readouterr().err
    assert "is not a Cerfa 02 application" in err
    assert "$.applicant.first_name: required field missing" in err


def test_geo_suggestions(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["geo", "ST PRIEST", "--limit", "3"]) == EXIT_OK
    out = capsys.readouterr().out
    assert "SAINT-PRIEST (69800)" in out
    assert len(out.strip().splitlines()) == 3


def test_geo_nothing_found(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["geo", "ZZZZQQQXXX"]) == EXIT_PROBLEMS
    assert "aucune commune" in capsys.readouterr().out


def test_geo_country(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["geo", "--country", "Deutschland"]) == EXIT_OK
    assert "ALLEMAGNE" in capsys.readouterr().out
    assert main(["geo", "--country", "Atlantide du Nord"]) == EXIT_PROBLEMS


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["version"]) == EXIT_OK
    assert capsys.readouterr().out.strip().count(".") == 2


def test_no_command_is_a_usage_error() -> None:
    with pytest.raises(SystemExit) as exc:
        main([])
    assert exc.value.code == EXIT_USAGE


def test_credentials_from_the_environment() -> None:
    creds = read_credentials(
        {
            "ANTS_AGREEMENT": "E1706900030",
            "ANTS_LOGIN": "claboret662",
            "ANTS_PASSWORD": "s3cret",
            "ANTS_POSTAL_CODE": "90000",
        },
        prompt=lambda _: pytest.fail("no prompt expected"),
        ask=lambda _: pytest.fail("no question expected"),
    )
    assert creds.agreement == "E1706900030"
    assert creds.password.reveal() == "s3cret"
    assert creds.postal_code == "90000"
    assert creds.prefecture is None


def test_credentials_prompted_when_missing() -> None:
    asked: list[str] = []
    creds = read_credentials(
        {},
        prompt=lambda label: asked.append(label) or "hidden",
        ask=lambda label: asked.append(label) or " E1 ",
    )
    assert creds.agreement == "E1"
    assert creds.password.reveal() == "hidden"
    assert any("Mot de passe" in label for label in asked)


def test_no_command_takes_a_password_argument() -> None:
    from antsclient.__main__ import _parser

    text = _parser().format_help()
    for action in _parser()._subparsers._group_actions:  # type: ignore[union-attr]
        for sub in action.choices.values():
            text += sub.format_help()
    assert "--password" not in text


def test_sandbox_hands_its_arguments_over() -> None:
    with pytest.raises(SystemExit) as exc:
        main(["sandbox", "--no-such-option"])
    assert exc.value.code == EXIT_USAGE
