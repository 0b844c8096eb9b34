"""``help(AntsSession)`` lists every namespace and its methods; a namespace's repr names
them, never an object address."""

from __future__ import annotations

import inspect
import pydoc
import re

import pytest

import antsclient as ants
from antsclient._async import session as async_module
from antsclient._sync import session as sync_module

NAMESPACES = ("requests", "attachments", "ephoto", "documents", "prefectures", "geo")
CREDENTIALS = ants.Credentials(agreement="E1706900030", login="l", password="p")


def _actions(namespace: type) -> list[str]:
    return [
        name
        for name, value in vars(namespace).items()
        if not name.startswith("_") and inspect.isfunction(value)
    ]


def _namespace_classes(module: object) -> dict[str, type]:
    found = {}
    for value in vars(module).values():
        if isinstance(value, type) and isinstance(getattr(value, "name", None), str):
            found[value.name] = value
    return found


@pytest.mark.parametrize(
    ("session_class", "module"),
    [(ants.AntsSession, sync_module), (ants.AsyncAntsSession, async_module)],
    ids=["sync", "async"],
)
def test_help_lists_every_namespace_and_method(session_class: type, module: object) -> None:
    shown = pydoc.render_doc(session_class, renderer=pydoc.plaintext)
    text = inspect.getdoc(session_class) or ""
    assert all(f"``session.{name}``" in shown for name in NAMESPACES)
    classes = _namespace_classes(module)
    assert set(classes) == set(NAMESPACES)
    for name, namespace in classes.items():
        line = re.search(rf"``session\.{name}`` \(:class:`{namespace.__name__}`\) — ([^;.]*)", text)
        assert line, name
        listed = [m.strip() for m in " ".join(line.group(1).split()).split(",")]
        assert listed == _actions(namespace), name


@pytest.mark.parametrize(
    "session_class", [ants.AntsSession, ants.AsyncAntsSession], ids=["sync", "async"]
)
def test_a_namespace_repr_names_its_methods(session_class: type) -> None:
    session = session_class(CREDENTIALS, base_url="http://ants.test")
    owner = session_class.__name__
    for name in NAMESPACES:
        namespace = getattr(session, name)
        text = repr(namespace)
        assert " at 0x" not in text
        assert text == f"<{owner}.{name}: {', '.join(_actions(type(namespace)))}>"
    assert repr(session.requests).startswith(f"<{owner}.requests: create, get, refresh, ")
    assert repr(session.geo) == f"<{owner}.geo: check, confirm>"
