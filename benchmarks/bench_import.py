"""Import cost: what antsclient adds to its five core dependencies, in fresh interpreters.

The core is ``import httpx, attrs, cattrs, tenacity, dateutil`` (the packages as a host
application has them already). Each figure is a median of fresh interpreters, run
alternately with the core alone so that the machine's drift hits both alike:

* ``session_adds_ms`` — ``from antsclient import AntsSession`` (what a host does to sync or
  file: the blocking session and all it needs), over the core (the target: at most 40 ms):
  the median of the differences between paired interpreters, start-up and exit included;
* ``session_clocked_ms`` — the same import timed by a clock inside each interpreter, once
  the core is loaded: what the statement itself costs, free of the tens of milliseconds by
  which two interpreters' start-ups differ on a busy machine (``async_session_clocked_ms``:
  ``AsyncAntsSession``'s);
* ``async_session_adds_ms`` — ``from antsclient import AsyncAntsSession``, over the core;
* ``antsclient_adds_ms`` — a bare ``import antsclient`` (lazy: it loads nothing);
* ``session_importtime_ms`` — what ``-X importtime`` reports for antsclient's own modules
  when ``AntsSession`` is imported after the core: the same cost without process start-up.
  ``-X importtime`` logs the ``import`` statements only, not a module loaded through
  ``importlib.import_module`` — which is how ``antsclient`` serves its names on first use —,
  so the session's module is imported by name first (:data:`LOGGED_SESSION`: the same
  modules, every one of them logged).

Every interpreter may write its bytecode cache (``PYTHONDONTWRITEBYTECODE`` is dropped) and
each snippet runs once untimed first: an installed package has its bytecode compiled, and
a figure that included recompiling the sources would measure the compiler, not the import.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time

CORE = "import httpx, attrs, cattrs, tenacity, dateutil"
RUNS = 21
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
SESSION = "from antsclient import AntsSession"
ASYNC_SESSION = "from antsclient import AsyncAntsSession"
LOGGED_SESSION = f"import antsclient._sync.session; {SESSION}"
""":data:`SESSION` with the module its name is served from imported by an ``import``
statement, which ``-X importtime`` logs (a test checks that it loads the same modules)."""


def _wall_ms(code: str) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, env=ENV)
    return (time.perf_counter() - start) * 1000


def _importtime_ms(code: str) -> float:
    """The self times ``-X importtime`` reports for antsclient's modules, added up."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", f"{CORE}; {code}"],
        check=True,
        capture_output=True,
        text=True,
        env=ENV,
    )
    total = 0
    for line in done.stderr.splitlines():
        parts = [p.strip() for p in line.split("|")]
        if len(parts) == 3 and parts[2].split(".")[0] == "antsclient":
            total += int(parts[0].rpartition(":")[2])
    return total / 1000


def _clocked_ms(code: str) -> float:
    """The time ``code`` takes in a fresh interpreter once the core is loaded, by a clock
    in that interpreter."""
    probe = (
        f"{CORE}\nimport time\nstart = time.perf_counter()\n{code}\n"
        "print((time.perf_counter() - start) * 1000)"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], check=True, capture_output=True, text=True, env=ENV
    )
    return float(done.stdout)


def _paired(code: str) -> tuple[float, float]:
    """Median wall time of ``code`` after the core, and median of the paired differences."""
    core, full = [], []
    for _ in range(RUNS):
        core.append(_wall_ms(CORE))
        full.append(_wall_ms(f"{CORE}; {code}"))
    differences = [f - c for f, c in zip(full, core, strict=True)]
    return statistics.median(full), statistics.median(differences)


def main() -> None:
    for code in (CORE, SESSION, ASYNC_SESSION, "import antsclient"):
        _wall_ms(f"{CORE}; {code}")  # bytecode cached, as in an installed package
    load = os.getloadavg()[0]
    core = statistics.median(_wall_ms(CORE) for _ in range(RUNS))
    with_session, session_adds = _paired(SESSION)
    _, async_adds = _paired(ASYNC_SESSION)
    _, bare_adds = _paired("import antsclient")
    own = statistics.median(_importtime_ms(LOGGED_SESSION) for _ in range(RUNS))
    clocked = statistics.median(_clocked_ms(SESSION) for _ in range(RUNS))
    async_clocked = statistics.median(_clocked_ms(ASYNC_SESSION) for _ in range(RUNS))
    result = {
        "runs": RUNS,
        "core_ms": round(core, 1),
        "with_session_ms": round(with_session, 1),
        "session_adds_ms": round(session_adds, 1),
        "async_session_adds_ms": round(async_adds, 1),
        "antsclient_adds_ms": round(bare_adds, 1),
        "session_importtime_ms": round(own, 2),
        "session_clocked_ms": round(clocked, 1),
        "async_session_clocked_ms": round(async_clocked, 1),
        "load_before": round(load, 2),
        "load_after": round(os.getloadavg()[0], 2),
    }
    print(f"{'core dependencies':44} {result['core_ms']:8.1f} ms")
    print(
        f"{'from antsclient import AntsSession adds':44} {result['session_adds_ms']:8.1f} ms"
        "  (target: at most 40 ms)"
    )
    print(f"{'from antsclient import AsyncAntsSession adds':44} {async_adds:8.1f} ms")
    print(f"{'import antsclient adds':44} {bare_adds:8.1f} ms")
    print(f"{'AntsSession, antsclient modules (importtime)':44} {own:8.2f} ms")
    print(
        f"{'from antsclient import AntsSession, clocked':44} {clocked:8.1f} ms"
        "  (target: at most 40 ms)"
    )
    print(f"{'from antsclient import AsyncAntsSession, clocked':44} {async_clocked:8.1f} ms")
    print(f"load average {result['load_before']} before, {result['load_after']} after")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
