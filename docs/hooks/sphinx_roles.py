"""Griffe extension: the docstrings' Sphinx roles become links of the API reference.

antsclient's docstrings cross-reference in Sphinx's way — :class:`~antsclient.AntsError`,
:func:`antsclient.geo.check`, :meth:`close`, :attr:`SyncReport.error`, :data:`…`, :mod:`…`,
:exc:`…`. mkdocstrings does not read roles, so before the docstrings are rendered this
extension (``extensions:`` in ``mkdocs.yml``) rewrites each one into a cross-reference
autorefs resolves:

* the target is resolved as Python would from where the docstring stands (the object's
  members, its parents', the module's imports), else as an absolute path, else by a name
  that only one object of the package bears;
* a ``~`` shows the last name only (``~antsclient.AntsError`` → ``AntsError``), ``!`` and a
  title with its target (``the error <antsclient.AntsError>``) are read as Sphinx does;
* an attribute without a docstring (not shown in the reference) links to its class;
* a built-in (``IndexError``) links to the Python documentation; anything else that cannot
  be resolved stays as code, never as a raw role.

Links to the package's objects are autorefs' *optional* references: the page links them when
the object is in the reference, and shows the name as code when it is not, without failing
the strict build. :func:`rewrite` is the pure text rewriting, tested on its own.
"""

from __future__ import annotations

import builtins
import html
import re
from collections.abc import Callable, Iterator
from typing import Any

try:
    from griffe import AliasResolutionError, Extension, NameResolutionError
except ImportError:  # the docs' tools are not installed: rewrite() alone stays usable
    Extension = object  # type: ignore[assignment,misc]

ROLE = re.compile(
    r"(?<![\w`]):(?:py:)?(?P<role>class|func|meth|attr|data|const|mod|exc|obj|type):"
    r"`(?P<body>[^`]+)`(?P<joined>\\ )?"
)
"""A Sphinx role of the Python domain, with reST's ``\\ `` that joins what follows."""

_TITLED = re.compile(r"(?P<title>.*?)\s*<(?P<target>[^<>]+)>", re.DOTALL)
_PYTHON_DOCS = "https://docs.python.org/3/library/"

Resolver = Callable[[str, str], "str | None"]
"""``resolve(target, role)``: the identifier to link to, ``None`` for none."""


def builtin_url(name: str) -> str | None:
    """The Python documentation's page of a built-in exception, function or type."""
    value = getattr(builtins, name, None)
    if value is None or name.startswith("_"):
        return None
    if isinstance(value, type) and issubclass(value, BaseException):
        return f"{_PYTHON_DOCS}exceptions.html#{name}"
    return f"{_PYTHON_DOCS}functions.html#{name}"


def _parse(body: str) -> tuple[str, str, bool]:
    """``(title, target, linked)`` of a role's text."""
    body = " ".join(body.split())
    titled = _TITLED.fullmatch(body)
    if titled and titled["title"]:
        return titled["title"], titled["target"].lstrip("~!."), not body.startswith("!")
    linked = not body.startswith("!")
    target = body.lstrip("!")
    short = target.startswith("~")
    target = target.lstrip("~").lstrip(".")
    title = target.rsplit(".", 1)[-1] if short else target
    return title, target, linked


def rewrite(text: str, resolve: Resolver) -> str:
    """``text`` with every Sphinx role replaced by a link, or by code when it has none."""

    def replace(match: re.Match[str]) -> str:
        title, target, linked = _parse(match["body"])
        code = f"<code>{html.escape(title)}</code>"
        identifier = resolve(target.removesuffix("()"), match["role"]) if linked else None
        if identifier is None:
            head = target.removesuffix("()").split(".", 1)[0]
            url = builtin_url(head) if linked and head == target.removesuffix("()") else None
            if url is None:
                return f"`{title}`"
            return f"[`{title}`]({url})"
        return f'<autoref identifier="{html.escape(identifier)}" optional>{code}</autoref>'

    return ROLE.sub(replace, text)


# -- the Griffe side: resolving a target from where the docstring stands ----------------------


def _walk(obj: Any) -> Iterator[Any]:
    yield obj
    for member in list(obj.members.values()):
        if not member.is_alias:
            yield from _walk(member)


def _shown_path(found: Any, role: str) -> str | None:
    """The identifier of ``found`` in the reference: its canonical path, or for an attribute
    without a docstring (the reference shows none) its parent's. A module that a function
    of its own name shadows (``antsclient.geo.check``) stands for the function, unless the
    role is ``:mod:``."""
    try:
        target = found.final_target if found.is_alias else found
    except AliasResolutionError:
        return None  # imported from elsewhere (pathlib.Path…): not ours to link
    if target.is_module and role != "mod" and target.name in target.members:
        return _shown_path(target.members[target.name], role)
    if target.is_attribute and not target.docstring and target.parent is not None:
        return str(target.parent.canonical_path)
    return str(target.canonical_path)


class SphinxRoles(Extension):  # type: ignore[misc]
    """Rewrite the Sphinx roles of every docstring of a package once it is loaded."""

    def on_package(self, *, pkg: Any, **kwargs: Any) -> None:
        self._rewrite_package(pkg)

    def on_package_loaded(self, *, pkg: Any, **kwargs: Any) -> None:
        self._rewrite_package(pkg)  # the same hook under its name in Griffe before 1.x ends

    def _rewrite_package(self, pkg: Any) -> None:
        objects = list(_walk(pkg))
        by_name: dict[str, set[str]] = {}
        for obj in objects:
            by_name.setdefault(obj.name, set()).add(obj.path)
        for obj in objects:
            docstring = obj.docstring
            if docstring is not None and ROLE.search(docstring.value):
                docstring.value = rewrite(docstring.value, self._resolver(pkg, obj, by_name))

    @staticmethod
    def _resolver(pkg: Any, obj: Any, by_name: dict[str, set[str]]) -> Resolver:
        def lookup(path: str) -> Any:
            root, _, rest = path.partition(".")
            if root != pkg.name:
                return None
            try:
                return pkg[rest] if rest else pkg
            except (KeyError, AliasResolutionError):
                return None

        def resolve(target: str, role: str) -> str | None:
            head, _, rest = target.partition(".")
            candidates = []
            try:
                scoped = obj.resolve(head)
            except (NameResolutionError, AliasResolutionError):
                scoped = None
            if scoped is not None:
                candidates.append(f"{scoped}.{rest}" if rest else scoped)
            candidates.append(target)
            for path in candidates:
                found = lookup(path)
                if found is not None:
                    return _shown_path(found, role)
            # Sphinx's last resort: the one object of the package with that name.
            named = by_name.get(head, set())
            if len(named) == 1:
                found = lookup(f"{next(iter(named))}.{rest}" if rest else next(iter(named)))
                if found is not None:
                    return _shown_path(found, role)
            return None

        return resolve
