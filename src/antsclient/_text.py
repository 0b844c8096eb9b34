"""Text keys: the one way antsclient folds accents, ligatures, case and spaces.

Names are compared by a folded key everywhere (status labels, student names, geo names,
divergence checks, the sandbox's generated data), so that « Élodie », « ELODIE » and
« élodie » meet, and « Crœttwiller » matches « CROETTWILLER ».
"""

from __future__ import annotations

import unicodedata
from typing import Final

__all__ = ["fold", "strip_accents"]

_FOLDS: Final = str.maketrans(
    {
        "œ": "oe",
        "Œ": "OE",
        "æ": "ae",
        "Æ": "AE",
        "ß": "ss",
        "ø": "o",
        "Ø": "O",
        "ł": "l",
        "Ł": "L",
        "đ": "d",
        "ı": "i",
        "Đ": "D",
        "’": "'",
        "‘": "'",
        "`": "'",
        "´": "'",
        "ʼ": "'",
        "′": "'",
        "–": "-",
        "—": "-",
        "‐": "-",
        "‑": "-",
        "−": "-",
        "_": " ",
    }
)


def strip_accents(text: str) -> str:
    """Remove accents and expand ligatures, keep the case: ``Crœttwiller`` → ``Croettwiller``.

    Typographic apostrophes and dashes become ``'`` and ``-``; an underscore a space.
    """
    if text.isascii():
        return text.replace("`", "'").replace("_", " ")
    # Before and after decomposition: « ´ » decomposes into a space and a mark.
    decomposed = unicodedata.normalize("NFKD", text.translate(_FOLDS)).translate(_FOLDS)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def fold(text: str, *, upper: bool = False) -> str:
    """The comparison key of ``text``: no accents, straight apostrophes, single spaces, and
    one case (lower, or upper with ``upper=True``)."""
    case = str.upper if upper else str.casefold
    # Stripped, cased, stripped, cased: a case change may add a mark (İ → i̇) or turn a mark
    # into a letter (ͅ → ι), stripping may reveal a cased letter (ª → a); a key must be
    # stable when folded again.
    return " ".join(case(strip_accents(case(strip_accents(text)))).split())
