"""Mistakes of setup and of the network, each a typed error that names what to fix.

A ``base_url`` that cannot name a server is refused at construction; a server that cannot
be reached is named; a request that never left (refused, unknown host, no connection in
time) is never said to have « peut-être été prise en compte », nor is a read; and a server
that accepts and never answers ends the call near the policy's deadline.
"""

from __future__ import annotations

import contextlib
import pickle
import socket
import threading
from collections.abc import Callable, Iterator

import httpx
import pytest
from fake_ants import FakeAnts, online, request_json
from shells import OpenSession, Shell

import antsclient as ants
from antsclient import _retries as retries
from antsclient.agency import sync_agencies, sync_agencies_async
from antsclient.protocol import get_request

BAD_URLS = {
    "not-a-url": "il manque http:// ou https://",
    "ants.example.fr": "il manque http:// ou https://",
    "localhost:8000": "il manque http:// ou https://",
    "ftp://ants.example.fr": "le protocole « ftp » n'est pas pris en charge",
    "http://": "elle ne nomme aucun serveur",
    "https:///api/v1": "elle ne nomme aucun serveur",
    "": "elle est vide",
    "http://ants example.fr": "elle contient un espace",
    "http://ants.example.fr:99999": "le port 99999 n'existe pas",
}


def _check_refusal(error: ants.ConfigurationError, url: str, why_fr: str) -> None:
    assert error.code == "base_url.invalid"
    assert error.field == "base_url"
    assert repr(url) in str(error)
    assert f"« {url} »" in error.message_fr
    assert error.message_fr.startswith("L'adresse du serveur ANTS (base_url)")
    assert why_fr in error.message_fr


# --- base_url ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("url", "why_fr"), BAD_URLS.items(), ids=list(BAD_URLS))
def test_a_bad_base_url_is_refused_at_construction(
    shell: Shell, credentials: ants.Credentials, url: str, why_fr: str
) -> None:
    with pytest.raises(ants.ConfigurationError) as refused, shell.open(credentials, base_url=url):
        pass
    _check_refusal(refused.value, url, why_fr)


def test_a_base_url_that_is_not_text_is_refused(credentials: ants.Credentials) -> None:
    with pytest.raises(ants.ConfigurationError) as refused:
        ants.AntsSession(credentials, base_url=None)  # type: ignore[arg-type]
    assert refused.value.field == "base_url"
    assert "ce n'est pas un texte" in refused.value.message_fr


@pytest.mark.parametrize(
    ("url", "root"),
    [
        ("http://127.0.0.1:8000", "http://127.0.0.1:8000"),
        ("https://ants.example.fr/", "https://ants.example.fr"),
        (" https://ants.example.fr/api/v1 ", "https://ants.example.fr"),
    ],
)
def test_good_base_urls_are_taken(credentials: ants.Credentials, url: str, root: str) -> None:
    with ants.AntsSession(credentials, base_url=url) as session:
        assert str(session._client.base_url).rstrip("/") == root


@pytest.mark.parametrize("url", ["not-a-url", "ftp://ants.example.fr"])
def test_sync_agencies_refuses_a_bad_base_url_before_any_work(
    credentials: ants.Credentials, url: str
) -> None:
    with pytest.raises(ants.ConfigurationError) as refused:
        sync_agencies([credentials], ants.MemoryStore(), base_url=url)
    _check_refusal(refused.value, url, BAD_URLS[url])


@pytest.mark.anyio
async def test_sync_agencies_async_refuses_a_bad_base_url(credentials: ants.Credentials) -> None:
    with pytest.raises(ants.ConfigurationError) as refused:
        await sync_agencies_async([credentials], ants.MemoryStore(), base_url="not-a-url")
    _check_refusal(refused.value, "not-a-url", BAD_URLS["not-a-url"])


# --- a server that cannot be reached -----------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def _never_sent(error: ants.AntsUnavailable) -> None:
    assert error.may_have_taken_effect is False
    assert "peut-être" not in error.message_fr
    assert "n'a pas pu être joint" in error.message_fr
    assert "rien n'a été envoyé" in error.message_fr


def test_nothing_listening_names_the_server_and_nothing_was_sent(
    shell: Shell, credentials: ants.Credentials
) -> None:
    url = f"http://127.0.0.1:{_free_port()}"
    with shell.open(credentials, base_url=url, retry=ants.RetryPolicy.immediate(2)) as s:
        with pytest.raises(ants.AntsUnavailable) as read:
            s.requests.get("3223")
        s._known["3223"] = online()
        with pytest.raises(ants.AntsUnavailable) as write:
            s.requests.delete("3223")
    for error in (read.value, write.value):
        _never_sent(error)
        assert error.server == url
        assert pickle.loads(pickle.dumps(error)).server == url
        assert url in str(error) and url in error.message_fr
        assert error.message_fr.startswith("La page ne répond pas")
        assert "could not reach" in str(error)


def _raising(exc: Exception) -> Callable[[httpx.Request], httpx.Response]:
    def handler(request: httpx.Request) -> httpx.Response:
        raise exc

    return handler


NEVER_LEFT = {
    "refused": httpx.ConnectError("[Errno 111] Connection refused"),
    "dns": httpx.ConnectError("[Errno -2] Name or service not known"),
    "connect-timeout": httpx.ConnectTimeout("timed out"),
}


@pytest.mark.parametrize("failure", NEVER_LEFT.values(), ids=list(NEVER_LEFT))
def test_a_write_that_never_left_did_not_take_effect(
    fake: FakeAnts,
    open_session: OpenSession,
    credentials: ants.Credentials,
    application: ants.Cerfa02,
    failure: Exception,
) -> None:
    fake.on("POST", "/requests", _raising(failure))
    fake.on("DELETE", "/requests/3223", _raising(failure))
    with open_session(credentials, retry=ants.RetryPolicy.immediate(3)) as s:
        with pytest.raises(ants.AntsUnavailable) as created:
            s.requests.create(application)
        s._known["3223"] = online()
        with pytest.raises(ants.AntsUnavailable) as deleted:
            s.requests.delete("3223")
    for error in (created.value, deleted.value):
        _never_sent(error)
        assert error.server == "http://ants.test"
    assert created.value.attempts == 3
    assert len(fake.seen("POST", "/requests")) == 3


@pytest.mark.parametrize("failure", NEVER_LEFT.values(), ids=list(NEVER_LEFT))
def test_a_login_that_never_left_says_nothing_was_sent(
    fake: FakeAnts, open_session: OpenSession, credentials: ants.Credentials, failure: Exception
) -> None:
    fake.on("POST", "/auth/token", _raising(failure))
    with open_session(credentials, retry=ants.RetryPolicy.immediate(2)) as s:
        s._known["3223"] = online()
        with pytest.raises(ants.AntsUnavailable) as exc:
            s.requests.delete("3223")
    _never_sent(exc.value)
    assert fake.seen("DELETE") == []


def test_a_read_never_may_have_taken_effect(
    fake: FakeAnts, open_session: OpenSession, credentials: ants.Credentials
) -> None:
    fake.on("GET", "/requests/3223", _raising(httpx.ReadTimeout("timed out")))
    with open_session(credentials, retry=ants.RetryPolicy.immediate(3)) as s:
        with pytest.raises(ants.AntsUnavailable) as exc:
            s.requests.get("3223")
    assert exc.value.may_have_taken_effect is False
    assert "peut-être" not in exc.value.message_fr
    assert "prise en compte" not in exc.value.message_fr
    assert "(http://ants.test) n'a pas répondu après 3 tentative(s)" in exc.value.message_fr
    assert "nothing was changed" in str(exc.value)


def test_a_login_that_timed_out_changed_nothing(
    fake: FakeAnts, open_session: OpenSession, credentials: ants.Credentials
) -> None:
    fake.on("POST", "/auth/token", _raising(httpx.ReadTimeout("timed out")))
    with open_session(credentials, retry=ants.RetryPolicy.immediate(2)) as s:
        with pytest.raises(ants.AntsUnavailable) as exc:
            s.requests.get("3223")
    assert exc.value.may_have_taken_effect is False
    assert "peut-être" not in exc.value.message_fr


def test_one_unclear_try_keeps_a_write_unclear_whatever_follows(
    fake: FakeAnts,
    open_session: OpenSession,
    credentials: ants.Credentials,
    application: ants.Cerfa02,
) -> None:
    fake.on(
        "POST",
        "/requests",
        _raising(httpx.ReadTimeout("timed out")),
        _raising(httpx.ConnectError("[Errno 111] Connection refused")),
    )
    with open_session(credentials, retry=ants.RetryPolicy.immediate(3)) as s:
        with pytest.raises(ants.AntsUnavailable) as exc:
            s.requests.create(application)
    assert exc.value.may_have_taken_effect is True
    assert "peut-être été prise en compte" in exc.value.message_fr


@pytest.mark.parametrize(
    ("status", "code", "may"),
    [
        (429, "rate_limited", False),  # a rate limit refuses before processing
        # A gateway answers 503 as readily after the write behind it was saved as before.
        (503, "unavailable", True),
    ],
)
def test_what_a_busy_answer_says_of_a_write(
    fake: FakeAnts,
    open_session: OpenSession,
    credentials: ants.Credentials,
    application: ants.Cerfa02,
    status: int,
    code: str,
    may: bool,
) -> None:
    busy = httpx.Response(status, json={"error": {"code": code, "message": "busy"}})
    fake.on("POST", "/requests", busy)
    with open_session(credentials, retry=ants.RetryPolicy.immediate(2)) as s:
        with pytest.raises(ants.AntsUnavailable) as exc:
            s.requests.create(application)
    assert exc.value.may_have_taken_effect is may
    if not may:
        assert "l'action n'a pas été prise en compte" in exc.value.message_fr


# --- the deadline ------------------------------------------------------------------------------


@contextlib.contextmanager
def _silent_server() -> Iterator[str]:
    """A loopback server that accepts every connection and never answers."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    listener.settimeout(0.05)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            with contextlib.suppress(OSError):
                held.append(listener.accept()[0])

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        stop.set()
        thread.join()
        for connection in held:
            connection.close()
        listener.close()


def test_a_server_that_never_answers_ends_the_call_near_its_deadline(
    shell: Shell, credentials: ants.Credentials
) -> None:
    policy = ants.RetryPolicy(deadline=1.5, initial_backoff=0.05, max_backoff=0.1)
    with (
        _silent_server() as url,
        shell.open(credentials, base_url=url, retry=policy, timeout=httpx.Timeout(1.0)) as s,
    ):
        with pytest.raises(ants.AntsUnavailable) as exc:
            s.requests.get("3223")
    # The policy allows 5 tries of 1 s each; the 1.5 s deadline leaves room for two at most.
    assert exc.value.attempts <= 2
    assert exc.value.server == url
    assert exc.value.may_have_taken_effect is False
    assert "1.5 s deadline" in str(exc.value)
    assert "en 1.5 s" in exc.value.message_fr


def test_each_try_waits_at_most_the_time_left() -> None:
    deadline = retries.Deadline(2.0)
    timeouts = deadline.timeout(httpx.Timeout(connect=15.0, read=90.0, write=90.0, pool=None))
    assert set(timeouts) == {"connect", "read", "write", "pool"}
    assert all(0 < value <= 2.0 for value in timeouts.values())
    short = deadline.timeout(httpx.Timeout(0.5))
    assert short == {"connect": 0.5, "read": 0.5, "write": 0.5, "pool": 0.5}


def _after(tries: retries.Tries, count: int) -> retries.Tries:
    tries.count = count
    return tries


def test_no_try_starts_when_its_wait_would_pass_the_deadline() -> None:
    policy = ants.RetryPolicy(attempts=10, deadline=1.0, initial_backoff=5.0, jitter=0.0)
    tries = _after(retries.Tries(get_request("3223"), policy, retries.Deadline(1.0), "x"), 1)
    assert tries.wait(None) == 5.0
    assert tries.stop(None) is True
    assert tries.out_of_time is True
    roomy = retries.Tries(get_request("3223"), policy, retries.Deadline(100.0), "http://x")
    assert _after(roomy, 1).stop(None) is False
    assert _after(roomy, 10).stop(None) is True
    assert roomy.out_of_time is False


def test_a_deadline_too_short_for_any_try_sends_nothing(
    fake: FakeAnts, open_session: OpenSession, credentials: ants.Credentials
) -> None:
    fake.on("GET", "/requests/3223", request_json(online()))
    with open_session(credentials, retry=ants.RetryPolicy(deadline=0.01)) as s:
        with pytest.raises(ants.AntsUnavailable) as exc:
            s.requests.get("3223")
    assert fake.calls == []
    assert exc.value.attempts == 0
    assert "rien n'a été envoyé" in exc.value.message_fr
