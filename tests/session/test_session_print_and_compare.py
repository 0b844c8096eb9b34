"""Impression Cerfa, divergence and « Mettre à jour » of the student, with both sessions
against the sandbox (in process and over loopback TCP)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import attrs
import pytest
from pypdf import PdfReader
from sandbox_fixtures import MODES, RequestLog, SandboxEnv, Students, aw, cerfa02, sandbox_env

import antsclient as ants
from antsclient.storage import MemoryStudents, Student

pytestmark = pytest.mark.anyio


@pytest.fixture(params=MODES)
def env(request: pytest.FixtureRequest) -> Iterator[SandboxEnv]:
    with sandbox_env(request.param) as e:
        yield e


def _text(path: Path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


async def test_print_the_filled_cerfa_of_a_request(env: SandboxEnv, tmp_path: Path) -> None:
    application = cerfa02(first_name="Élodie", last_name="CRŒTTWILLER")
    async with env.session() as s:
        draft = await aw(s.requests.create(application))
        path = await aw(s.requests.print(draft.number, to=tmp_path))
        title = await aw(s.requests.print(draft, to=tmp_path / "titre.pdf", cerfa="06"))
    assert path == tmp_path / f"cerfa02-{draft.number}.pdf"
    text = _text(path)
    for value in ("CRŒTTWILLER", "Élodie", "SAINT-PRIEST (69800)", draft.number):
        assert value in text
    born = application.applicant.birth_date
    assert born.strftime("%d/%m/%Y") in text
    assert f"Demande n° {draft.number}" in text
    assert env.sandbox.credentials.agreement in text
    assert title == tmp_path / "titre.pdf"
    assert "cerfa N° 14948*01" in _text(title)


async def test_print_an_unknown_request_writes_nothing(env: SandboxEnv, tmp_path: Path) -> None:
    async with env.session() as s:
        with pytest.raises(ants.RequestNotFound):
            await aw(s.requests.print("0", to=tmp_path))
    assert list(tmp_path.iterdir()) == []


async def test_print_without_reportlab_sends_nothing(
    env: SandboxEnv, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(__import__("sys").modules, "reportlab", None)
    log = RequestLog()
    async with env.session(log=log) as s:
        with pytest.raises(ants.errors.ExtraNotInstalled) as missing:
            await aw(s.requests.print("3201", to=tmp_path))
    assert missing.value.extra == "print"
    assert len(log) == 0


async def test_compare_lists_what_differs_from_the_student_file(env: SandboxEnv) -> None:
    application = cerfa02()
    async with env.session() as s:
        draft = await aw(s.requests.create(application))
        same = await aw(s.requests.compare(draft, await aw(s.requests.application(draft))))
        moved = attrs.evolve(
            application.applicant,
            email="julie.nouvelle@example.org",
            address=attrs.evolve(application.applicant.address, city="LYON"),
        )
        host = attrs.evolve(application, applicant=moved)
        differences = await aw(s.requests.compare(draft.number, host))
        student = Student(student_id="S1", last_name="martin", first_name="JULIE", email=None)
        by_name = await aw(s.requests.compare(draft, student))
    assert same == []
    assert [(d.field, d.label) for d in differences] == [
        ("applicant.address.city", "Ville d'habitation"),
        ("applicant.email", "Email"),
    ]
    city = differences[0]
    assert (city.host, city.ants) == ("LYON", "SAINT-PRIEST (69800)")
    assert "« LYON » (fiche)" in str(city)
    assert [d.field for d in by_name] == ["applicant.email"]
    assert by_name[0].host == ""


async def test_refresh_updates_the_linked_student(env: SandboxEnv) -> None:
    students = Students(Student(student_id="S7", last_name="MARTIN", first_name="Julie"))
    log = RequestLog()
    async with env.session(log=log, students=students) as s:
        draft = await aw(s.requests.create(cerfa02()))
        with pytest.raises(ants.ActionNotAllowed) as unlinked:
            await aw(s.requests.refresh(draft, update_student=True))
        assert unlinked.value.code == "request_not_linked"
        assert "reliez-la d'abord" in unlinked.value.message_fr
        await aw(s.requests.link(draft, "S7"))
        assert students.updates == []
        refreshed = await aw(s.requests.refresh(draft.number, update_student=True))
    assert refreshed.student_id == "S7"
    ((student_id, application),) = students.updates
    assert student_id == "S7"
    assert application.applicant.address.city == "SAINT-PRIEST (69800)"
    updated = students.get("S7")
    assert updated is not None and updated.email == application.applicant.email


async def test_refresh_update_student_needs_a_directory(env: SandboxEnv) -> None:
    log = RequestLog()
    async with env.session(log=log) as s:
        with pytest.raises(ants.ConfigurationError) as none:
            await aw(s.requests.refresh("3201", update_student=True))
    assert none.value.field == "students"
    assert len(log) == 0


async def test_a_student_file_made_right_by_refresh_no_longer_differs(env: SandboxEnv) -> None:
    directory = MemoryStudents([Student(student_id="S9", last_name="MARTIN", first_name="Julie")])
    async with env.session(students=directory) as s:
        draft = await aw(
            s.requests.create(
                cerfa02(),
            )
        )
        await aw(s.requests.link(draft, "S9"))
        student = directory.get("S9")
        assert student is not None
        assert [d.field for d in await aw(s.requests.compare(draft, student))] == [
            "applicant.email"
        ]
        await aw(s.requests.refresh(draft, update_student=True))
        student = directory.get("S9")
        assert student is not None
        assert await aw(s.requests.compare(draft, student)) == []


async def test_divergence_cases_reach_the_session(env: SandboxEnv) -> None:
    first = cerfa02(birth_date=dt.date(1999, 9, 9))
    async with env.session() as s:
        filed = await aw(s.requests.create(first))
        with pytest.raises(ants.DivergenceError) as again:
            await aw(s.requests.create(first))
        other_email = attrs.evolve(first.applicant, email="julie.autre@example.org")
        with pytest.raises(ants.DivergenceError) as moved:
            await aw(s.requests.create(attrs.evolve(first, applicant=other_email)))
        sister = attrs.evolve(first.applicant, first_name="Lucie")
        with pytest.raises(ants.DivergenceError) as shared:
            await aw(s.requests.create(attrs.evolve(first, applicant=sister)))
    assert again.value.case is ants.DivergenceCase.ALREADY_REGISTERED
    assert moved.value.case is ants.DivergenceCase.DIFFERENT_DATA
    assert moved.value.field == "applicant"
    assert shared.value.case is ants.DivergenceCase.SHARED_EMAIL
    for error in (again.value, moved.value, shared.value):
        assert error.existing_number == filed.number
        assert error.message_fr == error.case.message_fr
