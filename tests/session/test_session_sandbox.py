"""Every action of the sessions against the sandbox: in process (ASGI) and over loopback TCP,
with the async and the blocking session; every refusal, and where it happens."""

from __future__ import annotations

import datetime as dt
import io
import math
from collections.abc import Iterator
from pathlib import Path

import attrs
import pytest
from pypdf import PdfReader
from sandbox_fixtures import (
    MODES,
    RequestLog,
    SandboxEnv,
    StudentFiles,
    Students,
    aw,
    cerfa02,
    ephoto_code,
    sandbox_env,
    tiny_pdf,
    tiny_png,
    unique_email,
)

import antsclient as ants
from antsclient.storage.protocols import Student, StudentDocument

pytestmark = pytest.mark.anyio

S = ants.RequestStatus
K = ants.DocumentKind
API = "/api/v1"


@pytest.fixture(params=MODES)
def env(request: pytest.FixtureRequest) -> Iterator[SandboxEnv]:
    with sandbox_env(request.param) as e:
        yield e


@pytest.fixture
def pdfs(tmp_path: Path) -> dict[str, Path]:
    files = {"cni.pdf": tiny_pdf(2, "CNI"), "domicile.pdf": tiny_pdf(1, "Facture EDF")}
    for name, content in files.items():
        (tmp_path / name).write_bytes(content)
    return {name: tmp_path / name for name in files}


async def filed_draft(s: object, pdfs: dict[str, Path], email: str | None = None) -> object:
    """A Cerfa 02 draft with its two required documents sent."""
    draft = await aw(s.requests.create(cerfa02(email)))  # type: ignore[attr-defined]
    await aw(s.attachments.upload(draft, K.IDENTITY, pdfs["cni.pdf"]))  # type: ignore[attr-defined]
    await aw(s.attachments.upload(draft, K.PROOF_OF_ADDRESS, pdfs["domicile.pdf"]))  # type: ignore[attr-defined]
    return draft


# --- prefectures and creation ----------------------------------------------------------------


async def test_prefectures_of_the_agency_department(env: SandboxEnv) -> None:
    async with env.session() as s:
        prefectures = await aw(s.prefectures.list())
    assert [p.department for p in prefectures] == ["90"]
    assert prefectures[0].name == "Préfecture du Territoire de Belfort"


async def test_create_corrects_st_priest_and_refuses_a_place_needing_a_choice(
    env: SandboxEnv,
) -> None:
    log = RequestLog()
    async with env.session(log=log) as s:
        created = await aw(s.requests.create(cerfa02(city="ST PRIEST", postal_code="69800")))
        assert created.status is S.DRAFT
        assert created.number.isdigit()
        held = await aw(s.requests.application(created))
        assert held.applicant.address.city == "SAINT-PRIEST (69800)"
        assert held.applicant.address.postal_code == "69800"

        before = len(log)
        # BOURG in 01000 reads as Bourg-en-Bresse (its name until 1955); in 33000 it needs a choice.
        ambiguous = cerfa02(city="BOURG", postal_code="33000")
        with pytest.raises(ants.ApplicationDataError) as refused:
            await aw(s.requests.create(ambiguous))
        assert len(log) == before, "a place needing a choice must be refused before any call"
        (problem,) = refused.value.problems
        assert problem.field == "applicant.address.city"
        assert problem.code == "city.incorrect"
        assert "BOURG-EN-BRESSE (01000)" in problem.suggestions
        assert "BOURG" in problem.message_fr

        confirmed = await aw(s.requests.create(ambiguous, confirm=["applicant.address.city"]))
        assert confirmed.status is S.DRAFT
        assert confirmed.number != created.number
        kept = await aw(s.requests.application(confirmed))
        assert kept.applicant.address.city == "BOURG"
    numbers = {r.number for r in env.sandbox.requests(env.sandbox.credentials.agreement)}
    assert {created.number, confirmed.number} <= numbers


async def test_get_and_refresh_follow_the_server(env: SandboxEnv, pdfs: dict[str, Path]) -> None:
    async with env.session() as s:
        draft = await filed_draft(s, pdfs)
        got = await aw(s.requests.get(draft.number))
        assert (got.number, got.status, got.cerfa) == (draft.number, S.DRAFT, ants.Cerfa.C02)
        assert got.applicant_name == "MARTIN Julie"
        validated = await aw(s.requests.validate(draft))
        assert validated.status is S.AWAITING_APPLICANT_VALIDATION
        assert validated.validated_at is not None
        env.sandbox.applicant_validates(draft.number)
        refreshed = await aw(s.requests.refresh(draft.number))
        assert refreshed.status is S.UNDER_REVIEW
        assert refreshed.modified >= validated.modified
        with pytest.raises(ants.RequestNotFound) as missing:
            await aw(s.requests.get("999999"))
        # Read from an answer: its status and the server's name for it, to quote to support.
        assert missing.value.status_code == 404
        assert missing.value.request_id is not None
        assert len(missing.value.request_id) == 20


async def test_validate_needs_the_required_documents(
    env: SandboxEnv, pdfs: dict[str, Path]
) -> None:
    log = RequestLog()
    async with env.session(log=log) as s:
        draft = await aw(s.requests.create(cerfa02()))
        with pytest.raises(ants.ActionNotAllowed) as missing:
            await aw(s.requests.validate(draft))
        assert missing.value.code == "required_documents_missing"
        # ANTS checks the documents as it validates: one round trip, nothing changed
        assert log.seen("POST", "/validate") != []
        assert (await aw(s.requests.get(draft.number))).status is S.DRAFT
        before = len(log.seen("POST", "/validate"))
        await aw(s.attachments.upload(draft, K.IDENTITY, pdfs["cni.pdf"]))
        await aw(s.attachments.upload(draft, K.PROOF_OF_ADDRESS, pdfs["domicile.pdf"]))
        validated = await aw(s.requests.validate(draft.number))
    assert validated.status is S.AWAITING_APPLICANT_VALIDATION
    assert len(log.seen("POST", "/validate")) == before + 1


async def test_delete_a_draft_and_a_request_awaiting_the_student(
    env: SandboxEnv, pdfs: dict[str, Path]
) -> None:
    agreement = env.sandbox.credentials.agreement
    async with env.session() as s:
        draft = await aw(s.requests.create(cerfa02()))
        await aw(s.requests.delete(draft))
        awaiting = await filed_draft(s, pdfs)
        awaiting = await aw(s.requests.validate(awaiting))
        await aw(s.requests.delete(awaiting.number))
        for gone in (draft, awaiting):
            with pytest.raises(ants.RequestNotFound):
                await aw(s.requests.get(gone.number))
    held = {r.number for r in env.sandbox.requests(agreement)}
    assert draft.number not in held and awaiting.number not in held


async def test_transfer_takes_over_another_agency_request(env: SandboxEnv) -> None:
    sb = env.sandbox
    other = sb.add_agency(
        "E2506900077",
        "autre-ecole",
        "Autre-Ecole-25!",
        prefecture="Préfecture du Doubs",
        postal_code="25200",
    )
    theirs = sb.register_direct(agreement=other.agreement, status=S.UNDER_REVIEW)
    async with env.session() as s:
        with pytest.raises(ants.RequestNotFound):
            await aw(s.requests.get(theirs.number))  # another agency's request never leaks
        with pytest.raises(ants.ApplicationDataError) as own:  # our own agreement: refused
            await aw(s.requests.transfer(theirs.number, former_agreement="E 17069 00030"))
        assert own.value.problems[0].code == "former_agreement.own_agency"
        taken = await aw(s.requests.transfer(theirs.number, former_agreement=other.agreement))
        assert taken.number == theirs.number
        assert taken.transferred is True
        assert taken.status is S.UNDER_REVIEW
        again = await aw(s.requests.get(theirs.number))
        assert again.transferred is True
        page = await aw(s.requests.search(bucket=ants.Bucket.TRANSFERRED))
        assert theirs.number in {r.number for r in page.items}
    (copy,) = [r for r in sb.requests(other.agreement) if r.number == theirs.number]
    assert copy.status is S.TRANSFERRED


async def test_send_complement_after_the_prefecture_asks(
    env: SandboxEnv, pdfs: dict[str, Path]
) -> None:
    sb = env.sandbox
    async with env.session() as s:
        draft = await filed_draft(s, pdfs)
        await aw(s.requests.validate(draft))
        sb.applicant_validates(draft.number)
        sb.prefecture_decides(draft.number, ants.PrefectureDecision.ASK_COMPLETION)
        to_complete = await aw(s.requests.refresh(draft))
        assert to_complete.status is S.TO_COMPLETE
        extra = await aw(
            s.attachments.upload(draft, K.PROOF_OF_ADDRESS, io.BytesIO(tiny_png()), comment="bis")
        )
        assert extra.media_type == "image/png"
        sent = await aw(s.requests.send_complement(draft.number))
    assert sent.status is S.UNDER_REVIEW


async def test_link_with_and_without_updating_the_student(env: SandboxEnv) -> None:
    sb = env.sandbox
    agreement = sb.credentials.agreement
    direct = sb.register_direct(agreement=agreement)
    assert direct.student_id is None and len(direct.number) > 10
    students = Students(Student(student_id="S42", last_name="DUPONT", first_name="Léa"))
    log = RequestLog()
    async with env.session(log=log) as bare:
        with pytest.raises(ants.ConfigurationError) as no_directory:
            await aw(bare.requests.link(direct, "S42", update_student=True))
        assert no_directory.value.field == "students"
        assert len(log) == 0
        linked = await aw(bare.requests.link(direct, "S41"))
        assert linked.student_id == "S41"
    async with env.session(students=students) as s:
        linked = await aw(s.requests.link(direct.number, "S42", update_student=True))
    assert linked.student_id == "S42"
    ((student_id, application),) = students.updates
    assert student_id == "S42"
    assert application.applicant.email == direct.email
    updated = students.get("S42")
    assert updated is not None and updated.email == direct.email
    assert updated.application == application
    assert students.search("dup") == [] or students.search(updated.last_name[:3])


async def test_search_by_bucket_cerfa_number_windows_and_pages(
    env: SandboxEnv, pdfs: dict[str, Path]
) -> None:
    sb = env.sandbox
    async with env.session() as s:
        mark = sb.now()
        mine = [await aw(s.requests.create(cerfa02())) for _ in range(3)]
        validated = await aw(s.requests.validate(await filed_draft(s, pdfs)))
        counts = await aw(s.requests.counts())

        drafts = await aw(s.requests.search(bucket=ants.Bucket.DRAFTS, page_size=500))
        assert {r.status for r in drafts.items} == {S.DRAFT}
        assert {r.number for r in mine} <= {r.number for r in drafts.items}
        assert drafts.total == counts[None][ants.Bucket.DRAFTS]
        waiting = await aw(s.requests.search(bucket=ants.Bucket.AWAITING_APPLICANT_VALIDATION))
        assert validated.number in {r.number for r in waiting.items}
        assert waiting.total == counts[None][ants.Bucket.AWAITING_APPLICANT_VALIDATION]

        c02 = await aw(s.requests.search(cerfa=ants.Cerfa.C02, page_size=500))
        assert {r.cerfa for r in c02.items} == {ants.Cerfa.C02}
        assert c02.total == counts[ants.Cerfa.C02][ants.Bucket.CERFA02]
        c06 = await aw(s.requests.search(cerfa=ants.Cerfa.C06))
        assert c06.total == 0 == counts[ants.Cerfa.C06][ants.Bucket.CERFA06]

        by_number = await aw(s.requests.search(number=mine[1].number))
        assert [r.number for r in by_number.items] == [mine[1].number]

        created_now = await aw(s.requests.search(created=(mark, None)))
        assert {r.number for r in created_now.items} == {
            *(r.number for r in mine),
            validated.number,
        }
        before = await aw(s.requests.search(created=(None, mark - dt.timedelta(seconds=1))))
        assert before.total > 0
        assert not {r.number for r in before.items} & {r.number for r in created_now.items}
        modified_now = await aw(s.requests.search(modified=(mark, mark + dt.timedelta(hours=1))))
        assert validated.number in {r.number for r in modified_now.items}
        by_day = await aw(s.requests.search(created=(mark.date(), mark.date())))
        assert {r.number for r in mine} <= {r.number for r in by_day.items}

        everything = await aw(s.requests.search(page_size=500))
        seen: list[str] = []
        first = await aw(s.requests.search(page_size=3))
        assert first.pages == math.ceil(everything.total / 3)
        for page in range(1, first.pages + 1):
            chunk = await aw(s.requests.search(page=page, page_size=3))
            assert len(chunk.items) <= 3
            seen += [r.number for r in chunk.items]
    assert len(seen) == len(set(seen)) == everything.total
    assert seen == [r.number for r in everything.items]
    total_all = counts[None][ants.Bucket.CERFA02] + counts[None][ants.Bucket.CERFA06]
    assert total_all == len(sb.requests(sb.credentials.agreement))


# --- attachments ------------------------------------------------------------------------------


async def test_attachments_slots_upload_download_delete(
    env: SandboxEnv, pdfs: dict[str, Path], tmp_path: Path
) -> None:
    scans = tmp_path / "scans"
    scans.mkdir()
    (scans / "justif domicile.pdf").write_bytes(tiny_pdf(2, "Quittance"))
    source = StudentFiles(
        {
            "doc-1": StudentDocument(
                document_id="doc-1", name="justif domicile.pdf", path=scans / "justif domicile.pdf"
            ),
            "doc-2": StudentDocument(document_id="doc-2", name="assr.png", content=tiny_png()),
        }
    )
    async with env.session(student_documents=source) as s:
        draft = await aw(s.requests.create(cerfa02()))
        slots = {slot.kind: slot for slot in await aw(s.attachments.slots(draft))}
        assert list(slots) == list(K)
        identity = slots[K.IDENTITY]
        assert (identity.max_pages, identity.required, identity.sent) == (2, True, False)
        assert identity.label == "Pièce d'identité"
        assert slots[K.PROOF_OF_ADDRESS].required
        assert not slots[K.MEDICAL_OPINION].required

        by_path = await aw(
            s.attachments.upload(draft, K.IDENTITY, pdfs["cni.pdf"], comment="CNI recto verso")
        )
        assert (by_path.name, by_path.pages, by_path.media_type) == (
            "cni.pdf",
            2,
            "application/pdf",
        )
        with pdfs["domicile.pdf"].open("rb") as stream:
            by_stream = await aw(s.attachments.upload(draft, K.PROOF_OF_ADDRESS, stream))
        from_file = await aw(s.attachments.upload_from_student(draft, K.PROOF_OF_ADDRESS, "doc-1"))
        from_bytes = await aw(s.attachments.upload_from_student(draft, K.ASSR, "doc-2"))
        assert source.asked == ["doc-1", "doc-2"]
        assert from_file.name == "justif domicile.pdf" and from_file.pages == 2
        assert (from_bytes.name, from_bytes.media_type) == ("assr.png", "image/png")

        slots = {slot.kind: slot for slot in await aw(s.attachments.slots(draft))}
        assert slots[K.IDENTITY].sent and slots[K.IDENTITY].pages == 2
        assert slots[K.IDENTITY].comment == "CNI recto verso"
        assert slots[K.PROOF_OF_ADDRESS].pages == 3
        assert {f.file_id for f in slots[K.PROOF_OF_ADDRESS].files} == {
            by_stream.file_id,
            from_file.file_id,
        }

        out = tmp_path / "out"
        saved = await aw(s.attachments.download(draft, K.IDENTITY, by_path.file_id, to=out))
        assert saved.parent == out.resolve()
        assert saved.name == "cni.pdf"
        assert saved.read_bytes() == pdfs["cni.pdf"].read_bytes()
        again = await aw(s.attachments.download(draft, K.ASSR, from_bytes.file_id, to=out))
        assert again.read_bytes() == tiny_png()
        assert sorted(p.name for p in out.iterdir()) == ["assr.png", "cni.pdf"]  # no leftovers

        await aw(s.attachments.delete(draft, K.PROOF_OF_ADDRESS, by_stream.file_id))
        slots = {slot.kind: slot for slot in await aw(s.attachments.slots(draft))}
        assert [f.file_id for f in slots[K.PROOF_OF_ADDRESS].files] == [from_file.file_id]
        with pytest.raises(ants.ResourceNotFound):
            await aw(s.attachments.download(draft, K.PROOF_OF_ADDRESS, by_stream.file_id, to=out))


# --- ePhoto ------------------------------------------------------------------------------------


async def test_ephoto_set_get_delete_and_deposit_form(env: SandboxEnv, tmp_path: Path) -> None:
    image = pytest.importorskip("PIL.Image")
    code = ephoto_code()
    log = RequestLog()
    async with env.session(log=log) as s:
        draft = await aw(s.requests.create(cerfa02()))
        form = await aw(s.ephoto.deposit_form(draft, to=tmp_path))
        assert form.read_bytes().startswith(b"%PDF-")
        assert len(PdfReader(form).pages) == 1

        await aw(s.ephoto.set(draft, code.lower(), cerfa=ants.Cerfa.C02))
        photo = await aw(s.ephoto.get(draft.number))
        assert (photo.code, photo.cerfa) == (code, ants.Cerfa.C02)
        with image.open(io.BytesIO(photo.photo)) as jpeg:
            assert jpeg.format == "JPEG" and jpeg.size[0] > 0
        with image.open(io.BytesIO(photo.signature)) as png:
            assert png.format == "PNG" and png.size[0] > 0

        other = await aw(s.requests.create(cerfa02()))
        with pytest.raises(ants.ApplicationDataError) as used:
            await aw(s.ephoto.set(other, code, cerfa=ants.Cerfa.C02))
        assert used.value.code == "ephoto.already_used"

        await aw(s.ephoto.delete(draft, ants.Cerfa.C02))
        with pytest.raises(ants.ResourceNotFound):
            await aw(s.ephoto.get(draft))
        await aw(s.ephoto.set(other, code, cerfa=ants.Cerfa.C02))  # the code is free again

        before = len(log)
        with pytest.raises(ants.ApplicationDataError):
            await aw(s.ephoto.set(other, "trop-court", cerfa=ants.Cerfa.C02))
        assert len(log) == before


async def test_deposit_form_is_for_a_cerfa_02_only(env: SandboxEnv, tmp_path: Path) -> None:
    log = RequestLog()
    async with env.session(log=log) as s:
        c06 = await aw(
            s.requests.create(
                ants.Cerfa06(  # a B96 title: no Cerfa 02 before it
                    applicant=cerfa02().applicant,
                    categories={ants.LicenceCategory.B},
                    request_type=ants.RequestType.TITLE_AFTER_TRAINING,
                    training=ants.Training.B96,
                    previous_licence=ants.PreviousLicence(
                        categories={ants.LicenceCategory.B}, last_obtained_on="2019-05-02"
                    ),
                )
            )
        )
        assert c06.cerfa is ants.Cerfa.C06
        before = len(log)
        with pytest.raises(ants.ActionNotAllowed) as refused:
            await aw(s.ephoto.deposit_form(c06, to=tmp_path))
        assert len(log) == before
        assert "Cerfa 02" in refused.value.message_fr
    assert list(tmp_path.iterdir()) == []


# --- prefecture documents ----------------------------------------------------------------------


async def test_prefecture_documents_only_for_a_linked_request(
    env: SandboxEnv, tmp_path: Path
) -> None:
    direct = env.sandbox.register_direct(agreement=env.sandbox.credentials.agreement)
    log = RequestLog()
    async with env.session(log=log) as s:
        receipt = ants.PrefectureDocumentKind.REQUEST_RECEIPT
        for attempt in (
            lambda: s.documents.list(direct),
            lambda: s.documents.download(direct, receipt, to=tmp_path),
        ):
            with pytest.raises(ants.ActionNotAllowed) as refused:
                await aw(attempt())
            assert refused.value.code == "request_not_linked"
        assert len(log) == 0, "an unlinked request is refused before any call"

        linked = await aw(s.requests.link(direct, "S7"))
        documents = {d.kind: d for d in await aw(s.documents.list(linked))}
        assert set(documents) == set(ants.PrefectureDocumentKind)
        assert documents[ants.PrefectureDocumentKind.REQUEST_RECEIPT].available
        assert documents[ants.PrefectureDocumentKind.REQUEST_RECEIPT].label == (
            "Justificatif de la demande"
        )
        path = await aw(
            s.documents.download(linked, ants.PrefectureDocumentKind.REQUEST_RECEIPT, to=tmp_path)
        )
        assert path.name == f"request_receipt-{direct.number}.pdf"
        text = PdfReader(path).pages[0].extract_text()
        assert direct.number in text
        assert not documents[ants.PrefectureDocumentKind.DRIVING_RIGHTS_CERTIFICATE].available
        with pytest.raises(ants.ResourceNotFound):
            await aw(
                s.documents.download(
                    linked, ants.PrefectureDocumentKind.DRIVING_RIGHTS_CERTIFICATE, to=tmp_path
                )
            )
    assert [p.name for p in tmp_path.iterdir()] == [path.name]


# --- the whole story ---------------------------------------------------------------------------


async def test_full_story_from_cerfa02_to_cerfa06(env: SandboxEnv, pdfs: dict[str, Path]) -> None:
    sb = env.sandbox
    email = unique_email("story")
    async with env.session() as s:
        c02 = await aw(s.requests.create(cerfa02(email)))
        await aw(s.attachments.upload(c02, K.IDENTITY, pdfs["cni.pdf"]))
        await aw(s.attachments.upload(c02, K.PROOF_OF_ADDRESS, pdfs["domicile.pdf"]))
        with_photo = await aw(s.ephoto.set(c02, ephoto_code(), cerfa=ants.Cerfa.C02))
        assert with_photo.status is S.DRAFT
        validated = await aw(s.requests.validate(c02))
        assert validated.status is S.AWAITING_APPLICANT_VALIDATION
        sb.applicant_validates(c02.number)
        sb.prefecture_decides(c02.number, ants.PrefectureDecision.ACCEPT)
        accepted = await aw(s.requests.refresh(c02))
        assert accepted.status is S.READY_FOR_CERFA06
        assert accepted.neph is not None and accepted.neph.isdigit()
        ready = await aw(s.requests.search(bucket=ants.Bucket.READY_FOR_CERFA06))
        assert c02.number in {r.number for r in ready.items}

        held = await aw(s.requests.application(c02))
        c06 = await aw(
            s.requests.create(
                ants.Cerfa06(
                    applicant=held.applicant,
                    categories={ants.LicenceCategory.B},
                    neph=accepted.neph,
                    ephoto_code=ephoto_code(),
                )
            )
        )
        assert (c06.cerfa, c06.status, c06.neph) == (ants.Cerfa.C06, S.DRAFT, accepted.neph)
        assert c06.email == email
        counts = await aw(s.requests.counts())
    assert counts[ants.Cerfa.C06][ants.Bucket.CERFA06] == 1


# --- errors (F9) and refusals ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("which", "value"),
    [("agreement", "E0000000000"), ("login", "inconnu"), ("password", "pas-le-bon-1!")],
)
async def test_wrong_credentials_are_an_authentication_error(
    env: SandboxEnv, which: str, value: str
) -> None:
    creds = attrs.evolve(env.sandbox.credentials, **{which: value})
    log = RequestLog()
    async with env.session(creds, log=log) as s:
        with pytest.raises(ants.AuthenticationError) as refused:
            await aw(s.requests.counts())
    assert log.calls == [("POST", f"{API}/auth/token")]
    error = refused.value
    assert error.code == "authentication_failed"
    assert error.message_fr.startswith("Erreur d'authentification")
    assert "mot de passe" in error.message_fr
    everything = f"{error} {error!r} {error.message_fr}"
    assert "pas-le-bon-1!" not in everything and "3cfBelfort!" not in everything


async def test_data_errors_refused_locally_send_nothing(env: SandboxEnv) -> None:
    cases = {
        "applicant.first_name": cerfa02(first_name="Julie Marie"),
        "applicant.birth_department": cerfa02(birth_department="96"),
        "applicant.birth_country": cerfa02(
            birth_city="ATLANTIS", birth_department=None, birth_country="ATLANTIDE"
        ),
        "applicant.address.city": cerfa02(city="VILLENEUVE", postal_code="99999"),
    }
    log = RequestLog()
    async with env.session(log=log) as s:
        for field, application in cases.items():
            with pytest.raises(ants.ApplicationDataError) as refused:
                await aw(s.requests.create(application))
            assert field in {p.field for p in refused.value.problems}, field
            assert all(p.message_fr for p in refused.value.problems)
    assert len(log) == 0


async def test_data_errors_refused_by_ants(env: SandboxEnv) -> None:
    async with env.session() as s:
        with pytest.raises(ants.ApplicationDataError) as city:
            await aw(
                s.requests.create(cerfa02(birth_city="ZZZZ"), confirm=["applicant.birth_city"])
            )
        ((field, code),) = {(p.field, p.code) for p in city.value.problems}
        assert (field, code) == ("applicant.birth_city", "city.incorrect")
        assert city.value.problems[0].message_fr.startswith("Ville incorrecte")

        with pytest.raises(ants.ApplicationDataError) as country:
            await aw(
                s.requests.create(
                    cerfa02(
                        birth_city="ATLANTIS", birth_department=None, birth_country="ATLANTIDE"
                    ),
                    confirm=["applicant.birth_city", "applicant.birth_country"],
                )
            )
        codes = {p.field: p.code for p in country.value.problems}
        assert codes["applicant.birth_country"] == "country.incorrect"

    sb = env.sandbox
    no_prefecture = sb.add_agency(
        "E6906900099", "sans-prefecture", "Sans-Pref-69!", prefecture=None, postal_code="69800"
    )
    async with env.session(no_prefecture) as s:
        with pytest.raises(ants.ApplicationDataError) as prefecture:
            await aw(s.requests.create(cerfa02()))
    (problem,) = prefecture.value.problems  # refused locally, before any call
    assert (problem.field, problem.code) == ("credentials.prefecture", "prefecture.missing")
    assert problem.message_fr.startswith("Préfecture incorrecte")
    assert sb.requests(no_prefecture.agreement) == []


async def test_same_email_is_a_divergence(env: SandboxEnv) -> None:
    email = unique_email("famille")
    async with env.session() as s:
        first = await aw(s.requests.create(cerfa02(email)))
        with pytest.raises(ants.DivergenceError) as diverged:
            await aw(s.requests.create(cerfa02(email.upper(), first_name="Paul")))
    assert diverged.value.existing_number == first.number
    assert diverged.value.field == "applicant.email"
    mine = [r for r in env.sandbox.requests() if (r.email or "").casefold() == email]
    assert [r.number for r in mine] == [first.number]


async def test_ants_unavailable_after_the_tries(env: SandboxEnv) -> None:
    log = RequestLog()
    async with env.session(log=log, retry=ants.RetryPolicy.immediate(attempts=3)) as s:
        draft = await aw(s.requests.create(cerfa02()))
        env.sandbox.set_faults(error_rate=1.0, seed=3)
        before = len(log)
        with pytest.raises(ants.AntsUnavailable) as read:
            await aw(s.requests.get(draft.number))
        assert len(log) - before == 3
        assert (read.value.attempts, read.value.may_have_taken_effect) == (3, False)
        assert read.value.message_fr.startswith("La page ne répond pas")

        env.sandbox.set_faults(drop_rate=1.0, seed=3)
        with pytest.raises(ants.AntsUnavailable) as write:
            await aw(s.ephoto.set(draft, ephoto_code(), cerfa=ants.Cerfa.C02))
        assert write.value.may_have_taken_effect is True
        env.sandbox.set_faults()
        assert (await aw(s.requests.get(draft.number))).status is S.DRAFT


async def test_rights_are_checked_before_any_call(env: SandboxEnv, pdfs: dict[str, Path]) -> None:
    async with env.session() as admin:
        draft = await filed_draft(admin, pdfs)
        await aw(admin.ephoto.set(draft, ephoto_code(), cerfa=ants.Cerfa.C02))
    log = RequestLog()
    async with env.session(log=log, rights=[]) as clerk:
        attempts = {
            ants.Right.VALIDATE_REQUEST: lambda: clerk.requests.validate(draft),
            ants.Right.DELETE_REQUEST: lambda: clerk.requests.delete(draft.number),
            ants.Right.DELETE_EPHOTO: lambda: clerk.ephoto.delete(draft, ants.Cerfa.C02),
        }
        for right, attempt in attempts.items():
            with pytest.raises(ants.PermissionDenied) as denied:
                await aw(attempt())
            assert right.label in denied.value.message_fr
        slots = await aw(clerk.attachments.slots(draft))  # what needs no right still works
    # the refusals sent nothing: the login and the slots are all that reached ANTS
    assert log.calls == [
        ("POST", f"{API}/auth/token"),
        ("GET", f"{API}/requests/{draft.number}/attachments"),
    ]
    assert any(slot.sent for slot in slots)


async def test_lifecycle_refusals(env: SandboxEnv, pdfs: dict[str, Path], tmp_path: Path) -> None:
    log = RequestLog()
    async with env.session(log=log) as s:
        validated = await aw(s.requests.validate(await filed_draft(s, pdfs)))
        before = len(log)
        refusals = [
            lambda: s.attachments.upload(validated, K.ASSR, pdfs["domicile.pdf"]),
            lambda: s.requests.validate(validated),
            lambda: s.ephoto.set(validated, ephoto_code(), cerfa=ants.Cerfa.C02),
            lambda: s.ephoto.deposit_form(validated, to=tmp_path),
            lambda: s.requests.send_complement(validated),
        ]
        for attempt in refusals:
            with pytest.raises(ants.ActionNotAllowed) as refused:
                await aw(attempt())
            assert refused.value.status == S.AWAITING_APPLICANT_VALIDATION.value
            assert "impossible" in refused.value.message_fr
        # Nothing is written; the two actions ANTS itself invites (upload, complement) read
        # the request once before refusing, the others decide on the copy alone.
        sent = log.calls[before:]
        assert {method for method, _ in sent} == {"GET"}, sent
        assert len(sent) == 2

        env.sandbox.applicant_validates(validated.number)
        with pytest.raises(ants.ActionNotAllowed) as by_ants:  # a stale status: ANTS refuses
            await aw(s.requests.delete(validated))
        assert log.seen("DELETE")
        assert by_ants.value.code == "action_not_allowed"
        assert (await aw(s.requests.refresh(validated))).status is S.UNDER_REVIEW
        with pytest.raises(ants.ActionNotAllowed):  # once refreshed, refused locally
            await aw(s.requests.delete(validated.number))
        assert len(log.seen("DELETE")) == 1
        with pytest.raises(ants.ActionNotAllowed):
            await aw(s.requests.transfer(validated.number, former_agreement="E2506900077"))


async def test_a_stale_copy_is_read_again_before_the_invited_actions(
    env: SandboxEnv, pdfs: dict[str, Path]
) -> None:
    """The prefecture asks to complete: an older copy still says « in review », yet the
    upload and the complement go through, the request read once; a refusal names the status
    the request has now."""
    log = RequestLog()
    async with env.session(log=log) as s:
        validated = await aw(s.requests.validate(await filed_draft(s, pdfs)))
        env.sandbox.applicant_validates(validated.number)
        reviewed = await aw(s.requests.refresh(validated))
        assert reviewed.status is S.UNDER_REVIEW
        env.sandbox.prefecture_decides(validated.number, "ask_completion")
        sent = await aw(s.attachments.upload(reviewed, K.ASSR, pdfs["domicile.pdf"]))
        assert sent.pages == 1
        completed = await aw(s.requests.send_complement(reviewed))
        assert completed.status is S.UNDER_REVIEW
        before = len(log)
        with pytest.raises(ants.ActionNotAllowed) as refused:
            await aw(s.requests.send_complement(reviewed))  # already sent: refused, after one read
        assert refused.value.status == S.UNDER_REVIEW.value
        assert f"« {S.UNDER_REVIEW.label} »" in refused.value.message_fr
        assert [m for m, _ in log.calls[before:]] == ["GET"]


async def test_local_file_checks_send_nothing(env: SandboxEnv, tmp_path: Path) -> None:
    huge = tmp_path / "scan-enorme.pdf"
    with huge.open("wb") as f:
        f.write(b"%PDF-1.4\n")
        f.truncate(11_000_001)
    three_pages = tmp_path / "cni-3-pages.pdf"
    three_pages.write_bytes(tiny_pdf(3))
    one_page = tmp_path / "cni-verso.pdf"
    one_page.write_bytes(tiny_pdf(1))
    log = RequestLog()
    async with env.session(log=log) as s:
        draft = await aw(s.requests.create(cerfa02()))
        before = len(log)
        with pytest.raises(ants.AttachmentRejected) as too_large:
            await aw(s.attachments.upload(draft, K.IDENTITY, huge))
        assert too_large.value.code == "attachment.too_large"
        assert "11" in too_large.value.message_fr
        with pytest.raises(ants.AttachmentRejected) as too_many:
            await aw(s.attachments.upload(draft, K.IDENTITY, three_pages))
        assert too_many.value.code == "attachment.too_many_pages"
        with pytest.raises(ants.AttachmentRejected) as long_comment:
            await aw(s.attachments.upload(draft, K.IDENTITY, one_page, comment="x" * 81))
        assert long_comment.value.code == "attachment.comment_too_long"
        with pytest.raises(ants.AttachmentRejected):
            await aw(s.attachments.upload(draft, K.IDENTITY, io.BytesIO(b"not a document")))
        with pytest.raises(ants.ApplicationDataError) as invalid:
            await aw(s.requests.create(cerfa02(email="pas-un-email")))
        assert "applicant.email" in {p.field for p in invalid.value.problems}
        assert len(log) == before, "every local refusal happens before any call"

        await aw(s.attachments.upload(draft, K.IDENTITY, tiny_pdf_path(tmp_path, 2)))
        with pytest.raises(ants.AttachmentRejected) as over:
            await aw(s.attachments.upload(draft, K.IDENTITY, one_page))  # 2 + 1 > 2
        assert over.value.code == "attachment.too_many_pages"
    # the limit counting what was sent is ANTS's to check (no read before the upload): the
    # same typed refusal, and nothing stored
    assert len(log.seen("POST", "/identity")) == 2


def tiny_pdf_path(folder: Path, pages: int) -> Path:
    path = folder / f"doc-{pages}.pdf"
    path.write_bytes(tiny_pdf(pages))
    return path
