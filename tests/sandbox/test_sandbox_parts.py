"""The parts of the simulated ANTS, one by one: journal, ledger, search, documents, clock."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import attrs
import pytest

from antsclient.codec import to_data
from antsclient.errors import RequestNotFound
from antsclient.models import Cerfa, PrefectureDocumentKind, RequestStatus
from antsclient.models.enums import Bucket
from antsclient.sandbox import DEFAULT_AGENCY, Clock, SandboxState, SearchFilters
from antsclient.sandbox.documents import available_documents
from antsclient.sandbox.errors import SandboxError
from antsclient.sandbox.journal import Changes, MemoryJournal, SqliteJournal
from antsclient.sandbox.ledger import FIRST_NUMBER, Ledger
from antsclient.sandbox.records import RequestRecord
from antsclient.sandbox.search import count, matches, page
from antsclient.sandbox.seed import make_application

START = dt.datetime(2026, 3, 2, 9, 30, tzinfo=dt.UTC)


def _record(number: str, **changes: object) -> RequestRecord:
    record = RequestRecord(
        number=number,
        agreement=DEFAULT_AGENCY.agreement,
        cerfa=Cerfa.C02,
        status=RequestStatus.DRAFT,
        created=START,
        modified=START,
        application=make_application(random.Random(number), int(number), today=START.date()),
        student_id=f"S{number}",
    )
    return attrs.evolve(record, **changes)


def test_changes_are_kept_only_for_a_journal_that_writes() -> None:
    memory = Changes(keep=False)
    memory.put("request", "a", {"x": 1})
    memory.drop("request", "a")
    assert memory.rows == []
    kept = Changes(keep=True)
    kept.put("agency", "E1", DEFAULT_AGENCY)
    kept.drop("request", "E1/3201")
    assert kept.rows[0][:2] == ("agency", "E1")
    assert kept.rows[0][2]["login"] == DEFAULT_AGENCY.login
    assert kept.rows[1] == ("request", "E1/3201", None)


def test_the_ledger_indexes_and_forgets_a_record() -> None:
    ledger = Ledger(seed=0, clock=Clock(START, frozen=True))
    record = _record("3300", ephoto={"02": "ABCDEFGHIJKLMNOPQRSTUV"})
    ledger.add(record)
    assert ledger.live_record("3300") is record
    assert ledger.using_email(f"  {str(record.email).upper()} ") == [record]
    with pytest.raises(SandboxError) as used:
        ledger.free_ephoto_code("abcd-efgh-ijkl-mnop-qrst-uv", number=None)
    assert used.value.code == "ephoto.already_used" and used.value.status == 409
    assert ledger.free_ephoto_code("ABCDEFGHIJKLMNOPQRSTUV", number="3300")
    assert ledger.free_ephoto_code("  ", number=None) is None
    changes = Changes(keep=True)
    ledger.remove(record, changes)
    assert changes.rows == [("request", record.key, None)]
    assert ledger.using_email(str(record.email)) == []
    assert ledger.free_ephoto_code("ABCDEFGHIJKLMNOPQRSTUV", number=None)
    with pytest.raises(RequestNotFound):
        ledger.live_record("3300")


def test_a_transferred_copy_is_held_but_not_live() -> None:
    ledger = Ledger(seed=0, clock=Clock(START, frozen=True))
    copy = _record("3301", status=RequestStatus.TRANSFERRED, copy=True, transferred=True)
    ledger.add(copy)
    assert ledger.held(DEFAULT_AGENCY.agreement) == {"3301": copy}
    assert ledger.using_email(str(copy.email)) == []
    with pytest.raises(RequestNotFound):
        ledger.live_record("3301")


def test_numbers_skip_the_live_ones() -> None:
    ledger = Ledger(seed=0, clock=Clock(START, frozen=True))
    ledger.add(_record(str(FIRST_NUMBER + 1)))
    assert ledger.new_number() == str(FIRST_NUMBER + 2)
    ledger.rng = random.Random(5)
    taken = ledger.direct_number()
    ledger.add(_record(taken))
    ledger.rng = random.Random(5)
    other = ledger.direct_number()
    assert other != taken and other.startswith("90120260302093000")
    assert len(ledger.neph()) == 12


def test_the_window_sweep_is_written_with_the_next_change(tmp_path: Path) -> None:
    clock = Clock(START, frozen=True)
    journal = SqliteJournal(tmp_path / "ledger.db")
    ledger = Ledger(seed=0, clock=clock, journal=journal)
    with ledger.mutation() as changes:
        record = _record("3400", status=RequestStatus.AWAITING_APPLICANT_VALIDATION)
        record.validated_at = START
        ledger.add(record)
        ledger.row(record, changes)
    clock.advance(dt.timedelta(days=8))
    with ledger.read():
        pass
    assert record.status is RequestStatus.DRAFT and record.validated_at is None
    rows = journal.load()
    assert rows["request"][record.key]["status"] == "draft"
    assert rows["meta"]["state"]["clock_offset"] == dt.timedelta(days=8).total_seconds()
    journal.close()


def test_search_pages_filters_and_counts() -> None:
    records = [
        _record("3501", modified=START),
        _record("3502", modified=START + dt.timedelta(days=1), status=RequestStatus.REJECTED),
        _record("3503", modified=START + dt.timedelta(days=2), cerfa=Cerfa.C06),
    ]
    assert SearchFilters(page=3, page_size=7).plain
    assert not SearchFilters(cerfa=Cerfa.C02).plain
    first = page(records, SearchFilters(page_size=2))
    assert first["items"] == [to_data(r.online()) for r in records[:2]]
    assert (first["total"], first["pages"]) == (3, 2)
    window = SearchFilters(modified_from=START + dt.timedelta(hours=1))
    assert [i["number"] for i in page(records, window)["items"]] == ["3502", "3503"]
    assert not matches(records[0], SearchFilters(number="3502"))
    assert not matches(records[0], SearchFilters(cerfa=Cerfa.C06))
    assert page([], SearchFilters())["pages"] == 0
    counts = count(records)
    assert counts["all"] == {b.value: counts["02"][b.value] + counts["06"][b.value] for b in Bucket}
    assert sum(count([])["all"].values()) == 0


def test_prefecture_documents_follow_the_request() -> None:
    today = START.date()
    assert available_documents(_record("3601", student_id=None), today) == set()
    draft = available_documents(_record("3602"), today)
    assert PrefectureDocumentKind.PHOTO_SIGNATURE_FORM in draft
    assert PrefectureDocumentKind.REQUEST_RECEIPT not in draft
    accepted = available_documents(
        _record("3603", status=RequestStatus.ACCEPTED, ephoto={"02": "X"}), today
    )
    assert PrefectureDocumentKind.DRIVING_RIGHTS_CERTIFICATE in accepted
    assert PrefectureDocumentKind.PHOTO_SIGNATURE_FORM not in accepted


def test_the_state_without_sample_data_and_its_token_lifetime() -> None:
    state = SandboxState(sample_data=False, token_ttl=dt.timedelta(minutes=5))
    assert state.agencies == {} and state.requests() == []
    assert state.token_ttl == dt.timedelta(minutes=5)
    state.add_agency(DEFAULT_AGENCY)
    state.token_ttl = dt.timedelta(seconds=30)
    token = state.login(DEFAULT_AGENCY.agreement, DEFAULT_AGENCY.login, DEFAULT_AGENCY.password)
    assert token["expires_in"] == 30
    state.close()


def test_the_memory_journal_keeps_nothing() -> None:
    state = SandboxState(store=MemoryJournal(), seed=2)
    assert state.requests()
    assert MemoryJournal().load() == {}
    state.close()
