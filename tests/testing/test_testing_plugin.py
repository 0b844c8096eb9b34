"""The pytest plugin: its fixtures, used here as a host application would use them."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import anyio
import pytest

import antsclient as ants
from antsclient.testing import OtherSide

pytestmark = pytest.mark.network


def _application(email: str) -> ants.Cerfa02:
    return ants.Cerfa02(
        applicant=ants.Applicant(
            last_name="MARTIN",
            first_name="Julie",
            birth_date=dt.date(2001, 3, 14),
            birth_city="PARIS",
            birth_department="75",
            birth_country="FRANCE",
            address=ants.Address(street="1 rue", postal_code="69800", city="SAINT-PRIEST"),
            email=email,
        ),
        categories={ants.LicenceCategory.B},
    )


def test_fixtures_drive_both_sides(
    ants_session: ants.AntsSession, ants_other_side: OtherSide, ants_credentials: ants.Credentials
) -> None:
    assert ants_credentials.agreement == "E1706900030"
    direct = ants_other_side.register_direct()
    assert direct.student_id is None
    assert len(direct.number) > 10
    seen = ants_session.requests.get(direct.number)
    assert seen.number == direct.number
    assert ants_other_side.prefecture_asks_completion(direct.number).status is (
        ants.RequestStatus.TO_COMPLETE
    )
    ants_other_side.latency(1)
    ants_other_side.faults(error_rate=0.0)
    ants_other_side.days_pass(1)
    assert ants_session.requests.refresh(direct.number).status is ants.RequestStatus.TO_COMPLETE


def test_prefecture_decisions(ants_sandbox: ants.sandbox.SandboxHandle) -> None:
    side = OtherSide(ants_sandbox)
    first = side.register_direct()
    assert side.prefecture_accepts(first.number).status is ants.RequestStatus.READY_FOR_CERFA06
    second = side.register_direct()
    assert side.prefecture_rejects(second.number).status is ants.RequestStatus.REJECTED


@pytest.mark.anyio
async def test_async_session_fixture(ants_async_session: ants.AsyncAntsSession) -> None:
    created = await ants_async_session.requests.create(_application("plugin@example.org"))
    assert created.status is ants.RequestStatus.DRAFT
    again = await ants_async_session.requests.get(created.number)
    assert again.number == created.number


@pytest.mark.anyio
async def test_async_session_serves_concurrent_calls_of_the_test(
    ants_async_session: ants.AsyncAntsSession,
) -> None:
    counted: list[dict[ants.Cerfa | None, dict[ants.Bucket, int]]] = []

    async def count() -> None:
        counted.append(await ants_async_session.requests.counts())

    async with anyio.create_task_group() as tasks:
        for _ in range(4):
            tasks.start_soon(count)
    assert len(counted) == 4
    assert all(c == counted[0] for c in counted)


def test_student_confirms(ants_session: ants.AntsSession, ants_other_side: OtherSide) -> None:
    drafts = ants_session.requests.search(bucket=ants.Bucket.AWAITING_APPLICANT_VALIDATION)
    waiting = drafts.items[0]
    assert ants_other_side.student_confirms(waiting.number).status is (
        ants.RequestStatus.UNDER_REVIEW
    )


def _host_project(
    folder: Path, tests: str, env: dict[str, str]
) -> subprocess.CompletedProcess[str]:
    """Run pytest, warnings as errors, on a throwaway project holding ``tests``."""
    (folder / "test_host.py").write_text(textwrap.dedent(tests), encoding="utf-8")
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-W",
            "error",
            str(folder),
        ],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def test_a_throwaway_project_uses_the_installed_plugin(tmp_path: Path) -> None:
    tests = """
        import antsclient as ants

        def test_host(ants_session, ants_other_side):
            direct = ants_other_side.register_direct()
            linked = ants_session.requests.link(direct.number, "student-42")
            assert linked.student_id == "student-42"
        """
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "PYTEST_ADDOPTS"}}
    done = _host_project(tmp_path, tests, env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 passed" in done.stdout


def test_the_async_session_is_for_async_tests_of_a_host(tmp_path: Path) -> None:
    tests = """
        import pytest

        @pytest.mark.anyio
        async def test_async_host(ants_async_session):
            assert await ants_async_session.requests.counts()

        def test_blocking_host(ants_async_session):
            pass
        """
    src = str(Path(ants.__file__).resolve().parents[1])
    path = os.pathsep.join(p for p in (src, os.environ.get("PYTHONPATH")) if p)
    env = {k: v for k, v in os.environ.items() if k != "PYTEST_ADDOPTS"} | {"PYTHONPATH": path}
    done = _host_project(tmp_path, tests, env)
    assert "1 passed, 1 error" in done.stdout, done.stdout + done.stderr
    assert "ants_async_session is for async tests" in done.stdout
    assert "Warning" not in done.stdout


def test_geo_confirm_against_the_sandbox(ants_session: ants.AntsSession) -> None:
    import attrs

    base = _application("confirm@example.org")
    typed = attrs.evolve(
        base,
        applicant=attrs.evolve(base.applicant, birth_city="SAINT-PRIEST", birth_department="01"),
    )
    report = ants_session.geo.check(typed)
    assert not report["applicant.birth_city"].ok
    confirmed = ants_session.geo.confirm(report)
    assert confirmed["applicant.birth_city"].ok
