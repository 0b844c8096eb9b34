"""The console in a real browser: the whole story through its pages, and hostile data.

The agency files through the library; the student, the prefecture and the sandbox's own
controls act through the console's pages in headless Chromium; the dashboard shows the
change. Each view is photographed (the docs' pictures: ``ANTSCLIENT_SCREENSHOTS=docs/img``).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import attrs
import pytest

import antsclient as ants
from antsclient.demo import sample_application, write_pdf
from antsclient.sandbox import SandboxHandle

pytestmark = [pytest.mark.network, pytest.mark.slow]

EMAIL = "lea.martin@example.org"


def _count(page: Any, bucket: str) -> int:
    return int(page.locator(f'[data-bucket="{bucket}"] .count').inner_text())


def _case(page: Any, number: str) -> Any:
    return page.locator(f'li.case[data-number="{number}"]')


def test_the_whole_story_through_the_pages(
    sb: SandboxHandle, page: Any, shots: Path, tmp_path: Path
) -> None:
    console = sb.url + "/console"
    page.goto(console + "/agence")
    ready_before = _count(page, "ready_for_cerfa06")

    # The agency files a request through the library.
    base = sample_application()
    application = attrs.evolve(
        base,
        applicant=attrs.evolve(base.applicant, first_name="Léa", other_first_names="", email=EMAIL),
        student_id="eleve-42",
    )
    with ants.AntsSession(sb.credentials, base_url=sb.url) as session:
        request = session.requests.create(application)
        for slot in session.attachments.slots(request):
            if slot.required:
                pdf = write_pdf(tmp_path / f"{slot.kind}.pdf", 1)
                session.attachments.upload(request, slot.kind, pdf)
        request = session.requests.validate(request)
        number = request.number

        # The dashboard counts it among the requests awaiting the student.
        page.goto(console + "/agence")
        assert page.locator(f'tr[data-number="{number}"]').count() == 1
        page.screenshot(path=shots / "console-agence.png", full_page=True)

        # The student opens the mail and follows its link.
        page.goto(console + "/eleve")
        page.screenshot(path=shots / "console-eleve.png", full_page=True)
        page.get_by_role("link", name=re.compile(f"Validez votre demande .* n° {number}")).click()
        assert "7 jours, jusqu'au" in page.locator(".body").inner_text()
        page.screenshot(path=shots / "console-eleve-message.png", full_page=True)
        page.get_by_role("link", name="Valider ma demande").click()
        page.screenshot(path=shots / "console-eleve-validation.png", full_page=True)
        page.get_by_role("button", name="Je valide ma demande").click()
        assert "votre demande est validée" in page.get_by_role("status").inner_text()

        # The prefecture asks for a complement, with its reason.
        page.goto(console + "/prefecture")
        page.screenshot(path=shots / "console-prefecture.png", full_page=True)
        case = _case(page, number)
        case.get_by_label("Motif du complément").fill("Justificatif de domicile illisible")
        case.get_by_role("button", name="Demander un complément").click()
        assert "Décision enregistrée" in page.get_by_role("status").inner_text()
        assert _case(page, number).count() == 0

        # The agency uploads the complement through the library and sends it.
        request = session.requests.refresh(request)
        assert request.status is ants.RequestStatus.TO_COMPLETE
        pdf = write_pdf(tmp_path / "domicile-lisible.pdf", 1)
        session.attachments.upload(request, ants.DocumentKind.PROOF_OF_ADDRESS, pdf)
        session.requests.send_complement(request)

        # The prefecture accepts.
        page.goto(console + "/prefecture")
        _case(page, number).get_by_role("button", name="Accepter").click()
        assert session.requests.refresh(request).neph

    # The dashboard counts change; the request's page tells its story.
    page.goto(console + "/agence")
    assert _count(page, "ready_for_cerfa06") == ready_before + 1
    page.get_by_role("link", name=number, exact=True).click()
    history = page.locator(".history").inner_text()
    assert "Justificatif de domicile illisible" in history
    assert "Dossier à traiter en Cerfa 06" in history
    greyed = page.locator("li.greyed", has_text="Valider la demande")
    assert greyed.get_by_role("button").is_disabled()
    assert "Seule une demande au statut BROUILLON" in greyed.inner_text()
    page.screenshot(path=shots / "console-demande.png", full_page=True)

    # The sandbox's clock moves from its page; the student's mail shows the decision.
    page.goto(console + "/bac-a-sable")
    before = page.locator(".clock time").inner_text()
    page.get_by_label("Avancer de (jours)").fill("2")
    page.get_by_role("button", name="Avancer l'horloge").click()
    assert page.locator(".clock time").inner_text() != before
    page.screenshot(path=shots / "console-bac-a-sable.png", full_page=True)
    page.goto(console + f"/eleve?destinataire={EMAIL}")
    kinds = page.locator("tr[data-kind]").evaluate_all("rows => rows.map(r => r.dataset.kind)")
    assert kinds[:2] == ["accepted", "complement_asked"]

    # On a phone, the list stays readable.
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(console + "/agence")
    assert page.get_by_role("heading", name="Tableau de bord").is_visible()
    page.screenshot(path=shots / "console-agence-telephone.png", full_page=False)


def test_hostile_names_are_shown_as_text(sb: SandboxHandle, page: Any) -> None:
    hostile_last = "<script>window.pwned=1</script>\"'"
    hostile_first = '"><img src=x onerror="window.pwned=2">'
    base = sample_application()
    application = attrs.evolve(
        base,
        applicant=attrs.evolve(
            base.applicant,
            last_name=hostile_last,
            first_name=hostile_first,
            email="hostile@example.org",
        ),
    )
    direct = sb.register_direct(application)
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    console = sb.url + "/console"
    shown = "<SCRIPT>WINDOW.PWNED=1</SCRIPT>\"'"
    page.goto(console + "/prefecture")
    assert shown in _case(page, direct.number).inner_text()
    _case(page, direct.number).get_by_label("Motif du complément").fill('<b>motif</b> & "citation"')
    _case(page, direct.number).get_by_role("button", name="Demander un complément").click()
    assert page.evaluate("window.pwned") is None
    for path, text in (
        ("/agence", shown),
        (f"/agence/demandes/{direct.number}", hostile_first),
        ("/eleve", "hostile@example.org"),
        (f"/eleve/messages/{sb.outbox(number=direct.number)[0].id}", shown),
    ):
        page.goto(console + path)
        assert page.evaluate("window.pwned") is None, path
        assert page.locator("img[src=x]").count() == 0, path
        assert text in page.locator("main").inner_text(), path
    page.goto(console + f"/agence/demandes/{direct.number}")
    assert '<b>motif</b> & "citation"' in page.locator(".history").inner_text()
    assert dialogs == []


def test_the_keyboard_reaches_every_view(sb: SandboxHandle, page: Any) -> None:
    page.goto(sb.url + "/console/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Aller au contenu"
    for _ in range(3):
        page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Élève"
    page.keyboard.press("Enter")
    page.wait_for_url("**/console/eleve")
    assert page.get_by_role("heading", level=1).inner_text() == "Messages reçus par l'élève"
