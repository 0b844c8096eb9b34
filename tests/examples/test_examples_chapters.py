"""The chapter examples run: each script against its own sandbox, the notebook cell by cell.

Every script is run as ``python examples/<script>.py`` would run it (``runpy`` with
``run_name="__main__"``) and must exit with 0 and print what its chapter is about. The
notebook's code cells run in order in one namespace, without Jupyter.
"""

from __future__ import annotations

import ast
import json
import re
import runpy
import sys
import tempfile
from pathlib import Path

import pytest

pytest.importorskip("uvicorn", reason="the examples need the sandbox extra")

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
HOWTO = ROOT / "docs" / "howto"

# script → what its output must show (the user-facing French, mostly)
SCRIPTS: dict[str, list[str]] = {
    "credentials_and_prefectures.py": [
        "Préfectures : Préfecture du Territoire de Belfort",
        "(manquant : code postal de l'agence)",
        "Droit : ANTS - Supprimer le code ePhoto",
        "Vous n'avez pas le droit « ANTS - Supprimer une demande »",
        "supprimée par le responsable",
    ],
    "create_with_geo_check.py": [
        "Prénom incorrect",
        "« ST ETIENNE » → « SAINT-ETIENNE »",
        "« ST PRIET » ? SAINT-PRIEST (69800)",
        "Retenu : SAINT-PRIEST (69800) / SAINT-ETIENNE",
        ": Brouillon (Demande d'inscription",
    ],
    "supporting_documents.py": [
        "2 page(s) au maximum",
        "80 au maximum",
        "Téléchargé : assr2.pdf",
        "Après suppression : Attestations Scolaires de Sécurité Routière (ASSR 2 ou ASR) 0/2",
    ],
    "ephoto.py": [
        "Formulaire de dépôt : ",
        "(Cerfa 02)",
        "ne peut servir qu'une seule fois",
        "« ANTS - Supprimer le code ePhoto »",
        "Code ePhoto Cerfa 02 supprimé",
    ],
    "draft_and_validation.py": [
        "pièces justificatives requises manquantes",
        "En cours de validation par l'élève : l'élève a jusqu'au ",
        "ne peuvent être envoyées qu'au statut BROUILLON",
        "Après 8 jours : Brouillon",
        "L'élève a confirmé : Dossier en cours de vérification",
    ],
    "student_mailbox.py": [
        "À claire.laboret@example.org : Validez votre demande de permis de conduire n° ",
        "L'élève a validé par le lien : Dossier en cours de vérification",
        "Motif : Domicile illisible",
        "email : Demande acceptée — Votre demande n° ",
        "Sous mandat : Dossier en cours de vérification",
        "sms à 06 11 22 33 44 : ANTS : votre auto-école a déposé sous mandat",
        "/console/eleve",
    ],
    "refresh.py": [
        "| En cours de validation par l'élève |",
        "| Dossier à traiter en Cerfa 06 |",
        "| transférée : Non | NEPH : ",
    ],
    "transfer.py": [
        "transférée : Oui, élève belfort-eleve-0042",
        "Cette demande est déjà rattachée à votre agence.",
        "Une demande réalisée avec mandat papier ne peut pas faire l'objet d'un transfert",
        "Dijon : Dossier transféré",
    ],
    "delete.py": [
        "(brouillon) supprimée",
        "Aucune demande ne correspond à ce numéro",
        "(En cours de validation par l'élève) supprimée",
        ": False",
        "uniquement si elle est au statut BROUILLON ou EN COURS DE VALIDATION PAR L'ÉLÈVE",
    ],
    "handle_errors.py": [
        "AuthenticationError [authentication_failed]",
        "Préfecture incorrecte",
        "→ applicant.address.city : SAINT-PRIEST (69800)",
        "→ demande existante n° ",
        "La page ne répond pas",
        "peut-être prise en compte :",
        "Relancée : demande n° ",
        "5. Réponse perdue après l'enregistrement — En cours de validation par l'élève",
        "ActionNotAllowed [required_documents_missing]",
        "AttachmentRejected [attachment.too_large]",
        "PermissionDenied [permission_denied]",
    ],
    "print_cerfa.py": [
        "Cerfa 02 imprimé : cerfa02-",
        "Cerfa 06 imprimé : titre.pdf",
        "cerfa n° 14866*01 — Réf. 02 — ",
        "☒ Catégorie(s) de permis demandée(s) : B",
        "ce document n'est pas le formulaire officiel",
    ],
    "paper_request.py": [
        "accepté, NEPH ",
        "Bordereau N° 17 du 30/11/2026",
        "Cerfa 06 imprimé : cerfa06-",
        "Bordereau N° 17 : 1 dossier(s) — LABORET Claire",
        "Liste imprimée : bordereau-17.pdf",
    ],
    "divergence.py": [
        "shared_email → demande n° ",
        "already_registered → demande n° ",
        "different_data → demande n° ",
        "2 membres d'une même famille",
        "Champ divergent — Email : « claire.l@example.fr » (fiche)",
        "Fiche mise à jour : Claire LABORET, claire.laboret@example.org",
        "Divergences restantes : 0",
    ],
    "request_exam_registration.py": [
        "Le mandat papier n'est pas possible pour un élève domicilié en Corse-du-Sud (2A)",
        "requis : Certificat de participation à la JDC ou attestation de recensement",
        "requis : Attestation d'hébergement",
        "requis : Pièce d'identité du représentant légal",
        "Validée : Dossier en cours de vérification des pièces justificatives",
        "Mandat à conserver jusqu'au ",
        "Attestation dépôt inscription au permis — reçu par l'auto-école seule",
    ],
    "request_title_after_exam.py": [
        "est impossible : la demande est au statut « Dossier en cours de vérification",
        "Inscription : Dossier à traiter en Cerfa 06, NEPH ",
        ": En cours de validation par l'élève",
        "ne correspond à aucune demande d'inscription acceptée",
    ],
    "request_title_after_training.py": [
        "donne la catégorie B uniquement",
        "suppose d'être déjà titulaire de la catégorie B",
        "Type : Demande de titre avec une attestation de formation",
        "Copie d'attestation de suivi de formation, Copie du permis de conduire détenu",
        ": Dossier accepté",
    ],
    "prefecture_documents.py": [
        "Dossier à traiter en Cerfa 06, NEPH ",
        "→ registration_facsimile-",
        "reliez d'abord la demande",
        "reliée : Formulaire dépôt photo signature",
    ],
}

# The manual's chapter titles, in French, as the how-to pages begin.
CHAPTERS = [
    "Paramétrage",
    "Gestion des droits",
    "Enregistrer une demande",
    "Vérification des villes, départements et pays",
    "Pièces justificatives",
    "Brouillon / Valider la demande",
    "Mettre à jour",
    "Transférer une demande",
    "Supprimer une demande",
    "Actions disponibles",
    "Erreurs possibles",
    "Mettre à jour toutes les demandes",
    "Relier une demande à un élève",
    "Télécharger des documents de la préfecture",
    "Exporter la liste sous Excel",
    "Rechercher des demandes",
]


def _run(script: str, monkeypatch: pytest.MonkeyPatch) -> int | str | None:
    monkeypatch.syspath_prepend(str(EXAMPLES))
    monkeypatch.setattr(sys, "argv", [script])
    with pytest.raises(SystemExit) as exc:
        runpy.run_path(str(EXAMPLES / script), run_name="__main__")
    return exc.value.code


@pytest.mark.network
@pytest.mark.parametrize("script", sorted(SCRIPTS))
def test_example_script_runs(
    script: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code = _run(script, monkeypatch)
    out = capsys.readouterr().out
    assert code == 0, out
    for expected in SCRIPTS[script]:
        assert expected in out, f"{script}: {expected!r} not in\n{out}"
    assert "3cfBelfort" not in out  # the agency's password never shows


@pytest.mark.parametrize("script", sorted(SCRIPTS))
def test_example_script_shape(script: str) -> None:
    """A French chapter title in the docstring, the sandbox, a session, main() -> int."""
    source = (EXAMPLES / script).read_text(encoding="utf-8")
    tree = ast.parse(source)
    docstring = ast.get_docstring(tree) or ""
    assert any(title in docstring.splitlines()[0] for title in CHAPTERS), docstring
    assert "serve()" in source
    assert "AntsSession(" in source
    assert 'if __name__ == "__main__":\n    raise SystemExit(main())' in source
    mains = [n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "main"]
    assert mains
    assert ast.unparse(mains[0].returns) == "int" if mains[0].returns else False


def test_howto_pages_begin_with_the_manual_titles() -> None:
    titles = []
    for page in sorted(HOWTO.glob("*.md")):
        if page.name == "index.md":
            continue
        first = page.read_text(encoding="utf-8").splitlines()[0]
        assert first.startswith("# "), page.name
        titles.append(first[2:])
    assert sorted(titles) == sorted(CHAPTERS)
    index = (HOWTO / "index.md").read_text(encoding="utf-8")
    for page in HOWTO.glob("*.md"):
        if page.name != "index.md":
            assert f"({page.name})" in index, f"{page.name} is not listed in howto/index.md"


BLOCK = re.compile(r"^```python\n(.*?)^```", re.MULTILINE | re.DOTALL)
# How-to pages whose code is written in the page (self-contained, against a sandbox) rather
# than included from an example script.
RUNNABLE_HOWTOS = [
    "mettre-a-jour-toutes-les-demandes.md",
    "relier-une-demande.md",
    "exporter-excel.md",
    "rechercher-des-demandes.md",
]


def _blocks(path: Path) -> list[str]:
    blocks = BLOCK.findall(path.read_text(encoding="utf-8"))
    assert blocks, f"{path.name} has no python block"
    return blocks


@pytest.mark.network
def test_tutorial_runs(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    namespace: dict[str, object] = {"__name__": "tutorial"}
    for number, block in enumerate(_blocks(ROOT / "docs" / "tutorial.md"), start=1):
        exec(compile(block, f"docs/tutorial.md[{number}]", "exec"), namespace)
    out = capsys.readouterr().out
    for expected in (
        "Préfecture du Territoire de Belfort",
        "Prénom incorrect",
        "« ST PRIEST » → « SAINT-PRIEST (69800) »",
        "dépasse la taille maximale de 11 Mo",
        "Dossier à traiter en Cerfa 06",
        "non reliée(s)",
        "→ eleve-0042",
        "Divergence de données",
    ):
        assert expected in out, expected
    assert "3cfBelfort" not in out
    # Staff read dates in French and in Paris time, never UTC with microseconds.
    assert re.search(r"jusqu'au \d\d/\d\d/\d{4} \d\d:\d\d\n", out)
    assert "+00:00" not in out


@pytest.mark.network
@pytest.mark.parametrize("page", RUNNABLE_HOWTOS)
def test_howto_blocks_run(page: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {"__name__": f"howto_{page}"}
    for number, block in enumerate(_blocks(HOWTO / page), start=1):
        exec(compile(block, f"docs/howto/{page}[{number}]", "exec"), namespace)


def test_howto_pages_include_existing_examples() -> None:
    """Every included example exists and is one of ours (the build checks paths too)."""
    for page in HOWTO.glob("*.md"):
        for included in re.findall(r'--8<-- "([^"]+)"', page.read_text(encoding="utf-8")):
            assert (ROOT / included).is_file(), f"{page.name}: {included}"
            assert Path(included).name in SCRIPTS, f"{page.name} includes {included}"


def _code_cells(path: Path) -> list[str]:
    notebook = json.loads(path.read_text(encoding="utf-8"))
    assert notebook["nbformat"] == 4
    cells = []
    for cell in notebook["cells"]:
        source = "".join(cell["source"])
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [], "outputs are cleared"
            assert cell["execution_count"] is None
            cells.append(source)
    return cells


@pytest.mark.network
def test_notebook_runs(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    pytest.importorskip("pandas")
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # the notebook's folder
    namespace: dict[str, object] = {"__name__": "explore_requests"}
    notebook = EXAMPLES / "explore_requests.ipynb"
    for number, source in enumerate(_code_cells(notebook), start=1):
        code = compile(source, f"{notebook.name}[{number}]", "exec")
        exec(code, namespace)
    png = namespace["png_path"]
    assert isinstance(png, Path)
    assert png.read_bytes().startswith(b"\x89PNG")
    assert png.parent.parent == tmp_path
    page = namespace["page"]
    table = page._repr_html_()  # type: ignore[attr-defined]
    assert table.count("<tr") == 21  # the header and this page's 20 rows
    assert len(namespace["walked"]) == len(page) > 20  # type: ignore[arg-type]
    frame = namespace["frame"]
    assert {"number", "status", "created", "linked"} <= set(frame.columns)  # type: ignore[attr-defined]
    assert len(frame) >= 245  # type: ignore[arg-type]
