"""How each write finds out its outcome, scripted answer by answer on a fake ANTS: one
idempotency key for all the tries of a write, a read-back after a lost answer and before any
resend, a refusal after an unclear try read back too, and a read after a done write that
can no longer turn it into a failure. Both shells (``[sync]``, ``[async]``)."""

from __future__ import annotations

import httpx
import pytest
from fake_ants import FakeAnts, error, online, request_json
from sandbox_fixtures import tiny_pdf

import antsclient as ants

AWAITING = ants.RequestStatus.AWAITING_APPLICANT_VALIDATION
K = ants.DocumentKind
CODE = "ABCDEFGHJK1234567890XY"


def _known(session: ants.AntsSession) -> None:
    session._known["3223"] = online()


def test_a_503_after_a_saved_validation_ends_as_a_success(
    fake: FakeAnts, session: ants.AntsSession
) -> None:
    _known(session)
    fake.on("POST", "/requests/3223/validate", error(503, "unavailable"))
    fake.on("GET", "/requests/3223", request_json(online(status=AWAITING)))
    assert session.requests.validate("3223").status is AWAITING
    assert len(fake.seen("POST", "/requests/3223/validate")) == 1, "read back, not resent"
    assert session._known["3223"].status is AWAITING


def test_a_refusal_after_an_unclear_try_is_read_back(
    fake: FakeAnts, session: ants.AntsSession
) -> None:
    # A server that keeps no keys: the first try lands late, the resend is refused.
    _known(session)
    refused = error(409, "action_not_allowed", "not a draft")
    fake.on("POST", "/requests/3223/validate", error(500, "internal_error"), refused)
    fake.on("GET", "/requests/3223", request_json(online()), request_json(online(status=AWAITING)))
    assert session.requests.validate("3223").status is AWAITING
    keys = {r.headers["Idempotency-Key"] for r in fake.seen("POST", "/requests/3223/validate")}
    assert len(keys) == 1, "the resend carries the first try's key"


def test_a_refusal_read_back_as_not_done_is_raised(
    fake: FakeAnts, session: ants.AntsSession
) -> None:
    _known(session)
    refused = error(409, "action_not_allowed", "not a draft")
    fake.on("POST", "/requests/3223/validate", error(500, "internal_error"), refused)
    fake.on("GET", "/requests/3223", request_json(online()))
    with pytest.raises(ants.ActionNotAllowed):
        session.requests.validate("3223")


def test_when_the_read_back_fails_the_write_may_have_happened(
    fake: FakeAnts, session: ants.AntsSession
) -> None:
    _known(session)
    fake.on("POST", "/requests/3223/validate", error(502, "unavailable"))
    fake.on("GET", "/requests/3223", error(503, "unavailable"))
    with pytest.raises(ants.AntsUnavailable) as unclear:
        session.requests.validate("3223")
    assert unclear.value.may_have_taken_effect is True
    assert len(fake.seen("POST", "/requests/3223/validate")) == 1


def test_a_later_try_that_never_left_keeps_the_write_unclear(
    fake: FakeAnts, session: ants.AntsSession
) -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    _known(session)
    fake.on("POST", "/requests/3223/validate", error(500, "internal_error"), refuse)
    fake.on("GET", "/requests/3223", request_json(online()))
    with pytest.raises(ants.AntsUnavailable) as unclear:
        session.requests.validate("3223")
    assert unclear.value.may_have_taken_effect is True, "the first try reached ANTS"


def test_every_write_carries_one_key_for_all_its_tries(
    fake: FakeAnts, session: ants.AntsSession
) -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    _known(session)
    fake.on("DELETE", "/requests/3223/ephoto/02", refuse, httpx.Response(204))
    fake.on("GET", "/requests/3223", request_json(online()))
    session.ephoto.delete("3223", ants.Cerfa.C02)
    fake.on("POST", "/requests/3223/link", request_json(online(student_id="S1")))
    session.requests.link("3223", "S1")
    deletes = fake.seen("DELETE", "/requests/3223/ephoto/02")
    assert len(deletes) == 2
    assert len({r.headers["Idempotency-Key"] for r in deletes}) == 1
    assert fake.seen("POST", "/requests/3223/link")[0].headers["Idempotency-Key"]


def test_a_done_write_is_not_failed_by_the_read_after_it(
    fake: FakeAnts, session: ants.AntsSession
) -> None:
    _known(session)
    fake.on("PUT", "/requests/3223/ephoto/02", httpx.Response(200, json={"code": CODE}))
    fake.on("GET", "/requests/3223", error(503, "unavailable"))
    result = session.ephoto.set("3223", CODE, cerfa=ants.Cerfa.C02)
    assert result.number == "3223", "the copy the session holds"


def test_a_lost_ephoto_answer_is_read_back(fake: FakeAnts, session: ants.AntsSession) -> None:
    _known(session)
    photo = {"code": CODE, "cerfa": "02", "photo": "", "signature": ""}
    fake.on("PUT", "/requests/3223/ephoto/02", error(504, "unavailable"))
    fake.on(
        "GET",
        "/requests/3223/ephoto",
        error(404, "ephoto_not_found"),
        httpx.Response(200, json=photo),
    )
    fake.on("GET", "/requests/3223", request_json(online()))
    session.ephoto.set("3223", CODE, cerfa=ants.Cerfa.C02)
    # not seen at first: sent again under the same key, then answered
    puts = fake.seen("PUT", "/requests/3223/ephoto/02")
    assert len(puts) == 2
    assert len({r.headers["Idempotency-Key"] for r in puts}) == 1


def test_an_upload_is_one_post_and_a_lost_answer_is_resent_under_its_key(
    fake: FakeAnts, session: ants.AntsSession
) -> None:
    _known(session)
    stored = {
        "file_id": "F1",
        "name": "cni.pdf",
        "pages": 1,
        "size": 9,
        "media_type": "application/pdf",
    }
    fake.on(
        "POST",
        "/requests/3223/attachments/identity",
        error(500, "internal_error"),
        httpx.Response(200, json=stored, headers={"Idempotent-Replayed": "true"}),
    )
    sent = session.attachments.upload("3223", K.IDENTITY, tiny_pdf(1), filename="cni.pdf")
    assert sent.file_id == "F1"
    posts = fake.seen("POST", "/requests/3223/attachments/identity")
    assert len({r.headers["Idempotency-Key"] for r in posts}) == 1
    assert [c.method for c in fake.calls if not c.url.path.endswith("/auth/token")] == [
        "POST",
        "POST",
    ], "no read before nor after"


def test_a_transfer_read_back_finds_the_request_taken(
    fake: FakeAnts, session: ants.AntsSession
) -> None:
    fake.on("POST", "/requests/3223/transfer", error(500, "internal_error"))
    fake.on("GET", "/requests/3223", request_json(online(transferred=True)))
    assert session.requests.transfer("3223", former_agreement="E9900000001").transferred is True
    assert len(fake.seen("POST", "/requests/3223/transfer")) == 1


def test_a_transfer_not_seen_is_sent_again(fake: FakeAnts, session: ants.AntsSession) -> None:
    taken = request_json(online(transferred=True))
    fake.on("POST", "/requests/3223/transfer", error(502, "unavailable"), taken)
    fake.on("GET", "/requests/3223", error(404, "request_not_found"))
    assert session.requests.transfer("3223", former_agreement="E9900000001").transferred is True
    posts = fake.seen("POST", "/requests/3223/transfer")
    assert len(posts) == 2
    assert len({r.headers["Idempotency-Key"] for r in posts}) == 1


def test_a_key_made_once_is_kept() -> None:
    from antsclient import _retries
    from antsclient import protocol as ops

    keyed = _retries.keyed(ops.validate_request("3223"))
    assert keyed.idempotency_key and _retries.keyed(keyed) is keyed
