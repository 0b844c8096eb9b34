"""Typo-tolerant lookup of compact keys (fautes de frappe), standard library only.

A pigeonhole index. Every key of length ``L`` is indexed by its first half, its second half
and the two quarters of its second half. A query one edit away from a key (a wrong, missing,
doubled or extra letter) keeps one half intact: the first half at the start of the query or
the second half at its end. When the first half is shared by many keys (``SAINT…``,
``LA-…``), the edit is in the second half, so one of its quarters is intact too and the
smaller quarter buckets are scanned instead. A transposition across a cut is found by also
looking up the query with the two letters around the cut swapped back. Candidates are
verified with a bounded optimal string alignment distance (Damerau–Levenshtein with adjacent
transpositions). Two edits are looked for only when one finds nothing, in the same way.

Building costs four dictionary entries per key; a query, a dozen dictionary lookups and the
verification of a few dozen candidates at most.
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["FuzzyIndex", "osa_distance"]

_MIN_LENGTH = 4
_TWO_EDITS_MIN_LENGTH = 7


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


_BIG_BUCKET = 24


class FuzzyIndex:
    """Find the keys within edit distance 1 or 2 of a query."""

    def __init__(self, keys: Iterable[str]) -> None:
        index: dict[str, list[str]] = {}
        get = index.get
        for key in keys:
            length = len(key)
            if length < _MIN_LENGTH:
                continue
            half = length >> 1
            tag = chr(length)
            for entry in ("a" + tag + key[:half], "b" + tag + key[half:]):
                bucket = get(entry)
                if bucket is None:
                    index[entry] = [key]
                else:
                    bucket.append(key)
        # Crowded halves: index the quarters of the other half of their keys.
        crowded = [(e[0], b) for e, b in index.items() if len(b) > _BIG_BUCKET]
        for side, bucket in crowded:
            for key in bucket:
                length = len(key)
                half = length >> 1
                tag = chr(length)
                if side == "a":
                    cut = (3 * length) >> 2
                    entries = ("c" + tag + key[half:cut], "d" + tag + key[cut:])
                else:
                    cut = length >> 2
                    entries = ("e" + tag + key[:cut], "f" + tag + key[cut:half])
                for entry in entries:
                    small = get(entry)
                    if small is None:
                        index[entry] = [key]
                    else:
                        small.append(key)
        self._index = index

    def _scan(self, query: str, length: int, out: set[str]) -> None:
        """Keys of ``length`` sharing an anchored half with ``query`` — or, when that half is
        crowded, the half and an anchored quarter of the other half."""
        size = len(query)
        half = length >> 1
        if length - half > size or half > size:
            return
        tag = chr(length)
        get = self._index.get
        head = query[:half]
        bucket = get("a" + tag + head)
        if bucket is not None:
            if len(bucket) <= _BIG_BUCKET:
                out.update(bucket)
            else:
                # The edit is in the second half: one of its quarters is intact.
                cut = (3 * length) >> 2
                for entry in (
                    "c" + tag + query[half : half + cut - half],
                    "d" + tag + query[size - (length - cut) :],
                ):
                    small = get(entry)
                    if small is not None:
                        out.update(key for key in small if key.startswith(head))
        tail = query[size - (length - half) :]
        bucket = get("b" + tag + tail)
        if bucket is not None:
            if len(bucket) <= _BIG_BUCKET:
                out.update(bucket)
            else:
                # The edit is in the first half: one of its quarters is intact.
                cut = length >> 2
                for entry in (
                    "e" + tag + query[:cut],
                    "f" + tag + query[size - (length - cut) : size - (length - half)],
                ):
                    small = get(entry)
                    if small is not None:
                        out.update(key for key in small if key.endswith(tail))

    def search(self, query: str, max_distance: int = 2) -> list[tuple[str, int]]:
        """Keys within ``max_distance`` of ``query``, closest first (ties: key order)."""
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
        limit = max_distance if size >= _TWO_EDITS_MIN_LENGTH else min(max_distance, 1)
        if not found and limit >= 2:
            wider: set[str] = set()
            for length in range(size - 2, size + 3):
                self._scan(query, length, wider)
            for key in wider | candidates:
                distance = osa_distance(query, key, limit)
                if distance <= limit:
                    found.append((key, distance))
        found.sort(key=lambda item: (item[1], item[0]))
        return found
