"""What people look at in a notebook: short one-line reprs and HTML tables, dates in French
and in Paris time."""

from __future__ import annotations

import datetime as dt
from typing import Any

import attrs
import pytest

import antsclient as ants
from antsclient import _display, geo
from antsclient.agency import SyncReport
from antsclient.errors import FieldProblem, Severity
from antsclient.export import counts_html, counts_table, problems_html
from antsclient.geo.check import CheckStatus, FieldCheck, GeoReport
from antsclient.models import Bucket, Cerfa, OnlineRequest, RequestStatus

WINTER = dt.datetime(2026, 11, 30, 11, 3, 27, 123456, tzinfo=dt.UTC)  # 12:03 in Paris
SUMMER = dt.datetime(2026, 7, 14, 9, 5, tzinfo=dt.UTC)  # 11:05 in Paris


def _request(**changes: Any) -> OnlineRequest:
    base: dict[str, Any] = {
        "number": "3223",
        "cerfa": Cerfa.C02,
        "status": RequestStatus.DRAFT,
        "status_label": "Brouillon",
        "type_label": "Inscription au permis nécessitant le passage d'un examen pratique",
        "created": WINTER,
        "modified": WINTER,
        "student_id": "S1",
        "applicant_name": "MARTIN Julie",
        "email": "julie.martin@example.org",
    }
    return OnlineRequest(**{**base, **changes})


# -- dates -------------------------------------------------------------------------------------


def test_dates_are_french_in_paris_time() -> None:
    assert _display.french_datetime(WINTER) == "30/11/2026 12:03"
    assert _display.french_datetime(SUMMER) == "14/07/2026 11:05"
    assert _display.french_datetime(dt.datetime(2026, 7, 14, 9, 5)) == "14/07/2026 11:05"
    assert _display.french_datetime(SUMMER, dt.UTC) == "14/07/2026 09:05"
    assert _display.french_datetime(SUMMER, "America/Cayenne") == "14/07/2026 06:05"
    assert _display.french_datetime(None) == "—"
    assert _display.french_date(dt.date(2001, 3, 4)) == "04/03/2001"


def test_shorten_keeps_one_line() -> None:
    assert _display.shorten("a\n  b") == "a b"
    cut = _display.shorten("x" * 100, 20)
    assert len(cut) == 20
    assert cut.endswith("…")


# -- OnlineRequest -----------------------------------------------------------------------------


def test_a_request_shows_in_one_short_line() -> None:
    assert repr(_request()) == (
        "OnlineRequest(3223, Cerfa 02, DRAFT, MARTIN Julie, modified 30/11/2026 12:03)"
    )
    long = _request(
        number="90120170705153905547685",
        cerfa=Cerfa.C06,
        status=RequestStatus.AWAITING_APPLICANT_VALIDATION,
        status_label=RequestStatus.AWAITING_APPLICANT_VALIDATION.label,
        student_id=None,
        transferred=True,
        modified=SUMMER,
    )
    assert repr(long) == (
        "OnlineRequest(90120170705153905547685, Cerfa 06, AWAITING_APPLICANT_VALIDATION, "
        "MARTIN Julie, unlinked, transferred, modified 14/07/2026 11:05)"
    )
    assert "\n" not in repr(long)
    assert len(repr(long)) < 150


def test_a_request_of_unknown_status_shows_its_label_and_a_nameless_one_says_so() -> None:
    text = repr(
        _request(status=RequestStatus.UNKNOWN, status_label="Dossier égaré", applicant_name=None)
    )
    assert text == (
        "OnlineRequest(3223, Cerfa 02, UNKNOWN 'Dossier égaré', no name, modified 30/11/2026 12:03)"
    )


def test_the_short_repr_keeps_equality_and_hash() -> None:
    one, same = _request(), _request()
    assert one == same
    assert hash(one) == hash(same)
    other = attrs.evolve(one, email="autre@example.org")
    assert repr(other) == repr(one)  # the repr is short, equality still sees every field
    assert other != one
    assert len({one, same, other}) == 2
    assert [f.name for f in attrs.fields(OnlineRequest)][:3] == ["number", "cerfa", "status"]


# -- FieldProblem and validate() ---------------------------------------------------------------


def _problem(**changes: Any) -> FieldProblem:
    base: dict[str, Any] = {
        "field": "applicant.birth_city",
        "code": "city.incorrect",
        "message": "applicant.birth_city 'SAINT PRIST' does not conform",
        "message_fr": "Ville incorrecte : « SAINT PRIST » (Ville de naissance).",
    }
    return FieldProblem(**{**base, **changes})


def test_a_problem_shows_its_field_code_and_the_start_of_its_french_message() -> None:
    assert repr(_problem()) == (
        "FieldProblem(applicant.birth_city [city.incorrect]: "
        "Ville incorrecte : « SAINT PRIST » (Ville de naissance).)"
    )
    long = _problem(
        message_fr="Ville incorrecte : « SAINT PRIST » (Ville de naissance). " * 5,
        suggestions=("SAINT-PRIEST (69)", "SAINT-PRIEST (07)"),
        severity=Severity.WARNING,
    )
    text = repr(long)
    assert text.startswith("FieldProblem(applicant.birth_city [city.incorrect] warning: Ville")
    assert text.endswith("…, 2 suggestion(s))")
    assert len(text) < 160
    assert long == attrs.evolve(long)
    assert hash(long) == hash(attrs.evolve(long))


def test_validate_results_show_short(make_application: Any, on: dt.date) -> None:
    wrong = make_application(applicant=attrs.evolve(make_application().applicant, email="x@"))
    problems = ants.validate(wrong, on=on)
    assert problems
    for problem in problems:
        assert "\n" not in repr(problem)
        assert len(repr(problem)) < 200
    assert len(repr(problems)) < 200 * len(problems)


def test_problems_show_as_an_escaped_table() -> None:
    shown = problems_html(
        [
            _problem(),
            _problem(
                field="applicant.email",
                code="email.invalid",
                message_fr="<b>Adresse</b> & co",
                severity=Severity.WARNING,
                suggestions=("a@b.fr",),
            ),
        ]
    )
    assert shown.startswith("<p>2 problème(s) : 1 erreur(s), 1 avertissement(s)</p><table>")
    assert "<th>Champ</th>" in shown
    assert "&lt;b&gt;Adresse&lt;/b&gt; &amp; co" in shown
    assert "<b>" not in shown
    assert shown.count('style="color:red"') == 1
    assert "<td>avertissement</td>" in shown
    assert "<td>a@b.fr</td>" in shown
    assert problems_html([]).startswith("<p>Aucun problème</p>")


# -- counts() ----------------------------------------------------------------------------------


COUNTS = {
    None: dict.fromkeys(Bucket, 0) | {Bucket.CERFA02: 12, Bucket.CERFA06: 3, Bucket.DRAFTS: 4},
    Cerfa.C02: dict.fromkeys(Bucket, 0) | {Bucket.CERFA02: 12, Bucket.DRAFTS: 4},
    Cerfa.C06: dict.fromkeys(Bucket, 0) | {Bucket.CERFA06: 3},
}


def test_counts_print_as_an_aligned_table() -> None:
    lines = counts_table(COUNTS).splitlines()
    assert lines[0].split() == ["Rubrique", "Toutes", "Cerfa", "02", "Cerfa", "06"]
    assert set(lines[1]) <= {"-", " "}
    assert len(lines) == 2 + len(Bucket)
    drafts = next(line for line in lines if line.startswith("Brouillons"))
    assert drafts.split()[-3:] == ["4", "4", "0"]
    assert len({len(line) for line in lines[:2]}) == 1


def test_counts_show_as_an_html_table() -> None:
    shown = counts_html(COUNTS)
    assert shown.startswith("<p>Demandes par rubrique</p><table>")
    assert "<th>Rubrique</th><th>Toutes</th><th>Cerfa 02</th><th>Cerfa 06</th>" in shown
    assert "<tr><td>Brouillons</td><td>4</td><td>4</td><td>0</td></tr>" in shown
    only_all = counts_html({None: {Bucket.DRAFTS: 2}})
    assert "<tr><td>Brouillons</td><td>2</td></tr>" in only_all


# -- the geo check -----------------------------------------------------------------------------


def _report() -> GeoReport:
    return GeoReport(
        (
            FieldCheck(
                "applicant.address.city",
                "Ville d'habitation de l'élève",
                CheckStatus.CORRECTED,
                "ST PRIEST",
                after="SAINT-PRIEST (69800)",
                messages=("Ville incorrecte",),
            ),
            FieldCheck(
                "applicant.birth_city",
                "Ville de naissance",
                CheckStatus.NEEDS_CHOICE,
                "<SAINT PRIST>",
                suggestions=("SAINT-PRIEST (69)", "SAINT-PRIEST (07)"),
                messages=("Ville incorrecte", "La ville doit être présente dans la liste"),
            ),
            FieldCheck(
                "applicant.birth_department",
                "Département de naissance",
                CheckStatus.CORRECTED,
                "99",
                clear=True,
            ),
            FieldCheck(
                "applicant.birth_country", "Pays de naissance", CheckStatus.CONFORMING, "FRANCE"
            ),
        )
    )


def test_a_geo_report_shows_what_to_look_at_in_one_line() -> None:
    report = _report()
    assert repr(report) == (
        "GeoReport(4 fields, 3 to look at: applicant.address.city CORRECTED, "
        "applicant.birth_city NEEDS_CHOICE, applicant.birth_department CORRECTED)"
    )
    assert repr(report["applicant.address.city"]) == (
        "FieldCheck(applicant.address.city, CORRECTED, 'ST PRIEST' -> 'SAINT-PRIEST (69800)')"
    )
    assert repr(report["applicant.birth_city"]) == (
        "FieldCheck(applicant.birth_city, NEEDS_CHOICE, '<SAINT PRIST>', 2 suggestion(s))"
    )
    assert repr(report["applicant.birth_department"]).endswith("'99' -> empty)")
    assert repr(GeoReport(report.fields[3:])) == "GeoReport(1 fields, all conforming)"
    assert report == _report()
    assert hash(report) == hash(_report())
    # Reprs stay printable on a console that is not UTF-8 (a redirected Windows one).
    repr(report).encode("cp1252")


def test_a_geo_report_shows_as_the_check_screen() -> None:
    shown = _report()._repr_html_()
    assert shown.startswith(
        "<p>Vérification des villes, départements et pays : 3 champ(s) à revoir</p>"
    )
    assert "<th>Avant → après</th>" in shown
    assert "<td>ST PRIEST → SAINT-PRIEST (69800)</td>" in shown
    assert "<td>99 → (vide)</td>" in shown
    assert "<td>&lt;SAINT PRIST&gt;</td>" in shown
    assert "<td>SAINT-PRIEST (69), SAINT-PRIEST (07)</td>" in shown
    assert "<td>À choisir</td>" in shown
    assert "<td>Conforme</td>" in shown
    assert shown.count("background-color:#fff3b0") == 3


def test_the_geo_check_of_an_application_shows_short(make_application: Any) -> None:
    application = make_application()
    report = geo.check(application)
    assert "\n" not in repr(report)
    assert len(repr(report)) < 300
    assert "<table>" in report._repr_html_()


# -- SyncReport --------------------------------------------------------------------------------


def test_a_sync_report_shows_its_counts_in_one_line() -> None:
    report = SyncReport(
        agreement="E1706900030", new=2000, unlinked=310, total=2000, pages=4, elapsed_s=3.21
    )
    assert (
        repr(report)
        == "SyncReport(E1706900030, ok, full, 2000 seen: 2000 new, 310 unlinked, 3.2 s)"
    )
    incremental = attrs.evolve(
        report, new=0, updated=3, unchanged=0, unlinked=0, incremental=True, since=WINTER
    )
    assert repr(incremental) == (
        "SyncReport(E1706900030, ok, incremental since 30/11/2026 12:03, 3 seen: 3 updated, 3.2 s)"
    )
    stopped = attrs.evolve(
        report, new=0, failed=2000, unlinked=0, error="bad login", error_code="auth_failed"
    )
    assert repr(stopped) == (
        "SyncReport(E1706900030, error auth_failed, full, 0 seen: 2000 failed, 3.2 s)"
    )
    assert report == attrs.evolve(report)
    assert hash(report) == hash(attrs.evolve(report))


def test_a_sync_report_shows_as_a_french_table() -> None:
    report = SyncReport(
        agreement="E1706900030",
        updated=3,
        total=3,
        incremental=True,
        since=SUMMER,
        watermark=WINTER,
        elapsed_s=0.5,
    )
    shown = report._repr_html_()
    assert shown.startswith("<p>Compte rendu de mise à jour — E1706900030</p>")
    assert "<tr><td>Type</td><td>incrémentale depuis le 14/07/2026 11:05</td></tr>" in shown
    assert "<tr><td>Prochaine mise à jour depuis</td><td>30/11/2026 12:03</td></tr>" in shown
    assert "<tr><td>Mises à jour</td><td>3</td></tr>" in shown
    assert "color:red" not in shown
    failed = attrs.evolve(
        report, error="boom <x>", error_code="unavailable", error_fr="Le site <ANTS> ne répond pas"
    )._repr_html_()
    assert "Le site &lt;ANTS&gt; ne répond pas (unavailable)" in failed
    assert failed.count("color:red") == 3


@pytest.mark.parametrize("value", [WINTER, SUMMER])
def test_reprs_never_show_utc_microseconds(value: dt.datetime) -> None:
    for text in (
        repr(_request(modified=value)),
        repr(SyncReport(agreement="A", since=value, incremental=True)),
    ):
        assert "+00:00" not in text
        assert "tzinfo" not in text
        assert str(value.microsecond) not in text or value.microsecond == 0
