"""Offline geo referential, normaliser and matcher (vérification des villes, départements et
pays).

Nothing is read at import: the referential (INSEE COG 2026 communes with postal codes,
departments, countries) loads on the first call of a lookup function.

>>> from antsclient import geo
>>> geo.suggest_communes("ST PRIEST", postal_code="69800")[0].label
'SAINT-PRIEST (69800)'
>>> geo.find_country("USA").name
'ETATS-UNIS'
"""

from __future__ import annotations

from antsclient.geo.check import CheckStatus, FieldCheck, GeoReport, check
from antsclient.geo.match import (
    FRANCE_INSEE_CODE,
    CommuneMatch,
    CountryMatch,
    DepartmentMatch,
    autocomplete,
    find_country,
    find_department,
    suggest_communes,
)
from antsclient.geo.normalise import (
    city_label,
    match_key,
    normalise_city,
    normalise_country,
    normalise_department,
    strip_accents,
)
from antsclient.geo.referential import CommuneKind, get_referential, is_loaded

__all__ = [
    "FRANCE_INSEE_CODE",
    "CheckStatus",
    "CommuneKind",
    "CommuneMatch",
    "CountryMatch",
    "DepartmentMatch",
    "FieldCheck",
    "GeoReport",
    "autocomplete",
    "check",
    "city_label",
    "find_country",
    "find_department",
    "get_referential",
    "is_loaded",
    "match_key",
    "normalise_city",
    "normalise_country",
    "normalise_department",
    "strip_accents",
    "suggest_communes",
]
