"""Fixtures of the job tests: real servers (PostgreSQL, Redis), a sandbox with agencies, and
worker processes started from the examples (``examples/jobs/``)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from farm import EXAMPLES, Farm

from servers import new_database


@pytest.fixture
def celery_broker(redis_url: str) -> str:
    pytest.importorskip("celery", reason="the celery extra: pip install 'antsclient[celery]'")
    return redis_url


@pytest.fixture
def database(pg_cluster: str) -> str:
    """A database of the test's own."""
    return new_database(pg_cluster, f"jobs_{uuid.uuid4().hex[:10]}")


@pytest.fixture
def farm(database: str, tmp_path: Path) -> Iterator[Farm]:
    """A sandbox on loopback and the environment of the workers; the workers are stopped
    after the test."""
    from antsclient.sandbox import serve

    (tmp_path / "agencies.json").write_text("{}", encoding="utf-8")
    with serve(seed=5) as sb:
        import antsclient

        package = Path(antsclient.__file__).resolve().parents[1]  # src/, or site-packages
        path = os.pathsep.join([str(package), str(EXAMPLES), os.environ.get("PYTHONPATH", "")])
        env = {
            **os.environ,
            "PYTHONPATH": path,
            "ANTS_BASE_URL": sb.url,
            "ANTS_DATABASE_URL": database,
            "ANTS_CREDENTIALS_FILE": str(tmp_path / "agencies.json"),
        }
        env.pop("COV_CORE_SOURCE", None)
        farm = Farm(sb, tmp_path, env)
        try:
            yield farm
        finally:
            farm.stop()
