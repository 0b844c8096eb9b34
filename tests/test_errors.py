"""Errors: stable codes, English str, French message_fr, and intact pickling."""

from __future__ import annotations

import copy
import pickle
import re
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from antsclient import (
    ActionNotAllowed,
    AntsError,
    AntsUnavailable,
    ApplicationDataError,
    AttachmentRejected,
    AuthenticationError,
    ConfigurationError,
    DivergenceError,
    FieldProblem,
    PermissionDenied,
    ProtocolError,
    RequestNotFound,
    ResourceNotFound,
    Secret,
    Severity,
    StoreError,
)
from antsclient import errors as errors_module
from antsclient.errors import ExtraNotInstalled

PASSWORD = "P4ssw0rd-ne-jamais-afficher"

PROBLEMS = (
    FieldProblem(
        field="applicant.first_name",
        code="first_name.several_given_names",
        message="only the main given name",
        message_fr="Prénom incorrect.",
    ),
    FieldProblem(
        field="neph",
        code="neph.unusual_length",
        message="usually 12 digits",
        message_fr="Le numéro NEPH ne comporte pas 12 chiffres.",
        severity=Severity.WARNING,
        suggestions=("150833200011",),
    ),
)

DEFAULT_CODES = {
    AntsError: "ants_error",
    ConfigurationError: "configuration_missing",
    AuthenticationError: "authentication_failed",
    ApplicationDataError: "application_data",
    DivergenceError: "divergence",
    ActionNotAllowed: "action_not_allowed",
    PermissionDenied: "permission_denied",
    AttachmentRejected: "attachment_rejected",
    RequestNotFound: "request_not_found",
    ResourceNotFound: "not_found",
    AntsUnavailable: "ants_unavailable",
    ProtocolError: "protocol_error",
    StoreError: "store_error",
    ExtraNotInstalled: "extra_not_installed",
}

# One fully-populated instance of every error class, with its extra attributes.
EXAMPLES: list[tuple[AntsError, dict[str, Any]]] = [
    (AntsError("boom", code="x.y", message_fr="Boum.", field="f"), {}),
    (ConfigurationError("postal code missing", field="credentials.postal_code"), {}),
    (AuthenticationError("bad login"), {}),
    (
        ApplicationDataError(problems=PROBLEMS),
        {"problems": PROBLEMS},
    ),
    (
        DivergenceError("email already used", existing_number="90120170705153905547685"),
        {"existing_number": "90120170705153905547685"},
    ),
    (
        ActionNotAllowed("not now", action="delete", status="under_review", rule="the rule"),
        {"action": "delete", "status": "under_review", "rule": "the rule"},
    ),
    (PermissionDenied("no right", right="delete_ephoto"), {"right": "delete_ephoto"}),
    (
        AttachmentRejected("too big", kind="identity", code="attachment.too_large"),
        {"kind": "identity"},
    ),
    (RequestNotFound("no request 3223"), {}),
    (ResourceNotFound("no ePhoto code yet", code="ephoto_not_found"), {}),
    (
        AntsUnavailable(
            "timed out", may_have_taken_effect=True, attempts=4, server="https://ants.test"
        ),
        {"may_have_taken_effect": True, "attempts": 4, "server": "https://ants.test"},
    ),
    (ProtocolError("unexpected HTML"), {}),
    (StoreError("the store is locked", operation="merge"), {"operation": "merge"}),
    (
        ExtraNotInstalled("needs starlette", extra="sandbox", package="starlette"),
        {"extra": "sandbox", "package": "starlette"},
    ),
]

COMMON = ("message", "code", "message_fr", "field", "args")

FRENCH = re.compile(r"[éèêàâçôùîÉÀ]|\b(?:la|le|les|de|du|des|est|une?)\b", re.IGNORECASE)


def _ids(examples: list[tuple[AntsError, dict[str, Any]]]) -> list[str]:
    return [type(e).__name__ for e, _ in examples]


def test_every_error_class_has_an_example() -> None:
    classes = {
        obj
        for obj in vars(errors_module).values()
        if isinstance(obj, type) and issubclass(obj, AntsError)
    }
    assert classes == {type(e) for e, _ in EXAMPLES} == set(DEFAULT_CODES)


@pytest.mark.parametrize(("error", "extra"), EXAMPLES, ids=_ids(EXAMPLES))
@pytest.mark.parametrize("protocol", [0, 2, pickle.HIGHEST_PROTOCOL])
def test_pickles_and_unpickles_intact(error: AntsError, extra: dict[str, Any], protocol: int):
    clone = pickle.loads(pickle.dumps(error, protocol=protocol))
    assert type(clone) is type(error)
    for name in (*COMMON, *extra):
        assert getattr(clone, name) == getattr(error, name), name
    for name, value in extra.items():
        assert getattr(clone, name) == value
    assert str(clone) == str(error)
    assert repr(clone) == repr(error)


@pytest.mark.parametrize(("error", "extra"), EXAMPLES, ids=_ids(EXAMPLES))
def test_copies_intact(error: AntsError, extra: dict[str, Any]) -> None:
    clone = copy.deepcopy(error)
    assert type(clone) is type(error)
    for name in (*COMMON, *extra):
        assert getattr(clone, name) == getattr(error, name)


@pytest.mark.parametrize("cls", list(DEFAULT_CODES), ids=lambda c: c.__name__)
def test_default_code_and_french_message(cls: type[AntsError]) -> None:
    error = cls("something went wrong")
    assert isinstance(error, AntsError)
    assert isinstance(error, Exception)
    assert error.code == DEFAULT_CODES[cls]
    assert cls.default_code == DEFAULT_CODES[cls]
    assert str(error) == "something went wrong"
    assert error.message == "something went wrong"
    assert error.message_fr == cls.default_message_fr
    assert FRENCH.search(error.message_fr), error.message_fr


@pytest.mark.parametrize("cls", list(DEFAULT_CODES), ids=lambda c: c.__name__)
def test_code_and_french_message_can_be_given(cls: type[AntsError]) -> None:
    error = cls("english", code="my.code", message_fr="En français.", field="x.y")
    assert error.code == "my.code"
    assert error.message_fr == "En français."
    assert error.field == "x.y"
    assert str(error) == "english"


def test_repr_names_class_message_code_and_field() -> None:
    assert repr(RequestNotFound("gone")) == "RequestNotFound('gone', code='request_not_found')"
    assert (
        repr(ConfigurationError("missing", field="postal_code"))
        == "ConfigurationError('missing', code='configuration_missing', field='postal_code')"
    )


def test_authentication_message_fr_follows_the_manual() -> None:
    text = AuthenticationError("bad").message_fr
    assert "Erreur d'authentification" in text
    assert "agrément" in text
    assert "mot de passe" in text


def test_application_data_error_summarises_every_problem() -> None:
    error = ApplicationDataError(problems=PROBLEMS)
    assert error.problems == PROBLEMS
    assert error.field == "applicant.first_name"
    assert str(error).startswith("2 problem(s) in the application:")
    for p in PROBLEMS:
        assert p.code in str(error)
        assert p.field in str(error)
        assert p.message_fr in error.message_fr
    assert error.message_fr.split("\n") == [p.message_fr for p in PROBLEMS]


def test_application_data_error_accepts_any_iterable_of_problems() -> None:
    error = ApplicationDataError(problems=iter(PROBLEMS))
    assert error.problems == PROBLEMS


def test_application_data_error_without_problems() -> None:
    error = ApplicationDataError()
    assert error.problems == ()
    assert str(error) == "the application data was refused"
    assert error.message_fr == ApplicationDataError.default_message_fr
    assert error.field is None


def test_application_data_error_explicit_values_win() -> None:
    error = ApplicationDataError("msg", problems=PROBLEMS, message_fr="Fr.", field="other")
    assert str(error) == "msg"
    assert error.message_fr == "Fr."
    assert error.field == "other"


def test_divergence_error_points_at_the_email() -> None:
    error = DivergenceError("dup")
    assert error.field == "applicant.email"
    assert error.existing_number is None
    assert "email" in error.message_fr
    assert "reliez" in error.message_fr
    assert DivergenceError("dup", field=None).field is None
    assert pickle.loads(pickle.dumps(DivergenceError("dup", field=None))).field is None


def test_ants_unavailable_defaults() -> None:
    error = AntsUnavailable("slow")
    assert error.may_have_taken_effect is False
    assert error.attempts == 1
    assert "La page ne répond pas" in error.message_fr


def test_field_problem_is_error_by_severity() -> None:
    error, warning = PROBLEMS
    assert error.severity is Severity.ERROR
    assert error.is_error
    assert not warning.is_error
    assert warning.suggestions == ("150833200011",)
    assert pickle.loads(pickle.dumps(warning)) == warning


def test_severity_values_are_stable() -> None:
    assert Severity.ERROR == "error"
    assert Severity.WARNING == "warning"


def test_errors_are_caught_as_ants_error() -> None:
    with pytest.raises(AntsError) as info:
        raise PermissionDenied("nope", right="validate_request")
    assert isinstance(info.value, PermissionDenied)
    assert info.value.right == "validate_request"


@pytest.mark.parametrize(("error", "extra"), EXAMPLES, ids=_ids(EXAMPLES))
def test_no_secret_in_any_error(error: AntsError, extra: dict[str, Any]) -> None:
    # Even a message built carelessly from a Secret never carries the value.
    secret = Secret(PASSWORD)
    careless = type(error)(f"login failed with {secret}", message_fr=f"Mot de passe {secret!r}")
    for obj in (error, careless):
        dumped = pickle.dumps(obj)
        for text in (str(obj), repr(obj), obj.message_fr, str(obj.args)):
            assert PASSWORD not in text
        assert PASSWORD.encode() not in dumped
    assert "**********" in str(careless)


@given(
    message=st.text(),
    code=st.none() | st.text(min_size=1),
    field=st.none() | st.text(),
    attempts=st.integers(min_value=0, max_value=100),
    effect=st.booleans(),
)
def test_unavailable_pickles_any_values(
    message: str, code: str | None, field: str | None, attempts: int, effect: bool
) -> None:
    error = AntsUnavailable(
        message, code=code, field=field, attempts=attempts, may_have_taken_effect=effect
    )
    clone = pickle.loads(pickle.dumps(error))
    assert (clone.message, clone.code, clone.field, clone.attempts) == (
        error.message,
        error.code,
        error.field,
        error.attempts,
    )
    assert clone.may_have_taken_effect is effect
