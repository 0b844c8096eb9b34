"""Agency credentials (Paramétrage de l'agence responsable)."""

from __future__ import annotations

import attrs

from antsclient._secret import Secret, to_secret

__all__ = ["Credentials"]


@attrs.frozen(kw_only=True, slots=True)
class Credentials:
    """Identifiants ANTS de l'agence responsable.

    ``agreement`` is the Cerfa agreement number (numéro d'agrément Cerfa, ``E1706900030``),
    ``login`` the ANTS login (identifiant ANTS), ``password`` the ANTS password, kept as a
    :class:`~antsclient.Secret` that never shows in a repr, a log or an exception.
    ``prefecture`` is the agency's prefecture and ``postal_code`` its postal code (needed to
    list the prefectures of the agency's department).
    """

    agreement: str
    login: str
    password: Secret = attrs.field(converter=to_secret, repr=False)
    prefecture: str | None = None
    postal_code: str | None = None

    @property
    def department(self) -> str | None:
        """The agency's department, from its postal code (``None`` without one)."""
        return department_of_postal_code(self.postal_code)


def department_of_postal_code(postal_code: str | None) -> str | None:
    """Département of a French postal code: ``69800`` → ``69``, ``20000`` → ``2A``, ``97400``
    → ``974``. ``None`` when the code is missing or not five digits."""
    code = (postal_code or "").strip()
    if len(code) != 5 or not (code.isascii() and code.isdigit()):
        return None
    if code.startswith(("97", "98")):
        return code[:3]
    if code.startswith("20"):
        return "2A" if int(code) < 20200 else "2B"
    return code[:2]
