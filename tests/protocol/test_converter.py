"""The converter: every model to JSON-ready data and back, without loss, leniently in."""

from __future__ import annotations

import datetime as dt
import enum
import json
from typing import Any

import cattrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from antsclient import Secret
from antsclient.codec import (
    from_data,
    get_converter,
    parse_date,
    parse_datetime,
    to_data,
)
from antsclient.models import (
    Address,
    Applicant,
    AttachmentFile,
    AttachmentSlot,
    Cerfa,
    Cerfa02,
    Cerfa06,
    Credentials,
    Declarations,
    DocumentKind,
    EPhoto,
    LegalRepresentative,
    LicenceCategory,
    OnlineRequest,
    Prefecture,
    PrefectureDocument,
    PrefectureDocumentKind,
    PreviousLicence,
    RequestStatus,
    TrainingMode,
)

L = LicenceCategory

MODELS = [
    ("credentials", Credentials),
    ("addresses", Address),
    ("applicants", Applicant),
    ("representatives", LegalRepresentative),
    ("previous_licences", PreviousLicence),
    ("declarations", Declarations),
    ("cerfa02s", Cerfa02),
    ("cerfa06s", Cerfa06),
    ("online_requests", OnlineRequest),
    ("slots", AttachmentSlot),
    ("files", AttachmentFile),
    ("ephotos", EPhoto),
    ("prefecture_documents", PrefectureDocument),
    ("prefectures", Prefecture),
]


def _plain_json_only(data: Any) -> None:
    """Only dicts with str keys, lists, str, int, float, bool, None: no enum, date, bytes."""
    if isinstance(data, dict):
        for key, value in data.items():
            assert type(key) is str
            _plain_json_only(value)
    elif isinstance(data, list):
        for value in data:
            _plain_json_only(value)
    else:
        assert data is None or type(data) in (str, int, float, bool), (type(data), data)
        assert not isinstance(data, enum.Enum | dt.date | bytes | Secret)


@pytest.mark.parametrize(("strategy", "cls"), MODELS, ids=[m[1].__name__ for m in MODELS])
@given(data=st.data())
def test_round_trip_through_json_text(model_strategies, strategy: str, cls: type, data) -> None:
    obj = data.draw(getattr(model_strategies, strategy))
    text = json.dumps(to_data(obj))
    back = from_data(json.loads(text), cls)
    assert type(back) is cls
    assert back == obj
    assert json.dumps(to_data(back)) == text


ENUM_BUG = (
    "converter.py get_converter: the _is_enum hook is registered with "
    "register_unstructure_hook_func, which cattrs consults only after its singledispatch "
    "hooks; every enum here is a StrEnum, so the str passthrough wins and to_data hands out "
    "enum members (Cerfa.C02, Sex.MALE, TrainingMode...) instead of plain strings"
)


WITHOUT_ENUMS = [m for m in MODELS if m[1] in {Credentials, Address, AttachmentFile,
                                                   LegalRepresentative, Prefecture}]  # fmt: skip


@pytest.mark.parametrize(
    ("strategy", "cls"), WITHOUT_ENUMS, ids=[m[1].__name__ for m in WITHOUT_ENUMS]
)
@given(data=st.data())
def test_output_holds_plain_json_types_only(model_strategies, strategy: str, cls: type, data):
    _plain_json_only(to_data(data.draw(getattr(model_strategies, strategy))))


def _with_enums(make_application, make_cerfa06, make_previous_licence) -> list[Any]:
    return [
        make_application(previous_licence=make_previous_licence(), categories={L.BE}),
        make_cerfa06(),
        Declarations(training_mode=TrainingMode.AAC),
        OnlineRequest(**{**_request_fields(), "status": RequestStatus.DRAFT, "cerfa": Cerfa.C02}),
        AttachmentSlot(kind=DocumentKind.ASSR, label="ASSR", pages=0, max_pages=2, help="",
                       sent=False, required=True),
        EPhoto(code="C", cerfa=Cerfa.C06, photo=b"p", signature=b"s"),
        PrefectureDocument(kind=PrefectureDocumentKind.MEDICAL_OPINION, label="Avis médical"),
    ]  # fmt: skip


@pytest.mark.parametrize("index", range(7))
def test_models_with_enums_go_out_as_plain_json(
    make_application, make_cerfa06, make_previous_licence, index: int
) -> None:
    obj = _with_enums(make_application, make_cerfa06, make_previous_licence)[index]
    _plain_json_only(to_data(obj))


@pytest.mark.parametrize(
    "member", [Cerfa.C02, LicenceCategory.B, RequestStatus.DRAFT, DocumentKind.ASSR]
)
def test_enums_go_out_as_plain_strings(member: enum.Enum) -> None:
    assert type(to_data(member)) is str


def test_models_go_out_without_enum_members(make_application) -> None:
    _plain_json_only(to_data(make_application()))


def test_cerfa02_data_shape(make_application, make_previous_licence) -> None:
    app = make_application(
        categories={L.BE, L.AM},
        previous_licence=make_previous_licence(categories={L.B}),
        medical_visit_date=dt.date(2025, 5, 2),
    )
    data = to_data(app)
    assert data["categories"] == ["AM", "BE"]  # the official order
    assert data["applicant"]["birth_date"] == "2000-03-15"
    assert data["applicant"]["sex"] == "F"
    assert data["applicant"]["birth_date"] == "2000-03-15"
    assert data["declarations"]["training_mode"] == "traditional"
    assert data["previous_licence"]["obtained_by"] == "exam"
    assert data["medical_visit_date"] == "2025-05-02"
    assert "cerfa" not in data  # a class constant, not a field
    assert data["neph"] is None  # defaults are written out too
    assert from_data(data, Cerfa02) == app


def test_categories_in_official_order() -> None:
    previous = PreviousLicence(categories=set(L), last_obtained_on=dt.date(2020, 1, 1))
    assert to_data(previous)["categories"] == [c.value for c in L]


def test_credentials_come_out_with_the_password_and_go_back_in_a_secret() -> None:
    creds = Credentials(agreement="E1706900030", login="l", password="pw", postal_code="69800")
    data = to_data(creds)
    assert data == {
        "agreement": "E1706900030",
        "login": "l",
        "password": "pw",
        "prefecture": None,
        "postal_code": "69800",
    }
    back = from_data(data, Credentials)
    assert isinstance(back.password, Secret)
    assert back.password.reveal() == "pw"


def test_secret_alone() -> None:
    assert to_data(Secret("x")) == "x"
    assert from_data("x", Secret) == Secret("x")
    assert from_data(Secret("x"), Secret) == Secret("x")


def test_ephoto_bytes_are_base64() -> None:
    photo = EPhoto(code="C", cerfa=Cerfa.C06, photo=b"\xff\xd8\xff", signature=b"")
    data = to_data(photo)
    assert data["photo"] == "/9j/"
    assert data["signature"] == ""
    assert data["cerfa"] == "06"
    assert from_data(data, EPhoto) == photo
    assert from_data({**data, "photo": b"raw"}, EPhoto).photo == b"raw"


def test_bad_base64_is_refused() -> None:
    data = to_data(EPhoto(code="C", cerfa=Cerfa.C02, photo=b"x", signature=b"y"))
    with pytest.raises(cattrs.BaseValidationError):
        from_data({**data, "photo": "not base64!"}, EPhoto)


# --- lenient in ----------------------------------------------------------------------------


def _request_fields() -> dict[str, Any]:
    return {
        "number": "3223",
        "status_label": "Brouillon",
        "type_label": "Inscription au permis",
        "created": dt.datetime(2017, 7, 5, 15, 39, 5, tzinfo=dt.UTC),
        "modified": dt.datetime(2017, 7, 5, 15, 39, 5, tzinfo=dt.UTC),
    }


def _request_data(**overrides: Any) -> dict[str, Any]:
    base = {
        "number": "90120170705153905547685",
        "cerfa": "02",
        "status": "Brouillon (en attente des pièces justificatives requises)",
        "status_label": "Brouillon (en attente des pièces justificatives requises)",
        "type_label": "Inscription au permis nécessitant le passage d'un examen pratique",
        "created": "05/07/2017 15:39:05",
        "modified": "2017-07-06T08:00:00+02:00",
    }
    return {**base, **overrides}


def test_online_request_from_ants_labels_and_french_dates() -> None:
    request = from_data(_request_data(), OnlineRequest)
    assert request.status is RequestStatus.DRAFT
    assert request.created == dt.datetime(2017, 7, 5, 15, 39, 5, tzinfo=dt.UTC)
    assert request.modified == dt.datetime(2017, 7, 6, 8, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    assert request.transferred is False
    assert request.validated_at is None


def test_unknown_status_label_is_kept() -> None:
    label = "Dossier en attente d'un avis du Père Noël"
    request = from_data(_request_data(status=label, status_label=label), OnlineRequest)
    assert request.status is RequestStatus.UNKNOWN
    assert request.status_label == label
    assert to_data(request)["status"] == "unknown"


def test_unknown_extra_keys_are_ignored() -> None:
    request = from_data(_request_data(color="red", nested={"a": 1}), OnlineRequest)
    assert request.number == "90120170705153905547685"
    address = from_data(
        {"street": "1 rue", "postal_code": "69800", "city": "LYON", "extra": 1}, Address
    )
    assert address == Address(street="1 rue", postal_code="69800", city="LYON")


@pytest.mark.parametrize(
    ("given_categories", "expected"),
    [
        ("B, AM", {L.B, L.AM}),
        ("b am", {L.B, L.AM}),
        ("C1E,CE", {L.C1E, L.CE}),
        ("", set()),
        (["B", " am "], {L.B, L.AM}),
        (("A2",), {L.A2}),
    ],
)
def test_categories_are_read_leniently(given_categories, expected) -> None:
    data = {"categories": given_categories, "last_obtained_on": "2020-01-01"}
    assert from_data(data, PreviousLicence).categories == expected


@pytest.mark.parametrize("bad", [42, {"B": True}, "B, XX"])
def test_bad_categories_are_refused(bad) -> None:
    with pytest.raises(cattrs.BaseValidationError):
        from_data({"categories": bad, "last_obtained_on": "2020-01-01"}, PreviousLicence)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("06/07/2017", dt.date(2017, 7, 6)),
        ("2017-07-06", dt.date(2017, 7, 6)),
        (" 2017-07-06 ", dt.date(2017, 7, 6)),
        ("31/12/1999", dt.date(1999, 12, 31)),
        ("6/7/2017", dt.date(2017, 7, 6)),
        (dt.date(2017, 7, 6), dt.date(2017, 7, 6)),
        (dt.datetime(2017, 7, 6, 23, 59), dt.date(2017, 7, 6)),
    ],
)
def test_parse_date(text, expected: dt.date) -> None:
    assert parse_date(text) == expected
    assert type(parse_date(text)) is dt.date


@pytest.mark.parametrize(
    "text", ["2017-07-06T15:39:05", "2017-07-06 15:39", "2017-07-06T00:00:00Z"]
)
def test_parse_date_of_an_iso_datetime(text: str) -> None:
    assert parse_date(text) == dt.date(2017, 7, 6)


def test_year_first_text_is_not_read_day_first() -> None:
    assert parse_date("2017/07/06") == dt.date(2017, 7, 6)
    assert parse_datetime("2017/07/06") == dt.datetime(2017, 7, 6, tzinfo=dt.UTC)


def test_parse_date_of_a_french_datetime() -> None:
    assert parse_date("06/07/2017 15:39") == dt.date(2017, 7, 6)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("06/07/2017", dt.datetime(2017, 7, 6, tzinfo=dt.UTC)),
        ("06/07/2017 15:39", dt.datetime(2017, 7, 6, 15, 39, tzinfo=dt.UTC)),
        ("05/07/2017 15:39:05", dt.datetime(2017, 7, 5, 15, 39, 5, tzinfo=dt.UTC)),
        ("2017-07-06T15:39:05", dt.datetime(2017, 7, 6, 15, 39, 5, tzinfo=dt.UTC)),
        ("2017-07-06T15:39:05Z", dt.datetime(2017, 7, 6, 15, 39, 5, tzinfo=dt.UTC)),
        (
            "2017-07-06T15:39:05+02:00",
            dt.datetime(2017, 7, 6, 15, 39, 5, tzinfo=dt.timezone(dt.timedelta(hours=2))),
        ),
        ("2017-07-06", dt.datetime(2017, 7, 6, tzinfo=dt.UTC)),
        (dt.date(2017, 7, 6), dt.datetime(2017, 7, 6, tzinfo=dt.UTC)),
        (dt.datetime(2017, 7, 6, 1, 2), dt.datetime(2017, 7, 6, 1, 2, tzinfo=dt.UTC)),
    ],
)
def test_parse_datetime(text, expected: dt.datetime) -> None:
    parsed = parse_datetime(text)
    assert parsed == expected
    assert parsed.tzinfo is not None
    assert parsed.utcoffset() == expected.utcoffset()


@pytest.mark.parametrize("bad", [None, "", "   ", 12, ["2017-07-06"]])
def test_parse_date_refuses_non_dates(bad) -> None:
    with pytest.raises(ValueError, match="expected a date"):
        parse_date(bad)
    with pytest.raises(ValueError, match="expected a date and time"):
        parse_datetime(bad)


def test_unparseable_text_is_refused() -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - dateutil's ParserError is a ValueError
        parse_date("pas une date")
    with pytest.raises(cattrs.BaseValidationError):
        from_data(_request_data(created="pas une date"), OnlineRequest)


@given(st.dates())
def test_any_date_round_trips_both_ways(day: dt.date) -> None:
    assert parse_date(day.isoformat()) == day
    assert parse_date(day.strftime("%d/%m/") + f"{day.year:04d}") == day


@given(st.datetimes(timezones=st.just(dt.UTC) | st.none()))
def test_any_datetime_comes_back_aware(moment: dt.datetime) -> None:
    parsed = parse_datetime(moment.isoformat())
    assert parsed.tzinfo is not None
    assert parsed == moment.replace(tzinfo=moment.tzinfo or dt.UTC)


def test_a_missing_field_names_it() -> None:
    data = _request_data()
    del data["number"]
    with pytest.raises(cattrs.BaseValidationError) as info:
        from_data(data, OnlineRequest)
    assert "number" in repr(info.value.exceptions) + str(cattrs.transform_error(info.value))


def test_document_kind_from_its_value() -> None:
    slot = AttachmentSlot(
        kind=DocumentKind.ASSR, label="ASSR", pages=1, max_pages=2, help="", sent=True,
        required=False,
    )  # fmt: skip
    data = to_data(slot)
    assert data["kind"] == "assr"
    assert data["files"] == []
    assert from_data(data, AttachmentSlot) == slot


def test_prefecture_document_kind_from_its_value() -> None:
    doc = PrefectureDocument(kind=PrefectureDocumentKind.MEDICAL_OPINION, label="Avis médical")
    data = json.loads(json.dumps(to_data(doc)))
    assert data == {
        "kind": "medical_opinion",
        "label": "Avis médical",
        "media_type": "application/pdf",
        "available": True,
        "school_only": False,
    }
    assert from_data(data, PrefectureDocument) == doc


def test_converter_is_built_once() -> None:
    assert get_converter() is get_converter()
