"""No secret reachable from an error: whatever fails — no server, a failing one, an answer
that cannot be read, a refused login — the error the session raises leads, through every
cause, context, argument, attribute, traceback frame and the requests and answers they hold,
to neither the password nor the bearer token. What helps debugging stays: the method and
path, the status, the server's request id."""

from __future__ import annotations

import types
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fake_ants import PASSWORD, TOKEN_PREFIX, FakeAnts, error
from hostile_server import TOKEN, Exchange, HostileServer
from shells import Shell

import antsclient as ants
from antsclient._secret import Secret

_SKIP = (types.ModuleType, types.FunctionType, types.BuiltinFunctionType, type, types.CodeType)


def _children(obj: Any) -> list[Any]:
    if isinstance(obj, BaseException):
        return [obj.__cause__, obj.__context__, obj.__traceback__, *obj.args, *vars(obj).values()]
    if isinstance(obj, types.TracebackType):
        return [obj.tb_frame, obj.tb_next]
    if isinstance(obj, types.FrameType):
        # The caller's own frames (these tests) hold what the caller holds: not followed.
        own = "tests" in Path(obj.f_code.co_filename).parts
        return [] if own else list(obj.f_locals.values())
    if isinstance(obj, FakeAnts):
        # The fake server's own record of what it received (it saw the password, as any
        # server does): reached through the session's transport, it is not the client's.
        return []
    if isinstance(obj, httpx.Request):
        content = getattr(obj, "_content", b"")
        return [str(obj.url), content, *obj.headers.raw]
    if isinstance(obj, httpx.Response):
        content = getattr(obj, "_content", b"")
        return [obj.request, content, *obj.headers.raw, *vars(obj).values()]
    if isinstance(obj, dict):
        return [*obj.keys(), *obj.values()]
    if isinstance(obj, list | tuple | set | frozenset):
        return list(obj)
    if hasattr(obj, "__dict__"):
        return list(vars(obj).values())
    slots = getattr(type(obj), "__slots__", ())
    return [getattr(obj, name, None) for name in slots if isinstance(name, str)]


def reachable(root: object, *, depth: int = 12) -> Iterator[str | bytes]:
    """Every text and byte string reachable from ``root`` (a :class:`Secret` is opaque:
    that is its purpose; modules, functions and classes are not followed)."""
    seen: set[int] = set()
    stack: list[tuple[object, int]] = [(root, 0)]
    while stack:
        obj, level = stack.pop()
        if obj is None or id(obj) in seen or level > depth or isinstance(obj, (Secret, *_SKIP)):
            continue
        seen.add(id(obj))
        if isinstance(obj, str | bytes | bytearray):
            yield bytes(obj) if isinstance(obj, bytearray) else obj
            continue
        stack.extend((child, level + 1) for child in _children(obj))


def assert_holds_no_secret(error: BaseException, *secrets: str) -> None:
    for text in reachable(error):
        for secret in secrets:
            needle: str | bytes = secret if isinstance(text, str) else secret.encode()
            assert needle not in text, f"{secret!r} reachable from {error!r}"


def test_the_walk_finds_a_secret_left_in_a_chain() -> None:
    request = httpx.Request("POST", "http://x/", json={"password": PASSWORD})
    try:
        try:
            raise httpx.ConnectError("refused", request=request)
        except httpx.ConnectError as exc:
            raise ants.AntsUnavailable("down") from exc
    except ants.AntsUnavailable as caught:
        with pytest.raises(AssertionError, match="reachable"):
            assert_holds_no_secret(caught, PASSWORD)


def test_no_server_at_all(shell: Shell, credentials: ants.Credentials) -> None:
    retry = ants.RetryPolicy.immediate(attempts=2)
    with shell.open(credentials, base_url="http://127.0.0.1:9", retry=retry) as s:
        with pytest.raises(ants.AntsUnavailable) as caught:
            s.requests.counts()
    assert_holds_no_secret(caught.value, PASSWORD)
    assert "/auth/token" in str(caught.value)


@pytest.mark.network
def test_a_failing_server_after_login(
    shell: Shell, credentials: ants.Credentials, tmp_path: object
) -> None:
    def broken(exchange: Exchange) -> None:
        exchange.json({"error": {"code": "boom", "message": "down"}}, status=503)

    def dropped(exchange: Exchange) -> None:
        exchange.head(200, Content_Type="application/json", Content_Length="100")
        exchange.send(b'{"all": ')  # then the connection closes

    with HostileServer().running() as server:
        server.routes["GET", "/requests/counts"] = broken
        server.routes["GET", "/requests/3223"] = dropped
        retry = ants.RetryPolicy.immediate(attempts=2)
        with shell.open(credentials, base_url=server.url, retry=retry) as s:
            errors = []
            for action in (s.requests.counts, lambda: s.requests.get("3223")):
                with pytest.raises(ants.AntsError) as caught:
                    action()
                errors.append(caught.value)
    for found in errors:
        assert_holds_no_secret(found, PASSWORD, TOKEN)


@pytest.mark.parametrize(
    "answer",
    [
        lambda: httpx.Response(200, content=b'{"access_token": "tok-1", "expires_in": 1e400}'),
        lambda: httpx.Response(200, content=b'{"access_token": "tok-1", "expires_in": 1e308}'),
        lambda: httpx.Response(200, content=b'{"access_token": "tok-1"' + b"," * 10),
        lambda: error(401, "authentication_failed", "wrong"),
        lambda: error(500, "boom"),
    ],
    ids=["expires-1e400", "expires-1e308", "cut", "refused", "failing"],
)
def test_a_login_answer_that_fails(
    shell: Shell, credentials: ants.Credentials, answer: Callable[[], httpx.Response]
) -> None:
    fake = FakeAnts()
    fake.on("POST", "/auth/token", lambda _: answer())
    options = {"transport": httpx.MockTransport(fake), "retry": ants.RetryPolicy.immediate(2)}
    fake.on("GET", "/requests/counts", httpx.Response(200, json={"all": {"drafts": 2}}))
    with shell.open(credentials, base_url="http://ants.test", **options) as s:
        with pytest.raises(ants.AntsError) as caught:
            s.requests.counts()
    assert_holds_no_secret(caught.value, PASSWORD, "tok-1")
    assert caught.value.status_code in {None, 401}


def test_a_refusal_keeps_status_and_request_id(shell: Shell, credentials: ants.Credentials) -> None:
    fake = FakeAnts()
    refused = error(409, "action_not_allowed", "no")
    refused.headers["X-Request-Id"] = "req-42"
    fake.on("GET", "/requests/counts", refused)
    options = {"transport": httpx.MockTransport(fake)}
    with shell.open(credentials, base_url="http://ants.test", **options) as s:
        with pytest.raises(ants.ActionNotAllowed) as caught:
            s.requests.counts()
    assert (caught.value.status_code, caught.value.request_id) == (409, "req-42")
    assert_holds_no_secret(caught.value, PASSWORD, TOKEN_PREFIX + "1")
