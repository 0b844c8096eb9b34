"""The demo as staff read it: French dates in Paris time, and a console that is not UTF-8."""

from __future__ import annotations

import datetime as dt
import io
import re
import zoneinfo
from pathlib import Path

import pytest

pytest.importorskip("uvicorn", reason="the demo needs the sandbox extra")

from antsclient.demo import run_demo

pytestmark = pytest.mark.network

FRENCH = r"(\d\d)/(\d\d)/(\d{4}) (\d\d):(\d\d)"


def _paris(match: re.Match[str]) -> dt.datetime:
    day, month, year, hour, minute = map(int, match.groups())
    return dt.datetime(year, month, day, hour, minute, tzinfo=zoneinfo.ZoneInfo("Europe/Paris"))


def test_the_demo_prints_french_dates_in_paris_time(tmp_path: Path) -> None:
    out = io.StringIO()
    before = dt.datetime.now(dt.UTC).replace(second=0, microsecond=0)
    assert run_demo(out=str(tmp_path), stream=out) == 0
    after = dt.datetime.now(dt.UTC)
    text = out.getvalue()
    created = re.search(r"créée le " + FRENCH, text)
    deadline = re.search(r"jusqu'au " + FRENCH, text)
    watermark = re.search(r"part du " + FRENCH, text)
    assert created and deadline and watermark, text
    assert before <= _paris(created) <= after
    assert before + dt.timedelta(days=7) <= _paris(deadline) <= after + dt.timedelta(days=7)
    assert before <= _paris(watermark) <= after
    assert not re.search(r"\d{4}-\d\d-\d\d[ T]\d\d:\d\d", text)  # no ISO instants
    # The usual way a school files: under a paper mandate, straight to the prefecture.
    mandate = text.split("Demande avec mandat papier", 1)[1]
    assert "Dossier en cours de vérification des pièces justificatives" in mandate
    assert "à conserver au moins jusqu'au " in mandate
    assert "+00:00" not in text


def test_the_demo_degrades_on_a_console_that_is_not_utf8(tmp_path: Path) -> None:
    raw = io.BytesIO()
    console = io.TextIOWrapper(raw, encoding="cp1252")
    assert run_demo(out=str(tmp_path), stream=console) == 0
    console.flush()
    text = raw.getvalue().decode("cp1252")
    assert "« ST PRIEST » -> « SAINT-PRIEST (69800) »" in text
    assert "    • x Prénom incorrect" in text  # ✗ stood in for, the bullet kept
    assert "    • Prénom : Claire" in text  # a bullet cp1252 has stays
    assert "Terminé en" in text


def test_the_demo_goes_on_without_the_print_extra(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(__import__("sys").modules, "reportlab", None)
    out = io.StringIO()
    assert run_demo(out=str(tmp_path), stream=out, language="fr") == 0
    assert "Impression non disponible : pip install 'antsclient[print]'" in out.getvalue()
    assert not list(tmp_path.glob("cerfa*.pdf"))
