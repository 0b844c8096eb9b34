"""Agency credentials (Paramétrage de l'agence responsable)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

import attrs

from antsclient._secret import Secret, to_secret
from antsclient.errors import ConfigurationError, FieldProblem

__all__ = ["NEEDED_BY", "Credentials", "prefecture_problem"]

LABELS: Final[Mapping[str, str]] = {
    "agreement": "n° d'agrément Cerfa",
    "login": "identifiant ANTS",
    "password": "mot de passe ANTS",
    "postal_code": "code postal de l'agence",
    "prefecture": "préfecture de l'agence",
}
"""Each field of the credentials as the manual's « Paramétrage » names it."""

NEEDED_BY: Final[Mapping[str, tuple[str, ...]]] = {
    "login": ("agreement", "login", "password"),
    "list_prefectures": ("agreement", "login", "password", "postal_code"),
    "create_request": ("prefecture",),
}
"""Which fields of the credentials each operation needs (the others need a login)."""


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

    def missing(self, operation: str) -> tuple[str, ...]:
        """The fields ``operation`` needs (:data:`NEEDED_BY`) that are not set."""
        needed = NEEDED_BY.get(operation, NEEDED_BY["login"])
        values = {
            "agreement": self.agreement,
            "login": self.login,
            "password": self.password.reveal(),
            "postal_code": self.postal_code,
            "prefecture": self.prefecture,
        }
        return tuple(name for name in needed if not (values[name] or "").strip())

    def problems(self, operation: str) -> list[FieldProblem]:
        """What stops ``operation``, as field problems (the prefecture's in the manual's
        words: « Préfecture incorrecte »)."""
        problems = []
        for name in self.missing(operation):
            problem = prefecture_problem(None) if name == "prefecture" else None
            problems.append(
                problem
                or FieldProblem(
                    field=f"credentials.{name}",
                    code=f"{name}.missing",
                    message=f"the agency's {name} is not set: set it in the agency's credentials",
                    message_fr=f"Le champ « {LABELS[name]} » doit être renseigné dans "
                    "l'Espace Dirigeant.",
                )
            )
        return problems

    def ensure(self, operation: str) -> None:
        """Raise :class:`~antsclient.ConfigurationError` naming every field ``operation``
        needs and lacks, before any request leaves."""
        missing = self.missing(operation)
        if not missing:
            return
        labels = ", ".join(LABELS[name] for name in missing)
        raise ConfigurationError(
            f"{operation.replace('_', ' ')} needs the agency's {', '.join(missing)}",
            field=f"credentials.{missing[0]}",
            message_fr="Le n° d'agrément Cerfa, l'identifiant et le mot de passe ANTS (et, pour "
            "la liste des préfectures, le code postal de l'agence) sont obligatoires dans "
            f"l'Espace Dirigeant (manquant : {labels}).",
        )


def prefecture_problem(
    prefecture: str | None, *, field: str = "credentials.prefecture"
) -> FieldProblem | None:
    """Préfecture incorrecte: a request is sent only by an agency whose prefecture is set.

    The one rule, read by the client (on the credentials) and the sandbox (on its agency).
    """
    if prefecture and prefecture.strip():
        return None
    return FieldProblem(
        field=field,
        code="prefecture.missing",
        message="the agency's prefecture is not set: set it in the agency's credentials",
        message_fr="Préfecture incorrecte : le nom de la préfecture doit être renseigné "
        "dans l'Espace Dirigeant.",
    )


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
