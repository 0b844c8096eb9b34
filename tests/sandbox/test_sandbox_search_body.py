"""The search page as bytes: the same JSON as the page's data, and never stale."""

from __future__ import annotations

import json

import httpx
from starlette.responses import JSONResponse

from antsclient.models.enums import Cerfa
from antsclient.models.request import ONLINE_REQUEST_FIELDS
from antsclient.sandbox import SandboxHandle
from antsclient.sandbox.search import SearchFilters

PAGES = (
    SearchFilters(page=1, page_size=10),
    SearchFilters(page=3, page_size=10),
    SearchFilters(page=9, page_size=10),  # past the end
    SearchFilters(cerfa=Cerfa.C02, page=1, page_size=7),
)


def test_the_page_body_is_the_json_of_the_page(sb: SandboxHandle) -> None:
    sb.seed_requests(30)
    agency = next(iter(sb.state.agencies.values()))
    for filters in PAGES:
        for _ in range(2):  # written, then taken from what was kept
            body = sb.state.search_body(agency, filters)
            assert body == JSONResponse(sb.state.search(agency, filters)).body


def test_a_changed_request_is_written_again(sb: SandboxHandle) -> None:
    sb.seed_requests(5)
    agency = next(iter(sb.state.agencies.values()))
    everything = SearchFilters(page=1, page_size=50)
    number = json.loads(sb.state.search_body(agency, everything))["items"][0]["number"]
    sb.state.link(agency, number, "S-LINKED")
    items = json.loads(sb.state.search_body(agency, everything))["items"]
    assert {i["number"]: i["student_id"] for i in items}[number] == "S-LINKED"
    assert json.loads(sb.state.search_body(agency, everything)) == sb.state.search(
        agency, everything
    )


def _as_items(body: bytes) -> dict[str, object]:
    """A page of rows as the page of items it stands for."""
    data = json.loads(body)
    fields = data.pop("fields")
    data["items"] = [dict(zip(fields, row, strict=True)) for row in data.pop("rows")]
    return data


def test_a_page_of_rows_holds_the_page_of_items(sb: SandboxHandle) -> None:
    sb.seed_requests(30)
    agency = next(iter(sb.state.agencies.values()))
    for filters in PAGES:
        for _ in range(2):  # written, then taken from what was kept
            rows = sb.state.search_body(agency, filters, rows=True)
            assert json.loads(rows)["fields"] == list(ONLINE_REQUEST_FIELDS)
            assert _as_items(rows) == sb.state.search(agency, filters)
            if len(json.loads(rows)["rows"]) > 1:  # the field names once, not in each item
                assert len(rows) < len(sb.state.search_body(agency, filters))


def test_a_changed_request_is_written_again_as_a_row(sb: SandboxHandle) -> None:
    sb.seed_requests(5)
    agency = next(iter(sb.state.agencies.values()))
    everything = SearchFilters(page=1, page_size=50)
    number = _as_items(sb.state.search_body(agency, everything, rows=True))["items"][0]
    sb.state.link(agency, number["number"], "S-LINKED")  # type: ignore[index]
    page = _as_items(sb.state.search_body(agency, everything, rows=True))
    assert page == sb.state.search(agency, everything)
    assert "S-LINKED" in {i["student_id"] for i in page["items"]}  # type: ignore[attr-defined]


def test_the_api_answers_rows_when_asked_and_refuses_another_shape(sb: SandboxHandle) -> None:
    sb.seed_requests(12)
    creds = sb.credentials_of(next(iter(sb.state.agencies)))
    with httpx.Client(base_url=sb.url + "/api/v1") as client:
        token = client.post(
            "/auth/token",
            json={
                "agreement": creds.agreement,
                "login": creds.login,
                "password": creds.password.reveal(),
            },
        ).json()["access_token"]
        client.headers["Authorization"] = f"Bearer {token}"
        items = client.get("/requests", params={"page_size": 5}).json()
        same = client.get("/requests", params={"page_size": 5, "shape": "items"}).json()
        rows = client.get("/requests", params={"page_size": 5, "shape": "rows"})
        assert items == same and "items" in items
        assert _as_items(rows.content) == items
        refused = client.get("/requests", params={"shape": "columns"})
        assert refused.status_code == 400
        assert "shape" in refused.text
