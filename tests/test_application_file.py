"""The application file: a documented, versioned JSON format, read strictly.

``{"format": "antsclient.application/1", "cerfa": "02", "application": {...}}`` (or the bare
fields): every unknown key refused and named, every field at fault named at once, in English
and in French; what comes from ANTS stays tolerant.
"""

from __future__ import annotations

import json
import pickle
import re
from pathlib import Path
from typing import Any

import httpx
import pytest

import antsclient as ants
from antsclient.codec import (
    APPLICATION_FORMAT,
    CodecError,
    from_data,
    read_application,
    to_data,
    write_application,
)
from antsclient.protocol import parse_application

ROOT = Path(__file__).resolve().parent.parent
BLOCK = re.compile(r"^```python\n(.*?)^```", re.MULTILINE | re.DOTALL)


def test_the_docs_of_the_application_file_run(capsys: pytest.CaptureFixture[str]) -> None:
    text = (ROOT / "docs" / "validation.md").read_text(encoding="utf-8")
    assert "## The application file" in text
    blocks = BLOCK.findall(text)
    assert len(blocks) >= 2
    for block in blocks:
        exec(compile(block, "docs/validation.md", "exec"), {"__name__": "docs_validation"})
    assert "« applicant.nickname » : champ inconnu" in capsys.readouterr().out


def test_an_application_is_written_with_its_format_and_read_back(
    make_application: Any, make_cerfa06: Any
) -> None:
    for application in (make_application(), make_cerfa06()):
        document = write_application(application)
        assert document["format"] == APPLICATION_FORMAT == "antsclient.application/1"
        assert document["cerfa"] == application.cerfa.value
        assert document["application"] == to_data(application)
        assert read_application(json.loads(json.dumps(document))) == application


def test_the_bare_fields_are_read_too(make_application: Any, make_cerfa06: Any) -> None:
    assert read_application(to_data(make_application())) == make_application()
    assert read_application({**to_data(make_cerfa06()), "cerfa": "06"}) == make_cerfa06()
    assert read_application(to_data(make_cerfa06()), "06") == make_cerfa06()


def test_an_envelope_without_its_format_is_version_one(make_cerfa06: Any) -> None:
    document = {"cerfa": "06", "application": to_data(make_cerfa06())}
    assert read_application(document) == make_cerfa06()


def test_an_unknown_key_is_refused_and_named(make_application: Any) -> None:
    data = to_data(make_application())
    data["applicant"]["nickname"] = "Juju"
    with pytest.raises(CodecError) as refused:
        read_application(data)
    error = refused.value
    assert error.lines == ["$.applicant.nickname: unknown field"]
    (problem,) = error.problems
    assert (problem.field, problem.code) == ("applicant.nickname", "unknown_field")
    assert problem.message_fr == "« applicant.nickname » : champ inconnu"
    assert "« applicant.nickname » : champ inconnu" in error.message_fr
    assert error.message_fr.startswith("Les données de la demande sont incorrectes")


def test_unknown_keys_everywhere_are_all_named(make_application: Any) -> None:
    data = to_data(make_application())
    data["applicant"]["address"]["town"] = "Lyon"
    data["declarations"]["likes_cars"] = True
    data["colour"] = "blue"
    document = {"format": APPLICATION_FORMAT, "application": data, "author": "me"}
    with pytest.raises(CodecError) as refused:
        read_application(document)
    assert refused.value.lines[0] == "$.author: unknown field"
    assert sorted(refused.value.lines[1:]) == [
        "$.application.applicant.address.town: unknown field",
        "$.application.colour: unknown field",
        "$.application.declarations.likes_cars: unknown field",
    ]
    assert {p.field for p in refused.value.problems} == {
        "author",
        "applicant.address.town",
        "colour",
        "declarations.likes_cars",
    }


def test_every_field_at_fault_is_named_at_once(make_application: Any) -> None:
    data = to_data(make_application())
    del data["applicant"]["last_name"]
    del data["categories"]
    data["applicant"]["birth_date"] = "pas une date"
    data["applicant"]["birthdate"] = "2001-03-14"
    with pytest.raises(CodecError) as refused:
        read_application({"format": APPLICATION_FORMAT, "cerfa": "02", "application": data})
    error = refused.value
    assert error.what == "not a Cerfa 02 application"
    by_field = {p.field: p for p in error.problems}
    assert by_field["applicant.last_name"].code == "required"
    assert by_field["applicant.last_name"].message_fr.endswith("champ obligatoire manquant")
    assert by_field["categories"].code == "required"
    assert by_field["applicant.birth_date"].code == "invalid_value"
    birth = by_field["applicant.birth_date"]
    assert birth.message_fr == "« applicant.birth_date » : date incorrecte"
    assert by_field["applicant.birthdate"].code == "unknown_field"
    assert "$.application.applicant.birth_date: invalid date (" in "\n".join(error.lines)
    assert "While structuring" not in str(error)


def test_an_unknown_format_is_refused_by_name(make_application: Any) -> None:
    document = {"format": "antsclient.application/2", "application": to_data(make_application())}
    with pytest.raises(CodecError) as refused:
        read_application(document)
    assert refused.value.lines == [
        "$.format: unknown format 'antsclient.application/2': this antsclient reads "
        "'antsclient.application/1'"
    ]
    assert "« antsclient.application/2 » inconnu" in refused.value.message_fr


def test_an_envelope_without_its_application_says_so() -> None:
    with pytest.raises(CodecError) as refused:
        read_application({"format": APPLICATION_FORMAT, "cerfa": "02"})
    assert refused.value.lines == ["$.application: required field missing"]


def test_an_unknown_form_is_named(make_application: Any) -> None:
    with pytest.raises(CodecError) as refused:
        read_application({"cerfa": "03", "application": to_data(make_application())})
    assert refused.value.lines[0].startswith("$.cerfa: ")
    assert "formulaire inconnu" in refused.value.message_fr


def test_the_error_pickles_with_its_problems(make_application: Any) -> None:
    data = to_data(make_application())
    data["nickname"] = "Juju"
    with pytest.raises(CodecError) as refused:
        read_application(data)
    again = pickle.loads(pickle.dumps(refused.value))
    assert again.lines == refused.value.lines
    assert again.problems == refused.value.problems


def test_what_comes_from_ants_stays_tolerant(make_application: Any) -> None:
    data = to_data(make_application())
    data["applicant"]["added_by_ants"] = "x"
    data["new_field"] = 1
    assert read_application(data, strict=False) == make_application()
    assert from_data(data, ants.Cerfa02) == make_application()
    answer = httpx.Response(200, json={"cerfa": "02", "application": data, "extra": True})
    assert parse_application(answer) == make_application()
