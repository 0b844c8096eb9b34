"""Typo-tolerant lookup of compact keys (fautes de frappe), standard library only.

A pigeonhole index: every key of length ``L`` is cut into four parts and indexed by
``(L, part number, part)``. A query one edit away from a key (a wrong, missing, doubled or
extra letter) leaves at least three parts intact — the inner ones shifted by at most one
position — and two edits leave at least two. A candidate found in the smallest buckets is
checked part by part with string slices, then verified with a bounded optimal string
alignment distance (Damerau–Levenshtein with adjacent transpositions). A transposition
across a cut is found by also looking up the query with the two letters around each cut
swapped back.

Building the index costs four dictionary entries per key; a query costs a few dozen
dictionary lookups and the check of the smallest buckets, never of the big ones (``SAINT…``).
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["FuzzyIndex", "osa_distance"]

_MIN_LENGTH = 4
_TWO_EDITS_MIN_LENGTH = 7
_WEAK_CANDIDATE_CAP = 600


def osa_distance(a: str, b: str, limit: int) -> int:
    """Optimal string alignment distance of ``a`` and ``b``, or ``limit + 1`` if larger."""
    if a == b:
        return 0
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
    previous2: list[int] = []
    previous = list(range(lb + 1))
    for i in range(1, la + 1):
        current = [i] + [0] * lb
        ai = a[i - 1]
        row_min = i
        for j in range(1, lb + 1):
            cost = 0 if ai == b[j - 1] else 1
            value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ai == b[j - 2] and a[i - 2] == b[j - 1]:
                value = min(value, previous2[j - 2] + 1)
            current[j] = value
            row_min = min(row_min, value)
        if row_min > limit:
            return limit + 1
        previous2, previous = previous, current
    distance = previous[lb]
    return distance if distance <= limit else limit + 1


def _cuts(length: int) -> tuple[int, int, int]:
    return length >> 2, length >> 1, (3 * length) >> 2


class FuzzyIndex:
    """Find the keys within edit distance 1 or 2 of a query."""

    def __init__(self, keys: Iterable[str]) -> None:
        index: dict[tuple[int, int, str], list[str]] = {}
        get = index.get
        for key in keys:
            length = len(key)
            if length < _MIN_LENGTH:
                continue
            c1, c2, c3 = _cuts(length)
            for entry in (
                (length, 0, key[:c1]),
                (length, 1, key[c1:c2]),
                (length, 2, key[c2:c3]),
                (length, 3, key[c3:]),
            ):
                bucket = get(entry)
                if bucket is None:
                    index[entry] = [key]
                else:
                    bucket.append(key)
        self._index = index

    def _candidates(
        self, query: str, length: int, shift: int, need: int, seen: set[str], out: list[str]
    ) -> None:
        """Keys of ``length`` sharing at least ``need`` of the four parts with ``query``."""
        size = len(query)
        c1, c2, c3 = _cuts(length)
        tail = length - c3
        if tail > size or c1 > size:
            return
        get = self._index.get
        head = query[:c1]
        end = query[size - tail :]
        inner1 = {query[c1 + s : c2 + s] for s in range(-shift, shift + 1) if c1 + s >= 0}
        inner2 = {query[c2 + s : c3 + s] for s in range(-shift, shift + 1) if c3 + s <= size}
        groups: list[list[list[str]]] = [
            [b] if (b := get((length, 0, head))) else [],
            [b for part in inner1 if (b := get((length, 1, part)))],
            [b for part in inner2 if (b := get((length, 2, part)))],
            [b] if (b := get((length, 3, end))) else [],
        ]
        sizes = sorted((sum(len(b) for b in g), n) for n, g in enumerate(groups))
        # A key sharing `need` parts is in at least one of the 5 - need smallest groups.
        for _, number in sizes[: 5 - need]:
            for bucket in groups[number]:
                for key in bucket:
                    if key in seen:
                        continue
                    seen.add(key)
                    shared = (
                        (key[:c1] == head)
                        + (key[c1:c2] in inner1)
                        + (key[c2:c3] in inner2)
                        + (key[c3:] == end)
                    )
                    if shared >= need:
                        out.append(key)

    def search(self, query: str, max_distance: int = 2) -> list[tuple[str, int]]:
        """Keys within ``max_distance`` of ``query``, closest first (ties: key order)."""
        size = len(query)
        if size < _MIN_LENGTH:
            return []
        found: list[tuple[str, int]] = []
        seen: set[str] = set()
        candidates: list[str] = []
        for length in (size - 1, size, size + 1):
            self._candidates(query, length, 1, 3, seen, candidates)
        c1, c2, c3 = _cuts(size)
        for cut in {c1, c2, c3}:
            if 0 < cut < size:
                swapped = query[: cut - 1] + query[cut] + query[cut - 1] + query[cut + 1 :]
                self._candidates(swapped, size, 1, 3, seen, candidates)
        for key in candidates:
            distance = osa_distance(query, key, 1)
            if distance <= 1:
                found.append((key, distance))
        limit = max_distance if size >= _TWO_EDITS_MIN_LENGTH else min(max_distance, 1)
        if not found and limit >= 2:
            seen.clear()
            candidates.clear()
            for length in range(size - 2, size + 3):
                self._candidates(query, length, 2, 2, seen, candidates)
            for key in candidates[:_WEAK_CANDIDATE_CAP]:
                distance = osa_distance(query, key, limit)
                if distance <= limit:
                    found.append((key, distance))
        found.sort(key=lambda item: (item[1], item[0]))
        return found
