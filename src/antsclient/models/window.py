"""Fenêtre de dates: the one window of dates every search, sync and store reads.

A window is a pair ``(start, end)``, both bounds inclusive and either open (``None``). A
bound may be a date — it then spans its whole day, in UTC as ANTS counts — or a datetime (a
naive one is taken as UTC).
"""

from __future__ import annotations

import datetime as dt

__all__ = ["DateWindow", "bounds", "within"]

DateWindow = tuple[dt.datetime | dt.date | None, dt.datetime | dt.date | None]
"""A window of dates, bounds inclusive (``None``: open)."""


def _instant(value: dt.datetime | dt.date, *, end_of_day: bool) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    moment = dt.time.max if end_of_day else dt.time.min
    return dt.datetime.combine(value, moment, tzinfo=dt.UTC)


def bounds(window: DateWindow | None) -> tuple[dt.datetime | None, dt.datetime | None]:
    """The aware (low, high) instants of a window, ``None`` where it is open."""
    if window is None:
        return None, None
    start, end = window
    return (
        None if start is None else _instant(start, end_of_day=False),
        None if end is None else _instant(end, end_of_day=True),
    )


def within(value: dt.datetime, low: dt.datetime | None, high: dt.datetime | None) -> bool:
    """Whether ``value`` lies between the bounds :func:`bounds` gave (inclusive)."""
    return (low is None or value >= low) and (high is None or value <= high)
