"""Secret: the password never shows, whatever way the value is printed, compared or copied."""

from __future__ import annotations

import copy
import logging
import pickle

import pytest
from hypothesis import given
from hypothesis import strategies as st

from antsclient import Credentials, Secret
from antsclient._secret import to_secret

VALUE = "hunter2-Très-Secret"


def test_reveal_gives_the_value() -> None:
    assert Secret(VALUE).reveal() == VALUE


@pytest.mark.parametrize(
    "render",
    [
        repr,
        str,
        lambda s: f"{s}",
        lambda s: f"{s!r}",
        lambda s: f"{s:>40}",
        "{}".format,
        lambda s: "%s" % s,  # noqa: UP031
        lambda s: "%r" % s,  # noqa: UP031
        lambda s: repr([s]),
        lambda s: str({"password": s}),
    ],
    ids=[
        "repr",
        "str",
        "fstring",
        "fstring-repr",
        "format-spec",
        "format",
        "percent-s",
        "percent-r",
        "in-list",
        "in-dict",
    ],
)
def test_no_rendering_shows_the_value(render) -> None:
    shown = render(Secret(VALUE))
    assert VALUE not in shown
    assert "*" in shown


def test_repr_and_str_are_masks() -> None:
    s = Secret(VALUE)
    assert repr(s) == "Secret('**********')"
    assert str(s) == "**********"
    assert f"{s:>12}" == "  **********"


def test_logging_does_not_show_the_value(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO):
        logging.getLogger("antsclient.test").info(
            "login with %s / %r", Secret(VALUE), Secret(VALUE)
        )
    assert caplog.records
    assert VALUE not in caplog.text


@given(st.text(min_size=1))
def test_any_value_is_hidden_and_revealed(value: str) -> None:
    s = Secret(value)
    assert s.reveal() == value
    assert repr(s) == "Secret('**********')"
    assert str(s) == "**********"
    assert len(s) == len(value)
    assert s == Secret(value)
    assert hash(s) == hash(Secret(value))


def test_equality_and_hash() -> None:
    assert Secret("a") == Secret("a")
    assert Secret("a") != Secret("b")
    assert hash(Secret("a")) == hash(Secret("a"))
    assert len({Secret("a"), Secret("a"), Secret("b")}) == 2


def test_never_equal_to_the_plain_string() -> None:
    assert Secret("a") != "a"
    assert "a" != Secret("a")  # noqa: SIM300 - the reflected comparison
    assert Secret("a").__eq__("a") is NotImplemented


def test_truthiness_and_length() -> None:
    assert not Secret("")
    assert Secret("x")
    assert len(Secret("abc")) == 3


@pytest.mark.parametrize("bad", [None, 123, b"bytes", ["a"]])
def test_only_wraps_a_str(bad: object) -> None:
    with pytest.raises(TypeError, match="wraps a str"):
        Secret(bad)  # type: ignore[arg-type]


def test_of_and_to_secret_do_not_double_wrap() -> None:
    s = Secret(VALUE)
    assert Secret.of(s) is s
    assert to_secret(s) is s
    wrapped = Secret.of(VALUE)
    assert isinstance(wrapped, Secret)
    assert wrapped.reveal() == VALUE
    assert to_secret(VALUE) == s


@pytest.mark.parametrize("protocol", range(pickle.HIGHEST_PROTOCOL + 1))
def test_pickling_is_refused(protocol: int) -> None:
    with pytest.raises(TypeError, match="cannot be pickled"):
        pickle.dumps(Secret(VALUE), protocol=protocol)


def test_copy_is_refused_too() -> None:
    with pytest.raises(TypeError, match="cannot be pickled"):
        copy.copy(Secret(VALUE))


def test_no_instance_dict_to_leak_through() -> None:
    s = Secret(VALUE)
    assert not hasattr(s, "__dict__")
    with pytest.raises(AttributeError):
        s.other = 1  # type: ignore[attr-defined]


def test_credentials_repr_hides_the_password() -> None:
    creds = Credentials(agreement="E1706900030", login="claboret662", password=VALUE)
    assert isinstance(creds.password, Secret)
    assert creds.password.reveal() == VALUE
    for shown in (repr(creds), str(creds), f"{creds}", repr([creds])):
        assert VALUE not in shown
        assert "E1706900030" in shown
        assert "claboret662" in shown


def test_credentials_accept_a_secret_and_compare_by_value() -> None:
    a = Credentials(agreement="E1", login="l", password=Secret(VALUE))
    b = Credentials(agreement="E1", login="l", password=VALUE)
    assert a == b
    assert a != Credentials(agreement="E1", login="l", password="other")


def test_credentials_cannot_be_pickled_with_their_password() -> None:
    creds = Credentials(agreement="E1", login="l", password=VALUE)
    with pytest.raises(TypeError):
        pickle.dumps(creds)
