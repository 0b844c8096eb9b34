"""The sandbox without its extra: an error that says what to install, never a bare
``ModuleNotFoundError: starlette``."""

from __future__ import annotations

import importlib
import pickle
import sys

import pytest

import antsclient
from antsclient.errors import ConfigurationError, ExtraNotInstalled

INSTALL = "pip install 'antsclient[sandbox]'"


def _forget_the_sandbox(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the next import of antsclient.sandbox run again (restored after the test)."""
    for name in [m for m in sys.modules if m.startswith("antsclient.sandbox")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.delattr(antsclient, "sandbox", raising=False)


def _check(error: ExtraNotInstalled, package: str) -> None:
    assert isinstance(error, ConfigurationError)
    assert isinstance(error, ImportError)
    assert error.code == "extra_not_installed"
    assert (error.extra, error.package, error.name) == ("sandbox", package, package)
    assert INSTALL in str(error)
    assert package in str(error)
    assert error.message_fr.startswith(f"Le bac à sable ANTS a besoin du module {package}")
    assert INSTALL in error.message_fr


def test_importing_the_sandbox_without_starlette_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _forget_the_sandbox(monkeypatch)
    monkeypatch.setitem(sys.modules, "starlette", None)
    with pytest.raises(ExtraNotInstalled) as refused:
        importlib.import_module("antsclient.sandbox")
    _check(refused.value, "starlette")
    with pytest.raises(ImportError, match=r"antsclient\[sandbox\]"):
        importlib.import_module("antsclient.sandbox.serve")
    with pytest.raises(ConfigurationError):
        antsclient.sandbox  # noqa: B018 - the lazy attribute imports it


def test_without_python_multipart_too(monkeypatch: pytest.MonkeyPatch) -> None:
    _forget_the_sandbox(monkeypatch)
    for name in ("python_multipart", "multipart"):
        monkeypatch.setitem(sys.modules, name, None)
    with pytest.raises(ExtraNotInstalled) as refused:
        importlib.import_module("antsclient.sandbox")
    _check(refused.value, "python-multipart")


def test_serving_without_uvicorn_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    from antsclient.sandbox import serve

    monkeypatch.setitem(sys.modules, "uvicorn", None)
    with pytest.raises(ExtraNotInstalled) as refused, serve():
        pass
    _check(refused.value, "uvicorn")


def test_the_error_pickles() -> None:
    error = ExtraNotInstalled("needs starlette", extra="sandbox", package="starlette")
    again = pickle.loads(pickle.dumps(error))
    assert (type(again), again.extra, again.package, str(again)) == (
        ExtraNotInstalled,
        "sandbox",
        "starlette",
        "needs starlette",
    )
