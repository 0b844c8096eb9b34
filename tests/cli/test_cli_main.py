"""The command line offline: check, geo, version, credentials, and the exit codes scripts
rely on."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

import antsclient
from antsclient.__main__ import (
    EXIT_OK,
    EXIT_PROBLEMS,
    EXIT_USAGE,
    main,
    read_credentials,
)
from antsclient.cli import UsageError
from antsclient.cli.options import build_parser
from antsclient.codec import to_data
from antsclient.demo import sample_application


def _write(path: Path, data: object) -> Path:
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_check_reports_errors_and_corrections(
    application_file: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check", "--geo", str(application_file())]) == EXIT_PROBLEMS
    out = capsys.readouterr().out
    assert "first_name.several_given_names" in out
    assert "« ST PRIEST » → « SAINT-PRIEST (69800) » (corrigé à l'envoi)" in out
    assert "1 erreur(s), 0 avertissement(s)" in out


def test_check_counts_places_that_need_the_user(
    application_file: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    path = application_file(
        applicant={"first_name": "Claire", "other_first_names": "Anne", "birth_city": "PARSI"},
        address={"city": "SAINT PRIST"},
    )
    assert main(["check", str(path)]) == EXIT_OK
    assert "0 erreur(s)" in capsys.readouterr().out
    assert main(["check", "--geo", str(path)]) == EXIT_PROBLEMS
    out = capsys.readouterr().out
    assert "city.incorrect" in out
    assert "Ville de naissance" in out
    assert "2 erreur(s)" in out


def test_check_confirmed_places_pass(
    application_file: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    path = application_file(
        applicant={"first_name": "Claire", "other_first_names": "Anne", "birth_city": "PARSI"}
    )
    assert main(["check", "--geo", str(path)]) == EXIT_PROBLEMS
    capsys.readouterr()
    assert main(["check", "--confirm", "applicant.birth_city", str(path)]) == EXIT_OK
    assert "0 erreur(s)" in capsys.readouterr().out


def test_check_refuses_an_unknown_confirmed_field(
    application_file: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check", "--confirm", "applicant.birth_citty", str(application_file())]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith("antsclient check : --confirm : champ de lieu inconnu")
    assert err[1].startswith("antsclient check: --confirm: not a place field: ")


def test_check_passes_a_fixed_application(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = to_data(sample_application())
    data["applicant"]["first_name"] = "Claire"
    data["applicant"]["other_first_names"] = "Anne"
    assert main(["check", str(_write(tmp_path / "ok.json", data))]) == EXIT_OK
    assert "0 erreur(s)" in capsys.readouterr().out


def test_check_in_english(
    application_file: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--lang", "en", "check", "--geo", str(application_file())]) == EXIT_PROBLEMS
    out = capsys.readouterr().out
    assert "1 error(s), 0 warning(s)" in out
    assert "fixed when sent" in out
    assert "erreur" not in out
    assert "Le prénom" not in out


def test_check_places_in_english(
    application_file: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    path = application_file(
        applicant={"first_name": "Claire", "other_first_names": "Anne", "birth_city": "PARSI"}
    )
    assert main(["check", "--geo", "--lang", "en", str(path)]) == EXIT_PROBLEMS
    out = capsys.readouterr().out.splitlines()
    assert out[1].startswith("error     applicant.birth_city: 'PARSI' does not conform")
    assert out[1].endswith("[city.incorrect]")
    assert out[2] == "1 error(s), 0 warning(s)"


def test_check_reads_a_cerfa06(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = to_data(sample_application())
    body = {"applicant": data["applicant"], "categories": ["B"], "neph": "230833200011"}
    path = _write(tmp_path / "c06.json", {"cerfa": "06", "application": body})
    assert main(["check", str(path)]) == EXIT_PROBLEMS  # the two given names again
    assert "neph" not in capsys.readouterr().out


def test_check_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(tmp_path / "absent.json")]) == EXIT_USAGE
    fr, en = capsys.readouterr().err.splitlines()
    assert fr.startswith("antsclient check : impossible de lire")
    assert fr.endswith("fichier introuvable")
    assert en.endswith(": no such file")


@pytest.mark.parametrize(
    ("text", "fr", "en"),
    [
        ("{", "n'est pas du JSON valide (ligne 1, colonne 2)", "is not valid JSON"),
        ("[1, 2]", "un objet JSON est attendu", "a JSON object is expected"),
    ],
)
def test_check_not_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, fr: str, en: str
) -> None:
    path = tmp_path / "x.json"
    path.write_text(text, encoding="utf-8")
    assert main(["check", str(path)]) == EXIT_USAGE
    lines = capsys.readouterr().err.splitlines()
    assert fr in lines[0]
    assert en in lines[1]


def test_check_a_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(tmp_path)]) == EXIT_USAGE
    fr, en = capsys.readouterr().err.splitlines()
    assert fr.endswith("c'est un dossier")
    assert en.endswith("it is a folder")


def test_check_reads_a_file_saved_by_notepad(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = to_data(sample_application())
    path = tmp_path / "bom.json"
    path.write_bytes(json.dumps({"application": data}).encode("utf-8-sig"))
    assert main(["check", str(path)]) == EXIT_PROBLEMS
    assert "1 erreur(s)" in capsys.readouterr().out


def test_check_not_utf8(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "x.json"
    path.write_bytes('{"a": "é"}'.encode("cp1252"))
    assert main(["check", str(path)]) == EXIT_USAGE
    assert "n'est pas un texte UTF-8" in capsys.readouterr().err


def test_check_not_an_application(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _write(tmp_path / "x.json", {"applicant": {"last_name": "X"}})
    assert main(["check", str(path)]) == EXIT_USAGE
    err = capsys.readouterr().err
    assert "n'est pas une demande lisible" in err
    assert "is not a Cerfa 02 application" in err
    assert "$.applicant.first_name: required field missing" in err


def test_geo_suggestions(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["geo", "ST PRIEST", "--limit", "3"]) == EXIT_OK
    out = capsys.readouterr().out
    assert "SAINT-PRIEST (69800)" in out
    assert len(out.strip().splitlines()) == 3


def test_geo_nothing_found(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["geo", "ZZZZQQQXXX"]) == EXIT_PROBLEMS
    assert capsys.readouterr().out == "« ZZZZQQQXXX » : aucune commune\n"
    assert main(["geo", "ZZZZQQQXXX", "--lang", "en"]) == EXIT_PROBLEMS
    assert capsys.readouterr().out == "« ZZZZQQQXXX »: no commune found\n"


def test_geo_country(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["geo", "--country", "Deutschland"]) == EXIT_OK
    assert "ALLEMAGNE" in capsys.readouterr().out
    assert main(["geo", "--country", "Atlantide du Nord"]) == EXIT_PROBLEMS
    assert "pays non reconnu" in capsys.readouterr().out


@pytest.mark.parametrize("argv", [["version"], ["--version"]])
def test_version(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == EXIT_OK
    assert capsys.readouterr().out == f"antsclient {antsclient.__version__}\n"


def test_help_exits_0_in_the_chosen_language(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == EXIT_OK
    out = capsys.readouterr().out
    assert out.startswith("utilisation : antsclient")
    assert "affiche cette aide" in out
    assert main(["sync", "--help", "--lang", "en"]) == EXIT_OK
    out = capsys.readouterr().out
    assert out.startswith("usage: antsclient sync")
    assert "--full" in out
    assert "--timeout SECONDS" in out


def test_no_command_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == EXIT_USAGE
    assert capsys.readouterr().err.splitlines() == [
        "antsclient : argument(s) obligatoire(s) manquant(s) : COMMANDE",
        "antsclient: the following arguments are required: COMMANDE",
    ]


def test_credentials_from_the_environment() -> None:
    creds = read_credentials(
        {
            "ANTS_AGREEMENT": "E1706900030",
            "ANTS_LOGIN": "claboret662",
            "ANTS_PASSWORD": "s3cret",
            "ANTS_POSTAL_CODE": "90000",
        },
        prompt=lambda _: pytest.fail("no prompt expected"),
        ask=lambda _: pytest.fail("no question expected"),
    )
    assert creds.agreement == "E1706900030"
    assert creds.password.reveal() == "s3cret"
    assert creds.postal_code == "90000"
    assert creds.prefecture is None


def test_credentials_prompted_on_a_terminal() -> None:
    asked: list[str] = []

    def answer(text: str) -> Callable[[str], str]:
        def reply(label: str) -> str:
            asked.append(label)
            return text

        return reply

    creds = read_credentials({}, prompt=answer("hidden"), ask=answer(" E1 "), interactive=True)
    assert creds.agreement == "E1"
    assert creds.password.reveal() == "hidden"
    assert any("Mot de passe" in label for label in asked)


def test_credentials_prompted_in_english() -> None:
    asked: list[str] = []

    def prompt(label: str) -> str:
        asked.append(label)
        return "hidden"

    read_credentials(
        {"ANTS_AGREEMENT": "E1", "ANTS_LOGIN": "me"}, prompt=prompt, interactive=True, lang="en"
    )
    assert asked == ["ANTS password: "]


def test_no_prompt_without_a_terminal() -> None:
    with pytest.raises(UsageError) as caught:
        read_credentials(
            {"ANTS_AGREEMENT": "E1"},
            prompt=lambda _: pytest.fail("no prompt without a terminal"),
            ask=lambda _: pytest.fail("no question without a terminal"),
            interactive=False,
        )
    assert "ANTS_LOGIN, ANTS_PASSWORD" in caught.value.fr
    assert "no terminal" in caught.value.en


def test_an_unanswered_prompt_is_a_usage_error() -> None:
    def closed(label: str) -> str:
        raise EOFError

    with pytest.raises(UsageError, match="credentials not entered"):
        read_credentials({}, prompt=closed, ask=closed, interactive=True)


def test_no_command_takes_a_password_argument() -> None:
    for lang in ("fr", "en"):
        parser = build_parser(lang)
        text = parser.format_help()
        for action in parser._subparsers._group_actions:  # type: ignore[union-attr]
            for sub in action.choices.values():  # type: ignore[union-attr]
                text += sub.format_help()
        assert "--password" not in text
        assert "--login" not in text


def test_the_module_and_the_script_run_the_same_main() -> None:
    import antsclient.__main__ as module
    import antsclient.cli as cli

    assert module.main is cli.main
