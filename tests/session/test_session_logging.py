"""Nothing secret in the logs: at DEBUG, with httpx and httpcore talking, a full flow over
loopback logs neither the password nor any token the sandbox issued."""

from __future__ import annotations

import io
import logging
from pathlib import Path

import pytest
from sandbox_fixtures import (
    RequestLog,
    aw,
    cerfa02,
    ephoto_code,
    sandbox_env,
    tiny_pdf,
    tiny_png,
)

import antsclient as ants

pytestmark = pytest.mark.anyio

K = ants.DocumentKind


@pytest.mark.parametrize("mode", ["tcp-async", "tcp-sync"])
async def test_full_flow_logs_no_password_and_no_token(
    mode: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    cni = tmp_path / "cni.pdf"
    cni.write_bytes(tiny_pdf(2))
    log = RequestLog()
    caplog.set_level(logging.DEBUG)  # the root logger: antsclient, httpx, httpcore, uvicorn…
    for name in ("httpx", "httpcore", "antsclient", "uvicorn"):
        logging.getLogger(name).setLevel(logging.DEBUG)
    with sandbox_env(mode) as env:
        sb = env.sandbox
        password = sb.credentials.password.reveal()
        sb.set_token_ttl(40)
        async with env.session(log=log) as s:
            draft = await aw(s.requests.create(cerfa02()))
            await aw(s.attachments.upload(draft, K.IDENTITY, cni, comment="CNI"))
            await aw(s.attachments.upload(draft, K.PROOF_OF_ADDRESS, io.BytesIO(tiny_png())))
            await aw(s.ephoto.set(draft, ephoto_code(), cerfa=ants.Cerfa.C02))
            await aw(s.ephoto.get(draft))
            sb.advance(seconds=45)  # the server now says token_expired: a new login
            await aw(s.requests.validate(draft))
            sb.applicant_validates(draft.number)
            await aw(s.requests.link(draft, "S1"))
            await aw(s.documents.list(draft.number))
            await aw(s.requests.search(bucket=ants.Bucket.AWAITING_APPLICANT_VALIDATION))
            await aw(s.requests.counts())
        wrong = ants.Credentials(agreement="E1706900030", login="claboret662", password="x-Faux-1")
        async with env.session(wrong) as bad:
            with pytest.raises(ants.AuthenticationError):
                await aw(bad.requests.counts())

    text = "\n".join(
        f"{r.name} {r.levelname} {r.getMessage()} {r.args!r} {r.__dict__}" for r in caplog.records
    )
    loggers = {r.name.split(".")[0] for r in caplog.records}
    # httpx's client writes no line of its own: requests go to its transport directly,
    # whose connections log under httpcore.
    assert {"antsclient", "httpcore"} <= loggers, loggers
    assert "POST /api/v1/requests" in text  # the flow was logged
    assert len(log.tokens) >= 2, "the token was renewed: several tokens to look for"
    assert password not in text
    assert "x-Faux-1" not in text
    for token in log.tokens:
        assert token not in text
        assert token.removeprefix("sbx_") not in text
    assert "Bearer" not in text
