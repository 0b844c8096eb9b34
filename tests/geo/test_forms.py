"""The forms people type in a city field, as-you-type suggestions, birth places in time."""

from __future__ import annotations

import datetime as dt

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from antsclient import geo
from antsclient.geo import autocomplete, find_country, suggest_communes
from antsclient.geo.forms import department_by_name, read, roman
from antsclient.geo.fuzzy import (
    COST_DOUBLED,
    COST_NEIGHBOUR,
    COST_OTHER,
    COST_TRANSPOSED,
    osa_distance,
    typo_cost,
)
from antsclient.geo.history import (
    FORMER_DEPARTMENTS,
    confirmed_place_exists,
    former_department,
    former_names,
)
from antsclient.geo.referential import get_referential
from antsclient.models import Address, Applicant, Cerfa02, LicenceCategory


def first(text: str, **context: str) -> str:
    found = suggest_communes(text, **context)  # type: ignore[arg-type]
    assert found, text
    return found[0].label


# -- every form of the field -----------------------------------------------------------------

FORMS = [
    # two typing mistakes in one name
    ("BORDAUXX", "BORDEAUX (33000)"),
    ("STRASBUORGG", "STRASBOURG (67000)"),
    ("MONTPELLEIRR", "MONTPELLIER (34000)"),
    # a department written in the field, by name or number, any punctuation
    ("OUGES (Côte-d'Or)", "OUGES (21600)"),
    ("VIENNE (ISERE)", "VIENNE (38200)"),
    ("Brioude, HAUTE-LOIRE", "BRIOUDE (43100)"),
    ("TOULOUSE HAUTE GARONNE", "TOULOUSE (31000)"),
    ("Lyon - RHONE", "LYON (69001)"),
    ("Saint-Pierre 974", "SAINT-PIERRE (97410)"),
    ("CHASSELAY (38 - ISERE)", "CHASSELAY (38470)"),
    ("Oisly, Loir-&-Cher", "OISLY (41700)"),
    ("CHASSELAY dépt 38", "CHASSELAY (38470)"),
    ("ST PRIEST/69", "SAINT-PRIEST (69800)"),
    ("Montreuil 93 Seine St Denis", "MONTREUIL (93100)"),
    ("NOGENT - SUR - SEINE", "NOGENT-SUR-SEINE (10400)"),
    # arrondissements in Roman numerals
    ("PARIS XVIII", "PARIS-18E-ARRONDISSEMENT (75018)"),
    ("marseille xiii", "MARSEILLE-13E-ARRONDISSEMENT (13013)"),
    ("Paris IIIe", "PARIS-3E-ARRONDISSEMENT (75003)"),
    ("LYON VII", "LYON-7E-ARRONDISSEMENT (69007)"),
    # the article after the name
    ("HAVRE LE", "LE-HAVRE (76600)"),
    (" Sables-d'Olonne Les ", "LES-SABLES-D'OLONNE (85100)"),
    ("MANS (LE)", "LE-MANS (72000)"),
    # SAINT glued or abbreviated
    ("STETIENNE", "SAINT-ETIENNE (42000)"),
    ("stmaurdesfosses", "SAINT-MAUR-DES-FOSSES (94100)"),
    ("SNT GERMAIN EN LAYE", "SAINT-GERMAIN-EN-LAYE (78100)"),
    ("VILLIERS-SNT-GEORGES", "VILLIERS-SAINT-GEORGES (77560)"),
    ("bussystgeorges", "BUSSY-SAINT-GEORGES (77600)"),
    # one typing mistake where several communes are one edit away: likelier mistake, bigger
    ("NANTS", "NANTES (44000)"),
    ("ROUEM", "ROUEN (76000)"),
    ("ALBY (81)", "ALBI (81000)"),
    ("PAUU", "PAU (64000)"),
    # /S, S/, ND
    ("CHALON S/ SAONE", "CHALON-SUR-SAONE (71100)"),
    ("BOULOGNE /S MER", "BOULOGNE-SUR-MER (62200)"),
    ("ND DE GRAVENCHON", "NOTRE-DAME-DE-GRAVENCHON (76170)"),
    ("N.D. DE MONTS", "NOTRE-DAME-DE-MONTS (85690)"),
    ("AULNAY S/ BOIS", "AULNAY-SOUS-BOIS (93600)"),
    ("NOGENT S MARNE", "NOGENT-SUR-MARNE (94130)"),
    ("S<sup>t</sup> CYRAN DU JAMBOT", "SAINT-CYRAN-DU-JAMBOT (36700)"),
    # a postal code that lost its leading zero
    ("6000 NICE", "NICE (06000)"),
    ("BOURG-EN-BRESSE 1000", "BOURG-EN-BRESSE (01000)"),
    ("FOIX (9000)", "FOIX (09000)"),
]


@pytest.mark.parametrize(("text", "label"), FORMS)
def test_every_form_of_the_field(text: str, label: str) -> None:
    assert first(text) == label


def test_the_forms_say_what_was_read() -> None:
    assert "département" in suggest_communes("VIENNE (ISERE)")[0].note
    assert "article" in suggest_communes("HAVRE LE")[0].note
    assert "SAINT" in suggest_communes("STETIENNE")[0].note
    assert "0 initial" in suggest_communes("6000 NICE")[0].note
    assert "faute de frappe" in suggest_communes("BORDAUXX")[0].note


def test_a_department_name_tied_to_the_name_stays_in_it() -> None:
    # « SUR LOIRE » is part of the name, not the department Loire.
    assert first("CHALONNES SUR LOIRE") == "CHALONNES-SUR-LOIRE (49290)"
    assert first("BRIOUDE HAUTE LOIRE") == "BRIOUDE (43100)"


def test_an_empty_answer_only_when_nothing_is_plausible() -> None:
    assert suggest_communes("QWXZKJQWXZ") == []
    # Nothing matches the whole name: the communes starting with its first words.
    found = suggest_communes("CHALONS-SUR-RHIN", department="51")
    assert found[0].name == "CHALONS-EN-CHAMPAGNE"
    assert "commence par CHALONS" in found[0].note


def test_reading_the_field() -> None:
    ref = get_referential()
    reading = read("1150 VILLEBOIS (AIN)", ref)
    assert (reading.postal_code, reading.department, reading.ants) == ("01150", "01", "VILLEBOIS")
    assert read("PARIS XVI", ref).arrondissement == ref.arrondissements["75116"]
    assert read("MARSEILLE 13", ref).department == "13"
    assert department_by_name(ref, "bas rhin") == "67"
    assert department_by_name(ref, "Seine") == "75"
    assert [roman(n) for n in ("I", "IV", "IX", "XIV", "XX", "")] == [1, 4, 9, 14, 20, 0]
    assert roman("ABC") == 0


# -- typing mistakes: cost and search --------------------------------------------------------


def test_likely_mistakes_cost_less() -> None:
    assert typo_cost("NANTES", "NANTES") == 0.0
    assert typo_cost("NANTTES", "NANTES") == COST_DOUBLED
    assert typo_cost("NATNES", "NANTES") == COST_TRANSPOSED
    assert typo_cost("NQNTES", "NANTES") == pytest.approx(COST_NEIGHBOUR)
    assert typo_cost("NXNTES", "NANTES") == COST_OTHER
    # BRST: a dropped letter (BREST) is likelier than a wrong one (BUST).
    assert typo_cost("BRST", "BREST") < typo_cost("BRST", "BUST")
    assert suggest_communes("BRST")[0].name == "BREST"


def test_two_mistakes_in_both_halves() -> None:
    ref = get_referential()
    assert ("VIROFLAY", 2) in ref.fuzzy.search("VIRFPAY")
    assert ref.fuzzy.search_anchored("VIRFPAY")[0] == ("VIROFLAY", 2)
    assert ref.fuzzy.search_anchored("ABC") == []


WORDS = st.text(alphabet="ABCDE", min_size=0, max_size=9)


@settings(max_examples=300, deadline=None)
@given(WORDS, WORDS, st.integers(min_value=1, max_value=3))
def test_bounded_distance_by_cases_agrees_with_the_table(a: str, b: str, limit: int) -> None:
    assert osa_distance(a, b, limit) == _table_distance(a, b, limit)


def _table_distance(a: str, b: str, limit: int) -> int:
    rows = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i in range(len(a) + 1):
        rows[i][0] = i
    for j in range(len(b) + 1):
        rows[0][j] = j
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            rows[i][j] = min(rows[i - 1][j] + 1, rows[i][j - 1] + 1, rows[i - 1][j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                rows[i][j] = min(rows[i][j], rows[i - 2][j - 2] + 1)
    return min(rows[-1][-1], limit + 1)


# -- one label per postal code, and the list as you type -------------------------------------


def test_one_label_per_postal_code() -> None:
    match = suggest_communes("Saint-Priest-en-Murat")[0]
    assert set(match.labels) == {
        "SAINT-PRIEST-EN-MURAT (03170)",
        "SAINT-PRIEST-EN-MURAT (03390)",
    }
    listed = [m.label for m in autocomplete("Saint-Priest-en-M")]
    assert "SAINT-PRIEST-EN-MURAT (03390)" in listed
    assert "SAINT-PRIEST-EN-MURAT (03170)" in listed
    assert suggest_communes("ST PRIEST EN MURAT", postal_code="03390")[0].label == (
        "SAINT-PRIEST-EN-MURAT (03390)"
    )


def test_prefix_mode_ranks_as_the_ants_list() -> None:
    listed = [m.name for m in autocomplete("Saint-Pri")]
    assert listed.index("SAINT-PRIEST") < listed.index("SAINT-PRIEST-BRAMEFANT")
    assert listed == sorted(listed)
    assert [m.label for m in suggest_communes("ST PRI", prefix=True)][:3] == [
        "SAINT-PRIEST (07000)",
        "SAINT-PRIEST (23110)",
        "SAINT-PRIEST (69800)",
    ]


def test_prefix_mode_context_and_fallbacks() -> None:
    in_allier = autocomplete("Saint-Pri 03")
    assert in_allier and all(m.department == "03" for m in in_allier)
    assert autocomplete("S") == []
    assert autocomplete("  ") == []
    assert autocomplete("Saint", limit=0) == []
    # No name starts with the text: the suggestions for a typing mistake.
    assert autocomplete("BRST")[0].name == "BREST"
    assert [m.label for m in autocomplete("PARIS XV")] == ["PARIS-15E-ARRONDISSEMENT (75015)"]
    lyon = autocomplete("LYON", postal_code="69003")
    assert lyon[0].label == "LYON (69003)"


# -- countries as people type them -----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("ILE MAURICE", "99390"),
        ("Iles Comores", "99397"),
        ("REPUBLIQUE DE GUINEE", "99330"),
        ("Guinée Conakry", "99330"),
        ("CONGO RDC", "99312"),
        ("Congo (RDC)", "99312"),
        ("Rép. dém. du Congo", "99312"),
        ("ALGERIE FRANCAISE", "99352"),
        ("TUNISIE (REPUBLIQUE)", "99351"),
        ("ST MARIN", "99128"),
        ("La Réunion", "99100"),
        ("Nouvelle-Calédonie", "99100"),
        ("RDA", "99141"),
        ("ANGLETERRE", "99132"),
        ("USA", "99404"),
    ],
)
def test_countries_as_people_type_them(text: str, code: str) -> None:
    match = find_country(text)
    assert match is not None, text
    assert match.insee_code == code


# -- birth places in time --------------------------------------------------------------------


def _application(city: str, department: str | None, country: str, born: dt.date) -> Cerfa02:
    return Cerfa02(
        applicant=Applicant(
            last_name="DUPONT",
            first_name="Jean",
            birth_date=born,
            birth_city=city,
            birth_department=department,
            birth_country=country,
            address=Address(street="1 rue de la Gare", postal_code="69800", city="SAINT-PRIEST"),
            email="jean.dupont@example.org",
        ),
        categories={LicenceCategory.B},
    )


def test_a_renamed_commune_is_written_by_its_name_today() -> None:
    # Ancenis became Ancenis-Saint-Géréon (same code) in 2019.
    report = geo.check(_application("ANCENIS", "44", "FRANCE", dt.date(1990, 5, 1)))
    city = report["applicant.birth_city"]
    assert city.status is geo.CheckStatus.CORRECTED
    assert city.after == "ANCENIS-SAINT-GEREON"
    assert "commune renommée" in city.note


# Changes of name of INSEE's history since 1943: (former name, department, today, year).
RENAMES = [
    ("CHALONS-SUR-MARNE", "51", "CHALONS-EN-CHAMPAGNE", 1998),
    ("DIGNE", "04", "DIGNE-LES-BAINS", 1988),
    ("SAINT-DIE", "88", "SAINT-DIE-DES-VOSGES", 1999),
]


@pytest.mark.parametrize(("former", "department", "today", "year"), RENAMES)
def test_a_commune_renamed_before_2018_is_known_by_its_former_name(
    former: str, department: str, today: str, year: int
) -> None:
    born = dt.date(year - 10, 3, 1)
    report = geo.check(_application(former, department, "FRANCE", born))
    city = report["applicant.birth_city"]
    assert city.status is geo.CheckStatus.CORRECTED
    assert city.after == today
    assert city.note == f"ancien nom : commune renommée en {year}, aujourd'hui {today}"
    assert report["applicant.birth_department"].ok
    assert suggest_communes(former, department=department)[0].name == today
    (renamed,) = [f for f in former_names(former) if f.department == department]
    assert renamed.event == "R" and renamed.until is not None and renamed.until.year == year
    # The former name existed before the change only.
    assert confirmed_place_exists("city.incorrect", former, born)
    assert confirmed_place_exists("city.incorrect", former, None)
    assert not confirmed_place_exists("city.incorrect", former, dt.date(year + 1, 1, 1))


def test_a_bare_former_name_reads_as_the_renamed_commune() -> None:
    # Alby became Alby-sur-Chéran in 1961; with the department of Albi, a typing mistake.
    assert first("ALBY") == "ALBY-SUR-CHERAN (74540)"
    assert first("ALBY", department="81") == "ALBI (81000)"
    # Bourg (01) became Bourg-en-Bresse in 1955; BOURG is still a commune of 33 and 52.
    assert first("BOURG", department="01") == "BOURG-EN-BRESSE (01000)"


def test_a_merged_commune_maps_to_the_commune_it_became() -> None:
    # Arlod, absorbed by Bellegarde-sur-Valserine (1971), itself now Valserhône.
    match = suggest_communes("ARLOD")[0]
    assert match.name == "VALSERHONE"
    assert "fusionnée dans VALSERHONE" in match.note
    report = geo.check(_application("ARLOD", "01", "FRANCE", dt.date(1965, 1, 1)))
    assert report["applicant.birth_city"].after == "VALSERHONE"


def test_a_commune_of_the_seine_before_1968() -> None:
    report = geo.check(_application("BOULOGNE-BILLANCOURT", "75", "FRANCE", dt.date(1960, 1, 1)))
    assert report["applicant.birth_city"].ok
    # The code of the department at the date of birth is accepted.
    assert report["applicant.birth_department"].ok
    note = suggest_communes("BOULOGNE BILLANCOURT", department="75")[0].note
    assert "Seine (75) jusqu'en 1968" in note


def test_a_department_of_french_algeria_before_1962() -> None:
    report = geo.check(_application("ORAN", "92", "FRANCE", dt.date(1955, 6, 1)))
    assert report["applicant.birth_country"].after == "ALGERIE"
    assert report["applicant.birth_department"].clear
    assert report["applicant.birth_city"].ok
    # Already written as ALGERIE: conforming.
    algeria = geo.check(_application("ORAN", "92", "ALGERIE", dt.date(1955, 6, 1)))
    assert algeria["applicant.birth_country"].ok
    # 91 written for a birth in Évry (Essonne) is today's code, not Algeria.
    evry = geo.check(_application("EVRY", "91", "FRANCE", dt.date(1955, 6, 1)))
    assert evry["applicant.birth_country"].ok
    assert evry["applicant.birth_city"].after == "EVRY-COURCOURONNES"
    # No city: the department alone says Algeria.
    nameless = geo.check(_application("", "ALGER", "FRANCE", dt.date(1955, 6, 1)))
    assert nameless["applicant.birth_country"].after == "ALGERIE"


def test_former_departments() -> None:
    assert {d.code for d in FORMER_DEPARTMENTS} >= {"75", "78", "20", "91"}
    seine = former_department("75", dt.date(1960, 1, 1))
    assert seine is not None and seine.successors == ("75", "92", "93", "94")
    assert former_department("75", dt.date(1990, 1, 1)) is None
    assert former_department("Seine-et-Oise", dt.date(1960, 1, 1)).code == "78"  # type: ignore[union-attr]
    assert former_department("Tizi-Ouzou", dt.date(1960, 1, 1)).country == "ALGERIE"  # type: ignore[union-attr]
    assert former_department("", dt.date(1960, 1, 1)) is None
    assert former_department("75", None) is None


def test_the_sandbox_rule_accepts_a_confirmed_historical_birth_place() -> None:
    born = dt.date(1960, 1, 1)
    assert former_names("ARLOD")
    assert confirmed_place_exists("city.incorrect", "ARLOD", born)
    assert not confirmed_place_exists("city.incorrect", "QWXZ", born)
    assert confirmed_place_exists("department.incorrect", "Seine-et-Oise", born)
    assert not confirmed_place_exists("department.incorrect", "Seine-et-Oise", dt.date(1990, 1, 1))
    assert confirmed_place_exists("country.incorrect", "RDA", born)
    assert not confirmed_place_exists("country.incorrect", "ALLEMAGNE", born)


def test_the_check_offers_one_label_per_postal_code() -> None:
    application = _application("PARIS", "75", "FRANCE", dt.date(1990, 1, 1))
    application = attrs.evolve(
        application,
        applicant=attrs.evolve(
            application.applicant,
            address=Address(street="1 rue", postal_code="03000", city="SAINT PRIEST EN MURAT"),
        ),
    )
    city = geo.check(application)["applicant.address.city"]
    assert "SAINT-PRIEST-EN-MURAT (03390)" in city.suggestions
    assert "SAINT-PRIEST-EN-MURAT (03170)" in city.suggestions
