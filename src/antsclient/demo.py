"""The demo: the story of the manual against the embedded sandbox, told in French and English.

``python -m antsclient demo`` starts a sandbox on loopback and, step by step: the agency's
credentials and prefectures; a Cerfa 02 whose « ST PRIEST » the geo check corrects; its
supporting documents (one refused for its size); the ePhoto code; the draft, the validation
and the student's confirmation; the filled Cerfa 02 printed as a PDF; the prefecture's
acceptance and the NEPH; the Cerfa 06 that follows; a sync of the agency; the dashboard
counts; linking a request made directly on ANTS; and the Excel export. Every file it makes
stays in one folder, named at the end.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING, Final, TextIO

import attrs

from antsclient._display import french_datetime
from antsclient._pdf import blank_document
from antsclient.codec import to_data
from antsclient.errors import AntsError, DivergenceError
from antsclient.models import (
    Address,
    Applicant,
    Bucket,
    Cerfa,
    Cerfa02,
    Cerfa06,
    DocumentKind,
    LicenceCategory,
    OnlineRequest,
)
from antsclient.validation import validate

if TYPE_CHECKING:
    from collections.abc import Callable

    from antsclient.sandbox import SandboxHandle
    from antsclient.session import AntsSession

__all__ = ["run_demo", "sample_application", "write_pdf"]

EPHOTO_02 = "DEMO2PHOTO02SIGN0CODE1"
EPHOTO_06 = "DEMO6PHOTO06SIGN0CODE2"


_PLAIN: Final = {"✗": "x", "→": "->", "•": "-", "…": "...", "—": "-", "«": '"', "»": '"'}
"""Stand-ins for the story's signs on a console that cannot show them (a redirected
console on a French Windows writes cp1252)."""


class _Story:
    """The demo's output: each step in French and English, or in ``language`` alone."""

    def __init__(self, out: TextIO, language: str | None = None) -> None:
        self.out = out
        self.language = language
        self.step = 0
        self.started = time.monotonic()
        self.encoding = getattr(out, "encoding", None) or "utf-8"

    def write(self, text: str) -> None:
        """Write ``text``, its signs replaced where the stream's encoding lacks them."""
        try:
            text.encode(self.encoding)
        except UnicodeEncodeError:
            text = "".join(self._plain(char) for char in text)
        except LookupError:
            pass
        self.out.write(text)

    def _plain(self, char: str) -> str:
        try:
            char.encode(self.encoding)
        except UnicodeEncodeError:
            return _PLAIN.get(char, "?")
        return char

    def title(self, fr: str, en: str) -> None:
        self.step += 1
        if self.language is None:
            self.write(f"\n{self.step:>2}. {fr}\n    {en}\n")
        else:
            self.write(f"\n{self.step:>2}. {en if self.language == 'en' else fr}\n")

    def pick(self, fr: str, en: str) -> str:
        """``fr`` and ``en`` as one line, or the one of the story's language."""
        if self.language is None:
            return f"{fr} / {en}"
        return en if self.language == "en" else fr

    def say(self, fr: str, en: str = "") -> None:
        if self.language == "en" and en:
            self.write(f"    • {en}\n")
        else:
            self.write(f"    • {fr}\n")
            if en and self.language is None:
                self.write(f"      ({en})\n")
        self.out.flush()


def sample_application() -> Cerfa02:
    """The manual's student as typed in the host's student file: two given names in
    *Prénom* and « ST PRIEST » for the city — both caught before anything is sent."""
    return Cerfa02(
        applicant=Applicant(
            last_name="LABORET",
            first_name="Claire Anne",
            birth_date=dt.date(2006, 7, 5),
            birth_city="PARIS",
            birth_department="75",
            birth_country="FRANCE",
            address=Address(street="3 rue Aristide Briand", postal_code="69800", city="ST PRIEST"),
            email="claire.laboret@example.org",
            phone="06 11 22 33 44",
        ),
        categories={LicenceCategory.B},
    )


def write_pdf(path: Path, pages: int) -> Path:
    """A real PDF of ``pages`` blank A4 pages (a scanned document stands in)."""
    path.write_bytes(blank_document(pages))
    return path


def run_demo(
    *,
    out: str | None = None,
    stream: TextIO | None = None,
    language: str | None = None,
    console: Callable[[str], None] | None = None,
) -> int:
    """Run the story against a fresh sandbox; return 0 when every step went as told.

    ``language`` (``"fr"`` or ``"en"``) tells it in one language; by default in both.
    ``console``: once told, the story stays on its sandbox — its console's address is
    printed and ``console(url)`` is called (it returns when the person is done, e.g. on
    Ctrl-C) before the sandbox stops.
    """
    try:
        from antsclient.sandbox import serve  # noqa: PLC0415
    except ImportError:  # pragma: no cover - the sandbox extra is missing
        print("the demo needs the sandbox: pip install 'antsclient[sandbox]'", file=sys.stderr)
        return 2
    write = stream or sys.stdout
    folder = Path(out) if out else Path(tempfile.mkdtemp(prefix="antsclient-demo-"))
    folder.mkdir(parents=True, exist_ok=True)
    story = _Story(write, language)
    with serve() as sandbox:
        try:
            _tell(story, sandbox, folder)
        except AntsError as exc:
            story.say(f"✗ {exc.message_fr}", f"{type(exc).__name__}: {exc}")
            return 1
        if console is not None:
            _open_console(story, sandbox, console)
    elapsed = time.monotonic() - story.started
    story.write(
        "\n" + story.pick(f"Terminé en {elapsed:.1f} s.", f"Done in {elapsed:.1f} s.") + "\n"
    )
    story.write(story.pick(f"Fichiers : {folder}", f"Files: {folder}") + "\n")
    return 0


def _tell(story: _Story, sandbox: SandboxHandle, folder: Path) -> None:
    """The manual's chapters, in order, on one session."""
    from antsclient.session import AntsSession, RetryPolicy  # noqa: PLC0415

    with AntsSession(
        sandbox.credentials, base_url=sandbox.url, retry=RetryPolicy.immediate()
    ) as session:
        _agency_settings(story, sandbox, session)
        application = _geo_check(story, _student_file(story), folder)
        request = _create_draft(story, session, application)
        identity, address = _supporting_documents(story, session, request, folder)
        _ephoto_code(story, session, request, folder)
        request = _validation(story, session, sandbox, request)
        _print_cerfa(story, session, request, folder)
        request = _prefecture_decision(story, session, sandbox, request)
        _title_request(story, session, application, request, identity=identity, address=address)
        _paper_mandate(story, session, identity=identity, address=address)
        direct = _direct_request(story, sandbox)
        _sync_link_export(story, session, folder, direct.number)
        _dashboard(story, session)
        _divergence(story, session, application)


def _agency_settings(story: _Story, sandbox: SandboxHandle, session: AntsSession) -> None:
    """Paramétrage: the agency's credentials, and the prefectures of its department."""
    creds = sandbox.credentials
    story.title("Paramétrage de l'agence", "Agency credentials and prefectures")
    story.say(f"ANTS (bac à sable) : {sandbox.url}", "the embedded sandbox serves the protocol")
    story.say(
        f"Agrément {creds.agreement}, identifiant {creds.login}, mot de passe {creds.password}",
        "the password is a Secret: it never shows",
    )
    prefectures = session.prefectures.list()
    story.say(
        "Préfectures du département : " + ", ".join(p.name for p in prefectures),
        f"from postal code {creds.postal_code}",
    )


def _student_file(story: _Story) -> Cerfa02:
    """Enregistrer une demande: the student's file checked, its two given names split."""
    story.title("Enregistrer une demande — vérification", "Checking the student's file")
    application = sample_application()
    for problem in validate(application):
        story.say(f"✗ {problem.message_fr}", f"{problem.field}: {problem.code}")
    first, *others = application.applicant.first_name.split()
    application = attrs.evolve(
        application,
        applicant=attrs.evolve(
            application.applicant, first_name=first, other_first_names=" ".join(others)
        ),
    )
    story.say(f"Prénom : {first} — Autres prénoms : {' '.join(others)}", "fixed")
    return application


def _geo_check(story: _Story, application: Cerfa02, folder: Path) -> Cerfa02:
    """The geo check corrects « ST PRIEST »; the application is kept as JSON."""
    from antsclient import geo  # noqa: PLC0415

    story.title("Vérification des villes, départements et pays", "The geo check")
    choices = geo.suggest_communes("ST PRIEST", limit=5)
    story.say(
        "« ST PRIEST » seul : " + ", ".join(c.label for c in choices),
        "without a postal code, the user picks",
    )
    report = geo.check(application)
    for field in report.problems:
        story.say(
            f"{field.label} : « {field.before} » → « {field.after} »",
            f"{field.path}: {field.status.value}",
        )
    application = report.apply(application)
    (folder / "application.json").write_text(
        json.dumps(
            {"cerfa": "02", "application": to_data(application)}, ensure_ascii=False, indent=2
        ),
        encoding="utf-8",
    )
    return application


def _create_draft(story: _Story, session: AntsSession, application: Cerfa02) -> OnlineRequest:
    story.title("Enregistrer la demande en ligne (brouillon)", "Create the draft")
    request = session.requests.create(application)
    story.say(
        f"Demande n° {request.number} : {request.status_label}, "
        f"créée le {french_datetime(request.created)}",
        request.status.value,
    )
    return request


def _print_cerfa(story: _Story, session: AntsSession, request: OnlineRequest, folder: Path) -> None:
    """Impression Cerfa: the Cerfa 02 as filed, a PDF in the demo's folder."""
    from antsclient import printing  # noqa: PLC0415

    story.title("Impression Cerfa", "The filled Cerfa 02, printed")
    try:
        path = session.requests.print(request, to=folder)
    except ImportError:
        story.say(f"Impression non disponible : {printing.INSTALL}", "needs the print extra")
        return
    story.say(f"Cerfa 02 (n° 14866*01) de la demande {request.number} : {path}", "a PDF")


def _supporting_documents(
    story: _Story, session: AntsSession, request: OnlineRequest, folder: Path
) -> tuple[Path, Path]:
    """Three documents sent, one refused for its size; the identity and address files."""
    story.title("Pièces justificatives", "Supporting documents")
    identity = write_pdf(folder / "cni.pdf", 2)
    address = write_pdf(folder / "justificatif-domicile.pdf", 1)
    assr = write_pdf(folder / "assr2.pdf", 1)
    session.attachments.upload(request, DocumentKind.IDENTITY, identity)
    session.attachments.upload(
        request,
        DocumentKind.PROOF_OF_ADDRESS,
        address,
        comment="Facture d'électricité de septembre",
    )
    session.attachments.upload(request, DocumentKind.ASSR, assr)
    big = folder / "scan-trop-lourd.pdf"
    with big.open("wb") as stream:
        stream.write(b"%PDF-1.4\n")
        stream.truncate(11_000_001)
    try:
        session.attachments.upload(request, DocumentKind.MEDICAL_OPINION, big)
    except AntsError as exc:
        story.say(f"✗ {exc.message_fr}", f"refused before sending: {exc.code}")
    big.unlink()
    for slot in session.attachments.slots(request):
        if slot.required or slot.sent:
            story.say(
                f"{slot.label} : {slot.pages}/{slot.max_pages} page(s), "
                f"{'envoyé' if slot.sent else 'à envoyer'}",
                slot.kind.value,
            )
    return identity, address


def _ephoto_code(story: _Story, session: AntsSession, request: OnlineRequest, folder: Path) -> None:
    story.title("Code ePhoto", "The ePhoto code")
    session.ephoto.set(request, EPHOTO_02, cerfa=Cerfa.C02)
    photo = session.ephoto.get(request)
    (folder / "ephoto.jpg").write_bytes(photo.photo)
    (folder / "signature.png").write_bytes(photo.signature)
    story.say(
        f"Code {photo.code} : photo et signature enregistrées",
        "ephoto.jpg and signature.png in the folder",
    )


def _validation(
    story: _Story, session: AntsSession, sandbox: SandboxHandle, request: OnlineRequest
) -> OnlineRequest:
    """Validated by the agency, then confirmed by the student."""
    story.title("Valider la demande", "Validation, then the student's confirmation")
    request = session.requests.validate(request)
    deadline = request.applicant_deadline
    story.say(
        f"Statut : {request.status_label} — l'élève a 7 jours pour confirmer"
        + (f", jusqu'au {french_datetime(deadline)}" if deadline else ""),
        "the student's deadline, Paris time",
    )
    from antsclient.sandbox.console.student import follow_link  # noqa: PLC0415

    mail = sandbox.outbox(number=request.number)[-1]
    story.say(f"Courriel à {mail.recipient} : « {mail.subject} »", "the student's mail")
    follow_link(mail.link or "")  # the student clicks the link and validates
    story.say(
        f"L'élève valide par le lien du courriel : {session.requests.refresh(request).status_label}"
    )
    return request


def _prefecture_decision(
    story: _Story, session: AntsSession, sandbox: SandboxHandle, request: OnlineRequest
) -> OnlineRequest:
    story.title("Décision de la préfecture", "The prefecture accepts; the NEPH")
    sandbox.prefecture_decides(request.number, "accept")
    request = session.requests.refresh(request)
    story.say(f"{request.status_label} — NEPH {request.neph}", request.status.value)
    return request


def _title_request(
    story: _Story,
    session: AntsSession,
    application: Cerfa02,
    accepted: OnlineRequest,
    *,
    identity: Path,
    address: Path,
) -> None:
    """The Cerfa 06 that follows the accepted Cerfa 02, filed with its NEPH."""
    story.title("Demande de titre (Cerfa 06)", "The title request that follows")
    assert accepted.neph is not None
    title = Cerfa06(
        applicant=application.applicant,
        categories=application.categories,
        neph=accepted.neph,
        cerfa02_number=accepted.number,
    )
    title_request = session.requests.create(title)
    session.attachments.upload(title_request, DocumentKind.IDENTITY, identity)
    session.attachments.upload(title_request, DocumentKind.PROOF_OF_ADDRESS, address)
    session.ephoto.set(title_request, EPHOTO_06, cerfa=Cerfa.C06)
    title_request = session.requests.validate(title_request)
    story.say(f"Cerfa 06 n° {title_request.number} : {title_request.status_label}")


def _paper_mandate(story: _Story, session: AntsSession, *, identity: Path, address: Path) -> None:
    """The usual way a school files: the student signs a paper mandate, the school files and
    validates, the request goes straight to the prefecture."""
    story.title("Demande avec mandat papier", "A request under a paper mandate")
    signed = dt.date.today()
    application = Cerfa02(
        applicant=Applicant(
            last_name="MOREAU",
            first_name="Hugo",
            birth_date=dt.date(2003, 2, 11),
            birth_city="LYON",
            birth_department="69",
            birth_country="FRANCE",
            address=Address(
                street="8 avenue Jean Jaurès", postal_code="69800", city="SAINT-PRIEST"
            ),
            email="hugo.moreau@example.org",
            phone="06 22 33 44 55",
        ),
        categories={LicenceCategory.B},
        paper_mandate=True,
        paper_mandate_date=signed,
    )
    request = session.requests.create(application)
    session.attachments.upload(request, DocumentKind.IDENTITY, identity)
    session.attachments.upload(request, DocumentKind.PROOF_OF_ADDRESS, address)
    request = session.requests.validate(request)
    story.say(
        f"Demande n° {request.number} : {request.status_label}",
        "no confirmation by the student: ANTS tells them by email and SMS",
    )
    kept = request.mandate_kept_until
    story.say(
        f"Mandat signé le {signed:%d/%m/%Y}, à conserver au moins jusqu'au "
        + (f"{kept:%d/%m/%Y}" if kept else "?"),
        "the school keeps the signed mandate six months",
    )


def _direct_request(story: _Story, sandbox: SandboxHandle) -> OnlineRequest:
    story.title("Une demande faite directement sur l'ANTS", "A request made on ANTS itself")
    direct = sandbox.register_direct()
    story.say(f"Demande n° {direct.number} : non reliée à un élève (ligne rouge)", "unlinked")
    return direct


def _dashboard(story: _Story, session: AntsSession) -> None:
    story.title("Tableau de bord", "Dashboard counts")
    counts = session.requests.counts()[None]
    for bucket in Bucket:
        if counts[bucket]:
            story.say(f"{bucket.label} : {counts[bucket]}")


def _divergence(story: _Story, session: AntsSession, application: Cerfa02) -> None:
    """A sibling sharing the student's email: ANTS refuses, naming the existing request."""
    story.title("Divergence de données", "Two students of one family sharing an email")
    sibling = attrs.evolve(
        application,
        applicant=attrs.evolve(
            application.applicant,
            first_name="Lucie",
            other_first_names="",
            birth_date=dt.date(2007, 9, 1),
        ),
    )
    try:
        session.requests.create(sibling)
    except DivergenceError as exc:
        story.say(f"✗ {exc.message_fr}", f"existing request {exc.existing_number}")


def _sync_link_export(
    story: _Story, session: AntsSession, folder: Path, direct_number: str
) -> None:
    """Sync the agency into a local store, link the direct request, export to Excel."""
    from antsclient import export  # noqa: PLC0415
    from antsclient.storage import SqliteStore  # noqa: PLC0415

    with SqliteStore(folder / "demandes.sqlite3") as store:
        session.store = store
        try:
            story.title("Mettre à jour toutes les demandes", "Sync the agency into a local store")
            report = session.requests.sync_all()
            story.say(
                f"{report.new} nouvelle(s), {report.updated} mise(s) à jour, "
                f"{report.unlinked} non reliée(s)",
                "demandes.sqlite3",
            )
            if report.watermark is not None:
                story.say(
                    f"La prochaine mise à jour part du {french_datetime(report.watermark)}",
                    "the next sync asks only for what changed since",
                )

            story.title("Relier une demande à un élève", "Link the direct request to a student")
            linked = session.requests.link(direct_number, "eleve-0042")
            story.say(f"Demande n° {linked.number} reliée à l'élève {linked.student_id}")

            story.title("Exporter la liste sous Excel", "Excel export")
            agreement = session.credentials.agreement
            requests = store.search(agreement)
            path = export.to_excel(requests, folder / "demandes.xlsx")
            story.say(f"{len(requests)} demande(s) → {path.name}")
        finally:
            session.store = None


def _open_console(story: _Story, sandbox: SandboxHandle, console: Callable[[str], None]) -> None:
    """The story stays on its sandbox while a person watches it in the console."""
    url = f"{sandbox.url}/console/"
    story.title("La console du bac à sable", "The sandbox's console")
    story.say(
        f"Console : {url} — l'auto-école, l'élève (ses messages), la préfecture, les réglages",
        f"Console: open {url} in a browser; Ctrl-C stops the sandbox",
    )
    console(url)
