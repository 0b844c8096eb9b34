# pyright: strict
"""The public API's types as a host application reads them: every common call's result."""

# assert_type returns its argument: the result is left unused on purpose.
# pyright: reportUnusedCallResult=false

from __future__ import annotations

import datetime as dt
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING, assert_type

import antsclient as ants
from antsclient import agency, attachments, export, geo, lifecycle, storage
from antsclient.models import RequestTypeSpec

if TYPE_CHECKING:
    # The sandbox needs its extra, antsclient.testing needs pytest: types only.
    from antsclient.sandbox import FaultConfig, Message
    from antsclient.testing import OtherSide, Outbox

Counts = dict[ants.Cerfa | None, dict[ants.Bucket, int]]

# --- models ---------------------------------------------------------------------------------------


def online_request(request: ants.OnlineRequest) -> None:
    assert_type(request.number, str)
    assert_type(request.status, ants.RequestStatus)
    assert_type(request.modified, dt.datetime)
    assert_type(request.neph, str | None)
    assert_type(request.request_type, ants.RequestType | None)
    assert_type(request.paper_mandate_date, dt.date | None)
    assert_type(request.buckets, frozenset[ants.Bucket])
    assert_type(request.applicant_deadline, dt.datetime | None)
    assert_type(request.mandate_kept_until, dt.date | None)


def application_data(application: ants.Application, creds: ants.Credentials) -> None:
    assert_type(application.applicant, ants.Applicant)
    assert_type(application.applicant.birth_date, dt.date)
    assert_type(application.applicant.full_name, str)
    assert_type(application.categories, frozenset[ants.LicenceCategory])
    assert_type(application.request_type, ants.RequestType)
    assert_type(application.previous_licence, ants.PreviousLicence | None)
    if isinstance(application, ants.Cerfa02):
        assert_type(application.declarations, ants.Declarations)
    else:
        assert_type(application.training, ants.Training | None)
    assert_type(creds.password, ants.Secret)
    assert_type(creds.password.reveal(), str)
    assert_type(creds.department, str | None)
    assert_type(ants.validate(application, geo=True), list[ants.FieldProblem])


# --- building what a session takes ----------------------------------------------------------------


def construction(store: ants.SqliteStore, documents: storage.StudentDocumentSource) -> None:
    creds = ants.Credentials(agreement="E1706900030", login="claboret662", password="secret")
    address = ants.Address(street="1 rue de la Gare", postal_code="69800", city="SAINT-PRIEST")
    applicant = ants.Applicant(
        last_name="MARTIN",
        first_name="Julie",
        birth_date="14/03/2001",  # a date or its text
        birth_city="PARIS",
        birth_country="FRANCE",
        address=address,
        email="julie@example.org",
    )
    application = ants.Cerfa02(
        applicant=applicant,
        categories=[ants.LicenceCategory.B],
        paper_mandate=True,
        paper_mandate_date="2026-01-05",
    )
    assert_type(application.paper_mandate_date, dt.date | None)
    paper = ants.PaperRequest(reference="P1", application=application, tracking="email")
    bordereau = ants.Bordereau(number="B1", date="05/01/2026", agreement=creds.agreement)
    assert_type(bordereau.add(paper), ants.Bordereau)
    session = ants.AntsSession(
        creds,
        base_url="https://ants.example.fr",
        store=store,
        students=store.students,
        student_documents=documents,
        rights=[ants.Right.VALIDATE_REQUEST],
        retry=ants.RetryPolicy.immediate(),
        limits=ants.Limits(pages=100, per_operation={"get_ephoto": 4_000_000}),
    )
    assert_type(session, ants.AntsSession)
    assert_type(session.retry, ants.RetryPolicy)
    assert_type(session.limits, ants.Limits)
    assert_type(session.rights, frozenset[ants.Right] | None)
    assert_type(session.store, storage.RequestStore | None)
    with session as opened:
        assert_type(opened, ants.AntsSession)


# --- the blocking session -------------------------------------------------------------------------


def blocking_requests(session: ants.AntsSession, application: ants.Cerfa02) -> None:
    created = session.requests.create(application, confirm=["applicant.birth_city"])
    assert_type(created, ants.OnlineRequest)
    assert_type(session.requests.get(created.number), ants.OnlineRequest)
    assert_type(session.requests.refresh(created), ants.OnlineRequest)
    assert_type(session.requests.application("3223"), ants.Cerfa02 | ants.Cerfa06)
    assert_type(session.requests.compare(created, application), list[ants.Difference])
    assert_type(session.requests.validate(created), ants.OnlineRequest)
    assert_type(session.requests.delete(created), None)
    taken = session.requests.transfer("3223", former_agreement="E2309400140", student_id="s-1")
    assert_type(taken, ants.OnlineRequest)
    assert_type(session.requests.send_complement(created), ants.OnlineRequest)
    assert_type(session.requests.link(created, "student-1"), ants.OnlineRequest)
    assert_type(session.requests.print(created, to="out"), Path)
    assert_type(session.requests.counts(), Counts)
    assert_type(session.requests.types(), dict[ants.RequestType, RequestTypeSpec])


def blocking_files(session: ants.AntsSession, request: ants.OnlineRequest) -> None:
    kind = ants.DocumentKind.IDENTITY
    slots = session.attachments.slots(request)
    assert_type(slots, list[ants.AttachmentSlot])
    assert_type(slots[0].files, tuple[ants.AttachmentFile, ...])
    sent = session.attachments.upload(request, kind, b"%PDF-", filename="cni.pdf")
    assert_type(sent, ants.AttachmentFile)
    from_file = session.attachments.upload_from_student(request, kind, "doc-1")
    assert_type(from_file, ants.AttachmentFile)
    assert_type(session.attachments.download(request, kind, sent.file_id, to="out"), Path)
    assert_type(session.attachments.delete(request, kind, sent.file_id), None)
    assert_type(session.ephoto.set(request, "ABCD", cerfa=ants.Cerfa.C02), ants.OnlineRequest)
    assert_type(session.ephoto.get(request), ants.EPhoto)
    assert_type(session.ephoto.delete(request, ants.Cerfa.C02), ants.OnlineRequest)
    assert_type(session.ephoto.deposit_form(request, to="out"), Path)
    assert_type(session.documents.list(request), list[ants.PrefectureDocument])
    document = ants.PrefectureDocumentKind.REQUEST_RECEIPT
    assert_type(session.documents.download(request, document, to="out"), Path)
    assert_type(session.prefectures.list(), list[ants.Prefecture])


def blocking_search(session: ants.AntsSession) -> None:
    page = session.requests.search(bucket=ants.Bucket.DRAFTS, created=(dt.date(2026, 1, 1), None))
    assert_type(page, ants.RequestPage)
    assert_type(page.items, tuple[ants.OnlineRequest, ...])
    assert_type(page.total, int)
    assert_type(len(page), int)
    assert_type(page.has_next_page(), bool)
    assert_type(page.next_page(), ants.RequestPage)
    for request in page:
        assert_type(request, ants.OnlineRequest)
    for each in page.iter_pages():
        assert_type(each, ants.RequestPage)
    listed = page.collect()
    assert_type(listed, ants.RequestList)
    assert_type(listed[0], ants.OnlineRequest)
    assert_type(listed[1:], ants.RequestList)
    assert_type(listed.unlinked, ants.RequestList)
    assert_type(page.to_excel("demandes.xlsx"), Path)


def blocking_sync(session: ants.AntsSession, creds: list[ants.Credentials]) -> None:
    report = session.requests.sync_all(full=True, progress=agency.progress_bar())
    assert_type(report, ants.SyncReport)
    assert_type(report.ok, bool)
    assert_type(report.seen, int)
    assert_type(report.failed, int)
    assert_type(report.error_code, str | None)
    assert_type(report.error_fr, str | None)
    assert_type(report.watermark, dt.datetime | None)
    options = ants.SyncOptions(modified=(dt.datetime(2026, 1, 1, tzinfo=dt.UTC), None))
    assert_type(agency.sync_requests(session, options=options), ants.SyncReport)
    store = ants.MemoryStore()
    reports = ants.sync_agencies(creds, store, base_url="https://ants.example.fr")
    assert_type(reports, list[ants.SyncReport])


# --- the async session ----------------------------------------------------------------------------


async def async_requests(session: ants.AsyncAntsSession, application: ants.Cerfa06) -> None:
    async with session as opened:
        assert_type(opened, ants.AsyncAntsSession)
    created = await session.requests.create(application)
    assert_type(created, ants.OnlineRequest)
    assert_type(await session.requests.application(created), ants.Cerfa02 | ants.Cerfa06)
    assert_type(await session.requests.validate(created), ants.OnlineRequest)
    assert_type(await session.requests.counts(), Counts)
    assert_type(await session.requests.sync_all(concurrency=4), ants.SyncReport)
    assert_type(await agency.sync_requests(session), ants.SyncReport)
    slots = await session.attachments.slots(created)
    assert_type(slots, list[ants.AttachmentSlot])
    assert_type(await session.ephoto.get(created), ants.EPhoto)
    assert_type(await session.prefectures.list(), list[ants.Prefecture])
    assert_type(session.store, storage.RequestStore | storage.AsyncRequestStore | None)


async def async_search(session: ants.AsyncAntsSession) -> None:
    page = await session.requests.search(cerfa=ants.Cerfa.C02, page_size=500)
    assert_type(page, ants.AsyncRequestPage)
    assert_type(await page.next_page(), ants.AsyncRequestPage)
    async for request in page:
        assert_type(request, ants.OnlineRequest)
    async for each in page.iter_pages():
        assert_type(each, ants.AsyncRequestPage)
    assert_type(await page.collect(), ants.RequestList)
    assert_type(await page.to_excel("demandes.xlsx"), Path)


async def async_store(creds: list[ants.Credentials], store: storage.AsyncPostgresStore) -> None:
    url = "https://ants.example.fr"
    assert_type(ants.AsyncAntsSession(creds[0], base_url=url, store=store), ants.AsyncAntsSession)
    reports = await agency.sync_agencies_async(creds, store, base_url=url)
    assert_type(reports, list[ants.SyncReport])


# --- geo ------------------------------------------------------------------------------------------


async def places(session: ants.AsyncAntsSession, application: ants.Cerfa02) -> None:
    report = session.geo.check(application)
    assert_type(report, geo.GeoReport)
    assert_type(await session.geo.confirm(report), geo.GeoReport)
    assert_type(report.ok, bool)
    assert_type(report.problems, tuple[geo.FieldCheck, ...])
    assert_type(report["applicant.birth_city"].status, geo.CheckStatus)
    assert_type(report["applicant.birth_city"].suggestions, tuple[str, ...])
    assert_type(report.field_problems(), list[ants.FieldProblem])
    communes = geo.suggest_communes("ST PRIEST", postal_code="69800")
    assert_type(communes, list[geo.CommuneMatch])
    assert_type(communes[0].label, str)
    assert_type(communes[0].postal_code, str | None)
    assert_type(geo.autocomplete("SAINT-PRI"), list[geo.CommuneMatch])
    assert_type(geo.find_country("USA"), geo.CountryMatch | None)
    assert_type(geo.find_department("Rhône"), geo.DepartmentMatch | None)


# --- stores ---------------------------------------------------------------------------------------


def stores(memory: ants.MemoryStore, sqlite: ants.SqliteStore, host: storage.SyncStore) -> None:
    agreement = "E1706900030"
    assert_type(sqlite.get(agreement, "3223"), ants.OnlineRequest | None)
    found = sqlite.search(agreement, bucket=ants.Bucket.DRAFTS, linked=False)
    assert_type(found, ants.RequestList)
    assert_type(memory.search(agreement), ants.RequestList)
    assert_type(sqlite.counts(agreement), Counts)
    assert_type(sqlite.watermark(agreement), dt.datetime | None)
    assert_type(sqlite.merge(agreement, found), storage.MergeResult)
    assert_type(sqlite.lock_agency(agreement), AbstractContextManager[bool])
    assert_type(sqlite.path, Path)
    assert_type(sqlite.bordereaux(agreement), list[ants.Bordereau])
    assert_type(sqlite.get_bordereau(agreement, "B1"), ants.Bordereau | None)
    assert_type(sqlite.students.get("student-1"), storage.Student | None)
    assert_type(memory.students.search("MAR"), list[storage.Student])
    assert_type(memory.reports, list[ants.SyncReport])
    # A host's own store, by the protocols it implements.
    assert_type(host.watermark(agreement), dt.datetime | None)
    assert_type(storage.in_thread(host), storage.InThread)
    if isinstance(host, storage.SearchableStore):
        assert_type(host.search(agreement, cerfa=ants.Cerfa.C06), ants.RequestList)


async def store_in_thread(store: ants.SqliteStore) -> None:
    threaded = storage.in_thread(store)
    assert_type(await threaded.get("E1706900030", "3223"), ants.OnlineRequest | None)
    assert_type(await threaded.search("E1706900030"), ants.RequestList)
    assert_type(await threaded.watermark("E1706900030"), dt.datetime | None)
    async with threaded.lock_agency("E1706900030") as held:
        assert_type(held, bool)


# --- errors ---------------------------------------------------------------------------------------


def errors(error: ants.AntsError) -> None:
    assert_type(error.code, str)
    assert_type(error.message, str)
    assert_type(error.message_fr, str)
    assert_type(error.field, str | None)
    assert_type(error.status_code, int | None)
    assert_type(error.request_id, str | None)
    if isinstance(error, ants.ApplicationDataError):
        assert_type(error.problems, tuple[ants.FieldProblem, ...])
        assert_type(error.problems[0].suggestions, tuple[str, ...])
        assert_type(error.problems[0].severity, ants.Severity)
    elif isinstance(error, ants.AntsUnavailable):
        assert_type(error.may_have_taken_effect, bool)
        assert_type(error.attempts, int)
        assert_type(error.server, str | None)
    elif isinstance(error, ants.DivergenceError):
        assert_type(error.case, ants.DivergenceCase | None)
        assert_type(error.existing_number, str | None)
    elif isinstance(error, ants.ActionNotAllowed):
        assert_type(error.rule, str | None)
    elif isinstance(error, ants.StoreError):
        assert_type(error.operation, str | None)
    unavailable = ants.AntsUnavailable("ANTS est indisponible")
    assert_type(unavailable.from_answer(503, "r-1"), ants.AntsUnavailable)


# --- export, lifecycle, attachments ---------------------------------------------------------------


def exports(requests: ants.RequestList, counts: Counts) -> None:
    assert_type(export.to_excel(requests, "demandes.xlsx", tz="Europe/Paris"), Path)
    assert_type(requests.to_excel("demandes.xlsx"), Path)
    assert_type(export.counts_table(counts), str)
    assert_type(export.requests_html(requests, caption="Demandes"), str)
    assert_type(export.problems_html([]), str)


def rules(status: ants.RequestStatus, application: ants.Application) -> None:
    assert_type(lifecycle.is_allowed(ants.Action.VALIDATE, status), bool)
    assert_type(lifecycle.allowed_actions(status), frozenset[ants.Action])
    assert_type(lifecycle.next_status(ants.Action.VALIDATE, status), ants.RequestStatus)
    assert_type(attachments.required_kinds(application), frozenset[ants.DocumentKind])
    assert_type(attachments.offered_kinds(application), tuple[ants.DocumentKind, ...])
    assert_type(attachments.inspect_file(b"%PDF-").pages, int)


# --- testing --------------------------------------------------------------------------------------


def other_side(side: OtherSide, outbox: Outbox) -> None:
    assert_type(side.student_confirms("3223"), ants.OnlineRequest)
    assert_type(side.prefecture_accepts("3223"), ants.OnlineRequest)
    assert_type(side.register_direct(), ants.OnlineRequest)
    assert_type(side.faults(error_rate=0.1), FaultConfig)
    assert_type(outbox(number="3223"), list[Message])
    assert_type(outbox.last().link, str | None)


# --- mistakes the checkers refuse ----------------------------------------------------------------
# Each `type: ignore` must be needed (mypy --strict warns of one that is not); the pyright
# ignores are for pyright flavours that do not read `type: ignore`.


def mistakes(session: ants.AntsSession, requests: ants.RequestList, report: geo.GeoReport) -> None:
    agency.sync_requests(session, fulll=True)  # type: ignore[call-overload]  # pyright: ignore[reportCallIssue]
    requests.to_excel("demandes.xlsx", sheets="x")  # type: ignore[call-arg]  # pyright: ignore[reportCallIssue]
    report.apply(42)  # type: ignore[type-var]  # pyright: ignore[reportArgumentType]
    ants.Limits(per_operation=["get_ephoto"])  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]
