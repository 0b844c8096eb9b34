"""Exporter la liste: Excel, DataFrame and the HTML of a RequestList."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Any

import pytest

import antsclient as ants
from antsclient import export
from antsclient.export import COLUMNS, RequestList, to_dataframe, to_excel
from antsclient.models import Cerfa, OnlineRequest, RequestStatus

T0 = dt.datetime(2025, 1, 15, 8, 30, tzinfo=dt.UTC)  # 09:30 in Paris (winter)


def _request(number: str, **changes: Any) -> OnlineRequest:
    status = changes.pop("status", RequestStatus.UNDER_REVIEW)
    base: dict[str, Any] = {
        "number": number,
        "cerfa": Cerfa.C02,
        "status": status,
        "status_label": status.label,
        "type_label": "Inscription au permis nécessitant le passage d'un examen pratique",
        "created": T0,
        "modified": T0 + dt.timedelta(days=1),
        "student_id": "S1",
        "applicant_name": "MARTIN Léa",
        "neph": None,
    }
    return OnlineRequest(**{**base, **changes})


@pytest.fixture
def requests() -> RequestList:
    return RequestList(
        [
            _request("3223", neph="150833200011", status=RequestStatus.READY_FOR_CERFA06),
            _request(
                "90120170705153905547685",
                student_id=None,
                applicant_name="DUPONT Hugo",
                created=dt.datetime(2025, 7, 5, 13, 39, tzinfo=dt.UTC),  # 15:39 in Paris
            ),
            _request("4501", cerfa=Cerfa.C06, applicant_name=None),
        ]
    )


def test_the_excel_file_holds_the_list(requests: RequestList, tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    path = requests.to_excel(tmp_path / "demandes.xlsx")
    assert path == tmp_path / "demandes.xlsx"
    book = openpyxl.load_workbook(path)
    ws = book.active
    assert ws.title == "Demandes"
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0] == COLUMNS
    assert rows[0][:6] == (
        "Élève",
        "Numéro",
        "Date de création",
        "Date de modification",
        "Type - État",
        "N° NEPH",
    )
    assert len(rows) == 4
    first, unlinked, nameless = rows[1:]
    assert first == (
        "MARTIN Léa",
        "3223",
        dt.datetime(2025, 1, 15, 9, 30),
        dt.datetime(2025, 1, 16, 9, 30),
        requests[0].type_state,
        "150833200011",
        "Oui",
    )
    assert unlinked[2] == dt.datetime(2025, 7, 5, 15, 39)  # summer time
    assert unlinked[6] == "Non"
    assert unlinked[1] == "90120170705153905547685"  # a long number stays text
    assert (nameless[0], nameless[5]) in {(None, None), ("", "")}
    for row in ws.iter_rows(min_row=2):
        assert row[2].is_date
        assert row[3].is_date
        assert "yy" in row[2].number_format
        red = row[0].font.color is not None and row[0].font.color.rgb == "FFFF0000"
        assert red is (row[6].value == "Non")
        assert all(
            (c.font.color is not None and c.font.color.rgb == "FFFF0000") is red for c in row
        )
    assert ws["A1"].font.bold
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == "A1:G4"


def test_excel_in_another_zone_and_an_empty_list(tmp_path: Path, requests: RequestList) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    path = to_excel(requests[:1], tmp_path / "utc.xlsx", tz=dt.UTC, sheet="Liste")
    ws = openpyxl.load_workbook(path)["Liste"]
    assert ws["C2"].value == dt.datetime(2025, 1, 15, 8, 30)
    empty = openpyxl.load_workbook(to_excel([], tmp_path / "empty.xlsx")).active
    assert empty.max_row == 1
    assert empty.auto_filter.ref == "A1:G1"


def test_an_unknown_zone_name_is_an_error(requests: RequestList, tmp_path: Path) -> None:
    pytest.importorskip("openpyxl")
    with pytest.raises(Exception, match="Nowhere"):
        to_excel(requests, tmp_path / "x.xlsx", tz="Europe/Nowhere")


def test_paris_falls_back_to_utc_without_a_zone_database(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import zoneinfo

    def missing(key: str) -> zoneinfo.ZoneInfo:
        raise zoneinfo.ZoneInfoNotFoundError(key)

    monkeypatch.setattr(zoneinfo, "ZoneInfo", missing)
    assert export._local_zone(None) is dt.UTC


def test_without_openpyxl_the_error_says_what_to_install(
    requests: RequestList, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "openpyxl", None)
    with pytest.raises(ants.ConfigurationError) as exc:
        to_excel(requests, tmp_path / "x.xlsx")
    assert "antsclient[excel]" in str(exc.value)
    assert "openpyxl" in exc.value.message_fr


def test_the_dataframe_has_proper_dtypes(requests: RequestList) -> None:
    pd = pytest.importorskip("pandas")
    frame = requests.to_dataframe()
    assert len(frame) == 3
    assert str(frame["created"].dtype) == "datetime64[ns, UTC]"
    assert str(frame["validated_at"].dtype) == "datetime64[ns, UTC]"
    assert frame["validated_at"].isna().all()
    assert frame["created"].iloc[0] == pd.Timestamp(T0)
    assert isinstance(frame["status"].dtype, pd.CategoricalDtype)
    assert list(frame["status"].cat.categories) == [s.value for s in RequestStatus]
    assert list(frame["cerfa"].cat.categories) == ["02", "06"]
    assert str(frame["linked"].dtype) == "boolean"
    assert frame["linked"].tolist() == [True, False, True]
    assert str(frame["transferred"].dtype) == "boolean"
    assert str(frame["number"].dtype).startswith("string")
    assert frame["number"].tolist() == [r.number for r in requests]
    assert frame["applicant_name"].isna().tolist() == [False, False, True]
    empty = to_dataframe([])
    assert len(empty) == 0
    assert str(empty["modified"].dtype) == "datetime64[ns, UTC]"


def test_without_pandas_the_error_says_what_to_install(
    requests: RequestList, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(ants.ConfigurationError, match=r"antsclient\[pandas\]"):
        to_dataframe(requests)


def test_the_list_shows_as_an_escaped_html_table(requests: RequestList) -> None:
    hostile = _request("7", applicant_name="<script>alert('x')</script> & Cie", student_id=None)
    shown = RequestList([*requests, hostile])._repr_html_()
    assert "<script>" not in shown
    assert "&lt;script&gt;" in shown
    assert "&amp; Cie" in shown
    assert "<th>Élève</th>" in shown
    assert "15/01/2025 09:30" in shown
    assert shown.count('style="color:red"') == 2
    assert shown.startswith("<p>4 demande(s)</p>")


def test_a_long_list_shows_its_first_rows() -> None:
    many = RequestList(_request(str(n)) for n in range(250))
    shown = many._repr_html_(tz="UTC")
    assert shown.count("<tr>") == 201  # the header and 200 rows
    assert "… 50 demande(s) de plus" in shown


def test_a_request_list_is_a_list(requests: RequestList) -> None:
    assert isinstance(requests, list)
    assert isinstance(requests[1:], RequestList)
    assert requests[0].number == "3223"
    assert [r.number for r in requests.unlinked] == ["90120170705153905547685"]
    assert isinstance(requests.unlinked, RequestList)


def test_naive_dates_are_taken_as_utc() -> None:
    assert export._naive(dt.datetime(2025, 1, 1, 12, 0), dt.UTC) == dt.datetime(2025, 1, 1, 12)
    assert export._naive(None, dt.UTC) is None


def test_the_lists_and_pages_excel_options_are_to_excels_own() -> None:
    """``ExcelOptions`` (what ``RequestList.to_excel`` and the pages take) names exactly
    the keyword-only parameters of :func:`to_excel`."""
    import inspect

    keywords = {
        name
        for name, parameter in inspect.signature(to_excel).parameters.items()
        if parameter.kind is inspect.Parameter.KEYWORD_ONLY
    }
    assert export.ExcelOptions.__optional_keys__ == keywords
