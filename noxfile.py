"""Task runner. A bare `nox` runs every check (the `checks` session), two sessions at a time:

* `tests-3.11`, `tests-3.12` — the suite on each Python the package claims (pyproject's
  classifiers) but the newest, with branch coverage on the lowest, when the machine has it: a
  missing one is skipped, and fails the run when `CI=true`;
* `dist` — the sdist and the wheel built from it, the sdist's tests run against the wheel on
  the newest claimed Python (3.13): the suite's run there, as a user installs it;
* `lowest` — the suite at the lowest versions pyproject declares;
* `lint` and `typecheck`.

`nox -s tests` runs the suite on every claimed Python, the newest too.

`nox -s docs|bench|demo` run the others.

The suite starts throwaway PostgreSQL and Redis servers of its own from the machine's binaries
(Debian's `postgresql` and `redis-server`): `scripts/ci_services.sh` installs them when missing
under `CI=true`, and elsewhere only says what is missing (their tests are then skipped).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tarfile
import time
import tomllib
from pathlib import Path

import nox

ROOT = Path(__file__).resolve().parent
CI = os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}

# Every interpreter of a run may write its bytecode cache: the venvs uv fills hold no .pyc,
# and with PYTHONDONTWRITEBYTECODE set (as some shells and images do) each of the hundreds of
# interpreters the checks start (xdist's workers, the sandbox servers, the jobs' workers, the
# CLI's and the examples' runs) would compile every module it imports from source again: the
# suite took 131 s instead of 106 s on 2 cores that way, its collection 8.2 s instead of 1.5.
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)


def _claimed_pythons() -> list[str]:
    """The Python versions pyproject's classifiers claim, oldest first."""
    with (ROOT / "pyproject.toml").open("rb") as file:
        classifiers = tomllib.load(file)["project"]["classifiers"]
    prefix = "Programming Language :: Python :: 3."
    minors = sorted(int(c.removeprefix(prefix)) for c in classifiers if c.startswith(prefix))
    return [f"3.{minor}" for minor in minors]


PYTHONS = _claimed_pythons()
LOWEST = PYTHONS[0]
PYTHON = os.environ.get("ANTSCLIENT_PYTHON", LOWEST)
PYRIGHT = "basedpyright>=1.40"
"""pyright, for the public API as users' editors check it."""

nox.needs_version = ">=2025.10.14"
nox.options.default_venv_backend = "uv|virtualenv"
nox.options.sessions = ["checks"]
nox.options.reuse_existing_virtualenvs = True
nox.options.error_on_missing_interpreters = CI
nox.options.download_python = "never"


def _expose_pyenv_versions() -> None:
    """Let pyenv's shims answer for every claimed Python that pyenv has installed.

    A shim such as ``python3.12`` only runs a version pyenv holds active (``pyenv global``),
    so the newest installed patch of each claimed version is added to ``PYENV_VERSION``, after
    the active ones — the same as ``pyenv shell 3.11.7 3.12.1 3.13.0``. A ``PYENV_VERSION``
    already set is left as it is.
    """
    root = Path(os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv")
    pyenv = shutil.which("pyenv")
    if "PYENV_VERSION" in os.environ or pyenv is None or not (root / "versions").is_dir():
        return
    newest: dict[str, tuple[int, str]] = {}
    for folder in (root / "versions").iterdir():
        match = re.fullmatch(r"(3\.\d+)\.(\d+)", folder.name)
        if match and match[1] in PYTHONS and (folder / "bin" / f"python{match[1]}").exists():
            newest[match[1]] = max(newest.get(match[1], (-1, "")), (int(match[2]), folder.name))
    if not newest:
        return
    active = subprocess.run(
        [pyenv, "version-name"], capture_output=True, text=True, check=False
    ).stdout.strip()
    names = [*active.split(":"), *(name for _, name in newest.values())]
    os.environ["PYENV_VERSION"] = ":".join(dict.fromkeys(n for n in names if n))


_expose_pyenv_versions()


def _uv(session: nox.Session) -> None:
    """``uv`` for ``session.run``: nox's own with the uv backend, else installed in the venv."""
    if session.venv_backend != "uv":
        session.install("uv")


def _services(session: nox.Session) -> None:
    """The servers the tests start (PostgreSQL, Redis): installed when missing under CI,
    only checked elsewhere; a quick no-op when they are there."""
    script = ROOT / "scripts" / "ci_services.sh"
    if not script.exists():  # an unpacked sdist without it
        return
    args = [] if CI else ["--check"]
    session.run("bash", str(script), *args, external=True, success_codes=[0] if CI else [0, 1])


def _pytest(session: nox.Session, *args: str, env: dict[str, str] | None = None) -> None:
    session.run("pytest", "-n", "auto", *args, *session.posargs, env=env)


def _chromium(session: nox.Session) -> None:
    """Under CI, the browser of the console's tests: Debian's Chromium, installed if missing
    (elsewhere those tests skip, saying what to install)."""
    if CI:
        session.run("bash", str(ROOT / "scripts" / "ci_chromium.sh"), external=True)


@nox.session(python=False)
def checks(session: nox.Session) -> None:
    """Every check below, two sessions at a time (`nox -s checks -- --jobs N`); each session's
    output is printed when it ends and kept in .nox/logs/."""
    parser = argparse.ArgumentParser(prog="nox -s checks --")
    parser.add_argument("--jobs", type=int, default=2)
    jobs = max(parser.parse_args(session.posargs).jobs, 1)
    _services(session)  # once, before the sessions that run the tests start side by side
    _chromium(session)
    # The newest Python's suite is the one dist runs against the installed wheel: the suite
    # runs four times, not five (a third of an hour on a slow day of 2 cores, against 15).
    names = [*(f"tests-{v}" for v in PYTHONS[:-1]), "dist", "lowest", "typecheck", "lint"]
    logs = ROOT / ".nox" / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    waiting, running, outcomes = list(names), {}, {}
    started = time.monotonic()
    try:
        while waiting or running:
            while waiting and len(running) < jobs:
                name = waiting.pop(0)
                log = (logs / f"{name}.log").open("w", encoding="utf-8")
                command = [sys.executable, "-m", "nox", "--noxfile", __file__, "-s", name]
                process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT)
                running[name] = (process, log, time.monotonic())
                session.log(f"{name}: started")
            time.sleep(0.5)
            for name, (process, log, since) in list(running.items()):
                if process.poll() is None:
                    continue
                log.close()
                del running[name]
                outcomes[name] = _report(session, name, process.returncode, since)
    finally:
        for process, log, _ in running.values():
            process.terminate()
            process.wait()
            log.close()
    total = time.monotonic() - started
    width = max(map(len, names))
    for name in names:
        print(f"  {name:{width}}  {outcomes.get(name, 'not run')}")
    print(f"  {'all':{width}}  {total / 60:.1f} min")
    failed = [name for name in names if not outcomes.get(name, "").startswith(("ok", "skipped"))]
    if failed:
        session.error(f"failed: {', '.join(failed)} (logs in .nox/logs/)")


def _report(session: nox.Session, name: str, returncode: int, since: float) -> str:
    """Print a finished session's log; its outcome in a few words."""
    text = (ROOT / ".nox" / "logs" / f"{name}.log").read_text(encoding="utf-8", errors="replace")
    minutes = f"{(time.monotonic() - since) / 60:.1f} min"
    print(f"\n{'=' * 30} {name} {'=' * 30}\n{text.rstrip()}\n", flush=True)
    if returncode != 0:
        outcome = f"FAILED ({minutes})"
    elif re.search(r"Session \S+ skipped", text):
        outcome = f"skipped: {_skip_reason(text)}"
    else:
        outcome = f"ok ({minutes})"
    session.log(f"{name}: {outcome}")
    return outcome


def _skip_reason(text: str) -> str:
    match = re.search(r"Session \S+ skipped: (.+)", text)
    return match[1].strip() if match else "see its log"


@nox.session(python=PYTHONS)
def tests(session: nox.Session) -> None:
    """The test suite; on the lowest claimed Python, with branch coverage of src/ (fails under
    90 %). Coverage's tracing costs Python 3.12 and 3.13 more than 3.11 (on 2 cores, the
    suite under it took 9.9 min on 3.12 against 7.9 on 3.11), and branch coverage through
    ``sys.monitoring`` needs 3.14: the newer Pythons run the suite without it."""
    _services(session)
    session.install("-e", ".[test]")
    _chromium(session)
    if session.python != LOWEST:
        _pytest(session)
        return
    coverage = Path(session.virtualenv.location) / ".coverage"
    _pytest(session, "--cov=antsclient", "--cov-report=term", env={"COVERAGE_FILE": str(coverage)})


@nox.session(python=LOWEST)
def lowest(session: nox.Session) -> None:
    """The test suite at the lowest versions pyproject declares (`uv pip compile --resolution
    lowest-direct` of the test extra), on the lowest Python."""
    _uv(session)
    pins = Path(session.virtualenv.location) / "lowest.txt"
    session.run_install(
        "uv", "pip", "compile", "pyproject.toml", "--extra", "test",
        "--resolution", "lowest-direct", "--python-version", LOWEST,
        "--no-header", "--no-annotate", "--output-file", str(pins),
    )  # fmt: skip
    session.run_install("uv", "pip", "sync", "--quiet", str(pins))
    session.install("--no-deps", "-e", ".")
    _services(session)
    _chromium(session)
    _pytest(session)


@nox.session(python=PYTHONS[-1])
def dist(session: nox.Session) -> None:
    """Build the sdist and, from it, the wheel; install the wheel and run the sdist's tests
    against it (not against src/)."""
    _uv(session)
    out = Path(session.virtualenv.location) / "dist"
    shutil.rmtree(out, ignore_errors=True)
    session.run("uv", "build", "--out-dir", str(out))
    (sdist,) = out.glob("antsclient-*.tar.gz")
    (wheel,) = out.glob("antsclient-*.whl")
    with tarfile.open(sdist) as archive:  # our own: no filter before Python 3.11.4
        archive.extractall(out, **({"filter": "data"} if hasattr(tarfile, "data_filter") else {}))
    tree = out / sdist.name.removesuffix(".tar.gz")
    session.run_install("uv", "pip", "uninstall", "--quiet", "antsclient")
    session.install(f"{wheel}[test]", PYRIGHT)
    # The installed wheel's public surface, as pyright sees it in a user's project: every
    # symbol of a known type (py.typed, annotations that leave no choice to the checker).
    session.chdir(out)
    session.run("basedpyright", "--verifytypes", "antsclient", "--ignoreexternal")
    _services(session)
    _chromium(session)
    session.chdir(tree)
    session.run(
        "python", "-c",
        "import antsclient, sys; sys.exit('site-packages' not in antsclient.__file__)",
    )  # fmt: skip
    _pytest(session, "-p", "no:cacheprovider")


@nox.session(python=PYTHON)
def lint(session: nox.Session) -> None:
    """ruff (lint and formatting), and the layers of the design on the import graph."""
    session.install("ruff>=0.5", "import-linter>=2.0", "-e", ".")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")
    session.run("lint-imports")


@nox.session(python=PYTHON)
def typecheck(session: nox.Session) -> None:
    """mypy --strict on src/ and on the typing tests of the public API; those tests through
    pyright's strict mode too (basedpyright: pyright with Node.js in its wheel)."""
    session.install(
        "-e", ".[test]", "mypy>=1.10", "types-python-dateutil", "types-PyYAML", PYRIGHT
    )  # fmt: skip
    session.run("mypy", "--strict", "src/antsclient")
    session.run("mypy", "--strict", "tests/typing")
    # The session's Python, named: by itself pyright would take the project's .venv.
    python = str(Path(session.bin) / "python")
    session.run("basedpyright", "--pythonpath", python, "tests/typing")


@nox.session(python=PYTHON)
def docs(session: nox.Session) -> None:
    """Build the docs site with warnings as errors."""
    session.install("-e", ".[docs]")
    session.run("mkdocs", "build", "--strict", "--site-dir", "site")


@nox.session(python=PYTHON)
def bench(session: nox.Session) -> None:
    """Speed and memory figures, printed and never asserted: benchmarks/**/bench_*.py.

    ``nox -s bench -- sync calls`` runs only ``bench_sync.py`` and ``bench_calls.py``.
    """
    extras = "sandbox,excel,pandas,speedups,print,postgres,celery,procrastinate"
    session.install("-e", f".[{extras}]", "rapidfuzz>=3", "pytest>=8")
    wanted = set(session.posargs)
    for script in sorted(Path("benchmarks").rglob("bench_*.py")):
        if not wanted or script.stem.removeprefix("bench_") in wanted:
            session.run("python", str(script))


@nox.session(python=PYTHON)
def demo(session: nox.Session) -> None:
    """The demo: files a complete application (installed as the README's first command
    installs it)."""
    session.install("-e", ".[sandbox,excel,print,speedups]")
    session.run("python", "-m", "antsclient", "demo", *session.posargs)
