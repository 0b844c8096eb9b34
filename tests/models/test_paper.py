"""Paper requests and bordereaux: dates as typed, the bordereau stamping its requests."""

from __future__ import annotations

import datetime as dt

import pytest

import antsclient as ants
from antsclient.demo import sample_application
from antsclient.models.paper import Bordereau, PaperRequest, TrackingChannel


def test_a_paper_request_reads_its_dates_and_tracking() -> None:
    paper = PaperRequest(
        reference="P-1",
        application=sample_application(),
        registered_on="05/07/2017",
        tracking="email",
        tracking_id="SUIVI-1",
    )
    assert paper.registered_on == dt.date(2017, 7, 5)
    assert paper.tracking is TrackingChannel.EMAIL
    assert paper.tracking.label == "Par courriel"
    assert TrackingChannel.POST.label == "Par courrier"
    assert paper.student_name == "LABORET Claire Anne"
    assert not paper.on_bordereau


def test_a_wrong_date_names_its_field() -> None:
    with pytest.raises(ants.ApplicationDataError) as wrong:
        PaperRequest(reference="P", application=sample_application(), registered_on="31/02/2017")
    assert wrong.value.field == "registered_on"
    with pytest.raises(ants.ApplicationDataError) as bad:
        Bordereau(number="1", date="hier", agreement="E1706900030")
    assert bad.value.field == "bordereau.date"


def test_a_bordereau_stamps_replaces_and_drops_its_requests() -> None:
    first, second = (
        PaperRequest(reference=r, application=sample_application()) for r in ("P-1", "P-2")
    )
    bordereau = Bordereau(number="17", date=dt.date(2017, 7, 6), agreement="E1706900030")
    bordereau = bordereau.add(first, second)
    assert len(bordereau) == 2
    assert all(r.bordereau_number == "17" for r in bordereau.requests)
    assert all(r.bordereau_date == dt.date(2017, 7, 6) for r in bordereau.requests)
    assert all(r.on_bordereau for r in bordereau.requests)
    tracked = PaperRequest(reference="P-1", application=sample_application(), tracking_id="T")
    bordereau = bordereau.add(tracked)
    assert [r.reference for r in bordereau.requests] == ["P-2", "P-1"]
    assert bordereau.requests[-1].tracking_id == "T"
    assert [r.reference for r in bordereau.without(["P-2"]).requests] == ["P-1"]
