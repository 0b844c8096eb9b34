"""AsyncAntsSession: every action on a request, awaited.

This file is the one written by hand: ``antsclient/_sync/session.py`` is generated from it
by ``scripts/unasync.py`` (a test checks they agree), so sync and async share one body of
logic. What to send and what an answer means live in :mod:`antsclient.protocol`, the rules
in :mod:`antsclient.lifecycle`, the listing engine in :mod:`antsclient._listing`: the
session sends, retries and remembers.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import time
import urllib.request
import uuid
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, ClassVar, TypeVar

import httpx

from antsclient import _files as files
from antsclient import _retries as retries
from antsclient import protocol as ops
from antsclient._async.offload import off_loop, pause
from antsclient._async.pages import AsyncRequestPage
from antsclient._async.pool import AsyncPool
from antsclient._async.stores import AsyncStore, AsyncStoreLike, no_store_error
from antsclient._parts import Part, Parts
from antsclient._policy import DEFAULT_TIMEOUT, UPLOAD_TIMEOUT, RetryPolicy
from antsclient._secret import Secret
from antsclient._transport import (
    ACCEPT_ENCODING,
    AsyncCutOff,
    AsyncGuardedTransport,
    Body,
    Limits,
    check_base_url,
    server_of,
    tls_context,
)
from antsclient._version import __version__
from antsclient.errors import (
    ActionNotAllowed,
    AntsError,
    AntsUnavailable,
    ApplicationDataError,
    AttachmentRejected,
    ConfigurationError,
    ProtocolError,
    RequestNotFound,
    ResourceNotFound,
)
from antsclient.lifecycle import Action, check, is_allowed
from antsclient.models import (
    Bucket,
    Cerfa,
    Credentials,
    DateWindow,
    DocumentKind,
    OnlineRequest,
    PrefectureDocumentKind,
    RequestStatus,
    RequestType,
    Right,
)
from antsclient.protocol import Verdict, classify, classify_failure
from antsclient.storage.protocols import (
    StudentDirectory,
    StudentDocumentSource,
)

if TYPE_CHECKING:
    from antsclient._listing import SyncOptions, SyncPlan, SyncReport
    from antsclient.divergence import Difference, StudentFile
    from antsclient.geo import GeoReport
    from antsclient.models.application import Application, Cerfa02, Cerfa06
    from antsclient.models.documents import (
        AttachmentFile,
        AttachmentSlot,
        EPhoto,
        Prefecture,
        PrefectureDocument,
    )
    from antsclient.models.paper import PaperRequest
    from antsclient.models.request_types import RequestTypeSpec

__all__ = [
    "AsyncAntsSession",
    "AsyncAttachments",
    "AsyncDocuments",
    "AsyncEPhotoCodes",
    "AsyncGeo",
    "AsyncPrefectures",
    "AsyncRequests",
]

T = TypeVar("T")

RequestRef = str | OnlineRequest
"""A request, by its number or as last seen."""

STALE_AFTER = 60.0
"""Seconds after which the session's copy of a request may be stale: before refusing an
action on an older copy, the session reads the request once more."""

_REFRESH_BEFORE_REFUSING = frozenset({Action.UPLOAD_ATTACHMENT, Action.SEND_COMPLEMENT})
"""The actions ANTS itself invites (documents, complement when a prefecture asks): a refusal
of them is always checked against the request as it is now."""

_TOKEN_MARGIN = 30.0
"""Renew the token this many seconds before ANTS says it expires."""


def _number_of(request: RequestRef) -> str:
    return request.number if isinstance(request, OnlineRequest) else str(request)


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class AsyncAntsSession:
    """Une session ANTS for one agency: every action of the manual on its requests.

    The actions are grouped in namespaces, attributes of the session (each method's own
    help says what it does: ``help(session.requests.create)``):

    * ``session.requests`` (:class:`AsyncRequests`) — create, get, refresh, application,
      print, compare, validate, delete, transfer, send_complement, link, sync_all, search,
      counts, types;
    * ``session.attachments`` (:class:`AsyncAttachments`) — slots, upload,
      upload_from_student, download, delete;
    * ``session.ephoto`` (:class:`AsyncEPhotoCodes`) — set, get, delete, deposit_form;
    * ``session.documents`` (:class:`AsyncDocuments`) — list, download;
    * ``session.prefectures`` (:class:`AsyncPrefectures`) — list;
    * ``session.geo`` (:class:`AsyncGeo`) — check, confirm.

    ``credentials`` are the agency's; ``base_url`` the server's root (the ANTS sandbox's
    ``handle.url``, or the address ANTS gave the vendor), checked at once: ``http://`` or
    ``https://`` and a host, or :class:`ConfigurationError` names it. ``timeout`` defaults
    to waiting rather than failing early (15 s to connect, 90 s for an answer, 5 minutes to
    send a file), and no call outlasts the retry policy's deadline; ``retry`` says how
    often to try again what is safe to try again. ``rights`` are the acting user's rights
    (``None``: the host does not manage rights, every action is granted). ``store``
    receives every request the session learns of (see :mod:`antsclient._async.stores` for
    how an async session calls a blocking store: never on the event loop);
    ``student_documents`` serves documents already in a student's file;
    ``students`` is the host's student directory, written when a request is linked with
    ``update_student``. ``transport`` is an httpx transport (``httpx.ASGITransport`` to talk
    to a sandbox in process).

    Use it as a context manager so its connections are closed.
    """

    def __init__(
        self,
        credentials: Credentials,
        *,
        base_url: str,
        timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
        retry: RetryPolicy | None = None,
        rights: Iterable[Right] | None = None,
        store: AsyncStoreLike | None = None,
        student_documents: StudentDocumentSource | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        students: StudentDirectory | None = None,
        limits: Limits | None = None,
    ) -> None:
        root = check_base_url(base_url).rstrip("/")
        if root.endswith(ops.API_PREFIX):
            root = root[: -len(ops.API_PREFIX)]
        self.credentials = credentials
        self.retry: RetryPolicy = retry or RetryPolicy()
        self.rights: frozenset[Right] | None = None if rights is None else frozenset(rights)
        self.store = store
        self.student_documents = student_documents
        self.students = students
        self.base_url = base_url
        self.timeout = timeout
        # Uploads get longer defaults unless the host chose its own timeout.
        self._upload_timeout = UPLOAD_TIMEOUT if timeout is DEFAULT_TIMEOUT else None
        self.transport = transport
        self.limits: Limits = limits or Limits()
        self._server = server_of(root)
        route = transport if transport is not None else AsyncGuardedTransport.for_server(root)
        self._client = httpx.AsyncClient(
            base_url=root,
            timeout=timeout,
            transport=route,
            verify=tls_context(root),
            headers={"User-Agent": f"antsclient/{__version__}", "Accept-Encoding": ACCEPT_ENCODING},
        )
        # Where the client sends every request when no environment proxy is set (then
        # httpx routes some requests elsewhere, and each goes through the client).
        self._route = None if urllib.request.getproxies() else route
        self._token: ops.Token | None = None
        self._login_lock = asyncio.Lock()
        self._known: dict[str, OnlineRequest] = {}
        self._seen_at: dict[str, float] = {}
        self._parts = Parts()

    # The namespaces hold their session, which holds them weakly (antsclient._parts): a
    # session nobody refers to any more is freed at once with what it holds (its store's
    # copies: 20,000 requests in a MemoryStore), never left for the garbage collector's full
    # pass. While one is referred to (``requests = session.requests``, a patch in a test),
    # the session gives that same one; one assigned replaces it.

    requests: Part[AsyncRequests] = Part(lambda: AsyncRequests)
    """Les demandes: create, get, refresh, application, print, compare, validate, delete,
    transfer, send_complement, link, sync_all, search, counts, types."""
    attachments: Part[AsyncAttachments] = Part(lambda: AsyncAttachments)
    """Les pièces justificatives: slots, upload, upload_from_student, download, delete."""
    ephoto: Part[AsyncEPhotoCodes] = Part(lambda: AsyncEPhotoCodes)
    """Les codes ePhoto: set, get, delete, deposit_form."""
    documents: Part[AsyncDocuments] = Part(lambda: AsyncDocuments)
    """Les documents de la préfecture: list, download."""
    prefectures: Part[AsyncPrefectures] = Part(lambda: AsyncPrefectures)
    """Les préfectures: list."""
    geo: Part[AsyncGeo] = Part(lambda: AsyncGeo)
    """Le contrôle géographique: check, confirm."""

    @property
    def store(self) -> AsyncStoreLike | None:
        """The host's store of requests (``None``: the session keeps no copy)."""
        return self._store.store

    @store.setter
    def store(self, value: AsyncStoreLike | None) -> None:
        self._store = AsyncStore(value)

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(agreement={self.credentials.agreement!r}, "
            f"base_url={str(self._client.base_url)!r})"
        )

    async def __aenter__(self) -> AsyncAntsSession:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the connections."""
        await self._client.aclose()
        self._store.close()

    # --- authentication --------------------------------------------------------------------

    async def _bearer(self, *, rejected: Secret | None = None) -> Secret:
        """A valid token: the current one, or a new login (one at a time)."""
        token = self._token
        if token is not None and token.secret != rejected and not self._expiring(token):
            return token.secret
        async with self._login_lock:
            token = self._token
            if token is None or token.secret == rejected or self._expiring(token):
                self._token = token = await self._login()
            return token.secret

    @staticmethod
    def _expiring(token: ops.Token) -> bool:
        return (token.expires_at - _utcnow()).total_seconds() < _TOKEN_MARGIN

    async def _login(self) -> ops.Token:
        creds = self.credentials
        creds.ensure("login")
        call = ops.login(creds.agreement, creds.login, creds.password)
        return await self._call(call, lambda r: ops.parse_token(r, now=_utcnow()))

    # --- sending ---------------------------------------------------------------------------

    async def _call(
        self,
        call: ops.Call,
        parse: Callable[[httpx.Response], T],
        *,
        sink: IO[bytes] | None = None,
        timeout: httpx.Timeout | None = None,
        about: str | None = None,
        reads_back: bool = False,
    ) -> T:
        """Send ``call`` with retries; return what ``parse`` reads of the answer.

        ``about`` is the number of the request the call acts on: when ANTS refuses the action
        for the request's status, the session's copy of it is brought up to date first.
        ``reads_back``: the caller reads back what the write changes after an unclear
        failure, so such a failure is not retried here (see :meth:`_write`).
        """
        policy = self.retry
        with retries.deadline(policy) as deadline:
            tries = retries.Tries(call, policy, deadline, self._server)
            if deadline.spent:
                raise tries.error()
            try:
                return await self._tries(
                    call, parse, tries, reads_back=reads_back, sink=sink, timeout=timeout
                )
            except retries.Transient as exc:
                raise tries.error() from exc
            except ActionNotAllowed:
                if about is not None:
                    await self._resync(about)
                raise
        raise AssertionError("unreachable")  # pragma: no cover

    async def _tries(
        self,
        call: ops.Call,
        parse: Callable[[httpx.Response], T],
        tries: retries.Tries,
        *,
        reads_back: bool,
        sink: IO[bytes] | None,
        timeout: httpx.Timeout | None,
    ) -> T:
        """Try ``call`` until it succeeds, fails for good, or its tries are spent (then its
        last :class:`~antsclient._retries.Transient` is raised), waiting between tries.

        The first try is made directly: most calls succeed, and they cost no retry machinery.
        After a failed one, tenacity drives the others, with the policy's stop and wait
        (:class:`~antsclient._retries.Tries`).
        """
        tries.count = 1
        try:
            return await self._attempt(call, parse, tries, sink, timeout)
        except retries.Transient as exc:
            tries.failed(exc)
            if not retries.should_retry(call, exc, reads_back=reads_back) or tries.stop(exc):
                raise
            await pause(tries.wait(exc))
        from tenacity import AsyncRetrying, retry_if_exception  # noqa: PLC0415 - retries only

        retrying = AsyncRetrying(
            stop=lambda state: tries.stop(retries.failure_of(state)),
            wait=lambda state: tries.wait(retries.failure_of(state)),
            retry=retry_if_exception(
                lambda exc: retries.should_retry(call, exc, reads_back=reads_back)
            ),
            reraise=True,
        )
        async for attempt in retrying:
            with attempt:
                tries.count += 1
                try:
                    return await self._attempt(call, parse, tries, sink, timeout)
                except retries.Transient as exc:
                    tries.failed(exc)
                    raise
        raise AssertionError("unreachable")  # pragma: no cover

    async def _resync(self, number: str) -> None:
        """Bring the copy of request ``number`` up to date after ANTS refused an action."""
        try:
            await self.requests.get(number)
        except AntsError:
            self._known.pop(number, None)

    async def _attempt(
        self,
        call: ops.Call,
        parse: Callable[[httpx.Response], T],
        tries: retries.Tries,
        sink: IO[bytes] | None,
        timeout: httpx.Timeout | None,
    ) -> T:
        token = await self._bearer() if call.authenticated else None
        outcome = None
        for renewed in (False, True):
            response = await self._send_once(call, token, tries, sink, timeout)
            outcome = classify(response)
            if outcome.verdict is Verdict.RENEW_TOKEN and call.authenticated and not renewed:
                token = await self._bearer(rejected=token)
                continue
            break
        assert outcome is not None
        reason = outcome.reason
        if outcome.verdict is Verdict.OK:
            try:
                return parse(response)
            except ProtocolError as exc:
                reason = str(exc)
        # Out of any error's reach: the answer (a login's holds a token) and its request.
        del response
        if outcome.verdict is Verdict.RETRY:
            raise retries.Transient.of(outcome)
        if outcome.error is not None:
            raise outcome.error
        raise retries.Transient(reason, ambiguous=True)

    async def _send_once(
        self,
        call: ops.Call,
        token: Secret | None,
        tries: retries.Tries,
        sink: IO[bytes] | None,
        timeout: httpx.Timeout | None,
    ) -> httpx.Response:
        """One try: every timeout at most the time left before the call's deadline."""
        file = call.upload.open() if call.upload is not None else None
        started = time.monotonic()
        status: int | str = "error"
        failure = request = response = None
        try:
            request = call.build(self._client, token, file)
            request.extensions["timeout"] = tries.deadline.timeout(timeout or self._client.timeout)
            async with AsyncCutOff(tries.deadline.remaining()):
                response = await self._send(request)
                status = response.status_code
                try:
                    into = sink if sink is not None and response.is_success else None
                    body = Body(
                        response,
                        self.limits.cap(call.op),
                        tries.deadline.remaining,
                        call.describe(),
                        files.rewound(into),
                    )
                    if body.ready is None:
                        async for chunk in response.aiter_raw():
                            body.take(chunk)
                    body.finish()
                finally:
                    await response.aclose()
        except httpx.TransportError as exc:
            # Made outside the handler: no error chain leads back to the request sent.
            status, failure = type(exc).__name__, classify_failure(exc)
        finally:
            request = None  # the token or password it carries does not outlive the try
            retries.log_call(call, status, time.monotonic() - started, tries.count)
            if file is not None and call.upload is not None and call.upload.owned:
                file.close()
        if failure is not None:
            response = None  # nor does the answer, which points at it
            raise retries.Transient.failure(failure)
        assert response is not None
        return response

    async def _send(self, request: httpx.Request) -> httpx.Response:
        """``request`` sent, its answer streaming.

        Without an environment proxy, straight to the transport the client would pick:
        ``client.send`` adds nothing a session uses (no auth flow, no redirect followed,
        no event hook) but the time of its layers. A cookie a server sets is kept as the
        client keeps it (and sent back, :meth:`~antsclient.protocol.Call.build` then
        going through ``build_request``). A closed session answers as httpx does.
        """
        route = self._route
        if route is None or self._client.is_closed:
            return await self._client.send(request, stream=True)
        response = await route.handle_async_request(request)
        response.request = request
        if "set-cookie" in response.headers:
            self._client.cookies.extract_cookies(response)
        return response

    async def _write(
        self,
        call: ops.Call,
        parse: Callable[[httpx.Response], T],
        read_back: Callable[[], Any],
        about: str,
    ) -> T:
        """A write whose outcome is always found out.

        The write carries one idempotency key for all its tries. When its answer is lost
        (a 5xx, a reset, a timeout: it may have been carried out), ``read_back`` reads what
        the write changes and returns :class:`~antsclient._retries.Done` with the outcome if
        it took effect, or ``None`` if it is not seen: then it is sent again, under the same
        key. A refusal after an unclear try is read back too (the first try may be the one
        that took effect). The session never reports a write as failed when the read-back
        shows it done; the error it does raise says ``may_have_taken_effect`` unless no try
        ever left.
        """
        call = retries.keyed(call)
        failure: AntsUnavailable | None = None
        with retries.deadline(self.retry):  # the write and its read-backs share one deadline
            for _ in range(self.retry.attempts):
                try:
                    return await self._call(call, parse, about=about, reads_back=True)
                except AntsUnavailable as exc:
                    if not exc.may_have_taken_effect:
                        if failure is None:
                            raise
                        raise failure from exc  # an earlier try may still have taken effect
                    failure = exc
                except AntsError:
                    if failure is None:
                        raise
                    done = await self._read_back(read_back, failure)
                    if done is None:
                        raise
                    value: T = done.value
                    return value
                done = await self._read_back(read_back, failure)
                if done is not None:
                    found: T = done.value
                    return found
        assert failure is not None
        raise failure

    @staticmethod
    async def _read_back(read_back: Callable[[], Any], failure: AntsUnavailable) -> Any:
        """What ``read_back`` finds (``Done`` or ``None``); ``failure`` if ANTS cannot be
        read either — the write may have taken effect, and that is what the caller hears."""
        try:
            return await read_back()
        except AntsUnavailable:
            raise failure from None

    async def _reread(self, current: OnlineRequest) -> OnlineRequest:
        """The request after a write that took effect, read again — or, when ANTS cannot be
        read just now, the copy the session holds: the write is done either way, and is
        never reported as failed because the read after it failed."""
        try:
            return await self.requests.get(current.number)
        except AntsUnavailable:
            return current

    async def _download(self, call: ops.Call, to: str | os.PathLike[str], default: str) -> Path:
        """Download ``call``'s answer into the folder ``to`` under a safe name, atomically.

        The body goes to a temporary file beside the target; only a complete download is
        moved onto the final name, which stays inside ``to`` whatever the server proposes.
        """
        names: list[str] = []

        def remember_name(response: httpx.Response) -> None:
            proposed = files.filename_from_headers(response.headers)
            names.append(files.safe_filename(proposed, default))

        final, handle = files.atomic_target(to, files.safe_filename(None, default))
        try:
            await self._call(call, remember_name, sink=handle)
            if names and names[-1] != final.name:
                final = files.free_path(to, names[-1])
        except BaseException:
            files.abandon_download(handle)
            raise
        return files.finish_download(handle, final)

    # --- what the session knows of each request ------------------------------------------

    async def _remember(self, request: OnlineRequest) -> OnlineRequest:
        self._known[request.number] = request
        self._seen_at[request.number] = time.monotonic()
        await self._store.upsert(self.credentials.agreement, [request])
        return request

    async def _remember_all(self, requests: Sequence[OnlineRequest]) -> None:
        numbers = [request.number for request in requests]
        self._known.update(zip(numbers, requests, strict=True))
        self._seen_at.update(dict.fromkeys(numbers, time.monotonic()))
        if requests:
            await self._store.upsert(self.credentials.agreement, requests)

    async def _forget(self, number: str) -> None:
        self._known.pop(number, None)
        self._seen_at.pop(number, None)
        await self._store.delete(self.credentials.agreement, number)

    async def _last_seen(self, request: RequestRef) -> OnlineRequest | None:
        """The newest copy of the request: the one given, or the session's if more recent."""
        if isinstance(request, OnlineRequest):
            known = self._known.get(request.number)
            return known if known is not None and known.modified >= request.modified else request
        known = self._known.get(request)
        if known is None:
            known = await self._store.get(self.credentials.agreement, request)
        return known

    async def _checked(self, action: Action, request: RequestRef) -> OnlineRequest:
        """Every rule of ``action`` on the last known copy (read once if unknown): rights,
        status and the rule's conditions, before any write is sent.

        A copy that may be stale — read by the session more than :data:`STALE_AFTER`
        seconds ago, or any copy refused an action ANTS invites (upload, complement) — is
        read once more before a refusal, which then names the status *now*."""
        check(action, rights=self.rights)
        current = await self._last_seen(request)
        if current is None:
            current = await self.requests.get(_number_of(request))
        elif self._may_be_stale(action, current):
            try:
                _check_copy(action, current)
            except ActionNotAllowed:
                current = await self.requests.get(current.number)
        _check_copy(action, current)
        return current

    def _may_be_stale(self, action: Action, copy: OnlineRequest) -> bool:
        """Whether ``copy`` is to be read again before ``action`` is refused on it."""
        if action in _REFRESH_BEFORE_REFUSING:
            return True
        seen = self._seen_at.get(copy.number)
        if seen is None or self._known.get(copy.number) is not copy:
            return False  # the caller's own copy: its age is not known, it is trusted
        return time.monotonic() - seen > STALE_AFTER


def _check_copy(action: Action, copy: OnlineRequest) -> None:
    """The status and the conditions of ``action`` on a copy of the request."""
    check(
        action,
        copy.status,
        cerfa=copy.cerfa,
        linked=copy.linked,
        paper_mandate=copy.paper_mandate,
    )


class _Namespace:
    """A group of the session's actions: ``repr`` names its methods."""

    name: ClassVar[str]
    """The session's attribute that holds the namespace (``requests``)."""

    def __init__(self, session: AsyncAntsSession) -> None:
        self._session = session

    @classmethod
    def _methods(cls) -> list[str]:
        """The namespace's actions, in the order they are defined."""
        return [n for n, v in vars(cls).items() if not n.startswith("_") and callable(v)]

    def __repr__(self) -> str:
        owner = type(self._session).__name__
        return f"<{owner}.{self.name}: {', '.join(self._methods())}>"


class AsyncPrefectures(_Namespace):
    """Préfectures of the agency's department (« mettre à jour la liste des préfectures »)."""

    name = "prefectures"

    async def list(self) -> list[Prefecture]:
        """The prefectures of the agency's department, from its postal code.

        Needs the agreement number, the ANTS login and password and the agency's postal code:
        a :class:`ConfigurationError` says which is missing, before any call.
        """
        creds = self._session.credentials
        creds.ensure("list_prefectures")
        assert creds.postal_code is not None
        return await self._session._call(
            ops.list_prefectures(creds.postal_code), ops.parse_prefectures
        )


class AsyncGeo(_Namespace):
    """Vérification des villes, départements et pays: offline, then ANTS's referential."""

    name = "geo"

    def check(self, application: Application) -> GeoReport:
        """The geo report of ``application`` (see :func:`antsclient.geo.check`).

        Offline, against the referential shipped in the package: every city, department and
        country of the application, each conforming, corrected, to choose or unknown.
        """
        from antsclient import geo  # noqa: PLC0415

        return geo.check(application)

    async def confirm(self, report: GeoReport) -> GeoReport:
        """Ask ANTS's own referential about the cities the offline check doubted.

        A city ANTS lists exactly as written (the name of a birth city, the
        ``NAME (postal code)`` label of an address city) becomes conforming; the others are
        left as they were. Use it before confirming a value the user knows is right.
        """
        import attrs  # noqa: PLC0415

        from antsclient.geo import CheckStatus  # noqa: PLC0415

        fields = []
        for field in report.fields:
            value = (field.before or "").strip()
            if field.ok or not value or not field.path.endswith("city"):
                fields.append(field)
                continue
            names, labels = await self._session._call(
                ops.search_communes(value, limit=20), ops.parse_commune_names
            )
            known = value in (labels if ".address." in field.path else names)
            fields.append(
                attrs.evolve(field, status=CheckStatus.CONFORMING, after=value) if known else field
            )
        return attrs.evolve(report, fields=tuple(fields))


def _students_of(session: AsyncAntsSession) -> StudentDirectory:
    """The session's student directory, or the error of an update asked without one."""
    if session.students is None:
        raise ConfigurationError(
            "update_student needs the session's students directory",
            field="students",
            message_fr="Aucun annuaire des élèves n'est configuré pour mettre à jour la "
            "fiche de l'élève.",
        )
    return session.students


def _not_linked(request: OnlineRequest) -> ActionNotAllowed:
    return ActionNotAllowed(
        f"request {request.number} is linked to no student: link it to update the student",
        action=Action.REFRESH.value,
        status=request.status.value,
        rule="only a linked request updates a student's file",
        code="request_not_linked",
        message_fr="La demande n'est reliée à aucun élève : reliez-la d'abord pour mettre à "
        "jour la fiche de l'élève.",
    )


class AsyncRequests(_Namespace):
    """Les demandes en ligne: create, read, validate, delete, transfer, search, link, types."""

    name = "requests"

    async def create(
        self,
        application: Application,
        *,
        confirm: Iterable[str] = (),
        autocorrect: bool = True,
        idempotency_key: str | None = None,
    ) -> OnlineRequest:
        """Enregistrer la demande en ligne: send ``application`` as a draft (BROUILLON).

        First every local check, all problems at once (:class:`ApplicationDataError`); then
        the geo check: certain corrections are applied when ``autocorrect`` (``ST PRIEST`` →
        ``SAINT-PRIEST``), and a place that still needs a choice raises
        :class:`ApplicationDataError` with its suggestions — unless its field path is in
        ``confirm``, as the manual lets the user confirm a value they know is right. The
        create carries one idempotency key for all its attempts: a retry never files twice.
        ``idempotency_key`` is that key when the host makes it (one per application it
        files, kept until it knows the outcome): a host that calls ``create`` again after
        :class:`AntsUnavailable` with the same key gets the request the first call filed.
        """
        from antsclient import geo  # noqa: PLC0415
        from antsclient.models.application import Cerfa06  # noqa: PLC0415
        from antsclient.validation import validate  # noqa: PLC0415 - loaded on first create

        session = self._session
        confirmed = tuple(confirm)
        report = geo.check(application)
        problems = [p for p in validate(application) if p.is_error]
        problems += report.field_problems(confirmed)
        problems += session.credentials.problems("create_request")
        if problems:
            raise ApplicationDataError(problems=problems)
        if isinstance(application, Cerfa06):
            await self._title_prerequisite(application)
        if autocorrect:
            application = report.apply(application)
        call = ops.create_request(
            application,
            idempotency_key=idempotency_key or uuid.uuid4().hex,
            confirmed_fields=confirmed,
        )
        return await session._remember(await session._call(call, ops.parse_request))

    async def _title_prerequisite(self, application: Cerfa06) -> None:
        """A title after the exam follows an accepted Cerfa 02: when the session knows that
        request (``cerfa02_number``), it must be « à traiter en Cerfa 06 » (a copy that may
        be stale is read once more before refusing) and carry the same NEPH. Otherwise
        ANTS judges the NEPH."""
        # The request types' table loads with the first title filed, not with the session.
        from antsclient.models.request_types import REQUEST_TYPES, Prerequisite  # noqa: PLC0415

        number = application.cerfa02_number
        spec = REQUEST_TYPES[application.request_type]
        if spec.prerequisite is not Prerequisite.ACCEPTED_CERFA02 or not number:
            return
        session = self._session
        inscription = await session._last_seen(number)
        if inscription is None:
            return
        if not is_allowed(Action.CREATE_CERFA06, inscription.status) and (
            session._may_be_stale(Action.CREATE_CERFA06, inscription)
        ):
            inscription = await self.get(number)
        check(Action.CREATE_CERFA06, inscription.status)
        from antsclient.validation import neph_mismatch  # noqa: PLC0415 - loaded on first use

        mismatch = neph_mismatch(application.neph, inscription.neph)
        if mismatch is not None:
            raise ApplicationDataError(problems=[mismatch])

    async def get(self, number: str) -> OnlineRequest:
        """The request ``number`` as ANTS holds it now."""
        session = self._session
        try:
            request = await session._call(ops.get_request(number), ops.parse_request)
        except RequestNotFound:
            await session._forget(str(number))
            raise
        return await session._remember(request)

    async def refresh(self, request: RequestRef, *, update_student: bool = False) -> OnlineRequest:
        """Mettre à jour: the request's number, status, dates and transfer flag, from ANTS.

        With ``update_student``, as the manual's « Mettre à jour » does for « les
        informations de l'élève et de la demande », every field ANTS holds is also written
        into the linked student's file through the session's ``students`` directory (a
        :class:`ConfigurationError` without one, before any call; :class:`ActionNotAllowed`
        ``request_not_linked`` for a request linked to no student).
        """
        session = self._session
        check(Action.REFRESH, rights=session.rights)
        directory = _students_of(session) if update_student else None
        current = await self.get(_number_of(request))
        if directory is not None:
            if current.student_id is None:
                raise _not_linked(current)
            held = await self.application(current.number)
            await off_loop(directory.update_from_ants, current.student_id, held)
        return current

    async def application(self, request: RequestRef) -> Cerfa02 | Cerfa06:
        """Every field ANTS holds for the request (its Cerfa data)."""
        return await self._session._call(
            ops.get_application(_number_of(request)), ops.parse_application
        )

    async def print(
        self,
        request: RequestRef,
        *,
        to: str | os.PathLike[str],
        cerfa: Cerfa | str | None = None,
        paper: PaperRequest | None = None,
    ) -> Path:
        """Impression Cerfa: the request's filled Cerfa 02 or 06 as a PDF, saved into ``to``.

        ``to`` is a ``.pdf`` path, or a folder where the file is named ``cerfa02-3223.pdf``;
        returns its path. The form is filled from what ANTS holds now (the request and its
        application data); ``cerfa`` prints the other form (a Cerfa 06 from an accepted
        Cerfa 02); ``paper`` adds a paper request's registration, bordereau and tracking.
        Needs the ``print`` extra (:class:`~antsclient.errors.ExtraNotInstalled` without it,
        before any call). See :mod:`antsclient.printing`.
        """
        from antsclient import printing  # noqa: PLC0415

        session = self._session
        printing.require()
        current = await self.get(_number_of(request))
        held = await self.application(current.number)
        return await off_loop(
            printing.write_cerfa,
            to,
            held,
            current,
            cerfa=cerfa,
            paper=paper,
            agreement=session.credentials.agreement,
        )

    async def compare(
        self, request: RequestRef, student: StudentFile | Application
    ) -> list[Difference]:
        """Divergence de données: the fields where the host's ``student`` file and what ANTS
        holds for the request differ (empty: they agree).

        ``student`` is the host's student (:class:`~antsclient.storage.Student`, compared on
        its application data when it has some, else on names and email) or an application.
        ``refresh(request, update_student=True)`` then writes ANTS's side into the file.
        """
        from antsclient.divergence import differences  # noqa: PLC0415

        held = await self.application(_number_of(request))
        return differences(student, held)

    async def _changed(self, number: str, expected: set[RequestStatus]) -> Any:
        current = await self.get(number)
        return retries.Done(current) if current.status in expected else None

    async def validate(self, request: RequestRef) -> OnlineRequest:
        """Valider la demande: a draft whose required documents are sent becomes final.

        ANTS mails the student, who has 7 days to confirm. Needs the right
        « ANTS - Valider une demande ». After it the request can no longer be modified.
        The rights and the status are checked first, on the last known copy; whether every
        required document was sent is ANTS's to check, at the moment it validates
        (:class:`ActionNotAllowed` ``required_documents_missing``): one round trip when all
        goes well. An answer lost after ANTS saved the validation is found out by reading
        the request back (see :meth:`AsyncAntsSession._write`).
        """
        session = self._session
        current = await session._checked(Action.VALIDATE, request)
        expected = {RequestStatus.AWAITING_APPLICANT_VALIDATION, RequestStatus.UNDER_REVIEW}
        result = await session._write(
            ops.validate_request(current.number),
            ops.parse_request,
            lambda: self._changed(current.number, expected),
            current.number,
        )
        return await session._remember(result)

    async def delete(self, request: RequestRef) -> None:
        """Supprimer la demande: only in BROUILLON or EN COURS DE VALIDATION PAR L'ÉLÈVE.

        Needs the right « ANTS - Supprimer une demande ».
        """
        session = self._session
        current = await session._checked(Action.DELETE, request)

        async def gone() -> Any:
            try:
                await self.get(current.number)
            except RequestNotFound:
                return retries.Done(None)
            return None

        await session._write(
            ops.delete_request(current.number), ops.parse_nothing, gone, current.number
        )
        await session._forget(current.number)

    async def transfer(
        self, number: str, *, former_agreement: str, student_id: str | None = None
    ) -> OnlineRequest:
        """Transférer une demande: take over request ``number`` from another agency.

        As on ANTS, the new school gives the request's number and ``former_agreement``, the
        agreement number of the school that filed it (« E » and 10 digits, not the
        agency's own: checked before anything is sent, :class:`ApplicationDataError`). A
        request filed under a paper mandate cannot be transferred (:class:`ActionNotAllowed`
        from ANTS). With ``student_id`` the request is linked at once to the host's
        student it is taken over for (the student who changed driving school).
        """
        session = self._session
        check(Action.TRANSFER, rights=session.rights)
        from antsclient.validation import check_former_agreement  # noqa: PLC0415

        former = check_former_agreement(former_agreement, own=session.credentials.agreement)

        async def taken() -> Any:
            try:
                current = await self.get(number)
            except RequestNotFound:
                return None
            return retries.Done(current) if current.transferred else None

        result = await session._write(
            ops.transfer_request(number, former), ops.parse_request, taken, number
        )
        await session._remember(result)
        if student_id is not None:
            return await self.link(result, student_id)
        return result

    async def send_complement(self, request: RequestRef) -> OnlineRequest:
        """Transmettre le complément a prefecture asked for (À COMPLÉTER → in review)."""
        session = self._session
        current = await session._checked(Action.SEND_COMPLEMENT, request)
        result = await session._write(
            ops.send_complement(current.number),
            ops.parse_request,
            lambda: self._changed(
                current.number, {RequestStatus.UNDER_REVIEW, RequestStatus.IN_PROGRESS}
            ),
            current.number,
        )
        return await session._remember(result)

    async def link(
        self, request: RequestRef, student_id: str, *, update_student: bool = False
    ) -> OnlineRequest:
        """Relier la demande à un élève: link a request to the host's student ``student_id``.

        With ``update_student``, every field ANTS holds for the request (address, phone,
        email, cerfa data) is written to the student through the session's ``students``
        directory.
        """
        session = self._session
        check(Action.LINK, rights=session.rights)
        directory = _students_of(session) if update_student else None
        number = _number_of(request)

        async def linked_to() -> Any:
            current = await self.get(number)
            return retries.Done(current) if current.student_id == student_id else None

        call = ops.link_request(number, student_id)
        linked = await session._remember(
            await session._write(call, ops.parse_request, linked_to, number)
        )
        if directory is not None:
            held = await self.application(linked)
            await off_loop(directory.update_from_ants, student_id, held)
        return linked

    async def sync_all(
        self,
        *,
        created: DateWindow | None = None,
        modified: DateWindow | None = None,
        progress: Callable[[int, int], None] | None = None,
        concurrency: int = 8,
        full: bool = False,
        options: SyncOptions | None = None,
    ) -> SyncReport:
        """Mettre à jour toutes les demandes of the agency into the session's store.

        Optionally within creation and modification windows; without windows, a later sync
        asks only for what changed since the stored watermark (``full=True`` lists
        everything again). Pages are fetched concurrently (at most ``concurrency`` at once);
        ``progress(done, total)`` is called as pages arrive. ``options`` gives all of these
        as one :class:`~antsclient.agency.SyncOptions` (then the keywords are ignored). An
        error that stops the sync is raised once the pages already fetched are stored, and
        the watermark does not move (unless ``options.raise_errors`` is false: then it is in
        the report). See :mod:`antsclient._listing`.
        """
        # The listing engine is loaded by the first sync, not with the session (2 ms of
        # an application's start that never syncs).
        from antsclient._listing import SyncOptions, SyncPlan  # noqa: PLC0415

        opts = options or SyncOptions(
            created=created,
            modified=modified,
            progress=progress,
            concurrency=concurrency,
            full=full,
        )
        session = self._session
        agreement = session.credentials.agreement
        if not session._store:
            raise no_store_error()
        previous = (
            await session._store.watermark(agreement)
            if SyncPlan.reads_watermark_for(opts)
            else None
        )
        plan = SyncPlan(
            agreement,
            opts,
            previous,
            keeps_watermark=session._store.keeps_watermark,
            max_pages=session.limits.pages,
        )
        try:
            await self._walk(plan)
            await self._finish(plan)
        except Exception as exc:
            if opts.raise_errors:
                raise
            return plan.report(exc)
        return plan.report()

    async def _walk(self, plan: SyncPlan) -> None:
        """Fetch the listing's pages concurrently and store each as it arrives."""
        from antsclient._listing import newest_known  # noqa: PLC0415 - loaded by sync_all

        session = self._session
        listing = plan.listing
        agreement = plan.agreement

        # Each page is read where its requests are stored, not in the task (the thread, for
        # the blocking session) that fetched it: the threads then hold the GIL only to
        # receive, and the requests are made on the core that writes them (−7 % CPU, −5 %
        # wall on a 20,000-request sync into SQLite). A page that cannot be read is asked
        # again, read on arrival this time, where a malformed answer is retried as any
        # other; with no retry allowed, what made it unreadable is raised at once.
        unreadable: set[int] = set()

        async def fetch(number: int) -> ops.Page | ops.PageAnswer:
            if number in unreadable:
                return await session._call(listing.call(number), ops.parse_page)
            return await session._call(listing.call(number), ops.receive_page)

        async with AsyncPool(fetch, plan.options.concurrency) as pool:
            for number in listing.start():
                pool.add(number)
            pool.meanwhile(ops.prepare_reading)
            while (arrived := await pool.next()) is not None:
                number, page = arrived
                if isinstance(page, ops.PageAnswer):
                    try:
                        page = ops.read_page(page)
                    except ProtocolError:
                        if session.retry.attempts == 1:
                            raise
                        unreadable.add(number)
                        pool.add(number)
                        continue
                more, arrival = listing.arrived(number, page)
                for number in more:
                    pool.add(number)
                if arrival.fresh or arrival.again or arrival.failed:  # else past the end
                    result = await session._store.merge(agreement, arrival.fresh)
                    if arrival.again:
                        await session._store.merge(agreement, arrival.again)
                    plan.stored(arrival, result)
                    newest_known(session._known, (*arrival.fresh, *arrival.again))
                if pool.idle:
                    for number in listing.next_pass():
                        pool.add(number)

    async def _finish(self, plan: SyncPlan) -> None:
        """Write back what a whole listing says: copies gone from ANTS, the new watermark."""
        store = self._session._store
        removals = plan.removals()
        if removals is not None:
            keep, before = removals
            plan.removed = await store.remove_missing(plan.agreement, keep, before=before)
        watermark = plan.next_watermark()
        if watermark is not None:
            await store.set_watermark(plan.agreement, watermark)

    async def search(
        self,
        *,
        bucket: Bucket | None = None,
        cerfa: Cerfa | None = None,
        number: str | None = None,
        created: DateWindow | None = None,
        modified: DateWindow | None = None,
        page: int = 1,
        page_size: int = 100,
    ) -> AsyncRequestPage:
        """Rechercher des demandes: the agency's requests matching every criterion.

        Returns page ``page``; iterating it walks every matching request, reading the next
        pages as needed (see :class:`~antsclient.AsyncRequestPage`).
        """
        session = self._session

        async def fetch(number_: int) -> AsyncRequestPage:
            call = ops.search_requests(
                bucket=bucket,
                cerfa=cerfa,
                number=number,
                created=created,
                modified=modified,
                page=number_,
                page_size=page_size,
            )
            result = await session._call(call, ops.parse_page)
            await session._remember_all(result.items)
            return AsyncRequestPage(result, fetch)

        return await fetch(page)

    async def counts(self) -> dict[Cerfa | None, dict[Bucket, int]]:
        """The dashboard: how many requests per cerfa (``None``: all) and bucket."""
        return await self._session._call(ops.count_requests(), ops.parse_counts)

    async def types(self) -> dict[RequestType, RequestTypeSpec]:
        """Les types de demande ANTS takes: form, categories, prerequisite, documents and
        where an acceptance leads, as the server serves them (the same table as
        :data:`antsclient.models.REQUEST_TYPES`)."""
        return await self._session._call(ops.list_request_types(), ops.parse_request_types)


class AsyncAttachments(_Namespace):
    """Pièces justificatives of a request: list, send, view, delete."""

    name = "attachments"

    async def slots(self, request: RequestRef) -> list[AttachmentSlot]:
        """One line per document kind: label, pages / max pages, help, sent, required, comment."""
        return await self._session._call(ops.list_attachments(_number_of(request)), ops.parse_slots)

    async def upload(
        self,
        request: RequestRef,
        kind: DocumentKind,
        file: str | os.PathLike[str] | IO[bytes] | bytes | bytearray,
        *,
        comment: str | None = None,
        filename: str | None = None,
        idempotency_key: str | None = None,
    ) -> AttachmentFile:
        """Envoyer une pièce justificative from a path, an open binary stream, or its
        content as bytes (as a web host holds an upload; bytes are never a path).

        ``filename`` is the name sent and shown in messages (by default the path's or the
        stream's; ``document.pdf`` for bytes). A missing file, its size (11 MB), type (from
        the content), pages and comment (80 characters) are checked before anything leaves
        (:class:`AttachmentRejected`, naming the file); the limit of pages counting those
        already sent is ANTS's to check, as it stores the file (the same error). One round
        trip when all goes well; the file is streamed, and every try carries the same
        idempotency key, so that a try whose answer was lost is answered, when sent again,
        with the document the first one stored: a document is never stored twice.
        ``idempotency_key`` is that key when the host makes it (one per document it sends,
        kept until it knows the outcome): calling ``upload`` again with it after
        :class:`AntsUnavailable` stores the document once, however the first call ended.
        """
        return await self._upload(
            request, kind, file, comment, filename=filename, idempotency_key=idempotency_key
        )

    async def upload_from_student(
        self,
        request: RequestRef,
        kind: DocumentKind,
        document_id: str,
        *,
        comment: str | None = None,
    ) -> AttachmentFile:
        """Send a document already in the student's file (the host's document source)."""
        source = self._session.student_documents
        if source is None:
            raise ConfigurationError(
                "no student-document source was given to the session",
                field="student_documents",
                message_fr="Aucun dossier de documents élève n'est configuré.",
            )
        return await self._upload(request, kind, source.get_document(document_id), comment)

    async def _upload(
        self,
        request: RequestRef,
        kind: DocumentKind,
        file: files.UploadSource,
        comment: str | None,
        *,
        filename: str | None = None,
        idempotency_key: str | None = None,
    ) -> AttachmentFile:
        session = self._session
        kind = DocumentKind(kind)
        check(Action.UPLOAD_ATTACHMENT, rights=session.rights)
        upload, _ = files.prepare_upload(kind, file, comment=comment, name=filename)
        current = await session._checked(Action.UPLOAD_ATTACHMENT, request)
        key = idempotency_key or uuid.uuid4().hex
        call = ops.upload_attachment(current.number, kind, upload, idempotency_key=key)
        try:
            return await session._call(
                call,
                ops.parse_attachment_file,
                timeout=session._upload_timeout,
                about=current.number,
            )
        except AttachmentRejected as refused:  # by ANTS: the page limit with what was sent
            refused.kind = refused.kind or kind.value
            raise

    async def download(
        self,
        request: RequestRef,
        kind: DocumentKind,
        file_id: str,
        *,
        to: str | os.PathLike[str],
    ) -> Path:
        """Voir une pièce envoyée: download it into the folder ``to``; returns its path."""
        number = _number_of(request)
        check(Action.VIEW_ATTACHMENTS, rights=self._session.rights)
        return await self._session._download(
            ops.download_attachment(number, kind, file_id), to, f"{kind}-{file_id}"
        )

    async def delete(self, request: RequestRef, kind: DocumentKind, file_id: str) -> None:
        """Supprimer une pièce envoyée (on ANTS too): only while the request is a draft."""
        session = self._session
        current = await session._checked(Action.DELETE_ATTACHMENT, request)

        async def gone() -> Any:
            slots = await self.slots(current.number)
            present = any(f.file_id == file_id for s in slots for f in s.files)
            return None if present else retries.Done(None)

        await session._write(
            ops.delete_attachment(current.number, kind, file_id),
            ops.parse_nothing,
            gone,
            current.number,
        )


class AsyncEPhotoCodes(_Namespace):
    """Code ePhoto: set, view, delete, or the photo-signature deposit form."""

    name = "ephoto"

    async def set(self, request: RequestRef, code: str, *, cerfa: Cerfa) -> OnlineRequest:
        """Ajouter / modifier le code ePhoto of the Cerfa 02 or 06. A code serves only once."""
        session = self._session
        from antsclient.validation import validate_ephoto_code  # noqa: PLC0415

        normalised = validate_ephoto_code(code)
        current = await session._checked(Action.SET_EPHOTO, request)

        async def held() -> Any:
            photo = await self._held(current.number)
            return retries.Done(None) if photo is not None and photo.code == normalised else None

        await session._write(
            ops.set_ephoto(current.number, normalised, Cerfa(cerfa)),
            ops.parse_nothing,
            held,
            current.number,
        )
        return await session._reread(current)

    async def get(self, request: RequestRef) -> EPhoto:
        """Voir la ePhoto: the photo and signature images of the request's code."""
        check(Action.VIEW_EPHOTO, rights=self._session.rights)
        return await self._session._call(ops.get_ephoto(_number_of(request)), ops.parse_ephoto)

    async def delete(self, request: RequestRef, cerfa: Cerfa) -> OnlineRequest:
        """Supprimer le code ePhoto of the Cerfa 02 or 06 (right « Supprimer le code ePhoto »)."""
        session = self._session
        current = await session._checked(Action.DELETE_EPHOTO, request)

        async def gone() -> Any:
            photo = await self._held(current.number)
            return None if photo is not None and photo.cerfa is Cerfa(cerfa) else retries.Done(None)

        await session._write(
            ops.delete_ephoto(current.number, Cerfa(cerfa)),
            ops.parse_nothing,
            gone,
            current.number,
        )
        return await session._reread(current)

    async def _held(self, number: str) -> EPhoto | None:
        """The ePhoto ANTS holds for the request now (``None``: no code), read back after a
        write whatever the user's rights to view it."""
        try:
            return await self._session._call(ops.get_ephoto(number), ops.parse_ephoto)
        except ResourceNotFound:
            return None

    async def deposit_form(self, request: RequestRef, *, to: str | os.PathLike[str]) -> Path:
        """Formulaire de dépôt de photo-signature (Cerfa 02 only), saved into ``to``."""
        session = self._session
        current = await session._checked(Action.DEPOSIT_FORM, request)
        return await session._download(
            ops.deposit_form(current.number), to, f"formulaire-depot-photo-{current.number}.pdf"
        )


class AsyncDocuments(_Namespace):
    """Documents de la préfecture (Éditer les documents), for linked requests."""

    name = "documents"

    async def list(self, request: RequestRef) -> list[PrefectureDocument]:
        """The documents ANTS makes available for the request (a linked one)."""
        current = await self._session._checked(Action.DOWNLOAD_DOCUMENTS, request)
        return await self._session._call(ops.list_documents(current.number), ops.parse_documents)

    async def download(
        self, request: RequestRef, kind: PrefectureDocumentKind, *, to: str | os.PathLike[str]
    ) -> Path:
        """Save the document ``kind`` into the folder ``to``; returns its path."""
        session = self._session
        current = await session._checked(Action.DOWNLOAD_DOCUMENTS, request)
        kind = PrefectureDocumentKind(kind)
        return await session._download(
            ops.download_document(current.number, kind), to, f"{kind.value}-{current.number}.pdf"
        )
