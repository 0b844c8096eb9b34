"""The search page as bytes: the same JSON as the page's data, and never stale."""

from __future__ import annotations

import json

from starlette.responses import JSONResponse

from antsclient.models.enums import Cerfa
from antsclient.sandbox import SandboxHandle
from antsclient.sandbox.search import SearchFilters


def test_the_page_body_is_the_json_of_the_page(sb: SandboxHandle) -> None:
    sb.seed_requests(30)
    agency = next(iter(sb.state.agencies.values()))
    for filters in (
        SearchFilters(page=1, page_size=10),
        SearchFilters(page=3, page_size=10),
        SearchFilters(page=9, page_size=10),  # past the end
        SearchFilters(cerfa=Cerfa.C02, page=1, page_size=7),
    ):
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
