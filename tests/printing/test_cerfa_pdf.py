"""The printed Cerfa 02 / 06 and the bordereau: every field read back from the PDF, page 1
rendered to an image, A4, black and white."""

from __future__ import annotations

import datetime as dt
import io
import os
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader

import antsclient as ants
from antsclient import printing
from antsclient.models import (
    Address,
    Applicant,
    Cerfa02,
    Cerfa06,
    Declarations,
    LegalRepresentative,
    LicenceCategory,
    ObtainedBy,
    OnlineRequest,
    PreviousLicence,
    RequestStatus,
    Sex,
    TrainingMode,
)
from antsclient.models.paper import Bordereau, PaperRequest, TrackingChannel

A4 = (595.2756, 841.8898)
GENERATED = dt.datetime(2026, 11, 30, 13, 32, tzinfo=dt.UTC)  # 14:32 in Paris


def _applicant() -> Applicant:
    return Applicant(
        last_name="CRŒTTWILLER",
        first_name="Élodie",
        other_first_names="Anne Françoise",
        usage_name="D’ANDELOT",
        sex=Sex.FEMALE,
        birth_date=dt.date(2008, 7, 5),
        birth_city="SAINT-PRIEST-D'ANDELOT",
        birth_department="03",
        birth_country="FRANCE",
        address=Address(
            street="3 rue Aristide Briand",
            complement="Bâtiment Ü, 2e étage",
            postal_code="69800",
            city="SAINT-PRIEST (69800)",
        ),
        email="elodie.croettwiller@example.org",
        phone="06 11 22 33 44",
    )


def _cerfa02() -> Cerfa02:
    return Cerfa02(
        applicant=_applicant(),
        categories={LicenceCategory.B, LicenceCategory.A2},
        legal_representative=LegalRepresentative(
            last_name="CRŒTTWILLER",
            first_name="Hélène",
            relationship="Mère",
            address=Address(street="9 allée des Cèdres", postal_code="69800", city="SAINT-PRIEST"),
            email="helene@example.org",
            phone="07 00 00 00 01",
        ),
        previous_licence=PreviousLicence(
            categories={LicenceCategory.AM},
            last_obtained_on=dt.date(2023, 3, 1),
            last_obtained_place="LYON",
            obtained_by=ObtainedBy.EXCHANGE,
            exchange_country="BELGIQUE",
            issuing_department="69",
            issuing_prefecture="Préfecture du Rhône",
        ),
        declarations=Declarations(
            exam_pending=True,
            exam_pending_other_category=True,
            adapted_vehicle=True,
            training_mode=TrainingMode.SUPERVISED,
            vision_correction=True,
            opposes_data_reuse=True,
        ),
        neph="123456789012",
        medical_visit_date=dt.date(2026, 1, 15),
        ephoto_code="ABCDEFGHIJKLMNOPQRSTUV",
        paper_mandate=True,
    )


def _request(number: str = "3223", cerfa: ants.Cerfa = ants.Cerfa.C02) -> OnlineRequest:
    return OnlineRequest(
        number=number,
        cerfa=cerfa,
        status=RequestStatus.DRAFT,
        status_label="Brouillon (en attente des pièces justificatives requises)",
        type_label=cerfa.label,
        created=dt.datetime(2017, 7, 6, 8, 15, tzinfo=dt.UTC),
        modified=dt.datetime(2017, 7, 6, 9, 45, tzinfo=dt.UTC),
        neph="123456789012",
        applicant_name="CRŒTTWILLER Élodie",
        email="elodie.croettwiller@example.org",
    )


def _read(pdf: bytes) -> tuple[PdfReader, str]:
    reader = PdfReader(io.BytesIO(pdf))
    return reader, "\n".join(page.extract_text() for page in reader.pages)


def _every_value_in(form: printing.Form, text: str) -> None:
    values = form.values()
    assert values, "the form has filled boxes"
    missing = {label: value for label, value in values.items() if value not in text}
    assert missing == {}


def test_every_field_of_a_cerfa02_is_in_its_box() -> None:
    application = _cerfa02()
    form = printing.cerfa_form(application, _request(), agreement="E1706900030")
    pdf = printing.cerfa_pdf(application, _request(), agreement="E1706900030", generated=GENERATED)
    reader, text = _read(pdf)
    _every_value_in(form, text)
    for value in ("CRŒTTWILLER", "Élodie", "Anne Françoise", "D’ANDELOT", "Bâtiment Ü, 2e étage"):
        assert value in text  # accents, ligatures and typographic apostrophes kept
    assert "05/07/2008" in text and "15/01/2026" in text and "01/03/2023" in text
    assert "06/07/2017 10:15" in text  # instants in Paris time
    assert "cerfa N° 14866*01" in text and "Réf. 02" in text
    for page, number in zip(reader.pages, range(1, len(reader.pages) + 1), strict=True):
        footer = page.extract_text()
        assert "Demande n° 3223" in footer
        assert "Généré le 30/11/2026 à 14:32" in footer
        assert f"Page {number}/{len(reader.pages)}" in footer
        assert "ce document n'est pas le formulaire officiel" in footer
        assert (float(page.mediabox.width), float(page.mediabox.height)) == pytest.approx(A4)


def test_the_declarations_are_ticked() -> None:
    form = printing.cerfa_form(_cerfa02())
    ticked = form.ticked()
    assert ("Sexe", "Féminin") in ticked
    assert ("Catégorie(s) de permis demandée(s)", "A2") in ticked
    assert ("Catégorie(s) de permis demandée(s)", "B") in ticked
    assert ("Catégorie(s) déjà obtenue(s)", "AM") in ticked
    assert ("Dernière catégorie obtenue", "Par échange") in ticked
    assert ("Être en instance d'examen", "Oui") in ticked
    assert ("En instance", "pour la même ou une autre catégorie") in ticked
    assert ("Comprendre et lire couramment le français", "Oui") in ticked
    assert ("Devoir conduire un véhicule aménagé", "Oui") in ticked
    assert ("Mode de formation", "de la conduite supervisée") in ticked
    assert ("Titulaire d'une pension d'invalidité civile ou militaire", "Non") in ticked
    assert ("Mandat papier", "Oui") in ticked
    assert any(q == "Données personnelles" for q, _ in ticked)
    _, text = _read(printing.cerfa_pdf(_cerfa02(), generated=GENERATED))
    # one « X » per ticked box (none elsewhere: no value of this form holds a capital X)
    assert text.split().count("X") == len(ticked)


def test_a_cerfa06_with_its_paper_request() -> None:
    application = Cerfa06(
        applicant=_applicant(),
        categories={LicenceCategory.B},
        neph="123456789012",
        cerfa02_number="3223",
        ephoto_code="ZYXWVUTSRQPONMLKJIHGFE",
    )
    paper = PaperRequest(
        reference="P-2017-042",
        application=application,
        registered_on="05/07/2017",
        tracking=TrackingChannel.EMAIL,
        tracking_id="SUIVI-8842",
    )
    bordereau = Bordereau(number="17", date="2017-07-06", agreement="E1706900030")
    paper = bordereau.add(paper).requests[0]
    form = printing.cerfa_form(paper=paper)
    assert form.cerfa is ants.Cerfa.C06
    pdf = printing.cerfa_pdf(paper=paper, generated=GENERATED)
    _, text = _read(pdf)
    _every_value_in(form, text)
    assert "cerfa N° 14948*01" in text and "Dossier papier P-2017-042" in text
    assert (
        "Je souhaite recevoir mes identifiants de suivi de distribution de mon permis",
        "Par courriel",
    ) in form.ticked()
    assert form.values()["Bordereau N°"] == "17" and form.values()["Date"] == "06/07/2017"


def test_from_an_online_request_alone() -> None:
    request = _request("90120170705153905547685")
    form = printing.cerfa_form(request=request)
    pdf = printing.cerfa_pdf(request=request, generated=GENERATED)
    _, text = _read(pdf)
    _every_value_in(form, text)
    assert form.values()["Nom et prénom(s)"] == "CRŒTTWILLER Élodie"
    assert form.values()["Numéro NEPH"] == "123456789012"
    assert "Demande n° 90120170705153905547685" in text


def test_a_cerfa02_prints_as_a_cerfa06() -> None:
    form = printing.cerfa_form(_cerfa02(), cerfa="06")
    assert form.cerfa is ants.Cerfa.C06
    assert form.values()["Numéro NEPH"] == "123456789012"
    assert "Code ePhoto Cerfa 02" not in form.values()


def test_nothing_to_print() -> None:
    with pytest.raises(ValueError, match="prints from"):
        printing.cerfa_form()


def test_a_long_value_shrinks_to_its_box() -> None:
    applicant = _applicant()
    long_street = (
        "Résidence des Grands Chênes, bâtiment C, escalier 4, 1284 avenue du Général-de-Gaulle"
    )
    address = Address(street=long_street, postal_code="69800", city="SAINT-PRIEST (69800)")
    application = Cerfa02(
        applicant=Applicant(**{**_fields(applicant), "address": address}),
        categories={LicenceCategory.B},
    )
    _, text = _read(printing.cerfa_pdf(application, generated=GENERATED))
    assert long_street in text


def _fields(applicant: Applicant) -> dict[str, object]:
    import attrs

    return attrs.asdict(applicant, recurse=False)


def test_write_cerfa_into_a_folder_or_a_file(tmp_path: Path) -> None:
    into = printing.write_cerfa(tmp_path / "dossiers", _cerfa02(), _request())
    assert into == tmp_path / "dossiers" / "cerfa02-3223.pdf"
    named = printing.write_cerfa(tmp_path / "a" / "mon.PDF", _cerfa02(), cerfa="06")
    assert named == tmp_path / "a" / "mon.PDF"
    unsaved = printing.write_cerfa(tmp_path, _cerfa02())
    assert unsaved.name == "cerfa02.pdf"
    assert "Demande non enregistrée sur le site de l'ANTS" in _read(unsaved.read_bytes())[1]
    assert sorted(p.name for p in tmp_path.rglob("*") if p.name.startswith(".")) == []


def test_missing_reportlab_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "reportlab", None)
    with pytest.raises(ants.errors.ExtraNotInstalled) as missing:
        printing.cerfa_pdf(_cerfa02())
    assert missing.value.extra == "print" and missing.value.package == "reportlab"
    assert "pip install 'antsclient[print]'" in missing.value.message_fr
    with pytest.raises(ImportError):
        printing.bordereau_pdf(Bordereau(number="1", date="2017-07-06", agreement="E1"))


def test_the_bordereau_lists_its_requests(tmp_path: Path) -> None:
    bordereau = Bordereau(
        number="17", date="06/07/2017", agreement="E1706900030", prefecture="Préfecture du Rhône"
    )
    papers = [
        PaperRequest(
            reference=f"P-{n:03}",
            application=_cerfa02(),
            registered_on=dt.date(2017, 7, 5),
            tracking=TrackingChannel.EMAIL if n % 2 else TrackingChannel.POST,
            tracking_id=f"T{n}" if n % 2 else None,
        )
        for n in range(60)
    ]
    bordereau = bordereau.add(*papers)
    path = printing.write_bordereau(tmp_path, bordereau, generated=GENERATED)
    assert path == tmp_path / "bordereau-17.pdf"
    reader, text = _read(path.read_bytes())
    assert len(reader.pages) == 2
    assert "Bordereau N° 17 du 06/07/2017" in text and "Préfecture du Rhône" in text
    for paper in papers:
        assert paper.reference in text
    assert "Par courriel : T1" in text and "Nombre de dossiers : 60" in text
    assert "Page 2/2" in text and "Généré le 30/11/2026 à 14:32" in text


# --- page 1 as an image ---------------------------------------------------------------------


def _renderer() -> object:
    try:
        import pypdfium2
    except ImportError:
        if os.environ.get("CI") == "true":
            raise
        pytest.skip("rendering needs pypdfium2: pip install 'antsclient[test]' (or pypdfium2)")
    return pypdfium2


@pytest.mark.parametrize("cerfa", ["02", "06"])
def test_page_one_renders_to_a_black_and_white_a4_png(cerfa: str) -> None:
    pdfium = _renderer()
    pdf = printing.cerfa_pdf(_cerfa02(), _request(), cerfa=cerfa, generated=GENERATED)
    document = pdfium.PdfDocument(pdf)  # type: ignore[attr-defined]
    png = io.BytesIO()
    document[0].render(scale=100 / 72).to_pil().save(png, format="PNG")
    from PIL import Image

    image = Image.open(io.BytesIO(png.getvalue()))
    assert image.format == "PNG"
    width, height = image.size  # A4 at 100 dpi: 826.8 x 1169.3 pixels
    assert abs(width - 827) <= 1 and abs(height - 1169) <= 1
    grey = image.convert("L")
    histogram = grey.histogram()
    pixels = image.size[0] * image.size[1]
    white = sum(histogram[250:])
    dark = sum(histogram[:100])
    assert white > pixels * 0.6  # mostly paper
    assert dark > pixels * 0.01  # and ink: boxes, labels, values
    from PIL import ImageChops

    red, green, blue = image.convert("RGB").split()
    for one, other in ((red, green), (green, blue)):  # no colour: greys only
        assert ImageChops.difference(one, other).getextrema()[1] <= 12
    document.close()
