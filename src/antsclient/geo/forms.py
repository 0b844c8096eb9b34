"""How people write a place in one field, read token by token (lecture du champ ville).

A city field of a legacy file or of a form often holds more than the name: a postal code
(``1150 VILLEBOIS``: the leading zero lost in a spreadsheet), a department by number or by
name in any punctuation (``OISLY (loir-et-cher)``, ``Dahlenheim, BAS-RHIN``), an arrondissement
in Roman numerals (``PARIS XVI``), the article after the name as registries sort it
(``FAOU LE``, ``lude, le``), SAINT glued or abbreviated (``STMAIXANT``, ``SNT BRES``), ``/S``
for SUR, ``ND`` for NOTRE-DAME. :func:`read` takes the field apart:

* the **context** (postal code, department, arrondissement), recognised anywhere in the
  field and taken out of the name;
* the **name**, written as the ANTS does, and a few **readings** of it — other ways the same
  letters can be understood (article moved back in front, glued SAINT split, a trailing
  department name taken off) — each with a French note. The matcher looks the name up first,
  then the readings.

Nothing here lists place names: each rule is about the shape of the text.
"""

from __future__ import annotations

import re
import threading
from functools import lru_cache
from typing import NamedTuple

from antsclient.geo.normalise import normalise_city, normalise_department, plain_upper
from antsclient.geo.referential import Referential, compact, get_referential

__all__ = ["Reading", "department_by_name", "other_readings", "read", "roman"]

_CEDEX = re.compile(r"\bCEDEX(?:\s*\d{1,2})?\b")
# Strong separators: a part of the field after one of them is context or an article.
_PARTS = re.compile(r"\s*[(),;:]\s*|\s+[-/]\s+|\s*\)\s*")
_WORDS = re.compile(r"[^A-Z0-9'/]+")
_SLASH = re.compile(r"(?<!\bS)/(?!S\b)")
# Words that only announce a department: « dépt 38 », « DEPARTEMENT DE L'ISERE ».
_DEPARTMENT_WORDS = frozenset({"DEPT", "DEP", "DPT", "DEPARTEMENT", "DEPART"})
_DOUBLED = re.compile(r"([A-Z])\1+")
_ROMAN = re.compile(r"^(?P<n>X{0,2}(?:IX|IV|V?I{0,3}))(?P<suffix>E|EME|IEME|ER|ERE|EM|ME)?$")
_ARABIC = re.compile(r"^(?P<n>\d{1,2})(?P<suffix>E|EME|IEME|ER|ERE|EM|ME|EMME)?$")
_ARRONDISSEMENT_WORDS = frozenset({"ARRONDISSEMENT", "ARRONDT", "ARRDT", "ARRT", "ARR", "AR"})
_ARRONDISSEMENT_CITIES = {"PARIS": 20, "LYON": 9, "MARSEILLE": 16}
_ROMAN_VALUES = {"I": 1, "V": 5, "X": 10}
_ARTICLES = frozenset({"LE", "LA", "LES", "L", "L'"})
# Words that tie a name to what follows: a department name after one of them is the name's.
_LINKS = frozenset({"SUR", "SOUS", "EN", "DE", "DU", "DES", "LES", "LE", "LA", "ET", "D'", "L'"})
# Abbreviations of the words of a name, read as the whole word.
_WORD_FORMS = {
    "SNT": "SAINT",
    "SNTE": "SAINTE",
    "STE": "SAINTE",
    "ST": "SAINT",
    "STS": "SAINTS",
    "ND": "NOTRE-DAME",
    "NTRE": "NOTRE",
    "S/": "SUR",
    "/S": "SUR",
    "S/S": "SOUS",
    "SS": "SOUS",
}
_GLUED = (("STE", "SAINTE"), ("ST", "SAINT"), ("SNTE", "SAINTE"), ("SNT", "SAINT"))
_VOWELS = frozenset("AEIOUY")

NOTE_POSTAL = "code postal saisi dans le nom de la ville"
NOTE_POSTAL_ZERO = "code postal saisi sans son 0 initial"
NOTE_DEPARTMENT = "département saisi dans le nom de la ville"
NOTE_ARTICLE_AFTER = "article placé après le nom remis devant"
NOTE_GLUED = "SAINT collé au nom ou abrégé : écrit en toutes lettres"
NOTE_DOUBLED = "lettre doublée corrigée"
NOTE_ABBREVIATION = "abréviation écrite en toutes lettres (SUR, SOUS, NOTRE-DAME, SAINT)"


class Reading(NamedTuple):
    """What :func:`read` understood of a field."""

    name: str
    """The text of the name (context taken out), as typed."""
    ants: str
    """The name written as the ANTS does."""
    postal_code: str | None
    department: str | None
    arrondissement: int
    """Row of the arrondissement the text names (``PARIS XVI``), or -1."""
    words: tuple[str, ...]
    """The words of the name as typed (for :func:`other_readings`)."""
    notes: tuple[str, ...]


def roman(text: str) -> int:
    """Value of a Roman numeral from I to XXXIX, or 0."""
    if not text or any(c not in _ROMAN_VALUES for c in text):
        return 0
    total = 0
    for position, char in enumerate(text):
        value = _ROMAN_VALUES[char]
        following = text[position + 1] if position + 1 < len(text) else ""
        total += -value if following and _ROMAN_VALUES[following] > value else value
    return total


_department_keys: dict[str, str] | None = None
_department_lock = threading.Lock()

# Departments that no longer exist, recognised by name in a field (births before their end).
FORMER_DEPARTMENT_NAMES = {
    "SEINE": "75",
    "SEINEETOISE": "78",
    "CORSE": "20",
}


def _department_keys_of(ref: Referential) -> dict[str, str]:
    global _department_keys  # noqa: PLW0603 - built once from the referential
    if _department_keys is None:
        with _department_lock:
            keys: dict[str, str] = dict(FORMER_DEPARTMENT_NAMES)
            for code, department in ref.departments.items():
                ants = normalise_city(department.name)
                keys[compact(ants)] = code
                for article in ("LES-", "LE-", "LA-", "L'"):
                    if ants.startswith(article):
                        keys.setdefault(compact(ants[len(article) :]), code)
            _department_keys = keys
    return _department_keys


def department_by_name(ref: Referential, text: str) -> str | None:
    """The department code a name designates (``BAS-RHIN`` → ``67``), or ``None``."""
    return _department_keys_of(ref).get(compact(normalise_city(text)))


def _arrondissement(ref: Referential, words: list[str]) -> int:
    """Row of ``PARIS XVI``, ``LYON 3EME``, ``MARSEILLE 1ER ARRONDISSEMENT``, or -1."""
    if len(words) < 2 or words[0] not in _ARRONDISSEMENT_CITIES:
        return -1
    rest = [w for w in words[1:] if w not in _ARRONDISSEMENT_WORDS]
    if len(rest) != 1:
        return -1
    word = rest[0]
    number = 0
    m = _ARABIC.match(word)
    if m:
        number = int(m.group("n"))
        # « MARSEILLE 13 », « PARIS 75 »: the department, unless written as an arrondissement.
        if not m.group("suffix") and len(words) == 2 and word in {"13", "69", "75"}:
            return -1
    else:
        m = _ROMAN.match(word)
        if m and m.group("n"):
            number = roman(m.group("n"))
    city = words[0]
    if not 1 <= number <= _ARRONDISSEMENT_CITIES[city]:
        return -1
    base = {"PARIS": 75100, "LYON": 69380, "MARSEILLE": 13200}[city]
    return ref.arrondissements.get(str(base + number), -1)


class _Context:
    __slots__ = ("department", "notes", "postal_code")

    def __init__(self) -> None:
        self.postal_code: str | None = None
        self.department: str | None = None
        self.notes: list[str] = []


def _take_number(ref: Referential, word: str, context: _Context) -> bool:
    """A number in the field: a postal code (five digits, or four that lost their zero) or
    a department; ``False`` when it is neither."""
    size = len(word)
    if size == 5 and context.postal_code is None:
        context.postal_code = word
        context.notes.append(NOTE_POSTAL)
        return True
    if size == 4 and context.postal_code is None and ref.postal_rows("0" + word):
        context.postal_code = "0" + word
        context.notes.append(NOTE_POSTAL_ZERO)
        return True
    if size <= 3:
        code = normalise_department(word) or ("20" if word == "20" else None)
        if code and context.department is None:
            context.department = code
            context.notes.append(NOTE_DEPARTMENT)
            return True
        # The same department written twice (« Rhône - 69 »).
        return code is not None and code == context.department
    return False


def _words(part: str) -> list[str]:
    return [w for w in _WORDS.split(part) if w]


def read(text: str, ref: Referential) -> Reading:
    """Take the field apart: context, name, other readings of the name."""
    plain = plain_upper(text).strip()
    if "CEDEX" in plain:
        plain = _CEDEX.sub(" ", plain)
    if "/" in plain:
        # A slash that is not part of S/, /S, S/S separates (« ST PRIEST/69 »).
        plain = _SLASH.sub(" ", plain)
    if "&" in plain:
        plain = plain.replace("&", " ET ")
    parts = [p for p in _PARTS.split(plain) if p.strip(" -/.'")]
    context = _Context()
    split = [_words(part) for part in parts]
    words = [w for part in split for w in part if not (len(w) == 5 and w.isdigit())]
    arrondissement = _arrondissement(ref, words)
    if arrondissement >= 0:
        postal = [w for part in split for w in part if len(w) == 5 and w.isdigit()]
        if postal:
            context.postal_code = postal[0]
            context.notes.append(NOTE_POSTAL)
        name = " ".join(words)
        return Reading(
            name,
            normalise_city(name),
            context.postal_code,
            None,
            arrondissement,
            (),
            tuple(context.notes),
        )
    name_words: list[str] = []
    trailing_article: str | None = None
    last = len(split) - 1
    for index, part_words in enumerate(split):
        # A part after a word that ties it to the name (« NOGENT - SUR - SEINE ») is the name's.
        if index > 0 and name_words and name_words[-1] not in _LINKS:
            if len(part_words) == 1 and part_words[0] in _ARTICLES and index == last:
                trailing_article = part_words[0]
                continue
            department = _department_keys_of(ref).get(compact(normalise_city(parts[index])))
            if department is not None and context.department in (None, department):
                if context.department is None:
                    context.department = department
                    context.notes.append(NOTE_DEPARTMENT)
                continue
        for word in part_words:
            if (word.isdigit() or word in {"2A", "2B"}) and _take_number(ref, word, context):
                continue
            if word in _DEPARTMENT_WORDS and name_words:
                continue
            name_words.append(word)
    return _reading(name_words, trailing_article, context, ref)


def _reading(
    words: list[str], trailing_article: str | None, context: _Context, ref: Referential
) -> Reading:
    words = _pairs(words)
    expanded = _expand(words)
    name = " ".join(words)
    ants = normalise_city(" ".join(expanded))
    if expanded != words and any(w in {"SNT", "SNTE", "ND", "NTRE", "/S"} for w in words):
        context.notes.append(NOTE_ABBREVIATION)
    if trailing_article is not None:
        ants = normalise_city(f"{trailing_article} {' '.join(expanded)}")
        context.notes.append(NOTE_ARTICLE_AFTER)
        words = []  # read already
    return Reading(
        name,
        ants,
        context.postal_code,
        context.department,
        -1,
        tuple(words),
        tuple(context.notes),
    )


@lru_cache(maxsize=1024)
def other_readings(words: tuple[str, ...]) -> tuple[tuple[str, str | None, str], ...]:
    """Other keys a name may stand for, with the department the reading implies and a note,
    in order of likelihood: the other meanings of an ambiguous abbreviation, the article
    written after the name moved back in front, a department name at its end taken off, SAINT
    glued to the words around it, a letter held down. Computed when the name itself finds
    nothing."""
    if not words:
        return ()
    readings: list[tuple[str, str | None, str]] = []
    _abbreviations(words, readings)
    words = tuple(_expand(list(words)))
    if len(words) > 1 and words[-1] in _ARTICLES:
        # « FAOU LE », « MOLLETTES LES »: the article written after the name.
        moved = normalise_city(" ".join([words[-1], *words[:-1]]))
        readings.append((compact(moved), None, NOTE_ARTICLE_AFTER))
    if len(words) > 1:
        _trailing_department(get_referential(), list(words), readings)
    key = compact(normalise_city(" ".join(words)))
    _glued_saint(key, readings)
    single = _DOUBLED.sub(r"\1", key)
    if single != key:
        # « PAUU », « NICCE »: a key held down (short names are not typo candidates).
        readings.append((single, None, NOTE_DOUBLED))
    return tuple(readings)


# The words an abbreviation may stand for, the likeliest first.
_AMBIGUOUS = {
    "S": ("SAINT", "SUR", "SOUS", "SAINTE"),
    "S/": ("SUR", "SOUS"),
    "/S": ("SUR", "SOUS"),
    "SS": ("SOUS", "SAINTS"),
    "ST": ("SAINT", "SAINTE"),
}


def _abbreviations(words: tuple[str, ...], readings: list[tuple[str, str | None, str]]) -> None:
    """The other words an ambiguous abbreviation may stand for (``AULNAY S/ BOIS`` is
    AULNAY-SOUS-BOIS), one abbreviation at a time."""
    if len(words) < 2:
        return
    expanded = _expand(list(words))
    for position, word in enumerate(words):
        for meaning in _AMBIGUOUS.get(word, ())[1 if word != "S" else 0 :]:
            if meaning != expanded[position]:
                other = [*expanded[:position], meaning, *expanded[position + 1 :]]
                readings.append((compact(normalise_city(" ".join(other))), None, NOTE_ABBREVIATION))


def _expand(words: list[str]) -> list[str]:
    """The words with their abbreviations written out; a lone S is SAINT before the name and
    SUR inside it (:func:`_abbreviations` tries the other meanings)."""
    expanded = [_WORD_FORMS.get(w, w) for w in words]
    if "S" in words and len(words) > 1:
        expanded = [
            ("SAINT" if i == 0 else "SUR") if w == "S" else x
            for i, (w, x) in enumerate(zip(words, expanded, strict=True))
        ]
    return expanded


def _pairs(words: list[str]) -> list[str]:
    """Initials written apart: ``N D`` (from ``N.D.``, ``N-D``) is ND, NOTRE-DAME."""
    out: list[str] = []
    for word in words:
        if word == "D" and out and out[-1] == "N":
            out[-1] = "ND"
        else:
            out.append(word)
    return out


def _trailing_department(
    ref: Referential, words: list[str], readings: list[tuple[str, str | None, str]]
) -> None:
    """``TOULOUSE HAUTE GARONNE``: the last words may name the department (not after a word
    that ties them to the name, as in ``CHALONNES SUR LOIRE``)."""
    keys = _department_keys_of(ref)
    for size in range(min(4, len(words) - 1), 0, -1):
        tail = words[-size:]
        head = words[:-size]
        if head[-1] in _LINKS:
            continue
        code = keys.get(compact(normalise_city(" ".join(tail))))
        if code is not None:
            name = compact(normalise_city(" ".join(head)))
            readings.append((name, code, NOTE_DEPARTMENT))
            return


def _glued_saint(key: str, readings: list[tuple[str, str | None, str]]) -> None:
    """``STMAIXANT``, ``BUSSYSTGEORGES``, ``STEMARIE``: SAINT glued to the words around it,
    at the start or inside the name (each ``ST`` read as SAINT, or SAINTE before a
    consonant after its E)."""
    for short, full in _GLUED:
        if key.startswith(short) and len(key) > len(short) + 2:
            rest = key[len(short) :]
            if full == "SAINTE":
                # STETIENNE is SAINT-ETIENNE, STEMARIE SAINTE-MARIE: the E before a vowel
                # starts the name.
                both = [(full + rest, None, NOTE_GLUED), ("SAINT" + key[2:], None, NOTE_GLUED)]
                readings.extend(both if rest[0] not in _VOWELS else both[::-1])
            else:
                readings.append((full + rest, None, NOTE_GLUED))
            return
    position = key.find("ST", 2)
    while 0 < position < len(key) - 3:
        rest = key[position + 2 :]
        if not key.startswith("SAINT", position):
            head = key[:position]
            saint = (head + "SAINT" + rest, None, NOTE_GLUED)
            if rest[0] == "E" and rest[1] not in _VOWELS:
                readings.append((head + "SAINTE" + rest[1:], None, NOTE_GLUED))
            readings.append(saint)
        position = key.find("ST", position + 2)
