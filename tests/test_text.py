"""Text keys: one fold for accents, ligatures, case, apostrophes and spaces."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from antsclient._text import fold, strip_accents

any_text = st.text(st.characters(exclude_categories=("Cs",)))
FRENCH_LETTERS = "ÀÂÄÆÇÉÈÊËÎÏÔÖŒÙÛÜŸàâäæçéèêëîïôöœùûüÿ"
french_words = st.text(
    st.sampled_from(FRENCH_LETTERS + "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-'"),
    min_size=1,
    max_size=20,
)


# --- fold is a key --------------------------------------------------------------------------------


@given(any_text)
def test_fold_is_idempotent(text: str) -> None:
    once = fold(text)
    assert fold(once) == once


@given(any_text)
def test_fold_upper_is_idempotent(text: str) -> None:
    once = fold(text, upper=True)
    assert fold(once, upper=True) == once


@given(any_text)
def test_one_key_leads_to_the_other(text: str) -> None:
    assert fold(fold(text), upper=True) == fold(text, upper=True)


@given(any_text)
def test_a_key_has_single_spaces_and_no_marks(text: str) -> None:
    for key in (fold(text), fold(text, upper=True)):
        assert key == key.strip()
        assert "  " not in key
        assert not any(c in key for c in "\t\n\r\u00a0")
        assert strip_accents(key) == key


@given(french_words)
def test_french_words_fold_to_ascii(word: str) -> None:
    assert fold(word).isascii()
    assert fold(word) == fold(word).lower()
    assert fold(word, upper=True) == fold(word, upper=True).upper()
    assert fold(word.upper()) == fold(word.lower()) == fold(word)


@given(french_words, french_words)
def test_spaces_between_words_do_not_count(first: str, second: str) -> None:
    assert fold(f"  {first} \t  {second}\n") == fold(f"{first} {second}")


# --- what meets --------------------------------------------------------------------------------


def test_elodie_meets_herself_however_written() -> None:
    keys = {fold(name) for name in ("Élodie", "ELODIE", "élodie", "Elodie", " ÉLODIE  ")}
    assert keys == {"elodie"}
    assert {fold(n, upper=True) for n in ("Élodie", "ELODIE", "élodie")} == {"ELODIE"}


@pytest.mark.parametrize(
    ("text", "lower", "upper"),
    [
        ("Crœttwiller", "croettwiller", "CROETTWILLER"),
        ("CRŒTTWILLER", "croettwiller", "CROETTWILLER"),
        ("Lætitia", "laetitia", "LAETITIA"),
        ("Straße", "strasse", "STRASSE"),
        ("Łódź", "lodz", "LODZ"),
        ("Søren", "soren", "SOREN"),
        ("ﬁlon", "filon", "FILON"),
        ("L’Haÿ-les-Roses", "l'hay-les-roses", "L'HAY-LES-ROSES"),
        ("L‘Isle", "l'isle", "L'ISLE"),
        ("O`Neil", "o'neil", "O'NEIL"),
        ("Jean–Pierre", "jean-pierre", "JEAN-PIERRE"),
        ("Jean—Pierre", "jean-pierre", "JEAN-PIERRE"),
        ("SAINT_PRIEST", "saint priest", "SAINT PRIEST"),
        ("  Saint   Priest  ", "saint priest", "SAINT PRIEST"),
        ("Saint\u00a0Priest", "saint priest", "SAINT PRIEST"),
        ("", "", ""),
        ("   ", "", ""),
    ],
)
def test_fold(text: str, lower: str, upper: str) -> None:
    assert fold(text) == lower
    assert fold(text, upper=True) == upper


def test_typographic_apostrophes_meet_the_straight_one() -> None:
    keys = {fold(f"d{q}Artagnan") for q in ("'", "’", "‘", "`", "ʼ", "′")}
    assert keys == {"d'artagnan"}
    assert strip_accents("d’Artagnan") == "d'Artagnan"


def test_an_acute_accent_used_as_an_apostrophe_is_one() -> None:
    assert fold("d´Artagnan") == "d'artagnan"


def test_different_names_stay_apart() -> None:
    assert fold("Élodie") != fold("Élodié Martin")
    assert fold("Saint-Priest") != fold("Saint Priest")
    assert fold("L'Isle") != fold("Lisle")


def test_a_dotless_i_meets_its_capital() -> None:
    assert fold("Yıldız") == fold("YILDIZ")


# --- strip_accents keeps the case -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Élodie", "Elodie"),
        ("ÉLODIE", "ELODIE"),
        ("élodie", "elodie"),
        ("Crœttwiller", "Croettwiller"),
        ("CRŒTTWILLER", "CROETTWILLER"),
        ("Æsir", "AEsir"),
        ("Ørsted", "Orsted"),
        ("L’Haÿ-les-Roses", "L'Hay-les-Roses"),
        ("Jean–Pierre", "Jean-Pierre"),
        ("Saint_Priest", "Saint Priest"),
        ("O`Neil", "O'Neil"),
        ("  two  spaces ", "  two  spaces "),
        ("ASCII only", "ASCII only"),
    ],
)
def test_strip_accents(text: str, expected: str) -> None:
    assert strip_accents(text) == expected


ACCENTED = "".join(c for c in FRENCH_LETTERS if c not in "ÆæŒœ")


@given(st.text(st.sampled_from(ACCENTED + "abcXYZ"), max_size=20))
def test_strip_accents_keeps_the_case_of_every_letter(text: str) -> None:
    stripped = strip_accents(text)
    assert stripped.isascii()
    assert len(stripped) == len(text)
    for before, after in zip(text, stripped, strict=True):
        assert before.isupper() == after.isupper(), (before, after)
        assert fold(before) == after.lower()


@pytest.mark.parametrize(("ligature", "letters"), [("Œ", "OE"), ("œ", "oe"), ("Æ", "AE"),
                                                   ("æ", "ae")])  # fmt: skip
def test_strip_accents_expands_ligatures_in_their_case(ligature: str, letters: str) -> None:
    assert strip_accents(ligature) == letters


@given(any_text)
def test_strip_accents_is_idempotent_and_fold_agrees(text: str) -> None:
    once = strip_accents(text)
    assert strip_accents(once) == once
    assert fold(once) == fold(text)
