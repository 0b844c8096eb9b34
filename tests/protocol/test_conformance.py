"""The protocol's interface, checked against whatever module provides it.

The sessions import nothing from the protocol but the names of its ``__all__``; a vendor that
holds another ANTS interface provides its own module and adds its name to
:data:`PROTOCOL_MODULES`. Every test here runs against each module of the list.
"""

from __future__ import annotations

import datetime as dt
import importlib
import inspect
import io
import json
import re
from collections.abc import Callable, Iterator
from importlib import resources
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from openapi_core import OpenAPI
from openapi_core.datatypes import RequestParameters
from werkzeug.datastructures import Headers, ImmutableMultiDict

from antsclient import ProtocolError
from antsclient.models import (
    Bucket,
    Cerfa,
    Cerfa02,
    Cerfa06,
    DocumentKind,
    PrefectureDocumentKind,
)
from antsclient.models.request import ONLINE_REQUEST_FIELDS

PROTOCOL_MODULES = ["antsclient.protocol"]
"""The modules providing the protocol's interface (a vendor's is added here)."""

NUMBER = "3223"
LONG_NUMBER = "90120170705153905547685"
FILE_ID = "f-1a2b_3C"
TOKEN = "tok-conformance"
HTTP_METHODS = {"GET", "POST", "PUT", "PATCH", "DELETE"}

BAD_NUMBERS = ["", "   ", "32/23", "../3223", "3223?page=2", "32 23", "3223#x", "32%2F23", "a.b"]
BAD_FILE_IDS = ["", " ", "a/b", "..", "../etc", "a b", "a?b", "a#b", "a%2Fb", "a.pdf"]


@pytest.fixture(params=PROTOCOL_MODULES)
def proto(request: pytest.FixtureRequest) -> ModuleType:
    return importlib.import_module(request.param)


@pytest.fixture
def upload_file(tmp_path: Path, make_pdf: Callable[..., bytes]) -> Path:
    path = tmp_path / "cni é.pdf"
    path.write_bytes(make_pdf(2))
    return path


@pytest.fixture
def arguments(
    proto: ModuleType,
    upload_file: Path,
    make_application: Callable[..., Cerfa02 | Cerfa06],
) -> dict[str, tuple[tuple[Any, ...], dict[str, Any]]]:
    """Plausible arguments for every builder of the contract, by operation name."""
    upload = proto.path_upload(upload_file, media_type="application/pdf", comment="recto verso")
    return {
        "login": (("E1706900030", "claboret662", "3cfBelfort!"), {}),
        "list_prefectures": (("90000",), {}),
        "search_communes": (("BELF",), {"postal_code": "90000", "limit": 5}),
        "create_request": ((make_application(),), {"idempotency_key": "key-1"}),
        "get_request": ((NUMBER,), {}),
        "get_application": ((NUMBER,), {}),
        "validate_request": ((NUMBER,), {}),
        "delete_request": ((NUMBER,), {}),
        "transfer_request": ((NUMBER, "E2309400140"), {}),
        "send_complement": ((NUMBER,), {}),
        "link_request": ((NUMBER, "ELEVE-7"), {}),
        "search_requests": (
            (),
            {
                "bucket": Bucket.DRAFTS,
                "cerfa": Cerfa.C02,
                "number": NUMBER,
                "created": (dt.date(2025, 1, 1), dt.date(2025, 1, 31)),
                "modified": (dt.datetime(2025, 1, 1, 12, tzinfo=dt.UTC), None),
                "page": 2,
                "page_size": 50,
            },
        ),
        "count_requests": ((), {}),
        "list_request_types": ((), {}),
        "list_attachments": ((NUMBER,), {}),
        "upload_attachment": (
            (NUMBER, DocumentKind.IDENTITY, upload),
            {"idempotency_key": "key-2"},
        ),
        "download_attachment": ((NUMBER, DocumentKind.IDENTITY, FILE_ID), {}),
        "delete_attachment": ((NUMBER, DocumentKind.IDENTITY, FILE_ID), {}),
        "set_ephoto": ((NUMBER, "ABCDEFGHIJKLMNOPQRSTUV", Cerfa.C02), {}),
        "get_ephoto": ((NUMBER,), {}),
        "delete_ephoto": ((NUMBER, Cerfa.C06), {}),
        "deposit_form": ((NUMBER,), {}),
        "list_documents": ((NUMBER,), {}),
        "download_document": ((NUMBER, PrefectureDocumentKind.REQUEST_RECEIPT), {}),
    }


def _call(proto: ModuleType, arguments: dict[str, Any], name: str) -> Any:
    args, kwargs = arguments[name]
    return getattr(proto, name)(*args, **kwargs)


def _takes_number(proto: ModuleType, name: str) -> bool:
    """Whether the builder's first argument is a request number."""
    parameters = list(inspect.signature(getattr(proto, name)).parameters.values())
    positional = {inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD}
    return bool(parameters) and parameters[0].name == "number" and parameters[0].kind in positional


# --- the names ---------------------------------------------------------------------------------


def test_every_name_of_all_exists(proto: ModuleType) -> None:
    assert proto.__all__
    assert len(set(proto.__all__)) == len(proto.__all__)
    for name in proto.__all__:
        assert hasattr(proto, name), name


def test_operations_are_exported_and_documented(proto: ModuleType) -> None:
    assert len(set(proto.OPERATIONS)) == len(proto.OPERATIONS)
    assert set(proto.OPERATIONS) <= set(proto.__all__)
    for name in ("classify", "classify_failure", "Call", "Safety", "Outcome", "Page"):
        assert name in proto.__all__


def test_every_operation_has_plausible_arguments(proto: ModuleType, arguments: dict) -> None:
    assert set(proto.OPERATIONS) == set(arguments)


# --- every builder returns a Call --------------------------------------------------------------


def test_every_operation_builds_a_call(proto: ModuleType, arguments: dict) -> None:
    for name in proto.OPERATIONS:
        builder = getattr(proto, name)
        assert callable(builder), name
        call = _call(proto, arguments, name)
        assert isinstance(call, proto.Call), name
        assert call.op == name
        assert call.method in HTTP_METHODS, name
        assert call.path.startswith("/"), name
        assert "//" not in call.path, name
        assert isinstance(call.safety, proto.Safety), name
        assert call.describe() == f"{call.method} {proto.API_PREFIX}{call.path}"
        if call.method == "GET":
            assert call.safety is proto.Safety.READ, name
        else:
            assert call.safety is not proto.Safety.READ, name
        if _takes_number(proto, name):
            assert NUMBER in call.path.split("/"), name
    search = _call(proto, arguments, "search_requests")
    assert search.params["number"] == NUMBER


def test_builders_are_pure(proto: ModuleType, arguments: dict) -> None:
    for name in proto.OPERATIONS:
        assert _call(proto, arguments, name) == _call(proto, arguments, name)


def test_only_login_goes_without_a_token(proto: ModuleType, arguments: dict) -> None:
    anonymous = {n for n in proto.OPERATIONS if not _call(proto, arguments, n).authenticated}
    assert anonymous == {"login"}


def test_long_numbers_of_direct_requests_are_taken(proto: ModuleType) -> None:
    assert LONG_NUMBER in proto.get_request(LONG_NUMBER).path
    assert proto.get_request(f" {NUMBER} ").path == proto.get_request(NUMBER).path


def test_writes_that_must_not_repeat_are_idempotent_or_unsafe(proto: ModuleType, arguments):
    safety = {n: _call(proto, arguments, n).safety for n in proto.OPERATIONS}
    assert safety["create_request"] is proto.Safety.IDEMPOTENT
    assert safety["set_ephoto"] is proto.Safety.IDEMPOTENT
    for name in ("validate_request", "transfer_request", "send_complement", "delete_request"):
        assert safety[name] is proto.Safety.UNSAFE, name
    upload = arguments["upload_attachment"][0]
    assert proto.upload_attachment(*upload, idempotency_key="k").safety is proto.Safety.IDEMPOTENT
    assert proto.upload_attachment(*upload, idempotency_key=None).safety is proto.Safety.UNSAFE


@pytest.mark.parametrize("bad", BAD_NUMBERS)
def test_builders_refuse_a_bad_number(proto: ModuleType, arguments: dict, bad: str) -> None:
    with_number = [n for n in proto.OPERATIONS if _takes_number(proto, n)]
    assert len(with_number) >= 16
    for name in with_number:
        args, kwargs = arguments[name]
        with pytest.raises(ValueError, match="request number"):
            getattr(proto, name)(bad, *args[1:], **kwargs)
    with pytest.raises(ValueError, match="request number"):
        proto.search_requests(number=bad.strip() or "/")


@pytest.mark.parametrize("bad", BAD_FILE_IDS)
@pytest.mark.parametrize("name", ["download_attachment", "delete_attachment"])
def test_builders_refuse_a_bad_file_id(proto: ModuleType, name: str, bad: str) -> None:
    with pytest.raises(ValueError, match="file id"):
        getattr(proto, name)(NUMBER, DocumentKind.IDENTITY, bad)


def test_builders_refuse_unknown_kinds(proto: ModuleType) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - the enum's own message
        proto.download_attachment(NUMBER, "passport", FILE_ID)
    with pytest.raises(ValueError):  # noqa: PT011
        proto.download_document(NUMBER, "nothing")
    with pytest.raises(ValueError):  # noqa: PT011
        proto.set_ephoto(NUMBER, "ABCDEFGHIJKLMNOPQRSTUV", "03")


def test_max_page_size_caps_a_search(proto: ModuleType) -> None:
    assert isinstance(proto.MAX_PAGE_SIZE, int)
    assert proto.MAX_PAGE_SIZE > 0
    for asked, sent in [
        (1, 1),
        (100, 100),
        (proto.MAX_PAGE_SIZE, proto.MAX_PAGE_SIZE),
        (proto.MAX_PAGE_SIZE + 1, proto.MAX_PAGE_SIZE),
        (10**9, proto.MAX_PAGE_SIZE),
    ]:
        call = proto.search_requests(page_size=asked)
        assert call.params is not None
        assert call.params["page_size"] == str(sent)


def test_a_search_window_spans_whole_days_in_utc(proto: ModuleType) -> None:
    call = proto.search_requests(created=(dt.date(2025, 1, 1), dt.date(2025, 1, 31)))
    assert call.params is not None
    assert dt.datetime.fromisoformat(call.params["created_from"]) == dt.datetime(
        2025, 1, 1, tzinfo=dt.UTC
    )
    high = dt.datetime.fromisoformat(call.params["created_to"])
    assert high.date() == dt.date(2025, 1, 31)
    assert high.tzinfo is not None
    assert high.utcoffset() == dt.timedelta(0)
    assert high > dt.datetime(2025, 1, 31, 23, 59, 59, tzinfo=dt.UTC)
    assert "modified_from" not in call.params
    assert "modified_to" not in call.params


# --- every Call builds its request -------------------------------------------------------------


def _build(call: Any, client: httpx.Client) -> httpx.Request:
    token = TOKEN if call.authenticated else None
    if call.upload is None:
        return call.build(client, token)
    stream = call.upload.open()
    try:
        request = call.build(client, token, stream)
        request.read()
    finally:
        if call.upload.owned:
            stream.close()
    return request


def test_every_call_builds_its_request(proto: ModuleType, arguments: dict) -> None:
    with httpx.Client(base_url="http://ants.test") as client:
        for name in proto.OPERATIONS:
            call = _call(proto, arguments, name)
            request = _build(call, client)
            assert request.method == call.method, name
            assert request.url.host == "ants.test"
            assert request.url.path == proto.API_PREFIX + call.path, name
            assert request.headers["Accept"] == "application/json"
            if call.authenticated:
                assert request.headers["Authorization"] == f"Bearer {TOKEN}", name
            else:
                assert "Authorization" not in request.headers, name
            if call.idempotency_key is None:
                assert "Idempotency-Key" not in request.headers, name
            else:
                assert request.headers["Idempotency-Key"] == call.idempotency_key, name
            query = {k: v[0] for k, v in parse_qs(request.url.query.decode()).items()}
            assert query == dict(call.params or {}), name
            if call.json is not None:
                assert json.loads(request.content) == _revealed(call.json), name


def _by_httpx(
    proto: ModuleType, call: Any, client: httpx.Client, token: str | None
) -> httpx.Request:
    """The request httpx's own ``build_request`` makes of ``call`` (the reference)."""
    headers = {"Accept": "application/json"}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    if call.idempotency_key is not None:
        headers["Idempotency-Key"] = call.idempotency_key
    return client.build_request(
        call.method,
        proto.API_PREFIX + call.path,
        params=call.params,
        json=_revealed(call.json),
        headers=headers,
    )


def _same_request(ours: httpx.Request, theirs: httpx.Request) -> bool:
    return (str(ours.url), ours.method, ours.headers.multi_items(), ours.read()) == (
        str(theirs.url),
        theirs.method,
        theirs.headers.multi_items(),
        theirs.read(),
    )


@pytest.mark.parametrize("base", ["http://ants.test", "https://ants.test:8443/relais/"])
def test_a_call_built_directly_is_the_request_httpx_builds(
    proto: ModuleType, arguments: dict, base: str
) -> None:
    headers = {"User-Agent": "antsclient/test", "Accept-Encoding": "gzip"}
    with httpx.Client(base_url=base, headers=headers) as client:
        for name in proto.OPERATIONS:
            call = _call(proto, arguments, name)
            if call.upload is not None:
                continue  # multipart: built by httpx itself
            token = TOKEN if call.authenticated else None
            ours = call.build(client, token)
            assert _same_request(ours, _by_httpx(proto, call, client, token)), name


_PARAM = st.text(st.characters(codec="utf-8"), max_size=12)


@pytest.fixture(scope="module")
def clients() -> Iterator[dict[bool, httpx.Client]]:
    """A client without cookies and one holding a cookie, shared by every example (a client
    is slow to make: its TLS context)."""
    with (
        httpx.Client(base_url="http://ants.test/racine") as plain,
        httpx.Client(base_url="http://ants.test/racine", cookies={"lb": "a1"}) as cookied,
    ):
        yield {False: plain, True: cookied}


@settings(max_examples=300, deadline=None)
@given(
    params=st.dictionaries(_PARAM, _PARAM, max_size=4),
    path=st.lists(st.text(st.characters(codec="utf-8"), max_size=8), max_size=3),
    method=st.sampled_from(["GET", "POST", "PUT", "DELETE"]),
    cookie=st.booleans(),
)
def test_any_call_is_built_as_httpx_builds_it(
    clients: dict[bool, httpx.Client],
    params: dict[str, str],
    path: list[str],
    method: str,
    cookie: bool,
) -> None:
    # Whatever its texts (accents, spaces, "&", "=", "%", "?", "#"), a call is the request
    # build_request makes: written whole when its path is plain, by httpx otherwise; a
    # client holding a cookie sends it.
    from antsclient.protocol import operations

    call = operations.Call(
        op="any",
        method=method,
        path="/" + "/".join(path),
        safety=operations.Safety.READ,
        params=params or None,
        json={"value": "é"} if method == "POST" else None,
    )
    client = clients[cookie]
    try:
        theirs = _by_httpx(operations, call, client, TOKEN)
    except httpx.InvalidURL:
        return  # a path httpx refuses: not one ANTS has
    assert _same_request(call.build(client, TOKEN), theirs)


def _revealed(value: Any) -> Any:
    """A call's body as sent: its secrets (the login's password) revealed."""
    if isinstance(value, dict):
        return {k: _revealed(v) for k, v in value.items()}
    return value.reveal() if hasattr(value, "reveal") else value


def test_a_call_keeps_the_password_wrapped(proto: ModuleType) -> None:
    call = proto.login("E1", "l", "3cfBelfort!")
    assert "3cfBelfort!" not in repr(call)
    assert all(v != "3cfBelfort!" for v in call.json.values())


def test_idempotency_keys_go_out_as_headers(proto: ModuleType, arguments: dict) -> None:
    with httpx.Client(base_url="http://ants.test") as client:
        created = _build(_call(proto, arguments, "create_request"), client)
        assert created.headers["Idempotency-Key"] == "key-1"
        uploaded = _build(_call(proto, arguments, "upload_attachment"), client)
        assert uploaded.headers["Idempotency-Key"] == "key-2"
        args = arguments["upload_attachment"][0]
        plain = _build(proto.upload_attachment(*args, idempotency_key=None), client)
        assert "Idempotency-Key" not in plain.headers


def test_the_login_body_holds_the_credentials_and_no_token(proto: ModuleType, arguments):
    with httpx.Client(base_url="http://ants.test") as client:
        request = _build(_call(proto, arguments, "login"), client)
    assert json.loads(request.content) == {
        "agreement": "E1706900030",
        "login": "claboret662",
        "password": "3cfBelfort!",
    }
    assert "Authorization" not in request.headers
    assert "3cfBelfort!" not in proto.login("E1", "l", "3cfBelfort!").describe()


def test_an_upload_is_sent_as_multipart_with_its_comment(
    proto: ModuleType, arguments: dict, upload_file: Path
) -> None:
    call = _call(proto, arguments, "upload_attachment")
    with httpx.Client(base_url="http://ants.test") as client:
        request = _build(call, client)
    assert request.headers["Content-Type"].startswith("multipart/form-data; boundary=")
    body = request.content
    assert upload_file.read_bytes() in body
    assert b'name="file"' in body
    assert b'name="comment"' in body
    assert b"recto verso" in body
    assert call.upload.name == upload_file.name


def test_a_path_upload_opens_its_file_afresh_for_every_attempt(
    proto: ModuleType, upload_file: Path
) -> None:
    upload = proto.path_upload(upload_file, media_type="application/pdf", comment=None)
    assert upload.owned
    with upload.open() as first, upload.open() as second:
        assert first is not second
        assert first.read() == upload_file.read_bytes()
        assert second.read() == upload_file.read_bytes()
    renamed = proto.path_upload(upload_file, media_type="image/png", comment=None, name="a.png")
    assert (renamed.name, renamed.media_type) == ("a.png", "image/png")


def test_a_stream_upload_rewinds_to_where_it_was_given(proto: ModuleType) -> None:
    stream = io.BytesIO(b"HEAD%PDF-1.4 body")
    stream.seek(4)
    upload = proto.stream_upload(stream, name="s.pdf", media_type="application/pdf", comment=None)
    assert not upload.owned
    assert upload.open().read() == b"%PDF-1.4 body"
    assert upload.open().read() == b"%PDF-1.4 body"
    call = proto.upload_attachment(NUMBER, DocumentKind.ASSR, upload, idempotency_key=None)
    with httpx.Client(base_url="http://ants.test") as client:
        first, second = _build(call, client), _build(call, client)
    assert b"%PDF-1.4 body" in first.content
    assert b"%PDF-1.4 body" in second.content
    assert b'name="comment"' not in first.content
    assert not stream.closed


def test_a_stream_upload_sends_the_stream_from_where_it_was_given(proto: ModuleType) -> None:
    stream = io.BytesIO(b"HEAD%PDF-1.4 body")
    stream.seek(4)
    upload = proto.stream_upload(stream, name="s.pdf", media_type="application/pdf", comment=None)
    call = proto.upload_attachment(NUMBER, DocumentKind.ASSR, upload, idempotency_key=None)
    with httpx.Client(base_url="http://ants.test") as client:
        request = _build(call, client)
    assert b"\r\n\r\n%PDF-1.4 body\r\n" in request.content
    assert b"HEAD" not in request.content


# --- the calls follow the protocol document, when the module ships one --------------------------


def _document(proto: ModuleType) -> dict[str, Any] | None:
    resource = resources.files(proto.__name__).joinpath("openapi.yaml")
    if not resource.is_file():
        return None
    document: dict[str, Any] = yaml.safe_load(resource.read_text("utf-8"))
    return document


class _OpenAPIRequest:
    """An httpx request as openapi-core reads it."""

    def __init__(self, request: httpx.Request) -> None:
        url = urlsplit(str(request.url))
        self.host_url = "http://ants.test"
        self.path = url.path
        self.method = request.method.lower()
        self.body: bytes | None = request.content or None
        self.content_type = request.headers.get("content-type", "")
        self.parameters = RequestParameters(
            query=ImmutableMultiDict(parse_qs(url.query)),
            header=Headers(dict(request.headers)),
            cookie=ImmutableMultiDict(),
        )


def test_every_call_matches_its_operation_in_the_document(proto: ModuleType, arguments) -> None:
    document = _document(proto)
    if document is None:
        pytest.skip(f"{proto.__name__} ships no openapi.yaml")
    routes: dict[str, tuple[str, re.Pattern[str], bool]] = {}
    for template, item in document["paths"].items():
        pattern = re.compile("^" + re.sub(r"\{[^}]+\}", "[^/]+", template) + "$")
        for method, operation in item.items():
            if method == "parameters":
                continue
            anonymous = operation.get("security") == []
            routes[operation["operationId"]] = (method.upper(), pattern, anonymous)
    for name in proto.OPERATIONS:
        call = _call(proto, arguments, name)
        assert name in routes, name
        method, pattern, anonymous = routes[name]
        assert call.method == method, name
        assert pattern.match(call.path), (name, call.path)
        assert call.authenticated is not anonymous, name


def test_every_request_is_valid_against_the_document(proto: ModuleType, arguments) -> None:
    document = _document(proto)
    if document is None:
        pytest.skip(f"{proto.__name__} ships no openapi.yaml")
    document["servers"] = [{"url": "http://ants.test" + proto.API_PREFIX}]
    openapi = OpenAPI.from_dict(document)
    with httpx.Client(base_url="http://ants.test") as client:
        for name in proto.OPERATIONS:
            request = _build(_call(proto, arguments, name), client)
            openapi.validate_request(_OpenAPIRequest(request))


@pytest.mark.parametrize(("page", "page_size"), [(0, 100), (1, 0), (-1, 100), (1, -5)])
def test_a_search_out_of_range_is_refused_or_brought_in_range(
    proto: ModuleType, page: int, page_size: int
) -> None:
    document = _document(proto)
    if document is None:
        pytest.skip(f"{proto.__name__} ships no openapi.yaml")
    document["servers"] = [{"url": "http://ants.test" + proto.API_PREFIX}]
    try:
        call = proto.search_requests(page=page, page_size=page_size)
    except ValueError:
        return
    with httpx.Client(base_url="http://ants.test") as client:
        OpenAPI.from_dict(document).validate_request(_OpenAPIRequest(_build(call, client)))


# --- parsers -----------------------------------------------------------------------------------

NOT_JSON = [b"", b"<html><body>502 Bad Gateway</body></html>", b"{", b"\xff\xfe"]
NOT_AN_OBJECT = [b"null", b"42", b'"text"', b"[]", b"[{}]", b"true"]
WRONG_SHAPES = [
    *NOT_AN_OBJECT,
    b"{}",
    b'{"items": "x"}',
    b'{"items": null}',
    b'{"items": {"a": 1}}',
    b'{"items": [], "page": "one", "page_size": 1, "total": 0, "pages": 0}',
    b'{"application": "x", "cerfa": "02"}',
    b'{"application": null}',
    b'{"access_token": 42}',
    b'{"number": null}',
]
BAD_VALUES = [
    b'{"all": {"cerfa02": "many"}}',
    b'{"all": {"cerfa02": null}}',
    b'{"03": {"cerfa02": 1}}',
    b'{"cerfa": "03", "application": {}}',
    b'{"access_token": "t", "expires_in": 1e308}',
    b'{"access_token": "t", "expires_in": NaN}',
    b'{"items": [], "page": 1e400, "page_size": 1, "total": 0, "pages": 0}',
]
"""Well-formed JSON whose values a parser may not read."""


def _cases(bodies: list[bytes]) -> list[Any]:
    """Every (parser, body) of the contract."""
    parsers = [
        n
        for n in importlib.import_module(PROTOCOL_MODULES[0]).__all__
        if n.startswith("parse_") and n != "parse_nothing"
    ]
    cases = []
    for name in parsers:
        cases.extend(pytest.param(name, body, id=f"{name}-{body.decode()}") for body in bodies)
    return cases


NOW = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def _parsers(proto: ModuleType) -> list[str]:
    return [n for n in proto.__all__ if n.startswith("parse_") and n != "parse_nothing"]


def _parse(proto: ModuleType, name: str, body: bytes) -> Any:
    request = httpx.Request("GET", "http://ants.test/api/v1/requests/3223")
    response = httpx.Response(200, content=body, request=request)
    parser = getattr(proto, name)
    if "now" in inspect.signature(parser).parameters:
        return parser(response, now=NOW)
    return parser(response)


def _parses_or_refuses(proto: ModuleType, name: str, body: bytes) -> None:
    """The parser reads ``body`` (tolerant in) or refuses it with a ProtocolError, nothing
    else."""
    refused: ProtocolError | None = None
    try:
        _parse(proto, name, body)
    except ProtocolError as exc:
        refused = exc
    if refused is not None:
        assert refused.code == "malformed_body"
        assert refused.message


def test_every_parser_reads_a_response(proto: ModuleType) -> None:
    names = _parsers(proto)
    assert len(names) >= 11
    for name in names:
        parameters = list(inspect.signature(getattr(proto, name)).parameters)
        assert parameters[0] == "response", name


@pytest.mark.parametrize("body", NOT_JSON)
def test_a_body_that_is_not_json_is_a_protocol_error(proto: ModuleType, body: bytes) -> None:
    for name in _parsers(proto):
        with pytest.raises(ProtocolError) as info:
            _parse(proto, name, body)
        assert info.value.code == "malformed_body", name
        assert "JSON" in str(info.value), name


@pytest.mark.parametrize("body", NOT_AN_OBJECT)
def test_a_body_that_is_not_an_object_is_a_protocol_error(proto: ModuleType, body: bytes):
    for name in _parsers(proto):
        with pytest.raises(ProtocolError) as info:
            _parse(proto, name, body)
        assert info.value.code == "malformed_body", name


@pytest.mark.parametrize(("name", "body"), _cases(WRONG_SHAPES))
def test_a_body_of_the_wrong_shape_is_a_protocol_error(
    proto: ModuleType, name: str, body: bytes
) -> None:
    _parses_or_refuses(proto, name, body)


@pytest.mark.parametrize(("name", "body"), _cases(BAD_VALUES))
def test_a_value_a_parser_cannot_read_is_a_protocol_error(
    proto: ModuleType, name: str, body: bytes
) -> None:
    _parses_or_refuses(proto, name, body)


def test_the_parsers_say_what_they_cannot_read(proto: ModuleType) -> None:
    with pytest.raises(ProtocolError, match="number"):
        _parse(proto, "parse_request", b'{"cerfa": "02"}')
    with pytest.raises(ProtocolError, match="access token"):
        _parse(proto, "parse_token", b'{"token": "t"}')
    with pytest.raises(ProtocolError, match="page"):
        _parse(proto, "parse_page", b'{"items": []}')


def test_parse_nothing_reads_nothing(proto: ModuleType) -> None:
    request = httpx.Request("DELETE", "http://ants.test/api/v1/requests/3223")
    assert proto.parse_nothing(httpx.Response(204, request=request)) is None
    assert proto.parse_nothing(httpx.Response(200, content=b"<html>", request=request)) is None


_ITEM: dict[str, Any] = {
    "number": NUMBER,
    "cerfa": "02",
    "status": "draft",
    "status_label": "Brouillon",
    "type_label": "Inscription",
    "created": "2025-01-01T10:00:00+00:00",
    "modified": "2025-01-02T10:00:00+00:00",
}
"""A search page's request as ANTS sends it, its required fields only."""


def test_a_page_keeps_what_it_can_read(proto: ModuleType) -> None:
    good = _ITEM
    body = {
        "items": [good, {"number": "bad"}, 42, None, {**good, "number": "3224"}],
        "page": 1,
        "page_size": 5,
        "total": 5,
        "pages": 1,
    }
    page = _parse(proto, "parse_page", json.dumps(body).encode())
    assert isinstance(page, proto.Page)
    assert [r.number for r in page.items] == [NUMBER, "3224"]
    assert page.failed == 3
    assert (page.page, page.page_size, page.total, page.pages) == (1, 5, 5, 1)


def test_a_token_expires_after_its_lifetime(proto: ModuleType) -> None:
    token = _parse(proto, "parse_token", b'{"access_token": "tok-1", "expires_in": 60}')
    assert token.value == "tok-1"
    assert token.expires_at == NOW + dt.timedelta(seconds=60)
    assert "tok-1" not in repr(token)


# --- the classifier ----------------------------------------------------------------------------


@pytest.mark.parametrize("status", [200, 204, 401, 404, 409, 422, 429, 500, 503, 599])
def test_classify_returns_an_outcome(proto: ModuleType, status: int) -> None:
    request = httpx.Request("GET", "http://ants.test/api/v1/requests/3223")
    outcome = proto.classify(httpx.Response(status, content=b"", request=request))
    assert isinstance(outcome, proto.Outcome)
    assert isinstance(outcome.verdict, proto.Verdict)
    if status >= 400 and outcome.verdict is not proto.Verdict.RETRY:
        assert outcome.error is not None
        assert outcome.error.status_code == status


@pytest.mark.parametrize(
    "exc", [httpx.ConnectError("x"), httpx.ReadTimeout("x"), httpx.RemoteProtocolError("x")]
)
def test_classify_failure_returns_an_outcome(proto: ModuleType, exc: Exception) -> None:
    outcome = proto.classify_failure(exc)
    assert isinstance(outcome, proto.Outcome)
    assert outcome.verdict is proto.Verdict.RETRY


def test_a_page_kept_to_be_read_later_reads_the_same(proto: ModuleType) -> None:
    body = json.dumps({"items": [_ITEM], "page": 1, "page_size": 5, "total": 1, "pages": 1})
    request = httpx.Request("GET", "http://ants.test/api/v1/requests?page=1")
    response = httpx.Response(200, content=body.encode(), request=request)
    answer = proto.receive_page(response)
    assert (answer.method, answer.path) == ("GET", "/api/v1/requests")
    assert repr(answer) == (
        f"PageAnswer(content=<{len(body):,} bytes>, method='GET', path='/api/v1/requests')"
    )
    assert proto.read_page(answer) == proto.parse_page(response)
    for garbled, says in (
        (body[: len(body) // 2], "GET /api/v1/requests with a body that is not JSON"),
        ("[1, 2]", "not a page of requests"),
        ('{"items": {}, "page": 1}', "not a page of requests"),
    ):
        with pytest.raises(ProtocolError, match=says) as caught:
            proto.read_page(proto.PageAnswer(garbled.encode(), "GET", "/api/v1/requests"))
        assert caught.value.code == "malformed_body"


def test_a_stray_failure_reading_a_kept_page_names_the_call(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from antsclient.protocol import operations

    def broken(content: bytes) -> None:
        raise KeyError("items")

    monkeypatch.setattr(operations, "decode_page", broken)
    answer = operations.PageAnswer(b"{}", "GET", "/api/v1/requests")
    with pytest.raises(ProtocolError, match="ANTS answered /api/v1/requests with data") as caught:
        operations.read_page(answer)
    assert caught.value.code == "malformed_body"


def test_a_calls_url_is_kept_unless_its_base_carries_a_password() -> None:
    from antsclient.protocol import operations

    call = operations.count_requests()
    with httpx.Client(base_url="http://ants.test") as client:
        first = call.build(client, TOKEN)
        kept = operations._kept.cache_info().hits
        assert call.build(client, TOKEN).url == first.url
        assert operations._kept.cache_info().hits == kept + 1
    with httpx.Client(base_url="http://agence:s3cret-Relais@ants.test") as client:
        before = operations._kept.cache_info()
        request = call.build(client, TOKEN)
        assert operations._kept.cache_info() == before  # never kept, not even looked up
    assert str(request.url) == "http://agence:s3cret-Relais@ants.test/api/v1/requests/counts"


def test_a_page_lets_go_of_its_decoded_entries_as_it_reads_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Without msgspec, 500 rows and the 500 requests made of them are never all alive at
    once: reading a page leaves the collector's youngest generation below its threshold."""
    import gc

    from antsclient.protocol import _fastpage, operations

    monkeypatch.setattr(_fastpage, "_decoders", lambda: None)
    fields = list(ONLINE_REQUEST_FIELDS)
    full = {**dict.fromkeys(fields), **_ITEM, "transferred": False, "paper_mandate": False}
    row = [full[name] for name in fields]
    rows = [[f"{n:05d}", *row[1:]] for n in range(500)]
    body = json.dumps(
        {"fields": fields, "rows": rows, "page": 1, "page_size": 500, "total": 500, "pages": 1}
    ).encode()
    answer = operations.PageAnswer(body, "GET", "/api/v1/requests")
    assert len(operations.read_page(answer).items) == 500
    passes: list[int] = []

    def count(phase: str, info: dict[str, int]) -> None:
        if phase == "start" and info["generation"] == 0:
            passes.append(1)

    threshold = gc.get_threshold()[0]
    gc.collect()
    gc.callbacks.append(count)
    try:
        page = operations.read_page(answer)
    finally:
        gc.callbacks.remove(count)
    assert [item.number for item in page.items] == [f"{n:05d}" for n in range(500)]
    if threshold >= 700:  # CPython's default; a host may set another
        assert passes == []


def test_drained_entries_come_in_order_and_leave_the_list_empty() -> None:
    from antsclient.protocol.operations import _drained

    entries = [{"n": n} for n in range(5)]
    assert list(_drained(entries)) == [{"n": n} for n in range(5)]
    assert entries == []
