"""The lifecycle table: which action each status allows, where it leads, who may do it."""

from __future__ import annotations

import pickle

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from antsclient import ActionNotAllowed, PermissionDenied
from antsclient.lifecycle import (
    RULES,
    Action,
    Condition,
    allowed_actions,
    check,
    ensure_allowed,
    ensure_right,
    ensure_validatable,
    is_allowed,
    next_status,
)
from antsclient.models import (
    REQUEST_TYPES,
    AttachmentSlot,
    Cerfa,
    DocumentKind,
    RequestStatus,
    RequestType,
    Right,
)

S = RequestStatus
A = Action

MODIFYING = (A.UPLOAD_ATTACHMENT, A.DELETE_ATTACHMENT, A.SET_EPHOTO, A.DELETE_EPHOTO)
AFTER_VALIDATION = frozenset(s for s in S if s is not S.DRAFT)
FRENCH_STATUS_WORDS = ("statut", "demande", "impossible")


def test_every_action_has_a_rule() -> None:
    assert set(RULES) == set(Action)
    for action in Action:
        rule_ = RULES[action]
        assert action.label == rule_.label
        assert rule_.rule
        assert rule_.rule_fr
        assert rule_.allowed <= set(S)
        # moves_to only ever leaves from a status that allows the action
        assert set(rule_.moves_to) <= rule_.allowed


@given(action=st.sampled_from(Action), status=st.sampled_from(RequestStatus))
def test_ensure_allowed_raises_exactly_when_not_allowed(action: Action, status: RequestStatus):
    if is_allowed(action, status):
        ensure_allowed(action, status)
        assert action in allowed_actions(status)
        return
    assert action not in allowed_actions(status)
    with pytest.raises(ActionNotAllowed) as info:
        ensure_allowed(action, status)
    error = info.value
    assert error.code == "action_not_allowed"
    assert error.action == action.value
    assert error.status == status.value
    assert error.rule == RULES[action].rule
    assert action.value in str(error)
    assert status.value in str(error)
    assert RULES[action].rule in str(error)
    # French: names the action and the status as the user knows them, then the rule.
    assert f"« {RULES[action].label} »" in error.message_fr
    assert f"« {status.label} »" in error.message_fr
    assert RULES[action].rule_fr in error.message_fr
    assert "impossible" in error.message_fr
    assert pickle.loads(pickle.dumps(error)).rule == error.rule


@given(
    action=st.sampled_from(Action),
    status=st.sampled_from(RequestStatus),
    paper_mandate=st.booleans(),
    request_type=st.sampled_from([None, *RequestType]),
)
def test_next_status_is_checked_and_stays_in_the_table(
    action: Action, status: RequestStatus, paper_mandate: bool, request_type: RequestType | None
) -> None:
    rule = RULES[action]
    barred = paper_mandate and Condition.NO_PAPER_MANDATE in rule.conditions
    for cerfa in Cerfa:
        kwargs = {"cerfa": cerfa, "paper_mandate": paper_mandate, "request_type": request_type}
        if not is_allowed(action, status) or barred:
            with pytest.raises(ActionNotAllowed) as refused:
                next_status(action, status, **kwargs)  # type: ignore[arg-type]
            if is_allowed(action, status):
                assert refused.value.code == "paper_mandate"
                assert "mandat papier" in refused.value.message_fr
            continue
        after = next_status(action, status, **kwargs)  # type: ignore[arg-type]
        assert isinstance(after, RequestStatus)
        if paper_mandate and status in rule.moves_to_under_mandate:
            assert after is rule.moves_to_under_mandate[status]
        elif action is A.PREFECTURE_ACCEPTS:
            kind = request_type or (
                RequestType.EXAM_REGISTRATION
                if cerfa is Cerfa.C02
                else RequestType.TITLE_AFTER_EXAM
            )
            assert after is REQUEST_TYPES[kind].accepted_status
        elif not rule.moves_to:
            assert after is status
        # Under a paper mandate nothing ever waits for the student, nor is transferred.
        if paper_mandate:
            assert after is not S.AWAITING_APPLICANT_VALIDATION or status is after
            assert action is not A.TRANSFER


@given(status=st.sampled_from(RequestStatus), paper_mandate=st.booleans())
def test_a_paper_mandate_bars_the_transfer_and_the_student_in_every_status(
    status: RequestStatus, paper_mandate: bool
) -> None:
    for action in (A.TRANSFER, A.APPLICANT_VALIDATES, A.APPLICANT_WINDOW_EXPIRES):
        allowed = is_allowed(action, status) and not paper_mandate
        try:
            check(action, status, paper_mandate=paper_mandate)
        except ActionNotAllowed:
            assert not allowed
        else:
            assert allowed


@pytest.mark.parametrize("status", list(RequestStatus))
def test_allowed_actions_matches_is_allowed(status: RequestStatus) -> None:
    assert allowed_actions(status) == {a for a in Action if is_allowed(a, status)}


def test_allowed_actions_of_a_draft() -> None:
    assert allowed_actions(S.DRAFT) == {
        A.REFRESH,
        A.VIEW_ATTACHMENTS,
        A.UPLOAD_ATTACHMENT,
        A.DELETE_ATTACHMENT,
        A.SET_EPHOTO,
        A.VIEW_EPHOTO,
        A.DELETE_EPHOTO,
        A.DEPOSIT_FORM,
        A.VALIDATE,
        A.DELETE,
        A.LINK,
        A.DOWNLOAD_DOCUMENTS,
    }


def test_a_transferred_or_unknown_request_can_only_be_refreshed_and_linked() -> None:
    assert allowed_actions(S.TRANSFERRED) == {A.REFRESH, A.LINK}
    assert allowed_actions(S.UNKNOWN) == {A.REFRESH, A.LINK}


@pytest.mark.parametrize("status", list(RequestStatus))
def test_delete_only_in_draft_or_awaiting_student(status: RequestStatus) -> None:
    expected = status in {S.DRAFT, S.AWAITING_APPLICANT_VALIDATION}
    assert is_allowed(A.DELETE, status) is expected
    if not expected:
        with pytest.raises(ActionNotAllowed) as info:
            ensure_allowed(A.DELETE, status)
        assert "BROUILLON ou EN COURS DE VALIDATION PAR L'ÉLÈVE" in info.value.message_fr


@pytest.mark.parametrize("status", list(RequestStatus))
def test_validate_only_a_draft(status: RequestStatus) -> None:
    assert is_allowed(A.VALIDATE, status) is (status is S.DRAFT)


@pytest.mark.parametrize("status", sorted(AFTER_VALIDATION))
@pytest.mark.parametrize("action", MODIFYING)
def test_nothing_modifiable_after_validation_but_completion(status, action) -> None:
    allowed = action is A.UPLOAD_ATTACHMENT and status is S.TO_COMPLETE
    assert is_allowed(action, status) is allowed


@pytest.mark.parametrize("action", MODIFYING)
def test_a_draft_is_modifiable(action: Action) -> None:
    assert is_allowed(action, S.DRAFT)
    assert next_status(action, S.DRAFT) is S.DRAFT


@pytest.mark.parametrize(
    ("action", "before", "cerfa", "paper", "after"),
    [
        (A.VALIDATE, S.DRAFT, Cerfa.C02, False, S.AWAITING_APPLICANT_VALIDATION),
        (A.VALIDATE, S.DRAFT, Cerfa.C06, False, S.AWAITING_APPLICANT_VALIDATION),
        (A.VALIDATE, S.DRAFT, Cerfa.C02, True, S.UNDER_REVIEW),
        (A.VALIDATE, S.DRAFT, Cerfa.C06, True, S.UNDER_REVIEW),
        (A.APPLICANT_VALIDATES, S.AWAITING_APPLICANT_VALIDATION, Cerfa.C02, False, S.UNDER_REVIEW),
        (A.APPLICANT_WINDOW_EXPIRES, S.AWAITING_APPLICANT_VALIDATION, Cerfa.C02, False, S.DRAFT),
        (A.PREFECTURE_TAKES_UP, S.UNDER_REVIEW, Cerfa.C02, False, S.IN_PROGRESS),
        (A.PREFECTURE_ACCEPTS, S.UNDER_REVIEW, Cerfa.C02, False, S.READY_FOR_CERFA06),
        (A.PREFECTURE_ACCEPTS, S.IN_PROGRESS, Cerfa.C02, False, S.READY_FOR_CERFA06),
        (A.PREFECTURE_ACCEPTS, S.UNDER_REVIEW, Cerfa.C06, False, S.ACCEPTED),
        (A.PREFECTURE_ACCEPTS, S.IN_PROGRESS, Cerfa.C06, False, S.ACCEPTED),
        (A.PREFECTURE_REJECTS, S.UNDER_REVIEW, Cerfa.C02, False, S.REJECTED),
        (A.PREFECTURE_REJECTS, S.IN_PROGRESS, Cerfa.C06, False, S.REJECTED),
        (A.PREFECTURE_ASKS_COMPLETION, S.IN_PROGRESS, Cerfa.C02, False, S.TO_COMPLETE),
        (A.PREFECTURE_ASKS_COMPLETION, S.UNDER_REVIEW, Cerfa.C06, False, S.TO_COMPLETE),
        (A.SEND_COMPLEMENT, S.TO_COMPLETE, Cerfa.C02, False, S.UNDER_REVIEW),
        (A.UPLOAD_ATTACHMENT, S.TO_COMPLETE, Cerfa.C02, False, S.TO_COMPLETE),
        (A.CREATE_CERFA06, S.READY_FOR_CERFA06, Cerfa.C02, False, S.READY_FOR_CERFA06),
        (A.TRANSFER, S.UNDER_REVIEW, Cerfa.C02, False, S.UNDER_REVIEW),
        (A.REFRESH, S.UNKNOWN, Cerfa.C02, False, S.UNKNOWN),
        (
            A.DELETE,
            S.AWAITING_APPLICANT_VALIDATION,
            Cerfa.C02,
            False,
            S.AWAITING_APPLICANT_VALIDATION,
        ),
    ],
)
def test_transitions(action, before, cerfa, paper, after) -> None:
    assert next_status(action, before, cerfa=cerfa, paper_mandate=paper) is after


def test_next_status_defaults_to_a_cerfa02_without_mandate() -> None:
    assert next_status(A.PREFECTURE_ACCEPTS, S.UNDER_REVIEW) is S.READY_FOR_CERFA06
    assert next_status(A.VALIDATE, S.DRAFT) is S.AWAITING_APPLICANT_VALIDATION


def test_paper_mandate_does_not_open_validation_of_a_filed_request() -> None:
    with pytest.raises(ActionNotAllowed):
        next_status(A.VALIDATE, S.UNDER_REVIEW, paper_mandate=True)


def test_create_cerfa06_only_after_an_accepted_cerfa02() -> None:
    assert {s for s in S if is_allowed(A.CREATE_CERFA06, s)} == {S.READY_FOR_CERFA06}


def test_transfer_only_a_filed_request_in_process() -> None:
    assert {s for s in S if is_allowed(A.TRANSFER, s)} == {
        S.AWAITING_APPLICANT_VALIDATION,
        S.UNDER_REVIEW,
        S.IN_PROGRESS,
        S.TO_COMPLETE,
        S.READY_FOR_CERFA06,
    }


def test_refresh_and_link_always() -> None:
    for status in S:
        assert is_allowed(A.REFRESH, status)
        assert is_allowed(A.LINK, status)


# --- rights ------------------------------------------------------------------------------------

NEEDS = {A.VALIDATE: Right.VALIDATE_REQUEST, A.DELETE: Right.DELETE_REQUEST,
         A.DELETE_EPHOTO: Right.DELETE_EPHOTO}  # fmt: skip


def test_rights_needed_by_actions() -> None:
    assert {a: RULES[a].right for a in Action if RULES[a].right is not None} == NEEDS


@pytest.mark.parametrize("action", list(Action))
def test_rights_none_means_not_managed(action: Action) -> None:
    ensure_right(action, None)


@pytest.mark.parametrize("action", list(Action))
def test_all_rights_granted(action: Action) -> None:
    ensure_right(action, set(Right))
    ensure_right(action, iter(list(Right)))


@pytest.mark.parametrize(("action", "right"), list(NEEDS.items()))
def test_missing_right_is_denied_in_french(action: Action, right: Right) -> None:
    others = [r for r in Right if r is not right]
    with pytest.raises(PermissionDenied) as info:
        ensure_right(action, others)
    error = info.value
    assert error.code == "permission_denied"
    assert error.right == right.value
    assert right.label in str(error)
    assert f"« {right.label} »" in error.message_fr
    assert "Vous n'avez pas le droit" in error.message_fr
    with pytest.raises(PermissionDenied):
        ensure_right(action, [])


def test_right_given_as_its_string_value_counts() -> None:
    ensure_right(A.DELETE, ["delete_request"])  # type: ignore[list-item]


@pytest.mark.parametrize("action", [a for a in Action if a not in NEEDS])
def test_actions_without_a_right_pass_with_no_rights(action: Action) -> None:
    ensure_right(action, [])


# --- validation of a draft -----------------------------------------------------------------


def _slot(kind: DocumentKind, *, required: bool, sent: bool) -> AttachmentSlot:
    return AttachmentSlot(
        kind=kind,
        label=kind.label,
        pages=1 if sent else 0,
        max_pages=kind.max_pages,
        help=kind.help,
        sent=sent,
        required=required,
    )


def test_validatable_when_required_documents_sent() -> None:
    slots = [
        _slot(DocumentKind.IDENTITY, required=True, sent=True),
        _slot(DocumentKind.PROOF_OF_ADDRESS, required=True, sent=True),
        _slot(DocumentKind.ASSR, required=False, sent=False),
    ]
    ensure_validatable(S.DRAFT, slots)
    ensure_validatable(S.DRAFT, [])


def test_not_validatable_with_required_documents_missing() -> None:
    slots = [
        _slot(DocumentKind.IDENTITY, required=True, sent=False),
        _slot(DocumentKind.PROOF_OF_ADDRESS, required=True, sent=True),
        _slot(DocumentKind.MEDICAL_OPINION, required=True, sent=False),
        _slot(DocumentKind.ASSR, required=False, sent=False),
    ]
    with pytest.raises(ActionNotAllowed) as info:
        ensure_validatable(S.DRAFT, slots)
    error = info.value
    assert error.code == "required_documents_missing"
    assert error.action == "validate"
    assert error.status == "draft"
    assert error.field == "attachments"
    assert "identity" in str(error)
    assert "medical_opinion" in str(error)
    assert "proof_of_address" not in str(error)
    assert "assr" not in str(error)
    assert "Pièce d'identité, Avis médical" in error.message_fr
    assert "ne peut pas être validée" in error.message_fr


@pytest.mark.parametrize("status", sorted(AFTER_VALIDATION))
def test_not_validatable_outside_draft_even_with_documents(status: RequestStatus) -> None:
    with pytest.raises(ActionNotAllowed) as info:
        ensure_validatable(status, [_slot(DocumentKind.IDENTITY, required=True, sent=True)])
    assert info.value.code == "action_not_allowed"


# --- random walks ------------------------------------------------------------------------------


class RequestLifecycle(RuleBasedStateMachine):
    """A request walked through random actions by the agency, the student and the prefecture."""

    def __init__(self) -> None:
        super().__init__()
        self.status = S.DRAFT
        self.cerfa = Cerfa.C02
        self.paper_mandate = False
        self.history: list[RequestStatus] = [S.DRAFT]

    @rule(cerfa=st.sampled_from(Cerfa), paper=st.booleans())
    def configure(self, cerfa: Cerfa, paper: bool) -> None:
        if self.status is S.DRAFT:
            if paper is not self.paper_mandate:
                self.history = [S.DRAFT]
            self.cerfa = cerfa
            self.paper_mandate = paper

    @rule(action=st.sampled_from(Action))
    def act(self, action: Action) -> None:
        before = self.status
        barred = self.paper_mandate and Condition.NO_PAPER_MANDATE in RULES[action].conditions
        if not is_allowed(action, before) or barred:
            with pytest.raises(ActionNotAllowed):
                next_status(action, before, cerfa=self.cerfa, paper_mandate=self.paper_mandate)
            assert self.status is before
            return
        after = next_status(action, before, cerfa=self.cerfa, paper_mandate=self.paper_mandate)
        if action is A.PREFECTURE_ACCEPTS:
            assert after is (S.READY_FOR_CERFA06 if self.cerfa is Cerfa.C02 else S.ACCEPTED)
        if action is A.VALIDATE:
            assert after is (
                S.UNDER_REVIEW if self.paper_mandate else S.AWAITING_APPLICANT_VALIDATION
            )
        self.status = after
        self.history.append(after)

    @invariant()
    def a_paper_mandate_never_waits_for_the_student(self) -> None:
        if self.paper_mandate:
            assert S.AWAITING_APPLICANT_VALIDATION not in self.history

    @invariant()
    def status_is_in_the_table(self) -> None:
        assert self.status in set(S) - {S.UNKNOWN, S.TRANSFERRED}
        assert A.REFRESH in allowed_actions(self.status)

    @invariant()
    def final_statuses_stay_final(self) -> None:
        for final in (S.ACCEPTED, S.REJECTED, S.READY_FOR_CERFA06):
            if final in self.history:
                assert self.status is final


TestRequestLifecycle = RequestLifecycle.TestCase
TestRequestLifecycle.settings = settings(max_examples=40, stateful_step_count=25, deadline=None)
