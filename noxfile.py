"""Task runner: `nox` runs tests, lint and typecheck; `nox -s docs|bench|demo` the others."""

from __future__ import annotations

import os
from pathlib import Path

import nox

nox.options.default_venv_backend = "uv|virtualenv"
nox.options.sessions = ["tests", "lint", "typecheck"]
nox.options.reuse_existing_virtualenvs = True

PYTHON = os.environ.get("ANTSCLIENT_PYTHON", "3.11")


@nox.session(python=PYTHON)
def tests(session: nox.Session) -> None:
    """The test suite with branch coverage of src/ (fails under 90 %)."""
    session.install("-e", ".[test]")
    session.run("pytest", "-n", "auto", "--cov=antsclient", "--cov-report=term", *session.posargs)


@nox.session(python=PYTHON)
def lint(session: nox.Session) -> None:
    """ruff (lint and formatting), and the layers of the design on the import graph."""
    session.install("ruff>=0.5", "import-linter>=2.0", "-e", ".")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")
    session.run("lint-imports")


@nox.session(python=PYTHON)
def typecheck(session: nox.Session) -> None:
    """mypy --strict on src/ and on the typing tests of the public API."""
    session.install("-e", ".[test]", "mypy>=1.10", "types-python-dateutil", "types-PyYAML")
    session.run("mypy", "--strict", "src/antsclient")
    session.run("mypy", "--strict", "tests/typing")


@nox.session(python=PYTHON)
def docs(session: nox.Session) -> None:
    """Build the docs site with warnings as errors."""
    session.install("-e", ".[docs]")
    session.run("mkdocs", "build", "--strict", "--site-dir", "site")


@nox.session(python=PYTHON)
def bench(session: nox.Session) -> None:
    """Speed and memory figures, printed and never asserted: benchmarks/**/bench_*.py."""
    session.install("-e", ".[sandbox,excel,pandas]", "rapidfuzz>=3")
    for script in sorted(Path("benchmarks").rglob("bench_*.py")):
        session.run("python", str(script), *session.posargs)


@nox.session(python=PYTHON)
def demo(session: nox.Session) -> None:
    """The demo: files a complete application."""
    session.install("-e", ".[sandbox,excel]")
    session.run("python", "-m", "antsclient", "demo", *session.posargs)
