"""The application data: the student's file (fiche élève) as sent in a Cerfa 02 or 06."""

from __future__ import annotations

import datetime as dt
from typing import ClassVar, TypeAlias

import attrs

from antsclient.models.dates import DateLike, to_date
from antsclient.models.enums import (
    Cerfa,
    LicenceCategory,
    ObtainedBy,
    RequestType,
    Sex,
    Training,
    TrainingMode,
)

__all__ = [
    "Address",
    "Applicant",
    "Application",
    "Cerfa02",
    "Cerfa06",
    "Declarations",
    "LegalRepresentative",
    "PreviousLicence",
    "application_type",
]


def _categories(
    value: frozenset[LicenceCategory]
    | set[LicenceCategory]
    | list[LicenceCategory]
    | tuple[LicenceCategory, ...],
) -> frozenset[LicenceCategory]:
    return frozenset(LicenceCategory(v) for v in value)


def _birth_date(value: DateLike) -> dt.date:
    return to_date(value, "applicant.birth_date", "Date de naissance")


def _last_obtained_on(value: DateLike) -> dt.date:
    return to_date(value, "previous_licence.last_obtained_on", "Dernière catégorie obtenue le")


def _medical_visit_date(value: DateLike | None) -> dt.date | None:
    if value is None:
        return None
    return to_date(value, "medical_visit_date", "Date de la visite médicale")


def _mandate_date(value: DateLike | None) -> dt.date | None:
    if value is None:
        return None
    return to_date(value, "paper_mandate_date", "Date du mandat papier")


def _training(value: Training | str | None) -> Training | None:
    return None if value is None else Training(value)


@attrs.frozen(kw_only=True, slots=True)
class Address:
    """Adresse: street, postal code and city (ville d'habitation)."""

    street: str
    postal_code: str
    city: str
    complement: str = ""
    country: str = "FRANCE"


@attrs.frozen(kw_only=True, slots=True)
class Applicant:
    """Le candidat (fiche élève): identity, birth, address and contact of the student.

    ``first_name`` holds the main given name only (Prénom); the others go, space-separated,
    to ``other_first_names`` (Autres prénoms). ``birth_date`` is a date or its text,
    ``2001-03-14`` or ``14/03/2001`` (any other text raises :class:`ApplicationDataError`
    naming the field). ``birth_department`` stays empty (``None``) for a birth abroad: 99 is
    no longer accepted. ``nationality`` (« FRANCE » for a French national; ``None`` when
    not known) decides the census / JDC certificate; ``hosted`` says the student lives at
    someone else's (hébergé): the host's attestation and identity are then required.
    """

    last_name: str
    first_name: str
    birth_date: dt.date = attrs.field(converter=_birth_date)
    birth_city: str
    birth_country: str
    address: Address
    email: str
    birth_department: str | None = None
    other_first_names: str = ""
    usage_name: str | None = None
    sex: Sex | None = None
    phone: str | None = None
    nationality: str | None = None
    hosted: bool = False

    @property
    def full_name(self) -> str:
        """NOM Prénom, as the requests list shows the student (Élève)."""
        return f"{self.last_name.upper()} {self.first_name}".strip()

    def age_on(self, day: dt.date) -> int:
        """Age in whole years on ``day``."""
        had_birthday = (day.month, day.day) >= (self.birth_date.month, self.birth_date.day)
        return day.year - self.birth_date.year - (0 if had_birthday else 1)


@attrs.frozen(kw_only=True, slots=True)
class LegalRepresentative:
    """Représentant légal of a minor applicant."""

    last_name: str
    first_name: str
    address: Address
    email: str | None = None
    phone: str | None = None
    relationship: str | None = None


@attrs.frozen(kw_only=True, slots=True)
class PreviousLicence:
    """Catégorie(s) déjà obtenue(s): the licence the applicant already holds.

    ``last_obtained_on`` and ``last_obtained_place`` are the date and place of the last
    category obtained; by exchange (``obtained_by=EXCHANGE``) the ``exchange_country`` says
    from which country. ``issuing_department`` and ``issuing_prefecture`` say who issued it.
    ``lost_or_stolen`` declares the licence lost or stolen (perte ou vol): a request cannot
    then be filed under a paper mandate.
    """

    categories: frozenset[LicenceCategory] = attrs.field(converter=_categories)
    last_obtained_on: dt.date = attrs.field(converter=_last_obtained_on)
    last_obtained_place: str = ""
    obtained_by: ObtainedBy = ObtainedBy.EXAM
    exchange_country: str | None = None
    issuing_department: str | None = None
    issuing_prefecture: str | None = None
    lost_or_stolen: bool = False


@attrs.frozen(kw_only=True, slots=True)
class Declarations:
    """Le candidat déclare / a choisi / est: the declarations of the form.

    Exam pending (en instance d'examen) in the same or another department and for the same or
    another category; reads and understands French; must drive an adapted vehicle; training
    mode (AAC, conduite supervisée, conduite encadrée); wears vision correction; has an
    affection or handicap possibly incompatible with the licence; holds a civil or military
    invalidity pension; opposes the reuse of personal data.
    """

    exam_pending: bool = False
    exam_pending_other_department: bool = False
    exam_pending_other_category: bool = False
    reads_french: bool = True
    adapted_vehicle: bool = False
    training_mode: TrainingMode = TrainingMode.TRADITIONAL
    vision_correction: bool = False
    affection_or_handicap: bool = False
    invalidity_pension: bool = False
    opposes_data_reuse: bool = False


@attrs.frozen(kw_only=True, slots=True)
class Cerfa02:
    """Demande d'inscription au permis de conduire (Cerfa 02, n° 14866*01).

    ``categories`` are the categories requested (catégories demandées). ``neph`` is optional
    at filing; ``student_id`` is the host application's own id for the student, if any.
    ``after_cancellation`` marks a return after cancellation or invalidation of a licence
    (the judgment copy and a medical opinion are then required); ``military_licence``
    a conversion of a military licence (brevet militaire).

    ``paper_mandate`` files the request under a paper mandate (mandat papier), the usual way
    for a school: the student signs a paper mandate, does not validate online (ANTS tells
    them by email and/or SMS), and the request cannot be transferred; ``paper_mandate_date``
    is the day the student signed it (the school keeps it at least six months).
    ``request_type`` is always ``EXAM_REGISTRATION`` for a Cerfa 02.
    """

    cerfa: ClassVar[Cerfa] = Cerfa.C02

    applicant: Applicant
    categories: frozenset[LicenceCategory] = attrs.field(converter=_categories)
    legal_representative: LegalRepresentative | None = None
    previous_licence: PreviousLicence | None = None
    declarations: Declarations = Declarations()
    neph: str | None = None
    medical_visit_date: dt.date | None = attrs.field(default=None, converter=_medical_visit_date)
    ephoto_code: str | None = None
    paper_mandate: bool = False
    after_cancellation: bool = False
    military_licence: bool = False
    student_id: str | None = None
    paper_mandate_date: dt.date | None = attrs.field(default=None, converter=_mandate_date)
    request_type: RequestType = attrs.field(
        default=RequestType.EXAM_REGISTRATION, converter=RequestType
    )


@attrs.frozen(kw_only=True, slots=True)
class Cerfa06:
    """Demande de titre (Cerfa 06, n° 14948*01): after the exam, or after a training.

    ``request_type`` says which: ``TITLE_AFTER_EXAM`` (the default) follows an accepted
    Cerfa 02, whose NEPH ``neph`` is (``cerfa02_number``: that request's number on ANTS,
    when known); ``TITLE_AFTER_TRAINING`` is the title after a ``training`` without exam
    (AM, A by progressive access, B96, removal of the code 78), where the NEPH is given if
    the student has one. ``paper_mandate`` and ``paper_mandate_date`` as for a Cerfa 02.
    """

    cerfa: ClassVar[Cerfa] = Cerfa.C06

    applicant: Applicant
    categories: frozenset[LicenceCategory] = attrs.field(converter=_categories)
    neph: str | None = None
    cerfa02_number: str | None = None
    legal_representative: LegalRepresentative | None = None
    previous_licence: PreviousLicence | None = None
    ephoto_code: str | None = None
    student_id: str | None = None
    request_type: RequestType = attrs.field(
        default=RequestType.TITLE_AFTER_EXAM, converter=RequestType
    )
    training: Training | None = attrs.field(default=None, converter=_training)
    paper_mandate: bool = False
    paper_mandate_date: dt.date | None = attrs.field(default=None, converter=_mandate_date)


Application: TypeAlias = Cerfa02 | Cerfa06
"""Une demande: a Cerfa 02 or a Cerfa 06 application."""


def application_type(cerfa: Cerfa | str) -> type[Cerfa02] | type[Cerfa06]:
    """The class of a ``cerfa`` application: :class:`Cerfa06` for « 06 », else :class:`Cerfa02`.

    The one place that says which form a request's data is.
    """
    return Cerfa06 if Cerfa(cerfa) is Cerfa.C06 else Cerfa02
