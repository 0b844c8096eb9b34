"""Property tests: whatever a server answers, every parser of the protocol returns or raises
a :class:`~antsclient.ProtocolError`; every refusal reads into an :class:`~antsclient.AntsError`;
every status and ``Retry-After`` into an :class:`Outcome`. No ``ValueError``,
``OverflowError``, ``RecursionError`` or ``TypeError`` ever escapes."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import antsclient as ants
from antsclient import protocol
from antsclient.codec import describe_error, from_data, parse_date, parse_datetime
from antsclient.models import Cerfa02, Cerfa06, OnlineRequest
from antsclient.protocol.errors import error_from_response

NOW = dt.datetime(2026, 11, 27, 10, 0, tzinfo=dt.UTC)

PARSERS = [name for name in protocol.__all__ if name.startswith("parse_")]

scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20)
    | st.sampled_from(["02", "06", "all", "drafts", "draft", "1e400", "", "2026-11-27"])
)
KEYS = st.sampled_from(
    [
        "items",
        "page",
        "page_size",
        "total",
        "pages",
        "all",
        "02",
        "06",
        "drafts",
        "number",
        "cerfa",
        "status",
        "created",
        "modified",
        "access_token",
        "expires_in",
        "application",
        "error",
        "code",
        "problems",
        "suggestions",
        "field",
        "name",
        "label",
        "kind",
        "files",
    ]
) | st.text(max_size=8)
documents = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(KEYS, inner, max_size=6),
    max_leaves=30,
)
bodies = (
    documents.map(lambda d: json.dumps(d).encode())
    | st.binary(max_size=200)
    | st.sampled_from(
        [
            b"[" * 50_000 + b"]" * 50_000,
            b'{"a":' * 50_000 + b"1" + b"}" * 50_000,
            b'{"all": {"drafts": 1e400}}',
            b'{"access_token": "t", "expires_in": 1e400}',
            b'{"items": [], "page": 1, "page_size": 0, "total": 1e400, "pages": NaN}',
        ]
    )
)


def _answer(status: int, body: bytes, **headers: str) -> httpx.Response:
    request = httpx.Request("GET", "http://ants.test/api/v1/requests")
    return httpx.Response(status, content=body, request=request, headers=headers)


def _run(name: str, response: httpx.Response) -> Any:
    parser = getattr(protocol, name)
    if name == "parse_token":
        return parser(response, now=NOW)
    return parser(response)


@pytest.mark.parametrize("name", PARSERS)
@settings(max_examples=120, deadline=None)
@given(body=bodies)
def test_a_parser_returns_or_raises_a_protocol_error(name: str, body: bytes) -> None:
    codes = set()
    try:
        _run(name, _answer(200, body))
    except ants.ProtocolError as exc:
        codes.add(exc.code)
    assert codes <= {"malformed_body", "inconsistent_paging"}


@settings(max_examples=300, deadline=None)
@given(status=st.integers(min_value=100, max_value=999), body=bodies)
def test_any_refusal_reads_into_an_ants_error(status: int, body: bytes) -> None:
    error = error_from_response(_answer(status, body))
    assert isinstance(error, ants.AntsError)
    assert error.status_code == status
    str(error), repr(error), error.message_fr


@settings(max_examples=300, deadline=None)
@given(
    status=st.integers(min_value=100, max_value=999),
    retry_after=st.text(max_size=12) | st.sampled_from(["nan", "inf", "-inf", "1e400", "-5"]),
    body=bodies,
)
def test_any_answer_has_an_outcome(status: int, retry_after: str, body: bytes) -> None:
    try:
        response = _answer(status, body, **{"Retry-After": retry_after})
    except (ValueError, UnicodeEncodeError):
        return  # httpx itself refuses such a header: no server can send it
    outcome = protocol.classify(response)
    assert isinstance(outcome, protocol.Outcome)
    if outcome.verdict is protocol.Verdict.OK:
        assert 200 <= status < 300
    if outcome.retry_after is not None:
        assert 0 <= outcome.retry_after < float("inf")


@settings(max_examples=200, deadline=None)
@given(data=documents, cls=st.sampled_from([OnlineRequest, Cerfa02, Cerfa06]))
def test_the_converter_fails_only_in_ways_it_can_describe(data: object, cls: type) -> None:
    try:
        from_data(data, cls)
    except Exception as exc:
        lines = describe_error(exc)
        assert lines
        assert all(isinstance(line, str) for line in lines)


@settings(max_examples=300, deadline=None)
@given(value=st.text(max_size=30) | st.from_regex(r"\A[0-9]{1,40}\Z") | scalars)
def test_dates_from_any_text_are_dates_or_value_errors(value: object) -> None:
    for parse in (parse_datetime, parse_date):
        with contextlib.suppress(ValueError):
            parse(value)


def test_a_number_no_date_holds_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="not a date"):
        parse_datetime("9" * 21)
