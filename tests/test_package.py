"""The package's public surface: exported names, lazy loading, cheap import."""

from __future__ import annotations

import subprocess
import sys

import pytest

import antsclient


def test_every_exported_name_resolves() -> None:
    for name in antsclient.__all__:
        assert getattr(antsclient, name) is not None, name


def test_all_is_sorted_and_unique() -> None:
    assert list(antsclient.__all__) == sorted(set(antsclient.__all__))


def test_dir_lists_the_lazy_names() -> None:
    names = dir(antsclient)
    assert "Credentials" in names
    assert "validate" in names


def test_unknown_attribute_raises_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        _ = antsclient.nope  # type: ignore[attr-defined]


def test_from_import_works_for_lazy_names() -> None:
    from antsclient import Cerfa02, validate

    assert Cerfa02.cerfa.value == "02"
    assert callable(validate)


def test_import_loads_nothing_heavy() -> None:
    code = (
        "import sys, antsclient\n"
        "heavy = [m for m in ('antsclient.models', 'antsclient.codec', "
        "'antsclient.geo', 'antsclient.sandbox', 'pypdf', 'cattrs') if m in sys.modules]\n"
        "print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_version_is_a_string() -> None:
    assert antsclient.__version__.count(".") == 2
