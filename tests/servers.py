"""Throwaway database servers for the tests: a PostgreSQL cluster and a Redis, on loopback.

Each is started from the machine's own server binaries (Debian's ``postgresql`` and
``redis-server`` packages), in a temporary folder, on a free loopback port, and stopped at the
end. PostgreSQL runs as the ``postgres`` user when the tests run as root (it refuses root),
in a folder that user owns; ``fsync=off``, since nothing need survive a crash of the machine.

Without the binaries a test that needs a server is skipped with what to install; under
``CI=true`` it fails instead, since CI installs them (``scripts/ci_services.sh``).
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

CI = os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}
LOOPBACK = "127.0.0.1"


def missing(what: str, package: str) -> None:
    """Skip (fail under CI) a test whose server is not installed."""
    message = f"{what} is not installed: apt-get install -y {package} (or brew install {package})"
    if CI:
        pytest.fail(f"{message}; scripts/ci_services.sh installs it under CI=true", pytrace=False)
    pytest.skip(message)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((LOOPBACK, 0))
        return int(sock.getsockname()[1])


def _postgres_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=_version)
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _version(path: str) -> int:
    part = Path(path).parent.parent.name
    return int(part) if part.isdigit() else 0


def _as_user() -> tuple[list[str], int | None, int | None]:
    """The command prefix and ids to run the server as (``postgres`` when we are root)."""
    if os.geteuid() != 0:
        return [], None, None
    user = pwd.getpwnam("postgres")
    return [], user.pw_uid, user.pw_gid


def _run(command: list[str], uid: int | None, gid: int | None, **kwargs: object) -> None:
    subprocess.run(
        command, check=True, user=uid, group=gid, extra_groups=[] if uid is not None else None,
        capture_output=True, cwd="/", **kwargs,
    )  # fmt: skip


@contextlib.contextmanager
def postgres_cluster() -> Iterator[str]:
    """A fresh PostgreSQL cluster on loopback while the block runs: its conninfo."""
    binaries = _postgres_bin()
    if binaries is None:
        missing("PostgreSQL's server (initdb, pg_ctl)", "postgresql")
    assert binaries is not None
    _, uid, gid = _as_user()
    folder = Path(tempfile.mkdtemp(prefix="antsclient-pg-"))
    if uid is not None:
        os.chown(folder, uid, gid or -1)
    data, log, port = folder / "data", folder / "server.log", free_port()
    _run([str(binaries / "initdb"), "-D", str(data), "-U", "antsclient", "-A", "trust",
          "--no-sync", "-E", "UTF8", "--locale", "C"], uid, gid)  # fmt: skip
    options = (
        f"-h {LOOPBACK} -p {port} -k {folder} -c fsync=off -c synchronous_commit=off "
        "-c full_page_writes=off -c max_connections=200 -c shared_buffers=64MB"
    )
    _run([str(binaries / "pg_ctl"), "-D", str(data), "-l", str(log), "-o", options, "-w",
          "-t", "60", "start"], uid, gid)  # fmt: skip
    try:
        yield f"postgresql://antsclient@{LOOPBACK}:{port}/postgres"
    finally:
        with contextlib.suppress(subprocess.CalledProcessError):
            _run([str(binaries / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"],
                 uid, gid)  # fmt: skip
        shutil.rmtree(folder, ignore_errors=True)


def new_database(conninfo: str, name: str) -> str:
    """Create database ``name`` in the cluster; its conninfo."""
    import psycopg

    with psycopg.connect(conninfo, autocommit=True) as db:
        db.execute(f'DROP DATABASE IF EXISTS "{name}"')
        db.execute(f'CREATE DATABASE "{name}"')
    return conninfo.rsplit("/", 1)[0] + f"/{name}"


@contextlib.contextmanager
def redis_server() -> Iterator[str]:
    """A Redis on loopback, without persistence, while the block runs: its URL."""
    binary = shutil.which("redis-server") or (
        "/usr/bin/redis-server" if Path("/usr/bin/redis-server").exists() else None
    )
    if binary is None:
        missing("Redis (redis-server)", "redis-server")
    assert binary is not None
    folder = Path(tempfile.mkdtemp(prefix="antsclient-redis-"))
    port = free_port()
    process = subprocess.Popen(
        [binary, "--bind", LOOPBACK, "--port", str(port), "--save", "", "--appendonly", "no",
         "--dir", str(folder), "--protected-mode", "yes"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 20
        while True:
            with contextlib.suppress(OSError), socket.create_connection((LOOPBACK, port), 0.2):
                break
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail("redis-server did not start", pytrace=False)
            time.sleep(0.05)
        yield f"redis://{LOOPBACK}:{port}/0"
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        shutil.rmtree(folder, ignore_errors=True)


# --- the fixtures (registered by tests/conftest.py): one server of each per test process --


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[str]:
    """One throwaway PostgreSQL cluster per test process (each pytest-xdist worker has its
    own), shared by every test that needs one: its conninfo."""
    pytest.importorskip("psycopg", reason="the postgres extra: pip install 'antsclient[postgres]'")
    with postgres_cluster() as conninfo:
        yield conninfo


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    """One throwaway Redis per test process: its URL."""
    with redis_server() as url:
        yield url
