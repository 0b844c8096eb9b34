"""What a new user and a vendor's team read first: the README's two commands (the second is
what CI runs), the docs' install line, the licence, changelog, security policy, project URLs
and a complete sdist."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path
from typing import Any

import antsclient

ROOT = Path(__file__).resolve().parent.parent
REPOSITORY = "https://github.com/antsclient/antsclient"


def _read(name: str) -> str:
    return (ROOT / name).read_text(encoding="utf-8")


def _project() -> dict[str, Any]:
    with (ROOT / "pyproject.toml").open("rb") as file:
        return tomllib.load(file)


def _quick_start() -> list[str]:
    section = _read("README.md").split("## Quick start", 1)[1]
    block = re.search(r"```console\n(.*?)```", section, re.S)
    assert block is not None
    return block[1].strip().splitlines()


def test_the_readme_has_two_commands_in_a_venv() -> None:
    first, second = _quick_start()
    assert first.startswith(
        "python3 -m venv .venv && .venv/bin/pip install -e '.[sandbox,excel,print,speedups]'"
    )
    assert first.endswith(".venv/bin/python -m antsclient demo")
    assert "[ -d .venv ] || python3 -m venv .venv" in second  # also alone, on a fresh clone
    assert second.endswith(".venv/bin/nox")
    assert "python3 -m pip" not in first + second  # never into the system's Python (PEP 668)


def test_ci_runs_the_readme_second_command_and_nothing_else() -> None:
    lines = [
        line for line in _read(".ci/run").splitlines() if line.strip() and not line.startswith("#")
    ]
    assert lines == ["set -euo pipefail", 'cd "$(dirname "$0")/.."', _quick_start()[1]]


def test_the_docs_install_line_is_the_readme_first_command() -> None:
    first = _quick_start()[0]
    for page in ("getting-started.md", "tutorial.md"):
        text = (ROOT / "docs" / page).read_text(encoding="utf-8")
        assert first in text, page
        assert "pip install 'antsclient[" not in text, page  # a name on an index is not ours


def test_the_nox_matrix_is_what_the_package_claims() -> None:
    project = _project()["project"]
    claimed = [
        c.rsplit(" :: ", 1)[1]
        for c in project["classifiers"]
        if re.fullmatch(r"Programming Language :: Python :: 3\.\d+", c)
    ]
    assert claimed == ["3.11", "3.12", "3.13"]
    assert project["requires-python"] == f">={claimed[0]}"
    noxfile = _read("noxfile.py")
    assert "@nox.session(python=PYTHONS)\ndef tests(" in noxfile
    assert 'nox.options.sessions = ["checks"]' in noxfile
    # A bare nox runs the suite on every claimed Python: the newest in dist, against the wheel.
    assert "@nox.session(python=PYTHONS[-1])\ndef dist(" in noxfile
    assert '*(f"tests-{v}" for v in PYTHONS[:-1]), "dist", "lowest"' in noxfile


def test_the_licence_is_mit_as_the_metadata_says() -> None:
    project = _project()["project"]
    assert project["license"] == "MIT"
    assert project["license-files"] == ["LICENSE"]
    licence = _read("LICENSE")
    assert licence.startswith("MIT License\n")
    assert "Copyright (c) 2026 antsclient contributors" in licence
    assert 'THE SOFTWARE IS PROVIDED "AS IS"' in licence


def test_the_changelog_keeps_a_changelog_with_the_version() -> None:
    changelog = _read("CHANGELOG.md")
    assert "[Keep a Changelog](https://keepachangelog.com/en/1.1.0/)" in changelog
    assert "## [Unreleased]" in changelog
    assert f"`{antsclient.__version__}`" in changelog
    assert antsclient.__version__.startswith("0.")
    for heading in re.findall(r"^### (.+)$", changelog, re.M):
        assert heading in {"Added", "Changed", "Deprecated", "Removed", "Fixed", "Security"}


def test_the_security_policy_says_how_to_report_and_what_is_supported() -> None:
    policy = _read("SECURITY.md")
    for heading in ("Reporting a vulnerability", "Supported versions", "secrets"):
        assert heading in policy
    assert f"{REPOSITORY}/security/advisories/new" in policy


def test_the_project_urls() -> None:
    urls = _project()["project"]["urls"]
    assert set(urls) == {"Homepage", "Documentation", "Source", "Issues", "Changelog"}
    assert urls["Documentation"] == "https://antsclient.readthedocs.io"
    assert urls["Source"] == REPOSITORY
    assert urls["Issues"] == f"{REPOSITORY}/issues"
    assert urls["Changelog"] == f"{REPOSITORY}/blob/main/CHANGELOG.md"
    assert f"repo_url: {REPOSITORY}\n" in _read("mkdocs.yml")


def test_the_readme_links_work_on_a_package_index_page() -> None:
    readme = _read("README.md")
    targets = re.findall(r"\]\(([^)]+)\)", readme) + re.findall(
        r"^\[[^\]]+\]: (\S+)$", readme, re.M
    )
    assert targets
    for target in targets:
        assert target.startswith("https://"), target
        if target.startswith(f"{REPOSITORY}/blob/main/"):
            path = target.removeprefix(f"{REPOSITORY}/blob/main/").split("#")[0]
            assert (ROOT / path).is_file(), target
        elif target.startswith(f"{REPOSITORY}/tree/main/"):
            assert (ROOT / target.removeprefix(f"{REPOSITORY}/tree/main/")).is_dir(), target


def test_the_sdist_holds_what_the_tests_read() -> None:
    sdist = _project()["tool"]["hatch"]["build"]["targets"]["sdist"]["include"]
    for needed in ("src/antsclient", "tests", "docs", "examples", "scripts", "benchmarks", ".ci"):
        assert needed in sdist
    for needed in ("README.md", "LICENSE", "CHANGELOG.md", "SECURITY.md", "noxfile.py"):
        assert needed in sdist
        assert (ROOT / needed).is_file()


def test_the_notebook_says_what_to_install_and_shows_its_chart() -> None:
    extras = _project()["project"]["optional-dependencies"]
    notebook_extra = " ".join(extras["notebook"])
    for needed in ("sandbox", "pandas", "progress", "matplotlib", "ipykernel", "ipywidgets"):
        assert needed in notebook_extra
    cells = json.loads(_read("examples/explore_requests.ipynb"))["cells"]
    sources = ["".join(cell["source"]) for cell in cells]
    assert ".venv/bin/pip install -e '.[notebook]'" in sources[0]
    first_code = sources[[cell["cell_type"] for cell in cells].index("code")]
    assert first_code.startswith("try:\n    import matplotlib.pyplot as plt\n")
    assert "except ModuleNotFoundError" in first_code
    assert "'.[notebook]'" in first_code
    assert not any("matplotlib.use(" in source for source in sources)  # Jupyter's backend
    (chart,) = [source for source in sources if "savefig(" in source]
    assert chart.index("savefig(") < chart.index("plt.show()")  # saved, then shown inline


def test_the_core_depends_on_its_five_libraries_only() -> None:
    names = {
        re.split(r"[<>=!~\[; ]", requirement, maxsplit=1)[0].lower()
        for requirement in _project()["project"]["dependencies"]
    }
    assert names == {"httpx", "attrs", "cattrs", "tenacity", "python-dateutil"}
    assert _project()["project"]["optional-dependencies"]["pdf"] == ["pypdf>=4.0"]
