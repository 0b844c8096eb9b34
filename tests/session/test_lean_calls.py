"""What every call is spared: modules it does not need, a failing import per request, bytes.

* ``from antsclient import AntsSession`` loads neither asyncio nor the async session, nor
  what only some calls need (dateutil's parser, the export, the local checks);
* the async session marks sniffio absent once, so that httpcore's backend detection does not
  search ``sys.path`` at every request;
* the sessions ask for compressed answers and read them (a sync of hundreds of requests
  crosses the link in a fraction of its JSON's size).
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

import antsclient as ants
from antsclient import session as session_module
from antsclient.sandbox import serve
from antsclient.storage import MemoryStore

NOT_FOR_A_BLOCKING_SESSION = (
    "asyncio",
    "antsclient._async.session",
    "dateutil.parser",
    "antsclient.export",
    "antsclient.validation",
    "antsclient.geo",
)


def _run(code: str, *, path: Path | None = None) -> str:
    env = None
    if path is not None:
        import os

        env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(path), *sys.path])}
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    )
    return done.stdout.strip()


def test_the_blocking_session_loads_only_what_it_needs() -> None:
    code = (
        "import sys\n"
        "from antsclient import AntsSession\n"
        f"print(','.join(m for m in {NOT_FOR_A_BLOCKING_SESSION!r} if m in sys.modules))"
    )
    assert _run(code) == ""


def test_the_session_module_serves_each_name_from_its_own_module() -> None:
    assert session_module.AntsSession is ants.AntsSession
    assert session_module.AsyncAntsSession is ants.AsyncAntsSession
    assert session_module.RetryPolicy is ants.RetryPolicy
    assert session_module.SyncReport.__name__ == "SyncReport"
    assert set(session_module.__all__) <= set(dir(session_module))
    for name in session_module.__all__:
        assert getattr(session_module, name) is not None
    with pytest.raises(AttributeError, match="nope"):
        _ = session_module.nope  # type: ignore[attr-defined]


def _sniffio_installed() -> bool:
    return importlib.util.find_spec("sniffio") is not None


@pytest.mark.skipif(_sniffio_installed(), reason="sniffio is installed here (older anyio)")
def test_the_async_session_marks_sniffio_absent_once() -> None:
    code = "import sys, antsclient._async.session\nprint(repr(sys.modules.get('sniffio', 'x')))"
    assert _run(code) == "None"


def test_an_installed_sniffio_is_left_alone(tmp_path: Path) -> None:
    if _sniffio_installed():  # the real one (older anyio): never marked absent
        code = "import sys, antsclient._async.session\nprint(sys.modules.get('sniffio', 0) is None)"
        assert _run(code) == "False"
        return
    (tmp_path / "sniffio.py").write_text("def current_async_library():\n    return 'asyncio'\n")
    code = "import sys, antsclient._async.session\nprint('sniffio' in sys.modules)"
    assert _run(code, path=tmp_path) == "False"  # importable: not marked absent
    code = "import sys, sniffio, antsclient._async.session\nprint(sys.modules['sniffio'].__file__)"
    assert _run(code, path=tmp_path).endswith("sniffio.py")


def test_marking_sniffio_is_a_no_op_when_it_is_known(monkeypatch: pytest.MonkeyPatch) -> None:
    from antsclient._async import _mark_sniffio_absent

    monkeypatch.setitem(sys.modules, "sniffio", None)
    assert _mark_sniffio_absent() is False


@pytest.mark.network
def test_a_sync_reads_compressed_pages() -> None:
    with serve(seed=5) as sb:
        sb.seed_requests(1200)
        sb.link.reset_counters()
        with ants.AntsSession(sb.credentials, base_url=sb.url, store=MemoryStore()) as session:
            report = session.requests.sync_all()
            sent = session._client.headers.get("accept-encoding", "")
        assert report.ok and report.seen >= 1200
        assert "gzip" in sent
        # About 400 bytes of JSON a request: compressed, well under a tenth of it crossed.
        assert sb.link.bytes_sent < report.seen * 400 / 5
