"""lifecycle.check: rights, then status, then the conditions an action needs; and the client
refuses as the sandbox does, before anything is sent."""

from __future__ import annotations

import contextlib
import datetime as dt
import pickle
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

import antsclient as ants
from antsclient import ActionNotAllowed, PermissionDenied
from antsclient.lifecycle import RULES, Action, Condition, check, is_allowed
from antsclient.models import AttachmentSlot, Cerfa, DocumentKind, RequestStatus, Right
from antsclient.sandbox import create_app

S = RequestStatus
A = Action

CONDITIONED = {
    A.DEPOSIT_FORM: Condition.CERFA02_ONLY,
    A.DOWNLOAD_DOCUMENTS: Condition.LINKED_ONLY,
    A.VALIDATE: Condition.REQUIRED_DOCUMENTS,
    A.TRANSFER: Condition.NO_PAPER_MANDATE,
    A.APPLICANT_VALIDATES: Condition.NO_PAPER_MANDATE,
    A.APPLICANT_WINDOW_EXPIRES: Condition.NO_PAPER_MANDATE,
}
CODES = {
    Condition.NO_PAPER_MANDATE: "paper_mandate",
    Condition.CERFA02_ONLY: "action_not_allowed",
    Condition.LINKED_ONLY: "request_not_linked",
    Condition.REQUIRED_DOCUMENTS: "required_documents_missing",
}


def _slot(kind: DocumentKind, *, required: bool, sent: bool) -> AttachmentSlot:
    return AttachmentSlot(
        kind=kind,
        label=kind.label,
        pages=1 if sent else 0,
        max_pages=kind.max_pages,
        help=kind.help,
        sent=sent,
        required=required,
    )


MISSING = [
    _slot(DocumentKind.IDENTITY, required=True, sent=False),
    _slot(DocumentKind.PROOF_OF_ADDRESS, required=True, sent=True),
    _slot(DocumentKind.ASSR, required=False, sent=False),
]
COMPLETE = [
    _slot(DocumentKind.IDENTITY, required=True, sent=True),
    _slot(DocumentKind.PROOF_OF_ADDRESS, required=True, sent=True),
    _slot(DocumentKind.ASSR, required=False, sent=False),
]
# Every fact given, each one failing its condition.
FAILING: dict[str, Any] = {
    "cerfa": Cerfa.C06,
    "linked": False,
    "slots": MISSING,
    "paper_mandate": True,
}
# Every fact given, each one meeting its condition.
MEETING: dict[str, Any] = {
    "cerfa": Cerfa.C02,
    "linked": True,
    "slots": COMPLETE,
    "paper_mandate": False,
}


# --- the table ---------------------------------------------------------------------------------


def test_the_actions_with_a_condition() -> None:
    assert {a: RULES[a].conditions for a in Action if RULES[a].conditions} == {
        a: frozenset({c}) for a, c in CONDITIONED.items()
    }


@pytest.mark.parametrize("action", list(Action))
def test_an_action_is_refused_by_a_condition_only_if_its_rule_lists_it(action: Action) -> None:
    for status in RULES[action].allowed:
        if not RULES[action].conditions:
            check(action, status, **FAILING)
            continue
        with pytest.raises(ActionNotAllowed) as info:
            check(action, status, **FAILING)
        (condition,) = RULES[action].conditions
        assert info.value.code == CODES[condition]
        check(action, status, **MEETING)


# --- the order: rights, status, conditions -------------------------------------------------------


@pytest.mark.parametrize(("action", "right"), [(A.VALIDATE, Right.VALIDATE_REQUEST),
                                               (A.DELETE, Right.DELETE_REQUEST),
                                               (A.DELETE_EPHOTO, Right.DELETE_EPHOTO)])  # fmt: skip
def test_rights_come_before_anything(action: Action, right: Right) -> None:
    for status in (*S, None):
        with pytest.raises(PermissionDenied) as info:
            check(action, status, rights=[], **FAILING)
        assert info.value.right == right.value
    check(action, rights=[right])
    check(action, rights=None)


def test_without_a_status_only_the_rights_are_checked() -> None:
    for action in Action:
        check(action, None, rights=set(Right), **FAILING)
        check(action, **FAILING)


@pytest.mark.parametrize("action", list(CONDITIONED))
def test_the_status_comes_before_the_conditions(action: Action) -> None:
    refused = [s for s in S if not is_allowed(action, s)]
    assert refused
    for status in refused:
        with pytest.raises(ActionNotAllowed) as info:
            check(action, status, rights=set(Right), **FAILING)
        error = info.value
        assert error.code == "action_not_allowed"
        assert error.status == status.value
        assert error.rule == RULES[action].rule
        assert f"« {status.label} »" in error.message_fr


@given(
    action=st.sampled_from(Action),
    status=st.sampled_from(RequestStatus),
    rights=st.none() | st.frozensets(st.sampled_from(Right)),
    cerfa=st.none() | st.sampled_from(Cerfa),
    linked=st.none() | st.booleans(),
    slots=st.none() | st.sampled_from([MISSING, COMPLETE, []]),
)
def test_check_refuses_for_the_first_rule_broken(
    action: Action,
    status: RequestStatus,
    rights: frozenset[Right] | None,
    cerfa: Cerfa | None,
    linked: bool | None,
    slots: list[AttachmentSlot] | None,
) -> None:
    rule = RULES[action]
    expected: type[Exception] | None = None
    code = None
    if rule.right is not None and rights is not None and rule.right not in rights:
        expected = PermissionDenied
    elif not is_allowed(action, status) or (
        Condition.CERFA02_ONLY in rule.conditions and cerfa is Cerfa.C06
    ):
        expected, code = ActionNotAllowed, "action_not_allowed"
    elif Condition.LINKED_ONLY in rule.conditions and linked is False:
        expected, code = ActionNotAllowed, "request_not_linked"
    elif Condition.REQUIRED_DOCUMENTS in rule.conditions and slots is MISSING:
        expected, code = ActionNotAllowed, "required_documents_missing"
    facts = {"rights": rights, "cerfa": cerfa, "linked": linked, "slots": slots}
    if expected is None:
        check(action, status, **facts)
        return
    with pytest.raises(expected) as info:
        check(action, status, **facts)
    assert type(info.value) is expected
    if code is not None:
        assert info.value.code == code


# --- each condition ----------------------------------------------------------------------------


def test_the_deposit_form_is_for_a_cerfa02_only() -> None:
    check(A.DEPOSIT_FORM, S.DRAFT, cerfa=Cerfa.C02)
    with pytest.raises(ActionNotAllowed) as info:
        check(A.DEPOSIT_FORM, S.DRAFT, cerfa=Cerfa.C06)
    error = info.value
    assert error.code == "action_not_allowed"
    assert (error.action, error.status) == ("deposit_form", "draft")
    assert error.rule == "Cerfa 02 only"
    assert "Cerfa 02" in str(error)
    assert "Cerfa 02" in error.message_fr
    assert error.message_fr == (
        "Le formulaire de dépôt de photo-signature n'existe que pour une demande "
        "d'inscription (Cerfa 02)."
    )
    assert error.field is None


def test_prefecture_documents_are_for_a_linked_request_only() -> None:
    for status in RULES[A.DOWNLOAD_DOCUMENTS].allowed:
        check(A.DOWNLOAD_DOCUMENTS, status, linked=True)
        with pytest.raises(ActionNotAllowed) as info:
            check(A.DOWNLOAD_DOCUMENTS, status, linked=False)
        error = info.value
        assert error.code == "request_not_linked"
        assert (error.action, error.status) == ("download_documents", status.value)
        assert "link it first" in str(error)
        assert "reliez d'abord la demande" in error.message_fr
        assert "reliée à un élève" in error.message_fr


def test_validation_needs_every_required_document() -> None:
    slots = [
        _slot(DocumentKind.IDENTITY, required=True, sent=False),
        _slot(DocumentKind.PROOF_OF_ADDRESS, required=True, sent=False),
        _slot(DocumentKind.MEDICAL_OPINION, required=False, sent=False),
        _slot(DocumentKind.ASSR, required=True, sent=True),
    ]
    with pytest.raises(ActionNotAllowed) as info:
        check(A.VALIDATE, S.DRAFT, slots=slots)
    error = info.value
    assert error.code == "required_documents_missing"
    assert error.field == "attachments"
    assert (error.action, error.status) == ("validate", "draft")
    assert str(error) == "required documents are missing: identity, proof_of_address"
    labels = f"{DocumentKind.IDENTITY.label}, {DocumentKind.PROOF_OF_ADDRESS.label}"
    assert labels == "Pièce d'identité, Justificatif de domicile"
    assert error.message_fr == (
        f"La demande ne peut pas être validée : pièces justificatives requises manquantes "
        f"({labels})."
    )
    assert DocumentKind.MEDICAL_OPINION.label not in error.message_fr
    assert DocumentKind.ASSR.label not in error.message_fr


def test_validation_with_the_slots_iterated_once() -> None:
    with pytest.raises(ActionNotAllowed, match="identity"):
        check(A.VALIDATE, S.DRAFT, slots=iter(MISSING))
    check(A.VALIDATE, S.DRAFT, slots=iter(COMPLETE))
    check(A.VALIDATE, S.DRAFT, slots=[])


def test_conditions_are_skipped_when_their_fact_is_not_given() -> None:
    check(A.DEPOSIT_FORM, S.DRAFT)
    check(A.DEPOSIT_FORM, S.DRAFT, cerfa=None, linked=False, slots=MISSING)
    check(A.DOWNLOAD_DOCUMENTS, S.DRAFT)
    check(A.DOWNLOAD_DOCUMENTS, S.UNDER_REVIEW, linked=None, cerfa=Cerfa.C06, slots=MISSING)
    check(A.VALIDATE, S.DRAFT)
    check(A.VALIDATE, S.DRAFT, slots=None, cerfa=Cerfa.C06, linked=False)


@pytest.mark.parametrize("protocol", [0, pickle.HIGHEST_PROTOCOL])
def test_a_refusal_pickles_with_its_rule(protocol: int) -> None:
    for action in CONDITIONED:
        with pytest.raises(ActionNotAllowed) as info:
            check(action, S.DRAFT, **FAILING)
        clone = pickle.loads(pickle.dumps(info.value, protocol=protocol))
        assert type(clone) is ActionNotAllowed
        assert (clone.code, clone.action, clone.status, clone.rule, clone.field) == (
            info.value.code,
            info.value.action,
            info.value.status,
            info.value.rule,
            info.value.field,
        )
        assert clone.message_fr == info.value.message_fr


# --- the client refuses as the sandbox does -------------------------------------------------------


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


class Counting(httpx.AsyncBaseTransport):
    """Every request a session sends, handed on to ``inner``."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.sent: list[tuple[str, str]] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.sent.append((request.method, request.url.path))
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


class InProcess:
    """A sandbox in process, a session on it that counts its requests, and a plain client."""

    def __init__(self) -> None:
        self.app = create_app(seed=3)
        self.sandbox = self.app.sandbox
        self.counting = Counting(httpx.ASGITransport(app=self.app))

    def session(self) -> ants.AsyncAntsSession:
        return ants.AsyncAntsSession(
            self.sandbox.credentials,
            base_url="http://sandbox.test",
            transport=self.counting,
            retry=ants.RetryPolicy.immediate(attempts=2),
        )

    @contextlib.asynccontextmanager
    async def direct(self) -> AsyncIterator[httpx.AsyncClient]:
        """A client of the API logged in as the seeded agency, without antsclient's session."""
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=self.app), base_url="http://sandbox.test/api/v1"
        ) as client:
            credentials = self.sandbox.credentials
            token = await client.post(
                "/auth/token",
                json={
                    "agreement": credentials.agreement,
                    "login": credentials.login,
                    "password": credentials.password.reveal(),
                },
            )
            assert token.status_code == 200, token.text
            client.headers["Authorization"] = f"Bearer {token.json()['access_token']}"
            yield client


@pytest.fixture
async def env() -> AsyncIterator[InProcess]:
    env = InProcess()
    try:
        yield env
    finally:
        env.sandbox.close()


def _applicant(email: str) -> ants.Applicant:
    return ants.Applicant(
        last_name="MARTIN",
        first_name="Julie",
        birth_date=dt.date(2001, 3, 14),
        birth_city="PARIS",
        birth_department="75",
        birth_country="FRANCE",
        address=ants.Address(
            street="27 rue Aristide Briand", postal_code="69800", city="SAINT-PRIEST (69800)"
        ),
        email=email,
        phone="0612345678",
    )


def _error(response: httpx.Response) -> dict[str, Any]:
    body = response.json()
    assert isinstance(body, dict)
    error: dict[str, Any] = body["error"]
    return error


@pytest.mark.anyio
async def test_a_deposit_form_for_a_cerfa06_is_refused_alike(
    env: InProcess, tmp_path: Path
) -> None:
    async with env.session() as s:
        c06 = await s.requests.create(
            ants.Cerfa06(  # a B96 title: no Cerfa 02 before it
                applicant=_applicant("julie.c06@example.org"),
                categories={ants.LicenceCategory.B},
                request_type=ants.RequestType.TITLE_AFTER_TRAINING,
                training=ants.Training.B96,
                previous_licence=ants.PreviousLicence(
                    categories={ants.LicenceCategory.B}, last_obtained_on="2019-05-02"
                ),
            )
        )
        assert (c06.cerfa, c06.status) == (Cerfa.C06, S.DRAFT)
        before = list(env.counting.sent)
        with pytest.raises(ActionNotAllowed) as refused:
            await s.ephoto.deposit_form(c06, to=tmp_path)
        assert env.counting.sent == before, "refused before any HTTP request"
    assert list(tmp_path.iterdir()) == []
    client_error = refused.value
    assert client_error.status_code is None  # raised locally, not read from an answer

    async with env.direct() as direct:
        answer = await direct.get(f"/requests/{c06.number}/ephoto/deposit-form")
    assert answer.status_code == 409
    server_error = _error(answer)
    assert server_error["code"] == client_error.code == "action_not_allowed"
    assert server_error["message_fr"] == client_error.message_fr
    assert "Cerfa 02" in server_error["message_fr"]


@pytest.mark.anyio
async def test_a_deposit_form_for_a_cerfa02_draft_is_served(env: InProcess, tmp_path) -> None:
    async with env.session() as s:
        draft = await s.requests.create(
            ants.Cerfa02(
                applicant=_applicant("julie.c02@example.org"), categories={ants.LicenceCategory.B}
            )
        )
        before = len(env.counting.sent)
        form = await s.ephoto.deposit_form(draft, to=tmp_path)
        assert len(env.counting.sent) == before + 1
        assert env.counting.sent[-1] == (
            "GET",
            f"/api/v1/requests/{draft.number}/ephoto/deposit-form",
        )
    assert form.read_bytes().startswith(b"%PDF-")


@pytest.mark.anyio
async def test_validation_without_the_required_documents_is_refused_alike(
    env: InProcess,
) -> None:
    async with env.session() as s:
        draft = await s.requests.create(
            ants.Cerfa02(
                applicant=_applicant("julie.valide@example.org"),
                categories={ants.LicenceCategory.B},
            )
        )
        with pytest.raises(ActionNotAllowed) as refused:
            await s.requests.validate(draft)
        # ANTS decides as it validates (one round trip): the client reads its refusal
        assert len([c for c in env.counting.sent if c[1].endswith("/validate")]) == 1
    client_error = refused.value
    async with env.direct() as direct:
        answer = await direct.post(f"/requests/{draft.number}/validate")
    assert answer.status_code == 409
    server_error = _error(answer)
    assert server_error["code"] == client_error.code == "required_documents_missing"
    assert server_error["message_fr"] == client_error.message_fr
    assert server_error.get("field") == client_error.field == "attachments"


@pytest.mark.anyio
async def test_a_document_of_an_unlinked_request_is_refused_alike(
    env: InProcess, tmp_path: Path
) -> None:
    direct_request = env.sandbox.register_direct(agreement=env.sandbox.credentials.agreement)
    assert not direct_request.linked
    kind = ants.PrefectureDocumentKind.REQUEST_RECEIPT
    async with env.session() as s:
        with pytest.raises(ActionNotAllowed) as refused:
            await s.documents.download(direct_request, kind, to=tmp_path)
        assert env.counting.sent == []
    assert refused.value.code == "request_not_linked"
    async with env.direct() as direct:
        answer = await direct.get(f"/requests/{direct_request.number}/documents/{kind.value}")
    assert _error(answer)["code"] == refused.value.code
