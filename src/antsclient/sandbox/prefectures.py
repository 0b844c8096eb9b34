"""Préfectures per department: a few real ones, and « Préfecture de <département> » elsewhere.

The fallback is built from the department names of the geo referential, so every department
the referential knows has at least its prefecture.
"""

from __future__ import annotations

from typing import Final

from antsclient.models.documents import Prefecture
from antsclient.sandbox import referential

__all__ = ["prefectures_of"]

_KNOWN: Final[dict[str, tuple[tuple[str, str], ...]]] = {
    "90": (("90-PREF", "Préfecture du Territoire de Belfort"),),
    "69": (
        ("69-PREF", "Préfecture du Rhône"),
        ("69-SPVILLEFRANCHE", "Sous-préfecture de Villefranche-sur-Saône"),
    ),
    "75": (("75-PREFPOL", "Préfecture de police de Paris"),),
    "13": (
        ("13-PREF", "Préfecture des Bouches-du-Rhône"),
        ("13-SPAIX", "Sous-préfecture d'Aix-en-Provence"),
        ("13-SPARLES", "Sous-préfecture d'Arles"),
        ("13-SPISTRES", "Sous-préfecture d'Istres"),
    ),
}


def prefectures_of(department: str) -> list[Prefecture]:
    """The prefectures (and sub-prefectures) of ``department``; empty if it is unknown."""
    known = _KNOWN.get(department)
    if known is not None:
        return [Prefecture(code=code, name=name, department=department) for code, name in known]
    name = referential.department_name(department)
    if name is None:
        return []
    return [
        Prefecture(code=f"{department}-PREF", name=f"Préfecture de {name}", department=department)
    ]
