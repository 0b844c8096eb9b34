# pyright: strict
"""The public API as a user types against it: checked by `mypy --strict tests/typing` and by
pyright in its strict mode (the comment above), the checker of most editors."""

from __future__ import annotations

import datetime as dt

import attrs

import antsclient as ants
from antsclient.lifecycle import Action, ensure_allowed


def build() -> ants.Cerfa02:
    applicant = ants.Applicant(
        last_name="MARTIN",
        first_name="Julie",
        birth_date=dt.date(2001, 3, 14),
        birth_city="PARIS",
        birth_department="75",
        birth_country="FRANCE",
        address=ants.Address(street="1 rue", postal_code="69800", city="SAINT-PRIEST"),
        email="julie@example.org",
    )
    return ants.Cerfa02(applicant=applicant, categories={ants.LicenceCategory.B})


def check(application: ants.Application) -> list[str]:
    problems: list[ants.FieldProblem] = ants.validate(application)
    return [p.message_fr for p in problems if p.is_error]


def credentials() -> ants.Credentials:
    creds = ants.Credentials(agreement="E1706900030", login="x", password="secret")
    secret: ants.Secret = creds.password
    assert isinstance(secret.reveal(), str)
    return creds


def status_rule(status: ants.RequestStatus) -> str | None:
    try:
        ensure_allowed(Action.DELETE, status)
    except ants.ActionNotAllowed as exc:
        return exc.rule
    return None


def every_request(session: ants.AntsSession) -> list[str]:
    page: ants.RequestPage = session.requests.search(bucket=ants.Bucket.DRAFTS, page_size=500)
    numbers = [request.number for request in page]
    first: tuple[ants.OnlineRequest, ...] = page.items
    pages = [p.page for p in page.iter_pages()]
    if page.has_next_page():
        following: ants.RequestPage = page.next_page()
        numbers.append(following.items[0].number)
    total: int = len(page)
    return [*numbers, str(total), str(len(first)), str(pages)]


async def every_request_async(session: ants.AsyncAntsSession) -> list[str]:
    page: ants.AsyncRequestPage = await session.requests.search(page_size=500)
    numbers = [request.number async for request in page]
    async for each in page.iter_pages():
        numbers.extend(r.number for r in each.items)
    listed: ants.RequestList = await page.collect()
    return [*numbers, str(len(listed))]


def sync(session: ants.AntsSession) -> bool:
    options = ants.SyncOptions(full=True, concurrency=4, overlap=dt.timedelta(minutes=1))
    report: ants.SyncReport = session.requests.sync_all(options=options)
    return report.ok


def answered(error: ants.AntsError) -> tuple[int | None, str | None]:
    return error.status_code, error.request_id


def file_under_a_mandate(session: ants.AntsSession, application: ants.Cerfa02) -> dt.date | None:
    mandated = attrs.evolve(application, paper_mandate=True, paper_mandate_date=dt.date.today())
    request: ants.OnlineRequest = session.requests.validate(session.requests.create(mandated))
    kinds: ants.RequestType | None = request.request_type
    types = session.requests.types()
    assert kinds is None or kinds in types
    taken = session.requests.transfer("3223", former_agreement="E2309400140")
    return taken.mandate_kept_until
