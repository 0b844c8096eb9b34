"""Dates as people write them: ``2001-03-14`` (ISO) or ``14/03/2001`` (French, day first).

The models' date fields take a :class:`datetime.date`, or one of these texts, read here once
at construction — so ``Applicant(birth_date="14/03/2001")`` is the same applicant as with
``dt.date(2001, 3, 14)``, and a text that is no date is refused there, by a typed
:class:`~antsclient.ApplicationDataError` naming the field, instead of a ``TypeError`` deep
in a later check. (The codec reads the looser texts ANTS sends, ``06/07/2017 15:39``.)
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Final

from antsclient.errors import ApplicationDataError, FieldProblem

__all__ = ["DateLike", "parse_date_text", "to_date"]

DateLike = dt.date | str
"""What a date field takes: a date (a datetime gives its day), or its text."""

_YEAR_FIRST: Final = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$")
_DAY_FIRST: Final = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$")


def parse_date_text(text: str) -> dt.date:
    """The date a text writes: ISO (``2001-03-14``, or ``2001-03-14T10:00``) or French, day
    first (``14/03/2001``, ``14-03-2001``, ``14.03.2001``). Raises ``ValueError`` otherwise
    (a two-digit year is ambiguous, and refused)."""
    value = text.strip()
    if match := _YEAR_FIRST.match(value):
        year, month, day = match.groups()
    elif match := _DAY_FIRST.match(value):
        day, month, year = match.groups()
    else:
        return dt.datetime.fromisoformat(value).date()
    return dt.date(int(year), int(month), int(day))


def _refused(value: object, field: str, label: str) -> ApplicationDataError:
    shown = value if isinstance(value, str) else repr(value)
    return ApplicationDataError(
        problems=[
            FieldProblem(
                field=field,
                code="date.invalid",
                message=f"{field}: {value!r} is not a date; write it 2001-03-14 or 14/03/2001",
                message_fr=f"La date « {shown} » ({label}) est incorrecte : écrivez-la "
                "JJ/MM/AAAA, par exemple 14/03/2001.",
            )
        ]
    )


def to_date(value: object, field: str, label: str) -> dt.date:
    """``value`` as a date: a date as is, a datetime's day, or the date its text writes.

    Anything else raises :class:`~antsclient.ApplicationDataError` on ``field`` (its path in
    the application, ``applicant.birth_date``), whose French message names it by ``label``
    (« Date de naissance »).
    """
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return parse_date_text(value)
        except ValueError:
            pass
    raise _refused(value, field, label)
