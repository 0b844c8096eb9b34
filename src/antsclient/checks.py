"""Every problem of an application in one call: its data and, on request, its places.

:func:`validate` is ``antsclient.validate``. It returns the problems of the data rules
(:func:`antsclient.validation.validate`: names, dates, ages, categories, identifiers…) and,
with ``geo=True``, those of the places (:func:`antsclient.geo.check`: every city, department
and country against the referential shipped in the package) — so that ``SAINT PRIST`` and
``PARSI`` are reported by the same call as a wrong email.

It sits above both: the data rules and the geo check know nothing of each other.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from antsclient.errors import FieldProblem
from antsclient.models.application import Application
from antsclient.validation import validate as data_problems

__all__ = ["validate"]


def validate(
    application: Application,
    *,
    on: dt.date | None = None,
    geo: bool = False,
    confirm: Iterable[str] = (),
) -> list[FieldProblem]:
    """Every problem of ``application``: errors and warnings, the data's first.

    ``on`` is the day ages and "in the future" are judged on (today by default). With
    ``geo=True`` the places are checked too, offline (the first such call loads the
    referential): a place that needs the user's choice is an error whose ``suggestions``
    list the candidates (« Ville incorrecte : « SAINT PRIST » … Choisissez parmi :
    SAINT-PRIEST (69800), … »), unless its field path is in ``confirm`` — the fields the
    user confirmed, as ``session.requests.create(application, confirm=…)`` takes them. A
    place the check corrects with certainty (``ST PRIEST`` → ``SAINT-PRIEST``) is not a
    problem: ``create`` applies the correction.

    Without ``geo`` only the data is checked, as :func:`antsclient.validation.validate`
    does.
    """
    problems = data_problems(application, on=on)
    if geo:
        from antsclient import geo as places  # noqa: PLC0415 - imported when asked for

        problems += places.check(application).field_problems(confirm)
    return problems
