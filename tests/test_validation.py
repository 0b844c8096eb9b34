"""Validation: every rule with a failing and a passing case, all problems at once."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from antsclient import ApplicationDataError, FieldProblem, Severity
from antsclient.models import (
    Address,
    Cerfa02,
    Declarations,
    LicenceCategory,
    ObtainedBy,
    TrainingMode,
)
from antsclient.validation import (
    MINIMUM_AGE,
    PREREQUISITES,
    ensure_valid,
    is_valid_email,
    normalise_ephoto_code,
    normalise_neph,
    validate,
    validate_ephoto_code,
)

L = LicenceCategory
ON = dt.date(2025, 6, 1)
ABROAD = "ALGERIE"


def _codes(app, on: dt.date = ON) -> set[str]:
    return {p.code for p in validate(app, on=on)}


def _problems(app, code: str, on: dt.date = ON) -> list[FieldProblem]:
    return [p for p in validate(app, on=on) if p.code == code]


def _one(app, code: str, on: dt.date = ON) -> FieldProblem:
    found = _problems(app, code, on)
    assert len(found) == 1, validate(app, on=on)
    return found[0]


def _born(age: int) -> dt.date:
    return ON.replace(year=ON.year - age)


# --- the valid baselines -------------------------------------------------------------------


def test_default_applications_are_valid(make_application, make_cerfa06) -> None:
    assert validate(make_application(), on=ON) == []
    assert validate(make_cerfa06(), on=ON) == []
    assert ensure_valid(make_application(), on=ON) == []


def test_validate_defaults_to_today(make_application) -> None:
    assert validate(make_application()) == []


def test_every_problem_is_well_formed(make_application, make_legal_representative) -> None:
    app = make_application(
        applicant={"first_name": "Jean Pierre", "email": "bad", "birth_department": "99"},
        legal_representative=make_legal_representative(last_name=""),
        categories={L.CE},
        neph="123",
    )
    problems = validate(app, on=ON)
    assert len(problems) >= 5
    for p in problems:
        assert isinstance(p, FieldProblem)
        assert p.field
        assert p.message
        assert p.message_fr
        assert p.message != p.message_fr
        assert p.severity in set(Severity)


# --- required fields -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("applicant", "field"),
    [
        ({"last_name": ""}, "applicant.last_name"),
        ({"last_name": "   "}, "applicant.last_name"),
        ({"first_name": ""}, "applicant.first_name"),
        ({"birth_city": ""}, "applicant.birth_city"),
        ({"birth_country": " "}, "applicant.birth_country"),
        ({"birth_department": None}, "applicant.birth_department"),
        ({"birth_department": "  "}, "applicant.birth_department"),
        ({"email": ""}, "applicant.email"),
        ({"address": {"street": ""}}, "applicant.address.street"),
        ({"address": {"city": ""}}, "applicant.address.city"),
        ({"address": {"postal_code": ""}}, "applicant.address.postal_code"),
    ],
)
def test_required_applicant_fields(make_application, applicant, field) -> None:
    problem = _one(make_application(applicant=applicant), "required")
    assert problem.field == field
    assert problem.is_error
    assert "est obligatoire" in problem.message_fr


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"last_name": ""}, "legal_representative.last_name"),
        ({"first_name": ""}, "legal_representative.first_name"),
        (
            {"address": Address(street="", postal_code="69800", city="LYON")},
            "legal_representative.address.street",
        ),
    ],
)
def test_required_representative_fields(
    make_application, make_legal_representative, overrides, field
) -> None:
    app = make_application(legal_representative=make_legal_representative(**overrides))
    assert _one(app, "required").field == field


def test_representative_email_and_phone_are_optional(
    make_application, make_legal_representative
) -> None:
    rep = make_legal_representative(email=None, phone=None)
    assert validate(make_application(legal_representative=rep), on=ON) == []
    rep = make_legal_representative(email="  ", phone="  ")
    assert validate(make_application(legal_representative=rep), on=ON) == []


def test_representative_fields_are_checked(make_application, make_legal_representative):
    rep = make_legal_representative(
        first_name="P4ul",
        email="paul@",
        phone="12",
        address=Address(street="1 rue", postal_code="123", city="LYON"),
    )
    problems = validate(make_application(legal_representative=rep), on=ON)
    assert {(p.field, p.code) for p in problems} == {
        ("legal_representative.first_name", "name.invalid_characters"),
        ("legal_representative.email", "email.invalid"),
        ("legal_representative.phone", "phone.invalid"),
        ("legal_representative.address.postal_code", "postal_code.invalid"),
    }


# --- names ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "first_name", ["Jean Pierre", "Jean  Pierre", "Jean,Pierre", "Jean, Pierre"]
)
def test_first_name_with_several_given_names(make_application, first_name: str) -> None:
    problem = _one(make_application(applicant={"first_name": first_name}),
                   "first_name.several_given_names")  # fmt: skip
    assert problem.field == "applicant.first_name"
    assert "Autres prénoms" in problem.message_fr
    assert "séparés par un espace" in problem.message_fr


@pytest.mark.parametrize("first_name", ["Jean-Pierre", "Léa", "Zoë", "  Anne  ", "N'Golo"])
def test_single_given_name_passes(make_application, first_name: str) -> None:
    assert validate(make_application(applicant={"first_name": first_name}), on=ON) == []


@given(
    first=st.text(st.characters(categories=("Lu", "Ll")), min_size=1, max_size=10),
    space=st.sampled_from([" ", "  ", "\t", "\u00a0"]),
    second=st.text(st.characters(categories=("Lu", "Ll")), min_size=1, max_size=10),
)
def test_any_first_name_with_inner_whitespace_fails(
    make_application, first: str, space: str, second: str
) -> None:
    app = make_application(applicant={"first_name": f"{first}{space}{second}"})
    assert "first_name.several_given_names" in _codes(app)


def test_other_first_names_separator(make_application) -> None:
    bad = make_application(applicant={"other_first_names": "Marie, Anne"})
    problem = _one(bad, "other_first_names.separator")
    assert problem.field == "applicant.other_first_names"
    assert "espace" in problem.message_fr
    for good in ("Marie Anne", "", "   ", "Marie-Anne Louise"):
        assert validate(make_application(applicant={"other_first_names": good}), on=ON) == []


@pytest.mark.parametrize("last_name", ["Martin3", "M@rtin", "Martin_Durand", "Martin.", "-Martin"])
def test_name_invalid_characters(make_application, last_name: str) -> None:
    problem = _one(make_application(applicant={"last_name": last_name}), "name.invalid_characters")
    assert problem.field == "applicant.last_name"
    assert "lettres" in problem.message_fr


@pytest.mark.parametrize(
    "last_name", ["D'Artagnan", "Le Goff", "Müller-Lüdenscheidt", "ÉLISÉE", "de la Fontaine"]
)
def test_names_with_letters_spaces_hyphens_apostrophes_pass(make_application, last_name):
    assert validate(make_application(applicant={"last_name": last_name}), on=ON) == []


def test_first_name_with_invalid_characters(make_application) -> None:
    problem = _one(make_application(applicant={"first_name": "L3a"}), "name.invalid_characters")
    assert problem.field == "applicant.first_name"


# --- email, phone, postal code -------------------------------------------------------------


@pytest.mark.parametrize(
    "email",
    [
        "lea",
        "lea@",
        "@example.fr",
        "lea@example",
        "lea martin@example.fr",
        "lea..martin@example.fr",
        "lea@-example.fr",
        "lea@example.f",
        "a" * 65 + "@example.fr",
        "a@" + ("b" * 60 + ".") * 5 + "fr",
    ],
)
def test_email_invalid(make_application, email: str) -> None:
    problem = _one(make_application(applicant={"email": email}), "email.invalid")
    assert problem.field == "applicant.email"
    assert "mail de confirmation" in problem.message_fr
    assert not is_valid_email(email)


@pytest.mark.parametrize(
    "email",
    ["lea.martin@example.fr", "LEA+ants@sub.example.com", "a@b.co", " lea@example.fr ",
     "a" * 64 + "@example.fr"],
)  # fmt: skip
def test_email_valid(make_application, email: str) -> None:
    assert validate(make_application(applicant={"email": email}), on=ON) == []


@given(
    local=st.from_regex(r"\A[a-z0-9_+-]{1,20}(\.[a-z0-9_+-]{1,10}){0,2}\Z"),
    labels=st.lists(st.from_regex(r"\A[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?\Z"), min_size=1,
                    max_size=3),
    tld=st.from_regex(r"\A[a-z]{2,6}\Z"),
)  # fmt: skip
def test_any_email_built_from_safe_parts_passes(make_application, local, labels, tld) -> None:
    email = f"{local}@{'.'.join(labels)}.{tld}"
    assert is_valid_email(email)
    assert "email.invalid" not in _codes(make_application(applicant={"email": email}))


@pytest.mark.parametrize("phone", ["12345", "061234567", "06123456789", "+0612345678", "téléphone"])
def test_phone_invalid(make_application, phone: str) -> None:
    problem = _one(make_application(applicant={"phone": phone}), "phone.invalid")
    assert problem.field == "applicant.phone"


@pytest.mark.parametrize(
    "phone", [None, "", "0612345678", "06 12 34 56 78", "06.12.34.56.78", "+33 6 12 34 56 78",
              "(04) 78-00-00-00"],
)  # fmt: skip
def test_phone_valid(make_application, phone: str | None) -> None:
    assert validate(make_application(applicant={"phone": phone}), on=ON) == []


@pytest.mark.parametrize("postal_code", ["6980", "698000", "ABCDE", "69 800"])
def test_postal_code_invalid(make_application, postal_code: str) -> None:
    app = make_application(applicant={"address": {"postal_code": postal_code}})
    problem = _one(app, "postal_code.invalid")
    assert problem.field == "applicant.address.postal_code"
    assert "5 chiffres" in problem.message_fr


def test_postal_code_abroad_is_free(make_application) -> None:
    app = make_application(
        applicant={"address": {"postal_code": "SW1A 1AA", "country": "ROYAUME-UNI"}}
    )
    assert validate(app, on=ON) == []


def test_postal_code_of_non_ascii_digits_is_invalid(make_application) -> None:
    app = make_application(applicant={"address": {"postal_code": "６９８００"}})
    assert "postal_code.invalid" in _codes(app)


# --- legal representative ------------------------------------------------------------------


def test_minor_needs_a_legal_representative(make_application) -> None:
    problem = _one(
        make_application(applicant={"birth_date": _born(17)}),
        "legal_representative.required_for_minor",
    )
    assert problem.field == "legal_representative"
    assert "17 ans" in problem.message_fr


def test_minor_with_representative_and_adult_without(make_application, make_legal_representative):
    minor = make_application(
        applicant={"birth_date": _born(17)}, legal_representative=make_legal_representative()
    )
    assert validate(minor, on=ON) == []
    assert validate(make_application(applicant={"birth_date": _born(18)}), on=ON) == []
    # The day before the 18th birthday still a minor.
    one_day_short = make_application(applicant={"birth_date": _born(18) + dt.timedelta(days=1)})
    assert "legal_representative.required_for_minor" in _codes(one_day_short)


def test_cerfa06_minor_needs_a_representative_too(make_cerfa06) -> None:
    assert "legal_representative.required_for_minor" in _codes(
        make_cerfa06(applicant={"birth_date": _born(17)})
    )


# --- categories ----------------------------------------------------------------------------


def test_categories_required(make_application, make_cerfa06) -> None:
    problem = _one(make_application(categories=set()), "categories.required")
    assert problem.field == "categories"
    assert "catégorie" in problem.message_fr
    assert "categories.required" in _codes(make_cerfa06(categories=()))


def test_category_already_held(make_application, make_previous_licence) -> None:
    app = make_application(
        categories={L.B, L.BE}, previous_licence=make_previous_licence(categories={L.B})
    )
    problem = _one(app, "categories.already_held")
    assert "B" in problem.message_fr
    assert "déjà obtenue" in problem.message_fr
    passing = make_application(
        categories={L.BE}, previous_licence=make_previous_licence(categories={L.B})
    )
    assert validate(passing, on=ON) == []


@pytest.mark.parametrize(("requested", "needed"), list(PREREQUISITES.items()))
def test_every_prerequisite_row(
    make_application, make_previous_licence, requested: LicenceCategory, needed: LicenceCategory
) -> None:
    adult = {"birth_date": _born(30)}
    missing = make_application(categories={requested}, applicant=adult)
    problem = _one(missing, "categories.prerequisite_missing")
    assert f"{requested}" in problem.message and f"{needed}" in problem.message
    assert f"titulaire de la catégorie {needed}" in problem.message_fr
    # Holding the prerequisite (and what it needs itself) lifts the problem.
    held = {needed}
    if needed in PREREQUISITES:
        held.add(PREREQUISITES[needed])
    ok = make_application(
        categories={requested},
        applicant=adult,
        previous_licence=make_previous_licence(categories=held),
    )
    assert "categories.prerequisite_missing" not in _codes(ok)
    # Holding something unrelated does not.
    other = make_application(
        categories={requested},
        applicant=adult,
        previous_licence=make_previous_licence(categories={L.AM}),
    )
    assert "categories.prerequisite_missing" in _codes(other)


@pytest.mark.parametrize(
    ("requested", "held"),
    [
        (L.C1E, {L.C}),  # C covers C1
        (L.C1E, {L.CE}),  # CE covers C, hence C1
        (L.D1E, {L.D}),  # D covers D1
        (L.D1E, {L.DE}),  # DE covers D, hence D1
        (L.D, {L.CE}),  # CE covers BE, hence B
        (L.C, {L.C1E}),  # C1E covers BE, hence B
        (L.D1, {L.D1E}),  # D1E covers BE, hence B
        (L.C1, {L.BE}),  # BE covers B
    ],
)
def test_prerequisite_equivalences(make_application, make_previous_licence, requested, held):
    app = make_application(
        categories={requested},
        applicant={"birth_date": _born(30)},
        previous_licence=make_previous_licence(categories=held),
    )
    assert "categories.prerequisite_missing" not in _codes(app)


@pytest.mark.parametrize(("requested", "held"), [(L.D, {L.C}), (L.C, {L.D1}), (L.BE, {L.C1})])
def test_holding_a_category_implies_its_prerequisite(
    make_application, make_previous_licence, requested, held
) -> None:
    app = make_application(
        categories={requested},
        applicant={"birth_date": _born(30)},
        previous_licence=make_previous_licence(categories=held),
    )
    assert "categories.prerequisite_missing" not in _codes(app)


@pytest.mark.parametrize("category", sorted(set(LicenceCategory) - set(PREREQUISITES)))
def test_categories_without_prerequisite(make_application, category) -> None:
    app = make_application(categories={category}, applicant={"birth_date": _born(30)})
    assert "categories.prerequisite_missing" not in _codes(app)


def test_every_prerequisite_missing_reported(make_application) -> None:
    app = make_application(categories={L.CE, L.DE, L.BE}, applicant={"birth_date": _born(30)})
    assert len(_problems(app, "categories.prerequisite_missing")) == 3


# --- ages ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("categories", "mode", "age", "too_young"),
    [
        ({L.B}, TrainingMode.TRADITIONAL, 15, True),
        ({L.B}, TrainingMode.TRADITIONAL, 16, False),
        ({L.B}, TrainingMode.AAC, 14, True),
        ({L.B}, TrainingMode.AAC, 15, False),
        ({L.AM}, TrainingMode.TRADITIONAL, 13, True),
        ({L.AM}, TrainingMode.TRADITIONAL, 14, False),
        ({L.AM, L.A1}, TrainingMode.TRADITIONAL, 14, True),
        ({L.A1}, TrainingMode.TRADITIONAL, 16, False),
    ],
)
def test_too_young_to_register(
    make_application, make_legal_representative, categories, mode, age, too_young
) -> None:
    app = make_application(
        categories=categories,
        applicant={"birth_date": _born(age)},
        declarations=Declarations(training_mode=mode),
        legal_representative=make_legal_representative(),
    )
    found = _problems(app, "categories.too_young_to_register")
    assert bool(found) is too_young
    if too_young:
        assert found[0].field == "applicant.birth_date"
        assert found[0].is_error
        assert f"{age} ans" in found[0].message_fr


def test_title_request_has_no_registration_age(make_cerfa06, make_legal_representative):
    app = make_cerfa06(
        applicant={"birth_date": _born(15)}, legal_representative=make_legal_representative()
    )
    assert "categories.too_young_to_register" not in _codes(app)


@pytest.mark.parametrize("category", list(LicenceCategory))
def test_below_minimum_age_is_a_warning(
    make_application, make_previous_licence, make_legal_representative, category
) -> None:
    minimum = MINIMUM_AGE[category]
    needed = PREREQUISITES.get(category)
    kwargs = {
        "categories": {category},
        "previous_licence": make_previous_licence(
            categories={needed}, last_obtained_on=dt.date(2024, 1, 1)
        )
        if needed is not None
        else None,
        "legal_representative": make_legal_representative(),
    }
    young = make_application(applicant={"birth_date": _born(minimum - 1)}, **kwargs)
    if minimum - 1 >= 16:
        problem = _one(young, "categories.below_minimum_age")
        assert problem.severity is Severity.WARNING
        assert not problem.is_error
        assert f"à partir de {minimum} ans" in problem.message_fr
        assert ensure_valid(young, on=ON) == [problem]
    else:
        assert "categories.below_minimum_age" in _codes(young)
    old_enough = make_application(applicant={"birth_date": _born(minimum)}, **kwargs)
    assert "categories.below_minimum_age" not in _codes(old_enough)


def test_progressive_a_from_20_with_a2(make_application, make_previous_licence) -> None:
    a2 = make_previous_licence(categories={L.A2}, last_obtained_on=dt.date(2023, 1, 1))
    at_20 = make_application(categories={L.A}, applicant={"birth_date": _born(20)},
                             previous_licence=a2)  # fmt: skip
    assert validate(at_20, on=ON) == []
    at_19 = make_application(categories={L.A}, applicant={"birth_date": _born(19)},
                             previous_licence=a2)  # fmt: skip
    assert "à partir de 20 ans" in _one(at_19, "categories.below_minimum_age").message_fr
    direct_23 = make_application(categories={L.A}, applicant={"birth_date": _born(23)})
    assert "à partir de 24 ans" in _one(direct_23, "categories.below_minimum_age").message_fr


@pytest.mark.parametrize(
    ("mode", "categories", "refused"),
    [
        (TrainingMode.AAC, {L.A1}, True),
        (TrainingMode.SUPERVISED, {L.A2}, True),
        (TrainingMode.AAC, {L.B}, False),
        (TrainingMode.SUPERVISED, {L.B, L.A2}, False),
        (TrainingMode.SUPERVISED_PROFESSIONAL, {L.A1}, False),
        (TrainingMode.TRADITIONAL, {L.A1}, False),
    ],
)
def test_training_mode_requires_b(make_application, mode, categories, refused) -> None:
    app = make_application(
        categories=categories,
        applicant={"birth_date": _born(30)},
        declarations=Declarations(training_mode=mode),
    )
    found = _problems(app, "training_mode.requires_b")
    assert bool(found) is refused
    if refused:
        assert found[0].field == "declarations.training_mode"
        assert mode.label in found[0].message_fr


# --- dates ---------------------------------------------------------------------------------


def test_birth_date_in_the_future(make_application) -> None:
    app = make_application(applicant={"birth_date": ON + dt.timedelta(days=1)})
    problem = _one(app, "date.in_future")
    assert problem.field == "applicant.birth_date"
    assert "dans le futur" in problem.message_fr
    assert "Date de naissance" in problem.message_fr
    assert "birth_date.implausible" not in _codes(app)


def test_birth_date_today_is_not_in_the_future(make_application) -> None:
    assert "date.in_future" not in _codes(make_application(applicant={"birth_date": ON}))


def test_medical_visit_date(make_application) -> None:
    future = make_application(medical_visit_date=ON + dt.timedelta(days=1))
    assert _one(future, "date.in_future").field == "medical_visit_date"
    before = make_application(medical_visit_date=dt.date(1999, 1, 1))
    problem = _one(before, "date.before_birth")
    assert problem.field == "medical_visit_date"
    assert "antérieure à la date de naissance" in problem.message_fr
    assert validate(make_application(medical_visit_date=ON), on=ON) == []


def test_previous_licence_dates(make_application, make_previous_licence) -> None:
    future = make_application(
        categories={L.BE},
        previous_licence=make_previous_licence(last_obtained_on=dt.date(2026, 1, 1)),
    )
    problem = _one(future, "date.in_future")
    assert problem.field == "previous_licence.last_obtained_on"
    assert "01/01/2026" in problem.message_fr
    assert "Dernière catégorie obtenue le" in problem.message_fr
    before = make_application(
        categories={L.BE},
        previous_licence=make_previous_licence(last_obtained_on=dt.date(1999, 12, 31)),
    )
    assert _one(before, "date.before_birth").field == "previous_licence.last_obtained_on"


def test_birth_date_implausible(make_application) -> None:
    app = make_application(applicant={"birth_date": dt.date(1904, 5, 31)})
    problem = _one(app, "birth_date.implausible")
    assert problem.field == "applicant.birth_date"
    assert "31/05/1904" in problem.message_fr
    assert "birth_date.implausible" not in _codes(
        make_application(applicant={"birth_date": dt.date(1905, 6, 1)})
    )


# --- identifiers ---------------------------------------------------------------------------


@pytest.mark.parametrize("neph", ["ABC", "12345", "15083320001A", "1" * 20, "15-08-33"])
def test_neph_invalid(make_application, neph: str) -> None:
    problem = _one(make_application(neph=neph), "neph.invalid")
    assert problem.field == "neph"
    assert problem.is_error


@pytest.mark.parametrize("neph", ["1234567890", "12345678901", "1234567890123", "1" * 19])
def test_neph_unusual_length_is_a_warning(make_application, neph: str) -> None:
    problem = _one(make_application(neph=neph), "neph.unusual_length")
    assert problem.severity is Severity.WARNING
    assert ensure_valid(make_application(neph=neph), on=ON) == [problem]


@pytest.mark.parametrize("neph", [None, "", "230833200011", "2308 3320 0011", " 230833200011 "])
def test_neph_valid_or_absent_on_a_cerfa02(make_application, neph) -> None:
    assert validate(make_application(neph=neph), on=ON) == []


@pytest.mark.parametrize("neph", ["", "   "])
def test_neph_required_for_cerfa06(make_cerfa06, neph: str) -> None:
    problem = _one(make_cerfa06(neph=neph), "neph.required")
    assert problem.field == "neph"
    assert "Cerfa 06" in problem.message_fr
    assert "neph.required" not in _codes(make_cerfa06())


def test_neph_normalisation() -> None:
    assert normalise_neph("1508 3320 0011") == "150833200011"
    assert normalise_neph("\t150833200011\n") == "150833200011"


@pytest.mark.parametrize("code", ["SHORT", "AB12CD34EF56GH78IJ90KL12345", "AB12CD34EF56GH78IJ9_KL"])
def test_ephoto_invalid(make_application, make_cerfa06, code: str) -> None:
    problem = _one(make_application(ephoto_code=code), "ephoto.invalid")
    assert problem.field == "ephoto_code"
    assert "ephoto.invalid" in _codes(make_cerfa06(ephoto_code=code))


@pytest.mark.parametrize(
    "code",
    [None, "", "AB12CD34EF56GH78IJ90KL", "ab12-cd34-ef56-gh78-ij90-kl", "AB12 CD34 EF56 GH78 IJ90",
     "A" * 20, "A" * 24],
)  # fmt: skip
def test_ephoto_valid(make_application, code) -> None:
    assert validate(make_application(ephoto_code=code), on=ON) == []


def test_ephoto_normalisation() -> None:
    assert normalise_ephoto_code("ab12-cd34 ef56") == "AB12CD34EF56"


def test_validate_ephoto_code_alone() -> None:
    assert validate_ephoto_code("ab12-cd34-ef56-gh78-ij90-kl") == "AB12CD34EF56GH78IJ90KL"
    with pytest.raises(ApplicationDataError) as info:
        validate_ephoto_code("ABC")
    (problem,) = info.value.problems
    assert problem.code == "ephoto.invalid"
    assert problem.field == "ephoto_code"
    assert info.value.field == "ephoto_code"
    assert "planche photo" in info.value.message_fr


# --- departments ---------------------------------------------------------------------------


def test_department_99_refused_for_a_birth_in_france(make_application) -> None:
    problem = _one(make_application(applicant={"birth_department": "99"}),
                   "department.abroad_refused")  # fmt: skip
    assert problem.field == "applicant.birth_department"
    assert "99 n'est plus pris en compte" in problem.message_fr


def test_department_99_refused_for_a_birth_abroad(make_application) -> None:
    app = make_application(applicant={"birth_country": ABROAD, "birth_department": "99"})
    assert _one(app, "department.abroad_refused").field == "applicant.birth_department"
    assert "birth_department.must_be_empty_abroad" not in _codes(app)


@pytest.mark.parametrize("department", ["69", "2A", "ZZ"])
def test_birth_department_must_be_empty_abroad(make_application, department: str) -> None:
    app = make_application(applicant={"birth_country": ABROAD, "birth_department": department})
    problem = _one(app, "birth_department.must_be_empty_abroad")
    assert "doit rester vide" in problem.message_fr


@pytest.mark.parametrize("department", [None, "", "  "])
def test_birth_abroad_with_empty_department_passes(make_application, department) -> None:
    app = make_application(applicant={"birth_country": ABROAD, "birth_department": department})
    assert validate(app, on=ON) == []


@pytest.mark.parametrize("department", ["00", "96", "2C", "977", "100", "6", "ZZ", "9A"])
def test_department_invalid(make_application, department: str) -> None:
    problem = _one(make_application(applicant={"birth_department": department}),
                   "department.invalid")  # fmt: skip
    assert problem.field == "applicant.birth_department"
    assert department in problem.message_fr


@pytest.mark.parametrize("department", ["01", "69", "95", "2A", "2B", "2a", "971", "976", " 69 "])
def test_department_valid(make_application, department: str) -> None:
    assert validate(make_application(applicant={"birth_department": department}), on=ON) == []


def test_corsica_20_only_before_1976(make_application) -> None:
    after = make_application(
        applicant={"birth_department": "20", "birth_date": dt.date(1976, 1, 1)}
    )
    problem = _one(after, "department.corsica_split")
    assert "2A et 2B" in problem.message_fr
    before = make_application(
        applicant={"birth_department": "20", "birth_date": dt.date(1975, 12, 31)}
    )
    assert validate(before, on=ON) == []
    split = make_application(
        applicant={"birth_department": "2B", "birth_date": dt.date(1980, 1, 1)}
    )
    assert validate(split, on=ON) == []


@pytest.mark.parametrize(
    ("department", "code"),
    [("99", "department.abroad_refused"), ("96", "department.invalid")],
)
def test_previous_licence_issuing_department(
    make_application, make_previous_licence, department, code
) -> None:
    app = make_application(
        categories={L.BE}, previous_licence=make_previous_licence(issuing_department=department)
    )
    assert _one(app, code).field == "previous_licence.issuing_department"
    for good in (None, "20", "2A", "69"):
        ok = make_application(
            categories={L.BE}, previous_licence=make_previous_licence(issuing_department=good)
        )
        assert validate(ok, on=ON) == []


# --- previous licence ----------------------------------------------------------------------


def test_exchange_needs_a_country(make_application, make_previous_licence) -> None:
    for country in (None, "", "  "):
        app = make_application(
            categories={L.BE},
            previous_licence=make_previous_licence(
                obtained_by=ObtainedBy.EXCHANGE, exchange_country=country
            ),
        )
        problem = _one(app, "previous_licence.exchange_country_required")
        assert problem.field == "previous_licence.exchange_country"
        assert "pays d'origine" in problem.message_fr
    ok = make_application(
        categories={L.BE},
        previous_licence=make_previous_licence(
            obtained_by=ObtainedBy.EXCHANGE, exchange_country="MAROC"
        ),
    )
    assert validate(ok, on=ON) == []


def test_previous_licence_needs_categories(make_application, make_previous_licence) -> None:
    app = make_application(previous_licence=make_previous_licence(categories=set()))
    problem = _one(app, "previous_licence.categories_required")
    assert problem.field == "previous_licence.categories"
    ok = make_application(
        categories={L.BE}, previous_licence=make_previous_licence(categories={L.B})
    )
    assert "previous_licence.categories_required" not in _codes(ok)


# --- all at once ---------------------------------------------------------------------------

MANY_FAULTS = {
    "required",
    "first_name.several_given_names",
    "other_first_names.separator",
    "name.invalid_characters",
    "email.invalid",
    "phone.invalid",
    "postal_code.invalid",
    "legal_representative.required_for_minor",
    "categories.already_held",
    "categories.prerequisite_missing",
    "categories.below_minimum_age",
    "training_mode.requires_b",
    "date.in_future",
    "neph.invalid",
    "ephoto.invalid",
    "department.invalid",
    "previous_licence.exchange_country_required",
    "contact.none",
}


def _faulty(make_application, make_previous_licence) -> Cerfa02:
    return make_application(
        applicant={
            "last_name": "Mart1n",
            "first_name": "Jean Pierre",
            "other_first_names": "Paul, Louis",
            "birth_date": _born(17),
            "birth_city": "",
            "birth_department": "96",
            "email": "jean@",
            "phone": "123",
            "address": {"postal_code": "ABC"},
        },
        categories={L.A1, L.CE},
        previous_licence=make_previous_licence(
            categories={L.A1},
            obtained_by=ObtainedBy.EXCHANGE,
            last_obtained_on=dt.date(2024, 1, 1),
        ),
        declarations=Declarations(training_mode=TrainingMode.AAC),
        medical_visit_date=ON + dt.timedelta(days=3),
        neph="NEPH",
        ephoto_code="XX",
    )


def test_validate_returns_every_problem_at_once(make_application, make_previous_licence):
    problems = validate(_faulty(make_application, make_previous_licence), on=ON)
    assert {p.code for p in problems} == MANY_FAULTS
    fields = [p.field for p in problems]
    assert fields[0].startswith("applicant.")
    assert len(problems) >= len(MANY_FAULTS)


def test_ensure_valid_raises_with_only_the_errors(make_application, make_previous_licence):
    app = _faulty(make_application, make_previous_licence)
    problems = validate(app, on=ON)
    with pytest.raises(ApplicationDataError) as info:
        ensure_valid(app, on=ON)
    error = info.value
    assert error.problems == tuple(p for p in problems if p.is_error)
    assert all(p.is_error for p in error.problems)
    assert "categories.below_minimum_age" not in {p.code for p in error.problems}
    assert error.field == error.problems[0].field
    assert error.code == "application_data"
    assert "Prénom incorrect" in error.message_fr


def test_ensure_valid_returns_the_warnings(make_application, make_legal_representative):
    app = make_application(
        applicant={"birth_date": _born(16)},
        legal_representative=make_legal_representative(),
        neph="1234567890",
    )
    warnings = ensure_valid(app, on=ON)
    assert {p.code for p in warnings} == {"categories.below_minimum_age", "neph.unusual_length"}
    assert all(p.severity is Severity.WARNING for p in warnings)


# --- properties ----------------------------------------------------------------------------


@given(data=st.data())
def test_validate_never_raises(model_strategies, data: st.DataObject) -> None:
    app = data.draw(model_strategies.applications)
    on = data.draw(st.dates(min_value=dt.date(1950, 1, 1), max_value=dt.date(2100, 1, 1)))
    problems = validate(app, on=on)
    assert all(isinstance(p, FieldProblem) for p in problems)
    errors = [p for p in problems if p.is_error]
    if errors:
        with pytest.raises(ApplicationDataError) as info:
            ensure_valid(app, on=on)
        assert list(info.value.problems) == errors
    else:
        assert ensure_valid(app, on=on) == problems
