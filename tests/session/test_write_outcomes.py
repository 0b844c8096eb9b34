"""Every write knows its outcome: answers lost after ANTS saved the write (a 5xx, a reset, a
stall — the sandbox's post-commit faults), through both sessions, in process and over
loopback TCP. The write is done exactly once and reported as done; the round trips of the
success path are counted where they arrive, at the sandbox."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest
from sandbox_fixtures import (
    FAST,
    MODES,
    SandboxEnv,
    aw,
    cerfa02,
    ephoto_code,
    sandbox_env,
    tiny_pdf,
    unique_email,
)

import antsclient as ants

pytestmark = pytest.mark.anyio

S = ants.RequestStatus
K = ants.DocumentKind
C02 = ants.Cerfa.C02

STALL = {"asgi": 0.05, "tcp": 1.0}
"""Seconds a stalled answer is held: over TCP past the sessions' timeout below; in process
the sandbox raises the read timeout itself once the stall is over."""
TIMEOUT = {"stall": 0.5, "error": 10.0, "reset": 10.0}
"""The session's timeout for each fault kind: only a stall needs one short enough to give up
on an answer; the others are lost at once, and a short timeout there would only make a slow
machine resend a write whose answer was merely late."""


@pytest.fixture(params=MODES)
def env(request: pytest.FixtureRequest) -> Iterator[SandboxEnv]:
    with sandbox_env(request.param) as e:
        yield e


def _held(env: SandboxEnv, number: str) -> ants.OnlineRequest:
    (request,) = [r for r in env.sandbox.requests() if r.number == number]
    return request


def _files(env: SandboxEnv, number: str, kind: ants.DocumentKind) -> list[str]:
    agency = env.sandbox.state.agencies[env.sandbox.credentials.agreement]
    slots = env.sandbox.state.slots(agency, number)
    return [f.file_id for slot in slots if slot.kind is kind for f in slot.files]


def _code(env: SandboxEnv, number: str) -> str | None:
    agency = env.sandbox.state.agencies[env.sandbox.credentials.agreement]
    try:
        return env.sandbox.state.ephoto(agency, number).code
    except ants.AntsError:
        return None


async def test_upload_and_validate_take_one_round_trip(env: SandboxEnv) -> None:
    sb = env.sandbox
    async with env.session() as s:
        draft = await aw(s.requests.create(cerfa02()))
        sb.reset_received()
        await aw(s.attachments.upload(draft, K.IDENTITY, tiny_pdf(2), filename="cni.pdf"))
        assert sb.received() == {"upload_attachment": 1}
        await aw(s.attachments.upload(draft.number, K.PROOF_OF_ADDRESS, io.BytesIO(tiny_pdf())))
        sb.reset_received()
        validated = await aw(s.requests.validate(draft.number))
        assert sb.received() == {"validate_request": 1}
    assert validated.status is S.AWAITING_APPLICANT_VALIDATION


@pytest.mark.parametrize("kind", ["error", "reset", "stall"])
async def test_every_write_survives_a_lost_answer(env: SandboxEnv, kind: str) -> None:
    """Each write's answer is lost once it is saved: each is reported done, done once."""
    sb = env.sandbox
    other = sb.add_agency("E2506900077", "autre-ecole", "Autre-Ecole-25!", prefecture="Doubs")
    theirs = sb.register_direct(agreement=other.agreement, status=S.UNDER_REVIEW)
    email = unique_email("perdu")
    async with env.session(timeout=TIMEOUT[kind]) as s:
        await aw(s.requests.counts())  # logged in before the faults
        sb.set_post_commit_faults(
            1.0, kinds=[kind], stall_seconds=STALL[env.mode.split("-")[0]], seed=5
        )
        draft = await aw(s.requests.create(cerfa02(email)))
        assert [r.number for r in sb.requests() if r.email == email] == [draft.number]

        identity = await aw(s.attachments.upload(draft, K.IDENTITY, tiny_pdf(2)))
        proof = await aw(s.attachments.upload(draft, K.PROOF_OF_ADDRESS, tiny_pdf(1)))
        extra = await aw(s.attachments.upload(draft, K.ASSR, io.BytesIO(tiny_pdf(1))))
        assert _files(env, draft.number, K.IDENTITY) == [identity.file_id]
        assert _files(env, draft.number, K.PROOF_OF_ADDRESS) == [proof.file_id]
        assert _files(env, draft.number, K.ASSR) == [extra.file_id]
        assert await aw(s.attachments.delete(draft, K.ASSR, extra.file_id)) is None
        assert _files(env, draft.number, K.ASSR) == []

        code = ephoto_code()
        assert (await aw(s.ephoto.set(draft, code, cerfa=C02))).number == draft.number
        assert _code(env, draft.number) == code
        await aw(s.ephoto.delete(draft, C02))
        assert _code(env, draft.number) is None

        validated = await aw(s.requests.validate(draft))
        assert validated.status is S.AWAITING_APPLICANT_VALIDATION
        linked = await aw(s.requests.link(draft, "S1"))
        assert (linked.student_id, _held(env, draft.number).student_id) == ("S1", "S1")

        sb.applicant_validates(draft.number)
        sb.prefecture_decides(draft.number, ants.PrefectureDecision.ASK_COMPLETION)
        await aw(s.requests.refresh(draft))
        sent = await aw(s.requests.send_complement(draft))
        assert sent.status is S.UNDER_REVIEW is _held(env, draft.number).status

        spare = await aw(s.requests.create(cerfa02()))
        await aw(s.requests.delete(spare))
        assert spare.number not in {r.number for r in sb.requests()}

        taken = await aw(s.requests.transfer(theirs.number, former_agreement=other.agreement))
        assert taken.transferred is True
        mine = [r for r in sb.requests(sb.credentials.agreement) if r.number == theirs.number]
        assert [r.transferred for r in mine] == [True]
    sb.set_post_commit_faults()

    writes = {
        "create_request": 2,
        "upload_attachment": 3,
        "delete_attachment": 1,
        "set_ephoto": 1,
        "delete_ephoto": 1,
        "validate_request": 1,
        "link_request": 1,
        "send_complement": 1,
        "delete_request": 1,
        "transfer_request": 1,
    }
    assert sb.lost_answers() == writes, "every saved write had its answer lost"
    received = sb.received()
    # A create or an upload is sent again under its key (ANTS answers with what it made,
    # which the checks above found made once); every other write is read back, found done
    # and never sent again. On a slow machine a resend may itself outlive the stall's short
    # timeout and be sent once more, under the same key: at least one resend each, and no
    # more than the session's three attempts (FAST).
    resent = {"create_request", "upload_attachment"}
    assert {op: received[op] for op in writes if op not in resent} == {
        op: n for op, n in writes.items() if op not in resent
    }
    for op in resent:
        assert 2 * writes[op] <= received[op] <= 3 * writes[op], (op, received[op])


async def test_a_write_that_never_left_says_so(env: SandboxEnv) -> None:
    async with env.session() as s:
        draft = await aw(s.requests.create(cerfa02()))
    creds, nowhere = env.sandbox.credentials, "http://127.0.0.1:9"  # nothing listens there
    if env.sync:
        with ants.AntsSession(creds, base_url=nowhere, retry=FAST) as blocking:
            with pytest.raises(ants.AntsUnavailable) as refused:
                blocking.requests.validate(draft)
    else:
        async with ants.AsyncAntsSession(creds, base_url=nowhere, retry=FAST) as awaited:
            with pytest.raises(ants.AntsUnavailable) as refused:
                await awaited.requests.validate(draft)
    assert refused.value.may_have_taken_effect is False
    assert "rien n'a été envoyé" in refused.value.message_fr
    assert _held(env, draft.number).status is S.DRAFT


async def test_an_unclear_write_is_never_said_not_done(env: SandboxEnv) -> None:
    sb = env.sandbox
    async with env.session() as s:
        draft = await aw(s.requests.create(cerfa02()))
        sb.set_faults(error_rate=1.0, seed=4)  # every answer fails, the read-backs too
        try:
            with pytest.raises(ants.AntsUnavailable) as unclear:
                await aw(s.ephoto.set(draft, ephoto_code(), cerfa=C02))
        finally:
            sb.set_faults()
    assert unclear.value.may_have_taken_effect is True
    assert "peut-être" in unclear.value.message_fr


async def test_a_resend_under_the_same_key_is_answered_not_redone(env: SandboxEnv) -> None:
    """The sandbox keeps every keyed write's answer: a resend gets it back."""
    sb = env.sandbox
    async with env.session() as s:
        draft = await aw(s.requests.create(cerfa02()))
        sb.set_post_commit_faults(1.0, operations=["link_request"], kinds=["reset"], seed=1)
        linked = await aw(s.requests.link(draft, "S9"))
        sb.set_post_commit_faults()
    assert linked.student_id == "S9"
    assert sb.lost_answers() == {"link_request": 1}
    assert sb.received()["link_request"] == 1


async def test_a_host_retry_under_its_own_key_stores_once(env: SandboxEnv) -> None:
    """The error surfaces (one attempt only); the host calls again with the key it made."""
    sb = env.sandbox
    async with env.session(retry=ants.RetryPolicy.none()) as s:
        await aw(s.requests.counts())
        sb.set_post_commit_faults(1.0, kinds=["reset"], seed=2)
        email, key = unique_email("hote"), "application-0001"
        application = cerfa02(email)  # the same application, called again with its key
        with pytest.raises(ants.AntsUnavailable) as lost:
            await aw(s.requests.create(application, idempotency_key=key))
        assert lost.value.may_have_taken_effect is True
        draft = await aw(s.requests.create(application, idempotency_key=key))
        assert [r.number for r in sb.requests() if r.email == email] == [draft.number]
        with pytest.raises(ants.AntsUnavailable):
            await aw(s.attachments.upload(draft, K.IDENTITY, tiny_pdf(1), idempotency_key="doc-1"))
        sent = await aw(
            s.attachments.upload(draft, K.IDENTITY, tiny_pdf(1), idempotency_key="doc-1")
        )
        sb.set_post_commit_faults()
    assert _files(env, draft.number, K.IDENTITY) == [sent.file_id]
