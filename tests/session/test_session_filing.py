"""Filing through the sessions (blocking and async, in process and over TCP): the paper
mandate carried end to end, the transfer's former agreement, the Cerfa 06 prerequisite
applied before any call, the request types, and the comment rule of each kind."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import attrs
import pytest
from sandbox_fixtures import MODES, RequestLog, SandboxEnv, aw, cerfa02, sandbox_env, tiny_pdf

import antsclient as ants
from antsclient.models import REQUEST_TYPES
from antsclient.storage import SqliteStore

pytestmark = pytest.mark.anyio

S = ants.RequestStatus
K = ants.DocumentKind
SIGNED = dt.date(2026, 1, 5)


@pytest.fixture(params=MODES)
def env(request: pytest.FixtureRequest) -> Iterator[SandboxEnv]:
    with sandbox_env(request.param) as e:
        yield e


@pytest.fixture
def scans(tmp_path: Path) -> dict[str, Path]:
    files = {"cni.pdf": tiny_pdf(2, "CNI"), "domicile.pdf": tiny_pdf(1, "Facture")}
    for name, content in files.items():
        (tmp_path / name).write_bytes(content)
    return {name: tmp_path / name for name in files}


async def _filed(s: object, scans: dict[str, Path], application: ants.Cerfa02) -> object:
    draft = await aw(s.requests.create(application))  # type: ignore[attr-defined]
    await aw(s.attachments.upload(draft, K.IDENTITY, scans["cni.pdf"]))  # type: ignore[attr-defined]
    await aw(s.attachments.upload(draft, K.PROOF_OF_ADDRESS, scans["domicile.pdf"]))  # type: ignore[attr-defined]
    return await aw(s.requests.validate(draft))  # type: ignore[attr-defined]


def _mandated() -> ants.Cerfa02:
    return attrs.evolve(cerfa02(), paper_mandate=True, paper_mandate_date=SIGNED)


async def test_the_paper_mandate_travels_with_the_request(
    env: SandboxEnv, scans: dict[str, Path], tmp_path: Path
) -> None:
    with SqliteStore(tmp_path / "copies.db") as store:
        async with env.session(store=store) as s:
            filed = await _filed(s, scans, _mandated())
            assert filed.status is S.UNDER_REVIEW  # no validation by the student
            assert (filed.paper_mandate, filed.paper_mandate_date) == (True, SIGNED)
            assert filed.request_type is ants.RequestType.EXAM_REGISTRATION
            assert filed.email and filed.phone == "0612345678"  # how ANTS tells the student
            assert filed.mandate_kept_until == dt.date(2026, 7, 5)
            page = await aw(s.requests.search(number=filed.number))
            assert page.items[0] == filed
        assert store.get(env.sandbox.credentials.agreement, filed.number) == filed


async def test_a_paper_mandate_in_corsica_is_refused_before_any_call(env: SandboxEnv) -> None:
    log = RequestLog()
    application = attrs.evolve(
        _mandated(),
        applicant=attrs.evolve(
            _mandated().applicant,
            address=ants.Address(street="2 cours Napoléon", postal_code="20000", city="AJACCIO"),
        ),
    )
    async with env.session(log=log) as s:
        with pytest.raises(ants.ApplicationDataError) as refused:
            await aw(s.requests.create(application))
    assert "paper_mandate.region_excluded" in {p.code for p in refused.value.problems}
    assert log.seen("POST", "/requests") == []


async def test_transfer_names_the_former_agency(env: SandboxEnv, scans: dict[str, Path]) -> None:
    former = env.sandbox.add_agency(
        "E2506900077", "autre", "Autre-Ecole-25!", prefecture="Doubs", postal_code="25200"
    )
    async with env.session(former) as theirs:
        plain = await _filed(theirs, scans, cerfa02())
        mandated = await _filed(theirs, scans, _mandated())
    env.sandbox.applicant_validates(plain.number)
    log = RequestLog()
    async with env.session(log=log) as s:
        for wrong, code in (("E25069", "invalid"), ("E1706900030", "own_agency")):
            with pytest.raises(ants.ApplicationDataError) as refused:
                await aw(s.requests.transfer(plain.number, former_agreement=wrong))
            assert refused.value.problems[0].code == f"former_agreement.{code}"
        assert log.calls == []  # refused before any call, even the login
        with pytest.raises(ants.ApplicationDataError) as mismatch:
            await aw(s.requests.transfer(plain.number, former_agreement="E2309400140"))
        assert mismatch.value.field == "former_agreement"
        with pytest.raises(ants.ActionNotAllowed) as barred:
            await aw(s.requests.transfer(mandated.number, former_agreement=former.agreement))
        assert barred.value.code == "paper_mandate"
        assert "ne peut pas faire l'objet d'un transfert" in barred.value.message_fr
        taken = await aw(s.requests.transfer(plain.number, former_agreement=" e2506900077 "))
        assert taken.transferred is True


def _title(inscription: ants.OnlineRequest, neph: str | None = None) -> ants.Cerfa06:
    application = cerfa02()
    return ants.Cerfa06(
        applicant=application.applicant,
        categories=application.categories,
        neph=neph or inscription.neph or "230833200011",
        cerfa02_number=inscription.number,
    )


async def test_a_title_request_waits_for_the_accepted_inscription(
    env: SandboxEnv, scans: dict[str, Path]
) -> None:
    log = RequestLog()
    async with env.session(log=log) as s:
        inscription = await _filed(s, scans, cerfa02())
        env.sandbox.applicant_validates(inscription.number)
        inscription = await aw(s.requests.refresh(inscription))
        creates = len(log.seen("POST", "/requests"))
        with pytest.raises(ants.ActionNotAllowed) as early:
            await aw(s.requests.create(_title(inscription)))
        assert early.value.status == S.UNDER_REVIEW.value
        assert len(log.seen("POST", "/requests")) == creates  # refused before the create

        accepted = env.sandbox.prefecture_decides(inscription.number, "accept")
        assert accepted.neph is not None
        # The session's copy is fresh: it is trusted, and still says « in review »…
        with pytest.raises(ants.ActionNotAllowed):
            await aw(s.requests.create(_title(inscription, accepted.neph)))
        # …until it is older than the bound: then it is read once before refusing.
        s._seen_at[inscription.number] -= 3600
        reads = len(log.seen("GET", f"/requests/{inscription.number}"))
        with pytest.raises(ants.ApplicationDataError) as mismatch:
            await aw(s.requests.create(_title(inscription, "230833200011")))
        assert mismatch.value.problems[0].code == "neph.mismatch"
        assert len(log.seen("GET", f"/requests/{inscription.number}")) == reads + 1
        assert len(log.seen("POST", "/requests")) == creates
        title = await aw(s.requests.create(_title(inscription, accepted.neph)))
        assert (title.cerfa, title.request_type) == (
            ants.Cerfa.C06,
            ants.RequestType.TITLE_AFTER_EXAM,
        )


async def test_a_title_with_an_unknown_neph_is_refused_by_ants(env: SandboxEnv) -> None:
    async with env.session() as s:
        application = cerfa02()
        title = ants.Cerfa06(
            applicant=application.applicant, categories=application.categories, neph="230833200011"
        )
        with pytest.raises(ants.ApplicationDataError) as refused:
            await aw(s.requests.create(title))
    assert refused.value.problems[0].code == "neph.unknown"


async def test_the_request_types_as_the_server_serves_them(env: SandboxEnv) -> None:
    async with env.session() as s:
        served = await aw(s.requests.types())
    assert set(served) == set(ants.RequestType)
    for kind, spec in served.items():
        local = REQUEST_TYPES[kind]
        assert attrs.evolve(spec, source=local.source) == local


async def test_a_comment_where_the_kind_takes_none_never_leaves(
    env: SandboxEnv, scans: dict[str, Path]
) -> None:
    log = RequestLog()
    async with env.session(log=log) as s:
        hosted = cerfa02(hosted=True)
        draft = await aw(s.requests.create(hosted))
        slots = {slot.kind: slot for slot in await aw(s.attachments.slots(draft))}
        assert slots[K.HOST_IDENTITY].required and not slots[K.HOST_IDENTITY].comment_allowed
        before = len(log)
        with pytest.raises(ants.AttachmentRejected) as refused:
            await aw(
                s.attachments.upload(draft, K.HOST_IDENTITY, scans["cni.pdf"], comment="recto")
            )
        assert refused.value.code == "attachment.comment_not_allowed"
        assert len(log) == before


async def test_a_title_naming_an_inscription_the_session_never_saw_is_left_to_ants(
    env: SandboxEnv, scans: dict[str, Path]
) -> None:
    async with env.session() as s:
        inscription = await _filed(s, scans, cerfa02())
    env.sandbox.applicant_validates(inscription.number)
    log = RequestLog()
    async with env.session(log=log) as fresh:  # knows nothing of the inscription
        with pytest.raises(ants.ActionNotAllowed) as refused:
            await aw(fresh.requests.create(_title(inscription)))
    assert refused.value.status_code == 409  # ANTS's answer, naming the status
    assert f"« {S.UNDER_REVIEW.label} »" in refused.value.message_fr
    assert len(log.seen("POST", "/requests")) == 1


async def test_a_training_title_is_checked_before_any_call_then_filed(
    env: SandboxEnv, scans: dict[str, Path]
) -> None:
    application = cerfa02()
    held_b = ants.PreviousLicence(
        categories={ants.LicenceCategory.B}, last_obtained_on="2019-05-02"
    )
    title = ants.Cerfa06(
        applicant=application.applicant,
        categories={ants.LicenceCategory.A},
        request_type=ants.RequestType.TITLE_AFTER_TRAINING,
        training=ants.Training.A_PROGRESSIVE,
        previous_licence=held_b,
    )
    log = RequestLog()
    async with env.session(log=log) as s:
        with pytest.raises(ants.ApplicationDataError) as refused:
            await aw(s.requests.create(title))
        assert "training.prerequisite_missing" in {p.code for p in refused.value.problems}
        assert log.seen("POST", "/requests") == []
        code_78 = attrs.evolve(
            title, training=ants.Training.CODE_78_REMOVAL, categories={ants.LicenceCategory.B}
        )
        draft = await aw(s.requests.create(code_78))
        assert draft.request_type is ants.RequestType.TITLE_AFTER_TRAINING
        required = {slot.kind for slot in await aw(s.attachments.slots(draft)) if slot.required}
        assert required == {K.IDENTITY, K.PROOF_OF_ADDRESS, K.TRAINING_CERTIFICATE, K.LICENCE_COPY}
