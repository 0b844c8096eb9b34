"""The Excel export streams its rows: progress, every row styled, unwritable paths early."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterator
from pathlib import Path

import pytest

from antsclient.export import to_excel
from antsclient.models import Cerfa, OnlineRequest, RequestStatus

T0 = dt.datetime(2026, 3, 1, 11, 0, tzinfo=dt.UTC)
PARIS = zoneinfo.ZoneInfo("Europe/Paris")


def _requests(count: int) -> Iterator[OnlineRequest]:
    for n in range(count):
        yield OnlineRequest(
            number=str(5000 + n),
            cerfa=Cerfa.C02,
            status=RequestStatus.DRAFT,
            status_label=RequestStatus.DRAFT.label,
            type_label="Inscription",
            created=T0 + dt.timedelta(hours=n),
            modified=T0 + dt.timedelta(hours=n, minutes=5),
            student_id=None if n % 3 == 0 else f"S{n}",
            applicant_name=f"ELEVE {n}",
        )


def test_progress_counts_every_thousand_rows_and_the_end(tmp_path: Path) -> None:
    pytest.importorskip("openpyxl")
    seen: list[tuple[int, int]] = []
    to_excel(list(_requests(2500)), tmp_path / "l.xlsx", progress=lambda d, t: seen.append((d, t)))
    assert seen == [(1000, 2500), (2000, 2500), (2500, 2500)]
    seen.clear()
    to_excel(list(_requests(2000)), tmp_path / "m.xlsx", progress=lambda d, t: seen.append((d, t)))
    assert seen == [(1000, 2000), (2000, 2000)]
    seen.clear()
    to_excel([], tmp_path / "e.xlsx", progress=lambda d, t: seen.append((d, t)))
    assert seen == [(0, 0)]


def test_an_iterator_of_unknown_length_is_exported(tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    seen: list[tuple[int, int]] = []
    path = to_excel(_requests(1200), tmp_path / "i.xlsx", progress=lambda d, t: seen.append((d, t)))
    assert seen == [(1000, 0), (1200, 1200)]
    ws = openpyxl.load_workbook(path).active
    assert ws.max_row == 1201
    assert ws.auto_filter.ref == "A1:G1201"


def test_the_last_rows_are_styled_as_the_first(tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    path = to_excel(_requests(1500), tmp_path / "s.xlsx")
    ws = openpyxl.load_workbook(path).active
    assert [c.font.bold for c in ws[1]] == [True] * 7
    for index in (2, 3, 1499, 1500, 1501):
        row = ws[index]
        number = int(row[1].value) - 5000
        assert row[1].value == str(5000 + index - 2)
        assert row[2].is_date
        assert row[2].number_format == "dd/mm/yyyy hh:mm"
        created = (T0 + dt.timedelta(hours=number)).astimezone(PARIS).replace(tzinfo=None)
        assert row[2].value == created
        red = number % 3 == 0
        assert all(
            (c.font.color is not None and c.font.color.rgb == "FFFF0000") is red for c in row
        )
    widths = [ws.column_dimensions[letter].width for letter in "ABCDEFG"]
    assert widths == [28, 26, 18, 20, 70, 16, 18]
    assert ws.freeze_panes == "A2"


def test_an_unwritable_path_fails_before_reading_a_request(tmp_path: Path) -> None:
    pytest.importorskip("openpyxl")
    read: list[int] = []

    def counted() -> Iterator[OnlineRequest]:
        for request in _requests(10):
            read.append(1)
            yield request

    with pytest.raises(FileNotFoundError):
        to_excel(counted(), tmp_path / "missing-folder" / "x.xlsx")
    assert read == []


def test_a_failure_midway_leaves_no_partial_file(tmp_path: Path) -> None:
    pytest.importorskip("openpyxl")

    def broken() -> Iterator[OnlineRequest]:
        yield from _requests(5)
        raise RuntimeError("the store went away")

    target = tmp_path / "x.xlsx"
    with pytest.raises(RuntimeError, match="went away"):
        to_excel(broken(), target)
    assert not target.exists()
