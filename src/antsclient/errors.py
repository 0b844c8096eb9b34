"""Errors raised by antsclient: one shallow tree, each with a stable code and two messages.

::

    AntsError                      code, message (English), message_fr (French), field
    ├── ConfigurationError         a setting is missing (postal code, agreement number, …)
    │   └── ExtraNotInstalled      an optional part's packages are not installed (an ImportError)
    ├── AuthenticationError        wrong agreement number, login or password
    ├── ApplicationDataError       data refused, locally or by ANTS; carries every FieldProblem
    ├── DivergenceError            a request already on ANTS clashes: shared email, already
    │                              registered, or the same person with other data
    ├── ActionNotAllowed           the request's status does not allow the action
    ├── PermissionDenied           the acting user lacks the right for the action
    ├── AttachmentRejected         a supporting document is refused (size, type, pages, comment)
    ├── ResourceNotFound           no such thing for this request (ePhoto, file, document)
    │   └── RequestNotFound        no request with this number for this agency
    ├── AntsUnavailable            ANTS is down or too slow; says if the action may have happened
    ├── ProtocolError              ANTS answered something antsclient cannot read
    └── StoreError                 the local store of requests cannot be read or written

``str(error)`` is the English message for the developer; ``error.message_fr`` is the sentence
to show the driving-school user, in the manual's wording. Every error pickles and unpickles
intact, and none ever carries a password, a token or a header.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from typing import Any, ClassVar, Self

import attrs

__all__ = [
    "ActionNotAllowed",
    "AntsError",
    "AntsUnavailable",
    "ApplicationDataError",
    "AttachmentRejected",
    "AuthenticationError",
    "ConfigurationError",
    "DivergenceCase",
    "DivergenceError",
    "ExtraNotInstalled",
    "FieldProblem",
    "PermissionDenied",
    "ProtocolError",
    "RequestNotFound",
    "ResourceNotFound",
    "Severity",
    "StoreError",
]


class Severity(enum.StrEnum):
    """Gravité d'un problème: an error blocks sending, a warning only informs."""

    ERROR = "error"
    WARNING = "warning"


_REPR_MESSAGE = 60


@attrs.frozen(kw_only=True, slots=True, repr=False)
class FieldProblem:
    """Problème sur un champ: what is wrong with one field, and what to do about it.

    ``field`` is a dotted path into the application (``applicant.first_name``), ``code`` a
    stable identifier for programs (``first_name.several_given_names``), ``message`` English
    for the developer and ``message_fr`` French for the driving-school user.
    """

    field: str
    code: str
    message: str
    message_fr: str
    severity: Severity = Severity.ERROR
    suggestions: tuple[str, ...] = ()

    @property
    def is_error(self) -> bool:
        """True when the problem blocks sending the request."""
        return self.severity is Severity.ERROR

    def __repr__(self) -> str:
        warning = "" if self.is_error else " warning"
        message = " ".join(self.message_fr.split())
        if len(message) > _REPR_MESSAGE:
            message = message[: _REPR_MESSAGE - 1].rstrip() + "…"
        more = f", {len(self.suggestions)} suggestion(s)" if self.suggestions else ""
        return f"FieldProblem({self.field} [{self.code}]{warning}: {message}{more})"


class AntsError(Exception):
    """Base of every antsclient error (erreur ANTS)."""

    default_code: ClassVar[str] = "ants_error"
    default_message_fr: ClassVar[str] = "Une erreur est survenue avec le site de l'ANTS."

    status_code: int | None = None
    """The HTTP status of the answer the error was read from (``None``: raised locally)."""
    request_id: str | None = None
    """The id the server gave the answer (``X-Request-Id``), to quote to its support."""

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        message_fr: str | None = None,
        field: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message: str = message
        self.code: str = code or self.default_code
        self.message_fr: str = message_fr or self.default_message_fr
        self.field: str | None = field

    def _kwargs(self) -> dict[str, Any]:
        """The constructor's keyword arguments, for pickling (subclasses add theirs)."""
        return {"code": self.code, "message_fr": self.message_fr, "field": self.field}

    def __reduce__(self) -> tuple[Any, ...]:
        state = {"status_code": self.status_code, "request_id": self.request_id}
        return (_rebuild, (type(self), self.message, self._kwargs()), state)

    def from_answer(self, status_code: int, request_id: str | None) -> Self:
        """This error, marked as read from an HTTP answer (its status and request id)."""
        self.status_code = status_code
        self.request_id = request_id
        return self

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        parts = [repr(self.message), f"code={self.code!r}"]
        if self.field is not None:
            parts.append(f"field={self.field!r}")
        if self.status_code is not None:
            parts.append(f"status_code={self.status_code!r}")
        if self.request_id is not None:
            parts.append(f"request_id={self.request_id!r}")
        return f"{type(self).__name__}({', '.join(parts)})"


def _rebuild(cls: type[AntsError], message: str, kwargs: Mapping[str, Any]) -> AntsError:
    return cls(message, **kwargs)


class ConfigurationError(AntsError):
    """Paramétrage incomplet: a setting needed before any call is missing."""

    default_code = "configuration_missing"
    default_message_fr = "Le paramétrage de l'agence est incomplet."


class ExtraNotInstalled(ConfigurationError, ImportError):
    """Module manquant: an optional part of antsclient needs packages its extra installs.

    ``extra`` is the extra to install (``sandbox``), ``package`` the missing one
    (``starlette``); the message says the command (``pip install 'antsclient[sandbox]'``).
    It is an :class:`ImportError` too, for code that guards an optional import.
    """

    default_code = "extra_not_installed"
    default_message_fr = "Un module nécessaire n'est pas installé."

    def __init__(
        self,
        message: str,
        *,
        extra: str | None = None,
        package: str | None = None,
        code: str | None = None,
        message_fr: str | None = None,
        field: str | None = None,
    ) -> None:
        super().__init__(message, code=code, message_fr=message_fr, field=field)
        self.extra = extra
        self.package = package
        self.name = package

    def _kwargs(self) -> dict[str, Any]:
        return {**super()._kwargs(), "extra": self.extra, "package": self.package}


class AuthenticationError(AntsError):
    """Erreur d'authentification: wrong Cerfa agreement number, ANTS login or password."""

    default_code = "authentication_failed"
    default_message_fr = (
        "Erreur d'authentification : le n° d'agrément Cerfa, l'identifiant ou le mot de passe "
        "du site ANTS est incorrect. Vérifiez-les dans l'Espace Dirigeant."
    )


class ApplicationDataError(AntsError):
    """Erreur de données: one or more fields of the application are refused.

    ``problems`` lists every :class:`FieldProblem` at once; ``field`` is the first one's.
    """

    default_code = "application_data"
    default_message_fr = "Une des informations saisies sur la fiche de l'élève est incorrecte."

    def __init__(
        self,
        message: str | None = None,
        *,
        problems: Iterable[FieldProblem] = (),
        code: str | None = None,
        message_fr: str | None = None,
        field: str | None = None,
    ) -> None:
        self.problems: tuple[FieldProblem, ...] = tuple(problems)
        if message is None:
            message = _summarise(self.problems)
        if message_fr is None and self.problems:
            message_fr = "\n".join(p.message_fr for p in self.problems)
        if field is None and self.problems:
            field = self.problems[0].field
        super().__init__(message, code=code, message_fr=message_fr, field=field)

    def _kwargs(self) -> dict[str, Any]:
        return {**super()._kwargs(), "problems": self.problems}


def _summarise(problems: tuple[FieldProblem, ...]) -> str:
    if not problems:
        return "the application data was refused"
    lines = [f"{len(problems)} problem(s) in the application:"]
    lines += [f"  {p.field}: {p.message} [{p.code}]" for p in problems]
    return "\n".join(lines)


class DivergenceCase(enum.StrEnum):
    """The three cases of « Divergence de données » the manual tells apart."""

    SHARED_EMAIL = "shared_email"
    """Another person's request uses the student's email (two members of a family)."""
    ALREADY_REGISTERED = "already_registered"
    """This student's request is already on ANTS, with this email: link it."""
    DIFFERENT_DATA = "different_data"
    """ANTS holds a request of the same person (name, birth date and place) with other data."""

    @property
    def message_fr(self) -> str:
        """What the manual tells the user to do, in its words."""
        return _DIVERGENCE_FR[self]


_DIVERGENCE_FR: dict[DivergenceCase, str] = {
    DivergenceCase.SHARED_EMAIL: (
        "Divergence de données : une demande est déjà enregistrée sur le site de l'ANTS avec "
        "l'email de l'élève, pour une autre personne. Le même email est utilisé pour 2 membres "
        "d'une même famille : modifiez l'email dans l'espace Client pour que chaque élève ait "
        "un email unique."
    ),
    DivergenceCase.ALREADY_REGISTERED: (
        "Divergence de données : la demande a déjà été enregistrée sur le site de l'ANTS. "
        "Reliez la demande de l'élève à la fiche en cours (espace Administratif)."
    ),
    DivergenceCase.DIFFERENT_DATA: (
        "Divergence de données : les informations enregistrées sont différentes de celles "
        "enregistrées sur le site de l'ANTS. Veuillez vérifier la fiche de l'élève dans "
        "l'espace Client."
    ),
}


class DivergenceError(AntsError):
    """Divergence de données: a request already on ANTS clashes with the one sent.

    ``case`` says which of the manual's three cases it is (:class:`DivergenceCase`; ``None``
    when ANTS did not say), ``existing_number`` the request already on ANTS, and
    ``message_fr`` what the user should do.
    """

    default_code = "divergence"
    default_message_fr = (
        "Divergence de données : une demande est déjà enregistrée sur le site de l'ANTS avec "
        "l'email de l'élève. Si l'email est partagé dans une famille, modifiez-le ; si la "
        "demande existe déjà, reliez-la à l'élève."
    )

    def __init__(
        self,
        message: str,
        *,
        existing_number: str | None = None,
        case: DivergenceCase | str | None = None,
        code: str | None = None,
        message_fr: str | None = None,
        field: str | None = "applicant.email",
    ) -> None:
        known = _divergence_case(case)
        if message_fr is None and known is not None:
            message_fr = known.message_fr
        super().__init__(message, code=code, message_fr=message_fr, field=field)
        self.existing_number = existing_number
        self.case = known

    def _kwargs(self) -> dict[str, Any]:
        return {**super()._kwargs(), "existing_number": self.existing_number, "case": self.case}


def _divergence_case(case: DivergenceCase | str | None) -> DivergenceCase | None:
    """The case ``case`` names; ``None`` for none or one this version does not know."""
    if case is None:
        return None
    try:
        return DivergenceCase(case)
    except ValueError:
        return None


class ActionNotAllowed(AntsError):
    """Action impossible dans ce statut: the lifecycle table refuses the action."""

    default_code = "action_not_allowed"
    default_message_fr = "Cette action n'est pas possible au statut actuel de la demande."

    def __init__(
        self,
        message: str,
        *,
        action: str | None = None,
        status: str | None = None,
        rule: str | None = None,
        code: str | None = None,
        message_fr: str | None = None,
        field: str | None = None,
    ) -> None:
        super().__init__(message, code=code, message_fr=message_fr, field=field)
        self.action = action
        self.status = status
        self.rule = rule

    def _kwargs(self) -> dict[str, Any]:
        return {
            **super()._kwargs(),
            "action": self.action,
            "status": self.status,
            "rule": self.rule,
        }


class PermissionDenied(AntsError):
    """Droit refusé: the acting user has not been granted the right for this action."""

    default_code = "permission_denied"
    default_message_fr = "Vous n'avez pas le droit d'effectuer cette action."

    def __init__(
        self,
        message: str,
        *,
        right: str | None = None,
        code: str | None = None,
        message_fr: str | None = None,
        field: str | None = None,
    ) -> None:
        super().__init__(message, code=code, message_fr=message_fr, field=field)
        self.right = right

    def _kwargs(self) -> dict[str, Any]:
        return {**super()._kwargs(), "right": self.right}


class AttachmentRejected(AntsError):
    """Pièce justificative refusée: size, type, page count or comment out of bounds."""

    default_code = "attachment_rejected"
    default_message_fr = "La pièce justificative est refusée."

    def __init__(
        self,
        message: str,
        *,
        kind: str | None = None,
        code: str | None = None,
        message_fr: str | None = None,
        field: str | None = None,
    ) -> None:
        super().__init__(message, code=code, message_fr=message_fr, field=field)
        self.kind = kind

    def _kwargs(self) -> dict[str, Any]:
        return {**super()._kwargs(), "kind": self.kind}


class ResourceNotFound(AntsError):
    """Introuvable: the request has no such ePhoto, file or document (yet)."""

    default_code = "not_found"
    default_message_fr = "L'élément demandé n'existe pas (ou pas encore) pour cette demande."


class RequestNotFound(ResourceNotFound):
    """Demande introuvable: no request with this number is visible to the agency."""

    default_code = "request_not_found"
    default_message_fr = "Aucune demande ne correspond à ce numéro pour cette agence."


class AntsUnavailable(AntsError):
    """La page ne répond pas: ANTS is down or too slow, even after waiting and retrying.

    ``may_have_taken_effect`` tells whether the action may have reached ANTS: when it is
    true, refresh the request before doing it again. ``server`` is the server that could not
    be reached or did not answer (``https://ants.example.fr``).
    """

    default_code = "ants_unavailable"
    default_message_fr = (
        "La page ne répond pas : le site de l'ANTS est indisponible ou trop lent. "
        "Réessayez plus tard."
    )

    def __init__(
        self,
        message: str,
        *,
        may_have_taken_effect: bool = False,
        attempts: int = 1,
        server: str | None = None,
        code: str | None = None,
        message_fr: str | None = None,
        field: str | None = None,
    ) -> None:
        super().__init__(message, code=code, message_fr=message_fr, field=field)
        self.may_have_taken_effect = may_have_taken_effect
        self.attempts = attempts
        self.server = server

    def _kwargs(self) -> dict[str, Any]:
        return {
            **super()._kwargs(),
            "may_have_taken_effect": self.may_have_taken_effect,
            "attempts": self.attempts,
            "server": self.server,
        }


class ProtocolError(AntsError):
    """Réponse illisible: ANTS answered something that does not follow the protocol."""

    default_code = "protocol_error"
    default_message_fr = "Le site de l'ANTS a renvoyé une réponse inattendue."


class StoreError(AntsError):
    """Erreur de la base locale: the store of requests could not be read or written (a
    database locked past its timeout, a full disk, a file that is not a database).

    ``operation`` names what the store was doing (``merge``, ``watermark``…); the error of
    the database itself is its ``__cause__``.
    """

    default_code = "store_error"
    default_message_fr = (
        "La base locale des demandes n'a pas pu être lue ou mise à jour (occupée ou "
        "inaccessible). Réessayez dans un instant."
    )

    def __init__(
        self,
        message: str,
        *,
        operation: str | None = None,
        code: str | None = None,
        message_fr: str | None = None,
        field: str | None = None,
    ) -> None:
        super().__init__(message, code=code, message_fr=message_fr, field=field)
        self.operation = operation

    def _kwargs(self) -> dict[str, Any]:
        return {**super()._kwargs(), "operation": self.operation}
