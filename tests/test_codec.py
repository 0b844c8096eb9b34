"""The codec's hot path and its errors: the fast OnlineRequest hook agrees with the generic
structuring, and a failure names the fields at fault."""

from __future__ import annotations

import copy
import datetime as dt
import json
import pickle
import sys
from collections.abc import Callable
from typing import Any

import attrs
import cattrs
import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from antsclient import ProtocolError, codec
from antsclient.codec import (
    CodecError,
    describe_error,
    from_data,
    generic_online_request,
    read,
    read_application,
    read_online_request,
    read_online_requests,
    to_data,
)
from antsclient.models import Cerfa, Cerfa02, Cerfa06, OnlineRequest, RequestStatus
from antsclient.protocol import operations

# --- strategies --------------------------------------------------------------------------------

# Offsets in whole minutes, as every zone writes them.
offsets = st.integers(min_value=-(24 * 60 - 1), max_value=24 * 60 - 1).map(
    lambda minutes: dt.timedelta(minutes=minutes)
)
zones = st.just(dt.UTC) | offsets.map(dt.timezone)
instants = st.datetimes(
    min_value=dt.datetime(1970, 1, 2), max_value=dt.datetime(2100, 1, 1), timezones=zones
)
numbers = st.from_regex(r"\A[0-9]{1,23}\Z") | st.sampled_from(["3223", "90120170705153905547685"])
texts = st.text(st.characters(exclude_categories=("Cs",)), max_size=40)
optional_texts = st.none() | texts

online_requests = st.builds(
    OnlineRequest,
    number=numbers,
    cerfa=st.sampled_from(Cerfa),
    status=st.sampled_from(RequestStatus),
    status_label=texts,
    type_label=texts,
    created=instants,
    modified=instants,
    transferred=st.booleans(),
    neph=optional_texts,
    student_id=optional_texts,
    applicant_name=optional_texts,
    email=optional_texts,
    validated_at=st.none() | instants,
)

OPTIONAL_KEYS = ("transferred", "neph", "student_id", "applicant_name", "email", "validated_at")


def _french(moment: dt.datetime) -> str:
    """A datetime the way ANTS shows it: ``06/07/2017 15:39`` (no seconds, no zone)."""
    return moment.strftime("%d/%m/") + f"{moment.year:04d}" + moment.strftime(" %H:%M")


def _naive(moment: dt.datetime) -> str:
    return moment.replace(tzinfo=None).isoformat()


@st.composite
def perturbed(draw: st.DrawFn) -> dict[str, Any]:
    """The data of a request, written in one or more of the ways it may arrive."""
    request = draw(online_requests)
    data: dict[str, Any] = to_data(request)
    for key in draw(st.sets(st.sampled_from(OPTIONAL_KEYS))):
        del data[key]
    choices = draw(
        st.sets(
            st.sampled_from(
                [
                    "status_label",
                    "status_case",
                    "status_other",
                    "created_fr",
                    "modified_fr",
                    "created_naive",
                    "validated_fr",
                    "number_int",
                    "transferred_str",
                    "transferred_int",
                    "neph_int",
                    "extra",
                    "cerfa_int",
                    "created_date",
                    "status_label_none",
                ]
            )
        )
    )
    if "status_label" in choices:
        data["status"] = request.status.label
    if "status_case" in choices:
        data["status"] = request.status.value.upper()
    if "status_other" in choices:
        data["status"] = draw(texts)
    if "created_fr" in choices:
        data["created"] = _french(request.created)
    if "modified_fr" in choices:
        data["modified"] = _french(request.modified)
    if "created_naive" in choices:
        data["created"] = _naive(request.created)
    if "created_date" in choices:
        data["created"] = request.created.date().isoformat()
    if "validated_fr" in choices and request.validated_at is not None:
        data["validated_at"] = _french(request.validated_at)
    if "number_int" in choices:
        data["number"] = int(request.number)
    if "transferred_str" in choices:
        data["transferred"] = draw(st.sampled_from(["true", "True", "1", "yes"]))
    if "transferred_int" in choices:
        data["transferred"] = int(request.transferred)
    if "neph_int" in choices:
        data["neph"] = draw(st.integers(min_value=0, max_value=10**12))
    if "extra" in choices:
        data.update(draw(st.dictionaries(st.sampled_from(["color", "x", "_links", "é"]), texts)))
    if "cerfa_int" in choices:
        data["cerfa"] = int(request.cerfa.value)
    if "status_label_none" in choices:
        data["status_label"] = None
    return data


def _outcome(read_: Callable[[Any], OnlineRequest], data: Any) -> tuple[str, Any]:
    try:
        return ("ok", read_(copy.deepcopy(data)))
    except Exception as exc:
        return ("raised", type(exc))


def _same(a: OnlineRequest, b: OnlineRequest) -> None:
    assert a == b
    for field in ("created", "modified", "validated_at"):
        left, right = getattr(a, field), getattr(b, field)
        if left is not None:
            assert left.utcoffset() == right.utcoffset(), field


# --- the fast path and the generic one ----------------------------------------------------------


@given(online_requests)
def test_both_paths_read_back_any_request(request: OnlineRequest) -> None:
    data = to_data(request)
    fast = read_online_request(data)
    generic = generic_online_request(data)
    assert fast == request == generic
    _same(fast, request)
    _same(generic, request)
    assert from_data(data, OnlineRequest) == request
    assert to_data(fast) == data


@given(perturbed())
def test_both_paths_agree_on_any_data(data: dict[str, Any]) -> None:
    fast = _outcome(read_online_request, data)
    generic = _outcome(generic_online_request, data)
    assert fast[0] == generic[0], (fast, generic)
    if fast[0] == "ok":
        _same(fast[1], generic[1])
        assert fast[1].created.tzinfo is not None
        assert fast[1].modified.tzinfo is not None


@given(st.lists(perturbed() | online_requests.map(to_data), max_size=6))
def test_a_page_of_items_is_read_as_each_item_alone(items: list[Any]) -> None:
    # Items carrying every field take a quicker path than the others: the same requests,
    # the same refusals (left out and counted).
    alone = [_outcome(read_online_request, item) for item in items]
    read_, failed = read_online_requests(copy.deepcopy(items))
    kept = [request for outcome, request in alone if outcome == "ok"]
    assert len(read_) == len(kept)
    for got, expected in zip(read_, kept, strict=True):
        _same(got, expected)
    assert failed == len(items) - len(kept)


def test_an_item_missing_an_optional_field_is_read_the_field_by_field_way() -> None:
    complete = to_data(read_online_request(_data()))
    assert set(complete) == set(attrs.fields_dict(OnlineRequest))
    for field in ("neph", "phone", "validated_at", "request_type", "transferred"):
        partial = {k: v for k, v in complete.items() if k != field}
        (request,), failed = read_online_requests([partial])
        assert failed == 0
        assert request == generic_online_request(partial)


@given(
    st.one_of(
        st.none(),
        st.integers(),
        texts,
        st.lists(st.integers(), max_size=3),
        st.dictionaries(texts, texts | st.integers() | st.none(), max_size=4),
    )
)
def test_both_paths_refuse_what_is_no_request(data: Any) -> None:
    fast = _outcome(read_online_request, data)
    generic = _outcome(generic_online_request, data)
    assert fast[0] == generic[0] == "raised"
    assert read_online_requests([data, data]) == ([], 2)


def _data(**overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "number": "3223",
        "cerfa": "02",
        "status": "draft",
        "status_label": "Brouillon",
        "type_label": "Inscription au permis",
        "created": "2017-07-06T15:39:00+00:00",
        "modified": "2017-07-06T15:39:00+00:00",
    }
    return {**base, **overrides}


@pytest.mark.parametrize("status", list(RequestStatus))
def test_a_status_given_as_its_label_is_read(status: RequestStatus) -> None:
    for given_ in (status.label, status.label.upper(), status.value, f"  {status.label} "):
        data = _data(status=given_)
        assert read_online_request(data).status is status
        assert generic_online_request(data).status is status


def test_an_ants_label_longer_than_ours_is_read() -> None:
    data = _data(status="Brouillon (en attente des pièces justificatives requises)")
    assert read_online_request(data).status is RequestStatus.DRAFT
    assert generic_online_request(data).status is RequestStatus.DRAFT


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("06/07/2017 15:39", dt.datetime(2017, 7, 6, 15, 39, tzinfo=dt.UTC)),
        ("06/07/2017", dt.datetime(2017, 7, 6, tzinfo=dt.UTC)),
        ("2017-07-06T15:39:00", dt.datetime(2017, 7, 6, 15, 39, tzinfo=dt.UTC)),
        ("2017-07-06T15:39:00Z", dt.datetime(2017, 7, 6, 15, 39, tzinfo=dt.UTC)),
        (
            "2017-07-06T17:39:00+02:00",
            dt.datetime(2017, 7, 6, 17, 39, tzinfo=dt.timezone(dt.timedelta(hours=2))),
        ),
    ],
)
def test_dates_as_ants_writes_them(text: str, expected: dt.datetime) -> None:
    for read_ in (read_online_request, generic_online_request):
        request = read_(_data(created=text, modified=text, validated_at=text))
        for moment in (request.created, request.modified, request.validated_at):
            assert moment == expected
            assert moment is not None
            assert moment.utcoffset() == expected.utcoffset()


# --- instants: one zone object per offset ----------------------------------------------------

TIMESPECS = ("seconds", "microseconds", "milliseconds", "minutes", "hours")


@st.composite
def iso_texts(draw: st.DrawFn) -> str:
    """An instant as a server may write it (any offset in whole minutes, any precision, the
    date and time apart by ``T`` or a space), or such a text with one character changed."""
    moment = draw(instants | st.datetimes(min_value=dt.datetime(1, 1, 1), timezones=zones))
    text = moment.isoformat(
        sep=draw(st.sampled_from("T ")), timespec=draw(st.sampled_from(TIMESPECS))
    )
    if draw(st.booleans()):
        at = draw(st.integers(min_value=0, max_value=len(text) - 1))
        text = text[:at] + draw(st.sampled_from("0912-:+T .Zx\u0663")) + text[at + 1 :]
    return text


def _as_read(text: str) -> dt.datetime:
    """An instant as the fast path must read it: ISO 8601, UTC when it has no offset."""
    moment = dt.datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _parsed(read_: Callable[[str], dt.datetime], text: str) -> tuple[str, Any]:
    try:
        moment = read_(text)
    except (ValueError, TypeError) as exc:
        return ("raised", type(exc))
    return ("ok", (moment, moment.utcoffset(), moment.isoformat()))


@given(st.lists(iso_texts(), min_size=1, max_size=8))
def test_an_instant_is_read_as_fromisoformat_reads_it(texts: list[str]) -> None:
    # Twice each: the second time, the zone of its offset is known (and shared).
    for text in texts * 2:
        assert _parsed(codec._instant, text) == _parsed(_as_read, text), text


@given(st.lists(iso_texts(), min_size=1, max_size=8), st.booleans())
def test_either_way_of_sharing_a_zone_reads_the_same_instant(
    texts: list[str], replace: bool
) -> None:
    # ``replace`` (3.13+) and ``combine`` (before): whichever this Python does not use too.
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(codec, "_ZONES", {})
        patch.setattr(codec, "_REPLACE_IS_CHEAP", replace)
        for text in texts * 2:
            assert _parsed(codec._instant, text) == _parsed(_as_read, text), text


PARIS = (
    "2024-06-15T05:37:39+02:00",
    "2025-01-02T10:00:00.250000+02:00",
    "2025-01-02 10:00:00+02:00",
    "2025-01-02T10:00+02:00",
)


@pytest.mark.parametrize("replace", [True, False])
def test_instants_of_one_offset_share_one_zone(
    monkeypatch: pytest.MonkeyPatch, replace: bool
) -> None:
    monkeypatch.setattr(codec, "_ZONES", {})
    monkeypatch.setattr(codec, "_REPLACE_IS_CHEAP", replace)
    read_ = [codec._instant(text) for text in PARIS]
    assert [moment.isoformat() for moment in read_[1:]] == [
        "2025-01-02T10:00:00.250000+02:00",
        "2025-01-02T10:00:00+02:00",
        "2025-01-02T10:00:00+02:00",
    ]
    assert all(moment.utcoffset() == dt.timedelta(hours=2) for moment in read_)
    shared = len({id(moment.tzinfo) for moment in read_}) == 1
    assert shared
    winter = codec._instant("2025-01-02T10:00:00+01:00")
    assert winter.tzinfo is not read_[0].tzinfo
    again = codec._instant("2025-03-02T10:00:00+01:00")
    assert again.tzinfo is winter.tzinfo
    # UTC has one object already; an offset with seconds is read as it is.
    assert codec._instant("2025-01-02T10:00:00+00:00").tzinfo is dt.UTC
    assert codec._instant("2025-01-02T10:00:00").tzinfo is dt.UTC
    odd = codec._instant("2025-01-02T10:00:00+02:00:30")
    assert odd.utcoffset() == dt.timedelta(hours=2, seconds=30)
    assert set(codec._ZONES) == {"+02:00", "+01:00"}


def test_the_zones_kept_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(codec, "_ZONES", {})
    for minutes in range(codec._MOST_ZONES + 10):
        offset = dt.timezone(dt.timedelta(minutes=minutes + 1))
        moment = dt.datetime(2025, 1, 2, 10, tzinfo=offset)
        for _ in range(2):
            read_ = codec._instant(moment.isoformat())
            assert read_ == moment
            assert read_.utcoffset() == moment.utcoffset()
    assert len(codec._ZONES) == codec._MOST_ZONES


@pytest.mark.parametrize("replace", [True, False])
def test_a_page_of_paris_time_is_read_in_shared_zones(
    monkeypatch: pytest.MonkeyPatch, replace: bool
) -> None:
    monkeypatch.setattr(codec, "_ZONES", {})
    monkeypatch.setattr(codec, "_REPLACE_IS_CHEAP", replace)
    items = [
        _data(
            number=str(n),
            created=f"2024-0{1 + n % 9}-15T05:37:{n:02d}+0{1 + n % 2}:00",
            modified=f"2024-10-10T22:29:{n:02d}+02:00" if n % 5 else "2024-10-10T20:29:00Z",
            validated_at=f"2024-03-01T08:00:{n:02d}+01:00",
        )
        for n in range(40)
    ]
    requests, failed = read_online_requests(items)
    assert failed == 0
    zones = {id(r.tzinfo) for q in requests for r in (q.created, q.modified, q.validated_at)}
    # One zone for +01:00, one for +02:00, UTC's own (``fromisoformat`` alone gives each of
    # the 112 instants not written with Z a zone of its own).
    assert len(zones) == 3
    for request, item in zip(requests, items, strict=True):
        for field in ("created", "modified", "validated_at"):
            expected = dt.datetime.fromisoformat(item[field])
            assert getattr(request, field) == expected
            assert getattr(request, field).utcoffset() == expected.utcoffset()


def test_missing_optional_keys_take_their_defaults() -> None:
    for read_ in (read_online_request, generic_online_request):
        request = read_(_data())
        assert request.transferred is False
        assert (request.neph, request.student_id, request.email) == (None, None, None)
        assert request.validated_at is None
        assert not request.linked


def test_extra_keys_are_ignored_by_both_paths() -> None:
    data = _data(color="red", links={"self": "/requests/3223"}, transferred=True)
    assert read_online_request(data) == generic_online_request(data)
    assert read_online_request(data).transferred is True


def test_a_number_given_as_an_integer_is_read_as_text() -> None:
    for read_ in (read_online_request, generic_online_request):
        assert read_(_data(number=3223)).number == "3223"


@pytest.mark.parametrize("key", ["number", "cerfa", "status_label", "type_label", "created"])
def test_a_missing_required_key_is_refused_by_both(key: str) -> None:
    data = _data()
    del data[key]
    with pytest.raises(cattrs.BaseValidationError) as fast:
        read_online_request(data)
    with pytest.raises(cattrs.BaseValidationError) as generic:
        generic_online_request(data)
    assert key in "; ".join(describe_error(fast.value))
    assert key in "; ".join(describe_error(generic.value))


@pytest.mark.parametrize("text", ["false", "False", "0"])
def test_transferred_written_false_is_false(text: str) -> None:
    assert read_online_request(_data(transferred=text)).transferred is False


@pytest.mark.parametrize("key", ["number", "status_label"])
def test_a_required_text_given_null_is_refused(key: str) -> None:
    with pytest.raises(CodecError):
        read(_data(**{key: None}), OnlineRequest)


# --- errors that name the fields ---------------------------------------------------------------


def test_a_bad_application_names_each_field(make_application) -> None:
    data = to_data(make_application())
    data["applicant"]["birth_date"] = "pas une date"
    del data["applicant"]["last_name"]
    with pytest.raises(CodecError) as info:
        read_application(data)
    error = info.value
    assert isinstance(error, ValueError)
    assert error.what == "not a Cerfa 02 application"
    assert "$.applicant.last_name: required field missing" in error.lines
    dates = [line for line in error.lines if line.startswith("$.applicant.birth_date: ")]
    assert len(dates) == 1
    assert dates[0].startswith("$.applicant.birth_date: invalid date (")
    assert "pas une date" in dates[0]
    assert dates[0].endswith(")")
    assert len(error.lines) == 2
    assert str(error) == f"{error.what}: {'; '.join(error.lines)}"


def test_a_bad_cerfa06_says_so(make_cerfa06) -> None:
    data = to_data(make_cerfa06())
    data["applicant"]["address"] = {"street": "1 rue"}
    with pytest.raises(CodecError) as info:
        read_application(data, "06")
    assert info.value.what == "not a Cerfa 06 application"
    assert "$.applicant.address.postal_code: required field missing" in info.value.lines
    assert "$.applicant.address.city: required field missing" in info.value.lines


def test_the_cerfa_is_read_from_the_data_or_given(make_application, make_cerfa06) -> None:
    assert type(read_application(to_data(make_application()))) is Cerfa02
    assert type(read_application({**to_data(make_cerfa06()), "cerfa": "06"})) is Cerfa06
    assert type(read_application(to_data(make_cerfa06()), Cerfa.C06)) is Cerfa06
    assert read_application(to_data(make_cerfa06()), "06") == make_cerfa06()


def test_an_unknown_cerfa_is_a_codec_error(make_application) -> None:
    with pytest.raises(CodecError) as info:
        read_application(to_data(make_application()), "03")
    assert info.value.what == "not an application"
    assert info.value.lines[0].startswith("$.cerfa: ")


def test_a_wrong_type_is_named(make_application) -> None:
    data = to_data(make_application())
    data["categories"] = 42
    data["applicant"]["birth_date"] = 20000315
    with pytest.raises(CodecError) as info:
        read_application(data)
    assert any(line.startswith("$.categories: ") for line in info.value.lines)
    assert any(line.startswith("$.applicant.birth_date: invalid date") for line in info.value.lines)


@pytest.mark.parametrize("protocol", [0, 2, pickle.HIGHEST_PROTOCOL])
def test_a_codec_error_pickles(make_application, protocol: int) -> None:
    data = to_data(make_application())
    del data["applicant"]
    with pytest.raises(CodecError) as info:
        read_application(data)
    clone = pickle.loads(pickle.dumps(info.value, protocol=protocol))
    assert type(clone) is CodecError
    assert (clone.what, clone.lines, str(clone)) == (
        info.value.what,
        info.value.lines,
        str(info.value),
    )
    assert clone.lines == ["$.applicant: required field missing"]


def test_read_of_any_model_names_its_fields() -> None:
    with pytest.raises(CodecError) as info:
        read(_data(created="jamais"), OnlineRequest)
    assert info.value.what == "not a valid OnlineRequest"
    assert info.value.lines[0].startswith("$.created: invalid date and time (")
    with pytest.raises(CodecError, match="a request, please"):
        read([], OnlineRequest, what="a request, please")


def test_describe_error_of_a_plain_exception() -> None:
    assert describe_error(KeyError("x")) == ["$: required field missing"]
    assert describe_error(ValueError("boom")) == ["$: boom"]


# --- the protocol's parser names the field too ---------------------------------------------------


def _answer(body: dict[str, Any]) -> httpx.Response:
    request = httpx.Request("GET", "http://ants.test/api/v1/requests/3223")
    return httpx.Response(200, json=body, request=request)


def test_parse_request_names_the_field_it_cannot_read() -> None:
    with pytest.raises(ProtocolError) as info:
        operations.parse_request(_answer(_data(created="pas une date")))
    error = info.value
    assert error.code == "malformed_body"
    assert "$.created: invalid date and time" in str(error)
    assert "/api/v1/requests/3223" in str(error)
    assert isinstance(error.__cause__, Exception)


def test_parse_request_names_a_missing_field() -> None:
    data = _data()
    del data["type_label"]
    with pytest.raises(ProtocolError, match=r"\$\.type_label: required field missing"):
        operations.parse_request(_answer(data))


def test_parse_request_reads_a_good_body() -> None:
    request = operations.parse_request(_answer(_data(created="06/07/2017 15:39")))
    assert request.number == "3223"
    assert request.created == dt.datetime(2017, 7, 6, 15, 39, tzinfo=dt.UTC)


# --- a page decoded by msgspec (the speedups extra) and the ordinary way ----------------------


def _request(number: str) -> OnlineRequest:
    now = dt.datetime(2026, 3, 1, 12, tzinfo=dt.UTC)
    return OnlineRequest(
        number=number,
        cerfa=Cerfa.C02,
        status=RequestStatus.DRAFT,
        status_label="Brouillon",
        type_label="Demande",
        created=now,
        modified=now,
        validated_at=now,
    )


def _page_response(items: list[Any]) -> httpx.Response:
    body = {"items": items, "page": 1, "page_size": 500, "total": len(items), "pages": 1}
    request = httpx.Request("GET", "https://ants.example/api/v1/requests")
    return httpx.Response(200, content=json.dumps(body).encode(), request=request)


def _ordinary(response: httpx.Response, monkeypatch: pytest.MonkeyPatch) -> Any:
    from antsclient.protocol import _fastpage

    with monkeypatch.context() as patched:
        patched.setattr(_fastpage, "_decoders", lambda: None)
        return _outcome_page(response)


def _outcome_page(response: httpx.Response) -> tuple[str, Any]:
    try:
        page = operations.parse_page(response)
    except ProtocolError as exc:
        return "raised", exc.code
    return "ok", page


@given(st.lists(perturbed() | online_requests.map(to_data), max_size=4))
def test_a_page_reads_the_same_with_or_without_msgspec(items: list[Any]) -> None:
    pytest.importorskip("msgspec")
    response = _page_response(items)
    with pytest.MonkeyPatch.context() as monkeypatch:
        ordinary = _ordinary(response, monkeypatch)
    fast = _outcome_page(response)
    assert fast[0] == ordinary[0]
    if fast[0] == "ok":
        assert fast[1] == ordinary[1]
        for a, b in zip(fast[1].items, ordinary[1].items, strict=True):
            _same(a, b)


def test_msgspec_reads_a_common_page_itself(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("msgspec")
    from antsclient.protocol import _fastpage

    common = [to_data(r) for r in (_request("1"), _request("2"))]
    assert _fastpage.decode_page(_page_response(common).content) is not None
    unknown = [{**common[0], "status": "somewhere_new"}]
    assert _fastpage.decode_page(_page_response(unknown).content) is None
    naive = [{**common[0], "validated_at": "2026-03-01T12:00:00"}]
    assert _fastpage.decode_page(_page_response(naive).content) is None
    page = operations.parse_page(_page_response(unknown))
    assert page.items[0].status is RequestStatus.UNKNOWN


def test_msgspec_builds_a_common_page_straight_and_a_new_type_by_rows() -> None:
    pytest.importorskip("msgspec")
    from antsclient.protocol import _fastpage

    decoders = _fastpage._decoders()
    assert decoders is not None
    straight, by_rows, _arrays = decoders
    common = [to_data(r) for r in (_request("1"), _request("2"))]
    body = _page_response(common).content
    assert [r.number for r in straight(body).items] == ["1", "2"]
    new_type = [{**common[0], "request_type": "a_type_ants_added_later"}]
    body = _page_response(new_type).content
    assert straight(body) is None
    assert by_rows(body) is not None
    decoded = _fastpage.decode_page(body)
    assert decoded is not None
    assert decoded[0][0].request_type is None
    # msgspec takes a naive instant when it builds the request itself: the page is refused.
    naive = [{**common[0], "created": "2026-03-01T12:00:00"}]
    body = _page_response(naive).content
    assert straight(body) is not None
    assert _fastpage.decode_page(body) is None


def test_without_msgspec_the_page_is_read_the_ordinary_way(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from antsclient.protocol import _fastpage

    monkeypatch.setitem(sys.modules, "msgspec", None)
    _fastpage._decoders.cache_clear()
    try:
        assert _fastpage.decode_page(b"{}") is None
        page = operations.parse_page(_page_response([to_data(_request("7"))]))
        assert [r.number for r in page.items] == ["7"]
    finally:
        monkeypatch.undo()
        _fastpage._decoders.cache_clear()


# --- a page of rows (shape=rows) ---------------------------------------------------------------

FIELDS = list(attrs.fields_dict(OnlineRequest))


def _rows_response(rows: list[Any], fields: list[str] = FIELDS) -> httpx.Response:
    body = {"fields": fields, "rows": rows, "page": 1, "page_size": 500}
    body |= {"total": len(rows), "pages": 1}
    request = httpx.Request("GET", "https://ants.example/api/v1/requests")
    return httpx.Response(200, content=json.dumps(body).encode(), request=request)


def _items_standing_for(rows: list[Any], fields: list[str]) -> list[Any]:
    """The page of items a page of rows stands for (a row that is not one value per field
    stands for nothing readable)."""
    return [
        dict(zip(fields, row, strict=True))
        if isinstance(row, list) and len(row) == len(fields)
        else None
        for row in rows
    ]


def _same_page(a: tuple[str, Any], b: tuple[str, Any]) -> None:
    assert a[0] == b[0]
    if a[0] == "ok":
        assert a[1] == b[1]
        for x, y in zip(a[1].items, b[1].items, strict=True):
            _same(x, y)
    else:
        assert a[1] == b[1]


@given(
    st.lists(perturbed() | online_requests.map(to_data) | st.integers(), max_size=4),
    st.sampled_from(["in order", "reversed", "fewer"]),
)
def test_a_page_of_rows_reads_as_the_page_of_items_it_stands_for(
    items: list[Any], order: str
) -> None:
    fields = {"in order": FIELDS, "reversed": FIELDS[::-1], "fewer": FIELDS[:-3]}[order]
    rows = [
        [item.get(name) for name in fields] if isinstance(item, dict) else item for item in items
    ]
    as_rows, as_items = (
        _rows_response(rows, fields),
        _page_response(_items_standing_for(rows, fields)),
    )
    with pytest.MonkeyPatch.context() as monkeypatch:
        ordinary = _ordinary(as_rows, monkeypatch)
        _same_page(ordinary, _ordinary(as_items, monkeypatch))
    # With msgspec, decoded in one pass when every row is of the common shape: the same.
    _same_page(_outcome_page(as_rows), ordinary)


def test_a_common_page_of_rows_is_decoded_by_msgspec_in_one_pass() -> None:
    pytest.importorskip("msgspec")
    from antsclient.protocol import _fastpage

    common = [to_data(r) for r in (_request("1"), _request("2"))]
    rows = [[item[name] for name in FIELDS] for item in common]
    decoded = _fastpage.decode_page(_rows_response(rows).content)
    assert decoded is not None
    assert decoded[0] == (_request("1"), _request("2"))
    assert decoded[1] == {"page": 1, "page_size": 500, "total": 2, "pages": 1}
    new_type = [[*rows[0][:13], "a_type_ants_added_later", *rows[0][14:]]]
    decoded = _fastpage.decode_page(_rows_response(new_type).content)
    assert decoded is not None and decoded[0][0].request_type is None
    # Another order of fields, a row too short or too long, an instant without offset: not
    # taken in one pass (the page is read the ordinary way).
    for body in (
        _rows_response([row[::-1] for row in rows], FIELDS[::-1]).content,
        _rows_response([rows[0][:-1]]).content,
        _rows_response([[*rows[0], None]]).content,
        _rows_response([[*rows[0][:5], "2026-03-01T12:00:00", *rows[0][6:]]]).content,
    ):
        assert _fastpage.decode_page(body) is None


def test_rows_that_are_not_one_value_per_field_are_counted_unreadable() -> None:
    common = [to_data(r) for r in (_request("1"), _request("2"))]
    good = [common[0][name] for name in FIELDS]
    rows = [good, good[:-1], [*good, "extra"], common[1], "3", None]
    page = operations.parse_page(_rows_response(rows))
    assert page.items == (_request("1"),) and page.failed == 5


@pytest.mark.parametrize(
    "body",
    [
        {"fields": FIELDS, "rows": {"0": []}, "page": 1, "page_size": 5, "total": 0, "pages": 0},
        {"fields": "number", "rows": [], "page": 1, "page_size": 5, "total": 0, "pages": 0},
        {"fields": [1, 2], "rows": [], "page": 1, "page_size": 5, "total": 0, "pages": 0},
        {"rows": [], "page": 1, "page_size": 5, "total": 0, "pages": 0},
        {"fields": FIELDS, "rows": [], "page": 1},
    ],
)
def test_a_page_of_rows_of_another_shape_is_refused(body: dict[str, Any]) -> None:
    request = httpx.Request("GET", "https://ants.example/api/v1/requests")
    response = httpx.Response(200, content=json.dumps(body).encode(), request=request)
    with pytest.raises(ProtocolError) as caught:
        operations.parse_page(response)
    assert caught.value.code == "malformed_body"


def test_a_page_of_items_naming_rows_early_is_still_decoded_in_one_pass() -> None:
    pytest.importorskip("msgspec")
    from antsclient.protocol import _fastpage

    item = {**to_data(_request("1")), "status_label": "rows"}
    decoded = _fastpage.decode_page(_page_response([item]).content)
    assert decoded is not None and decoded[0][0].status_label == "rows"


def test_a_search_asks_for_rows() -> None:
    assert operations.search_requests(page=2).params["shape"] == "rows"


def test_preparing_the_fast_reading_makes_its_decoders_and_never_raises(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from antsclient.protocol import _fastpage

    pytest.importorskip("msgspec")
    _fastpage._decoders.cache_clear()
    _fastpage.prepare()
    assert _fastpage._decoders.cache_info().currsize == 1

    def broken() -> None:
        raise RuntimeError("a msgspec this client cannot use")

    monkeypatch.setattr(_fastpage, "_decoders", broken)
    _fastpage.prepare()  # met again, and reported, by the first decode_page
    with pytest.raises(RuntimeError):
        _fastpage.decode_page(b"{}")
