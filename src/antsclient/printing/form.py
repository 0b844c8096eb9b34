"""What a printed Cerfa says, box by box, before anything is drawn.

A :class:`Form` is a list of :class:`Section` s; each section a list of rows; each row boxes
side by side: an :class:`Entry` (a label and the value written in its box) or a
:class:`Choice` (a label and check boxes, the chosen ones ticked). :func:`cerfa_form` builds
the form of a Cerfa 02 (n° 14866*01) or a Cerfa 06 (n° 14948*01) from an application, an
online request, or both, with the sections, order and wording of the form as the manual's
« Dossier 02-06 » screen and the regulatory texts describe it. It is pure data: the renderer
(:mod:`antsclient.printing.render`) draws it, and a host may show it another way (HTML).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from typing import Final, TypeAlias

import attrs

from antsclient._display import french_date, french_datetime
from antsclient.models.application import (
    Address,
    Applicant,
    Application,
    Cerfa02,
    Cerfa06,
    LegalRepresentative,
    PreviousLicence,
)
from antsclient.models.enums import Cerfa, LicenceCategory, ObtainedBy, Sex, TrainingMode
from antsclient.models.paper import PaperRequest, TrackingChannel
from antsclient.models.request import OnlineRequest

__all__ = ["Choice", "Entry", "Form", "Section", "cerfa_form"]

YES: Final = "Oui"
NO: Final = "Non"
CATEGORIES: Final = tuple(c.value for c in LicenceCategory)
NOTICE: Final = (
    "Mise en page fidèle du formulaire cerfa n° {number}, remplie par antsclient : "
    "ce document n'est pas le formulaire officiel."
)


@attrs.frozen(kw_only=True, slots=True)
class Entry:
    """A box of the form: its label, and the value written in it (empty: left blank)."""

    label: str
    value: str = ""
    width: float = 1.0
    """Its share of the row's width, relative to the row's other boxes."""


@attrs.frozen(kw_only=True, slots=True)
class Choice:
    """A question answered by check boxes: ``options`` in order, ``chosen`` ticked."""

    label: str
    options: tuple[str, ...]
    chosen: frozenset[str] = frozenset()
    width: float = 1.0


Box: TypeAlias = Entry | Choice


@attrs.frozen(kw_only=True, slots=True)
class Section:
    """A titled block of the form; ``rows`` of boxes side by side."""

    title: str
    rows: tuple[tuple[Box, ...], ...]
    tall: bool = False
    """A section whose last row is a space to sign or stick a photo in (drawn taller)."""


@attrs.frozen(kw_only=True, slots=True)
class Form:
    """A Cerfa as printed: its titles, its sections, and what the footer says."""

    cerfa: Cerfa
    title: str
    subtitle: str
    sections: tuple[Section, ...]
    request_number: str | None = None
    file_reference: str | None = None
    """The host's reference of a paper request, named in the footer when there is no
    request number."""

    @property
    def reference(self) -> str:
        """« cerfa n° 14866*01 » / « Réf. 02 »."""
        return f"cerfa n° {self.cerfa.number} — Réf. {self.cerfa.value}"

    @property
    def notice(self) -> str:
        """The footer's line saying what this document is (and is not)."""
        return NOTICE.format(number=self.cerfa.number)

    def boxes(self) -> Iterator[Box]:
        """Every box of the form, in reading order."""
        for section in self.sections:
            for row in section.rows:
                yield from row

    def values(self) -> dict[str, str]:
        """Every filled box, ``{label: value}`` (sections' repeated labels keep the first)."""
        found: dict[str, str] = {}
        for box in self.boxes():
            if isinstance(box, Entry) and box.value:
                found.setdefault(box.label, box.value)
        return found

    def ticked(self) -> list[tuple[str, str]]:
        """Every ticked box, ``(question, option)``, in reading order."""
        return [
            (box.label, option)
            for box in self.boxes()
            if isinstance(box, Choice)
            for option in box.options
            if option in box.chosen
        ]


# --- building blocks ----------------------------------------------------------------------


def _yes_no(label: str, value: bool | None, width: float = 1.0) -> Choice:
    chosen = frozenset() if value is None else frozenset({YES if value else NO})
    return Choice(label=label, options=(YES, NO), chosen=chosen, width=width)


def _date(value: dt.date | None) -> str:
    return "" if value is None else french_date(value)


def _categories(label: str, held: Sequence[LicenceCategory] | frozenset[LicenceCategory]) -> Choice:
    return Choice(label=label, options=CATEGORIES, chosen=frozenset(c.value for c in held))


def _street(address: Address | None) -> str:
    return "" if address is None else address.street


def _identity(applicant: Applicant | None, request: OnlineRequest | None) -> Section:
    title = "Identité du demandeur"
    if applicant is None:
        name = (request.applicant_name if request else None) or ""
        return Section(title=title, rows=((Entry(label="Nom et prénom(s)", value=name),),))
    sex = frozenset() if applicant.sex is None else frozenset({_SEX[applicant.sex]})
    return Section(
        title=title,
        rows=(
            (
                Entry(label="Nom de naissance", value=applicant.last_name),
                Entry(label="Nom d'usage", value=applicant.usage_name or ""),
            ),
            (
                Entry(label="Prénom", value=applicant.first_name),
                Entry(label="Autres prénoms", value=applicant.other_first_names),
            ),
            (
                Choice(label="Sexe", options=tuple(_SEX.values()), chosen=sex),
                Entry(label="Date de naissance", value=_date(applicant.birth_date)),
            ),
            (
                Entry(label="Commune de naissance", value=applicant.birth_city, width=2),
                Entry(label="Département de naissance", value=applicant.birth_department or ""),
                Entry(label="Pays de naissance", value=applicant.birth_country),
            ),
        ),
    )


_SEX: Final = {Sex.MALE: "Masculin", Sex.FEMALE: "Féminin"}


def _address(applicant: Applicant | None, request: OnlineRequest | None) -> Section:
    address = applicant.address if applicant else None
    email = applicant.email if applicant else (request.email if request else None)
    return Section(
        title="Adresse du demandeur",
        rows=(
            (
                Entry(label="N° et voie", value=_street(address), width=2),
                Entry(label="Complément d'adresse", value=address.complement if address else ""),
            ),
            (
                Entry(label="Code postal", value=address.postal_code if address else ""),
                Entry(label="Commune", value=address.city if address else "", width=2),
                Entry(label="Pays", value=address.country if address else ""),
            ),
            (
                Entry(label="Téléphone", value=(applicant.phone or "") if applicant else ""),
                Entry(label="Courriel", value=email or "", width=2),
            ),
        ),
    )


def _representative(person: LegalRepresentative | None) -> Section:
    address = person.address if person else None
    return Section(
        title="Représentant légal (demandeur mineur)",
        rows=(
            (
                Entry(label="Nom", value=person.last_name if person else ""),
                Entry(label="Prénom", value=person.first_name if person else ""),
                Entry(label="Qualité", value=(person.relationship or "") if person else ""),
            ),
            (
                Entry(label="N° et voie", value=_street(address), width=2),
                Entry(label="Code postal", value=address.postal_code if address else ""),
                Entry(label="Commune", value=address.city if address else "", width=2),
            ),
            (
                Entry(label="Téléphone", value=(person.phone or "") if person else ""),
                Entry(label="Courriel", value=(person.email or "") if person else "", width=2),
            ),
        ),
    )


def _previous(licence: PreviousLicence | None) -> Section:
    held = licence.categories if licence else frozenset()
    way = frozenset() if licence is None else frozenset({licence.obtained_by.label})
    return Section(
        title="Permis déjà obtenu",
        rows=(
            (_categories("Catégorie(s) déjà obtenue(s)", held),),
            (
                Entry(
                    label="Dernière catégorie obtenue le",
                    value=_date(licence.last_obtained_on) if licence else "",
                ),
                Entry(label="Lieu", value=licence.last_obtained_place if licence else "", width=2),
            ),
            (
                Choice(
                    label="Dernière catégorie obtenue",
                    options=tuple(o.label for o in ObtainedBy),
                    chosen=way,
                    width=2,
                ),
                Entry(label="Pays", value=(licence.exchange_country or "") if licence else ""),
            ),
            (
                Entry(
                    label="Préfecture",
                    value=(licence.issuing_prefecture or "") if licence else "",
                    width=2,
                ),
                Entry(
                    label="Département",
                    value=(licence.issuing_department or "") if licence else "",
                ),
            ),
        ),
    )


_TRAINING: Final = {
    TrainingMode.AAC: "de l'apprentissage anticipé de la conduite (AAC)",
    TrainingMode.SUPERVISED: "de la conduite supervisée",
    TrainingMode.SUPERVISED_PROFESSIONAL: "de la conduite encadrée",
}
_AFFECTION: Final = (
    "Atteint à sa connaissance d'une affection et/ou d'un handicap susceptible d'être "
    "incompatible avec l'obtention ou le maintien du permis de conduire ou de donner lieu à "
    "la délivrance d'un permis de conduire de validité limitée"
)
_OPPOSITION: Final = (
    "Je m'oppose à la réutilisation de mes données personnelles à des fins autres que celles "
    "pour lesquelles elles sont collectées"
)
_PENDING_WHERE: Final = (
    "dans le même ou un autre département",
    "pour la même ou une autre catégorie",
)


def _declarations(application: Cerfa02 | None) -> tuple[Section, ...]:
    d = application.declarations if application else None
    pending: frozenset[str] = frozenset()
    if d is not None:
        pending = frozenset(
            text
            for text, on in zip(
                _PENDING_WHERE,
                (d.exam_pending_other_department, d.exam_pending_other_category),
                strict=True,
            )
            if on
        )
    mode = (
        frozenset()
        if d is None or d.training_mode not in _TRAINING
        else {_TRAINING[d.training_mode]}
    )
    return (
        Section(
            title="Le candidat déclare",
            rows=(
                (
                    _yes_no("Être en instance d'examen", d.exam_pending if d else None),
                    Choice(label="En instance", options=_PENDING_WHERE, chosen=pending, width=2),
                ),
                (
                    _yes_no(
                        "Comprendre et lire couramment le français", d.reads_french if d else None
                    ),
                ),
                (_yes_no("Devoir conduire un véhicule aménagé", d.adapted_vehicle if d else None),),
            ),
        ),
        Section(
            title="Le candidat a choisi",
            rows=(
                (
                    Choice(
                        label="Mode de formation",
                        options=tuple(_TRAINING.values()),
                        chosen=frozenset(mode),
                    ),
                ),
            ),
        ),
        Section(
            title="Le candidat est",
            rows=(
                (
                    _yes_no(
                        "Porteur d'un dispositif de correction de la vision (verres correcteurs, "
                        "lentilles de contact…)",
                        d.vision_correction if d else None,
                    ),
                ),
                (_yes_no(_AFFECTION, d.affection_or_handicap if d else None),),
                (
                    _yes_no(
                        "Titulaire d'une pension d'invalidité civile ou militaire",
                        d.invalidity_pension if d else None,
                    ),
                ),
                (
                    Choice(
                        label="Données personnelles",
                        options=(_OPPOSITION,),
                        chosen=frozenset({_OPPOSITION})
                        if d and d.opposes_data_reuse
                        else frozenset(),
                    ),
                ),
            ),
        ),
    )


def _cerfa02_request(app: Cerfa02 | None, request: OnlineRequest | None) -> Section:
    neph = (app.neph if app else None) or (request.neph if request else None) or ""
    return Section(
        title="Objet de la demande : inscription à l'examen",
        rows=(
            (
                Entry(label="Numéro NEPH", value=neph),
                Entry(label="Visite médicale", value=_date(app.medical_visit_date) if app else ""),
                Entry(label="Code ePhoto Cerfa 02", value=(app.ephoto_code or "") if app else ""),
            ),
            (_categories("Catégorie(s) de permis demandée(s)", app.categories if app else ()),),
            (
                _yes_no("Mandat papier", app.paper_mandate if app else None),
                _yes_no(
                    "Retour après annulation ou invalidation",
                    app.after_cancellation if app else None,
                ),
                _yes_no("Conversion d'un brevet militaire", app.military_licence if app else None),
            ),
        ),
    )


_TRACKING_QUESTION: Final = (
    "Je souhaite recevoir mes identifiants de suivi de distribution de mon permis"
)


def _tracking(paper: PaperRequest | None) -> tuple[Box, ...]:
    chosen = frozenset() if paper is None else frozenset({paper.tracking.label})
    return (
        Choice(
            label=_TRACKING_QUESTION,
            options=tuple(t.label for t in TrackingChannel),
            chosen=chosen,
            width=2,
        ),
        Entry(label="Identifiant de suivi", value=(paper.tracking_id or "") if paper else ""),
    )


def _cerfa06_request(
    app: Application | None, request: OnlineRequest | None, paper: PaperRequest | None
) -> Section:
    neph = (app.neph if app else None) or (request.neph if request else None) or ""
    cerfa02 = app.cerfa02_number if isinstance(app, Cerfa06) else None
    ephoto = (app.ephoto_code or "") if isinstance(app, Cerfa06) else ""
    return Section(
        title="Objet de la demande : titre au format de l'Union européenne",
        rows=(
            (
                Entry(label="Numéro NEPH", value=neph),
                Entry(label="N° de la demande d'inscription (Cerfa 02)", value=cerfa02 or ""),
                Entry(label="Code ePhoto Cerfa 06", value=ephoto),
            ),
            (_categories("Catégorie(s) de permis demandée(s)", app.categories if app else ()),),
            _tracking(paper),
        ),
    )


def _photo_and_signature() -> Section:
    return Section(
        title="Photographie et signature",
        rows=(
            (
                Entry(label="Photographie (ou code ePhoto ci-dessus)"),
                Entry(label="Signature à l'intérieur du cadre", width=2),
            ),
        ),
        tall=True,
    )


def _filing(
    cerfa: Cerfa, request: OnlineRequest | None, paper: PaperRequest | None
) -> tuple[Section, ...]:
    sections = []
    if request is not None:
        sections.append(
            Section(
                title="Demande en ligne",
                rows=(
                    (
                        Entry(label="N° de demande", value=request.number),
                        Entry(label="Statut", value=request.status_label, width=3),
                    ),
                    (
                        Entry(label="Date de création", value=french_datetime(request.created)),
                        Entry(
                            label="Date de modification", value=french_datetime(request.modified)
                        ),
                        _yes_no("Transférée", request.transferred),
                    ),
                ),
            )
        )
    if paper is not None:
        rows: list[tuple[Box, ...]] = []
        if cerfa is Cerfa.C02:
            rows.append(_tracking(paper))
        rows.append(
            (
                Entry(label="Date d'enregistrement", value=_date(paper.registered_on)),
                Entry(label="Bordereau N°", value=paper.bordereau_number or ""),
                Entry(label="Date", value=_date(paper.bordereau_date)),
            )
        )
        sections.append(Section(title="Demande papier", rows=tuple(rows)))
    return tuple(sections)


def _signature(agreement: str | None) -> Section:
    return Section(
        title="Établissement d'enseignement et signature",
        rows=(
            (
                Entry(label="N° d'agrément de l'établissement", value=agreement or ""),
                Entry(label="Fait à"),
                Entry(label="Le"),
            ),
            (Entry(label="Signature du demandeur (ou du représentant légal d'un mineur)"),),
        ),
        tall=True,
    )


def cerfa_form(
    application: Application | None = None,
    request: OnlineRequest | None = None,
    *,
    cerfa: Cerfa | str | None = None,
    paper: PaperRequest | None = None,
    agreement: str | None = None,
) -> Form:
    """The Cerfa 02 or 06 of ``application`` and/or ``request``, box by box.

    ``cerfa`` chooses the form (by default the application's, else the request's); a Cerfa 02
    application prints as a Cerfa 06 too (identity, address, NEPH and categories carry over).
    ``paper`` adds what a paper request holds (registration, bordereau, tracking) and is the
    application when none is given; ``agreement`` is the school's agrément. With only a
    request, the boxes ANTS's summary does not fill are left blank.
    """
    if application is None and paper is not None:
        application = paper.application
    if application is None and request is None:
        msg = "a Cerfa prints from an application, an online request or a paper request"
        raise ValueError(msg)
    kind = Cerfa(cerfa) if cerfa is not None else (application or request).cerfa  # type: ignore[union-attr]
    applicant = application.applicant if application else None
    common = (
        _identity(applicant, request),
        _address(applicant, request),
        _representative(application.legal_representative if application else None),
    )
    previous = _previous(application.previous_licence if application else None)
    if kind is Cerfa.C02:
        as02 = application if isinstance(application, Cerfa02) else None
        body = (_cerfa02_request(as02, request), previous, *_declarations(as02))
        title, subtitle = (
            "DEMANDE DE PERMIS DE CONDUIRE",
            "Inscription à l'examen ou attestation de formation",
        )
    else:
        body = (_cerfa06_request(application, request, paper), previous, _photo_and_signature())
        title, subtitle = (
            "DEMANDE DE PERMIS DE CONDUIRE",
            "Format de l'Union européenne — recueil des données du titre",
        )
    return Form(
        cerfa=kind,
        title=title,
        subtitle=subtitle,
        sections=(*common, *body, *_filing(kind, request, paper), _signature(agreement)),
        request_number=request.number if request else None,
        file_reference=paper.reference if paper else None,
    )
