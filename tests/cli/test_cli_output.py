"""What the command line writes: one language per output, consoles that cannot write every
character, dates for staff in Paris time."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from pathlib import Path

import pytest
from cli_consoles import Consoles, written

from antsclient.__main__ import EXIT_OK, EXIT_PROBLEMS, main
from antsclient.cli.console import Console, language_of, tolerant_streams


@pytest.mark.parametrize(
    ("environ", "lang"),
    [
        ({"LANG": "fr_FR.UTF-8"}, "fr"),
        ({"LANG": "fr_BE"}, "fr"),
        ({"LANG": "en_GB.UTF-8"}, "en"),
        ({"LANG": "C.UTF-8"}, "en"),
        ({"LANG": "fr_FR.UTF-8", "LC_ALL": "en_US.UTF-8"}, "en"),
        ({"LANG": "en_US.UTF-8", "LC_ALL": "fr_FR.UTF-8"}, "fr"),
        ({"LANG": "en_US.UTF-8", "LC_MESSAGES": "fr_FR"}, "fr"),
        ({"LANG": "en_US.UTF-8", "LC_ALL": ""}, "en"),
    ],
)
def test_the_locale_chooses_the_language(environ: dict[str, str], lang: str) -> None:
    assert language_of([], environ) == lang


def test_without_a_locale_variable_the_systems_decides(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("locale.getlocale", lambda *a: ("French_France", "1252"))
    assert language_of([], {}) == "fr"
    monkeypatch.setattr("locale.getlocale", lambda *a: (None, None))
    assert language_of([], {}) == "en"


@pytest.mark.parametrize(
    ("argv", "lang"),
    [
        (["--lang", "en", "check", "x"], "en"),
        (["check", "x", "--lang=en"], "en"),
        (["check", "--lang", "fr", "x"], "fr"),
        (["check", "x", "--lang", "de"], "fr"),  # refused by the parser, in the locale's
        (["check", "--", "--lang", "en"], "fr"),
    ],
)
def test_the_flag_wins(argv: list[str], lang: str) -> None:
    assert language_of(argv, {"LANG": "fr_FR.UTF-8"}) == lang


def test_one_language_per_output(
    application_file: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    path = str(application_file())
    assert main(["check", "--geo", path]) == EXIT_PROBLEMS
    french = capsys.readouterr().out
    assert main(["check", "--geo", path, "--lang", "en"]) == EXIT_PROBLEMS
    english = capsys.readouterr().out
    assert "erreur" in french
    assert "error(s)" not in french
    assert "error" in english
    assert "erreur" not in english
    assert "corrigé" not in english


@pytest.mark.parametrize("encoding", ["cp1252", "ascii", "latin-1"])
def test_check_on_a_console_that_is_not_utf8(
    encoding: str, application_file: Callable[..., Path], consoles: Consoles
) -> None:
    stdout = consoles.encoded(encoding)
    assert main(["check", "--geo", str(application_file())]) == EXIT_PROBLEMS
    out = written(stdout)
    assert "ST PRIEST" in out
    assert "->" in out
    assert "1 erreur(s), 0 avertissement(s)" in out
    if encoding == "ascii":
        assert "<< ST PRIEST >> -> << SAINT-PRIEST (69800) >> (corrige a l'envoi)" in out
    else:
        assert "« ST PRIEST » -> « SAINT-PRIEST (69800) » (corrigé à l'envoi)" in out
    assert stdout.errors == "strict"


def test_geo_on_an_ascii_console(consoles: Consoles) -> None:
    stdout = consoles.encoded("ascii")
    assert main(["geo", "LYON 01", "--limit", "1"]) == EXIT_OK
    assert main(["geo", "ÉPINAL", "--limit", "1"]) == EXIT_OK
    assert main(["geo", "ZZZZQQQXXX"]) == EXIT_PROBLEMS
    out = written(stdout).splitlines()
    assert "EPINAL" in out[1]
    assert out[2] == "<< ZZZZQQQXXX >> : aucune commune"


def test_errors_on_a_cp1252_stderr(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    stderr = io.TextIOWrapper(io.BytesIO(), encoding="ascii", errors="strict")
    monkeypatch.setattr("sys.stderr", stderr)
    assert main(["check", str(tmp_path / "absent.json")]) == 2
    fr = written(stderr).splitlines()[0]
    assert fr.startswith("antsclient check : impossible de lire << ")
    assert fr.endswith("fichier introuvable")


def test_a_utf8_console_is_left_alone(consoles: Consoles) -> None:
    stdout = consoles.encoded("utf-8")
    with tolerant_streams():
        assert stdout.errors == "strict"
        print("→ ✗ «»")
    assert written(stdout) == "→ ✗ «»\n"


def test_a_console_that_is_not_a_text_wrapper(monkeypatch: pytest.MonkeyPatch) -> None:
    stream = io.StringIO()
    monkeypatch.setattr("sys.stdout", stream)
    with tolerant_streams():
        print("→")
    assert stream.getvalue() == "→\n"


@pytest.mark.parametrize(
    ("moment", "fr", "en"),
    [
        (
            dt.datetime(2026, 7, 1, 12, 5, 59, 999_999, tzinfo=dt.UTC),
            "01/07/2026 14:05",
            "2026-07-01 14:05 (Paris)",
        ),
        (dt.datetime(2026, 1, 15, 23, 30, tzinfo=dt.UTC), "16/01/2026 00:30", None),
        (dt.datetime(2026, 1, 15, 23, 30), "16/01/2026 00:30", None),  # naive: UTC
    ],
)
def test_dates_for_staff_are_in_paris_time(moment: dt.datetime, fr: str, en: str | None) -> None:
    assert Console("fr").moment(moment) == fr
    if en is not None:
        assert Console("en").moment(moment) == en


def test_dates_without_a_time_zone_database(monkeypatch: pytest.MonkeyPatch) -> None:
    import zoneinfo

    def missing(key: str) -> zoneinfo.ZoneInfo:
        raise zoneinfo.ZoneInfoNotFoundError(key)

    monkeypatch.setattr(zoneinfo, "ZoneInfo", missing)
    moment = dt.datetime(2026, 7, 1, 12, 5, tzinfo=dt.UTC)
    assert Console("fr").moment(moment) == "01/07/2026 12:05 UTC"
    assert Console("en").moment(moment) == "2026-07-01 12:05 UTC"


def test_verbose_logs_the_commands_steps(
    application_file: Callable[..., Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from antsclient.storage import SqliteStore

    db = tmp_path / "store.sqlite3"
    SqliteStore(db).close()
    target = tmp_path / "x.xlsx"
    assert main(["export", str(target), "--db", str(db), "-vv"]) == EXIT_OK
    captured = capsys.readouterr()
    assert "DEBUG antsclient.cli: store" in captured.err
    assert captured.out == f"0 demande(s) → {target}\n"
    assert main(["export", str(target), "--db", str(db)]) == EXIT_OK
    assert capsys.readouterr().err == ""
