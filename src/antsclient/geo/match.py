"""Find the commune, department or country a user meant (suggestions de villes, départements
et pays), like the ANTS autocomplete but tolerant of how people and legacy software type.

:func:`suggest_communes` understands abbreviations (``ST``, ``STE``), missing or extra
hyphens, accents, missing articles, a postal code or department typed in the same field
(``Saint-Priest 69800``, ``ST PRIEST (69)``), arrondissements (``PARIS 15``, ``LYON 3EME``),
former communes merged into a commune nouvelle (commune déléguée / associée), La Poste
routing labels (``ST GERMIER``, ``PELLERIN (LE)``), names cut by a fixed-width field and
typing mistakes. Ties are broken by population.
"""

from __future__ import annotations

import bisect
import math
import re
from collections.abc import Callable
from datetime import date
from typing import NamedTuple

import attrs

from antsclient.geo.forms import other_readings, read
from antsclient.geo.fuzzy import osa_distance, typo_cost
from antsclient.geo.history import history_note
from antsclient.geo.normalise import (
    normalise_city,
    normalise_country,
    normalise_department,
    strip_accents,
)
from antsclient.geo.referential import (
    HOW_ALIAS,
    HOW_ALIAS_NO_ARTICLE,
    HOW_NAME,
    HOW_NO_ARTICLE,
    CommuneKind,
    Referential,
    compact,
    country_key,
    get_referential,
    strip_article,
)

__all__ = [
    "CommuneMatch",
    "CountryMatch",
    "DepartmentMatch",
    "autocomplete",
    "find_country",
    "find_department",
    "suggest_communes",
]

FRANCE_INSEE_CODE = "99100"
"""INSEE code of France in the COG countries file (label ``FRANCE``)."""

_ABBREVIATION = re.compile(r"(?<![A-Za-z])(?:st|ste|sts|stes)(?![A-Za-z])", re.IGNORECASE)
# Anything beyond a name: a number, punctuation that separates parts, an abbreviation.
_MAY_HAVE_CONTEXT = re.compile(r"[0-9(),;:/]|\s-\s|CEDEX|\b(?:SNTE?|ND|LES?|LA|L|[IVX]+)\s*$", re.I)
_NOTE_SAINT = "SAINT écrit en abrégé (ST) : écrit en toutes lettres"
_NOTE_ACCENTS = "accents retirés"
_SPACED = re.compile(r"[^\W\d_]\s+[^\W\d_]")
_QUERY_ARTICLE = re.compile(r"^(?:LES|LE|LA)-|^L'")

_PREFIX_SCAN = 60
_PREFIX_MIN = 3


@attrs.frozen(slots=True)
class CommuneMatch:
    """One suggested commune (ville proposée), as the ANTS writes it."""

    insee_code: str
    """Code commune INSEE (COG 2026), e.g. ``69290``."""
    name: str
    """Name as the ANTS writes it: ``SAINT-PRIEST``."""
    display_name: str
    """Name in the COG's typography: ``Saint-Priest``."""
    postal_codes: tuple[str, ...]
    department: str
    postal_code: str | None
    """The postal code of :attr:`label`: the one given or implied, else the main one."""
    label: str
    """``SAINT-PRIEST (69800)``."""
    score: float
    """0–1, 1 for an exact match in the given context."""
    exact: bool
    """The text, once written as the ANTS does, is exactly this name."""
    kind: CommuneKind
    parent_insee_code: str | None
    """For a delegated/associated commune or an arrondissement: the commune it belongs to."""
    parent_name: str | None
    population: int
    note: str
    """What was recognised or corrected, in French (empty for an exact match)."""

    @property
    def current_name(self) -> str:
        """Name of the current commune: the parent's for a former commune or arrondissement."""
        return self.parent_name if self.parent_name is not None else self.name

    @property
    def labels(self) -> tuple[str, ...]:
        """One label per postal code of the commune, as the ANTS list shows them:
        ``SAINT-PRIEST-EN-MURAT (03390)``, ``SAINT-PRIEST-EN-MURAT (03170)``."""
        if not self.postal_codes:
            return (self.name,)
        return tuple(f"{self.name} ({code})" for code in self.postal_codes)

    @property
    def current_label(self) -> str:
        """``NAME (postal code)`` of the current commune (``PARIS (75015)``)."""
        if self.postal_code:
            return f"{self.current_name} ({self.postal_code})"
        return self.current_name


@attrs.frozen(slots=True)
class CountryMatch:
    """A country of the INSEE COG countries file (pays)."""

    insee_code: str
    """``99xxx``; France is ``99100``."""
    name: str
    """Upper-case French label: ``ETATS-UNIS``."""
    iso2: str
    historic: bool
    """The country no longer exists (RDA, TCHECOSLOVAQUIE…) but keeps its own code."""
    score: float
    exact: bool
    note: str


@attrs.frozen(slots=True)
class DepartmentMatch:
    """A department (département)."""

    code: str
    name: str
    score: float
    exact: bool
    note: str


class _Query(NamedTuple):
    name: str
    """Text left once the postal code, department, CEDEX were taken out."""
    ants: str
    key: str
    postal_code: str | None
    department: str | None
    arrondissement: int
    notes: tuple[str, ...]
    spaced: bool
    """The text has a space inside (a result with a hyphen notes the replacement)."""
    words: tuple[str, ...] = ()
    """The words of the name, for its other readings (see :func:`_readings`)."""


def _readings(query: _Query) -> tuple[tuple[str, str | None, str], ...]:
    """Other keys the name may stand for (:func:`antsclient.geo.forms.other_readings`)."""
    return other_readings(query.words)


def _parse(text: str, ref: Referential) -> _Query:
    raw = text.strip()
    if not _MAY_HAVE_CONTEXT.search(raw):
        ants = normalise_city(raw)
        key = compact(ants)
        if ref.hits(key):
            return _Query(raw, ants, key, None, None, -1, _text_notes(raw), " " in raw)
    reading = read(raw, ref)
    return _Query(
        reading.name,
        reading.ants,
        compact(reading.ants),
        reading.postal_code,
        reading.department,
        reading.arrondissement,
        (*reading.notes, *_text_notes(reading.name)),
        _SPACED.search(raw) is not None,
        reading.words,
    )


_NOTES_SAINT = (_NOTE_SAINT,)
_NOTES_ACCENTS = (_NOTE_ACCENTS,)
_NOTES_BOTH = (_NOTE_SAINT, _NOTE_ACCENTS)


def _text_notes(raw: str) -> tuple[str, ...]:
    """The notes on how the name itself was typed: ``ST`` abbreviated, accents."""
    saint = _ABBREVIATION.search(raw) is not None
    if raw.isascii() or strip_accents(raw) == raw:
        return _NOTES_SAINT if saint else ()
    return _NOTES_BOTH if saint else _NOTES_ACCENTS


def _department_of_postal(postal_code: str) -> str:
    if postal_code.startswith("97"):
        return postal_code[:3]
    if postal_code.startswith("20"):
        return "20"
    return postal_code[:2]


def _same_department(candidate: str, wanted: str) -> bool:
    if wanted == "20":
        return candidate in {"2A", "2B", "20"}
    return candidate == wanted


# Base scores by how the candidate was found.
_EXACT = 1.0
_SAME_KEY = 0.98
_NO_ARTICLE = 0.97
_ALIAS = 0.96
_ALIAS_NO_ARTICLE = 0.95
_QUERY_ARTICLE_DROPPED = 0.9
_POSTAL_ONLY = 0.5
_READING = 0.96
_HISTORY = 0.97
_TYPO = 0.94
"""Score of a typing mistake of cost 0; each unit of :func:`typo_cost` takes ``_TYPO_UNIT``."""
_TYPO_UNIT = 0.08
_PRIOR = 0.004
"""Per power of ten of the population: among equally likely mistakes, the larger commune."""

_HOW_SCORE = {
    HOW_NAME: _SAME_KEY,
    HOW_NO_ARTICLE: _NO_ARTICLE,
    HOW_ALIAS: _ALIAS,
    HOW_ALIAS_NO_ARTICLE: _ALIAS_NO_ARTICLE,
}
_HOW_NOTE = {
    HOW_NO_ARTICLE: "article manquant ajouté",
    HOW_ALIAS: "libellé d'acheminement La Poste",
    HOW_ALIAS_NO_ARTICLE: "libellé d'acheminement La Poste",
}
_HOW_FOUND = {how: (_HOW_SCORE[how], note) for how, note in _HOW_NOTE.items()}
_EXACT_FOUND = (_EXACT, "")
_SAME_KEY_FOUND = (_SAME_KEY, "")
_ARTICLE_DROPPED_FOUND = (_QUERY_ARTICLE_DROPPED, "article en trop retiré")


def _collect(ref: Referential, query: _Query) -> dict[int, tuple[float, str]]:
    """Candidate rows with their base score and a note on how they were found."""
    if query.arrondissement >= 0:
        return {query.arrondissement: _EXACT_FOUND}
    found: dict[int, tuple[float, str]] = {}
    hits = ref.hits(query.key)
    if len(hits) == 1 and not hits[0] & 3:
        # The commonest case: one name with this key.
        row = hits[0] >> 2
        found[row] = _EXACT_FOUND if ref.names[row] == query.ants else _SAME_KEY_FOUND
        return found
    for hit in hits:
        row, how = hit >> 2, hit & 3
        if how == HOW_NAME:
            entry = _EXACT_FOUND if ref.names[row] == query.ants else _SAME_KEY_FOUND
        else:
            entry = _HOW_FOUND[how]
        current = found.get(row)
        if current is None or current[0] < entry[0]:
            found[row] = entry
    if not found:
        _add_readings(ref, query, found)
    if not found:
        for former in ref.history(query.key):
            found.setdefault(former.row, (_HISTORY, history_note(ref, former)))
    if not found:
        bare = _QUERY_ARTICLE.sub("", query.ants)
        if bare != query.ants:
            for hit in ref.hits(compact(bare)):
                found.setdefault(hit >> 2, _ARTICLE_DROPPED_FOUND)
    return found


def _add_readings(ref: Referential, query: _Query, found: dict[int, tuple[float, str]]) -> None:
    """The other readings of the name (article after it, glued SAINT, a department name at
    its end), in order: the first that names communes wins."""
    for key, department, note in _readings(query):
        rows = [hit >> 2 for hit in ref.hits(key)]
        if department is not None:
            rows = [r for r in rows if _same_department(ref.departments_of[r], department)]
        if rows:
            for row in rows:
                found.setdefault(row, (_READING, note))
            return


def _add_prefix(ref: Referential, key: str, found: dict[int, tuple[float, str]]) -> None:
    """Names starting with the text: autocomplete, or a name cut by a fixed-width field."""
    if len(key) < _PREFIX_MIN:
        return
    keys = ref.sorted_keys
    start = bisect.bisect_right(keys, key)
    for position in range(start, min(start + _PREFIX_SCAN, len(keys))):
        other = keys[position]
        if not other.startswith(key):
            break
        score = 0.6 + 0.3 * len(key) / len(other)
        for hit in ref.hits_at(position):
            _keep_best(found, hit >> 2, score, "nom complété (saisie tronquée)")


def _keep_best(found: dict[int, tuple[float, str]], row: int, score: float, note: str) -> None:
    """Record a candidate row, keeping its best score."""
    current = found.get(row)
    if current is None or current[0] < score:
        found[row] = (score, note)


def _add_fuzzy(
    ref: Referential,
    key: str,
    found: dict[int, tuple[float, str]],
    max_distance: int,
    *,
    wide: bool = False,
) -> None:
    populations = ref.populations
    for other, _ in ref.fuzzy.search(key, max_distance, wide=wide):
        base = _TYPO - _TYPO_UNIT * typo_cost(key, other)
        for hit in ref.hits(other):
            row, how = hit >> 2, hit & 3
            score = base - (0.0 if how == HOW_NAME else 0.01)
            score += _PRIOR * math.log10(populations[row] + 1)
            _keep_best(found, row, score, "faute de frappe corrigée")


def _search_wider(
    ref: Referential,
    query: _Query,
    found: dict[int, tuple[float, str]],
    factor: Callable[[int], float],
) -> None:
    """No certain answer in the context: names starting with the text, then typing mistakes
    (of the name, then of its other readings), widening until something fits the context."""
    for former in ref.history(query.key):
        # A former name of a commune of the context (``EVRY``, 91: Évry-Courcouronnes).
        found.setdefault(former.row, (_HISTORY, history_note(ref, former)))
    before = len(found)
    _add_prefix(ref, query.key, found)
    _add_fuzzy(ref, query.key, found, 1 if len(found) > before else 2)
    if any(factor(row) == 1.0 for row in found):
        return
    for key, _, _ in _readings(query):
        _add_fuzzy(ref, key, found, 1)
    if any(factor(row) == 1.0 for row in found):
        return
    # Two mistakes in a shorter name, or a second mistake hidden behind a closer name
    # outside the context.
    _add_fuzzy(ref, query.key, found, 2, wide=True)
    if not found:
        _add_shorter(ref, query, found)


_SHORTER = 0.5
_LINK_WORDS = frozenset({"SUR", "SOUS", "EN", "DE", "DU", "DES", "LES", "LE", "LA", "ET", "L", "D"})


def _add_shorter(ref: Referential, query: _Query, found: dict[int, tuple[float, str]]) -> None:
    """Nothing matches the name: the communes whose name starts with its first words
    (``CHALONS-SUR-RHIN`` → ``CHALONS-…``), the fewest words dropped, most populous first."""
    words = [w for w in query.ants.replace("'", "-").split("-") if w]
    populations = ref.populations
    for size in range(len(words) - 1, 0, -1):
        if words[size - 1] in _LINK_WORDS:
            continue  # « CHALONS-SUR »: the word that ties the name to what was dropped
        head = "".join(words[:size])
        if len(head) < _PREFIX_MIN + 1:
            return
        rows: list[int] = []
        keys = ref.sorted_keys
        position = bisect.bisect_left(keys, head)
        while position < len(keys) and keys[position].startswith(head) and len(rows) < _PREFIX_SCAN:
            rows.extend(h >> 2 for h in ref.hits_at(position) if ref.kind_codes[h >> 2] == "C")
            position += 1
        if rows:
            note = f"nom non reconnu : communes dont le nom commence par {'-'.join(words[:size])}"
            for row in rows:
                score = _SHORTER + _PRIOR * math.log10(populations[row] + 1)
                found.setdefault(row, (score, note))
            return


def _former_department(
    ref: Referential, query: _Query, found: dict[int, tuple[float, str]], department: str
) -> set[int]:
    """A commune named with the department it had then (``BOULOGNE-BILLANCOURT``, 75: the
    Seine before 1968) is in context: the department is read as the former one."""
    rows: set[int] = set()
    if all(_same_department(ref.departments_of[row], department) for row in found):
        return rows
    for former in ref.history(query.key):
        if former.department == department and former.event == "N":
            base, note = found.get(former.row, (_SAME_KEY, ""))
            told = history_note(ref, former)
            note = note if told in note else "; ".join(filter(None, (note, told)))
            found[former.row] = (base, note)
            rows.add(former.row)
    return rows


def _context_factor(
    ref: Referential, row: int, postal_code: str | None, department: str | None
) -> float:
    factor = 1.0
    if postal_code and not ref.serves(row, postal_code):
        if _same_department(ref.departments_of[row], _department_of_postal(postal_code)):
            factor *= 0.85
        else:
            factor *= 0.6
    if department and not _same_department(ref.departments_of[row], department):
        factor *= 0.6
    return factor


def _clean_postal(postal_code: str | None) -> str | None:
    if not postal_code:
        return None
    digits = "".join(postal_code.split())
    return digits if len(digits) == 5 and digits.isdigit() else None


def _result(
    ref: Referential,
    row: int,
    score: float,
    note: str,
    query: _Query,
    *,
    postal_code: str | None,
) -> CommuneMatch:
    insee_code, name, display_name, department, codes, kind, parent, population = ref.record(row)
    if postal_code and postal_code in codes:
        label_postal: str | None = postal_code
    elif kind is CommuneKind.ARRONDISSEMENT:
        # 13213 (Marseille 13e) -> 13013, 75116 (Paris 16e) -> 75016
        natural = f"{insee_code[:2]}{int(insee_code[3:]):03d}"
        label_postal = natural if natural in codes else codes[0]
    else:
        # The commune's own department first (a few communes have a code of another).
        label_postal = codes[0] if codes else None
        if len(codes) > 1 and not _same_department(department, _department_of_postal(codes[0])):
            label_postal = next(
                (c for c in codes if _same_department(department, _department_of_postal(c))),
                codes[0],
            )
    exact = name == query.ants or (query.arrondissement == row)
    parent_code = parent_name = None
    if parent >= 0:
        parent_code = ref.codes[parent]
        parent_name = ref.names[parent]
    notes = query.notes
    if note or parent >= 0 or (not exact and query.spaced and "-" in name):
        extra = [note] if note else []
        if parent >= 0:
            if kind is CommuneKind.DELEGATED:
                extra.append(f"commune déléguée de {parent_name} ({parent_code})")
            elif kind is CommuneKind.ASSOCIATED:
                extra.append(f"commune associée à {parent_name} ({parent_code})")
            else:
                extra.append(f"arrondissement de {parent_name}")
        if not exact and query.spaced and "-" in name:
            extra.append("espaces remplacés par des tirets")
        notes = (*notes, *extra)
    if not notes:
        joined = ""
    elif len(notes) == 1:
        joined = notes[0]
    else:
        joined = "; ".join(dict.fromkeys(notes))
    return CommuneMatch(
        insee_code,
        name,
        display_name,
        codes,
        department,
        label_postal,
        f"{name} ({label_postal})" if label_postal else name,
        1.0 if score >= 1.0 else round(max(0.0, score), 4),
        exact,
        kind,
        parent_code,
        parent_name,
        population,
        joined,
    )


def _wanted_department(department: str | None, query: _Query) -> str | None:
    wanted = None
    if department:
        wanted = normalise_department(department) or ("20" if department.strip() == "20" else None)
    return wanted or query.department


def _per_postal_code(match: CommuneMatch, postal_code: str | None) -> list[CommuneMatch]:
    """The match once per postal code (the given one alone if it is one of them)."""
    codes = match.postal_codes
    if postal_code in codes or len(codes) <= 1:
        return [match]
    return [attrs.evolve(match, postal_code=code, label=f"{match.name} ({code})") for code in codes]


_AUTOCOMPLETE_MIN = 2
_AUTOCOMPLETE_SCAN = 4


def autocomplete(
    text: str,
    *,
    postal_code: str | None = None,
    department: str | None = None,
    limit: int = 10,
) -> list[CommuneMatch]:
    """The ANTS list as you type (« en saisissant les 1ers caractères »): the communes whose
    name starts with the text, in alphabetical order, one entry per postal code
    (``SAINT-PRIEST-EN-MURAT (03170)``, ``(03390)``).

    The text is read as :func:`suggest_communes` reads it (``ST PRI`` is ``SAINT-PRI``); a
    postal code or department, given or typed, keeps only the communes it fits. When no name
    starts with the text (a typing mistake), the suggestions of :func:`suggest_communes`
    are listed instead, one entry per postal code.
    """
    if limit <= 0 or not text or not text.strip():
        return []
    ref = get_referential()
    query = _parse(text, ref)
    wanted_postal = _clean_postal(postal_code) or query.postal_code
    wanted_department = _wanted_department(department, query)
    rows: list[int] = []
    if query.arrondissement >= 0:
        rows = [query.arrondissement]
    elif len(query.key) < _AUTOCOMPLETE_MIN:
        return []
    else:
        rows = _starting_with(ref, query.key, limit * _AUTOCOMPLETE_SCAN)
    if wanted_postal or wanted_department:
        fitting = [
            r for r in rows if _context_factor(ref, r, wanted_postal, wanted_department) == 1.0
        ]
        rows = fitting or rows
    if not rows:
        found = suggest_communes(text, postal_code=postal_code, department=department, limit=limit)
        return [m for match in found for m in _per_postal_code(match, wanted_postal)][:limit]
    names = ref.names
    rows.sort(key=lambda r: (names[r], ref.codes[r]))
    results: list[CommuneMatch] = []
    for row in rows:
        base = _EXACT if names[row] == query.ants else 0.9
        match = _result(ref, row, base, "", query, postal_code=wanted_postal)
        results.extend(_per_postal_code(match, wanted_postal))
        if len(results) >= limit:
            break
    return results[:limit]


def _starting_with(ref: Referential, key: str, count: int) -> list[int]:
    """Current communes and arrondissements whose name starts with ``key`` (the first
    ``count`` keys in order)."""
    keys = ref.sorted_keys
    position = bisect.bisect_left(keys, key)
    rows: list[int] = []
    seen = 0
    while position < len(keys) and seen < count and keys[position].startswith(key):
        for hit in ref.hits_at(position):
            row = hit >> 2
            if hit & 3 == HOW_NAME and ref.kind_codes[row] in "CR" and row not in rows:
                rows.append(row)
        position += 1
        seen += 1
    return rows


def suggest_communes(
    text: str,
    *,
    postal_code: str | None = None,
    department: str | None = None,
    limit: int = 10,
    prefix: bool = False,
) -> list[CommuneMatch]:
    """Communes the text may designate, best first (suggestions de villes).

    ``postal_code`` and ``department`` (e.g. from the address or the birth department)
    narrow the choice; a postal code or department typed in the text itself is understood
    too. When the answer is not certain (no exact name, homonyms, a name outside the given
    postal code or department), names starting with the text are suggested as well, like
    the ANTS autocomplete. The first call loads the referential.

    ``prefix=True`` is :func:`autocomplete`: the ANTS list as the user types.
    """
    if prefix:
        return autocomplete(text, postal_code=postal_code, department=department, limit=limit)
    if limit <= 0 or not text or not text.strip():
        return []
    ref = get_referential()
    query = _parse(text, ref)
    wanted_postal = _clean_postal(postal_code) or query.postal_code
    wanted_department = _wanted_department(department, query)
    has_context = bool(wanted_postal or wanted_department)

    found = _collect(ref, query)
    former_rows: set[int] = set()
    if wanted_department and query.arrondissement < 0:
        former_rows = _former_department(ref, query, found, wanted_department)
    if len(found) == 1 and query.key:
        # The commonest case: one commune of this name, in the context given (or an
        # arrondissement): nothing to add, nothing to sort.
        ((row, (base, note)),) = found.items()
        value = _context_factor(ref, row, wanted_postal, wanted_department) if has_context else 1.0
        if row in former_rows:
            value = _context_factor(ref, row, wanted_postal, None)
        if query.arrondissement >= 0 or (
            base >= _SAME_KEY and value == 1.0 and ref.kind_codes[row] == "C"
        ):
            return [_result(ref, row, base * value, note, query, postal_code=wanted_postal)]
    factors: dict[int, float] = {}

    def factor(row: int) -> float:
        value = factors.get(row)
        if value is None:
            dep = None if row in former_rows else wanted_department
            value = factors[row] = (
                _context_factor(ref, row, wanted_postal, dep) if has_context else 1.0
            )
        return value

    if query.arrondissement < 0 and query.key:
        certain = [
            row
            for row, (base, _) in found.items()
            if base >= _SAME_KEY and factor(row) == 1.0 and ref.kind_codes[row] == "C"
        ]
        in_context = certain or any(factor(row) == 1.0 for row in found)
        if not found or not in_context:
            _search_wider(ref, query, found, factor)
        elif len(certain) > 1:
            # Homonyms: the user must choose; offer the autocomplete's list too.
            _add_prefix(ref, query.key, found)
        if wanted_postal and not any(factor(row) == 1.0 for row in found):
            for row in ref.postal_rows(wanted_postal):
                found.setdefault(row, (_POSTAL_ONLY, "commune du code postal"))
    elif not query.key and wanted_postal:
        for row in ref.postal_rows(wanted_postal):
            found.setdefault(row, (_POSTAL_ONLY, "commune du code postal"))

    if len(found) == 1:
        ((row, (base, note)),) = found.items()
        return [_result(ref, row, base * factor(row), note, query, postal_code=wanted_postal)]
    populations = ref.populations
    # Negated score and population: the natural tuple order is best first (rows are unique,
    # so the notes are never compared).
    scored = [
        (-(base * factor(row)), -populations[row], row, note) for row, (base, note) in found.items()
    ]
    scored.sort()
    results: list[CommuneMatch] = []
    taken: set[int] = set()
    for negated, _, row, note in scored:
        # A former commune named like its parent (chef-lieu of a commune nouvelle) adds
        # nothing next to it.
        parent = ref.parent(row)
        if parent in taken and ref.names[parent] == ref.names[row]:
            continue
        taken.add(row)
        results.append(_result(ref, row, -negated, note, query, postal_code=wanted_postal))
        if len(results) == limit:
            break
    return results


# -- countries ------------------------------------------------------------------------------

_COUNTRY_ARTICLE = re.compile(r"^(?:LES|LE|LA|L)(?=[A-Z]{3})")


def _country_result(
    ref: Referential, code: str, score: float, exact: bool, note: str
) -> CountryMatch:
    country = ref.countries[code]
    return CountryMatch(
        insee_code=country.insee_code,
        name=country.name,
        iso2=country.iso2,
        historic=country.historic,
        score=score,
        exact=exact,
        note=note,
    )


# The form of a state or territory, around its name: « ILE MAURICE », « REPUBLIQUE DE
# GUINEE », « ALGERIE FRANCAISE », « TUNISIE (REPUBLIQUE) ».
_COUNTRY_FORMS = frozenset(
    {
        "ILE",
        "ILES",
        "REPUBLIQUE",
        "REP",
        "ROYAUME",
        "ETAT",
        "PRINCIPAUTE",
        "SULTANAT",
        "EMIRAT",
        "FEDERATION",
        "UNION",
        "DEMOCRATIQUE",
        "DEM",
        "POPULAIRE",
        "FEDERALE",
        "ISLAMIQUE",
        "FRANCAISE",
        "FRANCAIS",
        "DE",
        "DU",
        "DES",
        "LA",
        "LE",
        "LES",
        "L",
        "D",
    }
)
_COUNTRY_ABBREVIATIONS = {
    "ST": "SAINT",
    "STE": "SAINTE",
    "REP": "REPUBLIQUE",
    "DEM": "DEMOCRATIQUE",
    "POP": "POPULAIRE",
    "FED": "FEDERALE",
}
_COUNTRY_PARENS = re.compile(r"\(([^)]*)\)")
_COUNTRY_WORDS = re.compile(r"[^A-Z0-9]+")
_ACRONYM = 4


def _country_by_form(index: dict[str, str], plain: str) -> str | None:
    """The country a text names once the words of its form are set aside, or the one named
    by a single word of it (an acronym first: ``CONGO RDC``)."""
    inside = _COUNTRY_PARENS.findall(plain)
    outside = _COUNTRY_PARENS.sub(" ", plain)
    for text in (plain, outside, *inside):
        words = [w for w in _COUNTRY_WORDS.split(text.replace("'", " ")) if w]
        words = [_COUNTRY_ABBREVIATIONS.get(w, w) for w in words]
        kept = [w for w in words if w not in _COUNTRY_FORMS]
        for candidate in ("".join(words), "".join(kept)):
            code = index.get(candidate)
            if code is not None:
                return code
        named = {(len(w) > _ACRONYM, index[w]) for w in kept if w in index and len(w) > 2}
        if named:
            best = min(named)
            if len({code for size, code in named if size == best[0]}) == 1:
                return best[1]
    return None


def find_country(text: str | None) -> CountryMatch | None:
    """The country the text designates (pays), or ``None`` if not recognised.

    Understands the INSEE label (``ETATS-UNIS``), French, English and other names
    (``Allemagne``, ``Deutschland``, ``USA``, ``Royaume Uni``, ``Angleterre``), historic
    countries with their own code (``RDA``, ``TCHECOSLOVAQUIE``), INSEE codes (``99109``)
    and typing mistakes. France is ``FRANCE``, INSEE code ``99100``.
    """
    if not text or not text.strip():
        return None
    ref = get_referential()
    stripped = text.strip()
    if stripped in ref.countries:
        return _country_result(ref, stripped, 1.0, True, "")
    plain = normalise_country(stripped)
    key = country_key(stripped)
    if not key:
        return None
    index = ref.country_keys
    code = index.get(key)
    if code is None:
        bare = _COUNTRY_ARTICLE.sub("", key)
        code = index.get(bare)
    if code is None:
        code = _country_by_form(index, plain)
    if code is not None:
        exact = plain == ref.countries[code].name
        return _country_result(
            ref, code, 1.0 if exact else 0.95, exact, "" if exact else "nom du pays reconnu"
        )
    matches = ref.country_fuzzy.search(key, 2)
    if matches:
        best = min(
            matches,
            key=lambda m: (m[1], ref.countries[index[m[0]]].historic, index[m[0]]),
        )
        score = 0.85 if best[1] == 1 else 0.7
        return _country_result(ref, index[best[0]], score, False, "faute de frappe corrigée")
    if len(key) >= 4:
        keys = ref.sorted_country_keys
        start = bisect.bisect_left(keys, key)
        codes = set()
        for position in range(start, len(keys)):
            if not keys[position].startswith(key):
                break
            codes.add(index[keys[position]])
        if len(codes) == 1:
            return _country_result(ref, codes.pop(), 0.8, False, "nom du pays complété")
    return None


# -- departments ----------------------------------------------------------------------------

_CORSICA = "CORSE"
_DEPARTMENT_CODE_LEADING = re.compile(r"^\s*(\d{1,3}|2[AaBb])\b[\s\-–:]*(.*)$")
_DEPARTMENT_CODE_TRAILING = re.compile(r"^(.*?)[\s\-–]*\(\s*(\d{1,3}|2[AaBb])\s*\)\s*$")


def _department_result(
    ref: Referential, code: str, score: float, exact: bool, note: str
) -> DepartmentMatch:
    name = _CORSICA.title() if code == "20" else ref.departments[code].name
    return DepartmentMatch(code=code, name=name, score=score, exact=exact, note=note)


def find_department(text: str | None, *, birth_date: date | None = None) -> DepartmentMatch | None:
    """The department the text designates, by code (``69``, ``2A``, ``974``, ``20`` for
    Corsica before 1976) or by name (``Rhône``, ``Corse-du-Sud``), or ``None``.

    ``99`` (abroad) is not a department: ``None``.
    """
    if not text or not text.strip():
        return None
    ref = get_referential()
    raw = text.strip()
    code_part, name_part = raw, ""
    m = _DEPARTMENT_CODE_TRAILING.match(raw)
    if m:
        name_part, code_part = m.group(1), m.group(2)
    else:
        m = _DEPARTMENT_CODE_LEADING.match(raw)
        if m:
            code_part, name_part = m.group(1), m.group(2)
    code = normalise_department(code_part, birth_date=birth_date)
    if code and (code in ref.departments or code == "20"):
        exact = code == "".join(code_part.split()).upper() and not name_part
        return _department_result(ref, code, 1.0 if exact else 0.95, exact, "")
    if "".join(code_part.split()) == "20":
        # Corsica after 1976: 2A or 2B; "20" stays a valid answer for an older birth.
        return _department_result(
            ref, "20", 0.5, False, "Corse : 2A ou 2B depuis 1976 (20 avant 1976)"
        )
    if code == "" or code_part.isdigit():
        return None
    key = compact(normalise_city(name_part or raw))
    if not key:
        return None
    if key == _CORSICA:
        return _department_result(ref, "20", 0.9, False, "Corse : 2A ou 2B depuis 1976")
    best: tuple[int, str] | None = None
    for dep_code, department in ref.departments.items():
        dep_key = compact(normalise_city(department.name))
        if dep_key == key:
            return _department_result(ref, dep_code, 0.98, True, "")
        bare = strip_article(normalise_city(department.name))
        if bare is not None and compact(bare) == key:
            return _department_result(ref, dep_code, 0.95, False, "article manquant ajouté")
        distance = osa_distance(key, dep_key, 2)
        if distance <= 2 and (best is None or distance < best[0]):
            best = (distance, dep_code)
    if best is not None and len(key) >= 5:
        return _department_result(
            ref, best[1], 0.85 if best[0] == 1 else 0.7, False, "faute de frappe corrigée"
        )
    return None
