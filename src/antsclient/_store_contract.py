"""The store contract: the tests every store passes, for a host's own store too.

Exported as :class:`antsclient.testing.StoreContract`. In a host's test suite::

    from antsclient.testing import StoreContract

    class TestOurStore(StoreContract):
        @pytest.fixture
        def open_store(self, our_database):
            # a new handle on one store, empty when the test starts
            return lambda: OurStore(our_database)

Each test calls ``open_store()`` for a handle (several for the concurrency tests, each as a
separate process would have) and closes each handle it opened. The tests cover round trips,
merges and their counts, the newer copy winning, watermarks, ``remove_missing``, offline
search and counts against a sandbox's own answers, two syncs of one agency at once, the
agency lock (for an :class:`~antsclient.storage.AgencyLocks`), reopening (``persistent``),
the student directory (a ``students`` attribute), bordereaux (for a
:class:`~antsclient.storage.BordereauStore`) and the migration of a store written by the
previous version of its schema. For that last one, define the ``write_previous`` fixture: a
function that writes the requests it is given into the store as the previous schema version
kept them (only the fields that version had), leaving it at that version for
``open_store()`` to migrate. The sandbox needs the ``sandbox`` extra.
"""

from __future__ import annotations

import concurrent.futures
import datetime as dt
import threading
from collections.abc import Callable, Iterator
from typing import Any

import attrs
import pytest

from antsclient.models import (
    Address,
    Applicant,
    Bucket,
    Cerfa,
    Cerfa02,
    Cerfa06,
    LicenceCategory,
    OnlineRequest,
    RequestStatus,
    RequestType,
)
from antsclient.models.paper import Bordereau, PaperRequest, TrackingChannel
from antsclient.storage.protocols import (
    AgencyIndex,
    AgencyLocks,
    BordereauStore,
    MergeResult,
    SearchableStore,
    Student,
    SyncStore,
)

__all__ = ["StoreContract"]

AGENCY = "E1706900030"
OTHER = "E9000000001"
T0 = dt.datetime(2025, 6, 1, 8, 0, tzinfo=dt.UTC)


def _request(number: str, **changes: Any) -> OnlineRequest:
    status = changes.pop("status", RequestStatus.DRAFT)
    cerfa = changes.pop("cerfa", Cerfa.C02)
    base: dict[str, Any] = {
        "number": number,
        "cerfa": cerfa,
        "status": status,
        "status_label": status.label,
        "type_label": cerfa.label,
        "created": T0,
        "modified": T0,
        "student_id": f"S{number}",
        "applicant_name": f"MARTIN Léa {number}",
    }
    return OnlineRequest(**{**base, **changes})


def _close(store: Any) -> None:
    close = getattr(store, "close", None)
    if callable(close):
        close()


class StoreContract:
    """The tests of a store: subclass it as ``Test…`` and define ``open_store``."""

    persistent = True
    """Whether a new handle sees what an earlier, closed one wrote (not for a memory store)."""

    @pytest.fixture
    def open_store(self) -> Callable[[], Any]:
        """A function opening a new handle on the store under test (override it)."""
        pytest.fail("define the open_store fixture: a function returning a new handle")

    @pytest.fixture
    def store(self, open_store: Callable[[], Any]) -> Iterator[Any]:
        """One handle on the store, closed after the test."""
        handle = open_store()
        try:
            yield handle
        finally:
            _close(handle)

    @pytest.fixture
    def handles(self, open_store: Callable[[], Any]) -> Iterator[Callable[[], Any]]:
        """Open more handles, every one closed after the test."""
        opened: list[Any] = []

        def more() -> Any:
            opened.append(open_store())
            return opened[-1]

        yield more
        for handle in opened:
            _close(handle)

    # -- round trips ----------------------------------------------------------------------

    def test_store_implements_the_protocols(self, store: Any) -> None:
        assert isinstance(store, SyncStore)
        assert isinstance(store, SearchableStore)
        assert isinstance(store, AgencyIndex)

    def test_copy_reads_back_equal_field_by_field(self, store: Any) -> None:
        paris = dt.timezone(dt.timedelta(hours=2))
        request = _request(
            "90120170705153905547685",
            cerfa=Cerfa.C06,
            status=RequestStatus.UNKNOWN,
            status_label="Statut jamais vu",
            created=dt.datetime(2017, 7, 5, 15, 39, 5, 547685, tzinfo=paris),
            modified=dt.datetime(2017, 7, 6, 9, 0, tzinfo=paris),
            transferred=True,
            neph="150833200011",
            student_id=None,
            applicant_name=None,
            email="lea@example.fr",
            validated_at=dt.datetime(2017, 7, 6, 9, 0, tzinfo=dt.UTC),
        )
        store.upsert(AGENCY, [request])
        assert store.get(AGENCY, request.number) == request
        store.delete(AGENCY, request.number)
        assert store.get(AGENCY, request.number) is None
        store.delete(AGENCY, request.number)  # twice is harmless

    def test_a_filed_request_reads_back_with_its_type_mandate_and_phone(self, store: Any) -> None:
        request = _filed("4", modified=T0 + dt.timedelta(hours=1))
        store.upsert(AGENCY, [request])
        assert store.get(AGENCY, "4") == request
        assert list(store.search(AGENCY)) == [request]
        plain = _request("5", request_type=RequestType.TITLE_AFTER_EXAM, cerfa=Cerfa.C06)
        store.upsert(AGENCY, [plain])
        assert store.get(AGENCY, "5") == plain
        assert store.merge(AGENCY, [request, plain]) == MergeResult(unchanged=2)
        for change in (
            {"request_type": RequestType.TITLE_AFTER_TRAINING},
            {"paper_mandate": False, "paper_mandate_date": None},
            {"paper_mandate_date": dt.date(2025, 5, 30)},
            {"phone": None},
        ):
            changed = attrs.evolve(request, **change)
            assert store.merge(AGENCY, [changed]) == MergeResult(updated=1), change
            assert store.get(AGENCY, "4") == changed
        older = attrs.evolve(request, modified=T0, phone="0699999999")
        assert store.merge(AGENCY, [older]) == MergeResult(unchanged=1)
        assert store.get(AGENCY, "4") == changed

    def test_empty_and_zero_texts_are_kept_apart_from_absent_ones(self, store: Any) -> None:
        # A text that is empty or "0" is a value, not an absence: it reads back as written,
        # an absent one as ``None``, and either way a second merge finds the copy unchanged.
        texts = ("neph", "student_id", "applicant_name", "email", "phone")
        given = {
            "empty": _request("1", **dict.fromkeys(texts, "")),
            "zero": _request("2", **dict.fromkeys(texts, "0")),
            "absent": _request("3", **dict.fromkeys(texts), validated_at=None),
            "stamped": _filed("4", validated_at=T0),
        }
        assert store.merge(AGENCY, list(given.values())) == MergeResult(new=4)
        for name, request in given.items():
            assert store.get(AGENCY, request.number) == request, name
        assert store.merge(AGENCY, list(given.values())) == MergeResult(unchanged=4)
        swapped = [
            attrs.evolve(given["empty"], neph=None, modified=T0 + dt.timedelta(hours=1)),
            attrs.evolve(given["absent"], neph="", modified=T0 + dt.timedelta(hours=1)),
            attrs.evolve(given["zero"], phone=None, modified=T0 + dt.timedelta(hours=1)),
        ]
        assert store.merge(AGENCY, swapped) == MergeResult(updated=3)
        for request in swapped:
            assert store.get(AGENCY, request.number) == request

    def test_merge_counts_new_updated_unchanged(self, store: Any) -> None:
        a, b = _request("1"), _request("2")
        assert store.merge(AGENCY, [a, b]) == MergeResult(new=2)
        b2 = _request("2", status=RequestStatus.REJECTED)
        assert store.merge(AGENCY, [a, b2, _request("3")]) == MergeResult(
            new=1, updated=1, unchanged=1
        )
        assert store.merge(AGENCY, []) == MergeResult()
        assert store.get(AGENCY, "2") == b2

    def test_an_older_copy_never_replaces_a_newer_one(self, store: Any) -> None:
        newer = _request("1", status=RequestStatus.ACCEPTED, modified=T0 + dt.timedelta(hours=1))
        store.merge(AGENCY, [newer])
        assert store.merge(AGENCY, [_request("1")]) == MergeResult(unchanged=1)
        assert store.get(AGENCY, "1") == newer
        store.upsert(AGENCY, [_request("1")])
        assert store.get(AGENCY, "1") == newer

    def test_a_number_twice_in_a_batch_keeps_its_newest_copy(self, store: Any) -> None:
        newer = _request("1", status=RequestStatus.ACCEPTED, modified=T0 + dt.timedelta(hours=1))
        result = store.merge(AGENCY, [newer, _request("1"), _request("2")])
        assert result.new == 2
        assert result.new + result.updated + result.unchanged == 3
        assert store.get(AGENCY, "1") == newer

    def test_a_batch_mostly_new_with_some_held_is_merged_exactly(self, store: Any) -> None:
        # Held copies between new ones, as in a sync that resumes: counted and kept apart.
        store.merge(AGENCY, [_request("2"), _request("4"), _request("6")])
        newer = _request("2", status=RequestStatus.ACCEPTED, modified=T0 + dt.timedelta(hours=1))
        older = attrs.evolve(_request("6"), modified=T0 - dt.timedelta(hours=1), phone="0600")
        batch = [_request("1"), newer, _request("3"), older, _request("5")]
        assert store.merge(AGENCY, batch) == MergeResult(new=3, updated=1, unchanged=1)
        assert store.get(AGENCY, "2") == newer
        assert store.get(AGENCY, "6") == _request("6")
        assert [r.number for r in store.search(AGENCY)] == ["1", "3", "4", "5", "6", "2"]

    def test_a_copy_unchanged_since_the_last_merge_is_counted_and_kept(self, store: Any) -> None:
        store.merge(AGENCY, [_request("1"), _request("2")])
        assert store.merge(AGENCY, [_request("2"), _request("1")]) == MergeResult(unchanged=2)
        assert store.remove_missing(AGENCY, ("1", "2"), before=float("inf")) == 0
        assert [r.number for r in store.search(AGENCY)] == ["1", "2"]

    def test_agencies_are_kept_apart(self, store: Any) -> None:
        store.upsert(AGENCY, [_request("1")])
        store.upsert(OTHER, [_request("1", status=RequestStatus.ACCEPTED)])
        assert store.get(AGENCY, "1") == _request("1")
        assert store.get(OTHER, "1") == _request("1", status=RequestStatus.ACCEPTED)
        assert store.agreements() == sorted([AGENCY, OTHER])

    def test_remove_missing_spares_copies_written_after_the_listing_began(self, store: Any) -> None:
        store.upsert(AGENCY, [_request("1"), _request("2"), _request("3")])
        store.upsert(OTHER, [_request("2")])
        assert store.remove_missing(AGENCY, ["1"], before=0.0) == 0
        assert store.remove_missing(AGENCY, {"1"}, before=float("inf")) == 2
        assert [r.number for r in store.search(AGENCY)] == ["1"]
        assert store.get(OTHER, "2") is not None

    def test_watermark_round_trip(self, store: Any) -> None:
        assert store.watermark(AGENCY) is None
        mark = dt.datetime(2025, 6, 1, 10, 30, 15, 123456, tzinfo=dt.UTC)
        store.set_watermark(AGENCY, mark)
        assert store.watermark(AGENCY) == mark
        assert store.watermark(OTHER) is None
        store.set_watermark(AGENCY, None)
        assert store.watermark(AGENCY) is None

    # -- against a server -----------------------------------------------------------------

    def test_search_and_counts_agree_with_the_servers(self, store: Any) -> None:
        from antsclient import AntsSession, RetryPolicy  # noqa: PLC0415
        from antsclient.sandbox import serve  # noqa: PLC0415

        with serve(seed=3) as sb:
            sb.seed_requests(120)
            sb.register_direct()
            agreement = sb.credentials.agreement
            with AntsSession(
                sb.credentials, base_url=sb.url, store=store, retry=RetryPolicy.immediate()
            ) as session:
                assert session.requests.sync_all().ok
            with AntsSession(
                sb.credentials, base_url=sb.url, retry=RetryPolicy.immediate()
            ) as server:
                assert store.counts(agreement) == server.requests.counts()
                everything = server.requests.search(page_size=500).items
                assert list(store.search(agreement)) == list(everything)
                for bucket in Bucket:
                    found = [r.number for r in store.search(agreement, bucket=bucket)]
                    page = server.requests.search(bucket=bucket, page_size=500)
                    assert found == [r.number for r in page.items], bucket
                for cerfa in Cerfa:
                    found = [r.number for r in store.search(agreement, cerfa=cerfa)]
                    page = server.requests.search(cerfa=cerfa, page_size=500)
                    assert found == [r.number for r in page.items], cerfa
                window = (everything[40].modified, everything[80].modified)
                page = server.requests.search(modified=window, page_size=500)
                found = [r.number for r in store.search(agreement, modified=window)]
                assert found == [r.number for r in page.items]
                days = (everything[10].created.date(), everything[90].created.date())
                page = server.requests.search(created=days, page_size=500)
                found = [r.number for r in store.search(agreement, created=days)]
                assert found == [r.number for r in page.items]
                one = everything[7].number
                assert [r.number for r in store.search(agreement, number=one)] == [one]
            linked = [r.number for r in everything if r.student_id is not None]
            assert [r.number for r in store.search(agreement, linked=True)] == linked

    def test_two_syncs_of_one_agency_at_once_lose_nothing_and_double_nothing(
        self, handles: Callable[[], Any]
    ) -> None:
        from antsclient import AntsSession, RetryPolicy  # noqa: PLC0415
        from antsclient.sandbox import serve  # noqa: PLC0415

        first, second = handles(), handles()
        with serve(seed=4) as sb:
            sb.seed_requests(300)
            sb.set_latency(2)
            start = threading.Barrier(2)

            def sync(store: Any) -> bool:
                with AntsSession(
                    sb.credentials, base_url=sb.url, store=store, retry=RetryPolicy.immediate()
                ) as session:
                    start.wait()
                    return session.requests.sync_all(full=True, concurrency=4).ok

            with concurrent.futures.ThreadPoolExecutor(2) as pool:
                assert all(pool.map(sync, [first, second]))
            server = sorted(sb.requests(sb.credentials.agreement), key=_order)
            stored = list(first.search(sb.credentials.agreement))
        assert [r.number for r in stored] == [r.number for r in server]
        assert len({r.number for r in stored}) == len(stored)

    def test_concurrent_merges_keep_the_newest_copy(self, handles: Callable[[], Any]) -> None:
        writers = [handles() for _ in range(3)]
        numbers = [str(1000 + i) for i in range(60)]

        def write(k: int) -> None:
            for step in range(k, 12, 3):
                at = T0 + dt.timedelta(minutes=step)
                batch = [_request(n, modified=at, status_label=f"v{step}") for n in numbers]
                writers[k].merge(AGENCY, batch if step % 2 else batch[::-1])

        with concurrent.futures.ThreadPoolExecutor(3) as pool:
            list(pool.map(write, range(3)))
        found = writers[0].search(AGENCY)
        assert [r.number for r in found] == numbers
        assert {r.status_label for r in found} == {"v11"}

    # -- locks, reopening, students -------------------------------------------------------

    def test_one_agency_lock_at_a_time(self, store: Any, handles: Callable[[], Any]) -> None:
        if not isinstance(store, AgencyLocks):
            pytest.skip(f"{type(store).__name__} keeps no agency locks")
        other = handles()
        with store.lock_agency(AGENCY) as held:
            assert held
            with other.lock_agency(AGENCY) as again:
                assert not again
            with other.lock_agency(OTHER) as elsewhere:
                assert elsewhere
        with other.lock_agency(AGENCY) as after:
            assert after

    def test_a_new_handle_sees_what_was_written(self, open_store: Callable[[], Any]) -> None:
        if not self.persistent:
            pytest.skip("the store keeps nothing once closed")
        first = open_store()
        try:
            first.upsert(AGENCY, [_request("1")])
            first.set_watermark(AGENCY, T0)
            if isinstance(first, BordereauStore):
                first.save_bordereau(_bordereau("17", dt.date(2017, 7, 6)))
            version = getattr(first, "schema_version", None)
        finally:
            _close(first)
        again = open_store()
        try:
            assert again.get(AGENCY, "1") == _request("1")
            assert again.watermark(AGENCY) == T0
            if isinstance(again, BordereauStore):
                assert again.bordereaux(AGENCY) == [_bordereau("17", dt.date(2017, 7, 6))]
            assert getattr(again, "schema_version", None) == version
        finally:
            _close(again)

    def test_bordereaux_save_read_list_replace_delete(self, store: Any) -> None:
        if not isinstance(store, BordereauStore):
            pytest.skip(f"{type(store).__name__} keeps no bordereaux")
        late = _bordereau("18", dt.date(2017, 7, 20))
        early = _bordereau("17", dt.date(2017, 7, 6))
        elsewhere = _bordereau("17", dt.date(2017, 7, 1), agreement=OTHER)
        for bordereau in (late, early, elsewhere):
            store.save_bordereau(bordereau)
        assert store.get_bordereau(AGENCY, "17") == early
        assert store.get_bordereau(AGENCY, "99") is None
        assert store.bordereaux(AGENCY) == [early, late]
        assert store.bordereaux(OTHER) == [elsewhere]
        smaller = early.without(["17-1"])
        store.save_bordereau(smaller)
        assert store.get_bordereau(AGENCY, "17") == smaller
        store.delete_bordereau(AGENCY, "17")
        store.delete_bordereau(AGENCY, "17")  # twice is harmless
        assert store.get_bordereau(AGENCY, "17") is None
        assert store.bordereaux(AGENCY) == [late]
        assert store.bordereaux("E0000000000") == []

    @pytest.fixture
    def write_previous(self) -> Callable[[list[OnlineRequest]], None] | None:
        """Write requests as the previous schema version kept them (override it; ``None``:
        the store has no earlier version to migrate from)."""
        return None

    def test_a_store_of_the_previous_version_is_migrated_keeping_its_rows(
        self,
        write_previous: Callable[[list[OnlineRequest]], None] | None,
        open_store: Callable[[], Any],
    ) -> None:
        if write_previous is None:
            pytest.skip("no previous version to migrate from (define write_previous)")
        old = [
            _request("1", email="lea@example.fr"),
            _request("2", status=RequestStatus.UNDER_REVIEW),
        ]
        write_previous(old)
        store = open_store()
        try:
            assert [store.get(AGENCY, r.number) for r in old] == old
            assert list(store.search(AGENCY)) == sorted(old, key=_order)
            assert store.merge(AGENCY, old) == MergeResult(unchanged=2)
            filed = _filed("1", modified=T0 + dt.timedelta(minutes=1))
            assert store.merge(AGENCY, [filed]) == MergeResult(updated=1)
            assert store.get(AGENCY, "1") == filed
            if isinstance(store, BordereauStore):
                bordereau = _bordereau("17", dt.date(2017, 7, 6))
                store.save_bordereau(bordereau)
                assert store.bordereaux(AGENCY) == [bordereau]
        finally:
            _close(store)

    def test_student_directory(self, store: Any) -> None:
        students = getattr(store, "students", None)
        if students is None:
            pytest.skip(f"{type(store).__name__} has no student directory")
        students.save(Student(student_id="S1", last_name="MARTIN", first_name="Léa"))
        students.save(Student(student_id="S2", last_name="Martinez", first_name="Hugo"))
        students.save(Student(student_id="S3", last_name="100%_sûr", first_name="Émile"))
        assert [s.student_id for s in students.search("mar")] == ["S1", "S2"]
        assert [s.student_id for s in students.search("martin lé")] == ["S1"]
        assert [s.student_id for s in students.search("emi")] == ["S3"]
        assert [s.student_id for s in students.search("100%_")] == ["S3"]
        assert students.search("100%x") == []
        assert students.get("S1") == Student(student_id="S1", last_name="MARTIN", first_name="Léa")
        assert students.get("S9") is None
        application = _application()
        updated = students.update_from_ants("S1", application)
        assert updated.application == application
        assert students.get("S1") == updated
        assert students.update_from_ants("S8", application) == students.get("S8")


def _filed(number: str, **changes: Any) -> OnlineRequest:
    """A request filed under a paper mandate, with its type and the student's phone."""
    base: dict[str, Any] = {
        "request_type": RequestType.EXAM_REGISTRATION,
        "paper_mandate": True,
        "paper_mandate_date": dt.date(2025, 5, 28),
        "phone": "0611223344",
        "email": "lea@example.fr",
    }
    return _request(number, **{**base, **changes})


def _bordereau(number: str, day: dt.date, agreement: str = AGENCY) -> Bordereau:
    """A bordereau of two paper requests (a Cerfa 02 posted, a Cerfa 06 followed by email)."""
    application = _application()
    title = Cerfa06(
        applicant=application.applicant,
        categories={LicenceCategory.B},
        neph="123456789012",
        cerfa02_number="3223",
    )
    return Bordereau(number=number, date=day, agreement=agreement, prefecture="Rhône").add(
        PaperRequest(reference=f"{number}-1", application=application, registered_on=day),
        PaperRequest(
            reference=f"{number}-2",
            application=title,
            tracking=TrackingChannel.EMAIL,
            tracking_id="SUIVI-9",
        ),
    )


def _application() -> Cerfa02:
    """An application as a student directory receives it from ANTS."""
    return Cerfa02(
        applicant=Applicant(
            last_name="LABORET",
            first_name="Claire",
            birth_date=dt.date(2006, 7, 5),
            birth_city="PARIS",
            birth_department="75",
            birth_country="FRANCE",
            address=Address(
                street="3 rue Aristide Briand", postal_code="69800", city="SAINT-PRIEST"
            ),
            email="claire.laboret@example.org",
            phone="0611223344",
        ),
        categories={LicenceCategory.B},
    )


def _order(request: OnlineRequest) -> tuple[dt.datetime, str]:
    return request.modified, request.number
