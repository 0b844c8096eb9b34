"""The offline COG referential (référentiel géographique), loaded once, on first use.

The data file ``data/geo.json.gz`` is built by ``scripts/build_geo_data.py``. Nothing is read
at import time: :func:`get_referential` loads it on the first call and keeps one instance per
process (thread-safe, double-checked under a lock).

Communes are kept in columns (parallel tuples indexed by a row number) rather than as one
object per commune: loading stays fast and small, and match results are built only for the
few rows a query returns.
"""

from __future__ import annotations

import enum
import gzip
import json
import threading
from collections.abc import Iterable
from importlib import resources
from typing import Any

import attrs

from antsclient.geo.fuzzy import FuzzyIndex
from antsclient.geo.normalise import match_key, normalise_country

__all__ = [
    "CommuneKind",
    "Referential",
    "get_referential",
    "is_loaded",
]

_DATA_PACKAGE = "antsclient.geo.data"
_DATA_FILE = "geo.dat.gz"
_FORMAT = 5
_KEY_TABLE = str.maketrans("", "", "-'")

# How a lookup key was derived from a row (low two bits of the stored hit).
HOW_NAME = 0
HOW_NO_ARTICLE = 1
HOW_ALIAS = 2
HOW_ALIAS_NO_ARTICLE = 3

_ARTICLES = ("LES-", "LE-", "LA-", "L'")


class CommuneKind(enum.Enum):
    """Kind of commune in the COG (type de commune)."""

    CURRENT = "commune-actuelle"
    """Commune actuelle."""
    DELEGATED = "commune-deleguee"
    """Commune déléguée: former commune merged into a commune nouvelle."""
    ASSOCIATED = "commune-associee"
    """Commune associée: former commune associated with another (loi Marcellin)."""
    ARRONDISSEMENT = "arrondissement-municipal"
    """Arrondissement municipal of Paris, Lyon or Marseille."""


_KINDS = {
    "C": CommuneKind.CURRENT,
    "D": CommuneKind.DELEGATED,
    "A": CommuneKind.ASSOCIATED,
    "R": CommuneKind.ARRONDISSEMENT,
}


def strip_article(ants_name: str) -> str | None:
    """``LE-PELLERIN`` → ``PELLERIN``; ``None`` when there is no leading article."""
    for article in _ARTICLES:
        if ants_name.startswith(article) and len(ants_name) > len(article):
            return ants_name[len(article) :]
    return None


def compact(ants_name: str) -> str:
    """Compact key of a name already in ANTS form (faster than :func:`match_key`)."""
    return ants_name.translate(_KEY_TABLE)


@attrs.frozen(slots=True)
class Department:
    """A department of the COG (département)."""

    code: str
    name: str


@attrs.frozen(slots=True)
class Country:
    """A country of the INSEE COG countries file (pays et territoires étrangers)."""

    insee_code: str
    name: str
    iso2: str
    historic: bool
    aliases: tuple[str, ...]


class Referential:
    """Communes, departments and countries, with their lookup indexes."""

    def __init__(self, payload: dict[str, Any]) -> None:
        columns: dict[str, str] = payload["communes"]
        self.sources: dict[str, str] = dict(payload["sources"])
        self.codes: list[str] = columns["insee_code"].split("\n")
        self.display_names: list[str] = columns["name"].split("\n")
        ants_blob = columns["ants_name"]
        self.names: list[str] = ants_blob.split("\n")
        self.kind_codes: str = columns["kind"]
        self.departments_of: list[str] = columns["department"].split("\n")
        self._parent_rows: list[str] = columns["parent_row"].split("\n")
        self._postal: list[str] = columns["postal_codes"].split("\n")
        self.populations_raw: list[str] = columns["population"].split("\n")
        self._aliases: list[str] = columns["aliases"].split("\n")
        self.size = len(self.codes)

        # Exact index: compact key -> hit (row << 2 | how) for a key of one row only, and
        # compact key -> hits for homonyms and aliases (``_multi``, checked first).
        compact_names = ants_blob.translate(_KEY_TABLE).split("\n")
        self._single: dict[str, int] = dict(
            zip(compact_names, range(0, self.size << 2, 4), strict=True)
        )
        multi: dict[str, list[int]] = {}
        for line in columns["extra_keys"].split("\n"):
            row, how, key = line.split("\t")
            multi.setdefault(key, []).append(int(row) << 2 | int(how))
        for key, hits in multi.items():
            if hits[0] & 3 != HOW_NAME and key in self._single:
                hits.insert(0, self._single[key])
        self._multi: dict[str, tuple[int, ...]] = {k: tuple(v) for k, v in multi.items()}

        self.departments: dict[str, Department] = {
            code: Department(code=code, name=name) for code, name in payload["departments"]
        }
        self.countries: dict[str, Country] = {
            code: Country(
                insee_code=code,
                name=name,
                iso2=iso2,
                historic=bool(historic),
                aliases=tuple(aliases),
            )
            for code, name, iso2, historic, aliases in payload["countries"]
        }
        self._lock = threading.Lock()
        self._current_by_code: dict[str, int] | None = None
        arrondissements: dict[str, int] = {}
        position = self.kind_codes.find("R")
        while position >= 0:
            arrondissements[self.codes[position]] = position
            position = self.kind_codes.find("R", position + 1)
        self.arrondissements = arrondissements
        self._by_postal: dict[str, list[int]] | None = None
        self._sorted_keys: list[str] | None = None
        self._fuzzy: FuzzyIndex | None = None
        self._country_keys: dict[str, str] | None = None
        self._country_fuzzy: FuzzyIndex | None = None

    def hits(self, key: str) -> tuple[int, ...]:
        """Rows whose name or alias has this compact key, as ``row << 2 | how``."""
        hits = self._multi.get(key)
        if hits is not None:
            return hits
        hit = self._single.get(key)
        return () if hit is None else (hit,)

    def all_keys(self) -> set[str]:
        """Every compact key of the exact index."""
        return self._single.keys() | self._multi.keys()

    # -- per-row accessors ----------------------------------------------------------------

    def kind(self, row: int) -> CommuneKind:
        """Kind of the commune on ``row``."""
        return _KINDS[self.kind_codes[row]]

    def parent(self, row: int) -> int:
        """Row of the current commune a delegated/associated commune or an arrondissement
        belongs to, or -1."""
        parent = self._parent_rows[row]
        return int(parent) if parent else -1

    def postal_codes(self, row: int) -> tuple[str, ...]:
        """Postal codes of the row; a former commune without its own uses its parent's."""
        own = self._postal[row]
        if own:
            return tuple(own.split())
        parent = self.parent(row)
        if parent >= 0 and self._postal[parent]:
            return tuple(self._postal[parent].split())
        return ()

    def population(self, row: int) -> int:
        """Legal population of the row (0 for former communes)."""
        return int(self.populations_raw[row])

    def aliases(self, row: int) -> tuple[str, ...]:
        """La Poste routing labels of the row that differ from its name."""
        joined = self._aliases[row]
        return tuple(joined.split("|")) if joined else ()

    @property
    def current_by_code(self) -> dict[str, int]:
        """INSEE code -> row of the current commune (or arrondissement) with that code."""
        if self._current_by_code is None:
            index: dict[str, int] = {}
            for row in range(self.size - 1, -1, -1):
                # Rows are sorted by code then kind (current first): the first row wins.
                index[self.codes[row]] = row
            self._current_by_code = index
        return self._current_by_code

    @property
    def by_postal(self) -> dict[str, list[int]]:
        """Postal code -> rows of the current communes it serves."""
        if self._by_postal is None:
            index: dict[str, list[int]] = {}
            for row, joined in enumerate(self._postal):
                if joined and self.kind_codes[row] == "C":
                    for code in joined.split():
                        index.setdefault(code, []).append(row)
            self._by_postal = index
        return self._by_postal

    # -- lazily built indexes -------------------------------------------------------------

    @property
    def sorted_keys(self) -> list[str]:
        """All commune keys, sorted, for prefix (autocomplete / truncation) lookups."""
        if self._sorted_keys is None:
            with self._lock:
                if self._sorted_keys is None:
                    self._sorted_keys = sorted(self.all_keys())
        return self._sorted_keys

    @property
    def fuzzy(self) -> FuzzyIndex:
        """Typo index over the commune keys."""
        if self._fuzzy is None:
            with self._lock:
                if self._fuzzy is None:
                    self._fuzzy = FuzzyIndex(self.all_keys())
        return self._fuzzy

    @property
    def country_keys(self) -> dict[str, str]:
        """Compact country key → INSEE code; main labels win over aliases."""
        if self._country_keys is None:
            with self._lock:
                if self._country_keys is None:
                    self._country_keys = _country_index(self.countries.values())
        return self._country_keys

    @property
    def country_fuzzy(self) -> FuzzyIndex:
        """Typo index over the country keys."""
        if self._country_fuzzy is None:
            keys = self.country_keys
            with self._lock:
                if self._country_fuzzy is None:
                    self._country_fuzzy = FuzzyIndex(keys)
        return self._country_fuzzy

    def build_indexes(self) -> None:
        """Build every lazy index now (e.g. at application start-up)."""
        _ = self.sorted_keys, self.fuzzy, self.country_fuzzy, self.by_postal
        _ = self.current_by_code


def country_key(text: str) -> str:
    """Compact key of a country name: letters and digits of the upper-case plain form."""
    return "".join(c for c in normalise_country(text) if c.isalnum())


def _country_index(countries: Iterable[Country]) -> dict[str, str]:
    index: dict[str, str] = {}
    ordered = sorted(countries, key=lambda c: (c.historic, c.insee_code))
    for country in ordered:
        index.setdefault(country_key(country.name), country.insee_code)
    for country in ordered:
        for alias in country.aliases:
            key = country_key(alias)
            if key:
                index.setdefault(key, country.insee_code)
    return index


_referential: Referential | None = None
_load_lock = threading.Lock()


def load_payload() -> dict[str, Any]:
    """Read and decode the data file shipped in the package.

    The file is a gzip of a JSON header and text columns separated by ``\\x1d`` (see
    ``scripts/build_geo_data.py``); the columns land in ``payload["communes"]``.
    """
    raw = resources.files(_DATA_PACKAGE).joinpath(_DATA_FILE).read_bytes()
    header, *columns = gzip.decompress(raw).decode("utf-8").split("\x1d")
    payload: dict[str, Any] = json.loads(header)
    if payload.get("format") != _FORMAT:
        raise ValueError(f"unsupported geo data format {payload.get('format')!r}")
    payload["communes"] = dict(zip(payload["columns"], columns, strict=True))
    return payload


def get_referential() -> Referential:
    """The process-wide referential, loaded on the first call."""
    global _referential  # noqa: PLW0603 - the lazily loaded singleton
    if _referential is None:
        with _load_lock:
            if _referential is None:
                _referential = Referential(load_payload())
    return _referential


def is_loaded() -> bool:
    """Whether the referential has been read (it is not at import time)."""
    return _referential is not None


def _reset() -> None:
    """Forget the loaded referential (tests and benchmarks of the first use)."""
    global _referential  # noqa: PLW0603
    with _load_lock:
        _referential = None


def key_of(text: str) -> str:
    """Compact key of free text (see :func:`antsclient.geo.normalise.match_key`)."""
    return match_key(text)
