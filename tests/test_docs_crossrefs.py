"""The API reference's cross-references: Sphinx roles in docstrings become links.

The rewriting is tested on sample text; with the docs' tools installed (``antsclient[docs]``)
the whole reference is built and read back.
"""

from __future__ import annotations

import re
import runpy
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
HOOK = runpy.run_path(str(ROOT / "docs" / "hooks" / "sphinx_roles.py"))
rewrite = HOOK["rewrite"]

KNOWN = {
    "antsclient.AntsError": "antsclient.errors.AntsError",
    "FieldProblem": "antsclient.errors.FieldProblem",
    "antsclient.FieldProblem": "antsclient.errors.FieldProblem",
    "antsclient.geo.check": "antsclient.geo.check.check",
    "close": "antsclient.storage.SqliteStore.close",
    "SyncReport.error": "antsclient._listing.SyncReport",
}


def _resolve(target: str, role: str) -> str | None:
    return KNOWN.get(target)


def _link(identifier: str, title: str) -> str:
    return f'<autoref identifier="{identifier}" optional><code>{title}</code></autoref>'


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (":class:`~antsclient.AntsError`", _link("antsclient.errors.AntsError", "AntsError")),
        (
            ":func:`antsclient.geo.check`",
            _link("antsclient.geo.check.check", "antsclient.geo.check"),
        ),
        (":meth:`close`", _link("antsclient.storage.SqliteStore.close", "close")),
        (":py:meth:`close()`", _link("antsclient.storage.SqliteStore.close", "close()")),
        (":attr:`SyncReport.error`", _link("antsclient._listing.SyncReport", "SyncReport.error")),
        (
            ":class:`the base error <antsclient.AntsError>`",
            _link("antsclient.errors.AntsError", "the base error"),
        ),
        (":class:`!FieldProblem`", "`FieldProblem`"),
        (":mod:`antsclient._listing`", "`antsclient._listing`"),
        (":data:`NEEDED_BY`", "`NEEDED_BY`"),
        (
            ":class:`IndexError`",
            "[`IndexError`](https://docs.python.org/3/library/exceptions.html#IndexError)",
        ),
        (":func:`len`", "[`len`](https://docs.python.org/3/library/functions.html#len)"),
        (":class:`~pathlib.Path`", "`Path`"),
    ],
)
def test_each_role_becomes_a_link_or_code(text: str, expected: str) -> None:
    assert rewrite(text, _resolve) == expected


def test_roles_in_running_text_and_rest_escapes() -> None:
    text = (
        "The fields, as :class:`~antsclient.FieldProblem`\\ s; see\n"
        ":func:`antsclient.geo.check` and :exc:`~antsclient.AntsError`. "
        "A field list stays: :param name: the name. Code stays: ``:class:`X` ``."
    )
    done = rewrite(text, _resolve)
    assert "FieldProblem</code></autoref>s;" in done
    assert _link("antsclient.errors.AntsError", "AntsError") in done
    assert ":param name: the name." in done
    assert "``:class:`X` ``" in done
    assert not re.search(r"(?<!`):(class|func|exc):`", done)


def test_a_title_is_escaped_and_the_resolver_hears_the_role() -> None:
    heard: list[tuple[str, str]] = []

    def resolve(target: str, role: str) -> str | None:
        heard.append((target, role))
        return "x.Y"

    assert rewrite(":class:`a <b> <x.Y>`", resolve) == _link("x.Y", "a &lt;b&gt;")
    assert rewrite(":mod:`~.storage`", resolve) == _link("x.Y", "storage")
    assert heard == [("x.Y", "class"), ("storage", "mod")]


def _docs_tools() -> None:
    pytest.importorskip("mkdocs")
    pytest.importorskip("mkdocstrings_handlers.python")
    pytest.importorskip("material")


def test_the_reference_links_every_role(tmp_path: Path) -> None:
    _docs_tools()
    mkdocs = shutil.which("mkdocs", path=str(Path(sys.executable).parent)) or "mkdocs"
    site = tmp_path / "site"
    done = subprocess.run(
        [mkdocs, "build", "--strict", "--site-dir", str(site)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    page = (site / "reference" / "index.html").read_text(encoding="utf-8")
    assert not re.search(r":(class|func|meth|attr|data|mod|exc|obj|const):", page)
    found = re.findall(
        r'class="autorefs autorefs-internal"[^>]*href="([^"]+)"><code>([^<]+)<', page
    )
    links: dict[str, Any] = {title: href for href, title in found}
    assert links["ApplicationDataError"] == "#antsclient.errors.ApplicationDataError"
    assert links["antsclient.geo.check"] == "#antsclient.geo.check.check"
    assert links["SyncReport.error"].endswith("SyncReport")
    assert len(links) >= 30
