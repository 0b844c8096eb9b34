"""The console over HTTP: every page, every form, and what keeps it safe.

No browser here: an HTTP client that keeps the console's cookie posts the forms as their
pages do (:func:`console_helpers.post`).
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import attrs
import httpx
import pytest
from console_helpers import post, token_of
from starlette.requests import Request

import antsclient as ants
from antsclient.demo import sample_application, write_pdf
from antsclient.sandbox import SandboxHandle, create_app
from antsclient.sandbox.console.security import COOKIE, HEADERS, is_local_client, is_safe_host
from antsclient.sandbox.console.views import _file

pytestmark = pytest.mark.network

PAGES = [
    "/console/",
    "/console/agence",
    "/console/eleve",
    "/console/prefecture",
    "/console/bac-a-sable",
]


def _draft(sb: SandboxHandle, folder: Path, *, documents: bool = True) -> ants.OnlineRequest:
    base = sample_application()
    application = attrs.evolve(
        base,
        applicant=attrs.evolve(base.applicant, first_name="Inès", other_first_names=""),
        student_id="eleve-7",
    )
    with ants.AntsSession(sb.credentials, base_url=sb.url) as session:
        request = session.requests.create(application)
        if documents:
            for slot in session.attachments.slots(request):
                if slot.required:
                    pdf = write_pdf(folder / f"{slot.kind}.pdf", 1)
                    session.attachments.upload(request, slot.kind, pdf)
        session.ephoto.set(request, "DEMO2PHOTO02SIGN0CODE1", cerfa=ants.Cerfa.C02)
        return session.requests.refresh(request)


@pytest.mark.parametrize("path", PAGES)
def test_each_view_answers_with_its_guards(web: httpx.Client, path: str) -> None:
    page = web.get(path)
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    for name, value in HEADERS.items():
        assert page.headers[name] == value
    cookie = page.headers["set-cookie"]
    assert cookie.startswith(f"{COOKIE}=")
    assert "HttpOnly" in cookie
    assert "SameSite=strict" in cookie
    assert "Path=/console" in cookie
    assert '<html lang="fr">' in page.text
    assert "set-cookie" not in web.get(path).headers  # the browser keeps its cookie


def test_assets_ship_in_the_package(web: httpx.Client) -> None:
    css = web.get("/console/static/console.css")
    assert css.status_code == 200
    assert "@media" in css.text
    assert (
        web.get("/console/static/console.js").headers["content-type"].startswith("text/javascript")
    )
    assert "http" not in web.get("/console/").text.split("<body>")[0]  # nothing from outside


def test_posts_need_the_token_and_the_origin(sb: SandboxHandle, web: httpx.Client) -> None:
    web.get("/console/bac-a-sable")
    origin = {"Origin": sb.url}
    assert (
        web.post("/console/bac-a-sable/horloge", data={"jours": "1"}, headers=origin).status_code
        == 403
    )
    forged = web.post(
        "/console/bac-a-sable/horloge", data={"jours": "1", "csrf": "0" * 64}, headers=origin
    )
    assert forged.status_code == 403
    assert "Jeton de sécurité" in forged.text
    token = token_of(web.get("/console/bac-a-sable").text)
    other = web.post(
        "/console/bac-a-sable/horloge",
        data={"jours": "1", "csrf": token},
        headers={"Origin": "https://evil.example.com"},
    )
    assert other.status_code == 403
    assert "ne vient pas de la console" in other.text
    with httpx.Client(base_url=sb.url) as stranger:  # another browser: another cookie
        refused = stranger.post("/console/bac-a-sable/horloge", data={"jours": "1", "csrf": token})
        assert refused.status_code == 403
    before = sb.now()
    assert post(web, "/console/bac-a-sable/horloge", {"jours": "1,5"}).status_code == 303
    assert (sb.now() - before).total_seconds() >= 1.5 * 86400


@pytest.mark.parametrize(
    ("host", "safe"),
    [
        ("127.0.0.1:8765", True),
        ("[::1]:8765", True),
        ("localhost:8765", True),
        ("app.localhost", True),
        ("sandbox.test", True),
        ("testserver", True),
        ("evil.example.com", False),
        ("127.0.0.1.nip.io", False),
        ("", False),
    ],
)
def test_hosts_that_dns_cannot_rebind(host: str, safe: bool) -> None:
    assert is_safe_host(host) is safe


def test_only_the_loopback_and_safe_hosts_reach_it(sb: SandboxHandle) -> None:
    app = create_app()
    try:

        async def get(client: tuple[str, int], base: str) -> httpx.Response:
            transport = httpx.ASGITransport(app=app, client=client)
            async with httpx.AsyncClient(transport=transport, base_url=base) as http:
                return await http.get("/console/agence")

        remote = asyncio.run(get(("192.0.2.7", 5000), "http://127.0.0.1"))
        assert remote.status_code == 403
        assert "ne répond qu&#39;aux appels de cette machine" in remote.text
        assert asyncio.run(get(("127.0.0.1", 5000), "http://127.0.0.1")).status_code == 200
        assert asyncio.run(get(("::1", 5000), "http://sandbox.test")).status_code == 200
        rebound = asyncio.run(get(("127.0.0.1", 5000), "http://attacker.example.com"))
        assert rebound.status_code == 403
        assert "Nom d&#39;hôte refusé" in rebound.text
    finally:
        app.sandbox.close()
    with httpx.Client(base_url=sb.url) as http:
        assert http.get("/console/", headers={"Host": "evil.example.com"}).status_code == 403


def test_the_agency_list_filters_and_pages(sb: SandboxHandle, web: httpx.Client) -> None:
    sb.seed_requests(120)
    page = web.get("/console/agence").text
    assert "page 1 sur 3" in page
    assert 'rel="next"' in page
    assert 'class="unlinked"' in page  # the direct request, in red
    second = web.get("/console/agence", params={"page": "2"}).text
    assert 'rel="prev"' in second
    assert "page 2 sur 3" in second
    drafts = web.get("/console/agence", params={"rubrique": "drafts"}).text
    assert "Brouillon</td>" in drafts
    assert "Rejeté" not in drafts.split("<tbody>")[1]
    one = sb.requests(sb.credentials.agreement)[0]
    found = web.get("/console/agence", params={"numero": one.number}).text
    assert "1 demande(s)" in found
    day = one.created.date().isoformat()
    window = web.get("/console/agence", params={"created_from": day, "created_to": day}).text
    assert f'data-number="{one.number}"' in window
    bad = web.get("/console/agence", params={"rubrique": "nope", "created_from": "hier"}).text
    assert "Valeur inconnue pour « rubrique » : nope" in bad
    assert "Date illisible : hier" in bad
    other = web.get("/console/agence", params={"agence": "E1906900012"}).text
    assert "Rhône Conduite" in other
    unknown = web.get("/console/agence", params={"agence": "E0000000000"})
    assert unknown.status_code == 404
    assert "Aucune agence" in unknown.text


def test_a_request_page_and_its_actions(
    sb: SandboxHandle, web: httpx.Client, tmp_path: Path
) -> None:
    bare = _draft(sb, tmp_path, documents=False)
    page = web.get(f"/console/agence/demandes/{bare.number}").text
    assert "Valider la demande" in page
    refused = post(web, f"/console/agence/demandes/{bare.number}/valider")
    assert refused.status_code == 409
    assert "pièces justificatives requises manquantes" in refused.text
    assert post(web, f"/console/agence/demandes/{bare.number}/complement").status_code == 409
    deleted = post(web, f"/console/agence/demandes/{bare.number}/supprimer")
    assert deleted.status_code == 303
    assert deleted.headers["location"].startswith("/console/agence?")
    assert web.get(f"/console/agence/demandes/{bare.number}").status_code == 404
    assert post(web, "/console/agence/demandes/3201/nimporte").status_code == 404

    request = _draft(sb, tmp_path)
    validated = post(web, f"/console/agence/demandes/{request.number}/valider")
    assert validated.status_code == 303
    shown = web.get(validated.headers["location"]).text
    assert "l&#39;élève a reçu le mail de confirmation" in shown
    assert "En cours de validation par l&#39;élève" in shown
    assert "Demande à valider (courriel" in shown


def test_files_photo_and_documents_are_viewable(
    sb: SandboxHandle, web: httpx.Client, tmp_path: Path
) -> None:
    request = _draft(sb, tmp_path)
    n = f"/console/agence/demandes/{request.number}"
    page = web.get(n).text
    assert "DEMO2PHOTO02SIGN0CODE1" in page
    slot = next(
        s
        for s in sb.state.slots(sb.state.agencies[sb.credentials.agreement], request.number)
        if s.files
    )
    pdf = web.get(f"{n}/pieces/{slot.kind.value}/{slot.files[0].file_id}")
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.headers["content-disposition"].startswith("inline;")
    assert pdf.content.startswith(b"%PDF")
    assert web.get(f"{n}/pieces/nope/x").status_code == 404
    assert web.get(f"{n}/pieces/{slot.kind.value}/nope").status_code == 404
    assert web.get(f"{n}/ephoto/photo").headers["content-type"] == "image/jpeg"
    assert web.get(f"{n}/ephoto/signature").headers["content-type"] == "image/png"
    assert web.get(f"{n}/documents/request_receipt").status_code == 404  # a draft has none
    sb.state.validate(sb.state.agencies[sb.credentials.agreement], request.number)
    receipt = web.get(f"{n}/documents/request_receipt")
    assert receipt.headers["content-type"] == "application/pdf"
    assert receipt.content.startswith(b"%PDF")
    assert web.get(f"{n}/documents/nope").status_code == 404
    direct = sb.register_direct()
    unlinked = web.get(f"/console/agence/demandes/{direct.number}").text
    assert "reliez d&#39;abord la demande" in unlinked
    assert web.get(f"/console/agence/demandes/{direct.number}/ephoto/photo").status_code == 404


def test_the_prefecture_decides_from_its_queue(
    sb: SandboxHandle, web: httpx.Client, tmp_path: Path
) -> None:
    request = _draft(sb, tmp_path)
    sb.state.validate(sb.state.agencies[sb.credentials.agreement], request.number)
    sb.applicant_validates(request.number)
    n = request.number
    assert f'data-number="{n}"' in web.get("/console/prefecture").text
    assert post(web, f"/console/prefecture/{n}/prise-en-charge").status_code == 303
    missing = post(web, f"/console/prefecture/{n}/complement")
    assert missing.status_code == 422
    assert "motif du complément" in missing.text
    assert post(web, f"/console/prefecture/{n}/nope").status_code == 404
    assert post(web, f"/console/prefecture/{n}/documents").status_code == 409
    assert post(web, f"/console/prefecture/{n}/accepter").status_code == 303
    assert post(web, f"/console/prefecture/{n}/documents").status_code == 303
    kinds = [m.kind.value for m in sb.outbox(number=n)]
    assert kinds[-2:] == ["accepted", "documents_issued"]
    other = sb.register_direct()
    rejected = post(web, f"/console/prefecture/{other.number}/rejeter", {"motif": "Hors délai"})
    assert rejected.status_code == 303
    assert "Décision enregistrée" in web.get(rejected.headers["location"]).text


def test_the_student_reads_the_mail(sb: SandboxHandle, web: httpx.Client, tmp_path: Path) -> None:
    request = _draft(sb, tmp_path)
    sb.state.validate(sb.state.agencies[sb.credentials.agreement], request.number)
    message = sb.outbox(number=request.number)[0]
    listing = web.get("/console/eleve", params={"destinataire": message.recipient}).text
    assert f"/console/eleve/messages/{message.id}" in listing
    assert "Aucun message." in web.get("/console/eleve", params={"destinataire": "x@y.z"}).text
    shown = web.get(f"/console/eleve/messages/{message.id}").text
    assert "Valider ma demande</a>" in shown
    page = web.get(f"/console/eleve/valider/{message.link.rsplit('/', 1)[1]}").text
    assert "(il reste 6 jour(s) et 23 h)" in page
    assert web.get("/console/eleve/messages/M999999").status_code == 404
    assert web.get("/console/eleve/valider/nope").status_code == 404
    assert post(web, "/console/eleve/valider/nope").status_code == 404


def test_the_sandbox_controls(sb: SandboxHandle, web: httpx.Client) -> None:
    agreement = sb.credentials.agreement
    count = len(sb.requests(agreement))
    assert (
        post(web, "/console/bac-a-sable/latence", {"ms": "250", "gigue_ms": "10"}).status_code
        == 303
    )
    assert sb.faults.config.latency_ms == 250
    rates = {"error_rate": "0.1", "hang_rate": "0", "drop_rate": "0.05", "malformed_rate": "0"}
    assert post(web, "/console/bac-a-sable/pannes", rates).status_code == 303
    assert sb.faults.config.error_rate == pytest.approx(0.1)
    too_much = {**rates, "error_rate": "0.9", "drop_rate": "0.9"}
    assert post(web, "/console/bac-a-sable/pannes", too_much).status_code == 422
    assert post(web, "/console/bac-a-sable/horloge", {"jours": "-1"}).status_code == 422
    assert post(web, "/console/bac-a-sable/horloge", {"jours": "deux"}).status_code == 422
    seeded = post(web, "/console/bac-a-sable/jeu-essai", {"agence": agreement, "nombre": "10"})
    assert seeded.status_code == 303
    assert post(web, "/console/bac-a-sable/directe", {"agence": agreement}).status_code == 303
    assert len(sb.requests(agreement)) == count + 11
    page = web.get("/console/bac-a-sable").text
    assert 'value="250.0"' in page
    assert post(web, "/console/bac-a-sable/nope").status_code == 404
    assert post(web, "/console/bac-a-sable/reinitialiser").status_code == 303
    assert len(sb.requests(agreement)) == count
    assert sb.faults.config.latency_ms == 0


@pytest.mark.parametrize(
    ("client", "local"),
    [(None, True), (("127.0.0.1", 1), True), (("testclient", 1), True), (("far", 1), False)],
)
def test_which_clients_are_local(client: tuple[str, int] | None, local: bool) -> None:
    scope = {"type": "http", "client": client, "headers": [], "method": "GET", "path": "/"}
    assert is_local_client(Request(scope)) is local


def test_a_file_that_is_not_a_pdf_or_an_image_is_downloaded() -> None:
    answer = _file(b"<html>", "text/html", "page.html")
    assert answer.media_type == "application/octet-stream"
    assert answer.headers["content-disposition"].startswith("attachment;")


def test_a_transferred_copy_shows_why_its_documents_are_closed(
    sb: SandboxHandle, web: httpx.Client, tmp_path: Path
) -> None:
    request = _draft(sb, tmp_path)
    state = sb.state
    state.validate(state.agencies[sb.credentials.agreement], request.number)
    sb.applicant_validates(request.number)
    state.transfer(state.agencies["E1906900012"], request.number, sb.credentials.agreement)
    page = web.get(f"/console/agence/demandes/{request.number}").text
    assert "Dossier transféré" in page
    assert "tant que la demande n&#39;est pas transférée" in page
    taken = web.get(f"/console/agence/demandes/{request.number}?agence=E1906900012").text
    assert "(transférée)" not in taken
    assert "Transférée</dt><dd>Oui" in taken.replace("\n", "")


def test_the_request_data_reads_in_french() -> None:
    from antsclient.sandbox.console.pages import request_data

    data = {
        "applicant": {"last_name": "MARTIN", "birth_date": "2001-03-14", "usage_name": None},
        "categories": ["B"],
        "declarations": {"reads_french": True, "exam_pending": False},
        "previous_licence": {"exam_names": []},
        "new_field": "x",
    }
    assert request_data(data) == [
        ("Élève — Nom", "MARTIN"),
        ("Élève — Date de naissance", "14/03/2001"),
        ("Catégories", "B"),
        ("Le candidat déclare — Lit et comprend le français", "Oui"),
        ("Le candidat déclare — Examen en cours", "Non"),
        ("new_field", "x"),
    ]
