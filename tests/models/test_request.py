"""What ANTS holds: online requests, document slots, ePhoto, prefecture documents."""

from __future__ import annotations

import copy
import datetime as dt
import pickle
import weakref
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from antsclient.models import (
    APPLICANT_VALIDATION_WINDOW,
    AttachmentFile,
    AttachmentSlot,
    Bucket,
    Cerfa,
    DocumentKind,
    EPhoto,
    OnlineRequest,
    Prefecture,
    PrefectureDocument,
    PrefectureDocumentKind,
    RequestStatus,
    RequestType,
)
from antsclient.models.request import ONLINE_REQUEST_FIELDS, _slot_constructor, new_online_request

CREATED = dt.datetime(2017, 7, 5, 15, 39, 5, tzinfo=dt.UTC)


def _request(**overrides) -> OnlineRequest:
    base = {
        "number": "3223",
        "cerfa": Cerfa.C02,
        "status": RequestStatus.DRAFT,
        "status_label": "Brouillon (en attente des pièces justificatives requises)",
        "type_label": "Inscription au permis nécessitant le passage d'un examen pratique",
        "created": CREATED,
        "modified": CREATED,
    }
    return OnlineRequest(**{**base, **overrides})


def test_applicant_deadline_is_seven_days_after_validation() -> None:
    validated = dt.datetime(2025, 6, 1, 10, 30, tzinfo=dt.UTC)
    request = _request(status=RequestStatus.AWAITING_APPLICANT_VALIDATION, validated_at=validated)
    assert dt.timedelta(days=7) == APPLICANT_VALIDATION_WINDOW
    assert request.applicant_deadline == dt.datetime(2025, 6, 8, 10, 30, tzinfo=dt.UTC)


def test_no_deadline_without_validation_time() -> None:
    assert _request(status=RequestStatus.AWAITING_APPLICANT_VALIDATION).applicant_deadline is None


@pytest.mark.parametrize(
    "status", [s for s in RequestStatus if s is not RequestStatus.AWAITING_APPLICANT_VALIDATION]
)
def test_no_deadline_outside_the_window(status: RequestStatus) -> None:
    assert _request(status=status, validated_at=CREATED).applicant_deadline is None


def test_linked_follows_student_id() -> None:
    assert not _request().linked
    assert _request(student_id="42").linked
    assert _request(student_id="").linked


def test_type_state_is_type_dash_state() -> None:
    assert _request().type_state == (
        "Inscription au permis nécessitant le passage d'un examen pratique - "
        "Brouillon (en attente des pièces justificatives requises)"
    )


@pytest.mark.parametrize(
    ("cerfa", "status", "transferred", "buckets"),
    [
        (Cerfa.C02, RequestStatus.DRAFT, False, {Bucket.CERFA02, Bucket.DRAFTS}),
        (Cerfa.C06, RequestStatus.ACCEPTED, False, {Bucket.CERFA06, Bucket.ACCEPTED}),
        (Cerfa.C02, RequestStatus.UNDER_REVIEW, False, {Bucket.CERFA02, Bucket.IN_PROGRESS}),
        (
            Cerfa.C02,
            RequestStatus.UNDER_REVIEW,
            True,
            {Bucket.CERFA02, Bucket.IN_PROGRESS, Bucket.TRANSFERRED},
        ),
        (
            Cerfa.C02,
            RequestStatus.READY_FOR_CERFA06,
            False,
            {Bucket.CERFA02, Bucket.READY_FOR_CERFA06},
        ),
        (Cerfa.C06, RequestStatus.TRANSFERRED, False, {Bucket.CERFA06, Bucket.TRANSFERRED}),
        (Cerfa.C06, RequestStatus.UNKNOWN, False, {Bucket.CERFA06}),
    ],
)
def test_buckets(cerfa, status, transferred, buckets) -> None:
    request = _request(cerfa=cerfa, status=status, transferred=transferred)
    assert request.buckets == buckets


@given(
    cerfa=st.sampled_from(Cerfa),
    status=st.sampled_from(RequestStatus),
    transferred=st.booleans(),
)
def test_buckets_agree_with_bucket_holds(cerfa, status, transferred) -> None:
    request = _request(cerfa=cerfa, status=status, transferred=transferred)
    for bucket in Bucket:
        assert (bucket in request.buckets) == bucket.holds(
            cerfa=cerfa, status=status, transferred=transferred
        )
    # Exactly one of the two per-cerfa buckets.
    assert len(request.buckets & {Bucket.CERFA02, Bucket.CERFA06}) == 1


def _slot(**overrides) -> AttachmentSlot:
    kind = overrides.pop("kind", DocumentKind.IDENTITY)
    base = {
        "kind": kind,
        "label": kind.label,
        "pages": 0,
        "max_pages": kind.max_pages,
        "help": kind.help,
        "sent": False,
        "required": True,
    }
    return AttachmentSlot(**{**base, **overrides})


@pytest.mark.parametrize(("pages", "left"), [(0, 2), (1, 1), (2, 0), (3, 0)])
def test_pages_left_never_negative(pages: int, left: int) -> None:
    assert _slot(pages=pages).pages_left == left


def test_slot_holds_its_files() -> None:
    f = AttachmentFile(
        file_id="1", name="cni.pdf", pages=2, size=1000, media_type="application/pdf"
    )
    slot = _slot(pages=2, sent=True, files=(f,), comment="recto verso")
    assert slot.files == (f,)
    assert f.comment is None
    assert slot.comment == "recto verso"


def test_ephoto_repr_hides_the_bytes() -> None:
    photo = EPhoto(
        code="AB12CD34EF56GH78IJ90KL", cerfa=Cerfa.C02, photo=b"\xff" * 50, signature=b"x"
    )
    text = repr(photo)
    assert "<50 bytes>" in text
    assert "<1 bytes>" in text
    assert "\\xff" not in text
    assert photo.photo_media_type == "image/jpeg"
    assert photo.signature_media_type == "image/png"


def test_prefecture_document_defaults() -> None:
    doc = PrefectureDocument(kind=PrefectureDocumentKind.MEDICAL_OPINION, label="Avis médical")
    assert doc.media_type == "application/pdf"
    assert doc.available is True


def test_prefecture() -> None:
    prefecture = Prefecture(code="069", name="Préfecture du Rhône", department="69")
    assert prefecture == Prefecture(code="069", name="Préfecture du Rhône", department="69")
    assert prefecture.department == "69"


def test_online_request_is_frozen() -> None:
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        _request().status = RequestStatus.ACCEPTED  # type: ignore[misc]


# --- new_online_request: the positional constructor the decoders and stores use ---------------


def _fields(**changes: object) -> dict[str, object]:
    values: dict[str, object] = dict.fromkeys(ONLINE_REQUEST_FIELDS)
    values.update(
        number="3223",
        cerfa=Cerfa.C02,
        status=RequestStatus.DRAFT,
        status_label="Brouillon",
        type_label="Demande",
        created=CREATED,
        modified=CREATED,
        transferred=False,
        paper_mandate=False,
    )
    values.update(changes)
    return values


@given(
    neph=st.none() | st.text(max_size=12),
    email=st.none() | st.text(max_size=20),
    validated=st.none() | st.datetimes(timezones=st.just(dt.UTC)),
    request_type=st.none() | st.sampled_from(RequestType),
    mandate=st.booleans(),
)
def test_new_online_request_is_the_keyword_call_exactly(
    neph: str | None,
    email: str | None,
    validated: dt.datetime | None,
    request_type: RequestType | None,
    mandate: bool,
) -> None:
    values = _fields(
        neph=neph,
        email=email,
        validated_at=validated,
        request_type=request_type,
        paper_mandate=mandate,
    )
    made = new_online_request(*values.values())
    expected = OnlineRequest(**values)  # type: ignore[arg-type]
    # Made as its unfrozen twin, it has become an OnlineRequest: that very type.
    assert type(made) is OnlineRequest
    assert made == expected and hash(made) == hash(expected) and repr(made) == repr(expected)
    assert attrs.asdict(made, recurse=False) == values


def test_a_request_made_positionally_is_frozen_and_behaves_as_any_other() -> None:
    made = new_online_request(*_fields().values())
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        made.number = "1"  # type: ignore[misc]
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        del made.number  # type: ignore[misc]
    assert pickle.loads(pickle.dumps(made)) == made
    assert copy.copy(made) == made and copy.deepcopy(made) == made
    evolved = attrs.evolve(made, status=RequestStatus.UNDER_REVIEW)
    assert type(evolved) is OnlineRequest and evolved.status is RequestStatus.UNDER_REVIEW
    assert weakref.ref(made)() is made
    assert not hasattr(made, "__dict__")


def test_the_slot_constructor_of_a_class_that_is_not_plain_calls_its_init() -> None:
    checked: list[str] = []

    @attrs.frozen(kw_only=True, slots=True)
    class Checked:
        number: str = attrs.field(validator=lambda _, __, v: checked.append(v))
        cerfa: Any = None
        status: Any = None
        status_label: Any = None
        type_label: Any = None
        created: Any = None
        modified: Any = None
        transferred: Any = None
        neph: Any = None
        student_id: Any = None
        applicant_name: Any = None
        email: Any = None
        validated_at: Any = None
        request_type: Any = None
        paper_mandate: Any = None
        paper_mandate_date: Any = None
        phone: Any = None

    made = _slot_constructor(Checked)("7", *([None] * (len(ONLINE_REQUEST_FIELDS) - 1)))
    assert made == Checked(number="7") and checked == ["7", "7"]
    assert type(made) is Checked

    @attrs.frozen(slots=True)
    class Other:
        number: str

    with pytest.raises(ValueError, match="zip"):  # a different shape: never the slots
        _slot_constructor(Other)("7", None)


def test_the_slot_constructor_of_a_plain_subclass_makes_that_subclass() -> None:
    @attrs.frozen(kw_only=True, slots=True, repr=False)
    class Mine(OnlineRequest):
        pass

    made = _slot_constructor(Mine)(*_fields().values())
    assert type(made) is Mine and made.number == "3223"
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        made.number = "1"  # type: ignore[misc]
