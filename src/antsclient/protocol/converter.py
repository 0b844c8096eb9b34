"""One cattrs converter turns every model into JSON-ready data and back, without loss.

* dates and datetimes go out as ISO 8601 and come in leniently: ISO, or the French way ANTS
  shows them (``06/07/2017``, ``06/07/2017 15:39``), day first;
* enums go out as their value; an unknown request status comes in as ``UNKNOWN`` (the raw
  label is kept beside it), never as a crash;
* category sets go out as lists in the official order;
* unknown keys in what comes in are ignored (tolerant in, strict out).

The converter is built on first use, not at import.
"""

from __future__ import annotations

import datetime as dt
import enum
import functools
import operator
import re
from typing import Any, TypeVar

import cattrs
from dateutil import parser as date_parser

from antsclient._secret import Secret
from antsclient.models import enums
from antsclient.models.enums import LicenceCategory, RequestStatus

__all__ = ["from_data", "get_converter", "parse_date", "parse_datetime", "to_data"]

T = TypeVar("T")

_CATEGORY_ORDER = {c: i for i, c in enumerate(LicenceCategory)}


_YEAR_FIRST = re.compile(r"^\d{4}[-/.]")


def _parse_text(text: str) -> dt.datetime:
    """ISO 8601 first; then day first (``06/07/2017``), unless the year leads (``2017/07/06``)."""
    try:
        return dt.datetime.fromisoformat(text)
    except ValueError:
        pass
    year_first = bool(_YEAR_FIRST.match(text))
    parsed: dt.datetime = date_parser.parse(text, dayfirst=not year_first, yearfirst=year_first)
    return parsed


def parse_datetime(value: object) -> dt.datetime:
    """A datetime from ISO 8601 or a French day-first text (``05/07/2017 15:39:05``).

    A naive result is taken as UTC, so that every datetime antsclient hands out is aware.
    """
    if isinstance(value, dt.datetime):
        parsed = value
    elif isinstance(value, dt.date):
        parsed = dt.datetime(value.year, value.month, value.day)
    elif isinstance(value, str) and value.strip():
        parsed = _parse_text(value.strip())
    else:
        msg = f"expected a date and time, got {value!r}"
        raise ValueError(msg)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def parse_date(value: object) -> dt.date:
    """A date from ISO 8601 (``2017-07-06``) or French day-first text (``06/07/2017``)."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and value.strip():
        text = value.strip()
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            return _parse_text(text).date()
    msg = f"expected a date, got {value!r}"
    raise ValueError(msg)


def _is_enum(cls: Any) -> bool:
    return isinstance(cls, type) and issubclass(cls, enum.Enum)


def _enum_value(member: enum.Enum) -> Any:
    return member.value


def _structure_status(value: object, _: type) -> RequestStatus:
    return RequestStatus.from_label(str(value))


def _unstructure_categories(values: frozenset[LicenceCategory]) -> list[str]:
    return [c.value for c in sorted(values, key=_CATEGORY_ORDER.__getitem__)]


def _structure_categories(values: object, _: type) -> frozenset[LicenceCategory]:
    if isinstance(values, str):
        values = values.replace(",", " ").split()
    if not isinstance(values, list | tuple | set | frozenset):
        msg = f"expected a list of categories, got {values!r}"
        raise TypeError(msg)
    return frozenset(LicenceCategory(str(v).strip().upper()) for v in values)


def _structure_bytes(value: object, _: type) -> bytes:
    import base64  # noqa: PLC0415

    if isinstance(value, bytes):
        return value
    return base64.b64decode(str(value), validate=True)


def _unstructure_bytes(value: bytes) -> str:
    import base64  # noqa: PLC0415

    return base64.b64encode(value).decode("ascii")


@functools.cache
def get_converter() -> cattrs.Converter:
    """The converter, built once on first use."""
    converter = cattrs.Converter(forbid_extra_keys=False, omit_if_default=False)
    converter.register_unstructure_hook(dt.datetime, lambda d: d.isoformat())
    converter.register_structure_hook(dt.datetime, lambda v, _: parse_datetime(v))
    converter.register_unstructure_hook(dt.date, lambda d: d.isoformat())
    converter.register_structure_hook(dt.date, lambda v, _: parse_date(v))
    # One hook per enum class: cattrs would otherwise pass a StrEnum through as a str.
    for name in enums.__all__:
        cls = getattr(enums, name)
        if _is_enum(cls):
            converter.register_unstructure_hook(cls, _enum_value)
    converter.register_unstructure_hook_func(_is_enum, _enum_value)
    converter.register_structure_hook(RequestStatus, _structure_status)
    is_categories = functools.partial(operator.eq, frozenset[LicenceCategory])
    converter.register_unstructure_hook_func(is_categories, _unstructure_categories)
    converter.register_structure_hook_func(is_categories, _structure_categories)
    converter.register_unstructure_hook(Secret, Secret.reveal)
    converter.register_structure_hook(Secret, lambda v, _: Secret.of(v))
    converter.register_unstructure_hook(bytes, _unstructure_bytes)
    converter.register_structure_hook(bytes, _structure_bytes)
    return converter


def to_data(obj: Any) -> Any:
    """``obj`` as JSON-ready data (dicts, lists, strings, numbers, booleans, ``None``).

    Careful: a :class:`~antsclient.Credentials` comes out with its password in clear, as it
    must to be stored or sent; keep such data out of logs.
    """
    return get_converter().unstructure(obj)


def from_data(data: Any, cls: type[T]) -> T:
    """Build a ``cls`` from JSON-ready data; a failure names the field at fault."""
    return get_converter().structure(data, cls)
