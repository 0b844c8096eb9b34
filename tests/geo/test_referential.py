"""The data file and the referential built from it: layout, derived values, typo index."""

from __future__ import annotations

import gzip
import json
import random
import threading
import zlib

import pytest

from antsclient.geo import referential as referential_module
from antsclient.geo.fuzzy import FuzzyIndex, osa_distance
from antsclient.geo.normalise import normalise_city
from antsclient.geo.referential import Referential, compact, get_referential, load_payload


@pytest.fixture(scope="module")
def fresh() -> Referential:
    """A referential of its own (not the process-wide one), every index decoded."""
    ref = Referential(load_payload())
    ref.build_indexes()
    return ref


def test_every_section_is_used_and_released(fresh: Referential) -> None:
    ref = Referential(load_payload())
    ref.build_indexes()
    # Only the La Poste labels are left: no lookup reads them (their keys are indexed).
    assert set(ref._sections) == {"aliases"}
    assert ref.aliases(0) == fresh.aliases(0)
    assert ref._sections == {}


def test_ants_names_are_the_normalised_cog_names(fresh: Referential) -> None:
    # The one-pass guess from the COG names' bytes plus the stored exceptions.
    for row in range(fresh.size):
        assert fresh.names[row] == normalise_city(fresh.display_names[row]), row


def test_a_record_is_the_row_s_values(fresh: Referential) -> None:
    rows = [*range(0, fresh.size, 53), *fresh._fixed_names, *fresh.arrondissements.values()]
    for row in rows:
        assert fresh.record(row) == (
            fresh.codes[row],
            fresh.names[row],
            fresh.display_names[row],
            fresh.departments_of[row],
            fresh.postal_codes(row),
            fresh.kind(row),
            fresh.parent(row),
            fresh.population(row),
        )


def test_per_row_values(fresh: Referential) -> None:
    assert len(fresh.codes) == len(fresh.names) == len(fresh.display_names) == fresh.size
    row = fresh.current_by_code["69290"]
    assert (fresh.codes[row], fresh.names[row], fresh.display_names[row]) == (
        "69290",
        "SAINT-PRIEST",
        "Saint-Priest",
    )
    assert fresh.departments_of[row] == "69"
    assert "69800" in fresh.postal_codes(row)
    assert fresh.population(row) > 40_000
    assert fresh.parent(row) == -1
    arrondissement = fresh.arrondissements["75115"]
    assert fresh.names[fresh.parent(arrondissement)] == "PARIS"
    assert fresh.departments_of[fresh.current_by_code["2A004"]] == "2A"
    assert fresh.departments_of[fresh.current_by_code["97411"]] == "974"


def test_exact_index(fresh: Referential) -> None:
    keys = fresh.sorted_keys
    assert keys == sorted(set(keys))
    for position in range(0, len(keys), 97):
        assert fresh.hits(keys[position]) == fresh.hits_at(position) != ()
    for row in range(0, fresh.size, 101):
        assert row in {hit >> 2 for hit in fresh.hits(compact(fresh.names[row]))}
    homonyms = {hit >> 2 for hit in fresh.hits("SAINTPRIEST")}
    assert {fresh.codes[row] for row in homonyms} >= {"07288", "23234", "69290"}
    assert fresh.hits("") == fresh.hits("ZZZZZZZZ") == ()


def test_postal_index(fresh: Referential) -> None:
    rows = fresh.postal_rows("69800")
    assert "69290" in {fresh.codes[row] for row in rows}
    for row in rows:
        assert fresh.kind_codes[row] == "C"
        assert "69800" in fresh.postal_codes(row)
    assert fresh.postal_rows("00000") == fresh.postal_rows("") == ()


def test_country_indexes(fresh: Referential) -> None:
    assert fresh.country_keys["ALLEMAGNE"] == "99109"
    assert fresh.sorted_country_keys == sorted(fresh.country_keys)
    assert fresh.country_fuzzy.search("ALLEMANGE")[0] == ("ALLEMAGNE", 1)


def test_lazy_indexes_are_built_once_across_threads() -> None:
    ref = Referential(load_payload())
    seen: list[object] = []
    barrier = threading.Barrier(6)

    def use() -> None:
        barrier.wait()
        seen.extend((ref.fuzzy, ref.sorted_keys, ref.country_fuzzy, ref.country_keys))
        ref.postal_rows("69800")

    threads = [threading.Thread(target=use) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len({id(value) for value in seen}) == 4


def _file_with_header(change: dict[str, object]) -> bytes:
    data = zlib.decompress(referential_module._read_data(), wbits=31)
    end = data.index(b"\n")
    header = json.loads(data[:end])
    header.update(change)
    return gzip.compress(json.dumps(header).encode("ascii") + data[end:], mtime=0)


def test_a_wrong_or_damaged_file_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    wrong = _file_with_header({"format": 5})
    monkeypatch.setattr(referential_module, "_read_data", lambda: wrong)
    with pytest.raises(ValueError, match="format"):
        load_payload()
    monkeypatch.undo()
    data = zlib.decompress(referential_module._read_data(), wbits=31)
    sections = json.loads(data[: data.index(b"\n")])["sections"]
    sections[0][1] += 1
    damaged = _file_with_header({"sections": sections})
    monkeypatch.setattr(referential_module, "_read_data", lambda: damaged)
    with pytest.raises(ValueError, match="corrupt"):
        load_payload()
    monkeypatch.undo()
    assert get_referential().hits("SAINTPRIEST")


# -- the typo index ------------------------------------------------------------------------


def _keys() -> list[str]:
    rng = random.Random(3)
    letters = "ABCDEILMNORSTU"
    keys = {"".join(rng.choice(letters) for _ in range(rng.randint(2, 14))) for _ in range(1500)}
    # Crowded halves: many keys sharing a first half, or a second half.
    keys |= {"SAINT" + "".join(rng.choice(letters) for _ in range(6)) for _ in range(200)}
    keys |= {"".join(rng.choice(letters) for _ in range(5)) + "SURMER" for _ in range(200)}
    return sorted(keys)


def _edits(key: str, rng: random.Random) -> str:
    position = rng.randrange(len(key))
    letter = rng.choice("ABCDEILMNORSTUX")
    return rng.choice(
        [
            key[:position] + letter + key[position + 1 :],
            key[:position] + key[position + 1 :],
            key[:position] + letter + key[position:],
            key[:position] + key[position + 1 : position + 2] + key[position] + key[position + 2 :],
        ]
    )


def test_typo_index_finds_every_key_one_edit_away() -> None:
    keys = _keys()
    index = FuzzyIndex(keys)
    rng = random.Random(5)
    for _ in range(150):
        query = _edits(rng.choice(keys), rng)
        if len(query) < 4:
            continue
        expected = {
            (key, distance)
            for key in keys
            if len(key) >= 4 and (distance := osa_distance(query, key, 1)) <= 1
        }
        assert set(index.search(query, 1)) == expected, query


def test_typo_index_text_round_trip() -> None:
    keys = _keys()
    index = FuzzyIndex(keys)
    again = FuzzyIndex.from_text(index.to_text())
    assert again.keys() == index.keys() == keys
    assert again.to_text() == index.to_text()
    rng = random.Random(11)
    for _ in range(200):
        query = _edits(_edits(rng.choice(keys), rng), rng)
        assert again.search(query) == index.search(query)
    with pytest.raises(ValueError, match="separator"):
        FuzzyIndex(["ABC\tDEF"]).to_text()


def _plain_osa(a: str, b: str) -> int:
    """Optimal string alignment distance, the whole table (reference for the banded one)."""
    table = [[i + j if i * j == 0 else 0 for j in range(len(b) + 1)] for i in range(len(a) + 1)]
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            table[i][j] = min(
                table[i - 1][j] + 1,
                table[i][j - 1] + 1,
                table[i - 1][j - 1] + (a[i - 1] != b[j - 1]),
            )
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                table[i][j] = min(table[i][j], table[i - 2][j - 2] + 1)
    return table[-1][-1]


def test_bounded_osa_distance_is_the_distance_up_to_the_limit() -> None:
    rng = random.Random(17)
    for _ in range(3000):
        a = "".join(rng.choice("ABC") for _ in range(rng.randint(0, 9)))
        b = "".join(rng.choice("ABC") for _ in range(rng.randint(0, 9)))
        for limit in (0, 1, 2, 3):
            assert osa_distance(a, b, limit) == min(_plain_osa(a, b), limit + 1), (a, b, limit)
