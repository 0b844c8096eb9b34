"""What ``from antsclient import AntsSession`` loads, in a fresh interpreter: the blocking
session and what building it needs — never the parts that only some calls use, which load
on first use and then work as before."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

import antsclient.models

NOT_AT_IMPORT = (
    # asyncio and the async session: the blocking session has no event loop.
    "asyncio",
    "antsclient._async.session",
    # httpcore and its protocol stack load with the first transport, as in httpx.
    "httpcore",
    "h11",
    "anyio",
    # What only some calls need.
    "dateutil.parser",
    "antsclient.codec",
    "antsclient.models.application",
    "antsclient.models.paper",
    "antsclient.models.documents",
    "antsclient.models.request_types",
    "antsclient.attachments",
    "antsclient.validation",
    "antsclient.checks",
    "antsclient.geo",
    "antsclient.export",
    "antsclient.printing",
    "antsclient.divergence",
    "antsclient.agency",
    "antsclient._listing",
    "antsclient.storage.sqlite",
    "antsclient.storage.memory",
    "antsclient.sandbox",
    "sqlite3",
    "pypdf",
)


def _printed(probe: str) -> list[str]:
    """What ``probe`` prints as one comma-separated line, run in a fresh interpreter."""
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return [m for m in done.stdout.strip().split(",") if m]


def _loaded_after(code: str, candidates: tuple[str, ...]) -> list[str]:
    return _printed(
        f"import sys\n{code}\nprint(','.join(m for m in {candidates!r} if m in sys.modules))"
    )


CORE = "import httpx, attrs, cattrs, tenacity, dateutil"


def test_importing_the_blocking_session_loads_none_of_the_heavy_parts() -> None:
    # What the core dependencies load themselves is theirs (httpx before 0.28 loads httpcore).
    theirs = set(_loaded_after(CORE, NOT_AT_IMPORT))
    loaded = _loaded_after("from antsclient import AntsSession", NOT_AT_IMPORT)
    assert [m for m in loaded if m not in theirs] == []


def test_importing_the_async_session_loads_asyncio_and_none_of_the_heavy_parts() -> None:
    theirs = set(_loaded_after(CORE, NOT_AT_IMPORT))
    loaded = _loaded_after("from antsclient import AsyncAntsSession", NOT_AT_IMPORT)
    # asyncio is the async session's own load, unless a core dependency loads it already
    # (the lowest tenacity declared does).
    ours = [m for m in ("asyncio", "antsclient._async.session") if m not in theirs]
    assert [m for m in loaded if m not in theirs] == ours


def test_what_was_left_out_loads_when_first_used() -> None:
    code = (
        "from antsclient import AntsSession, Credentials\n"
        "creds = Credentials(agreement='E1706900030', login='claboret662', password='x')\n"
        "AntsSession(creds, base_url='http://127.0.0.1:1').close()\n"
        "from antsclient.models import Cerfa02, REQUEST_TYPES\n"
    )
    parts = ("httpcore", "antsclient.models.application", "antsclient.models.request_types")
    assert _loaded_after(code, parts) == list(parts)


_PLAIN_ANTS = """
import http.server, json, threading
class Answer(http.server.BaseHTTPRequestHandler):
    def _send(self, body):
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
    def do_POST(self):
        self.rfile.read(int(self.headers["Content-Length"]))
        self._send({"access_token": "t", "token_type": "Bearer", "expires_in": 600})
    def do_GET(self):
        self._send({"items": [], "page": 1, "page_size": 500, "total": 0, "pages": 0})
    def log_message(self, *args):
        pass
server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Answer)
threading.Thread(target=server.serve_forever, daemon=True).start()
url = f"http://127.0.0.1:{server.server_port}"
"""


def test_a_blocking_sync_never_loads_asyncio() -> None:
    # The blocking session's whole path: its transport, pool and sockets, a login, a search
    # page and the sync's engine, against a server of the standard library's (no event loop).
    code = _PLAIN_ANTS + (
        "from antsclient import AntsSession, Credentials\n"
        "from antsclient.storage import MemoryStore\n"
        "creds = Credentials(agreement='E1706900030', login='claboret662', password='x')\n"
        "with AntsSession(creds, base_url=url, store=MemoryStore()) as session:\n"
        "    assert session.requests.sync_all().ok\n"
    )
    assert _loaded_after(code, ("asyncio", "httpcore", "antsclient._listing")) == [
        "httpcore",
        "antsclient._listing",
    ]


def test_a_bare_import_loads_no_model() -> None:
    assert _loaded_after("import antsclient", ("antsclient.models", "httpcore")) == []


def test_the_lazy_model_names_are_the_classes_themselves() -> None:
    from antsclient.models.application import Application, application_type
    from antsclient.models.documents import AttachmentSlot
    from antsclient.models.paper import Bordereau
    from antsclient.models.request_types import REQUEST_TYPES, Prerequisite

    assert antsclient.models.REQUEST_TYPES is REQUEST_TYPES
    assert antsclient.models.Prerequisite is Prerequisite
    assert antsclient.models.Application is Application
    assert antsclient.models.application_type is application_type
    assert antsclient.models.Bordereau is Bordereau
    assert antsclient.models.AttachmentSlot is AttachmentSlot
    for name in antsclient.models.__all__:
        assert getattr(antsclient.models, name) is not None, name


def test_an_unknown_model_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'Nope'"):
        _ = antsclient.models.Nope  # type: ignore[attr-defined]


def _modules_after(code: str) -> set[str]:
    """The modules ``code`` loads after the core dependencies, in a fresh interpreter."""
    return set(
        _printed(
            f"import sys\n{CORE}\nbefore = set(sys.modules)\n{code}\n"
            "print(','.join(sorted(set(sys.modules) - before)))"
        )
    )


def test_the_import_benchmark_logs_the_modules_the_session_loads() -> None:
    # ``-X importtime`` logs import statements, not ``importlib.import_module``: the import
    # benchmark names the session's module in one, and must load nothing more or less.
    path = Path(__file__).resolve().parents[1] / "benchmarks" / "bench_import.py"
    spec = importlib.util.spec_from_file_location("bench_import", path)
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)

    loaded = _modules_after(bench.SESSION)
    assert "antsclient._sync.session" in loaded
    assert _modules_after(bench.LOGGED_SESSION) == loaded
