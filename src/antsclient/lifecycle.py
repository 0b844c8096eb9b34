"""The request lifecycle: one table says which action each status allows, and where it leads.

The same table drives the client (checked before any network call) and the sandbox server,
so both always agree. In short, as the manual says:

* a draft (BROUILLON) takes documents and an ePhoto code, and can be validated or deleted;
* a validated request waits for the student, who has 7 days to confirm; it can still be
  deleted, not modified (on expiry it goes back to draft, an inference: ANTS documents
  nothing for that case);
* then the prefecture reviews it, asks to complete it, rejects or accepts it; an accepted
  Cerfa 02 lands in « à traiter en Cerfa 06 » (where each request type's acceptance leads
  is :data:`antsclient.models.REQUEST_TYPES`);
* nothing is modifiable after validation, except the documents a prefecture asks for;
* under a paper mandate (mandat papier) the student does not validate: validation sends the
  request straight to review, and the request can never be transferred.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Final

import attrs

from antsclient.errors import ActionNotAllowed, PermissionDenied
from antsclient.models.enums import Cerfa, RequestStatus, RequestType, Right

if TYPE_CHECKING:
    from antsclient.models.documents import AttachmentSlot

__all__ = [
    "RULES",
    "Action",
    "Condition",
    "Rule",
    "allowed_actions",
    "check",
    "ensure_allowed",
    "ensure_right",
    "ensure_validatable",
    "is_allowed",
    "next_status",
]


class Action(enum.StrEnum):
    """Action sur une demande, by the agency or (for the last ones) by the other side."""

    REFRESH = "refresh"
    VIEW_ATTACHMENTS = "view_attachments"
    UPLOAD_ATTACHMENT = "upload_attachment"
    DELETE_ATTACHMENT = "delete_attachment"
    SET_EPHOTO = "set_ephoto"
    VIEW_EPHOTO = "view_ephoto"
    DELETE_EPHOTO = "delete_ephoto"
    DEPOSIT_FORM = "deposit_form"
    VALIDATE = "validate"
    DELETE = "delete"
    TRANSFER = "transfer"
    LINK = "link"
    DOWNLOAD_DOCUMENTS = "download_documents"
    CREATE_CERFA06 = "create_cerfa06"
    SEND_COMPLEMENT = "send_complement"
    # The other side of the flow: the student and the prefecture.
    APPLICANT_VALIDATES = "applicant_validates"
    APPLICANT_WINDOW_EXPIRES = "applicant_window_expires"
    PREFECTURE_TAKES_UP = "prefecture_takes_up"
    PREFECTURE_ACCEPTS = "prefecture_accepts"
    PREFECTURE_REJECTS = "prefecture_rejects"
    PREFECTURE_ASKS_COMPLETION = "prefecture_asks_completion"

    @property
    def label(self) -> str:
        """The action as the manual names it."""
        return RULES[self].label


class Condition(enum.Enum):
    """A condition an action needs beyond the request's status."""

    CERFA02_ONLY = "cerfa02_only"
    """The action exists for a Cerfa 02 (inscription) only."""
    LINKED_ONLY = "linked_only"
    """The action needs the request linked to a student of the host (reliée à un élève)."""
    REQUIRED_DOCUMENTS = "required_documents"
    """Every required supporting document must have been sent."""
    NO_PAPER_MANDATE = "no_paper_mandate"
    """Not for a request filed under a paper mandate (mandat papier)."""


@attrs.frozen(kw_only=True, slots=True)
class Rule:
    """What an action needs (the statuses that allow it, a right, conditions) and where it
    leads."""

    label: str
    allowed: frozenset[RequestStatus]
    rule: str
    rule_fr: str
    right: Right | None = None
    moves_to: Mapping[RequestStatus, RequestStatus] = attrs.field(factory=dict)
    conditions: frozenset[Condition] = frozenset()
    moves_to_under_mandate: Mapping[RequestStatus, RequestStatus] = attrs.field(factory=dict)
    """Where the action leads instead when the request is under a paper mandate."""


S = RequestStatus
_ALL_KNOWN: Final = frozenset(s for s in S if s is not S.UNKNOWN)
_FILED: Final = frozenset(
    {
        S.AWAITING_APPLICANT_VALIDATION,
        S.UNDER_REVIEW,
        S.IN_PROGRESS,
        S.TO_COMPLETE,
        S.REJECTED,
        S.READY_FOR_CERFA06,
        S.ACCEPTED,
    }
)
_REVIEWING: Final = frozenset({S.UNDER_REVIEW, S.IN_PROGRESS})
_DRAFT_ONLY: Final = frozenset({S.DRAFT})


def _to(
    target: RequestStatus, sources: Iterable[RequestStatus]
) -> dict[RequestStatus, RequestStatus]:
    return dict.fromkeys(sources, target)


RULES: Final[Mapping[Action, Rule]] = {
    Action.REFRESH: Rule(
        label="Mettre à jour",
        allowed=frozenset(S),
        rule="a request can always be refreshed from ANTS",
        rule_fr="Une demande peut toujours être mise à jour depuis l'ANTS.",
    ),
    Action.VIEW_ATTACHMENTS: Rule(
        label="Voir les pièces justificatives",
        allowed=_DRAFT_ONLY | _FILED,
        rule="documents can be viewed once the request exists, until it is transferred",
        rule_fr="Les pièces justificatives sont consultables tant que la demande n'est pas "
        "transférée.",
    ),
    Action.UPLOAD_ATTACHMENT: Rule(
        label="Envoyer les pièces justificatives",
        allowed=frozenset({S.DRAFT, S.TO_COMPLETE}),
        rule="documents can be sent to a draft, or to a request the prefecture asks to complete",
        rule_fr="Les pièces justificatives ne peuvent être envoyées qu'au statut BROUILLON ou "
        "À COMPLÉTER.",
    ),
    Action.DELETE_ATTACHMENT: Rule(
        label="Supprimer une pièce justificative",
        allowed=_DRAFT_ONLY,
        rule="a sent document can be deleted only while the request is a draft",
        rule_fr="Une pièce justificative ne peut être supprimée qu'au statut BROUILLON.",
    ),
    Action.SET_EPHOTO: Rule(
        label="Ajouter / modifier le code ePhoto",
        allowed=_DRAFT_ONLY,
        rule="the ePhoto code can be set only while the request is a draft",
        rule_fr="Le code ePhoto ne peut être ajouté ou modifié qu'au statut BROUILLON.",
    ),
    Action.VIEW_EPHOTO: Rule(
        label="Voir la ePhoto",
        allowed=_DRAFT_ONLY | _FILED,
        rule="the ePhoto can be viewed once the request exists, until it is transferred",
        rule_fr="La ePhoto est consultable tant que la demande n'est pas transférée.",
    ),
    Action.DELETE_EPHOTO: Rule(
        label="Supprimer le code ePhoto",
        allowed=_DRAFT_ONLY,
        rule="the ePhoto code can be deleted only while the request is a draft",
        rule_fr="Le code ePhoto ne peut être supprimé qu'au statut BROUILLON.",
        right=Right.DELETE_EPHOTO,
    ),
    Action.DEPOSIT_FORM: Rule(
        label="Formulaire de dépôt de photo-signature",
        allowed=_DRAFT_ONLY,
        rule="the photo-signature deposit form is for a draft without an ePhoto code",
        rule_fr="Le formulaire de dépôt de photo-signature n'est disponible qu'au statut "
        "BROUILLON.",
        conditions=frozenset({Condition.CERFA02_ONLY}),
    ),
    Action.VALIDATE: Rule(
        label="Valider la demande",
        allowed=_DRAFT_ONLY,
        rule="only a draft can be validated; it cannot be modified afterwards",
        rule_fr="Seule une demande au statut BROUILLON peut être validée. Après validation, "
        "elle ne peut plus être modifiée.",
        right=Right.VALIDATE_REQUEST,
        moves_to={S.DRAFT: S.AWAITING_APPLICANT_VALIDATION},
        conditions=frozenset({Condition.REQUIRED_DOCUMENTS}),
        moves_to_under_mandate={S.DRAFT: S.UNDER_REVIEW},
    ),
    Action.DELETE: Rule(
        label="Supprimer la demande",
        allowed=frozenset({S.DRAFT, S.AWAITING_APPLICANT_VALIDATION}),
        rule="a request can be deleted only in status BROUILLON or EN COURS DE VALIDATION "
        "PAR L'ÉLÈVE",
        rule_fr="Vous pouvez supprimer une demande uniquement si elle est au statut BROUILLON "
        "ou EN COURS DE VALIDATION PAR L'ÉLÈVE.",
        right=Right.DELETE_REQUEST,
    ),
    Action.TRANSFER: Rule(
        label="Transférer une demande",
        allowed=_FILED - {S.REJECTED, S.ACCEPTED},
        rule="a filed request still in process can be transferred to another agency; not a "
        "draft, nor a rejected, accepted or already transferred one, nor one filed under a "
        "paper mandate",
        rule_fr="Seule une demande déposée et en cours de traitement peut être transférée.",
        conditions=frozenset({Condition.NO_PAPER_MANDATE}),
    ),
    Action.LINK: Rule(
        label="Relier la demande à un élève",
        allowed=frozenset(S),
        rule="any request can be linked to a student",
        rule_fr="Toute demande peut être reliée à un élève.",
    ),
    Action.DOWNLOAD_DOCUMENTS: Rule(
        label="Editer les documents",
        allowed=_ALL_KNOWN - {S.TRANSFERRED},
        rule="the documents ANTS makes available can be downloaded until the request is "
        "transferred",
        rule_fr="Les documents de la préfecture sont disponibles tant que la demande n'est pas "
        "transférée.",
        conditions=frozenset({Condition.LINKED_ONLY}),
    ),
    Action.CREATE_CERFA06: Rule(
        label="Créer la demande de titre (Cerfa 06)",
        allowed=frozenset({S.READY_FOR_CERFA06}),
        rule="the title request follows an accepted Cerfa 02",
        rule_fr="La demande de titre (Cerfa 06) ne peut être créée qu'après acceptation de la "
        "demande d'inscription (Dossier à traiter en Cerfa 06).",
    ),
    Action.SEND_COMPLEMENT: Rule(
        label="Transmettre le complément",
        allowed=frozenset({S.TO_COMPLETE}),
        rule="a complement is sent when the prefecture asked to complete the request",
        rule_fr="Un complément ne peut être transmis qu'au statut À COMPLÉTER.",
        moves_to={S.TO_COMPLETE: S.UNDER_REVIEW},
    ),
    Action.APPLICANT_VALIDATES: Rule(
        label="Validation par l'élève",
        allowed=frozenset({S.AWAITING_APPLICANT_VALIDATION}),
        rule="the student confirms a validated request within 7 days",
        rule_fr="L'élève valide la demande dans les 7 jours qui suivent sa validation.",
        moves_to={S.AWAITING_APPLICANT_VALIDATION: S.UNDER_REVIEW},
        conditions=frozenset({Condition.NO_PAPER_MANDATE}),
    ),
    Action.APPLICANT_WINDOW_EXPIRES: Rule(
        label="Délai de validation dépassé",
        allowed=frozenset({S.AWAITING_APPLICANT_VALIDATION}),
        rule="after 7 days without the student's confirmation the request is a draft again",
        rule_fr="Sans validation de l'élève sous 7 jours, la demande redevient un brouillon.",
        moves_to={S.AWAITING_APPLICANT_VALIDATION: S.DRAFT},
        conditions=frozenset({Condition.NO_PAPER_MANDATE}),
    ),
    Action.PREFECTURE_TAKES_UP: Rule(
        label="Prise en charge par la préfecture",
        allowed=frozenset({S.UNDER_REVIEW}),
        rule="the prefecture takes up a request whose documents were checked",
        rule_fr="La préfecture prend en charge une demande dont les pièces ont été vérifiées.",
        moves_to={S.UNDER_REVIEW: S.IN_PROGRESS},
    ),
    Action.PREFECTURE_ACCEPTS: Rule(
        label="Acceptation par la préfecture",
        allowed=_REVIEWING,
        rule="the prefecture decides on a request under review",
        rule_fr="La préfecture statue sur une demande en cours de traitement.",
        # Where it leads depends on the request type: see next_status.
        moves_to=_to(S.ACCEPTED, _REVIEWING),
    ),
    Action.PREFECTURE_REJECTS: Rule(
        label="Rejet par la préfecture",
        allowed=_REVIEWING,
        rule="the prefecture decides on a request under review",
        rule_fr="La préfecture statue sur une demande en cours de traitement.",
        moves_to=_to(S.REJECTED, _REVIEWING),
    ),
    Action.PREFECTURE_ASKS_COMPLETION: Rule(
        label="Demande de complément par la préfecture",
        allowed=_REVIEWING,
        rule="the prefecture decides on a request under review",
        rule_fr="La préfecture statue sur une demande en cours de traitement.",
        moves_to=_to(S.TO_COMPLETE, _REVIEWING),
    ),
}
del S


def is_allowed(action: Action, status: RequestStatus) -> bool:
    """Whether ``status`` allows ``action`` (the grey or active button of the manual)."""
    return status in RULES[action].allowed


def allowed_actions(status: RequestStatus) -> frozenset[Action]:
    """Every action ``status`` allows."""
    return frozenset(a for a, rule in RULES.items() if status in rule.allowed)


def ensure_allowed(action: Action, status: RequestStatus) -> None:
    """Raise :class:`ActionNotAllowed` naming the status and the rule unless allowed."""
    if is_allowed(action, status):
        return
    rule = RULES[action]
    raise ActionNotAllowed(
        f"{action.value!r} is not allowed in status {status.value!r}: {rule.rule}",
        action=action.value,
        status=status.value,
        rule=rule.rule,
        message_fr=f"« {rule.label} » est impossible : la demande est au statut "
        f"« {status.label} ». {rule.rule_fr}",
    )


def next_status(
    action: Action,
    status: RequestStatus,
    *,
    cerfa: Cerfa = Cerfa.C02,
    paper_mandate: bool = False,
    request_type: RequestType | None = None,
) -> RequestStatus:
    """The status after ``action`` on a request in ``status`` (checked first, with the
    paper-mandate condition).

    An accepted request goes where its type says (:data:`antsclient.models.REQUEST_TYPES`):
    an inscription (Cerfa 02) becomes « à traiter en Cerfa 06 », a title request
    « accepté »; ``request_type`` defaults to the cerfa's usual one. With a paper mandate
    (mandat papier), validation skips the student's confirmation.
    """
    check(action, status, paper_mandate=paper_mandate)
    rule = RULES[action]
    if paper_mandate and status in rule.moves_to_under_mandate:
        return rule.moves_to_under_mandate[status]
    if action is Action.PREFECTURE_ACCEPTS:
        from antsclient.models.request_types import REQUEST_TYPES  # noqa: PLC0415 - on first use

        kind = request_type or (
            RequestType.EXAM_REGISTRATION if cerfa is Cerfa.C02 else RequestType.TITLE_AFTER_EXAM
        )
        return REQUEST_TYPES[kind].accepted_status
    return rule.moves_to.get(status, status)


def ensure_right(action: Action, rights: Iterable[Right] | None) -> None:
    """Raise :class:`PermissionDenied` if the action needs a right not in ``rights``.

    ``rights=None`` means the host does not manage rights: every action is granted.
    """
    needed = RULES[action].right
    if needed is None or rights is None or needed in set(rights):
        return
    raise PermissionDenied(
        f"the acting user lacks the right {needed.label!r} needed to {action.value}",
        right=needed.value,
        message_fr=f"Vous n'avez pas le droit « {needed.label} ». Demandez-le à votre "
        "responsable (Espace Dirigeant, Droits utilisateurs).",
    )


def ensure_validatable(status: RequestStatus, slots: Iterable[AttachmentSlot]) -> None:
    """Raise :class:`ActionNotAllowed` unless a draft has every required document sent."""
    check(Action.VALIDATE, status, slots=slots)


def check(
    action: Action,
    status: RequestStatus | None = None,
    *,
    rights: Iterable[Right] | None = None,
    cerfa: Cerfa | None = None,
    linked: bool | None = None,
    slots: Iterable[AttachmentSlot] | None = None,
    paper_mandate: bool | None = None,
) -> None:
    r"""Every rule of ``action`` that the facts given can decide, in one call.

    The acting user's ``rights`` first (``None``: the host does not manage rights), then the
    request's ``status`` (when known), then the rule's :class:`Condition`\ s whose facts are
    given: the request's ``cerfa``, whether it is ``linked``, its attachment ``slots``,
    whether it was filed under a ``paper_mandate``. The client calls it before any network
    I/O and the sandbox before any change, so both refuse alike.
    """
    ensure_right(action, rights)
    if status is None:
        return
    ensure_allowed(action, status)
    conditions = RULES[action].conditions
    if Condition.CERFA02_ONLY in conditions and cerfa is not None and cerfa is not Cerfa.C02:
        raise _refused(
            action,
            status,
            code="action_not_allowed",
            message="the photo-signature deposit form exists for a Cerfa 02 only",
            rule="Cerfa 02 only",
            message_fr="Le formulaire de dépôt de photo-signature n'existe que pour une "
            "demande d'inscription (Cerfa 02).",
        )
    if Condition.LINKED_ONLY in conditions and linked is False:
        raise _refused(
            action,
            status,
            code="request_not_linked",
            message="the request is not linked to a student: link it first",
            rule="prefecture documents are offered only for linked requests",
            message_fr="Les documents de la préfecture ne sont disponibles que pour une "
            "demande reliée à un élève : reliez d'abord la demande.",
        )
    if Condition.NO_PAPER_MANDATE in conditions and paper_mandate:
        raise _refused(
            action,
            status,
            code="paper_mandate",
            message=f"{action.value!r} is not possible for a request filed under a paper mandate",
            rule="a request filed under a paper mandate is neither validated by the student "
            "nor transferred",
            message_fr=f"« {RULES[action].label} » est impossible : la demande a été réalisée "
            "avec un mandat papier. "
            + (
                "Une demande réalisée avec mandat papier ne peut pas faire l'objet d'un transfert."
                if action is Action.TRANSFER
                else "Avec un mandat papier, l'élève n'a pas à valider la demande."
            ),
        )
    if Condition.REQUIRED_DOCUMENTS in conditions and slots is not None:
        missing = [s for s in slots if s.required and not s.sent]
        if missing:
            labels = ", ".join(s.label for s in missing)
            raise _refused(
                action,
                status,
                code="required_documents_missing",
                message="required documents are missing: "
                + ", ".join(s.kind.value for s in missing),
                rule="validation needs every required supporting document",
                field="attachments",
                message_fr="La demande ne peut pas être validée : pièces justificatives "
                f"requises manquantes ({labels}).",
            )


def _refused(
    action: Action,
    status: RequestStatus,
    *,
    code: str,
    message: str,
    rule: str,
    message_fr: str,
    field: str | None = None,
) -> ActionNotAllowed:
    return ActionNotAllowed(
        message,
        code=code,
        action=action.value,
        status=status.value,
        rule=rule,
        field=field,
        message_fr=message_fr,
    )
