"""The ANTS writing rules for place names."""

from __future__ import annotations

import re
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from antsclient.geo.normalise import (
    city_label,
    match_key,
    normalise_city,
    normalise_country,
    normalise_department,
    strip_accents,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ST PRIEST", "SAINT-PRIEST"),
        ("St Priest", "SAINT-PRIEST"),
        ("ST. PRIEST", "SAINT-PRIEST"),
        ("S<sup>t</sup> Priest", "SAINT-PRIEST"),
        ("Sᵗ Priest", "SAINT-PRIEST"),
        ("ste eusoye", "SAINTE-EUSOYE"),
        ("STES MARIES DE LA MER", "SAINTES-MARIES-DE-LA-MER"),
        ("MONTOULIEU-ST-BERNARD", "MONTOULIEU-SAINT-BERNARD"),
        ("Saint-Étienne", "SAINT-ETIENNE"),
        ("Crœttwiller", "CROETTWILLER"),
        ("  saint--priest  ", "SAINT-PRIEST"),
        ("St Priest d' Andelot", "SAINT-PRIEST-D'ANDELOT"),
        ("Saint-Priest-d’Andelot", "SAINT-PRIEST-D'ANDELOT"),
        ("PELLERIN (LE)", "LE-PELLERIN"),
        ("ILE-D'OLONNE (L')", "L'ILE-D'OLONNE"),
        ("PLESSIER-ROZAINVILLERS(LE)", "LE-PLESSIER-ROZAINVILLERS"),
        ("BOULOGNE S/ MER", "BOULOGNE-SUR-MER"),
        ("SOISY SS MONTMORENCY", "SOISY-SOUS-MONTMORENCY"),
        ("BASSE GOULAINE", "BASSE-GOULAINE"),
        ("L'Abergement-Clémenciat", "L'ABERGEMENT-CLEMENCIAT"),
        ("LE BOULLAY LES 2 EGLISES", "LE-BOULLAY-LES-2-EGLISES"),
        ("POSTE", "POSTE"),
        ("AUSTERLITZ", "AUSTERLITZ"),
        ("", ""),
    ],
)
def test_normalise_city(text: str, expected: str) -> None:
    assert normalise_city(text) == expected


def test_label_and_key() -> None:
    assert city_label("Saint-Priest", "69800") == "SAINT-PRIEST (69800)"
    assert city_label("Paris", None) == "PARIS"
    assert match_key("Saint-Priest-d'Andelot") == "SAINTPRIESTDANDELOT"


def test_strip_accents_keeps_case() -> None:
    assert strip_accents("Île-d'Yeu") == "Ile-d'Yeu"
    assert strip_accents("plain") == "plain"


def test_normalise_country() -> None:
    assert normalise_country("États-Unis") == "ETATS-UNIS"
    assert normalise_country("  côte  d’ivoire ") == "COTE D'IVOIRE"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("69", "69"),
        ("1", "01"),
        ("069", "69"),
        (" 2a ", "2A"),
        ("2B", "2B"),
        ("02A", "2A"),
        ("974", "974"),
        ("976", "976"),
        ("99", ""),
        ("099", ""),
        ("", ""),
        (None, ""),
        ("20", None),
        ("96", None),
        ("ABC", None),
        ("100", None),
    ],
)
def test_normalise_department(text: str | None, expected: str | None) -> None:
    assert normalise_department(text) == expected


def test_corsica_before_1976_keeps_20() -> None:
    assert normalise_department("20", birth_date=date(1970, 5, 1)) == "20"
    assert normalise_department("20", birth_date=date(1976, 1, 1)) is None


_ANTS_CHARSET = re.compile(r"^[A-Z0-9'\-]*$")


@given(st.text(max_size=40))
def test_normalise_city_charset_and_idempotence(text: str) -> None:
    once = normalise_city(text)
    assert _ANTS_CHARSET.match(once), once
    assert normalise_city(once) == once
    assert "--" not in once
    assert not once.startswith("-")
    assert not once.endswith("-")


@given(
    st.lists(
        st.sampled_from(["SAINT", "ST", "Ste", "priest", "Étienne", "d'", "la", "-", " ", "Œ"]),
        max_size=8,
    )
)
def test_no_abbreviated_saint_survives(words: list[str]) -> None:
    result = normalise_city(" ".join(words))
    assert "ST" not in result.split("-")
    assert "STE" not in result.split("-")


@given(st.text(alphabet="0123456789AB ", max_size=4))
def test_normalise_department_is_stable(text: str) -> None:
    code = normalise_department(text)
    if code:
        assert normalise_department(code) == code
