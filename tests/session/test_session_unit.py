"""AntsSession and AsyncAntsSession against a scripted fake ANTS: auth, retries, refusals.

Every test taking ``session`` or ``open_session`` runs once per shell (``[sync]``, ``[async]``)."""

from __future__ import annotations

import datetime as dt
import json
import logging
from pathlib import Path
from typing import Any

import httpx
import pytest
from fake_ants import NOW, PASSWORD, FakeAnts, error, online, request_json, slots_json
from shells import OpenSession, Shell

import antsclient as ants
from antsclient.codec import to_data

DRAFT = ants.RequestStatus.DRAFT
AWAITING = ants.RequestStatus.AWAITING_APPLICANT_VALIDATION


# --- authentication ----------------------------------------------------------------------------


def test_logs_in_once_and_reuses_the_token(fake: FakeAnts, session: ants.AntsSession) -> None:
    fake.on("GET", "/requests/3223", request_json(online()))
    session.requests.get("3223")
    session.requests.get("3223")
    assert fake.logins == 1
    gets = fake.seen("GET", "/requests/3223")
    assert [r.headers["Authorization"] for r in gets] == ["Bearer tok-1", "Bearer tok-1"]


def test_renews_an_expired_token_once(fake: FakeAnts, session: ants.AntsSession) -> None:
    fake.on("GET", "/requests/3223", error(401, "token_expired"), request_json(online()))
    assert session.requests.get("3223").number == "3223"
    assert fake.logins == 2
    assert fake.seen("GET")[-1].headers["Authorization"] == "Bearer tok-2"


def test_renews_a_token_about_to_expire(fake: FakeAnts, session: ants.AntsSession) -> None:
    fake.token_ttl = 5  # below the safety margin: renewed before each call
    fake.on("GET", "/requests/3223", request_json(online()))
    session.requests.get("3223")
    session.requests.get("3223")
    assert fake.logins == 2


def test_wrong_password_is_an_authentication_error(
    fake: FakeAnts, open_session: OpenSession
) -> None:
    creds = ants.Credentials(agreement="E1706900030", login="claboret662", password="nope-nope")
    with open_session(creds) as s:
        with pytest.raises(ants.AuthenticationError) as exc:
            s.requests.get("3223")
    assert exc.value.code == "authentication_failed"
    assert "nope-nope" not in f"{exc.value} {exc.value!r} {exc.value.message_fr}"
    assert fake.seen("GET") == []


def test_missing_credentials_say_which(fake: FakeAnts, open_session: OpenSession) -> None:
    creds = ants.Credentials(agreement="E1706900030", login="", password="")
    with open_session(creds) as s:
        with pytest.raises(ants.ConfigurationError) as exc:
            s.requests.get("3223")
    assert exc.value.field == "credentials.login"
    assert fake.calls == []


def test_repr_shows_no_secret(session: ants.AntsSession) -> None:
    assert PASSWORD not in repr(session)
    assert "E1706900030" in repr(session)


def test_each_shell_is_the_session_it_names(shell: Shell, session: ants.AntsSession) -> None:
    named = {"sync": "AntsSession(", "async": "AsyncAntsSession("}
    assert repr(session).startswith(named[shell.kind])


# --- retries -----------------------------------------------------------------------------------


def test_reads_retry_5xx_then_succeed(fake: FakeAnts, session: ants.AntsSession) -> None:
    fake.on(
        "GET",
        "/requests/3223",
        error(503, "unavailable"),
        error(502, "unavailable"),
        request_json(online()),
    )
    assert session.requests.get("3223").status is DRAFT
    assert len(fake.seen("GET", "/requests/3223")) == 3


def test_reads_give_up_with_a_clear_error(fake: FakeAnts, session: ants.AntsSession) -> None:
    fake.on("GET", "/requests/3223", error(500, "internal_error"))
    with pytest.raises(ants.AntsUnavailable) as exc:
        session.requests.get("3223")
    assert exc.value.attempts == 4
    assert exc.value.may_have_taken_effect is False
    assert "La page ne répond pas" in exc.value.message_fr
    assert len(fake.seen("GET", "/requests/3223")) == 4


def test_malformed_bodies_are_retried(fake: FakeAnts, session: ants.AntsSession) -> None:
    fake.on(
        "GET",
        "/requests/3223",
        httpx.Response(200, content=b'{"number": "32'),
        request_json(online()),
    )
    assert session.requests.get("3223").number == "3223"


def test_connection_errors_are_retried(fake: FakeAnts, session: ants.AntsSession) -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    fake.on("GET", "/requests/3223", refuse, request_json(online()))
    assert session.requests.get("3223").number == "3223"


def test_a_retried_create_keeps_its_idempotency_key(
    fake: FakeAnts, session: ants.AntsSession, application: ants.Cerfa02
) -> None:
    def stall(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("stalled", request=request)

    fake.on("POST", "/requests", stall, httpx.Response(201, json=to_data(online("4501"))))
    created = session.requests.create(application)
    assert created.number == "4501"
    keys = [r.headers["Idempotency-Key"] for r in fake.seen("POST", "/requests")]
    assert len(keys) == 2 and keys[0] == keys[1]


def test_each_create_has_its_own_key(
    fake: FakeAnts, session: ants.AntsSession, application: ants.Cerfa02
) -> None:
    fake.on("POST", "/requests", httpx.Response(201, json=to_data(online("4501"))))
    session.requests.create(application)
    session.requests.create(application)
    keys = {r.headers["Idempotency-Key"] for r in fake.seen("POST", "/requests")}
    assert len(keys) == 2


def test_an_unclear_validation_is_reconciled_not_resent(
    fake: FakeAnts, session: ants.AntsSession
) -> None:
    fake.on("GET", "/requests/3223", request_json(online()), request_json(online(status=AWAITING)))
    fake.on("GET", "/requests/3223/attachments", slots_json())
    fake.on("POST", "/requests/3223/validate", error(500, "internal_error"))
    result = session.requests.validate("3223")
    assert result.status is AWAITING
    assert len(fake.seen("POST", "/requests/3223/validate")) == 1


def test_a_validation_that_did_not_happen_is_sent_again(
    fake: FakeAnts, session: ants.AntsSession
) -> None:
    fake.on("GET", "/requests/3223", request_json(online()))
    fake.on("GET", "/requests/3223/attachments", slots_json())
    fake.on(
        "POST",
        "/requests/3223/validate",
        error(500, "internal_error"),
        request_json(online(status=AWAITING)),
    )
    assert session.requests.validate("3223").status is AWAITING
    assert len(fake.seen("POST", "/requests/3223/validate")) == 2


def test_an_unsafe_write_that_never_left_is_retried(
    fake: FakeAnts, session: ants.AntsSession
) -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    session._known["3223"] = online()
    fake.on("DELETE", "/requests/3223", refuse, httpx.Response(204))
    session.requests.delete("3223")
    assert len(fake.seen("DELETE")) == 2
    assert fake.seen("GET") == []


def test_unclear_writes_say_they_may_have_happened(
    fake: FakeAnts, session: ants.AntsSession
) -> None:
    session._known["3223"] = online()
    fake.on("DELETE", "/requests/3223", error(500, "internal_error"))
    fake.on("GET", "/requests/3223", request_json(online()))
    with pytest.raises(ants.AntsUnavailable) as exc:
        session.requests.delete("3223")
    assert exc.value.may_have_taken_effect is True
    assert "refresh the request" in str(exc.value)


def test_retry_after_header_is_read(fake: FakeAnts, session: ants.AntsSession) -> None:
    busy = httpx.Response(
        429,
        headers={"Retry-After": "0"},
        json={"error": {"code": "rate_limited", "message": "slow down"}},
    )
    fake.on("GET", "/requests/3223", busy, request_json(online()))
    assert session.requests.get("3223").number == "3223"


# --- refusals before any call ------------------------------------------------------------------


def test_a_missing_right_is_refused_before_any_call(
    fake: FakeAnts, open_session: OpenSession, credentials: ants.Credentials
) -> None:
    with open_session(credentials, rights={ants.Right.VALIDATE_REQUEST}) as s:
        with pytest.raises(ants.PermissionDenied) as exc:
            s.requests.delete("3223")
        with pytest.raises(ants.PermissionDenied):
            s.ephoto.delete("3223", ants.Cerfa.C02)
    assert "ANTS - Supprimer une demande" in exc.value.message_fr
    assert fake.calls == []


def test_the_lifecycle_refuses_before_any_call(fake: FakeAnts, session: ants.AntsSession) -> None:
    reviewed = online(status=ants.RequestStatus.UNDER_REVIEW)
    with pytest.raises(ants.ActionNotAllowed) as exc:
        session.requests.delete(reviewed)
    with pytest.raises(ants.ActionNotAllowed):
        session.ephoto.set(reviewed, "ABCDEFGHJK1234567890XY", cerfa=ants.Cerfa.C02)
    assert exc.value.status == "under_review"
    assert "BROUILLON" in exc.value.message_fr
    assert fake.calls == []


def test_an_unknown_status_is_read_once_then_checked(
    fake: FakeAnts, session: ants.AntsSession
) -> None:
    fake.on("GET", "/requests/3223", request_json(online(status=ants.RequestStatus.ACCEPTED)))
    with pytest.raises(ants.ActionNotAllowed):
        session.requests.delete("3223")
    assert [c.method for c in fake.calls if c.url.path != "/api/v1/auth/token"] == ["GET"]


def test_missing_required_documents_block_validation(
    fake: FakeAnts, session: ants.AntsSession
) -> None:
    session._known["3223"] = online()
    refused = error(
        409,
        "required_documents_missing",
        "documents missing",
        message_fr="Pièce d'identité manquante",
    )
    fake.on("POST", "/requests/3223/validate", refused)
    fake.on("GET", "/requests/3223", request_json(online()))
    with pytest.raises(ants.ActionNotAllowed) as exc:
        session.requests.validate("3223")
    assert exc.value.code == "required_documents_missing"
    assert "Pièce d'identité" in exc.value.message_fr
    # ANTS decides as it validates: no read of the documents before, one POST
    assert fake.seen("GET", "/requests/3223/attachments") == []
    assert len(fake.seen("POST", "/requests/3223/validate")) == 1


def test_a_malformed_ephoto_code_never_leaves(fake: FakeAnts, session: ants.AntsSession) -> None:
    with pytest.raises(ants.ApplicationDataError) as exc:
        session.ephoto.set("3223", "short", cerfa=ants.Cerfa.C02)
    assert exc.value.problems[0].code == "ephoto.invalid"
    assert fake.calls == []


def test_prefectures_need_the_postal_code(fake: FakeAnts, open_session: OpenSession) -> None:
    creds = ants.Credentials(agreement="E1706900030", login="claboret662", password=PASSWORD)
    with open_session(creds) as s:
        with pytest.raises(ants.ConfigurationError) as exc:
            s.prefectures.list()
    assert exc.value.field == "credentials.postal_code"
    assert "code postal" in exc.value.message_fr
    assert fake.calls == []


def test_an_invalid_application_never_leaves(
    fake: FakeAnts, session: ants.AntsSession, application: ants.Cerfa02
) -> None:
    import attrs

    wrong = attrs.evolve(
        application,
        applicant=attrs.evolve(application.applicant, first_name="Jean Pierre", email="nope"),
    )
    with pytest.raises(ants.ApplicationDataError) as exc:
        session.requests.create(wrong)
    assert {p.code for p in exc.value.problems} >= {
        "first_name.several_given_names",
        "email.invalid",
    }
    assert fake.calls == []


def test_an_oversized_file_never_leaves(
    fake: FakeAnts, session: ants.AntsSession, tmp_path: Path
) -> None:
    big = tmp_path / "cni.pdf"
    with big.open("wb") as f:
        f.write(b"%PDF-1.4\n")
        f.truncate(11_000_001)
    with pytest.raises(ants.AttachmentRejected) as exc:
        session.attachments.upload("3223", ants.DocumentKind.IDENTITY, big)
    assert exc.value.code == "attachment.too_large"
    assert fake.calls == []


# --- geo check in create -----------------------------------------------------------------------


def test_create_corrects_a_certain_place(
    fake: FakeAnts, session: ants.AntsSession, application: ants.Cerfa02
) -> None:
    import attrs

    typed = attrs.evolve(
        application,
        applicant=attrs.evolve(
            application.applicant,
            address=attrs.evolve(application.applicant.address, city="ST PRIEST"),
        ),
    )
    fake.on("POST", "/requests", httpx.Response(201, json=to_data(online("4501"))))
    session.requests.create(typed)
    sent = json.loads(fake.seen("POST", "/requests")[0].content)
    assert sent["application"]["applicant"]["address"]["city"].startswith("SAINT-PRIEST")


def test_create_refuses_a_place_that_needs_a_choice(
    fake: FakeAnts, session: ants.AntsSession, application: ants.Cerfa02
) -> None:
    import attrs

    typed = attrs.evolve(
        application,
        applicant=attrs.evolve(
            application.applicant, birth_city="ST PRIEST", birth_department=None
        ),
    )
    typed = attrs.evolve(typed, applicant=attrs.evolve(typed.applicant, birth_department="01"))
    with pytest.raises(ants.ApplicationDataError) as exc:
        session.requests.create(typed)
    problem = next(p for p in exc.value.problems if p.field == "applicant.birth_city")
    assert problem.code == "city.incorrect"
    assert fake.calls == []
    fake.on("POST", "/requests", httpx.Response(201, json=to_data(online("4501"))))
    confirm = [p.field for p in exc.value.problems]
    assert session.requests.create(typed, confirm=confirm).number == "4501"
    assert json.loads(fake.seen("POST", "/requests")[0].content)["confirmed_fields"] == confirm


# --- downloads ---------------------------------------------------------------------------------


def _pdf_answer(name: str | None) -> httpx.Response:
    headers = {"Content-Type": "application/pdf"}
    if name is not None:
        headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return httpx.Response(200, headers=headers, content=b"%PDF-1.4 fake")


@pytest.mark.parametrize(
    ("proposed", "expected"),
    [
        ("../../etc/passwd", "passwd"),
        ("..\\..\\boot.ini", "boot.ini"),
        ("bad\x00\x1fname.pdf", "bad__name.pdf"),
        ("...", "identity-f1"),
        (None, "identity-f1"),
        ("CON.pdf", "_CON.pdf"),
    ],
)
def test_downloads_stay_in_their_folder(
    fake: FakeAnts,
    session: ants.AntsSession,
    tmp_path: Path,
    proposed: str | None,
    expected: str,
) -> None:
    fake.on("GET", "/requests/3223/attachments/identity/f1", _pdf_answer(proposed))
    path = session.attachments.download("3223", ants.DocumentKind.IDENTITY, "f1", to=tmp_path)
    assert path.parent == tmp_path.resolve()
    assert path.name == expected
    assert path.read_bytes() == b"%PDF-1.4 fake"
    assert sorted(p.name for p in tmp_path.iterdir()) == [expected]


def test_a_second_download_does_not_overwrite(
    fake: FakeAnts, session: ants.AntsSession, tmp_path: Path
) -> None:
    fake.on("GET", "/requests/3223/attachments/identity/f1", _pdf_answer("cni.pdf"))
    first = session.attachments.download("3223", ants.DocumentKind.IDENTITY, "f1", to=tmp_path)
    second = session.attachments.download("3223", ants.DocumentKind.IDENTITY, "f1", to=tmp_path)
    assert (first.name, second.name) == ("cni.pdf", "cni (1).pdf")


def test_a_failed_download_leaves_nothing(
    fake: FakeAnts, session: ants.AntsSession, tmp_path: Path
) -> None:
    fake.on("GET", "/requests/3223/attachments/identity/f1", error(500, "internal_error"))
    with pytest.raises(ants.AntsUnavailable):
        session.attachments.download("3223", ants.DocumentKind.IDENTITY, "f1", to=tmp_path)
    assert list(tmp_path.iterdir()) == []


# --- logging -----------------------------------------------------------------------------------


def test_one_redacted_log_line_per_call(
    fake: FakeAnts, session: ants.AntsSession, caplog: pytest.LogCaptureFixture
) -> None:
    fake.on("GET", "/requests/3223", error(503, "unavailable"), request_json(online()))
    with caplog.at_level(logging.DEBUG):
        session.requests.get("3223")
    lines = [r.getMessage() for r in caplog.records if r.name.startswith("antsclient")]
    assert lines[0].startswith("POST /api/v1/auth/token -> 200")
    assert "GET /api/v1/requests/3223 -> 503" in lines[1] and "(attempt 1)" in lines[1]
    assert "(attempt 2)" in lines[2]
    text = caplog.text
    assert PASSWORD not in text and "tok-1" not in text


# --- async parity ------------------------------------------------------------------------------


@pytest.mark.anyio
async def test_async_session_maps_errors_like_the_sync_one(
    fake: FakeAnts, credentials: ants.Credentials
) -> None:
    fake.on("GET", "/requests/3223", error(503, "unavailable"), request_json(online()))
    fake.on("GET", "/requests/9999", error(404, "request_not_found"))
    async with ants.AsyncAntsSession(
        credentials,
        base_url="http://ants.test/api/v1",
        transport=httpx.MockTransport(fake),
        retry=ants.RetryPolicy.immediate(),
    ) as s:
        assert (await s.requests.get("3223")).number == "3223"
        with pytest.raises(ants.RequestNotFound) as exc:
            await s.requests.get("9999")
    assert exc.value.code == "request_not_found"
    assert fake.logins == 1


def test_the_sync_session_is_generated_from_the_async_one() -> None:
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[2]
    done = subprocess.run(
        [sys.executable, str(root / "scripts" / "unasync.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout


def test_requests_by_date_window(fake: FakeAnts, session: ants.AntsSession) -> None:
    page = {
        "items": [to_data(online("1")), to_data(online("2"))],
        "page": 1,
        "page_size": 100,
        "total": 2,
        "pages": 1,
    }
    fake.on("GET", "/requests", httpx.Response(200, json=page))
    found = session.requests.search(created=(dt.date(2026, 1, 1), None), bucket=ants.Bucket.DRAFTS)
    assert [r.number for r in found.items] == ["1", "2"]
    params = fake.seen("GET", "/requests")[0].url.params
    assert params["created_from"] == "2026-01-01T00:00:00+00:00"
    assert params["bucket"] == "drafts"
    assert "created_to" not in params


# --- what the session knows ---------------------------------------------------------------------


def test_a_refusal_by_ants_refreshes_the_known_status(
    fake: FakeAnts, session: ants.AntsSession
) -> None:
    session._known["3223"] = online()
    fake.on("DELETE", "/requests/3223", error(409, "action_not_allowed", "not in this status"))
    fake.on("GET", "/requests/3223", request_json(online(status=ants.RequestStatus.UNDER_REVIEW)))
    with pytest.raises(ants.ActionNotAllowed):
        session.requests.delete("3223")
    assert session._known["3223"].status is ants.RequestStatus.UNDER_REVIEW
    with pytest.raises(ants.ActionNotAllowed):
        session.requests.delete("3223")
    assert len(fake.seen("DELETE")) == 1


def test_the_newest_copy_of_a_request_wins(fake: FakeAnts, session: ants.AntsSession) -> None:
    old = online()
    fake.on(
        "POST",
        "/requests/3223/link",
        request_json(online(student_id="S1", modified=NOW + dt.timedelta(minutes=1))),
    )
    fake.on("GET", "/requests/3223/documents", httpx.Response(200, json={"items": []}))
    session.requests.link(old, "S1")
    assert session.documents.list(old) == []


def test_uploads_wait_longer_by_default_only(
    fake: FakeAnts, open_session: OpenSession, credentials: ants.Credentials, tmp_path: Path
) -> None:
    pdf = tmp_path / "cni.pdf"
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=100, height=100)
    with pdf.open("wb") as f:
        writer.write(f)
    seen: list[dict[str, float]] = []

    def record(request: httpx.Request) -> httpx.Response:
        seen.append(request.extensions.get("timeout", {}))
        return httpx.Response(
            201,
            json={
                "file_id": "f1",
                "name": "cni.pdf",
                "pages": 1,
                "size": 10,
                "media_type": "application/pdf",
            },
        )

    fake.on("POST", "/requests/3223/attachments/identity", record)
    fake.on("GET", "/requests/3223/attachments", slots_json(required_sent=False))
    fake.on("GET", "/requests/3223", request_json(online()))
    for timeout in (None, httpx.Timeout(2.0)):
        kwargs = {} if timeout is None else {"timeout": timeout}
        with open_session(credentials, **kwargs) as s:
            s._known["3223"] = online()
            s.attachments.upload("3223", ants.DocumentKind.IDENTITY, pdf)
    # 5 minutes to write, cut to what is left of the call's 300 s deadline
    assert 290.0 < seen[0]["write"] <= 300.0
    assert seen[0]["read"] == 180.0
    assert seen[1]["write"] == 2.0


def test_an_unclear_write_stays_unclear_when_the_check_fails(
    fake: FakeAnts, session: ants.AntsSession
) -> None:
    session._known["3223"] = online()
    fake.on("GET", "/requests/3223/attachments", slots_json())
    fake.on("POST", "/requests/3223/validate", error(502, "unavailable"))
    fake.on("GET", "/requests/3223", error(503, "unavailable"))
    with pytest.raises(ants.AntsUnavailable) as exc:
        session.requests.validate("3223")
    assert exc.value.may_have_taken_effect is True
    assert "/validate" in str(exc.value)


def test_a_refusal_without_problems_still_lists_one(
    fake: FakeAnts, session: ants.AntsSession
) -> None:
    session._known["3223"] = online()
    fake.on(
        "PUT",
        "/requests/3223/ephoto/02",
        error(409, "ephoto.already_used", "code already used", field="ephoto_code"),
    )
    with pytest.raises(ants.ApplicationDataError) as exc:
        session.ephoto.set("3223", "ABCDEFGHJK1234567890XY", cerfa=ants.Cerfa.C02)
    (problem,) = exc.value.problems
    assert (problem.field, problem.code) == ("ephoto_code", "ephoto.already_used")
    assert problem.message_fr == "FR code already used"


def test_a_missing_ephoto_is_not_a_missing_request(
    fake: FakeAnts, session: ants.AntsSession
) -> None:
    fake.on("GET", "/requests/3223/ephoto", error(404, "ephoto_not_found"))
    with pytest.raises(ants.ResourceNotFound) as exc:
        session.ephoto.get("3223")
    assert not isinstance(exc.value, ants.RequestNotFound)


def test_transfer_links_the_student_at_once(fake: FakeAnts, session: ants.AntsSession) -> None:
    fake.on("POST", "/requests/777/transfer", request_json(online("777", transferred=True)))
    fake.on(
        "POST", "/requests/777/link", request_json(online("777", transferred=True, student_id="S9"))
    )
    taken = session.requests.transfer("777", former_agreement="E2309400140", student_id="S9")
    sent = fake.seen("POST", "/requests/777/transfer")[0].content
    assert json.loads(sent) == {"former_agreement": "E2309400140"}
    assert (taken.transferred, taken.student_id) == (True, "S9")


def test_create_lists_data_and_place_problems_together(
    fake: FakeAnts,
    open_session: OpenSession,
    credentials: ants.Credentials,
    application: ants.Cerfa02,
) -> None:
    import attrs

    creds = attrs.evolve(credentials, prefecture=None)
    wrong = attrs.evolve(
        application,
        applicant=attrs.evolve(
            application.applicant,
            first_name="Jean Pierre",
            birth_city="ST PRIEST",
            birth_department="01",
        ),
    )
    with open_session(creds) as s:
        with pytest.raises(ants.ApplicationDataError) as exc:
            s.requests.create(wrong)
    fields = {p.field for p in exc.value.problems}
    assert fields >= {"applicant.first_name", "applicant.birth_city", "credentials.prefecture"}
    assert fake.calls == []


def test_geo_confirm_asks_the_referential_of_ants(
    fake: FakeAnts, session: ants.AntsSession, application: ants.Cerfa02
) -> None:
    import attrs

    typed = attrs.evolve(
        application,
        applicant=attrs.evolve(
            application.applicant, birth_city="ST PRIEST", birth_department="01"
        ),
    )
    report = session.geo.check(typed)
    assert not report["applicant.birth_city"].ok
    fake.on(
        "GET",
        "/referential/communes",
        httpx.Response(
            200,
            json={
                "items": [
                    {
                        "insee_code": "69290",
                        "name": "SAINT-PRIEST",
                        "postal_code": "69800",
                        "department": "69",
                        "label": "SAINT-PRIEST (69800)",
                    }
                ]
            },
        ),
    )
    unchanged = session.geo.confirm(report)
    assert not unchanged["applicant.birth_city"].ok  # « ST PRIEST » is not written so
    asked = [r.url.params["q"] for r in fake.seen("GET", "/referential/communes")]
    assert "ST PRIEST" in asked

    written = attrs.evolve(
        typed, applicant=attrs.evolve(typed.applicant, birth_city="SAINT-PRIEST")
    )
    second = session.geo.check(written)
    confirmed = session.geo.confirm(second)
    assert confirmed["applicant.birth_city"].ok
    # An address city is written with its postal code: the bare name is not confirmed.
    assert confirmed["applicant.address.city"] == second["applicant.address.city"]
    assert not confirmed["applicant.address.city"].ok


# --- how requests reach the transport ----------------------------------------------------------


def _sends_through_the_client(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The paths httpx's client ``send`` is given, whichever flavour (recorded, then sent)."""
    paths: list[str] = []
    for cls in (httpx.Client, httpx.AsyncClient):
        send: Any = cls.send

        def spy(
            self: object, request: httpx.Request, *a: object, _send: Any = send, **k: object
        ) -> object:
            paths.append(request.url.path)
            return _send(self, request, *a, **k)

        monkeypatch.setattr(cls, "send", spy)
    return paths


def test_requests_go_to_the_transport_itself(
    fake: FakeAnts, session: ants.AntsSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    sent = _sends_through_the_client(monkeypatch)
    fake.on("GET", "/requests/3223", request_json(online()))
    assert session.requests.get("3223").number == "3223"
    assert sent == []
    assert [r.url.path for r in fake.calls] == ["/api/v1/auth/token", "/api/v1/requests/3223"]


def test_behind_an_environment_proxy_requests_go_through_httpx(
    fake: FakeAnts,
    open_session: OpenSession,
    credentials: ants.Credentials,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # httpx routes each request by the environment's proxies (this host excepted here):
    # the session then leaves every request to its client.
    monkeypatch.setenv("HTTP_PROXY", "http://proxy.invalid:3128")
    monkeypatch.setenv("NO_PROXY", "ants.test")
    sent = _sends_through_the_client(monkeypatch)
    fake.on("GET", "/requests/3223", request_json(online()))
    with open_session(credentials) as s:
        assert s.requests.get("3223").number == "3223"
    assert sent == ["/api/v1/auth/token", "/api/v1/requests/3223"]


def test_a_cookie_the_server_sets_is_sent_back(fake: FakeAnts, session: ants.AntsSession) -> None:
    # A load balancer's stickiness cookie, say: kept and sent back as httpx's client does.
    sticky = request_json(online())
    sticky.headers["Set-Cookie"] = "lb=node-2; Path=/"
    fake.on("GET", "/requests/3223", sticky, request_json(online()))
    session.requests.get("3223")
    session.requests.get("3223")
    first, second = fake.seen("GET", "/requests/3223")
    assert "cookie" not in first.headers
    assert second.headers["cookie"] == "lb=node-2"
    assert second.headers["Authorization"] == "Bearer tok-1"


def test_a_closed_session_sends_nothing(
    fake: FakeAnts, open_session: OpenSession, credentials: ants.Credentials
) -> None:
    fake.on("GET", "/requests/3223", request_json(online()))
    with open_session(credentials) as s:
        s.requests.get("3223")
    with pytest.raises(RuntimeError, match="closed"):
        s.requests.get("3223")
    assert len(fake.seen("GET", "/requests/3223")) == 1


@pytest.mark.parametrize("kind", [ants.AntsSession, ants.AsyncAntsSession])
def test_a_session_nobody_holds_is_freed_at_once_with_its_store(kind: type) -> None:
    """No cycle holds a session (its namespaces hold it, not the other way round): dropped,
    it goes at once with its store's copies, not at the collector's next full pass."""
    import gc
    import weakref

    credentials = ants.Credentials(agreement="E1234567890", login="agence", password=PASSWORD)
    store = ants.storage.MemoryStore()
    session = kind(credentials, base_url="http://127.0.0.1:9", store=store)
    requests = session.requests
    assert session.requests is requests  # the same while someone holds it
    assert repr(session.attachments).startswith(f"<{kind.__name__}.attachments:")
    gone = weakref.ref(store)
    del requests, store
    enabled = gc.isenabled()
    gc.disable()
    try:
        del session
        assert gone() is None
    finally:
        if enabled:
            gc.enable()


def test_a_namespace_keeps_its_session() -> None:
    credentials = ants.Credentials(agreement="E1234567890", login="agence", password=PASSWORD)
    requests = ants.AntsSession(credentials, base_url="http://127.0.0.1:9").requests
    assert isinstance(requests._session, ants.AntsSession)
    assert requests._session.requests is requests
    requests._session.close()
