"""A second geo benchmark, built from other sources than the referential the matcher reads.

``bench_geo.py`` generates its queries from the referential itself. This one writes them
from what people and other software hold:

* the La Poste file (``codes-postaux``: ``nomCommune`` as La Poste spells it, the routing
  label ``libelleAcheminement``, the postal code) — names, labels, postal codes;
* the INSEE COG 2018 with its history (``@etalab/cog``): names of delegated communes then,
  communes that no longer exist and names since changed — the answer is today's commune;
* the department names (``@etalab/decoupage-administratif``), written into the field;
* the forms people type, applied to those names: two typing mistakes, a department in any
  punctuation, Roman arrondissements, the article after the name, SAINT glued or
  abbreviated, ``/S``, ``S/``, ``ND``, a postal code that lost its leading zero, names cut
  by a fixed-width field;
* 119 country names as people write them, by our own hand.

The packages are fetched with ``npm pack`` into the build script's cache. The referential
is read only for the populations (people are born in towns in proportion to their size:
targets are drawn by the square root of the population) and to give a context (postal code
or department) to a name several communes share.

A query is right at k when the expected INSEE code — or, for a former commune, the code of
the commune it is part of — is among the first k suggestions (a suggestion's own code or its
parent's). Latency is one pass per query, after a warm-up.

Run::

    python benchmarks/geo/bench_geo_people.py [--per-kind 150] [--verbose]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(HERE))

from bench_geo import NEIGHBOURS, _percentile, timed_suggest  # noqa: E402
from build_geo_data import (  # noqa: E402
    CODES_POSTAUX,
    COG_2018,
    DECOUPAGE,
    DEFAULT_CACHE,
    _npm_json,
)

from antsclient.geo import autocomplete, find_country, suggest_communes  # noqa: E402
from antsclient.geo.normalise import match_key, strip_accents  # noqa: E402
from antsclient.geo.referential import get_referential  # noqa: E402

SEED = 20261130
TARGETS = {
    "accuracy_at_1": 0.985,
    "accuracy_at_1_per_kind": 0.95,
    "accuracy_at_5": 0.995,
    "median_us": 30.0,
    "p99_us": 1000.0,
    "country_accuracy": 0.99,
}

ROMAN = [
    "",
    "I",
    "II",
    "III",
    "IV",
    "V",
    "VI",
    "VII",
    "VIII",
    "IX",
    "X",
    "XI",
    "XII",
    "XIII",
    "XIV",
    "XV",
    "XVI",
    "XVII",
    "XVIII",
    "XIX",
    "XX",
]


class Query:
    __slots__ = ("department", "expected", "kind", "postal_code", "text")

    def __init__(
        self,
        kind: str,
        text: str,
        expected: str,
        postal_code: str | None = None,
        department: str | None = None,
    ) -> None:
        self.kind, self.text, self.expected = kind, text, expected
        self.postal_code, self.department = postal_code, department


class People:
    """Queries as people write them, from the La Poste file and the COG history."""

    def __init__(self, cache: Path, seed: int) -> None:
        self.rng = random.Random(seed)
        ref = get_referential()
        self.ref = ref
        population = {ref.codes[r]: ref.population(r) for r in range(ref.size)}
        entries = _npm_json(cache, CODES_POSTAUX, "codes-postaux.json")
        self.entries = [e for e in entries if e["codeCommune"] in population]
        self.weights = [population[e["codeCommune"]] ** 0.5 + 1 for e in self.entries]
        by_key: dict[str, set[str]] = defaultdict(set)
        by_label: dict[str, set[str]] = defaultdict(set)
        for entry in self.entries:
            by_key[match_key(entry["nomCommune"])].add(entry["codeCommune"])
            by_label[match_key(entry["libelleAcheminement"])].add(entry["codeCommune"])
        self.by_key, self.by_label = by_key, by_label
        # A part of a commune (arrondissement, former commune) counts with its parent.
        self.parent = {
            ref.codes[r]: ref.codes[ref.parent(r)] for r in range(ref.size) if ref.parent(r) >= 0
        }
        self.departments = {
            d["code"]: d["nom"] for d in _npm_json(cache, DECOUPAGE, "data/departements.json")
        }
        self.old = _npm_json(cache, COG_2018, "data/communes.json")

    def pick(self, accept: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
        while True:
            entry = self.rng.choices(self.entries, self.weights)[0]
            if accept(entry):
                return entry

    def context(self, kind: str, text: str, entry: dict[str, Any]) -> Query:
        """A name several communes share gets the postal code or the department, as a Cerfa
        carries them; a unique one gets it a third of the time."""
        code = entry["codeCommune"]
        key = match_key(text)
        named = self.by_key.get(key, set()) | self.by_label.get(key, set())
        shared = (
            len(self.by_key.get(match_key(entry["nomCommune"]), ())) > 1
            or len(named) > 1
            or bool(named - {code})
        )
        if not shared and self.rng.random() < 0.67:
            return Query(kind, text, code)
        if self.rng.random() < 0.5:
            return Query(kind, text, code, postal_code=entry["codePostal"])
        department = code[:3] if code.startswith("97") else code[:2]
        return Query(kind, text, code, department=department)

    def case(self, text: str) -> str:
        return self.rng.choice([text, text.upper(), text.lower(), text.title()])

    # -- typing mistakes --------------------------------------------------------------------

    def mistake(self, text: str) -> str:
        positions = [i for i, c in enumerate(text) if i > 0 and c.isalpha()]
        i = self.rng.choice(positions)
        kind = self.rng.choice(["neighbour", "doubled", "dropped", "swapped"])
        if kind == "neighbour" and NEIGHBOURS.get(text[i]):
            return text[:i] + self.rng.choice(NEIGHBOURS[text[i]]) + text[i + 1 :]
        if kind == "doubled":
            return text[:i] + text[i] + text[i:]
        if kind == "swapped" and i + 1 < len(text) and text[i + 1].isalpha():
            return text[:i] + text[i + 1] + text[i] + text[i + 2 :]
        return text[:i] + text[i + 1 :]

    def typos(self, kind: str, count: int, min_letters: int) -> Query:
        while True:
            entry = self.pick(lambda e: len(match_key(e["nomCommune"])) >= min_letters)
            name = strip_accents(entry["nomCommune"]).upper()
            typed = name
            for _ in range(count):
                typed = self.mistake(typed)
            key = match_key(typed)
            if key == match_key(name) or key in self.by_key:
                continue  # no mistake left, or another commune's name
            return self.context(kind, typed, entry)

    def two_typos(self) -> Query:
        return self.typos("two_typos", 2, 8)

    def one_typo_short(self) -> Query:
        return self.typos("one_typo_short", 1, 4)

    # -- the forms of the field -------------------------------------------------------------

    def department_in_field(self) -> Query:
        entry = self.pick(lambda e: not e["codeCommune"].startswith("97"))
        code = entry["codeCommune"][:2]
        department = self.departments.get(code, code)
        name = self.case(entry["nomCommune"])
        by_name = self.case(department)
        pattern = self.rng.choice(
            ["{n} ({d})", "{n}, {d}", "{n} - {d}", "{n} ({c})", "{n} {c}", "{n}, {c}", "{n} {d}"]
        )
        text = pattern.format(n=name, d=by_name, c=code)
        return Query("department_in_field", text, entry["codeCommune"])

    def roman_arrondissement(self) -> Query:
        city, count, base = self.rng.choice(
            [("PARIS", 20, 75100), ("LYON", 9, 69380), ("MARSEILLE", 16, 13200)]
        )
        number = self.rng.randint(1, count)
        suffix = self.rng.choice(["", "", "E", "EME", "e", " ARR"])
        text = self.case(f"{city} {ROMAN[number]}") + suffix
        return Query("roman_arrondissement", text, str(base + number))

    def article_after(self) -> Query:
        def starts(e: dict[str, Any]) -> bool:
            return strip_accents(e["nomCommune"]).upper().split(" ")[0] in {"LE", "LA", "LES"}

        entry = self.pick(starts)
        article, _, rest = strip_accents(entry["nomCommune"]).upper().partition(" ")
        rest = rest.replace("-", " ")
        text = self.rng.choice([f"{rest} {article}", f"{rest}, {article}", f" {rest} {article} "])
        return self.context("article_after", self.case(text), entry)

    def glued_saint(self) -> Query:
        def saint(e: dict[str, Any]) -> bool:
            return "SAINT" in strip_accents(e["nomCommune"]).upper().replace("-", " ").split()

        entry = self.pick(saint)
        words = strip_accents(entry["nomCommune"]).upper().replace("-", " ").split()
        form = self.rng.choice(["glued", "glued_all", "snt", "snt_hyphen"])
        short = {"SAINT": "ST", "SAINTE": "STE"}
        if form == "glued":
            out = " ".join(words).replace("SAINTE ", "STE").replace("SAINT ", "ST")
        elif form == "glued_all":
            out = "".join(short.get(w, w) for w in words).lower()
        elif form == "snt":
            out = " ".join({"SAINT": "SNT", "SAINTE": "SNTE"}.get(w, w) for w in words)
        else:
            out = "-".join({"SAINT": "SNT", "SAINTE": "STE"}.get(w, w) for w in words)
        return self.context("glued_saint", out, entry)

    def sur_sous_nd(self) -> Query:
        def linked(e: dict[str, Any]) -> bool:
            words = strip_accents(e["nomCommune"]).upper().replace("-", " ").split()
            return "SUR" in words or "SOUS" in words or "NOTRE" in words

        entry = self.pick(linked)
        text = " ".join(strip_accents(entry["nomCommune"]).upper().replace("-", " ").split())
        text = text.replace(" SUR ", self.rng.choice([" /S ", " S/ ", " S/"]))
        text = text.replace(" SOUS ", self.rng.choice([" S/S ", " SS "]))
        text = text.replace("NOTRE DAME", "ND")
        return self.context("sur_sous_nd", text, entry)

    def postal_zero_lost(self) -> Query:
        entry = self.pick(lambda e: e["codePostal"].startswith("0"))
        name = strip_accents(entry["nomCommune"]).upper()
        postal = entry["codePostal"][1:]
        text = self.rng.choice([f"{postal} {name}", f"{name} {postal}", f"{name} ({postal})"])
        return Query("postal_zero_lost", text, entry["codeCommune"])

    def case_accents(self) -> Query:
        entry = self.pick(lambda e: True)
        return self.context("case_accents", self.case(entry["nomCommune"]), entry)

    def hyphens_apostrophes(self) -> Query:
        entry = self.pick(lambda e: "-" in e["nomCommune"] or "'" in e["nomCommune"])
        name = entry["nomCommune"]
        text = self.rng.choice(
            [name.replace("-", " "), name.replace("-", ""), name.replace("'", " ")]
        )
        return self.context("hyphens_apostrophes", text, entry)

    def la_poste_label(self) -> Query:
        entry = self.pick(
            lambda e: match_key(e["libelleAcheminement"]) != match_key(e["nomCommune"])
        )
        return self.context("la_poste_label", entry["libelleAcheminement"], entry)

    def truncation(self) -> Query:
        entry = self.pick(lambda e: len(e["nomCommune"]) >= 24)
        name = strip_accents(entry["nomCommune"]).upper()
        return self.context("truncation", name[: self.rng.randint(20, len(name) - 2)], entry)

    def exact(self) -> Query:
        entry = self.pick(lambda e: True)
        return self.context("exact", strip_accents(entry["nomCommune"]).upper(), entry)

    def old_name(self) -> Query:
        """A commune of the 2018 COG that is gone or renamed since (or a delegated one)."""
        ref = self.ref
        current = {ref.codes[r] for r in range(ref.size) if ref.kind_codes[r] == "C"}
        while True:
            commune = self.rng.choice(self.old)
            code = commune["code"]
            target = commune.get("communeAbsorbante") or commune.get("nouveauCode")
            if commune["type"] == "commune-actuelle" and code in current:
                names = {match_key(ref.names[r]) for r in range(ref.size) if ref.codes[r] == code}
                if match_key(commune["nom"]) in names:
                    continue  # not renamed
                target = code
            if not target:
                continue
            text = self.case(commune["nom"])
            return Query("old_name", text, target, department=commune["departement"])

    def generate(self, per_kind: int) -> list[Query]:
        kinds = [
            self.two_typos,
            self.one_typo_short,
            self.department_in_field,
            self.roman_arrondissement,
            self.article_after,
            self.glued_saint,
            self.sur_sous_nd,
            self.postal_zero_lost,
            self.case_accents,
            self.hyphens_apostrophes,
            self.la_poste_label,
            self.truncation,
            self.exact,
            self.old_name,
        ]
        return [make() for make in kinds for _ in range(per_kind)]


COUNTRIES: list[tuple[str, str]] = [
    (name, code)
    for code, names in {
        "99100": ["france", "FRANCE METROPOLITAINE", "Rép. française", "La Réunion", "GUADELOUPE"],
        "99390": ["ILE MAURICE", "Île Maurice", "MAURICE", "Iles Maurice"],
        "99141": ["RDA", "R.D.A", "Allemagne de l'Est", "ALLEMAGNE (RDA)"],
        "99142": ["RFA", "Allemagne de l'Ouest"],
        "99109": ["ALLEMAGNE", "allemagne", "Allemagne fédérale", "Deutschland"],
        "99132": ["ANGLETERRE", "Angleterre", "ROYAUME UNI", "GB", "Grande Bretagne", "Ecosse"],
        "99404": ["USA", "U.S.A", "ETATS UNIS", "Etats-Unis d'Amérique", "Amérique"],
        "99115": ["TCHECOSLOVAQUIE", "Tchécoslovaquie"],
        "99123": ["URSS", "U.R.S.S.", "Union soviétique", "RUSSIE"],
        "99121": ["YOUGOSLAVIE", "Yougoslavie"],
        "99352": ["ALGERIE", "Algérie", "ALGERIE FRANCAISE", "Rép. algérienne", "ALGERI"],
        "99350": ["MAROC", "Maroc", "Royaume du Maroc", "MARROC"],
        "99351": ["TUNISIE", "Tunisie", "TUNISIE (REPUBLIQUE)"],
        "99312": ["RDC", "CONGO RDC", "Congo (RDC)", "Zaïre", "Rép. dém. du Congo"],
        "99324": ["CONGO BRAZZAVILLE", "Congo-Brazzaville"],
        "99330": ["GUINEE", "Guinée Conakry", "République de Guinée"],
        "99397": ["COMORES", "Iles Comores", "ILES COMORES"],
        "99396": ["CAP VERT", "Iles du Cap-Vert"],
        "99326": ["COTE D IVOIRE", "Côte-d'Ivoire", "COTE D'IVOIRE"],
        "99331": ["BURKINA FASO", "HAUTE VOLTA", "Burkina"],
        "99327": ["BENIN", "Dahomey"],
        "99341": ["SENEGAL", "Sénégal"],
        "99335": ["MALI"],
        "99322": ["CAMEROUN"],
        "99333": ["MADAGASCAR"],
        "99336": ["MAURITANIE"],
        "99134": ["ESPAGNE", "Espagne", "España"],
        "99127": ["ITALIE", "Italie", "ITALY"],
        "99139": ["PORTUGAL", "portugal"],
        "99131": ["BELGIQUE", "Belgique"],
        "99140": ["SUISSE", "Suisse", "Confédération helvétique"],
        "99135": ["PAYS BAS", "HOLLANDE", "Pays-Bas"],
        "99122": ["POLOGNE", "Pologne"],
        "99114": ["ROUMANIE", "Roumanie"],
        "99126": ["GRECE", "Grèce"],
        "99208": ["TURQUIE", "Turquie"],
        "99155": ["UKRAINE"],
        "99201": ["ARABIE SAOUDITE"],
        "99205": ["LIBAN", "Liban"],
        "99206": ["SYRIE"],
        "99204": ["IRAN", "Perse"],
        "99203": ["IRAK", "IRAQ"],
        "99216": ["CHINE", "Chine"],
        "99217": ["JAPON"],
        "99223": ["INDE"],
        "99243": ["VIETNAM", "VIET NAM", "Viêt Nam"],
        "99234": ["CAMBODGE"],
        "99241": ["LAOS"],
        "99235": ["SRI LANKA", "Ceylan"],
        "99239": ["COREE DU SUD"],
        "99401": ["CANADA", "Canada"],
        "99416": ["BRESIL", "Brésil"],
        "99410": ["HAITI", "Haïti"],
        "99501": ["AUSTRALIE"],
        "99301": ["EGYPTE", "Égypte"],
        "99303": ["AFRIQUE DU SUD"],
        "99118": ["BOSNIE", "Bosnie Herzégovine"],
    }.items()
    for name in names
]


def _autocomplete_latency(queries: list[Query]) -> tuple[int, float, float, float]:
    """Every keystroke of the exact names typed letter by letter, one pass each."""
    names = [q.text for q in queries if q.kind == "exact"]
    wall: list[float] = []
    cpu: list[float] = []
    for name in names:
        for end in range(2, len(name) + 1):
            c0 = time.thread_time_ns()
            t0 = time.perf_counter_ns()
            autocomplete(name[:end])
            wall.append((time.perf_counter_ns() - t0) / 1e3)
            cpu.append((time.thread_time_ns() - c0) / 1e3)
    return (
        len(names),
        statistics.median(wall),
        _percentile(wall, 0.99),
        _percentile(cpu, 0.99),
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-kind", type=int, default=150)
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE)
    parser.add_argument("--verbose", action="store_true", help="list the misses")
    args = parser.parse_args(argv)
    load_average = os.getloadavg()[0]
    ref = get_referential()
    ref.build_indexes()
    try:
        people = People(args.cache, SEED)
    except (OSError, subprocess.CalledProcessError) as error:
        # The sources come from npm (npm pack): without it there is nothing to measure.
        print(f"bench_geo_people skipped: its sources could not be fetched ({error})")
        return 0
    parents = people.parent
    queries = people.generate(args.per_kind)
    for query in queries[:100]:
        suggest_communes(query.text, postal_code=query.postal_code, department=query.department)
    per_kind: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    latencies: list[float] = []
    misses: list[str] = []
    cpu_times: list[float] = []
    for query in queries:
        found = timed_suggest(query, latencies, cpu_times)  # type: ignore[arg-type]
        codes = [{m.insee_code, m.parent_insee_code} for m in found]
        expected = {query.expected, parents.get(query.expected)}
        stats = per_kind[query.kind]
        stats[0] += 1
        stats[1] += bool(codes) and bool(expected & codes[0])
        stats[2] += any(expected & c for c in codes)
        if not (codes and expected & codes[0]):
            misses.append(
                f"{query.kind}: {query.text!r} cp={query.postal_code} dep={query.department} "
                f"expected={query.expected} got={[m.label for m in found[:3]]}"
            )
    country_hits = 0
    country_misses = []
    for text, code in COUNTRIES:
        match = find_country(text)
        if match is not None and match.insee_code == code:
            country_hits += 1
        else:
            country_misses.append(f"{text!r}: expected {code}, got {match and match.insee_code}")
    total = len(queries)
    acc1 = sum(s[1] for s in per_kind.values()) / total
    acc5 = sum(s[2] for s in per_kind.values()) / total
    print(f"suggest_communes, queries as people write them: {total}, seed {SEED}")
    print(f"{'kind':<22}{'n':>6}{'acc@1':>9}{'acc@5':>9}")
    for kind, (n, h1, h5) in per_kind.items():
        print(f"{kind:<22}{n:>6}{h1 / n:>9.1%}{h5 / n:>9.1%}")
    print(f"{'overall':<22}{total:>6}{acc1:>9.1%}{acc5:>9.1%}")
    median, p99 = statistics.median(latencies), _percentile(latencies, 0.99)
    cpu_median, cpu_p99 = statistics.median(cpu_times), _percentile(cpu_times, 0.99)
    print(
        f"latency, one pass per query: median {median:.1f} µs, p99 {p99:.1f} µs; thread CPU "
        f"time median {cpu_median:.1f} µs, p99 {cpu_p99:.1f} µs (load average {load_average:.2f})"
    )
    typing = _autocomplete_latency(queries)
    print(
        f"autocomplete, every prefix of {typing[0]} names as typed: median {typing[1]:.1f} µs, "
        f"p99 {typing[2]:.1f} µs (thread CPU p99 {typing[3]:.1f} µs)"
    )
    print(f"find_country: {len(COUNTRIES)} names, {country_hits / len(COUNTRIES):.1%}")
    for line in country_misses:
        print("  miss:", line)
    if args.verbose:
        for line in misses[:80]:
            print("  miss:", line)
    figures = {
        "queries": total,
        "accuracy_at_1": round(acc1, 4),
        "accuracy_at_5": round(acc5, 4),
        "accuracy_at_1_by_kind": {k: round(s[1] / s[0], 4) for k, s in per_kind.items()},
        "median_us": round(median, 1),
        "p99_us": round(p99, 1),
        "cpu_median_us": round(cpu_median, 1),
        "cpu_p99_us": round(cpu_p99, 1),
        "autocomplete_median_us": round(typing[1], 1),
        "autocomplete_p99_us": round(typing[2], 1),
        "load_average": round(load_average, 2),
        "country_queries": len(COUNTRIES),
        "country_accuracy": round(country_hits / len(COUNTRIES), 4),
    }
    print(json.dumps(figures, sort_keys=True))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
