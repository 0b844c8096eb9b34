"""A typed error for any answer: whatever a broken gateway sends, every session call raises
an :class:`~antsclient.AntsError` — never a ``ValueError``, ``OverflowError``,
``RecursionError`` or ``TypeError`` from inside — and no answer that is not a 2xx is ever
read as a success. Each form runs through both sessions."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest
from fake_ants import FakeAnts, error
from shells import Shell

import antsclient as ants

JSON = {"Content-Type": "application/json"}
DEEP = b"[" * 100_000 + b"]" * 100_000


def _raw(status: int, body: bytes, **headers: str) -> Callable[[httpx.Request], httpx.Response]:
    return lambda _: httpx.Response(status, content=body, headers={**JSON, **headers})


ANSWERS: dict[str, tuple[str, str, Callable[[httpx.Request], httpx.Response]]] = {
    "counts-empty-text": ("GET", "/requests/counts", _raw(200, b'{"all": {"drafts": ""}}')),
    "counts-1e400": ("GET", "/requests/counts", _raw(200, b'{"all": {"drafts": 1e400}}')),
    "counts-negative": ("GET", "/requests/counts", _raw(200, b'{"all": {"drafts": -4}}')),
    "counts-deep": ("GET", "/requests/counts", _raw(200, DEEP)),
    "counts-not-json": ("GET", "/requests/counts", _raw(200, b"<html>proxy</html>")),
    "counts-307": ("GET", "/requests/counts", _raw(307, b'{"all": {"drafts": 99}}')),
    "counts-600": ("GET", "/requests/counts", _raw(600, b'{"all": {"drafts": 99}}')),
    "counts-302-error": (
        "GET",
        "/requests/counts",
        _raw(302, b'{"error": {"code": "request_not_found"}}', Location="http://elsewhere/"),
    ),
    "error-deep": ("GET", "/requests/counts", _raw(400, DEEP)),
    "retry-after-nan": ("GET", "/requests/counts", _raw(503, b"{}", Retry_After="nan")),
    "retry-after-inf": ("GET", "/requests/counts", _raw(429, b"{}", Retry_After="1e400")),
    "search-total-1e400": (
        "GET",
        "/requests",
        _raw(200, b'{"items": [], "page": 1, "page_size": 500, "total": 1e400, "pages": 1}'),
    ),
    "request-deep": ("GET", "/requests/3223", _raw(200, DEEP)),
    "request-list": ("GET", "/requests/3223", _raw(200, b"[1, 2]")),
    "slots-number": ("GET", "/requests/3223/attachments", _raw(200, b'{"items": 7}')),
    "prefectures-deep": ("GET", "/prefectures", _raw(200, b'{"items": ' + DEEP + b"}")),
}


def _act(s: ants.AntsSession, path: str) -> object:
    if path == "/requests/counts":
        return s.requests.counts()
    if path == "/requests":
        return s.requests.search()
    if path == "/requests/3223":
        return s.requests.get("3223")
    if path == "/prefectures":
        return s.prefectures.list()
    return s.attachments.slots("3223")


@pytest.mark.parametrize("name", list(ANSWERS))
def test_any_answer_gives_a_typed_error(
    shell: Shell, credentials: ants.Credentials, name: str
) -> None:
    method, path, answer = ANSWERS[name]
    fake = FakeAnts()
    fake.on(method, path, answer)
    options = {"transport": httpx.MockTransport(fake), "retry": ants.RetryPolicy.immediate(2)}
    with shell.open(credentials, base_url="http://ants.test", **options) as s:
        with pytest.raises(ants.AntsError):
            _act(s, path)


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308, 600, 999])
def test_no_answer_but_a_2xx_is_a_success(
    shell: Shell, credentials: ants.Credentials, status: int
) -> None:
    fake = FakeAnts()
    fake.on("GET", "/requests/counts", _raw(status, b'{"all": {"drafts": 99}}'))
    options = {"transport": httpx.MockTransport(fake)}
    with shell.open(credentials, base_url="http://ants.test", **options) as s:
        with pytest.raises(ants.ProtocolError) as caught:
            s.requests.counts()
    assert caught.value.status_code == status
    assert caught.value.code == f"http_{status}"


@pytest.mark.parametrize("suggestions", [7, "SAINT-PRIEST", {"a": 1}, None, [1, "deux"]], ids=repr)
def test_a_refusal_with_odd_suggestions(
    shell: Shell, credentials: ants.Credentials, suggestions: object
) -> None:
    fake = FakeAnts()
    problem = {"field": "applicant.birth_city", "code": "city", "suggestions": suggestions}
    fake.on("GET", "/requests/counts", error(422, "application_data", problems=[problem]))
    options = {"transport": httpx.MockTransport(fake)}
    with shell.open(credentials, base_url="http://ants.test", **options) as s:
        with pytest.raises(ants.ApplicationDataError) as caught:
            s.requests.counts()
    (found,) = caught.value.problems
    assert found.field == "applicant.birth_city"
    assert all(isinstance(s, str) for s in found.suggestions)


def test_a_login_whose_lifetime_overflows(shell: Shell, credentials: ants.Credentials) -> None:
    fake = FakeAnts()
    fake.on("POST", "/auth/token", _raw(200, b'{"access_token": "t", "expires_in": 1e400}'))
    options = {"transport": httpx.MockTransport(fake), "retry": ants.RetryPolicy.none()}
    with shell.open(credentials, base_url="http://ants.test", **options) as s:
        with pytest.raises(ants.AntsError, match="cannot read"):
            s.requests.counts()
