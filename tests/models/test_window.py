"""The date window every search, sync and store reads: bounds inclusive, days whole in UTC."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from antsclient.models.window import DateWindow, bounds, within

PARIS_SUMMER = dt.timezone(dt.timedelta(hours=2))
DAY = dt.date(2025, 3, 14)


# --- bounds ------------------------------------------------------------------------------------


def test_no_window_is_open_both_ways() -> None:
    assert bounds(None) == (None, None)
    assert bounds((None, None)) == (None, None)


def test_dates_span_their_whole_day_in_utc() -> None:
    low, high = bounds((DAY, DAY))
    assert low == dt.datetime(2025, 3, 14, 0, 0, tzinfo=dt.UTC)
    assert high == dt.datetime(2025, 3, 14, 23, 59, 59, 999_999, tzinfo=dt.UTC)
    assert low is not None
    assert high is not None
    assert low.tzinfo is dt.UTC
    assert high.tzinfo is dt.UTC
    assert high - low == dt.timedelta(days=1) - dt.timedelta(microseconds=1)


def test_open_bounds_stay_open() -> None:
    low, high = bounds((DAY, None))
    assert low == dt.datetime(2025, 3, 14, tzinfo=dt.UTC)
    assert high is None
    low, high = bounds((None, DAY))
    assert low is None
    assert high == dt.datetime(2025, 3, 14, 23, 59, 59, 999_999, tzinfo=dt.UTC)


def test_naive_datetimes_are_utc() -> None:
    low, high = bounds((dt.datetime(2025, 3, 14, 8, 30), dt.datetime(2025, 3, 14, 18, 0)))
    assert low == dt.datetime(2025, 3, 14, 8, 30, tzinfo=dt.UTC)
    assert high == dt.datetime(2025, 3, 14, 18, 0, tzinfo=dt.UTC)
    assert low is not None
    assert low.utcoffset() == dt.timedelta(0)


def test_aware_datetimes_are_kept_as_given() -> None:
    start = dt.datetime(2025, 7, 1, 0, 0, tzinfo=PARIS_SUMMER)
    end = dt.datetime(2025, 7, 1, 23, 0, tzinfo=PARIS_SUMMER)
    low, high = bounds((start, end))
    assert low is start
    assert high is end
    assert low == dt.datetime(2025, 6, 30, 22, 0, tzinfo=dt.UTC)


def test_a_datetime_bound_is_not_stretched_to_its_day() -> None:
    # A datetime is a date too: it must be read as the instant, not as a whole day.
    moment = dt.datetime(2025, 3, 14, 12, 0, tzinfo=dt.UTC)
    assert bounds((moment, moment)) == (moment, moment)


def test_dates_and_datetimes_mix() -> None:
    low, high = bounds((DAY, dt.datetime(2025, 3, 20, 9, 0)))
    assert low == dt.datetime(2025, 3, 14, tzinfo=dt.UTC)
    assert high == dt.datetime(2025, 3, 20, 9, 0, tzinfo=dt.UTC)


# --- within ------------------------------------------------------------------------------------


def test_within_is_inclusive() -> None:
    low, high = bounds((DAY, DAY))
    assert low is not None
    assert high is not None
    assert within(low, low, high)
    assert within(high, low, high)
    assert not within(low - dt.timedelta(microseconds=1), low, high)
    assert not within(high + dt.timedelta(microseconds=1), low, high)


@pytest.mark.parametrize(
    ("moment", "inside"),
    [
        (dt.datetime(2025, 3, 14, 0, 0, tzinfo=dt.UTC), True),
        (dt.datetime(2025, 3, 14, 23, 59, 59, tzinfo=dt.UTC), True),
        (dt.datetime(2025, 3, 15, 0, 0, tzinfo=dt.UTC), False),
        (dt.datetime(2025, 3, 13, 23, 59, 59, tzinfo=dt.UTC), False),
        # 01:30 in Paris on the 14th is still the 13th in UTC, as ANTS counts.
        (dt.datetime(2025, 3, 14, 1, 30, tzinfo=PARIS_SUMMER), False),
        # 00:30 in Paris on the 15th is the 14th in UTC.
        (dt.datetime(2025, 3, 15, 0, 30, tzinfo=PARIS_SUMMER), True),
    ],
)
def test_a_day_is_counted_in_utc(moment: dt.datetime, inside: bool) -> None:
    assert within(moment, *bounds((DAY, DAY))) is inside


def test_open_bounds_let_everything_through() -> None:
    for moment in (
        dt.datetime(1970, 1, 1, tzinfo=dt.UTC),
        dt.datetime(2099, 12, 31, 23, 59, tzinfo=PARIS_SUMMER),
    ):
        assert within(moment, None, None)
        assert within(moment, *bounds(None))


def test_an_empty_window_holds_nothing() -> None:
    low, high = bounds((dt.date(2025, 3, 15), dt.date(2025, 3, 14)))
    for hour in range(0, 48, 3):
        moment = dt.datetime(2025, 3, 14, tzinfo=dt.UTC) + dt.timedelta(hours=hour)
        assert not within(moment, low, high)


# --- property ----------------------------------------------------------------------------------

zones = st.sampled_from(
    [dt.UTC, PARIS_SUMMER, dt.timezone(dt.timedelta(hours=-5, minutes=-30)),
     dt.timezone(dt.timedelta(hours=14))]
)  # fmt: skip
naive = st.datetimes(min_value=dt.datetime(1971, 1, 1), max_value=dt.datetime(2099, 1, 1))
aware = st.datetimes(
    min_value=dt.datetime(1971, 1, 1), max_value=dt.datetime(2099, 1, 1), timezones=zones
)
days = st.dates(min_value=dt.date(1971, 1, 1), max_value=dt.date(2099, 1, 1))
bound = st.none() | days | naive | aware


def _utc(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _after_start(x: dt.datetime, start: dt.datetime | dt.date | None) -> bool:
    if start is None:
        return True
    if isinstance(start, dt.datetime):
        return x >= _utc(start)
    return x.astimezone(dt.UTC).date() >= start


def _before_end(x: dt.datetime, end: dt.datetime | dt.date | None) -> bool:
    if end is None:
        return True
    if isinstance(end, dt.datetime):
        return x <= _utc(end)
    return x.astimezone(dt.UTC).date() <= end


@given(x=aware, start=bound, end=bound)
def test_within_bounds_matches_a_reference(
    x: dt.datetime, start: dt.datetime | dt.date | None, end: dt.datetime | dt.date | None
) -> None:
    window: DateWindow = (start, end)
    expected = _after_start(x, start) and _before_end(x, end)
    assert within(x, *bounds(window)) is expected


@given(day=days, x=aware)
def test_a_date_window_is_the_utc_day(day: dt.date, x: dt.datetime) -> None:
    assert within(x, *bounds((day, day))) is (x.astimezone(dt.UTC).date() == day)


@given(start=bound, end=bound)
def test_bounds_are_always_aware(
    start: dt.datetime | dt.date | None, end: dt.datetime | dt.date | None
) -> None:
    low, high = bounds((start, end))
    assert (low is None) is (start is None)
    assert (high is None) is (end is None)
    for instant in (low, high):
        if instant is not None:
            assert type(instant) is dt.datetime
            assert instant.utcoffset() is not None
