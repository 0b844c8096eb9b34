"""The console's pages and forms, on Starlette, rendered by Jinja2 with autoescape.

Four views of one sandbox: the agency's (dashboard, list, a request's page), the student's
(mail received, the confirmation page a link opens), the prefecture's (its queue and
decisions) and the sandbox's own controls (clock, latency, faults, seeding, reset). A form
posts, the sandbox changes, the browser is sent back to a page (303) that shows the change.
"""

from __future__ import annotations

import functools
import urllib.parse
from collections.abc import Awaitable, Callable
from typing import Any, Final

import jinja2
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from antsclient._display import french_date, french_datetime
from antsclient.errors import AntsError
from antsclient.models.enums import Bucket, Cerfa, PrefectureDecision, PrefectureDocumentKind
from antsclient.sandbox.agencies import DEFAULT_AGENCY
from antsclient.sandbox.console import pages
from antsclient.sandbox.console.security import FIELD, Guard
from antsclient.sandbox.control import Controls
from antsclient.sandbox.mailbox import Channel
from antsclient.sandbox.records import Agency
from antsclient.sandbox.wire import disposition

__all__ = ["Console", "environment"]

_DONE: Final = {
    "valider": "Demande validée : l'élève a reçu le mail de confirmation.",
    "complement": "Complément transmis à la préfecture.",
    "supprimer": "Demande supprimée.",
    "validee": "Merci : votre demande est validée et transmise à la préfecture.",
    "decision": "Décision enregistrée : l'élève en est informé.",
    "documents": "Documents délivrés : l'élève en est informé.",
    "prise-en-charge": "Demande prise en charge.",
    "horloge": "Horloge avancée.",
    "latence": "Latence enregistrée.",
    "pannes": "Taux de pannes enregistrés.",
    "jeu-essai": "Demandes ajoutées.",
    "directe": "Demande enregistrée directement sur l'ANTS (non reliée).",
    "reinitialiser": "Bac à sable réinitialisé.",
}
_VIEWABLE: Final = frozenset({"application/pdf", "image/jpeg", "image/png"})
_DECISIONS: Final = {
    "accepter": PrefectureDecision.ACCEPT,
    "rejeter": PrefectureDecision.REJECT,
    "complement": PrefectureDecision.ASK_COMPLETION,
}

Handler = Callable[[Request], Awaitable[Response]]


@functools.cache
def environment() -> jinja2.Environment:
    """The templates shipped in the package, every value escaped, built once."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("antsclient.sandbox.console", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["datetime"] = french_datetime
    env.filters["date"] = french_date
    env.globals.update(Bucket=Bucket, Cerfa=Cerfa, Channel=Channel, quote=urllib.parse.urlencode)
    return env


class _Refused(Exception):
    """A call the console answers with a page of explanation (status, French text)."""

    def __init__(self, status: int, text: str) -> None:
        super().__init__(text)
        self.status = status
        self.text = text


class Console:
    """The console of one sandbox: its pages, its forms, its guard."""

    def __init__(self, controls: Controls) -> None:
        self.controls = controls
        self.guard: Guard = Guard()

    # -- plumbing ------------------------------------------------------------------------

    def page(self, handler: Handler) -> Handler:
        """A GET: guarded, rendered, with the console's headers and cookie; a refusal of the
        sandbox is a 404 page."""
        return self._guarded(handler, posted=False)

    def form(self, handler: Handler) -> Handler:
        """A POST: guarded, its token and origin checked; a refusal of the sandbox (the
        lifecycle's, a decision's) is a 409 page."""
        return self._guarded(handler, posted=True)

    def _guarded(self, handler: Handler, *, posted: bool) -> Handler:
        @functools.wraps(handler)
        async def endpoint(request: Request) -> Response:
            browser, new = self.guard.browser_id(request)
            request.state.csrf = self.guard.token(browser)
            try:
                refusal = self.guard.refusal(request)
                if posted:
                    data = await request.form()
                    form = {k: str(v) for k, v in data.items() if isinstance(v, str)}
                    request.state.form = form
                    refusal = refusal or self.guard.post_refusal(request, form.get(FIELD, ""))
                if refusal:
                    raise _Refused(403, refusal)
                response = await handler(request)
            except AntsError as error:
                status = 409 if posted else 404
                response = self.render(request, "refused.html", status, text=error.message_fr)
            except _Refused as refused:
                response = self.render(request, "refused.html", refused.status, text=refused.text)
            return self.guard.finish(response, browser, new)

        return endpoint

    def render(self, http: Request, name: str, status: int = 200, /, **context: Any) -> Response:
        """A template with the context every page has."""
        done = _DONE.get(http.query_params.get("ok", ""))
        html = (
            environment()
            .get_template(name)
            .render(
                csrf=http.state.csrf,
                field=FIELD,
                now=self.controls.now(),
                agencies=sorted(self.controls.state.agencies.values(), key=lambda a: a.agreement),
                done=done,
                path=http.url.path,
                **context,
            )
        )
        return HTMLResponse(html, status_code=status)

    def agency(self, request: Request) -> Agency:
        """The agency the page is about (``?agence=``, else the manual's)."""
        agreement = request.query_params.get("agence") or DEFAULT_AGENCY.agreement
        agency = self.controls.state.agencies.get(agreement)
        if agency is None:
            raise _Refused(404, f"Aucune agence n'a l'agrément « {agreement} ».")
        return agency

    @staticmethod
    def back(url: str, done: str, **params: str) -> Response:
        """Back to ``url`` with the French note of what was done."""
        query = urllib.parse.urlencode({**params, "ok": done})
        return RedirectResponse(f"{url}?{query}", status_code=303)

    # -- the agency ----------------------------------------------------------------------

    async def home(self, request: Request) -> Response:
        return self.render(request, "home.html", section="home")

    async def agency_list(self, request: Request) -> Response:
        agency = self.agency(request)
        filters, problems = pages.ListFilters.read(request.query_params)
        counts = self.controls.state.counts(agency)["all"]
        items, total, pages_count = pages.agency_list(self.controls, agency, filters)
        return self.render(
            request,
            "agency.html",
            section="agence",
            agency=agency,
            counts=counts,
            items=items,
            total=total,
            pages=pages_count,
            filters=filters,
            problems=problems,
        )

    async def agency_request(self, request: Request) -> Response:
        agency = self.agency(request)
        number = request.path_params["number"]
        state = self.controls.state
        try:
            online = state.get(agency, number)
        except AntsError as error:
            raise _Refused(404, error.message_fr) from None
        _, application = state.application_of(agency, number)
        return self.render(
            request,
            "request.html",
            section="agence",
            agency=agency,
            request=online,
            application=pages.request_data(application),
            actions=pages.request_actions(self.controls, agency, online),
            slots=_attempt(lambda: state.slots(agency, number)),
            documents=_attempt(lambda: state.documents(agency, number)),
            ephoto=_attempt(lambda: state.ephoto(agency, number)),
            history=state.history(agency, number),
            messages=self.controls.outbox(number=number),
        )

    async def agency_action(self, request: Request) -> Response:
        agency = self.agency(request)
        number, action = request.path_params["number"], request.path_params["action"]
        state = self.controls.state
        if action == "valider":
            state.validate(agency, number)
        elif action == "complement":
            state.send_complement(agency, number)
        elif action == "supprimer":
            state.delete(agency, number)
            return self.back("/console/agence", action, agence=agency.agreement)
        else:
            raise _Refused(404, f"Action inconnue : {action}")
        return self.back(f"/console/agence/demandes/{number}", action, agence=agency.agreement)

    async def attachment(self, request: Request) -> Response:
        agency = self.agency(request)
        kind = pages.document_kind(request.path_params["kind"])
        if kind is None:
            raise _Refused(404, "Pièce inconnue.")
        p = request.path_params
        try:
            stored = self.controls.state.attachment(agency, p["number"], kind, p["file_id"])
        except AntsError as error:
            raise _Refused(404, error.message_fr) from None
        return _file(stored.content, stored.media_type, stored.name)

    async def document(self, request: Request) -> Response:
        agency = self.agency(request)
        try:
            kind = PrefectureDocumentKind(request.path_params["kind"])
            name, content = self.controls.state.document(
                agency, request.path_params["number"], kind
            )
        except (ValueError, AntsError) as error:
            text = error.message_fr if isinstance(error, AntsError) else "Document inconnu."
            raise _Refused(404, text) from None
        return _file(content, "application/pdf", name)

    async def ephoto(self, request: Request) -> Response:
        agency = self.agency(request)
        try:
            photo = self.controls.state.ephoto(agency, request.path_params["number"])
        except AntsError as error:
            raise _Refused(404, error.message_fr) from None
        if request.path_params["part"] == "signature":
            return _file(photo.signature, photo.signature_media_type, "signature.png")
        return _file(photo.photo, photo.photo_media_type, "photo.jpg")

    # -- the student ---------------------------------------------------------------------

    async def applicant(self, request: Request) -> Response:
        recipient = request.query_params.get("destinataire", "").strip() or None
        messages = list(reversed(self.controls.outbox(recipient)))
        recipients = sorted({m.recipient for m in self.controls.outbox()})
        return self.render(
            request,
            "applicant.html",
            section="eleve",
            messages=messages,
            recipient=recipient,
            recipients=recipients,
        )

    async def message(self, request: Request) -> Response:
        self.controls.outbox()  # reminders due are sent first
        message = self.controls.state.mailbox.message(request.path_params["id"])
        if message is None:
            raise _Refused(404, "Ce message n'existe pas.")
        return self.render(request, "message.html", section="eleve", message=message)

    async def validation(self, request: Request) -> Response:
        found = self.controls.state.validation_link(request.path_params["token"])
        if found is None:
            raise _Refused(404, "Ce lien de validation n'est pas valide.")
        link, online = found
        return self.render(
            request, "validate.html", section="eleve", link=link, request=online, token=link.token
        )

    async def validate(self, request: Request) -> Response:
        token = request.path_params["token"]
        found = self.controls.state.validation_link(token)
        if found is None:
            raise _Refused(404, "Ce lien de validation n'est pas valide.")
        self.controls.applicant_validates(found[1].number)
        return self.back(f"/console/eleve/valider/{token}", "validee")

    # -- the prefecture ------------------------------------------------------------------

    async def prefecture(self, request: Request) -> Response:
        queue, total = pages.prefecture_queue(self.controls)
        return self.render(
            request, "prefecture.html", section="prefecture", queue=queue, total=total
        )

    async def prefecture_action(self, request: Request) -> Response:
        number, action = request.path_params["number"], request.path_params["action"]
        reason = request.state.form.get("motif", "").strip() or None
        if action == "prise-en-charge":
            self.controls.prefecture_takes_up(number)
        elif action == "documents":
            self.controls.prefecture_issues_documents(number)
        elif action in _DECISIONS:
            decision = _DECISIONS[action]
            if decision is PrefectureDecision.ASK_COMPLETION and reason is None:
                raise _Refused(422, "Indiquez le motif du complément demandé.")
            self.controls.prefecture_decides(number, decision, reason=reason)
            action = "decision"
        else:
            raise _Refused(404, f"Action inconnue : {action}")
        return self.back("/console/prefecture", action)

    # -- the sandbox ---------------------------------------------------------------------

    async def controls_page(self, request: Request) -> Response:
        return self.render(
            request,
            "controls.html",
            section="bac-a-sable",
            faults=self.controls.faults.config,
            offset=self.controls.state.clock.offset,
        )

    async def control(self, request: Request) -> Response:
        name, form = request.path_params["control"], request.state.form
        c = self.controls
        try:
            if name == "horloge":
                c.advance_days(_number(form, "jours", 0, 3650))
            elif name == "latence":
                c.set_latency(_number(form, "ms", 0, 60_000), _number(form, "gigue_ms", 0, 60_000))
            elif name == "pannes":
                c.set_faults(
                    error_rate=_number(form, "error_rate", 0, 1),
                    hang_rate=_number(form, "hang_rate", 0, 1),
                    drop_rate=_number(form, "drop_rate", 0, 1),
                    malformed_rate=_number(form, "malformed_rate", 0, 1),
                )
            elif name == "jeu-essai":
                agreement = form.get("agence") or DEFAULT_AGENCY.agreement
                c.seed_requests(int(_number(form, "nombre", 1, 5000)), agreement=agreement)
            elif name == "directe":
                c.register_direct(agreement=form.get("agence") or None)
            elif name == "reinitialiser":
                c.reset()
            else:
                raise _Refused(404, f"Contrôle inconnu : {name}")
        except (ValueError, KeyError) as exc:
            raise _Refused(422, f"Valeur refusée : {exc}") from None
        return self.back("/console/bac-a-sable", name)


def _attempt(read: Callable[[], Any]) -> Any:
    """What ``read`` returns, or the French reason it was refused (a string)."""
    try:
        return read()
    except AntsError as error:
        return error.message_fr


def _number(form: dict[str, str], name: str, low: float, high: float) -> float:
    """A number of the form, between ``low`` and ``high`` (a comma is a decimal point)."""
    text = form.get(name, "").strip().replace(",", ".") or "0"
    value = float(text)
    if not low <= value <= high:
        msg = f"{name} doit être entre {low:g} et {high:g}"
        raise ValueError(msg)
    return value


def _file(content: bytes, media_type: str, name: str) -> Response:
    """A file shown in the browser when it is a PDF or an image, downloaded otherwise."""
    if media_type in _VIEWABLE:
        headers = {"Content-Disposition": disposition(name).replace("attachment", "inline", 1)}
        return Response(content, media_type=media_type, headers=headers)
    headers = {"Content-Disposition": disposition(name)}
    return Response(content, media_type="application/octet-stream", headers=headers)
