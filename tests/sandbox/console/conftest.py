"""Fixtures of the console's tests: a served sandbox, an HTTP client with its cookie, and a
real browser — Debian's Chromium driven by Playwright.

The browser is the system's (``/usr/bin/chromium``, or ``ANTSCLIENT_CHROMIUM``); nothing is
ever downloaded; one is started per worker for the browser module. Without it the browser
tests say what to install and are skipped — except under ``CI=true``, where they fail: CI
installs it (``scripts/ci_chromium.sh``). Screenshots go to a temporary folder, or to
``ANTSCLIENT_SCREENSHOTS`` (``docs/img`` to refresh the docs' pictures).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from antsclient.sandbox import SandboxHandle, serve

CI = os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
INSTALL = (
    "the console's browser tests need Debian's Chromium and Playwright for Python: "
    "`apt-get install -y chromium` and `pip install -e '.[test]'` (no browser is downloaded)"
)


def chromium_path() -> str | None:
    """The system's Chromium, if any."""
    chosen = os.environ.get("ANTSCLIENT_CHROMIUM")
    if chosen:
        return chosen if Path(chosen).exists() else None
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None


def _unavailable(reason: str) -> None:
    if CI:
        pytest.fail(f"{reason} — under CI=true they must run: {INSTALL}", pytrace=False)
    pytest.skip(f"{reason}: {INSTALL}")


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """One headless Chromium for the browser tests of a worker, on a fresh profile.

    Module-scoped, not session-scoped: Playwright's blocking API keeps its event loop running
    in the thread while it lives, and the worker's asyncio tests need the thread free.
    """
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("Playwright for Python is not installed")
    executable = chromium_path()
    if executable is None:
        _unavailable("Chromium is not installed")
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")),
            executable_path=executable,
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": 1280, "height": 800},
            locale="fr-FR",
            timezone_id="Europe/Paris",
        )
        context.set_default_timeout(15_000)
        try:
            yield context
        finally:
            context.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A new tab, its cookies gone afterwards; a script error fails the test."""
    tab = browser.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    yield tab
    tab.close()
    browser.clear_cookies()
    assert errors == []


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    """Where screenshots go."""
    folder = Path(os.environ.get("ANTSCLIENT_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def sb() -> Iterator[SandboxHandle]:
    with serve(seed=5) as handle:
        yield handle


@pytest.fixture
def web(sb: SandboxHandle) -> Iterator[httpx.Client]:
    """An HTTP client of the console (it keeps the console's cookie)."""
    with httpx.Client(base_url=sb.url, timeout=10) as client:
        yield client
