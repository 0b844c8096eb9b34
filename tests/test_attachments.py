"""Supporting documents: file checks at their limits, and the kinds each application needs."""

from __future__ import annotations

import datetime as dt
import io

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from antsclient import AttachmentRejected, attachments
from antsclient.attachments import (
    MAX_COMMENT_LENGTH,
    MAX_FILE_SIZE,
    FileInfo,
    check_comment,
    check_pages,
    check_upload,
    count_pages,
    inspect_file,
    pages_sent,
    required_kinds,
    sniff_media_type,
)
from antsclient.models import Declarations, DocumentKind, LicenceCategory, TrainingMode

K = DocumentKind
L = LicenceCategory
ON = dt.date(2025, 6, 1)
PDF, JPEG, PNG = "application/pdf", "image/jpeg", "image/png"


def _code(excinfo: pytest.ExceptionInfo[AttachmentRejected]) -> str:
    return excinfo.value.code


@pytest.fixture(params=["pypdf", "antsclient"])
def pdf_reader(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Each PDF test twice: read by pypdf (the ``pdf`` extra), and by antsclient's own
    reader (without it)."""
    if request.param == "antsclient":
        monkeypatch.setattr(attachments, "_pypdf_reader", lambda: None)
    return str(request.param)


# --- size ----------------------------------------------------------------------------------


def test_limit_is_eleven_decimal_megabytes() -> None:
    assert MAX_FILE_SIZE == 11_000_000
    assert MAX_COMMENT_LENGTH == 80


def test_exactly_the_limit_is_accepted(sized_file, jpeg_bytes) -> None:
    path = sized_file("scan.jpg", jpeg_bytes, MAX_FILE_SIZE)
    info = inspect_file(path)
    assert info == FileInfo(name="scan.jpg", size=11_000_000, media_type=JPEG, pages=1)


def test_one_byte_over_the_limit_is_rejected(sized_file, jpeg_bytes) -> None:
    path = sized_file("scan.jpg", jpeg_bytes, MAX_FILE_SIZE + 1)
    with pytest.raises(AttachmentRejected) as info:
        inspect_file(path)
    assert _code(info) == "attachment.too_large"
    assert info.value.field == "file"
    assert "11,000,001" in str(info.value)
    assert "11 Mo" in info.value.message_fr
    assert "« scan.jpg »" in info.value.message_fr


def test_oversized_pdf_rejected_before_being_read(sized_file) -> None:
    # Not a readable PDF at all: the size alone refuses it, nothing is parsed.
    path = sized_file("big.pdf", b"%PDF-1.7\n", 20_000_000)
    with pytest.raises(AttachmentRejected) as info:
        check_upload(K.MEDICAL_OPINION, path)
    assert _code(info) == "attachment.too_large"


def test_stream_at_the_limit_and_over(jpeg_bytes) -> None:
    at_limit = io.BytesIO(jpeg_bytes + b"\0" * (MAX_FILE_SIZE - len(jpeg_bytes)))
    assert inspect_file(at_limit).size == MAX_FILE_SIZE
    over = io.BytesIO(at_limit.getvalue() + b"\0")
    with pytest.raises(AttachmentRejected) as info:
        inspect_file(over)
    assert _code(info) == "attachment.too_large"
    assert over.tell() == 0


@pytest.mark.parametrize("source", ["path", "stream"])
def test_empty_file_is_rejected(write_file, source: str) -> None:
    path = write_file("vide.pdf", b"")
    with pytest.raises(AttachmentRejected) as info:
        inspect_file(path if source == "path" else io.BytesIO(b""))
    assert _code(info) == "attachment.empty"
    assert "vide" in info.value.message_fr


# --- type ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("head", "media_type"),
    [
        (b"%PDF-1.4\n", PDF),
        (b"\xff\xd8\xff\xe0", JPEG),
        (b"\x89PNG\r\n\x1a\n\0\0", PNG),
        (b"junk before\n%PDF-1.7", PDF),
        (b" " * 1000 + b"%PDF-", PDF),
        (b" " * 1020 + b"%PDF-", None),
        (b"GIF89a", None),
        (b"hello", None),
        (b"", None),
    ],
)
def test_sniff_media_type(head: bytes, media_type: str | None) -> None:
    assert sniff_media_type(head) == media_type


@pytest.mark.usefixtures("pdf_reader")
def test_real_files_are_recognised(write_file, make_pdf, jpeg_bytes, png_bytes) -> None:
    assert inspect_file(write_file("a.pdf", make_pdf(3))) == FileInfo(
        name="a.pdf", size=len(make_pdf(3)), media_type=PDF, pages=3
    )
    assert inspect_file(write_file("b.jpg", jpeg_bytes)).media_type == JPEG
    assert inspect_file(write_file("c.png", png_bytes)).media_type == PNG
    assert inspect_file(write_file("c.png", png_bytes)).pages == 1


@pytest.mark.usefixtures("pdf_reader")
def test_type_comes_from_content_not_extension(write_file, make_pdf, png_bytes) -> None:
    assert inspect_file(write_file("photo.jpg", make_pdf(2))).media_type == PDF
    assert inspect_file(write_file("photo.jpg", make_pdf(2))).pages == 2
    assert inspect_file(write_file("scan.pdf", png_bytes)).media_type == PNG


@pytest.mark.parametrize("name", ["justif.pdf", "cni.jpg", "photo.png", "sans-extension"])
def test_text_file_is_rejected_whatever_its_name(write_file, name: str) -> None:
    path = write_file(name, b"Ceci n'est pas un PDF.\n")
    with pytest.raises(AttachmentRejected) as info:
        inspect_file(path)
    assert _code(info) == "attachment.unsupported_type"
    assert f"« {name} »" in info.value.message_fr
    assert "ni un PDF" in info.value.message_fr


# --- unreadable PDFs -----------------------------------------------------------------------


@pytest.mark.usefixtures("pdf_reader")
def test_encrypted_pdf_is_unreadable(write_file, encrypted_pdf) -> None:
    with pytest.raises(AttachmentRejected) as info:
        inspect_file(write_file("protege.pdf", encrypted_pdf))
    assert _code(info) == "attachment.unreadable"
    assert "encrypted" in str(info.value)
    assert "mot de passe" in info.value.message_fr


@pytest.mark.usefixtures("pdf_reader")
@pytest.mark.parametrize(
    "content",
    [
        b"%PDF-1.4\nthis is not a pdf body",
        b"%PDF-1.7\n" + b"\0" * 200,
    ],
    ids=["garbage", "zeros"],
)
def test_broken_pdf_is_unreadable(content: bytes) -> None:
    with pytest.raises(AttachmentRejected) as info:
        inspect_file(io.BytesIO(content), name="casse.pdf")
    assert _code(info) == "attachment.unreadable"
    assert info.value.field == "file"
    assert isinstance(info.value.__cause__, Exception)


@pytest.mark.usefixtures("pdf_reader")
def test_truncated_pdf_is_unreadable(make_pdf) -> None:
    data = make_pdf(2)
    with pytest.raises(AttachmentRejected) as info:
        inspect_file(io.BytesIO(data[: len(data) // 2]))
    assert _code(info) == "attachment.unreadable"


def test_count_pages_of_an_image_is_one() -> None:
    assert count_pages(io.BytesIO(b"anything"), JPEG) == 1
    assert count_pages(io.BytesIO(b"anything"), PNG) == 1


@pytest.mark.usefixtures("pdf_reader")
@pytest.mark.parametrize("pages", [1, 2, 6, 7])
def test_count_pages_of_a_pdf(make_pdf, pages: int) -> None:
    assert count_pages(io.BytesIO(make_pdf(pages)), PDF) == pages


# --- streams -------------------------------------------------------------------------------


@pytest.mark.usefixtures("pdf_reader")
def test_stream_is_left_at_its_position(make_pdf) -> None:
    prefix = b"ignored prefix\n" * 3
    stream = io.BytesIO(prefix + make_pdf(2))
    stream.seek(len(prefix))
    info = inspect_file(stream, name="cni.pdf")
    assert stream.tell() == len(prefix)
    assert info == FileInfo(name="cni.pdf", size=len(make_pdf(2)), media_type=PDF, pages=2)


def test_stream_position_kept_after_a_rejection() -> None:
    stream = io.BytesIO(b"xxxxhello, plain text")
    stream.seek(4)
    with pytest.raises(AttachmentRejected):
        inspect_file(stream)
    assert stream.tell() == 4


@pytest.mark.usefixtures("pdf_reader")
def test_stream_position_kept_after_an_unreadable_pdf() -> None:
    stream = io.BytesIO(b"ab%PDF-1.4\nbroken")
    stream.seek(2)
    with pytest.raises(AttachmentRejected):
        inspect_file(stream)
    assert stream.tell() == 2


@pytest.mark.usefixtures("pdf_reader")
def test_stream_name_from_an_open_file(write_file, make_pdf) -> None:
    path = write_file("justif domicile.pdf", make_pdf(1))
    with path.open("rb") as f:
        info = inspect_file(f)
        assert f.tell() == 0
    assert info.name == "justif domicile.pdf"
    assert inspect_file(io.BytesIO(make_pdf(1))).name == "document.pdf"  # named by its type


def test_explicit_name_wins(write_file, make_pdf) -> None:
    path = write_file("tmp123.pdf", make_pdf(1))
    assert inspect_file(path, name="cni.pdf").name == "cni.pdf"
    assert inspect_file(str(path)).name == "tmp123.pdf"


# --- pages ---------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", list(DocumentKind))
def test_max_pages_accepted_one_more_rejected(make_pdf, kind: DocumentKind) -> None:
    maximum = kind.max_pages
    info = check_upload(kind, io.BytesIO(make_pdf(maximum)), name="scan.pdf")
    assert info.pages == maximum
    with pytest.raises(AttachmentRejected) as excinfo:
        check_upload(kind, io.BytesIO(make_pdf(maximum + 1)), name="scan.pdf")
    error = excinfo.value
    assert error.code == "attachment.too_many_pages"
    assert error.kind == kind.value
    assert f"{maximum} page(s) au maximum" in error.message_fr
    assert kind.label in error.message_fr


@pytest.mark.parametrize("kind", list(DocumentKind))
def test_pages_already_sent_count(make_pdf, jpeg_bytes, kind: DocumentKind) -> None:
    sent = kind.max_pages - 1
    check_upload(kind, io.BytesIO(jpeg_bytes), pages_already_sent=sent)
    with pytest.raises(AttachmentRejected) as excinfo:
        check_upload(kind, io.BytesIO(make_pdf(2)), pages_already_sent=sent, name="p.pdf")
    assert excinfo.value.code == "attachment.too_many_pages"
    assert f"{sent} déjà envoyée(s), 2 dans « p.pdf »" in excinfo.value.message_fr
    with pytest.raises(AttachmentRejected):
        check_upload(kind, io.BytesIO(jpeg_bytes), pages_already_sent=kind.max_pages)


@given(
    kind=st.sampled_from(DocumentKind),
    sent=st.integers(min_value=0, max_value=8),
    pages=st.integers(min_value=0, max_value=8),
)
def test_check_pages_property(kind: DocumentKind, sent: int, pages: int) -> None:
    if sent + pages <= kind.max_pages:
        check_pages(kind, pages, pages_already_sent=sent)
    else:
        with pytest.raises(AttachmentRejected, match="at most"):
            check_pages(kind, pages, pages_already_sent=sent)


def test_pages_sent_sums_the_files() -> None:
    files = [
        FileInfo(name="a.pdf", size=1, media_type=PDF, pages=2),
        FileInfo(name="b.jpg", size=1, media_type=JPEG, pages=1),
    ]
    assert pages_sent(files) == 3
    assert pages_sent([]) == 0


# --- comments ------------------------------------------------------------------------------


def test_comment_of_80_characters_accepted(jpeg_bytes) -> None:
    check_comment("é" * 80)
    check_comment(None)
    check_comment("")
    assert check_upload(K.IDENTITY, io.BytesIO(jpeg_bytes), comment="x" * 80).pages == 1


def test_comment_of_81_characters_rejected(jpeg_bytes) -> None:
    with pytest.raises(AttachmentRejected) as info:
        check_comment("é" * 81)
    assert info.value.code == "attachment.comment_too_long"
    assert info.value.field == "comment"
    assert "81 caractères" in info.value.message_fr
    with pytest.raises(AttachmentRejected) as info:
        check_upload(K.IDENTITY, io.BytesIO(jpeg_bytes), comment="x" * 81)
    assert info.value.code == "attachment.comment_too_long"


@given(st.text(max_size=120))
def test_comment_length_property(comment: str) -> None:
    if len(comment) <= 80:
        check_comment(comment)
    else:
        with pytest.raises(AttachmentRejected):
            check_comment(comment)


# --- required kinds ------------------------------------------------------------------------

BASE = {K.IDENTITY, K.PROOF_OF_ADDRESS}


def test_identity_and_address_always(make_application, make_cerfa06) -> None:
    assert required_kinds(make_application(), on=ON) == BASE
    assert required_kinds(make_cerfa06(), on=ON) == BASE


def test_required_kinds_default_to_today(make_application) -> None:
    assert required_kinds(make_application()) == BASE


@pytest.mark.parametrize(
    "declarations",
    [
        {"affection_or_handicap": True},
        {"invalidity_pension": True},
    ],
)
def test_medical_opinion_for_handicap_or_pension(make_application, declarations) -> None:
    app = make_application(declarations=declarations)
    assert required_kinds(app, on=ON) == BASE | {K.MEDICAL_OPINION}


@pytest.mark.parametrize("category", [c for c in LicenceCategory if c.is_heavy])
def test_medical_opinion_for_heavy_categories(
    make_application, make_previous_licence, category: LicenceCategory
) -> None:
    app = make_application(
        categories={category},
        previous_licence=make_previous_licence(categories={L.B, L.C, L.C1, L.D, L.D1}),
        applicant={"birth_date": dt.date(1990, 1, 1)},
    )
    assert K.MEDICAL_OPINION in required_kinds(app, on=ON)


@pytest.mark.parametrize("category", [c for c in LicenceCategory if not c.is_heavy])
def test_no_medical_opinion_for_light_categories(make_application, category) -> None:
    app = make_application(categories={category})
    assert K.MEDICAL_OPINION not in required_kinds(app, on=ON)


def test_cancellation_needs_judgment_and_medical_opinion(make_application) -> None:
    app = make_application(after_cancellation=True)
    assert required_kinds(app, on=ON) == BASE | {K.CANCELLATION_JUDGMENT, K.MEDICAL_OPINION}


def test_military_licence_proof(make_application) -> None:
    app = make_application(military_licence=True)
    assert required_kinds(app, on=ON) == BASE | {K.MILITARY_LICENCE}


@pytest.mark.parametrize(("age", "needed"), [(15, True), (20, True), (21, False), (30, False)])
def test_assr_under_21_for_a_first_licence(
    make_application, make_legal_representative, born_aged, age: int, needed: bool
) -> None:
    app = make_application(
        applicant={"birth_date": born_aged(age)},
        declarations=Declarations(training_mode=TrainingMode.AAC),
        legal_representative=make_legal_representative() if age < 18 else None,
    )
    assert (K.ASSR in required_kinds(app, on=ON)) is needed


def test_no_assr_when_a_category_is_already_held(
    make_application, make_previous_licence, born_aged
) -> None:
    app = make_application(
        categories={L.A2},
        applicant={"birth_date": born_aged(19)},
        previous_licence=make_previous_licence(
            categories={L.AM}, last_obtained_on=dt.date(2022, 1, 1)
        ),
    )
    assert K.ASSR not in required_kinds(app, on=ON)


def test_no_assr_for_a_title_request(make_cerfa06, born_aged) -> None:
    app = make_cerfa06(applicant={"birth_date": born_aged(18)})
    assert K.ASSR not in required_kinds(app, on=ON)


@pytest.mark.parametrize("cerfa", ["02", "06"])
def test_training_certificate_for_a_by_progressive_access(
    make_application, make_cerfa06, make_previous_licence, cerfa: str
) -> None:
    factory = make_application if cerfa == "02" else make_cerfa06
    with_a2 = factory(
        categories={L.A},
        previous_licence=make_previous_licence(categories={L.A2}),
    )
    assert K.TRAINING_CERTIFICATE in required_kinds(with_a2, on=ON)
    without_a2 = factory(categories={L.A})
    assert K.TRAINING_CERTIFICATE not in required_kinds(without_a2, on=ON)
    a2_not_a = factory(categories={L.B}, previous_licence=make_previous_licence(categories={L.A2}))
    assert K.TRAINING_CERTIFICATE not in required_kinds(a2_not_a, on=ON)


@pytest.mark.parametrize("category", [L.D, L.DE])
@pytest.mark.parametrize(("age", "needed"), [(21, True), (23, True), (24, False), (40, False)])
def test_training_commitment_for_d_under_24(
    make_application, make_previous_licence, born_aged, category, age, needed
) -> None:
    app = make_application(
        categories={category},
        applicant={"birth_date": born_aged(age)},
        previous_licence=make_previous_licence(categories={L.B, L.D}),
    )
    assert (K.TRAINING_COMMITMENT in required_kinds(app, on=ON)) is needed


def test_no_training_commitment_for_d1(make_application, make_previous_licence, born_aged):
    app = make_application(
        categories={L.D1},
        applicant={"birth_date": born_aged(21)},
        previous_licence=make_previous_licence(categories={L.B}),
    )
    assert K.TRAINING_COMMITMENT not in required_kinds(app, on=ON)


def test_everything_at_once(make_application, make_previous_licence, born_aged) -> None:
    app = make_application(
        categories={L.DE, L.A},
        applicant={"birth_date": born_aged(22)},
        previous_licence=make_previous_licence(categories={L.B, L.D, L.A2}),
        declarations={"invalidity_pension": True},
        after_cancellation=True,
        military_licence=True,
    )
    # Every kind but the ASSR (a licence is held), those of a host, of a minor and of a
    # French student under 25 (neither nationality nor housing is given).
    assert required_kinds(app, on=ON) == set(DocumentKind) - {
        K.ASSR,
        K.HOST_ATTESTATION,
        K.HOST_IDENTITY,
        K.REPRESENTATIVE_IDENTITY,
        K.CENSUS_CERTIFICATE,
    }
    hosted = attrs.evolve(
        app, applicant=attrs.evolve(app.applicant, hosted=True, nationality="France")
    )
    assert required_kinds(hosted, on=ON) == set(DocumentKind) - {K.ASSR, K.REPRESENTATIVE_IDENTITY}
