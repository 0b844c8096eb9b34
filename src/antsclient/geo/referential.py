"""The offline COG referential (référentiel géographique), loaded once, on first use.

The data file ``data/geo.dat.gz`` is built by ``scripts/build_geo_data.py``. Nothing is read
at import time: :func:`get_referential` loads it on the first call and keeps one instance per
process (thread-safe, double-checked under a lock).

Communes are kept in columns indexed by a row number rather than as one object per commune,
and a column is not even split into one string per row: a value is sliced out of a text
(fixed width, or back to back with stored offsets) or read from a binary array when a query
needs it. The indexes are computed by the build script and stored in the file, so loading is
a decompression, a few decodings and, for the indexes, ``str.split`` calls: fast and small.
Match results are built only for the few rows a query returns.
"""

from __future__ import annotations

import enum
import json
import sys
import threading
import zlib
from array import array
from bisect import bisect_left
from collections.abc import Iterable
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any, NamedTuple

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
_FORMAT = 7
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


class FormerName(NamedTuple):
    """A name a commune had, or a commune that no longer exists (COG history)."""

    name: str
    """The former name, as the ANTS writes names."""
    department: str
    """Its department then (``75`` for a commune of the Seine before 1968)."""
    row: int
    """Row of the commune it is part of today."""
    event: str
    """``R`` renamed, ``F`` merged into another commune, ``N`` renumbered (its department
    changed)."""
    until: date | None = None
    """The day the name stopped being used, when the source dates it (changes of name)."""


Record = tuple[str, str, str, str, tuple[str, ...], "CommuneKind", int, int]
"""What :meth:`Referential.record` returns."""


class FixedWidth:
    """Strings of one width stored back to back in one text (INSEE codes)."""

    __slots__ = ("_text", "_width")

    def __init__(self, text: str, width: int) -> None:
        self._text = text
        self._width = width

    def __len__(self) -> int:
        return len(self._text) // self._width

    def __getitem__(self, row: int) -> str:
        start = row * self._width
        return self._text[start : start + self._width]


class BackToBack:
    """Strings stored back to back in one text, found by their offsets (names)."""

    __slots__ = ("_offsets", "_text")

    def __init__(self, text: str, offsets: array[int]) -> None:
        self._text = text
        self._offsets = offsets

    def __len__(self) -> int:
        return len(self._offsets) - 1

    def __getitem__(self, row: int) -> str:
        offsets = self._offsets
        return self._text[offsets[row] : offsets[row + 1]]


class Names(BackToBack):
    """ANTS names: the one-pass guess from the COG names, but for the rows it gets wrong."""

    __slots__ = ("_fixed",)

    def __init__(self, text: str, offsets: array[int], fixed: dict[int, str]) -> None:
        super().__init__(text, offsets)
        self._fixed = fixed

    def __getitem__(self, row: int) -> str:
        fixed = self._fixed.get(row)
        if fixed is not None:
            return fixed
        offsets = self._offsets
        return self._text[offsets[row] : offsets[row + 1]]


# ANTS names from the UTF-8 bytes of the COG names, in one pass: lead bytes of the accented
# letters dropped, their second byte (U+00C0-U+00FF) mapped to the plain upper-case letter,
# lower case raised, spaces to hyphens. Each character becomes one byte, so the COG names'
# offsets hold; the build script stores the names this gets wrong (Œ, parentheses, ``ST``).
_LATIN1_PLAIN = b"AAAAAAACEEEEIIIIDNOOOOOXOUUUUYTSAAAAAAACEEEEIIIIDNOOOOOXOUUUUYTY"
_ANTS_BYTES = bytes.maketrans(
    bytes(range(0x80, 0xC0)) + b" abcdefghijklmnopqrstuvwxyz",
    _LATIN1_PLAIN + b"-ABCDEFGHIJKLMNOPQRSTUVWXYZ",
)
_ANTS_DROP = b"\xc3\xc5"


def ants_names_guess(cog_names: bytes) -> str:
    """The ANTS form of COG names stored back to back (UTF-8), one character per character:
    right for all but a few names (see :class:`Names`)."""
    return cog_names.translate(_ANTS_BYTES, _ANTS_DROP).decode("latin-1")


_SIZES = {"H": 2, "i": 4, "I": 4}


def _integers(section: memoryview, typecode: str) -> array[int]:
    """A section of little-endian integers (``H``: 2 bytes, ``i`` / ``I``: 4 bytes)."""
    values = array(typecode)
    if values.itemsize != _SIZES[typecode]:  # pragma: no cover - true on supported platforms
        raise ValueError(f"array({typecode!r}) items are not {_SIZES[typecode]} bytes")
    values.frombytes(section)
    if sys.byteorder == "big":  # pragma: no cover - the file is little-endian
        values.byteswap()
    return values


class Referential:
    """Communes, departments and countries, with their lookup indexes.

    Nothing is split into one object per commune: the per-row values are sliced out of a
    few texts and binary arrays when a query reads them, and the indexes are computed by the
    build script and stored as text. Those no lookup needs right away (typo and prefix
    index, postal codes, countries) are decoded on first use, under a lock;
    :meth:`build_indexes` decodes them all at once.
    """

    def __init__(self, payload: dict[str, Any]) -> None:
        # Sections not decoded yet (each is taken once, then released).
        self._sections: dict[str, memoryview] = dict(payload["communes"])
        self.sources: dict[str, str] = dict(payload["sources"])
        self.kind_codes: str = self._text("kind")
        self.size: int = len(self.kind_codes)
        self._code_text = self._text("insee_code")
        self.codes: FixedWidth = FixedWidth(self._code_text, 5)
        cog_names = bytes(self._sections.pop("name"))
        self._name_offsets = offsets = self._ints("name_offsets", "I")
        self._display_text = str(cog_names, "utf-8")
        self.display_names: BackToBack = BackToBack(self._display_text, offsets)
        self._guess = ants_names_guess(cog_names)
        if len(self._guess) != offsets[-1]:
            raise ValueError("corrupt geo data file: names")
        fixed_rows = self._ints("ants_name_fixed_rows", "I")
        self._fixed_names = dict(zip(fixed_rows, self._lines("ants_name_fixed"), strict=True))
        self.names: Names = Names(self._guess, offsets, self._fixed_names)
        self.departments_of: list[str] = list(
            map(self._lines("department_table").__getitem__, self._sections.pop("department"))
        )
        # Parent rows, of the few rows that have one (former communes, arrondissements).
        self._parents: dict[int, int] = dict(
            zip(self._ints("parent_of", "I"), self._ints("parent_row", "I"), strict=True)
        )
        self._postal = BackToBack(
            self._text("postal_codes"), self._ints("postal_codes_offsets", "I")
        )
        self.populations: array[int] = self._ints("population", "I")
        # Exact index: for each key of :attr:`sorted_keys`, its hit (row << 2 | how) if it
        # has one, else ``-1 - n`` for the hits ``n`` of ``_multi_hits`` (between offsets).
        self._key_hits = self._ints("key_hits", "i")
        self._multi_hits = self._ints("multi_hits", "I")
        self._multi_offsets = self._ints("multi_offsets", "I")

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
        arrondissements: dict[str, int] = {}
        position = self.kind_codes.find("R")
        while position >= 0:
            arrondissements[self.codes[position]] = position
            position = self.kind_codes.find("R", position + 1)
        self.arrondissements = arrondissements

        self._lock = threading.Lock()
        self._aliases: list[str] | None = None
        self._current_by_code: dict[str, int] | None = None
        self._by_postal: dict[str, int] | None = None
        self._postal_offsets: array[int] | None = None
        self._postal_index_rows: array[int] | None = None
        self._sorted_keys: list[str] | None = None
        self._fuzzy: FuzzyIndex | None = None
        self._country_keys: dict[str, str] | None = None
        self._sorted_country_keys: list[str] | None = None
        self._country_fuzzy: FuzzyIndex | None = None
        self._history: dict[str, tuple[FormerName, ...]] | None = None

    def _text(self, name: str) -> str:
        """Decode a stored section (once: it is released; lazy ones under the lock)."""
        return str(self._sections.pop(name), "utf-8")

    def _lines(self, name: str) -> list[str]:
        """A stored text section, split into its lines."""
        return self._text(name).split("\n")

    def _ints(self, name: str, typecode: str) -> array[int]:
        """A stored section of 4-byte integers."""
        return _integers(self._sections.pop(name), typecode)

    # -- exact index ------------------------------------------------------------------------

    def hits(self, key: str) -> tuple[int, ...]:
        """Rows whose name or alias has this compact key, as ``row << 2 | how``."""
        # A bisection, not a dictionary: building a dictionary of every key would cost more
        # at first use than all the lookups of a long session.
        keys = self._sorted_keys
        if keys is None:
            keys = self.sorted_keys
        position = bisect_left(keys, key)
        if position < len(keys) and keys[position] == key:
            return self.hits_at(position)
        return ()

    def hits_at(self, position: int) -> tuple[int, ...]:
        """The hits of the key at ``position`` in :attr:`sorted_keys`."""
        hit = self._key_hits[position]
        if hit >= 0:
            return (hit,)
        offsets = self._multi_offsets
        return tuple(self._multi_hits[offsets[-1 - hit] : offsets[-hit]])

    def all_keys(self) -> set[str]:
        """Every compact key of the exact index."""
        return set(self.sorted_keys)

    # -- per-row accessors ----------------------------------------------------------------

    def record(self, row: int) -> Record:
        """Every value of the row at once, in one call (a match result reads them all): code,
        ANTS name, COG name, department, postal codes, kind, parent row, population."""
        # The accessors' slicing, inlined: this is on the path of every match result.
        offsets = self._name_offsets
        begin, end = offsets[row], offsets[row + 1]
        name = self._fixed_names.get(row)
        if name is None:
            name = self._guess[begin:end]
        return (
            self._code_text[5 * row : 5 * row + 5],
            name,
            self._display_text[begin:end],
            self.departments_of[row],
            self.postal_codes(row),
            _KINDS[self.kind_codes[row]],
            self._parents.get(row, -1),
            self.populations[row],
        )

    def kind(self, row: int) -> CommuneKind:
        """Kind of the commune on ``row``."""
        return _KINDS[self.kind_codes[row]]

    def parent(self, row: int) -> int:
        """Row of the current commune a delegated/associated commune or an arrondissement
        belongs to, or -1."""
        return self._parents.get(row, -1)

    def postal_codes(self, row: int) -> tuple[str, ...]:
        """Postal codes of the row; a former commune without its own uses its parent's."""
        own = self._postal[row]
        if own:
            return tuple(own.split())
        parent = self._parents.get(row, -1)
        if parent >= 0:
            return tuple(self._postal[parent].split())
        return ()

    def serves(self, row: int, postal_code: str) -> bool:
        """Whether ``postal_code`` is one of :meth:`postal_codes` of the row (no tuple made)."""
        if len(postal_code) != 5 or not postal_code.isdigit():
            return postal_code in self.postal_codes(row)
        own = self._postal[row]
        if not own:
            parent = self._parents.get(row, -1)
            if parent < 0:
                return False
            own = self._postal[parent]
        # Codes are five digits separated by spaces: a match cannot straddle two codes.
        return postal_code in own

    def population(self, row: int) -> int:
        """Legal population of the row (0 for former communes)."""
        return self.populations[row]

    def aliases(self, row: int) -> tuple[str, ...]:
        """La Poste routing labels of the row that differ from its name (no lookup reads
        them: their keys are in the exact index)."""
        if self._aliases is None:
            with self._lock:
                if self._aliases is None:
                    self._aliases = self._lines("aliases")
        joined = self._aliases[row]
        return tuple(joined.split("|")) if joined else ()

    @property
    def current_by_code(self) -> dict[str, int]:
        """INSEE code -> row of the current commune (or arrondissement) with that code.

        Not used by the lookups (not built by :meth:`build_indexes`)."""
        if self._current_by_code is None:
            index: dict[str, int] = {}
            for row in range(self.size - 1, -1, -1):
                # Rows are sorted by code then kind (current first): the first row wins.
                index[self.codes[row]] = row
            self._current_by_code = index
        return self._current_by_code

    def postal_rows(self, postal_code: str) -> tuple[int, ...]:
        """Rows of the current communes a postal code serves."""
        if self._by_postal is None:
            with self._lock:
                if self._by_postal is None:
                    codes = self._lines("postal_index_codes")
                    self._postal_index_rows = self._ints("postal_index_rows", "H")
                    self._postal_offsets = self._ints("postal_index_offsets", "I")
                    self._by_postal = dict(zip(codes, range(len(codes)), strict=True))
        number = self._by_postal.get(postal_code)
        if number is None:
            return ()
        assert self._postal_offsets is not None
        assert self._postal_index_rows is not None
        start, end = self._postal_offsets[number], self._postal_offsets[number + 1]
        return tuple(self._postal_index_rows[start:end])

    # -- lazily decoded indexes -----------------------------------------------------------

    @property
    def sorted_keys(self) -> list[str]:
        """All commune keys, sorted: the exact index (bisection; hits by position) and prefix
        lookups (autocomplete / truncation)."""
        if self._sorted_keys is None:
            with self._lock:
                if self._sorted_keys is None:
                    self._sorted_keys = self._fuzzy_index().keys()
        return self._sorted_keys

    @property
    def fuzzy(self) -> FuzzyIndex:
        """Typo index over the commune keys."""
        if self._fuzzy is None:
            with self._lock:
                return self._fuzzy_index()
        return self._fuzzy

    def _fuzzy_index(self) -> FuzzyIndex:
        """The typo index, decoded if need be (call under the lock)."""
        if self._fuzzy is None:
            self._fuzzy = FuzzyIndex.from_text(self._text("fuzzy"))
        return self._fuzzy

    @property
    def country_keys(self) -> dict[str, str]:
        """Compact country key → INSEE code; main labels win over aliases."""
        if self._country_keys is None:
            with self._lock:
                if self._country_keys is None:
                    keys = self._lines("country_keys")
                    codes = self._lines("country_key_codes")
                    self._sorted_country_keys = keys
                    self._country_keys = dict(zip(keys, codes, strict=True))
        return self._country_keys

    @property
    def sorted_country_keys(self) -> list[str]:
        """The compact country keys, sorted, for prefix lookups."""
        _ = self.country_keys
        assert self._sorted_country_keys is not None
        return self._sorted_country_keys

    @property
    def country_fuzzy(self) -> FuzzyIndex:
        """Typo index over the country keys."""
        if self._country_fuzzy is None:
            with self._lock:
                if self._country_fuzzy is None:
                    self._country_fuzzy = FuzzyIndex.from_text(self._text("country_fuzzy"))
        return self._country_fuzzy

    def history(self, key: str) -> tuple[FormerName, ...]:
        """Former names and former communes with this compact key (since 1943), each with
        the row of the commune it is part of today."""
        if self._history is None:
            with self._lock:
                if self._history is None:
                    index: dict[str, list[FormerName]] = {}
                    for line in self._lines("history"):
                        if line:
                            former, name, department, row, event, *until = line.split("\t")
                            day = date.fromisoformat(until[0]) if until else None
                            index.setdefault(former, []).append(
                                FormerName(name, department, int(row), event, day)
                            )
                    self._history = {k: tuple(v) for k, v in index.items()}
        return self._history.get(key, ())

    def build_indexes(self) -> None:
        """Decode every index a lookup can use now (e.g. at application start-up)."""
        _ = self.sorted_keys, self.fuzzy, self.country_keys, self.country_fuzzy
        _ = self.postal_rows(""), self.history("")


def country_key(text: str) -> str:
    """Compact key of a country name: letters and digits of the upper-case plain form."""
    return "".join(c for c in normalise_country(text) if c.isalnum())


def country_index(countries: Iterable[Country]) -> dict[str, str]:
    """Compact country key -> INSEE code: main labels first (current countries, then
    historic ones, by code), then aliases (used by the build script)."""
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


def _read_data() -> bytes:
    """The data file's bytes (read directly when the package is on disk)."""
    path = Path(__file__).with_name("data") / _DATA_FILE
    try:
        return path.read_bytes()
    except OSError:  # pragma: no cover - e.g. a zipped distribution
        return resources.files(_DATA_PACKAGE).joinpath(_DATA_FILE).read_bytes()


def load_payload() -> dict[str, Any]:
    """Read the data file shipped in the package and locate its sections.

    The file is a gzip of a JSON header line (ASCII) and UTF-8 text sections (see
    ``scripts/build_geo_data.py``); ``payload["communes"]`` maps each section's name to a
    view of its bytes, decoded when first used.
    """
    # A gzip file (CRC checked); ``zlib`` directly is faster than :func:`gzip.decompress`.
    data = zlib.decompress(_read_data(), wbits=31)
    end = data.index(b"\n")
    payload: dict[str, Any] = json.loads(data[:end])
    if payload.get("format") != _FORMAT:
        raise ValueError(f"unsupported geo data format {payload.get('format')!r}")
    view = memoryview(data)
    sections: dict[str, memoryview] = {}
    offset = end + 1
    for name, size in payload["sections"]:
        sections[name] = view[offset : offset + size]
        offset += size
    if offset != len(data):
        raise ValueError("truncated or corrupt geo data file")
    payload["communes"] = sections
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
