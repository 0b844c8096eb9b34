"""How the ANTS writes place names (règles de saisie des villes, départements et pays).

Pure functions, no referential needed:

* :func:`normalise_city` — upper case, no accents, ``SAINT`` / ``SAINTE`` in full, hyphens
  instead of spaces, apostrophes kept (``SAINT-PRIEST-D'ANDELOT``), the La Poste trailing
  article moved in front (``PELLERIN (LE)`` → ``LE-PELLERIN``);
* :func:`city_label` — the label of the ANTS autocomplete, ``SAINT-PRIEST (69800)``;
* :func:`normalise_department` — ``69``, ``01``, ``2A``/``2B``, ``971``–``976``; the old
  ``20`` only for a birth in Corsica before 1976; ``99`` (abroad) becomes empty;
* :func:`normalise_country` — upper case, no accents, single spaces;
* :func:`match_key` — the compact key used for lookups (letters and digits only).
"""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache

from antsclient._text import strip_accents

__all__ = [
    "CORSICA_SPLIT",
    "city_label",
    "match_key",
    "normalise_city",
    "normalise_country",
    "normalise_department",
    "strip_accents",
]

#: Corsica was split into 2A and 2B on 1 January 1976; "20" is right only before.
CORSICA_SPLIT = date(1976, 1, 1)

_HTML_TAG = re.compile(r"<[^>]*>")
_SEPARATORS = re.compile(r"[^A-Z0-9']+")
_APOSTROPHE_SPACES = re.compile(r"\s*'\s*")
_TRAILING_ARTICLE = re.compile(r"^(?P<name>.*?)\s*\(\s*(?P<article>LES|LE|LA|L')\s*\)\s*$")
_KEY_DROP = re.compile(r"[^A-Z0-9]")
_SAINTS = {"ST": "SAINT", "STE": "SAINTE", "STS": "SAINTS", "STES": "SAINTES"}
_SAINT_TOKEN = re.compile(r"(?<![A-Z0-9'])(STES|STE|STS|ST)(?![A-Z0-9])\.?")
_SUR = re.compile(r"(?<![A-Z0-9'])S/\s*")
_SOUS = re.compile(r"(?<![A-Z0-9'])(?:SS|S/S)/?\s+")

_DEPARTMENTS: frozenset[str] = frozenset(
    [f"{n:02d}" for n in range(1, 96) if n != 20]
    + [
        "2A",
        "2B",
        "971",
        "972",
        "973",
        "974",
        "975",
        "976",
        "977",
        "978",
        "984",
        "986",
        "987",
        "988",
        "989",
    ]
)
_ABROAD = frozenset({"99", "099"})


def plain_upper(text: str) -> str:
    """Upper case, no accents, no HTML tags (``S<sup>t</sup>`` is ``ST``)."""
    if "<" in text:
        text = _HTML_TAG.sub("", text)
    return strip_accents(text).upper()


_plain_upper = plain_upper


def _saint(token: re.Match[str]) -> str:
    return _SAINTS[token.group(1)]


@lru_cache(maxsize=4096)
def normalise_city(text: str) -> str:
    """Write a city name as the ANTS does (nom de la ville).

    >>> normalise_city("St Priest d' Andelot")
    "SAINT-PRIEST-D'ANDELOT"
    >>> normalise_city("PELLERIN (LE)")
    'LE-PELLERIN'
    """
    plain = _plain_upper(text).strip()
    m = _TRAILING_ARTICLE.match(plain) if plain.endswith(")") else None
    if m:
        article = m.group("article")
        plain = (
            f"{article}{m.group('name')}" if article == "L'" else (f"{article} {m.group('name')}")
        )
    if "SS" in plain or "/" in plain:
        plain = _SOUS.sub("SOUS ", plain)
        plain = _SUR.sub("SUR ", plain)
    if "ST" in plain:
        plain = _SAINT_TOKEN.sub(_saint, plain)
    if "'" in plain:
        plain = _APOSTROPHE_SPACES.sub("'", plain)
    name = "-".join(filter(None, _SEPARATORS.split(plain)))
    if "'" in name:
        name = name.replace("-'", "'").replace("'-", "'").strip("'")
    return name


def city_label(name: str, postal_code: str | None) -> str:
    """The ANTS autocomplete label: ``SAINT-PRIEST (69800)``."""
    ants_name = normalise_city(name)
    return f"{ants_name} ({postal_code})" if postal_code else ants_name


def match_key(text: str) -> str:
    """Compact lookup key: the ANTS name without hyphens, apostrophes or spaces."""
    return _KEY_DROP.sub("", normalise_city(text))


def normalise_country(text: str) -> str:
    """Upper case, no accents, single spaces: ``États-Unis`` → ``ETATS-UNIS``."""
    plain = _plain_upper(text)
    plain = _APOSTROPHE_SPACES.sub("'", plain)
    return " ".join(re.sub(r"[^A-Z0-9'()\-,]+", " ", plain).split())


def normalise_department(text: str | None, *, birth_date: date | None = None) -> str | None:
    """Normalise a department code (code département) as the ANTS expects it.

    Returns the code (``"01"``, ``"69"``, ``"2A"``, ``"974"``), ``""`` when the field must
    stay empty (empty input, or ``99``: born abroad — the department stays empty and the
    country says where), or ``None`` when the value is not a department code. ``"20"`` is
    kept only for a birth before 1976 (Corsica was split into 2A and 2B on 1 January 1976);
    without a birth date or for a later one it is ``None`` (2A or 2B must be chosen).
    """
    if text is None:
        return ""
    code = "".join(text.split()).upper()
    if not code:
        return ""
    if code in _ABROAD:
        return ""
    if code.isdigit():
        if len(code) == 1:
            code = "0" + code
        elif len(code) == 3 and code.startswith("0"):
            code = code[1:]
    elif len(code) == 3 and code.startswith("0") and code[1:] in {"2A", "2B"}:
        code = code[1:]
    if code == "20":
        if birth_date is not None and birth_date < CORSICA_SPLIT:
            return "20"
        return None
    return code if code in _DEPARTMENTS else None
