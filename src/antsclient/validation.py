"""Validation before sending: every problem of an application, all at once.

:func:`validate` never stops at the first problem: it returns every :class:`FieldProblem`,
errors (which block sending) and warnings (which inform: ANTS itself does not block on
them, the prefecture decides). Place names are checked against the referential by
:func:`antsclient.geo.check`; here only their form is checked.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from typing import Final

from antsclient._text import fold
from antsclient.errors import ApplicationDataError, FieldProblem, Severity
from antsclient.models.application import (
    Address,
    Applicant,
    Application,
    Cerfa02,
    Cerfa06,
    LegalRepresentative,
    PreviousLicence,
)
from antsclient.models.credentials import department_of_postal_code
from antsclient.models.enums import LicenceCategory, ObtainedBy, RequestType, TrainingMode
from antsclient.models.request_types import (
    PREREQUISITES,
    REQUEST_TYPES,
    TRAININGS,
    Prerequisite,
    TrainingSpec,
)

__all__ = [
    "MANDATE_BARRED_DEPARTMENTS",
    "MINIMUM_AGE",
    "NEPH_VALIDITY_YEARS",
    "PREREQUISITES",
    "check_former_agreement",
    "ensure_valid",
    "is_valid_email",
    "neph_mismatch",
    "normalise_agreement",
    "normalise_ephoto_code",
    "normalise_neph",
    "unknown_cerfa02",
    "unknown_neph",
    "validate",
    "validate_ephoto_code",
]

L = LicenceCategory

_IMPLIES: Final[dict[LicenceCategory, frozenset[LicenceCategory]]] = {
    L.A: frozenset({L.A2, L.A1, L.AM}),
    L.A2: frozenset({L.A1, L.AM}),
    L.A1: frozenset({L.AM}),
    L.B: frozenset({L.B1, L.AM}),
    L.BE: frozenset({L.B}),
    L.C1: frozenset({L.B}),
    L.C: frozenset({L.C1, L.B}),
    L.D1: frozenset({L.B}),
    L.CE: frozenset({L.C, L.C1E, L.BE}),
    L.C1E: frozenset({L.C1, L.BE}),
    L.D: frozenset({L.D1, L.B}),
    L.DE: frozenset({L.D, L.D1E, L.BE}),
    L.D1E: frozenset({L.D1, L.BE}),
}
"""A category held covers lesser ones (a C covers C1; a CE covers C, C1E and BE) and the
category it required (a C holder holds B)."""

MINIMUM_AGE: Final[dict[LicenceCategory, int]] = {
    L.AM: 14,
    L.A1: 16,
    L.B1: 16,
    L.A2: 18,
    L.A: 24,
    L.B: 17,
    L.BE: 18,
    L.C1: 18,
    L.C1E: 18,
    L.C: 21,
    L.CE: 21,
    L.D1: 21,
    L.D1E: 21,
    L.D: 24,
    L.DE: 24,
}
"""Âge minimum to obtain each category (code de la route, art. R221-5; B at 17 since 2024).

A by progressive access is at 20 with A2 held for two years; D and DE have derogations
after a long training (FIMO): below these ages antsclient warns, it does not block."""

_PROGRESSIVE_A_AGE: Final = 20
_REGISTRATION_AGE: Final = REQUEST_TYPES[RequestType.EXAM_REGISTRATION].registration_age or 16
_REGISTRATION_AGE_AM: Final = 14
_REGISTRATION_AGE_AAC: Final = 15
_MAJORITY: Final = 18
_OLDEST_PLAUSIBLE: Final = 120
_CORSICA_SPLIT: Final = dt.date(1976, 1, 1)

_EMAIL: Final = re.compile(
    r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$"
)
_PHONE: Final = re.compile(r"^(?:\+[1-9][0-9]{7,14}|0[0-9]{9})$")
_POSTAL_CODE: Final = re.compile(r"^[0-9]{5}$")
_NEPH: Final = re.compile(r"^[0-9]{10,19}$")
_EPHOTO: Final = re.compile(r"^[A-Z0-9]{20,24}$")
_DEPARTMENT: Final = re.compile(r"^(?:0[1-9]|[1-8][0-9]|9[0-5]|2A|2B|20|97[1-6])$")
_NAME_CHARS: Final = re.compile(r"^[^\W\d_]+(?:[ '\-][^\W\d_]+)*$")

MANDATE_BARRED_DEPARTMENTS: Final[dict[str, str]] = {
    "2A": "Corse-du-Sud",
    "2B": "Haute-Corse",
    "972": "Martinique",
    "973": "Guyane",
    "974": "La Réunion",
    "976": "Mayotte",
}
"""Where a paper mandate cannot be used: the regions with a regional tax on the title,
overseas departments except Guadeloupe, and Corsica (ANTS FAQ « Comment réaliser une
demande avec un mandat papier », current text: verified)."""

NEPH_VALIDITY_YEARS: Final = 6
"""A NEPH older than this is to be registered again (inferred from secondary sources: no
primary text found; the NEPH's first four digits are its year and month, secondary too)."""

_FIELD_FR: Final = {
    "last_name": "Nom",
    "first_name": "Prénom",
    "birth_date": "Date de naissance",
    "birth_city": "Ville de naissance",
    "birth_country": "Pays de naissance",
    "birth_department": "Département de naissance",
    "email": "Email",
    "street": "Adresse",
    "postal_code": "Code postal",
    "city": "Ville",
    "categories": "Catégorie(s) demandée(s)",
    "neph": "Numéro NEPH",
    "last_obtained_on": "Dernière catégorie obtenue le",
    "exchange_country": "Pays d'origine ancien permis",
    "paper_mandate_date": "Date du mandat papier",
    "training": "Formation suivie",
    "request_type": "Type de demande",
}


def _problem(
    field: str,
    code: str,
    message: str,
    message_fr: str,
    severity: Severity = Severity.ERROR,
) -> FieldProblem:
    return FieldProblem(
        field=field, code=code, message=message, message_fr=message_fr, severity=severity
    )


def _label(field: str) -> str:
    return _FIELD_FR.get(field.rsplit(".", 1)[-1], field)


def _required(field: str) -> FieldProblem:
    return _problem(
        field,
        "required",
        f"{field} is required",
        f"Le champ « {_label(field)} » est obligatoire.",
    )


def _blank(value: str | None) -> bool:
    return value is None or not value.strip()


def is_valid_email(email: str) -> bool:
    """Whether ``email`` has the syntax of an email address ANTS can write to."""
    local, _, _ = email.partition("@")
    return len(email) <= 254 and len(local) <= 64 and bool(_EMAIL.match(email))


def normalise_neph(neph: str) -> str:
    """The NEPH without the spaces people type in it (``1508 3320 0011`` → ``150833200011``)."""
    return "".join(neph.split())


def normalise_ephoto_code(code: str) -> str:
    """The ePhoto code in upper case without spaces nor dashes, as ANTS reads it."""
    return re.sub(r"[\s\-]", "", code).upper()


def validate_ephoto_code(code: str) -> str:
    """The ePhoto code normalised, or :class:`ApplicationDataError` if it is malformed."""
    normalised = normalise_ephoto_code(code)
    if not _EPHOTO.match(normalised):
        raise ApplicationDataError(problems=[_ephoto_problem(code)])
    return normalised


def _ephoto_problem(code: str) -> FieldProblem:
    return _problem(
        "ephoto_code",
        "ephoto.invalid",
        f"{code!r} is not an ePhoto code (about 22 letters and digits)",
        f"Le code ePhoto « {code} » est incorrect : il comporte environ 22 lettres et "
        "chiffres, imprimés sur la planche photo.",
    )


def _is_abroad(country: str) -> bool:
    folded = fold(country, upper=True)
    return bool(folded) and folded != "FRANCE"


def _check_name(field: str, value: str) -> Iterator[FieldProblem]:
    if _blank(value):
        yield _required(field)
    elif not _NAME_CHARS.match(value.strip()):
        yield _problem(
            field,
            "name.invalid_characters",
            f"{field} may hold only letters, spaces, hyphens and apostrophes",
            f"« {_label(field)} » ne doit contenir que des lettres, des espaces, des tirets "
            "ou des apostrophes.",
        )


def _check_first_name(field: str, value: str) -> Iterator[FieldProblem]:
    if _blank(value):
        yield _required(field)
        return
    if len(value.split()) > 1 or "," in value:
        yield _problem(
            field,
            "first_name.several_given_names",
            "the first name must hold only the main given name; put the others, separated "
            "by spaces, in other_first_names",
            "Prénom incorrect : le prénom principal de l'élève doit être saisi dans le champ "
            "Prénom. Les prénoms suivants doivent être saisis dans le champ Autres prénoms, "
            "séparés par un espace.",
        )
    else:
        yield from _check_name(field, value)


def _check_address(prefix: str, address: Address) -> Iterator[FieldProblem]:
    if _blank(address.street):
        yield _required(f"{prefix}.street")
    if _blank(address.city):
        yield _required(f"{prefix}.city")
    if _blank(address.postal_code):
        yield _required(f"{prefix}.postal_code")
    elif not _is_abroad(address.country) and not _POSTAL_CODE.match(address.postal_code.strip()):
        yield _problem(
            f"{prefix}.postal_code",
            "postal_code.invalid",
            f"{address.postal_code!r} is not a French postal code (five digits)",
            f"Le code postal « {address.postal_code} » est incorrect : il doit comporter "
            "5 chiffres.",
        )


def _check_phone(field: str, phone: str | None) -> Iterator[FieldProblem]:
    if phone is None or not phone.strip():
        return
    digits = re.sub(r"[\s.\-()]", "", phone)
    if not _PHONE.match(digits):
        yield _problem(
            field,
            "phone.invalid",
            f"{phone!r} is not a phone number (10 digits starting with 0, or +country code)",
            f"Le numéro de téléphone « {phone} » est incorrect.",
        )


def _check_email(field: str, email: str | None, *, required: bool) -> Iterator[FieldProblem]:
    if email is None or not email.strip():
        if required:
            yield _required(field)
        return
    if not is_valid_email(email.strip()):
        yield _problem(
            field,
            "email.invalid",
            f"{email!r} is not a valid email address",
            f"L'adresse email « {email} » est incorrecte. L'élève doit recevoir le mail de "
            "confirmation de l'ANTS à cette adresse.",
        )


def _check_date(
    field: str, day: dt.date | None, today: dt.date, birth: dt.date | None
) -> Iterator[FieldProblem]:
    if day is None:
        return
    if day > today:
        yield _problem(
            field,
            "date.in_future",
            f"{field} ({day.isoformat()}) is in the future",
            f"La date « {day:%d/%m/%Y} » ({_label(field)}) est dans le futur.",
        )
    elif birth is not None and day < birth:
        yield _problem(
            field,
            "date.before_birth",
            f"{field} ({day.isoformat()}) is before the birth date",
            f"La date « {day:%d/%m/%Y} » ({_label(field)}) est antérieure à la date de naissance.",
        )


def _check_department_code(
    field: str, department: str | None, birth_date: dt.date | None = None
) -> Iterator[FieldProblem]:
    if department is None or not department.strip():
        return
    code = department.strip().upper()
    if code == "99":
        yield _problem(
            field,
            "department.abroad_refused",
            "department 99 is no longer accepted: leave the department empty for abroad",
            "Le département n'est pas français. Il doit rester vide (99 n'est plus pris en "
            "compte).",
        )
    elif not _DEPARTMENT.match(code):
        yield _problem(
            field,
            "department.invalid",
            f"{department!r} is not a French department code",
            f"Département incorrect : « {department} » n'est pas un département français.",
        )
    elif code == "20" and birth_date is not None and birth_date >= _CORSICA_SPLIT:
        yield _problem(
            field,
            "department.corsica_split",
            "department 20 exists only for births before 1976: use 2A or 2B",
            "Département incorrect : depuis 1976, la Corse est divisée en 2A et 2B.",
        )


def _check_applicant(
    a: Applicant, today: dt.date, *, email_required: bool = True
) -> Iterator[FieldProblem]:
    yield from _check_name("applicant.last_name", a.last_name)
    yield from _check_first_name("applicant.first_name", a.first_name)
    if a.other_first_names.strip() and "," in a.other_first_names:
        yield _problem(
            "applicant.other_first_names",
            "other_first_names.separator",
            "other first names are separated by spaces, not commas",
            "Les autres prénoms doivent être séparés par un espace.",
        )
    birth = a.birth_date
    if birth > today:
        yield from _check_date("applicant.birth_date", birth, today, None)
    elif a.age_on(today) > _OLDEST_PLAUSIBLE:
        yield _problem(
            "applicant.birth_date",
            "birth_date.implausible",
            f"birth date {birth.isoformat()} is more than {_OLDEST_PLAUSIBLE} years ago",
            f"La date de naissance « {birth:%d/%m/%Y} » n'est pas plausible.",
        )
    if _blank(a.birth_city):
        yield _required("applicant.birth_city")
    if _blank(a.birth_country):
        yield _required("applicant.birth_country")
    elif _is_abroad(a.birth_country):
        if a.birth_department and a.birth_department.strip():
            code = (
                "department.abroad_refused"
                if a.birth_department.strip() == "99"
                else ("birth_department.must_be_empty_abroad")
            )
            yield _problem(
                "applicant.birth_department",
                code,
                "for a birth abroad the birth department must stay empty (99 is refused)",
                "Le département n'est pas français. Il doit rester vide (99 n'est plus pris "
                "en compte).",
            )
    elif _blank(a.birth_department):
        yield _required("applicant.birth_department")
    else:
        yield from _check_department_code("applicant.birth_department", a.birth_department, birth)
    yield from _check_address("applicant.address", a.address)
    yield from _check_email("applicant.email", a.email, required=email_required)
    yield from _check_phone("applicant.phone", a.phone)


def _check_representative(application: Application, today: dt.date) -> Iterator[FieldProblem]:
    rep: LegalRepresentative | None = application.legal_representative
    age = application.applicant.age_on(today)
    if rep is None:
        if age < _MAJORITY:
            yield _problem(
                "legal_representative",
                "legal_representative.required_for_minor",
                f"the applicant is {age}: a minor needs a legal representative",
                f"L'élève est mineur ({age} ans) : le représentant légal doit être renseigné.",
            )
        return
    yield from _check_name("legal_representative.last_name", rep.last_name)
    yield from _check_name("legal_representative.first_name", rep.first_name)
    yield from _check_address("legal_representative.address", rep.address)
    yield from _check_email("legal_representative.email", rep.email, required=False)
    yield from _check_phone("legal_representative.phone", rep.phone)


def _held(previous: PreviousLicence | None) -> frozenset[LicenceCategory]:
    if previous is None:
        return frozenset()
    held = set(previous.categories)
    pending = list(previous.categories)
    while pending:
        for implied in _IMPLIES.get(pending.pop(), ()):
            if implied not in held:
                held.add(implied)
                pending.append(implied)
    return frozenset(held)


def _check_categories(application: Application, today: dt.date) -> Iterator[FieldProblem]:
    requested = application.categories
    if not requested:
        yield _problem(
            "categories",
            "categories.required",
            "at least one category must be requested",
            "Cochez au moins une catégorie demandée.",
        )
        return
    held = _held(application.previous_licence)
    age = application.applicant.age_on(today)
    # A training's mention (B96, code 78 lifted) is written on a category already held.
    mention = _training_of(application)
    already = sorted(requested & held) if mention is None or mention.mention is None else []
    if already:
        names = ", ".join(already)
        yield _problem(
            "categories",
            "categories.already_held",
            f"categories already held cannot be requested: {names}",
            f"Catégorie(s) déjà obtenue(s) : {names}. Décochez-la(les) des catégories demandées.",
        )
    for category in sorted(requested):
        needed = PREREQUISITES.get(category)
        if needed is not None and needed not in held:
            yield _problem(
                "categories",
                "categories.prerequisite_missing",
                f"category {category} requires holding category {needed}",
                f"La catégorie {category} nécessite d'être titulaire de la catégorie {needed} "
                "(à renseigner dans les catégories déjà obtenues).",
            )
    if isinstance(application, Cerfa02):
        yield from _check_registration_age(application, age)
    training = _training_of(application)
    for category in sorted(requested):
        minimum = MINIMUM_AGE[category] if training is None else training.minimum_age
        if category is L.A and L.A2 in held:
            minimum = _PROGRESSIVE_A_AGE
        if age < minimum:
            yield _problem(
                "categories",
                "categories.below_minimum_age",
                f"category {category} is obtained from age {minimum}; the applicant is {age}",
                f"La catégorie {category} s'obtient à partir de {minimum} ans ; l'élève a "
                f"{age} ans.",
                Severity.WARNING,
            )


def _check_registration_age(application: Cerfa02, age: int) -> Iterator[FieldProblem]:
    requested = application.categories
    if requested == {L.AM}:
        minimum = _REGISTRATION_AGE_AM
    elif application.declarations.training_mode is TrainingMode.AAC:
        minimum = _REGISTRATION_AGE_AAC
    else:
        minimum = _REGISTRATION_AGE
    if age < minimum:
        yield _problem(
            "applicant.birth_date",
            "categories.too_young_to_register",
            f"the applicant is {age}; registration is possible from {minimum}",
            f"L'élève a {age} ans : l'inscription n'est possible qu'à partir de {minimum} ans.",
        )


def _check_declarations(application: Cerfa02) -> Iterator[FieldProblem]:
    mode = application.declarations.training_mode
    if mode in {TrainingMode.AAC, TrainingMode.SUPERVISED} and L.B not in application.categories:
        yield _problem(
            "declarations.training_mode",
            "training_mode.requires_b",
            f"{mode.label} is a training mode for category B only",
            f"« {mode.label} » n'est possible que pour la catégorie B.",
        )


def _check_previous_licence(application: Application, today: dt.date) -> Iterator[FieldProblem]:
    previous = application.previous_licence
    if previous is None:
        return
    if not previous.categories:
        yield _problem(
            "previous_licence.categories",
            "previous_licence.categories_required",
            "a previous licence lists at least one category held",
            "Cochez au moins une catégorie déjà obtenue.",
        )
    yield from _check_date(
        "previous_licence.last_obtained_on",
        previous.last_obtained_on,
        today,
        application.applicant.birth_date,
    )
    if previous.obtained_by is ObtainedBy.EXCHANGE and _blank(previous.exchange_country):
        yield _problem(
            "previous_licence.exchange_country",
            "previous_licence.exchange_country_required",
            "a licence obtained by exchange needs the country it comes from",
            "Permis obtenu par échange : le pays d'origine ancien permis est obligatoire.",
        )
    yield from _check_department_code(
        "previous_licence.issuing_department", previous.issuing_department
    )


def _check_identifiers(application: Application) -> Iterator[FieldProblem]:
    neph = application.neph
    if neph is None or not neph.strip():
        if REQUEST_TYPES[application.request_type].prerequisite is Prerequisite.ACCEPTED_CERFA02:
            yield _problem(
                "neph",
                "neph.required",
                "a Cerfa 06 needs the NEPH given by the accepted Cerfa 02",
                "La demande de titre (Cerfa 06) nécessite le numéro NEPH obtenu avec la "
                "demande d'inscription.",
            )
    else:
        digits = normalise_neph(neph)
        if not _NEPH.match(digits):
            yield _problem(
                "neph",
                "neph.invalid",
                f"{neph!r} is not a NEPH (digits only, usually 12)",
                f"Le numéro NEPH « {neph} » est incorrect : il ne contient que des chiffres "
                "(12 en général).",
            )
        elif len(digits) != 12:
            yield _problem(
                "neph",
                "neph.unusual_length",
                f"a NEPH usually has 12 digits; {neph!r} has {len(digits)}",
                f"Le numéro NEPH « {neph} » ne comporte pas 12 chiffres : vérifiez-le.",
                Severity.WARNING,
            )
    code = application.ephoto_code
    if code is not None and code.strip() and not _EPHOTO.match(normalise_ephoto_code(code)):
        yield _ephoto_problem(code)


def _training_of(application: Application) -> TrainingSpec | None:
    """The training without exam a title request follows, if it is one."""
    if (
        isinstance(application, Cerfa06)
        and application.request_type is RequestType.TITLE_AFTER_TRAINING
        and application.training is not None
    ):
        return TRAININGS[application.training]
    return None


def _check_request_type(application: Application, today: dt.date) -> Iterator[FieldProblem]:
    kind = application.request_type
    spec = REQUEST_TYPES[kind]
    if spec.cerfa is not application.cerfa:
        yield _problem(
            "request_type",
            "request_type.wrong_form",
            f"a {kind.value} request is filed on a Cerfa {spec.cerfa.value}, not a Cerfa "
            f"{application.cerfa.value}",
            f"« {kind.label} » se dépose avec un Cerfa {spec.cerfa.value}.",
        )
    if not isinstance(application, Cerfa06):
        return
    if kind is not RequestType.TITLE_AFTER_TRAINING:
        if application.training is not None:
            yield _problem(
                "training",
                "training.not_for_request_type",
                "a training is given only for a title request after a training",
                "La formation suivie ne se renseigne que pour une demande de titre avec une "
                "attestation de formation.",
            )
        return
    if application.training is None:
        yield _problem(
            "training",
            "training.required",
            "a title request after a training names the training (AM, A progressive "
            "access, B96, code 78 removal)",
            "Indiquez la formation suivie : AM, A par accès progressif, B96 ou levée de la "
            "mention 78.",
        )
        return
    yield from _check_training(application, TRAININGS[application.training], today)


def _check_training(
    application: Cerfa06, training: TrainingSpec, today: dt.date
) -> Iterator[FieldProblem]:
    name = application.training.label if application.training else ""
    if application.categories and application.categories != training.categories:
        wanted = ", ".join(sorted(training.categories))
        yield _problem(
            "categories",
            "training.categories",
            f"the training {name!r} leads to category {wanted} only",
            f"La formation « {name} » donne la catégorie {wanted} uniquement.",
        )
    previous = application.previous_licence
    missing = sorted(training.held - _held(previous))
    if missing:
        names = ", ".join(missing)
        yield _problem(
            "previous_licence",
            "training.prerequisite_missing",
            f"the training {name!r} needs category {names} already held",
            f"La formation « {name} » suppose d'être déjà titulaire de la catégorie {names} "
            "(à renseigner dans les catégories déjà obtenues).",
        )
    elif previous is not None and training.held_for is not None:
        since = today - previous.last_obtained_on
        if since < training.held_for:
            months = training.held_for.days // 30
            yield _problem(
                "previous_licence.last_obtained_on",
                "training.held_too_recently",
                f"the category held must be at least {months} months old for {name!r}",
                f"La formation « {name} » suppose la catégorie détenue depuis au moins "
                f"{months} mois : vérifiez la date d'obtention.",
                Severity.WARNING,
            )


def _mandate_of(application: Application) -> tuple[bool, dt.date | None]:
    return application.paper_mandate, application.paper_mandate_date


def _check_paper_mandate(application: Application, today: dt.date) -> Iterator[FieldProblem]:
    mandate, signed = _mandate_of(application)
    if not mandate:
        return
    if signed is None:
        yield _problem(
            "paper_mandate_date",
            "paper_mandate.date_required",
            "a request under a paper mandate needs the day the mandate was signed",
            "Indiquez la date du mandat papier signé par l'élève (à conserver au moins 6 mois).",
        )
    else:
        yield from _check_date(
            "paper_mandate_date", signed, today, application.applicant.birth_date
        )
    department = department_of_postal_code(application.applicant.address.postal_code)
    if not _is_abroad(application.applicant.address.country) and department in (
        MANDATE_BARRED_DEPARTMENTS
    ):
        where = MANDATE_BARRED_DEPARTMENTS[department]
        yield _problem(
            "paper_mandate",
            "paper_mandate.region_excluded",
            f"a paper mandate cannot be used for a student living in {where} ({department})",
            f"Le mandat papier n'est pas possible pour un élève domicilié en {where} "
            f"({department}) : départements d'outre-mer (sauf la Guadeloupe) et Corse. "
            "L'élève valide lui-même la demande.",
        )
    previous = application.previous_licence
    if previous is not None and previous.lost_or_stolen:
        yield _problem(
            "paper_mandate",
            "paper_mandate.loss_or_theft",
            "a paper mandate cannot be used when the licence held is lost or stolen",
            "Le mandat papier n'est pas possible en cas de perte ou de vol du permis.",
        )


def _check_follow_up(application: Application) -> Iterator[FieldProblem]:
    applicant = application.applicant
    email = (applicant.email or "").strip()
    phone = re.sub(r"[\s.\-()]", "", applicant.phone or "")
    if (email and is_valid_email(email)) or (phone and _PHONE.match(phone)):
        return
    yield _problem(
        "applicant.email",
        "contact.none",
        "neither a valid email nor a valid phone lets ANTS tell the student about the request",
        "Ni adresse email ni téléphone valides : l'ANTS ne pourra pas informer l'élève du "
        "suivi de sa demande.",
        Severity.WARNING,
    )


def _neph_registered(neph: str, today: dt.date) -> dt.date | None:
    """The month a 12-digit NEPH was registered (its first four digits, YYMM), if plausible."""
    digits = normalise_neph(neph)
    if len(digits) != 12 or not digits.isdigit():
        return None
    year, month = int(digits[:2]), int(digits[2:4])
    if not 1 <= month <= 12:
        return None
    year += 2000 if 2000 + year <= today.year else 1900
    return dt.date(year, month, 1)


_AGREEMENT: Final = re.compile(r"^E[0-9]{10}$")


def normalise_agreement(agreement: str) -> str:
    """An agreement number without spaces, in upper case (``e 17 069 0003 0`` →
    ``E1706900030``)."""
    return "".join(agreement.split()).upper()


def check_former_agreement(agreement: str, *, own: str) -> str:
    """The former school's agreement number for a transfer, normalised; or
    :class:`ApplicationDataError` if it is not an agreement number (« E » and 10 digits) or
    is the agency's own (``own``)."""
    normalised = normalise_agreement(agreement)
    if not _AGREEMENT.match(normalised):
        problem = _problem(
            "former_agreement",
            "former_agreement.invalid",
            f"{agreement!r} is not an agreement number (E followed by 10 digits)",
            f"Le numéro d'agrément « {agreement} » est incorrect : il s'écrit « E » suivi de "
            "10 chiffres (par exemple E1706900030).",
        )
    elif normalised == normalise_agreement(own):
        problem = _problem(
            "former_agreement",
            "former_agreement.own_agency",
            "the former agreement is the agency's own: a transfer takes over another school's "
            "request",
            "Le numéro d'agrément indiqué est celui de votre auto-école : indiquez celui de "
            "l'ancienne auto-école de l'élève.",
        )
    else:
        return normalised
    raise ApplicationDataError(problems=[problem])


def neph_mismatch(neph: str | None, cerfa02_neph: str | None) -> FieldProblem | None:
    """The problem of a title request whose NEPH is not the one its Cerfa 02 was given."""
    if not neph or not cerfa02_neph or normalise_neph(neph) == normalise_neph(cerfa02_neph):
        return None
    return _problem(
        "neph",
        "neph.mismatch",
        f"the NEPH {neph} is not the one the Cerfa 02 gave ({cerfa02_neph})",
        f"Le numéro NEPH « {neph} » n'est pas celui de la demande d'inscription "
        f"(« {cerfa02_neph} »).",
    )


def unknown_neph(neph: str) -> FieldProblem:
    """The problem of a title request whose NEPH ANTS does not know."""
    return _problem(
        "neph",
        "neph.unknown",
        f"no accepted inscription carries the NEPH {neph}",
        f"Le numéro NEPH « {neph} » ne correspond à aucune demande d'inscription acceptée : "
        "la demande de titre suit l'acceptation du Cerfa 02.",
    )


def unknown_cerfa02(number: str) -> FieldProblem:
    """The problem of a title request naming a Cerfa 02 the agency does not hold."""
    return _problem(
        "cerfa02_number",
        "cerfa02_number.unknown",
        f"the agency holds no request {number}",
        f"La demande d'inscription n° {number} est introuvable pour votre agence.",
    )


def _check_neph_age(application: Application, today: dt.date) -> Iterator[FieldProblem]:
    if application.neph is None:
        return
    registered = _neph_registered(application.neph, today)
    if registered is None:
        return
    limit = registered.replace(year=registered.year + NEPH_VALIDITY_YEARS)
    if today >= limit:
        yield _problem(
            "neph",
            "neph.older_than_six_years",
            f"the NEPH {application.neph} was registered in {registered:%m/%Y}, more than "
            f"{NEPH_VALIDITY_YEARS} years ago: it may have to be registered again",
            f"Le numéro NEPH « {application.neph} » date de {registered:%m/%Y} : au-delà de "
            f"{NEPH_VALIDITY_YEARS} ans, le dossier doit être de nouveau enregistré.",
            Severity.WARNING,
        )


_CHECKS: Final[tuple[Callable[[Application, dt.date], Iterator[FieldProblem]], ...]] = (
    lambda app, today: _check_applicant(app.applicant, today, email_required=not app.paper_mandate),
    _check_representative,
    _check_categories,
    _check_previous_licence,
    lambda app, _today: _check_identifiers(app),
    lambda app, _today: _check_declarations(app) if isinstance(app, Cerfa02) else iter(()),
    lambda app, today: (
        _check_date("medical_visit_date", app.medical_visit_date, today, app.applicant.birth_date)
        if isinstance(app, Cerfa02)
        else iter(())
    ),
    _check_request_type,
    _check_paper_mandate,
    lambda app, _today: _check_follow_up(app),
    _check_neph_age,
)


def validate(application: Application, *, on: dt.date | None = None) -> list[FieldProblem]:
    """Every problem of ``application``, errors and warnings, in field order.

    ``on`` is the day ages and "in the future" are judged on (today by default). An empty
    list means the application can be sent; only problems whose ``severity`` is ``ERROR``
    block it.
    """
    today = on or dt.date.today()
    return [problem for check in _CHECKS for problem in check(application, today)]


def ensure_valid(application: Application, *, on: dt.date | None = None) -> list[FieldProblem]:
    """Raise :class:`ApplicationDataError` with every error; return the warnings."""
    problems = validate(application, on=on)
    errors = [p for p in problems if p.is_error]
    if errors:
        raise ApplicationDataError(problems=errors)
    return problems
