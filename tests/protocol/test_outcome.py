"""One answer classifier: what every HTTP answer and transport failure means to the shells."""

from __future__ import annotations

import copy
import json
import pickle
from typing import Any

import httpx
import pytest

from antsclient import (
    ActionNotAllowed,
    AntsError,
    ApplicationDataError,
    AttachmentRejected,
    AuthenticationError,
    ConfigurationError,
    DivergenceError,
    ProtocolError,
    RequestNotFound,
    ResourceNotFound,
)
from antsclient.protocol import Outcome, Verdict, classify, classify_failure
from antsclient.protocol.errors import REQUEST_ID_HEADER, error_from_response
from antsclient.protocol.outcome import TRANSIENT_STATUSES

TOKEN = "tok-9f8e7d6c5b4a-never-shown"
PASSWORD = "pa55-w0rd-Secret!"
URL = "http://ants.test/api/v1/requests/3223"


def _request(method: str = "GET", url: str = URL, **kwargs: Any) -> httpx.Request:
    headers = {"Authorization": f"Bearer {TOKEN}", "Accept": "application/json"}
    return httpx.Request(method, url, headers=headers, **kwargs)


def answer(
    status: int,
    error: dict[str, Any] | None = None,
    *,
    headers: dict[str, str] | None = None,
    content: bytes | None = None,
    request: httpx.Request | None = None,
) -> httpx.Response:
    """An answer of ANTS, read already, to a GET of request 3223 (or ``request``)."""
    if content is None and error is not None:
        content = json.dumps({"error": error}).encode()
    return httpx.Response(
        status,
        headers={"Content-Type": "application/json", **(headers or {})},
        content=content or b"",
        request=request or _request(),
    )


# --- success --------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [301, 302, 304, 307, 399, 600, 99])
def test_a_redirect_or_an_unknown_status_is_never_a_success(status: int) -> None:
    outcome = classify(answer(status, content=b'{"all": {"drafts": 99}}'))
    assert outcome.verdict is Verdict.ERROR
    assert isinstance(outcome.error, ProtocolError)
    assert outcome.error.code == f"http_{status}"


@pytest.mark.parametrize("status", [200, 201, 202, 204, 206, 299])
def test_2xx_are_ok(status: int) -> None:
    outcome = classify(answer(status, content=b'{"items": []}'))
    assert isinstance(outcome, Outcome)
    assert outcome.verdict is Verdict.OK
    assert outcome.error is None
    assert outcome.retry_after is None


def test_ok_does_not_look_at_the_body() -> None:
    assert classify(answer(200, content=b"<html>not json</html>")).verdict is Verdict.OK


# --- retry ------------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [429])
def test_busy_answers_are_retried_as_not_processed(status: int) -> None:
    outcome = classify(answer(status, {"code": "busy", "message": "busy"}))
    assert outcome.verdict is Verdict.RETRY
    assert outcome.processed is False
    assert outcome.error is None
    assert str(status) in outcome.reason


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_failing_answers_are_retried_as_maybe_processed(status: int) -> None:
    # A 503 included: a gateway says it as well after the write behind it was saved.
    outcome = classify(answer(status, content=b"<html>Bad gateway</html>"))
    assert outcome.verdict is Verdict.RETRY
    assert outcome.processed is True
    assert outcome.error is None
    assert str(status) in outcome.reason


def test_a_key_still_in_use_is_retried_as_maybe_processed() -> None:
    outcome = classify(answer(409, {"code": "idempotency_key_in_use", "message": "busy"}))
    assert (outcome.verdict, outcome.processed) == (Verdict.RETRY, True)
    other = classify(answer(409, {"code": "idempotency_key_reused", "message": "reused"}))
    assert other.verdict is Verdict.ERROR


def test_transient_statuses_are_exactly_the_retried_ones() -> None:
    assert frozenset({429, 500, 502, 503, 504}) == TRANSIENT_STATUSES
    for status in range(400, 600):
        verdict = classify(answer(status)).verdict
        assert (verdict is Verdict.RETRY) is (status in TRANSIENT_STATUSES), status


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("3", 3.0),
        ("0", 0.0),
        ("2.5", 2.5),
        (" 7 ", 7.0),
        ("120", 120.0),
        ("-3", 0.0),
        ("-0.5", 0.0),
    ],
)
@pytest.mark.parametrize("status", sorted(TRANSIENT_STATUSES))
def test_retry_after_is_read_in_seconds(status: int, value: str, seconds: float) -> None:
    outcome = classify(answer(status, headers={"Retry-After": value}))
    assert outcome.verdict is Verdict.RETRY
    assert outcome.retry_after == seconds
    assert outcome.retry_after is not None
    assert outcome.retry_after >= 0


@pytest.mark.parametrize(
    "value", ["", "soon", "0x10", "3s", "Wed, 21 Oct 2015 07:28:00 GMT", "1,5"]
)
def test_an_unreadable_retry_after_is_ignored(value: str) -> None:
    outcome = classify(answer(503, headers={"Retry-After": value}))
    assert outcome.verdict is Verdict.RETRY
    assert outcome.retry_after is None


def test_no_retry_after_means_none() -> None:
    assert classify(answer(429)).retry_after is None


def test_a_retry_after_that_is_not_a_number_of_seconds_is_ignored() -> None:
    outcome = classify(answer(503, headers={"Retry-After": "nan"}))
    assert outcome.retry_after is None


def test_retry_after_is_not_read_from_a_refusal() -> None:
    outcome = classify(answer(409, {"code": "action_not_allowed"}, headers={"Retry-After": "5"}))
    assert outcome.verdict is Verdict.ERROR
    assert outcome.retry_after is None


# --- the token ----------------------------------------------------------------------------------


@pytest.mark.parametrize("code", ["token_expired", "token_invalid"])
def test_a_refused_token_is_renewed(code: str) -> None:
    outcome = classify(
        answer(401, {"code": code, "message": "token refused"}, headers={REQUEST_ID_HEADER: "r-1"})
    )
    assert outcome.verdict is Verdict.RENEW_TOKEN
    assert isinstance(outcome.error, AuthenticationError)
    assert outcome.error.code == code
    assert outcome.error.status_code == 401
    assert outcome.error.request_id == "r-1"
    assert outcome.processed is False


@pytest.mark.parametrize(
    "error",
    [
        {"code": "authentication_failed", "message": "wrong credentials"},
        {"code": "TOKEN_EXPIRED"},
        {"message": "no code"},
        None,
    ],
)
def test_any_other_401_is_an_error(error: dict[str, Any] | None) -> None:
    outcome = classify(answer(401, error))
    assert outcome.verdict is Verdict.ERROR
    assert isinstance(outcome.error, AuthenticationError)
    assert outcome.error.status_code == 401
    assert outcome.reason == outcome.error.message


def test_a_401_with_a_body_that_is_not_json_is_an_error() -> None:
    outcome = classify(answer(401, content=b"<html>401</html>"))
    assert outcome.verdict is Verdict.ERROR
    assert isinstance(outcome.error, AuthenticationError)
    assert outcome.error.code == "http_401"


# --- refusals ----------------------------------------------------------------------------------

REFUSALS: list[tuple[int, dict[str, Any] | None, type[AntsError], str]] = [
    (404, {"code": "request_not_found", "message": "no request 3223"}, RequestNotFound,
     "request_not_found"),
    (404, {"code": "ephoto_not_found", "message": "no ePhoto"}, ResourceNotFound,
     "ephoto_not_found"),
    (404, None, ResourceNotFound, "http_404"),
    (409, {"code": "action_not_allowed", "message": "not now"}, ActionNotAllowed,
     "action_not_allowed"),
    (409, {"code": "divergence", "message": "email used", "existing_number": "901"},
     DivergenceError, "divergence"),
    (413, {"code": "attachment.too_large", "message": "too big"}, AttachmentRejected,
     "attachment.too_large"),
    (413, None, AttachmentRejected, "http_413"),
    (422, {"code": "application_data", "message": "bad",
           "problems": [{"field": "applicant.email", "code": "email.invalid", "message": "m"}]},
     ApplicationDataError, "application_data"),
    (422, {"code": "ephoto.invalid", "message": "bad code"}, ApplicationDataError,
     "ephoto.invalid"),
    (400, {"code": "bad_request", "message": "bad"}, ApplicationDataError, "bad_request"),
    (400, {"code": "configuration_missing", "message": "no prefecture"}, ConfigurationError,
     "configuration_missing"),
    (400, None, ApplicationDataError, "http_400"),
    (599, None, ProtocolError, "http_599"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("status", "error", "cls", "code"),
    REFUSALS,
    ids=[f"{s}-{c}" for s, _, _, c in REFUSALS],
)
def test_refusals_are_typed_errors(
    status: int, error: dict[str, Any] | None, cls: type[AntsError], code: str
) -> None:
    response = answer(status, error, headers={REQUEST_ID_HEADER: f"req-{status}"})
    outcome = classify(response)
    assert outcome.verdict is Verdict.ERROR
    assert type(outcome.error) is cls
    assert outcome.error.code == code
    assert outcome.error.status_code == status
    assert outcome.error.request_id == f"req-{status}"
    assert outcome.reason == outcome.error.message
    if error and "message" in error:
        assert outcome.error.message == error["message"]
    else:
        assert "GET /api/v1/requests/3223" in outcome.error.message
    # The classifier and error_from_response agree.
    alone = error_from_response(response)
    assert (type(alone), alone.code, alone.status_code, alone.request_id) == (
        cls,
        code,
        status,
        f"req-{status}",
    )


def test_divergence_carries_the_existing_number() -> None:
    error = classify(answer(409, {"code": "divergence", "existing_number": 90120170705}))
    assert isinstance(error.error, DivergenceError)
    assert error.error.existing_number == "90120170705"
    assert error.error.field == "applicant.email"


def test_a_data_refusal_lists_the_servers_problems() -> None:
    problems = [
        {"field": "applicant.email", "code": "email.invalid", "message": "bad email",
         "message_fr": "Email incorrect", "suggestions": ["a@b.fr"]},
        {"field": "neph", "code": "neph.length", "message": "short", "severity": "warning"},
        "not a problem",
    ]  # fmt: skip
    outcome = classify(answer(422, {"code": "application_data", "problems": problems}))
    error = outcome.error
    assert isinstance(error, ApplicationDataError)
    assert [p.field for p in error.problems] == ["applicant.email", "neph"]
    assert error.problems[0].suggestions == ("a@b.fr",)
    assert error.problems[0].message_fr == "Email incorrect"
    assert error.problems[1].message_fr == "short"
    assert not error.problems[1].is_error
    assert error.field == "applicant.email"


def test_a_data_refusal_without_problems_is_made_one() -> None:
    outcome = classify(
        answer(422, {"code": "ephoto.invalid", "message": "bad code", "message_fr": "Code"})
    )
    error = outcome.error
    assert isinstance(error, ApplicationDataError)
    assert len(error.problems) == 1
    assert error.problems[0].field == "ephoto_code"
    assert error.problems[0].code == "ephoto.invalid"
    assert error.problems[0].message_fr == "Code"
    assert error.message_fr == "Code"


def test_a_refusal_keeps_the_french_message_and_field() -> None:
    outcome = classify(
        answer(
            409,
            {
                "code": "action_not_allowed",
                "message": "not now",
                "message_fr": "Pas maintenant.",
                "field": "status",
            },
        )
    )
    assert outcome.error is not None
    assert outcome.error.message_fr == "Pas maintenant."
    assert outcome.error.field == "status"


def test_without_a_request_id_header_the_error_has_none() -> None:
    outcome = classify(answer(404, {"code": "request_not_found"}))
    assert outcome.error is not None
    assert outcome.error.request_id is None
    assert outcome.error.status_code == 404
    assert "request_id" not in repr(outcome.error)


def test_the_request_id_header_is_read_whatever_its_case() -> None:
    outcome = classify(answer(404, {"code": "request_not_found"}, headers={"x-request-id": "low"}))
    assert outcome.error is not None
    assert outcome.error.request_id == "low"


# --- what the error carries, and what it never does ----------------------------------------------


def _refusals_with_secrets() -> list[AntsError]:
    login = httpx.Request(
        "POST",
        "http://ants.test/api/v1/auth/token",
        json={"agreement": "E1706900030", "login": "claboret662", "password": PASSWORD},
    )
    errors = []
    for status, error, _, _ in REFUSALS:
        for request in (_request(), login):
            outcome = classify(
                answer(status, error, headers={REQUEST_ID_HEADER: "rid-42"}, request=request)
            )
            assert outcome.error is not None
            errors.append(outcome.error)
    for code in ("token_expired", "authentication_failed"):
        outcome = classify(answer(401, {"code": code}, headers={REQUEST_ID_HEADER: "rid-42"}))
        assert outcome.error is not None
        errors.append(outcome.error)
    return errors


@pytest.mark.parametrize("protocol", [0, 2, pickle.HIGHEST_PROTOCOL])
def test_status_and_request_id_survive_pickling(protocol: int) -> None:
    for error in _refusals_with_secrets():
        clone = pickle.loads(pickle.dumps(error, protocol=protocol))
        assert type(clone) is type(error)
        assert clone.status_code == error.status_code
        assert clone.request_id == "rid-42"
        assert (clone.code, clone.message, clone.message_fr, clone.field) == (
            error.code,
            error.message,
            error.message_fr,
            error.field,
        )
        assert repr(clone) == repr(error)
        deep = copy.deepcopy(error)
        assert (deep.status_code, deep.request_id) == (error.status_code, "rid-42")


def test_repr_shows_the_status_and_request_id() -> None:
    for error in _refusals_with_secrets():
        text = repr(error)
        assert f"status_code={error.status_code!r}" in text
        assert "request_id='rid-42'" in text
        assert text.startswith(type(error).__name__ + "(")


def test_no_error_carries_a_token_or_a_password() -> None:
    for error in _refusals_with_secrets():
        dumped = pickle.dumps(error)
        texts = (str(error), repr(error), error.message_fr, str(error.args), str(vars(error)))
        for secret in (TOKEN, PASSWORD):
            for text in texts:
                assert secret not in text
            assert secret.encode() not in dumped
        assert "Authorization" not in repr(error)
        assert "Bearer" not in str(vars(error))


# --- transport failures ------------------------------------------------------------------------

NEVER_SENT = [httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout]
MAYBE_SENT = [
    httpx.ReadTimeout,
    httpx.WriteTimeout,
    httpx.RemoteProtocolError,
    httpx.WriteError,
    httpx.ReadError,
]


@pytest.mark.parametrize("cls", NEVER_SENT, ids=lambda c: c.__name__)
def test_a_failure_before_sending_is_not_processed(cls: type[httpx.TransportError]) -> None:
    outcome = classify_failure(cls("boom", request=_request()))
    assert isinstance(outcome, Outcome)
    assert outcome.verdict is Verdict.RETRY
    assert outcome.processed is False
    assert outcome.error is None
    assert outcome.retry_after is None
    assert cls.__name__ in outcome.reason


@pytest.mark.parametrize("cls", MAYBE_SENT, ids=lambda c: c.__name__)
def test_a_failure_after_sending_may_have_been_processed(cls: type[httpx.TransportError]) -> None:
    outcome = classify_failure(cls("boom", request=_request()))
    assert outcome.verdict is Verdict.RETRY
    assert outcome.processed is True
    assert outcome.error is None
    assert cls.__name__ in outcome.reason


def test_a_failure_reason_never_shows_the_request() -> None:
    outcome = classify_failure(httpx.ReadTimeout(f"timed out with {TOKEN}", request=_request()))
    assert TOKEN not in outcome.reason
    assert outcome.reason == "ReadTimeout: the connection to ANTS failed or timed out"
