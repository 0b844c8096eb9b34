"""The matcher: communes, countries, departments."""

from __future__ import annotations

import subprocess
import sys
import threading
from datetime import date

import pytest

from antsclient import geo
from antsclient.geo import CommuneKind, find_country, find_department, suggest_communes
from antsclient.geo import referential as referential_module
from antsclient.geo.fuzzy import FuzzyIndex, osa_distance


def labels(text: str, **kwargs: object) -> list[str]:
    return [m.label for m in suggest_communes(text, **kwargs)]  # type: ignore[arg-type]


def test_import_does_not_load_the_referential() -> None:
    code = (
        "import antsclient, antsclient.geo as g\n"
        "from antsclient.geo import referential as r\n"
        "assert r._referential is None and not g.is_loaded()\n"
        "g.find_country('FRANCE')\n"
        "assert g.is_loaded()\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_loading_is_a_thread_safe_singleton() -> None:
    referential_module._reset()
    assert not geo.is_loaded()
    seen: list[object] = []
    threads = [
        threading.Thread(target=lambda: seen.append(referential_module.get_referential()))
        for _ in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len({id(r) for r in seen}) == 1
    assert geo.is_loaded()


def test_the_manuals_example_st_priest() -> None:
    found = labels("ST PRIEST", limit=30)
    for expected in (
        "SAINT-PRIEST (07000)",
        "SAINT-PRIEST (23110)",
        "SAINT-PRIEST (69800)",
        "SAINT-PRIEST-BRAMEFANT (63310)",
    ):
        assert expected in found
    first_three = {m.insee_code for m in suggest_communes("ST PRIEST")[:3]}
    assert first_three == {"07288", "23234", "69290"}
    assert all(m.exact for m in suggest_communes("ST PRIEST")[:3])


@pytest.mark.parametrize(
    ("text", "kwargs", "code"),
    [
        ("SAINT-PRIEST (69800)", {}, "69290"),
        ("Saint-Priest 69800", {}, "69290"),
        ("69800 Saint Priest", {}, "69290"),
        ("ST PRIEST (69)", {}, "69290"),
        ("ST PRIEST", {"postal_code": "69800"}, "69290"),
        ("ST PRIEST", {"department": "69"}, "69290"),
        ("saint etienne", {}, "42218"),
        ("SAINT ETIENNE", {}, "42218"),
        ("Saint-Étienne", {}, "42218"),
        ("PELLERIN (LE)", {}, "44120"),
        ("PELLERIN", {}, "44120"),
        ("ROCHELLE", {"postal_code": "17000"}, "17300"),
        ("ST GERMIER 31290", {}, "31485"),
        ("PARIS 15", {}, "75115"),
        ("Paris 1er", {}, "75101"),
        ("LYON 3EME", {}, "69383"),
        ("Marseille 13e", {}, "13213"),
        ("MARSEILLE 13", {}, "13055"),
        ("LYON CEDEX 03", {}, "69123"),
        ("MARSIELLE", {}, "13055"),
        ("Bordaux", {}, "33063"),
        ("SAINT-GERMAIN-EN-LA", {}, "78551"),
        ("SAINT GERMAIN EN LAY", {}, "78551"),
        ("VILLEURBANE", {"department": "69"}, "69266"),
        ("VILLLEURBANNE", {}, "69266"),
        ("VILEURBANNE", {}, "69266"),
        ("VILLEURABNNE", {}, "69266"),
        ("VILLERUBANNE", {}, "69266"),
        ("AJACCIO", {"department": "20"}, "2A004"),
        ("BASTIA", {"department": "2B"}, "2B033"),
    ],
)
def test_suggest_communes_first_answer(text: str, kwargs: dict[str, str], code: str) -> None:
    found = suggest_communes(text, **kwargs)  # type: ignore[arg-type]
    assert found, text
    assert found[0].insee_code == code, [m.label for m in found]


def test_label_uses_the_given_postal_code() -> None:
    match = suggest_communes("Lyon", postal_code="69003")[0]
    assert match.insee_code == "69123"
    assert match.label == "LYON (69003)"
    arrondissement = suggest_communes("Marseille 13e")[0]
    assert arrondissement.label == "MARSEILLE-13E-ARRONDISSEMENT (13013)"
    assert arrondissement.kind is CommuneKind.ARRONDISSEMENT
    assert arrondissement.parent_insee_code == "13055"
    assert arrondissement.current_label == "MARSEILLE (13013)"


def test_exact_match_fields() -> None:
    match = suggest_communes("SAINT-PRIEST", postal_code="69800")[0]
    assert match.exact
    assert match.score == 1.0
    assert match.name == "SAINT-PRIEST"
    assert match.display_name == "Saint-Priest"
    assert match.postal_codes == ("69800",)
    assert match.department == "69"
    assert match.kind is CommuneKind.CURRENT
    assert match.parent_insee_code is None
    assert match.population > 40000
    assert match.current_label == "SAINT-PRIEST (69800)"


def test_delegated_commune_maps_to_its_parent_with_a_note() -> None:
    match = suggest_communes("Pierre-Bénite")[0]
    assert match.kind is CommuneKind.DELEGATED
    assert match.parent_insee_code == "69149"
    assert match.parent_name == "OULLINS-PIERRE-BENITE"
    assert "commune déléguée de OULLINS-PIERRE-BENITE" in match.note
    assert match.current_label == "OULLINS-PIERRE-BENITE (69310)"


def test_associated_commune() -> None:
    match = suggest_communes("Cordieux")[0]
    assert match.kind is CommuneKind.ASSOCIATED
    assert "commune associée à MONTLUEL" in match.note
    assert match.postal_codes


def test_chef_lieu_delegated_namesake_is_not_repeated() -> None:
    found = suggest_communes("Annecy")
    assert [m.insee_code for m in found].count("74010") == 1


def test_notes_say_what_was_corrected() -> None:
    assert "SAINT" in suggest_communes("ST PRIEST", postal_code="69800")[0].note
    assert "accents" in suggest_communes("Saint-Étienne")[0].note
    assert "article" in suggest_communes("PELLERIN")[0].note
    assert "La Poste" in suggest_communes("ST SAVIN SUR GARTEMPE")[0].note
    assert "tronquée" in suggest_communes("SAINT-GERMAIN-EN-LA")[0].note
    assert "faute de frappe" in suggest_communes("MARSIELLE")[0].note
    assert "code postal" in suggest_communes("Saint-Priest 69800")[0].note
    assert "département" in suggest_communes("ST PRIEST (69)")[0].note


def test_la_poste_label_alias() -> None:
    match = suggest_communes("PIERRE BENITE", postal_code="69310")
    codes = [m.insee_code for m in match]
    assert "69149" in codes or "69152" in codes


def test_postal_code_alone_lists_its_communes() -> None:
    found = suggest_communes("69800")
    assert [m.insee_code for m in found] == ["69290"]
    assert suggest_communes("", postal_code="69800") == []


def test_name_outside_the_postal_code_suggests_the_one_inside() -> None:
    found = suggest_communes("SAINT-PRIEST", postal_code="42270")
    assert found[0].insee_code == "42275"  # Saint-Priest-en-Jarez


def test_unknown_text_and_limits() -> None:
    assert suggest_communes("   ") == []
    assert suggest_communes("ST PRIEST", limit=0) == []
    assert len(suggest_communes("ST PRIEST", limit=2)) == 2
    assert suggest_communes("QWXZKJQWXZ") == []


def test_extra_article_is_dropped() -> None:
    found = suggest_communes("LA VILLEURBANNE")
    assert found[0].insee_code == "69266"
    assert "article" in found[0].note


def test_ties_go_to_the_more_populous() -> None:
    found = suggest_communes("SAINT-PRIEST")
    populations = [m.population for m in found[:3]]
    assert populations == sorted(populations, reverse=True)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("FRANCE", "99100"),
        ("France", "99100"),
        ("la France", "99100"),
        ("ALLEMAGNE", "99109"),
        ("Deutschland", "99109"),
        ("USA", "99404"),
        ("ETATS-UNIS", "99404"),
        ("Etats Unis", "99404"),
        ("ROYAUME UNI", "99132"),
        ("ANGLETERRE", "99132"),
        ("ECOSSE", "99132"),
        ("GRANDE-BRETAGNE", "99132"),
        ("RDC", "99312"),
        ("ZAIRE", "99312"),
        ("BOSNIE", "99118"),
        ("SAINT-SIEGE", "99129"),
        ("RDA", "99141"),
        ("TCHECOSLOVAQUIE", "99115"),
        ("99134", "99134"),
        ("ALLEMANGE", "99109"),
        ("Portugual", "99139"),
        ("Tchécoslovaq", "99115"),
    ],
)
def test_find_country(text: str, code: str) -> None:
    match = find_country(text)
    assert match is not None, text
    assert match.insee_code == code


def test_country_fields() -> None:
    france = find_country("FRANCE")
    assert france is not None
    assert (france.name, france.insee_code, france.exact, france.score) == (
        "FRANCE",
        geo.FRANCE_INSEE_CODE,
        True,
        1.0,
    )
    rda = find_country("RDA")
    assert rda is not None
    assert rda.historic
    assert rda.name == "REPUBLIQUE DEMOCRATIQUE ALLEMANDE"
    usa = find_country("usa")
    assert usa is not None
    assert (usa.name, usa.iso2, usa.exact) == ("ETATS-UNIS", "US", False)


@pytest.mark.parametrize("text", ["", "   ", None, "XYZXYZXYZ", "---", "AB"])
def test_unknown_country(text: str | None) -> None:
    assert find_country(text) is None


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("69", "69"),
        ("1", "01"),
        ("2a", "2A"),
        ("974", "974"),
        ("Rhône", "69"),
        ("RHONE", "69"),
        ("Bouches du Rhone", "13"),
        ("Cote d Or", "21"),
        ("Corse-du-Sud", "2A"),
        ("69 - Rhône", "69"),
        ("Rhône (69)", "69"),
        ("Finistere", "29"),
        ("Finsitère", "29"),
        ("Réunion", "974"),
    ],
)
def test_find_department(text: str, code: str) -> None:
    match = find_department(text)
    assert match is not None, text
    assert match.code == code


def test_corsica_20() -> None:
    old = find_department("20", birth_date=date(1960, 1, 1))
    assert old is not None
    assert (old.code, old.exact) == ("20", True)
    recent = find_department("20")
    assert recent is not None
    assert recent.code == "20"
    assert not recent.exact
    assert "2A" in recent.note
    corse = find_department("Corse")
    assert corse is not None
    assert corse.code == "20"


@pytest.mark.parametrize("text", ["99", "", None, "96", "XYZXYZ", "Rh"])
def test_not_a_department(text: str | None) -> None:
    assert find_department(text) is None


def test_osa_distance() -> None:
    assert osa_distance("ABC", "ABC", 2) == 0
    assert osa_distance("ABCD", "ABDC", 2) == 1
    assert osa_distance("ABCD", "ABD", 2) == 1
    assert osa_distance("ABCD", "AB", 1) == 2
    assert osa_distance("", "AB", 2) == 2
    assert osa_distance("ABCDEF", "AXCYEZ", 2) == 3
    assert osa_distance("XABCDEFGHIJ", "YABCDEFGHIK", 1) == 2


def test_fuzzy_index_finds_one_and_two_edits() -> None:
    index = FuzzyIndex(
        [
            "SAINTPRIEST",
            "SAINTPREST",
            "BORDEAUX",
            "ABC",
            *(f"SAINT{c}{d}XXXX" for c in "ABCDEFGHIJ" for d in "ABCDEF"),
        ]
    )
    assert index.search("SAINTPREIST")[0][1] == 1
    assert ("BORDEAUX", 1) in index.search("BORDAUX")
    assert ("BORDEAUX", 2) in index.search("BORDAUXX")
    assert index.search("BORDAUXX", max_distance=1) == []
    assert index.search("ABC") == []
    assert ("SAINTABXXXX", 1) in index.search("SAINTABXXXY")
    assert ("SAINTABXXXX", 1) in index.search("SAINTBAXXXX")
