"""Typo-tolerant lookup of compact keys (fautes de frappe), standard library only.

A pigeonhole index. A key of length ``L`` is split into a first and a second half; a query one
edit away from a key (a wrong, missing, doubled or extra letter) keeps one half intact: the
first half at the start of the query or the second half at its end. When a first half is
shared by many keys (``SAINT…``, ``LA-…``), the edit is in the second half, so one of its
quarters is intact too and only the keys sharing that quarter are looked at (and likewise
for a crowded second half). A transposition across a cut is found by also looking up the
query with the two letters around the cut swapped back. Candidates are verified with a
bounded optimal string alignment distance (Damerau–Levenshtein with adjacent
transpositions). Two edits are looked for only when one finds nothing, in the same way.

Every lookup is a prefix range of a sorted list, found with :mod:`bisect`. Per key length
there are four lists: the keys (a first half, or a first half and the next quarter, is a
prefix); the keys reversed (a second half, or the last three quarters, is a prefix); for the
keys of a crowded first half, ``first half + last quarter`` then the key; for the keys of a
crowded second half, ``first quarter + second half`` then the key. Merged, the first lists
are every key in order (:meth:`FuzzyIndex.keys`, for prefix lookups). The lists are plain
strings, so they are computed once by the build script and stored in the data file:
loading the index is a few ``str.split`` calls (:meth:`FuzzyIndex.from_text`), and a query
costs a dozen bisections and the verification of a few dozen candidates at most.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable
from itertools import chain

__all__ = ["FuzzyIndex", "osa_distance"]

_MIN_LENGTH = 4
_TWO_EDITS_MIN_LENGTH = 7
_WIDE_TWO_EDITS_MIN_LENGTH = 5
_BIG_BUCKET = 24
_ANCHOR_CAP = 16

# Separators of the text form: lists of one table, tables, key after its lookup tag.
_LIST_SEPARATOR = "\x1e"
_TABLE_SEPARATOR = "\x1f"
_TAG_END = "\t"
_RESERVED = ("\n", _LIST_SEPARATOR, _TABLE_SEPARATOR, _TAG_END)


def _strip_common(a: str, b: str) -> tuple[str, str]:
    """``a`` and ``b`` without their common start and end."""
    size = min(len(a), len(b))
    start = 0
    while start < size and a[start] == b[start]:
        start += 1
    a, b = a[start:], b[start:]
    size -= start
    end = 0
    while end < size and a[-1 - end] == b[-1 - end]:
        end += 1
    return (a[:-end], b[:-end]) if end else (a, b)


def _one_edit(a: str, b: str) -> bool:
    """Whether two strings without common start or end are one edit apart (or equal)."""
    la, lb = len(a), len(b)
    if la + lb <= 1 or la == lb == 1:
        return True
    return la == lb == 2 and a[0] == b[1] and a[1] == b[0]


def _within_two(a: str, b: str, limit: int) -> int:
    """:func:`osa_distance` for a limit of 1 or 2, by cases rather than a table: once the
    common start and end are set aside, the first letter left is part of an edit."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    a, b = _strip_common(a, b)
    if _one_edit(a, b):
        return 1
    if limit < 2:
        return 2
    options = []
    if a and b:
        options.append((a[1:], b[1:]))
    if a:
        options.append((a[1:], b))
    if b:
        options.append((a, b[1:]))
    if len(a) >= 2 and len(b) >= 2 and a[0] == b[1] and a[1] == b[0]:
        options.append((a[2:], b[2:]))
    for left, right in options:
        if _one_edit(*_strip_common(left, right)):
            return 2
    return 3


def osa_distance(a: str, b: str, limit: int) -> int:
    """Optimal string alignment distance of ``a`` and ``b``, or ``limit + 1`` if larger."""
    if a == b:
        return 0
    if 0 < limit <= 2:
        return _within_two(a, b, limit)
    la, lb = len(a), len(b)
    if abs(la - lb) > limit:
        return limit + 1
    shortest = min(la, lb)
    start = 0
    while start < shortest and a[start] == b[start]:
        start += 1
    end = 0
    while end < shortest - start and a[la - 1 - end] == b[lb - 1 - end]:
        end += 1
    a = a[start : la - end]
    b = b[start : lb - end]
    la, lb = len(a), len(b)
    if la == 0 or lb == 0:
        return max(la, lb) if max(la, lb) <= limit else limit + 1
    # Only the band |i - j| <= limit can hold a distance within the limit: cells are kept
    # at min(distance, limit + 1), and those outside the band are limit + 1.
    big = limit + 1
    previous2: list[int] = []
    previous = [j if j < big else big for j in range(lb + 1)]
    for i in range(1, la + 1):
        current = [big] * (lb + 1)
        if i < big:
            current[0] = i
        ai = a[i - 1]
        row_min = current[0]
        for j in range(max(1, i - limit), min(lb, i + limit) + 1):
            bj = b[j - 1]
            value = previous[j - 1] if ai == bj else previous[j - 1] + 1
            # Comparisons rather than min(): this loop is most of the time of a typo lookup.
            other = previous[j] + 1
            if other < value:  # noqa: PLR1730
                value = other
            other = current[j - 1] + 1
            if other < value:  # noqa: PLR1730
                value = other
            if i > 1 and j > 1 and ai == b[j - 2] and a[i - 2] == bj:
                other = previous2[j - 2] + 1
                if other < value:  # noqa: PLR1730
                    value = other
            if value > big:  # noqa: PLR1730
                value = big
            current[j] = value
            if value < row_min:  # noqa: PLR1730
                row_min = value
        if row_min > limit:
            return big
        previous2, previous = previous, current
    distance = previous[lb]
    return distance if distance <= limit else limit + 1


# Greater than every character: ``prefix + _TOP`` sorts after every string starting with
# ``prefix`` (of a list of strings longer than it) and before every greater string.
_TOP = "\U0010ffff"


def _all_with_prefix(keys: list[str], prefix: str) -> list[str]:
    """The keys starting with ``prefix`` in a sorted list."""
    lo = bisect_left(keys, prefix)
    return keys[lo : bisect_left(keys, prefix + _TOP, lo)]


def _tagged(entries: list[str], tag: str, out: set[str]) -> None:
    """Add the keys stored after exactly ``tag`` in a sorted list of ``tag<TAB>key``."""
    prefix = tag + _TAG_END
    start = len(prefix)
    position = bisect_left(entries, prefix)
    size = len(entries)
    while position < size:
        entry = entries[position]
        if not entry.startswith(prefix):
            break
        out.add(entry[start:])
        position += 1


def _crowded_runs(keys: list[str], width: int) -> Iterable[list[str]]:
    """Runs of more than ``_BIG_BUCKET`` sorted strings sharing their first ``width`` chars."""
    start = 0
    for position in range(1, len(keys) + 1):
        if position == len(keys) or keys[position][:width] != keys[start][:width]:
            if position - start > _BIG_BUCKET:
                yield keys[start:position]
            start = position


class FuzzyIndex:
    """Find the keys within edit distance 1 or 2 of a query."""

    def __init__(self, keys: Iterable[str]) -> None:
        by_length: dict[int, set[str]] = {}
        for key in keys:
            if key:
                by_length.setdefault(len(key), set()).add(key)
        count = max(by_length, default=0) + 1
        forward: list[list[str]] = [[] for _ in range(count)]
        backward: list[list[str]] = [[] for _ in range(count)]
        heads: list[list[str]] = [[] for _ in range(count)]
        tails: list[list[str]] = [[] for _ in range(count)]
        for length, group in by_length.items():
            half = length >> 1
            cut = (3 * length) >> 2
            forward[length] = sorted(group)
            if length < _MIN_LENGTH:
                continue  # kept for :meth:`keys`, never a typo candidate
            backward[length] = sorted(key[::-1] for key in group)
            heads[length] = sorted(
                key[:half] + key[cut:] + _TAG_END + key
                for run in _crowded_runs(forward[length], half)
                for key in run
            )
            cut = length >> 2
            tails[length] = sorted(
                key[:cut] + key[half:] + _TAG_END + key
                for run in _crowded_runs(backward[length], length - half)
                for key in (reversed_key[::-1] for reversed_key in run)
            )
        self._forward, self._backward, self._heads, self._tails = forward, backward, heads, tails

    @classmethod
    def from_text(cls, text: str) -> FuzzyIndex:
        """The index stored by :meth:`to_text` (a few ``str.split`` calls)."""
        index = cls.__new__(cls)
        forward, backward, heads, tails = (
            [part.split("\n") if part else [] for part in table.split(_LIST_SEPARATOR)]
            for table in text.split(_TABLE_SEPARATOR)
        )
        index._forward, index._backward, index._heads, index._tails = (
            forward,
            backward,
            heads,
            tails,
        )
        return index

    def to_text(self) -> str:
        """The index as text, for the data file (deterministic)."""
        tables = [
            _LIST_SEPARATOR.join("\n".join(entries) for entries in table)
            for table in (self._forward, self._backward, self._heads, self._tails)
        ]
        keys = (key for group in self._forward for key in group)
        if any(mark in key for key in keys for mark in _RESERVED):
            raise ValueError("a key holds a separator of the text form")
        return _TABLE_SEPARATOR.join(tables)

    def keys(self) -> list[str]:
        """Every key, sorted (a merge of the sorted lists of each length)."""
        return sorted(chain.from_iterable(self._forward))

    def _scan(self, query: str, length: int, out: set[str]) -> None:
        """Keys of ``length`` sharing an anchored half with ``query`` — or, when that half is
        crowded, the half and an anchored quarter of the other half."""
        size = len(query)
        half = length >> 1
        forward = self._forward
        if length - half > size or half > size or not _MIN_LENGTH <= length < len(forward):
            return
        keys = forward[length]
        head = query[:half]
        lo = bisect_left(keys, head)
        # Counted up to one more than a small bucket only: more is crowded, however many.
        hi = bisect_left(keys, head + _TOP, lo, min(lo + _BIG_BUCKET + 1, len(keys)))
        if hi - lo > _BIG_BUCKET:
            # The edit is in the second half: one of its quarters is intact.
            cut = (3 * length) >> 2
            if size >= cut:
                out.update(_all_with_prefix(keys, query[:cut]))
            last = size - (length - cut)
            if last >= 0:
                _tagged(self._heads[length], head + query[last:], out)
        elif hi > lo:
            out.update(keys[lo:hi])
        keys = self._backward[length]
        tail = query[size - (length - half) :]
        reversed_tail = tail[::-1]
        lo = bisect_left(keys, reversed_tail)
        hi = bisect_left(keys, reversed_tail + _TOP, lo, min(lo + _BIG_BUCKET + 1, len(keys)))
        if hi - lo > _BIG_BUCKET:
            # The edit is in the first half: one of its quarters is intact.
            cut = length >> 2
            _tagged(self._tails[length], query[:cut] + tail, out)
            first = size - (length - cut)
            if first >= 0:
                out.update([key[::-1] for key in _all_with_prefix(keys, query[first:][::-1])])
        elif hi > lo:
            out.update([key[::-1] for key in keys[lo:hi]])

    def search_anchored(
        self, query: str, max_distance: int = 2, cap: int = _ANCHOR_CAP
    ) -> list[tuple[str, int]]:
        """Keys within ``max_distance`` of ``query`` that share with it an intact start or
        end: the last resort when the mistakes break both halves (two letters left out, far
        apart). Per key length, the keys that start like the query (the shortest start
        that ``cap`` keys at most share), and those that end like it."""
        size = len(query)
        if size < _WIDE_TWO_EDITS_MIN_LENGTH:
            return []
        candidates: set[str] = set()
        reversed_query = query[::-1]
        for length in range(size - max_distance, size + max_distance + 1):
            if not _MIN_LENGTH <= length < len(self._forward):
                continue
            for keys, text, flip in (
                (self._forward[length], query, False),
                (self._backward[length], reversed_query, True),
            ):
                for width in range(2, min(size, length) // 2 + 1):
                    start = text[:width]
                    lo = bisect_left(keys, start)
                    hi = bisect_left(keys, start + _TOP, lo, min(lo + cap + 1, len(keys)))
                    if hi - lo <= cap:
                        found = keys[lo:hi]
                        candidates.update([key[::-1] for key in found] if flip else found)
                        break
        result = []
        for key in candidates:
            distance = osa_distance(query, key, max_distance)
            if distance <= max_distance:
                result.append((key, distance))
        result.sort(key=lambda item: (item[1], item[0]))
        return result

    def search(
        self, query: str, max_distance: int = 2, *, wide: bool = False
    ) -> list[tuple[str, int]]:
        """Keys within ``max_distance`` of ``query``, closest first (ties: key order).

        Two edits are looked for when one finds nothing, in keys of 7 letters or more;
        ``wide`` looks for them in any case, in keys of 5 letters or more."""
        size = len(query)
        if size < _MIN_LENGTH:
            return []
        candidates: set[str] = set()
        for length in (size - 1, size, size + 1):
            self._scan(query, length, candidates)
        for cut in (size >> 2, size >> 1, (3 * size) >> 2):
            if 0 < cut < size and query[cut - 1] != query[cut]:
                # A transposition across a cut breaks both sides: look the repaired text up.
                swapped = query[: cut - 1] + query[cut] + query[cut - 1] + query[cut + 1 :]
                self._scan(swapped, size, candidates)
        found: list[tuple[str, int]] = []
        for key in candidates:
            distance = osa_distance(query, key, 1)
            if distance <= 1:
                found.append((key, distance))
        two_from = _WIDE_TWO_EDITS_MIN_LENGTH if wide else _TWO_EDITS_MIN_LENGTH
        limit = max_distance if size >= two_from else min(max_distance, 1)
        if (wide or not found) and limit >= 2:
            found = self._two_edits(query, candidates, limit)
        found.sort(key=lambda item: (item[1], item[0]))
        return found

    def _two_edits(self, query: str, candidates: set[str], limit: int) -> list[tuple[str, int]]:
        """Keys within ``limit`` edits, looked for in tiers of growing cost, stopping at the
        first that finds a key two edits away: both edits in one half of the key; an intact
        start or end (:meth:`search_anchored`); one edit repaired (a letter taken out, two
        swapped back) and one more looked for."""
        size = len(query)
        seen: set[str] = set()
        found: list[tuple[str, int]] = []

        def verify(keys: set[str]) -> bool:
            new = False
            for key in keys - seen:
                distance = osa_distance(query, key, limit)
                if distance <= limit:
                    found.append((key, distance))
                    new = new or distance > 1
            seen.update(keys)
            return new

        wider: set[str] = set(candidates)
        for length in range(size - 2, size + 3):
            self._scan(query, length, wider)
        if verify(wider):
            return found
        if verify({key for key, _ in self.search_anchored(query, limit)}):
            return found
        # Two edits in different halves break both: repair one and look for one edit more.
        repaired = {query[:i] + query[i + 1 :] for i in range(1, size)}
        repaired.update(
            query[: i - 1] + query[i] + query[i - 1] + query[i + 1 :]
            for i in range(2, size)
            if query[i - 1] != query[i]
        )
        wider = set()
        for variant in repaired:
            for length in (len(variant) - 1, len(variant), len(variant) + 1):
                self._scan(variant, length, wider)
        verify(wider)
        return found


# -- the cost of a typing mistake ------------------------------------------------------------

_AZERTY = ("AZERTYUIOP", "QSDFGHJKLM", "WXCVBN")


def _keyboard_neighbours() -> frozenset[tuple[str, str]]:
    """Pairs of letters next to each other on a French (AZERTY) keyboard."""
    place = {
        char: (row, column) for row, keys in enumerate(_AZERTY) for column, char in enumerate(keys)
    }
    return frozenset(
        (a, b)
        for a, (ra, ca) in place.items()
        for b, (rb, cb) in place.items()
        if a != b and abs(ra - rb) <= 1 and abs(ca - cb) <= 1
    )


_NEIGHBOURS = _keyboard_neighbours()
_VOWELS = frozenset("AEIOUY")
# Letters that sound alike in French names: one written for the other is a likely mistake.
_SOUNDS = frozenset(
    (a, b)
    for group in ("CKQ", "SZC", "IY", "MN", "GJ", "EA", "OU", "TD", "PB", "FV")
    for a in group
    for b in group
    if a != b
)

#: Costs of one mistake, by kind: likely mistakes cost less than a full edit.
COST_DOUBLED = 0.45
"""A letter typed twice, or a double letter typed once."""
COST_TRANSPOSED = 0.55
"""Two neighbouring letters swapped."""
COST_NEIGHBOUR = 0.65
"""A key next to the right one (AZERTY)."""
COST_SOUND = 0.7
"""A letter that sounds alike."""
COST_DROPPED = 0.75
"""A letter left out."""
COST_EXTRA = 0.85
"""A letter too many."""
COST_OTHER = 1.0
"""Any other wrong letter."""


def _substitution(a: str, b: str) -> float:
    if (a, b) in _NEIGHBOURS:
        return COST_NEIGHBOUR
    if (a, b) in _SOUNDS:
        return COST_SOUND
    if a in _VOWELS and b in _VOWELS:
        return 0.8
    return COST_OTHER


def typo_cost(typed: str, name: str) -> float:
    """Weighted edit cost of ``typed`` against ``name`` (both compact keys).

    Optimal string alignment (adjacent transpositions) where a mistake costs by its kind:
    see the ``COST_*`` values. Only the part between the common prefix and suffix is aligned
    (keys a few edits apart: a few cells)."""
    if typed == name:
        return 0.0
    shortest = min(len(typed), len(name))
    start = 0
    while start < shortest and typed[start] == name[start]:
        start += 1
    end = 0
    while end < shortest - start and typed[-1 - end] == name[-1 - end]:
        end += 1
    # One letter of context each side: a doubled or dropped letter is judged against it.
    lo = max(0, start - 1)
    a = typed[lo : len(typed) - end]
    b = name[lo : len(name) - end]
    offset = start - lo
    la, lb = len(a), len(b)
    inf = float("inf")
    rows = [[inf] * (lb + 1) for _ in range(la + 1)]
    rows[offset][offset] = 0.0
    for i in range(offset, la + 1):
        row = rows[i]
        for j in range(offset, lb + 1):
            if i == offset and j == offset:
                continue
            best = inf
            if i > offset:
                extra = a[i - 1]
                cost = (
                    COST_DOUBLED
                    if extra
                    in (a[i - 2] if i > 1 else "", b[j - 1] if j else "", b[j] if j < lb else "")
                    else COST_EXTRA
                )
                best = rows[i - 1][j] + cost
            if j > offset:
                missing = b[j - 1]
                cost = (
                    COST_DOUBLED
                    if missing in (b[j - 2] if j > 1 else "", b[j] if j < lb else "")
                    else COST_DROPPED
                )
                best = min(best, row[j - 1] + cost)
            if i > offset and j > offset:
                ai, bj = a[i - 1], b[j - 1]
                best = min(best, rows[i - 1][j - 1] + (0.0 if ai == bj else _substitution(ai, bj)))
                if i > offset + 1 and j > offset + 1 and ai == b[j - 2] and a[i - 2] == bj:
                    best = min(best, rows[i - 2][j - 2] + COST_TRANSPOSED)
            row[j] = best
    return rows[la][lb]
