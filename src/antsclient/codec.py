"""The codec: one cattrs converter turns every model into JSON-ready data and back.

It defines what antsclient sends *and* what it stores (the SQLite store's application
column, the sandbox's journal), so it sits beside the models, below the protocol: swapping the
wire never changes a file on disk.

* dates and datetimes go out as ISO 8601 and come in leniently: ISO, or the French way ANTS
  shows them (``06/07/2017``, ``06/07/2017 15:39``), day first;
* enums go out as their value; an unknown request status comes in as ``UNKNOWN`` (the raw
  label is kept beside it), never as a crash;
* category sets go out as lists in the official order;
* unknown keys in what comes in are ignored (tolerant in, strict out) — except in an
  application file (:func:`read_application`, the ``antsclient.application/1`` format,
  :func:`write_application`), where a person wrote them: there each is refused, named;
* the hot type — :class:`~antsclient.models.OnlineRequest`, hundreds per search page — has a
  fast hook for the common shape (ISO instants, known values), with the generic structuring
  as its fallback for anything else; a property test checks that both agree.

A structuring failure is described field by field (:func:`describe_error`, built on
``cattrs.transform_error``): ``$.applicant.birth_date: invalid value for type, expected date``.

The converter is built on first use, not at import; dateutil's parser is imported only for a
date that is not ISO 8601.
"""

from __future__ import annotations

import datetime as dt
import enum
import functools
import operator
import re
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, Final, TypeVar

import attrs
import cattrs
from cattrs.gen import make_dict_structure_fn

from antsclient._secret import Secret
from antsclient.errors import FieldProblem
from antsclient.models import enums
from antsclient.models.application import Application, application_type
from antsclient.models.enums import Cerfa, LicenceCategory, RequestStatus
from antsclient.models.request import (
    CERFA_BY_VALUE,
    ONLINE_REQUEST_FIELDS,
    REQUEST_TYPE_BY_VALUE,
    STATUS_BY_VALUE,
    OnlineRequest,
    new_online_request,
)

__all__ = [
    "APPLICATION_FORMAT",
    "CodecError",
    "describe_error",
    "from_data",
    "get_converter",
    "new_online_request",
    "parse_date",
    "parse_datetime",
    "read",
    "read_application",
    "read_online_request",
    "request_type_of",
    "to_data",
    "write_application",
]

T = TypeVar("T")

_CATEGORY_ORDER = {c: i for i, c in enumerate(LicenceCategory)}


_YEAR_FIRST = re.compile(r"^\d{4}[-/.]")


def _parse_text(text: str) -> dt.datetime:
    """ISO 8601 first; then day first (``06/07/2017``), unless the year leads (``2017/07/06``)."""
    try:
        return dt.datetime.fromisoformat(text)
    except ValueError:
        pass
    # dateutil's parser costs a noticeable import: only a date that is not ISO needs it.
    from dateutil import parser as date_parser  # noqa: PLC0415

    year_first = bool(_YEAR_FIRST.match(text))
    try:
        parsed: dt.datetime = date_parser.parse(text, dayfirst=not year_first, yearfirst=year_first)
    except OverflowError:  # "9" * 21: a number no date holds
        msg = f"{text[:40]!r} is not a date and time"
        raise ValueError(msg) from None
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


def _structure_enum(value: object, cls: type[enum.Enum]) -> enum.Enum:
    return cls(value)


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


_TRUE: Final = frozenset({"true", "1", "yes", "oui", "o", "y"})
_FALSE: Final = frozenset({"false", "0", "no", "non", "n", ""})


def _structure_bool(value: object, _: type) -> bool:
    """A boolean: true/false, 1/0, or their texts (« false » is false, never ``bool("false")``)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in {0, 1}:
        return bool(value)
    if isinstance(value, str):
        text = value.strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
    msg = f"expected true or false, got {value!r}"
    raise ValueError(msg)


def _structure_text(value: object, _: type) -> str:
    """A text: a string, or a number written as one (``3223``); never ``None`` as « None »."""
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    msg = f"expected a text, got {value!r}"
    raise TypeError(msg)


def _structure_bytes(value: object, _: type) -> bytes:
    import base64  # noqa: PLC0415

    if isinstance(value, bytes):
        return value
    return base64.b64decode(str(value), validate=True)


def _unstructure_bytes(value: bytes) -> str:
    import base64  # noqa: PLC0415

    return base64.b64encode(value).decode("ascii")


@functools.cache
def get_converter(*, strict: bool = False) -> cattrs.Converter:
    """The converter, built once on first use.

    The default one ignores unknown keys (tolerant in: what ANTS or a store adds is no
    crash); the ``strict`` one refuses them, to read a file a person wrote, where an unknown
    key is a typo (``nickname``, ``birthdate``) that would otherwise be silently dropped.
    """
    converter = cattrs.Converter(forbid_extra_keys=strict, omit_if_default=False)
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
    converter.register_structure_hook(bool, _structure_bool)
    converter.register_structure_hook(str, _structure_text)
    # A StrEnum is a str: each enum class gets its own hook, more specific than str's.
    for name in enums.__all__:
        cls = getattr(enums, name)
        if _is_enum(cls) and cls is not RequestStatus:
            converter.register_structure_hook(cls, _structure_enum)
    _register_online_request(converter)
    return converter


# --- the hot type: OnlineRequest -------------------------------------------------------------


def _instant(value: object) -> dt.datetime:
    if type(value) is not str:
        raise TypeError
    parsed = _fromisoformat(value)
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=dt.UTC)
    if parsed.tzinfo is not _UTC:
        return _in_shared_zone(value, parsed)
    return parsed


_fromisoformat: Final = dt.datetime.fromisoformat
_combine: Final = dt.datetime.combine
_UTC: Final = dt.UTC

_ZONES: Final[dict[str, dt.tzinfo]] = {}
"""The shared zone of each fixed offset met, by its text (``"+02:00"``): the zone of the
first instant read with it.

``fromisoformat`` gives each instant with an offset other than UTC a zone object of its
own (``+02:00`` made anew each time: Paris time, as a French server may well write it).
Python compares and subtracts two instants through their offsets unless they share one zone
object, so a store's row and a sync's newest instant cost some 5,000 instructions more an
instant. Read in a shared zone, a 20,000-request sync's pages of Paris-time items, read and
stored without the ``speedups`` extra, cost 118,000 → 111,700 instructions a request on 3.11
(callgrind, the collector off), its pages of UTC items 0.2 % more (one check an item)."""

_MOST_ZONES: Final = 64
"""The most offsets :data:`_ZONES` keeps (a server could write each instant in an offset
of its own)."""

_OFFSET: Final = -6
"""Where an offset written ``+HH:MM`` starts, from the end of an instant's text."""

_REPLACE_IS_CHEAP: Final = sys.version_info >= (3, 13)
"""How an instant is put in its shared zone. Since 3.13, ``replace(tzinfo=…)``: 2,000
instructions over ``fromisoformat``'s own 2,700. Before, ``replace`` parses its keywords and
then the constructor's arguments again (10,300 over 2,300 on 3.11, 11,000 on 3.12), while
``datetime.combine(parsed, parsed.time(), zone)`` costs 2,400 (2,600 on 3.12, 2,700 on 3.13)."""


def _in_shared_zone(text: str, parsed: dt.datetime) -> dt.datetime:
    """``parsed`` (read from ``text``, with an offset other than UTC) in the zone shared by
    every instant read with the same offset — the same instant, the same offset."""
    zone = _ZONES.get(text[_OFFSET:])
    if zone is not None:
        if _REPLACE_IS_CHEAP:
            return parsed.replace(tzinfo=zone)
        return _combine(parsed, parsed.time(), zone)
    own = parsed.tzinfo
    if (
        type(own) is dt.timezone
        and own is not dt.UTC
        and len(_ZONES) < _MOST_ZONES
        and text[_OFFSET] in "+-"
        and text[-3] == ":"
    ):
        _ZONES.setdefault(text[_OFFSET:], own)
    return parsed


_ONLINE_FIELDS: Final = ONLINE_REQUEST_FIELDS


request_type_of: Final = REQUEST_TYPE_BY_VALUE.get
"""The :class:`RequestType` of a value, or ``None`` for one this client does not know."""


def _optional_day(value: object) -> dt.date | None:
    if value is None:
        return None
    if type(value) is not str:
        raise TypeError
    return dt.date.fromisoformat(value)


def _fast_online_request(data: Any) -> OnlineRequest:
    """The common shape read directly: many times faster than the generic structuring.

    A few microseconds a request, as a page holds hundreds: the fields taken one by one (an
    optional one may be absent), then checked and built by :func:`_online_request_of`; any
    other shape raises, for the generic structuring to take.
    """
    get = data.get
    return _online_request_of(
        (
            data["number"],
            data["cerfa"],
            data["status"],
            data["status_label"],
            data["type_label"],
            data["created"],
            data["modified"],
            get("transferred", False),
            get("neph"),
            get("student_id"),
            get("applicant_name"),
            get("email"),
            get("validated_at"),
            get("request_type"),
            get("paper_mandate", False),
            get("paper_mandate_date"),
            get("phone"),
        )
    )


def _online_request_of(values: tuple[Any, ...]) -> OnlineRequest:
    """A request from its 17 values as they came (a tuple, in the fields' order), checked
    inline (every text a ``str``, every optional one a ``str`` or ``None``, the flags
    ``bool``, the instants ISO 8601 with an offset, the form and status known) and made by
    :data:`~antsclient.models.request.new_online_request`. Any other value raises
    (``_NOT_FAST``), for the generic structuring to take."""
    (
        number,
        cerfa,
        status,
        status_label,
        type_label,
        created,
        modified,
        transferred,
        neph,
        student_id,
        applicant_name,
        email,
        validated_at,
        request_type,
        mandate,
        mandate_date,
        phone,
    ) = values
    if not (
        type(number) is str
        and type(status_label) is str
        and type(type_label) is str
        and type(transferred) is bool
        and type(mandate) is bool
        and (neph is None or type(neph) is str)
        and (student_id is None or type(student_id) is str)
        and (applicant_name is None or type(applicant_name) is str)
        and (email is None or type(email) is str)
        and (phone is None or type(phone) is str)
    ):
        raise TypeError
    # fromisoformat takes only a str: anything else raises TypeError, for the generic path.
    created_at = _fromisoformat(created)
    modified_at = _fromisoformat(modified)
    created_zone, modified_zone = created_at.tzinfo, modified_at.tzinfo
    if created_zone is None or modified_zone is None:
        raise ValueError  # naive instants: the generic path makes them UTC
    if created_zone is not _UTC or modified_zone is not _UTC:
        created_at = _in_shared_zone(created, created_at)
        modified_at = _in_shared_zone(modified, modified_at)
    return new_online_request(
        number,
        CERFA_BY_VALUE[cerfa],
        STATUS_BY_VALUE[status],
        status_label,
        type_label,
        created_at,
        modified_at,
        transferred,
        neph,
        student_id,
        applicant_name,
        email,
        None if validated_at is None else _instant(validated_at),
        # A request type this antsclient does not know reads as ``None`` (tolerant in).
        REQUEST_TYPE_BY_VALUE.get(request_type),
        mandate,
        _optional_day(mandate_date),
        phone,
    )


def _unstructure_online_request(request: OnlineRequest) -> dict[str, Any]:
    validated = request.validated_at
    return {
        "number": request.number,
        "cerfa": request.cerfa.value,
        "status": request.status.value,
        "status_label": request.status_label,
        "type_label": request.type_label,
        "created": request.created.isoformat(),
        "modified": request.modified.isoformat(),
        "transferred": request.transferred,
        "neph": request.neph,
        "student_id": request.student_id,
        "applicant_name": request.applicant_name,
        "email": request.email,
        "validated_at": validated.isoformat() if validated is not None else None,
        "request_type": None if request.request_type is None else request.request_type.value,
        "paper_mandate": request.paper_mandate,
        "paper_mandate_date": (
            None if request.paper_mandate_date is None else request.paper_mandate_date.isoformat()
        ),
        "phone": request.phone,
    }


_NOT_FAST: Final = (KeyError, TypeError, ValueError, AttributeError)

_WIRE_FIELDS: Final = operator.itemgetter(*_ONLINE_FIELDS)
"""A request's 17 values, in one call (a ``KeyError`` when one is absent)."""


def _complete_online_request(data: Any) -> OnlineRequest:
    """:func:`_fast_online_request` for data carrying every field (as the sandbox and a
    page of the common shape do): its 17 values taken in one call rather than one by one.
    A field absent raises ``KeyError`` (the field-by-field path then takes the data); any
    other refusal is the same as there."""
    return _online_request_of(_WIRE_FIELDS(data))


_Structure = Callable[[Any, type[OnlineRequest]], OnlineRequest]


def _fast_then(generic: _Structure, data: Any) -> OnlineRequest:
    """The fast path, and ``generic`` for any shape it does not take."""
    try:
        return _fast_online_request(data)
    except _NOT_FAST:
        return generic(data, OnlineRequest)


def _register_online_request(converter: cattrs.Converter) -> None:
    generic = make_dict_structure_fn(OnlineRequest, converter)
    converter.register_structure_hook(OnlineRequest, lambda data, _: _fast_then(generic, data))
    converter.register_unstructure_hook(OnlineRequest, _unstructure_online_request)


@functools.cache
def _tolerant_generic() -> _Structure:
    return make_dict_structure_fn(OnlineRequest, get_converter())


def read_online_request(data: Any) -> OnlineRequest:
    """An :class:`OnlineRequest` from its data: the fast path, else the generic one (the
    converter's own hook, called directly on the hot path of a page)."""
    return _fast_then(_tolerant_generic(), data)


def read_online_requests(items: Iterable[Any]) -> tuple[list[OnlineRequest], int]:
    """The requests of a page's items, each read as :func:`read_online_request` reads it,
    and how many could not be read (left out, never fatal). An item carrying every field
    takes the quickest path; any other, the others in turn."""
    return _read_each(items, _complete_online_request, read_online_request)


def read_online_rows(fields: Sequence[Any], rows: Iterable[Any]) -> tuple[list[OnlineRequest], int]:
    """The requests of a page's rows (``shape=rows``: each request's values in the order of
    ``fields``), and how many could not be read — each row read exactly as the item it
    stands for (``dict(zip(fields, row))``) would be by :func:`read_online_requests`.

    A row of the common shape (``fields`` the 17 of an :class:`OnlineRequest`, in order)
    takes the quickest path; any other is made into its item and read as one. A row that is
    not a list of one value per field is counted as unreadable.
    """
    names = tuple(fields)
    if names != _ONLINE_FIELDS:
        return read_online_requests(_items_of(names, rows))
    return _read_each(rows, _complete_row, _row_as_item)


def _read_each(
    entries: Iterable[Any],
    quick: Callable[[Any], OnlineRequest],
    tolerant: Callable[[Any], OnlineRequest],
) -> tuple[list[OnlineRequest], int]:
    """Each entry read by ``quick`` or, when it does not take it (``_NOT_FAST``), by
    ``tolerant``; what neither reads is counted (left out, never fatal)."""
    requests: list[OnlineRequest] = []
    keep = requests.append
    failed = 0
    for entry in entries:
        try:
            keep(quick(entry))
            continue
        except _NOT_FAST:
            pass
        except Exception:  # refused by every path alike: counted
            failed += 1
            continue
        try:
            keep(tolerant(entry))
        except Exception:  # an entry that cannot be read is counted
            failed += 1
    return requests, failed


class _Unreadable(Exception):
    """A row that is not a list of one value per field: no path reads it."""


_WIDTH: Final = len(_ONLINE_FIELDS)


def _complete_row(row: Any) -> OnlineRequest:
    """:func:`_complete_online_request` for a row of the common fields."""
    if type(row) is not list or len(row) != _WIDTH:
        raise _Unreadable
    return _online_request_of(tuple(row))


def _row_as_item(row: list[Any]) -> OnlineRequest:
    """A row of the common fields read as the item it stands for."""
    return read_online_request(dict(zip(_ONLINE_FIELDS, row, strict=True)))


def _items_of(fields: tuple[Any, ...], rows: Iterable[Any]) -> Iterator[Any]:
    """Each row as the item it stands for; a row that is not a list of one value per field
    as ``None`` (which no reader takes: counted as unreadable)."""
    width = len(fields)
    for row in rows:
        complete = type(row) is list and len(row) == width
        yield dict(zip(fields, row, strict=True)) if complete else None


def generic_online_request(data: Any) -> OnlineRequest:
    """An :class:`OnlineRequest` through the generic structuring alone (the fast hook's
    reference, for tests)."""
    return _tolerant_generic()(data, OnlineRequest)


# --- the public calls -------------------------------------------------------------------------


def to_data(obj: Any) -> Any:
    """``obj`` as JSON-ready data (dicts, lists, strings, numbers, booleans, ``None``).

    Careful: a :class:`~antsclient.Credentials` comes out with its password in clear, as it
    must to be stored or sent; keep such data out of logs.
    """
    return get_converter().unstructure(obj)


def from_data(data: Any, cls: type[T], *, strict: bool = False) -> T:
    """Build a ``cls`` from JSON-ready data; a failure raises cattrs' grouped error (see
    :func:`describe_error`, or :func:`read` for an error that names the fields). ``strict``
    refuses unknown keys."""
    return get_converter(strict=strict).structure(data, cls)


# --- errors that name the fields --------------------------------------------------------------

_FILE_FR: Final = "Les données de la demande sont incorrectes"


@attrs.frozen(slots=True)
class _Fault:
    """One field at fault: its path in the document (``$.applicant.birth_date``), a code,
    and what is wrong in English and in French."""

    path: str
    code: str
    message: str
    message_fr: str

    @classmethod
    def unknown(cls, path: str) -> _Fault:
        """A key the strict converter does not know."""
        return cls(path, "unknown_field", "unknown field", "champ inconnu")

    @classmethod
    def missing(cls, path: str) -> _Fault:
        """A required key that is not there."""
        return cls(path, "required", "required field missing", "champ obligatoire manquant")

    @property
    def line(self) -> str:
        return f"{self.path}: {self.message}"

    def problem(self, root: str = "$") -> FieldProblem:
        """The fault as a :class:`~antsclient.FieldProblem` on the field's dotted path below
        ``root`` (``applicant.birth_date``)."""
        field = self.path.removeprefix(root).removeprefix(".") or self.path
        return FieldProblem(
            field=field,
            code=self.code,
            message=self.message,
            message_fr=f"« {field} » : {self.message_fr}",
        )


class CodecError(ValueError):
    """Data that is not a ``what``: ``lines`` name each field at fault (``$.a.b: …``).

    ``problems`` are the same faults as :class:`~antsclient.FieldProblem` objects (the
    field's dotted path, a code — ``required``, ``unknown_field``, ``invalid_value`` — and
    a French message); ``message_fr`` says them all in French, for the user.
    """

    def __init__(
        self, what: str, lines: list[str], problems: tuple[FieldProblem, ...] | None = None
    ) -> None:
        self.what = what
        self.lines = lines
        self.problems: tuple[FieldProblem, ...] = (
            problems if problems is not None else _problems_of_lines(lines)
        )
        super().__init__(f"{what}: {'; '.join(lines)}")

    @classmethod
    def of(cls, what: str, faults: list[_Fault], root: str = "$") -> CodecError:
        """The error naming every fault of ``faults``."""
        problems = tuple(fault.problem(root) for fault in faults)
        return cls(what, [fault.line for fault in faults], problems)

    @property
    def message_fr(self) -> str:
        """Every fault, in French (« applicant.nickname » : champ inconnu)."""
        details = "\n".join(f"  - {p.message_fr}" for p in self.problems)
        return f"{_FILE_FR} :\n{details}" if details else f"{_FILE_FR}."

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.what, self.lines, self.problems))


def _problems_of_lines(lines: list[str]) -> tuple[FieldProblem, ...]:
    faults = []
    for line in lines:
        path, _, message = line.partition(": ")
        faults.append(_Fault(path, "invalid_value", message, message))
    return tuple(fault.problem() for fault in faults)


def _faults(exc: BaseException, path: str = "$", type_: Any = None) -> Iterator[_Fault]:
    """Every fault of a structuring failure, with its path, walking cattrs' groups as
    :func:`cattrs.transform_error` does; each unknown key is a fault of its own."""
    if isinstance(exc, cattrs.IterableValidationError):
        listed, others = exc.group_exceptions()
        for sub, item in listed:
            yield from _faults(sub, f"{path}[{item.index!r}]", item.type)
        for sub in others:
            yield from _faults(sub, path)
    elif isinstance(exc, cattrs.ClassValidationError):
        fields, rest = exc.group_exceptions()
        for sub, attribute in fields:
            yield from _faults(sub, f"{path}.{attribute.name}", attribute.type)
        for sub in rest:
            yield from _faults(sub, path)
    elif isinstance(exc, cattrs.ForbiddenExtraKeysError):
        for key in sorted(exc.extra_fields):
            yield _Fault.unknown(f"{path}.{key}")
    elif isinstance(exc, BaseExceptionGroup):
        for member in exc.exceptions:
            yield from _faults(member, path)
    elif isinstance(exc, KeyError):
        yield _Fault.missing(path)
    else:
        name_fr = _TYPE_NAMES_FR.get(type_, "valeur")
        yield _Fault(path, "invalid_value", _format_exception(exc, type_), f"{name_fr} incorrecte")


def describe_error(exc: BaseException, *, path: str = "$") -> list[str]:
    """One line per field at fault in a structuring failure (``$.applicant.birth_date: …``;
    ``$.applicant.nickname: unknown field`` for a key the strict converter refused).
    ``path`` is where the data sits in a larger document (``$.application``)."""
    return [fault.line for fault in _faults(exc, path)]


_TYPE_NAMES: Final = {dt.date: "date", dt.datetime: "date and time", str: "text", int: "number"}
_TYPE_NAMES_FR: Final = {
    dt.date: "date",
    dt.datetime: "date et heure",
    str: "texte",
    int: "nombre",
    bool: "valeur (true ou false)",
}


def _format_exception(exc: BaseException, type_: Any) -> str:
    if isinstance(exc, KeyError):
        return "required field missing"
    name = _TYPE_NAMES.get(type_) or getattr(type_, "__name__", None)
    detail = str(exc).strip()
    if name is None:
        return detail or type(exc).__name__
    return f"invalid {name}" + (f" ({detail})" if detail else "")


def read(
    data: Any, cls: type[T], *, what: str | None = None, strict: bool = False, path: str = "$"
) -> T:
    """Build a ``cls`` from JSON-ready data, or raise :class:`CodecError` naming the fields.

    ``strict`` refuses unknown keys; ``path`` is where the data sits in a larger document.
    """
    try:
        return from_data(data, cls, strict=strict)
    except Exception as exc:
        what = what or f"not a valid {getattr(cls, '__name__', cls)}"
        raise CodecError.of(what, list(_faults(exc, path)), path) from exc


# --- the application file ---------------------------------------------------------------------

APPLICATION_FORMAT: Final = "antsclient.application/1"
"""The version of the application file this antsclient writes and reads."""

_ENVELOPE: Final = frozenset({"format", "cerfa", "application"})


def write_application(application: Application) -> dict[str, Any]:
    """The application file's data (to write as JSON): its format, its form, its fields.

    ``{"format": "antsclient.application/1", "cerfa": "02", "application": {...}}`` —
    :func:`read_application` reads it back to an equal application.
    """
    return {
        "format": APPLICATION_FORMAT,
        "cerfa": Cerfa(application.cerfa).value,
        "application": to_data(application),
    }


@attrs.frozen(slots=True)
class _Unwrapped:
    """An application's fields, its form, where they sit, and what is wrong around them."""

    body: Any
    cerfa: Cerfa | str
    root: str = "$"
    faults: tuple[_Fault, ...] = ()


def _unwrap(data: Any, cerfa: Cerfa | str | None, strict: bool) -> _Unwrapped:
    """The fields in the file's envelope (``format``, ``cerfa``, ``application``), or bare
    (the fields, with perhaps ``cerfa``)."""
    if not isinstance(data, dict):
        return _Unwrapped(data, cerfa or Cerfa.C02)
    if "format" not in data and "application" not in data:
        body = {key: value for key, value in data.items() if key != "cerfa"}
        return _Unwrapped(body, cerfa or data.get("cerfa", Cerfa.C02))
    faults = [_Fault.unknown(f"$.{key}") for key in sorted(set(data) - _ENVELOPE) if strict]
    version = data.get("format", APPLICATION_FORMAT)
    if version != APPLICATION_FORMAT:
        faults.insert(
            0,
            _Fault(
                "$.format",
                "unknown_format",
                f"unknown format {version!r}: this antsclient reads {APPLICATION_FORMAT!r}",
                f"format « {version} » inconnu : cette version d'antsclient lit "
                f"« {APPLICATION_FORMAT} »",
            ),
        )
    if "application" not in data:
        faults.append(_Fault.missing("$.application"))
    form = cerfa or data.get("cerfa", Cerfa.C02)
    return _Unwrapped(data.get("application"), form, "$.application", tuple(faults))


def read_application(
    data: Any, cerfa: Cerfa | str | None = None, *, strict: bool = True
) -> Application:
    """A Cerfa 02 or 06 application from an application file's data, or its bare fields.

    The file is ``{"format": "antsclient.application/1", "cerfa": "02", "application":
    {...}}`` (:func:`write_application`); the bare fields are taken too, with or without a
    ``cerfa`` key. ``cerfa`` (or the data's ``cerfa`` key) says which form, a Cerfa 02 by
    default. ``strict`` (the default) refuses every unknown key, naming it
    (``$.applicant.nickname: unknown field``); what antsclient wrote itself may be read with
    ``strict=False``, which ignores them. Raises :class:`CodecError` naming every field at
    fault at once.
    """
    given = _unwrap(data, cerfa, strict)
    try:
        cls = application_type(str(given.cerfa))
    except ValueError as exc:
        cerfa_fault = _Fault("$.cerfa", "invalid_value", str(exc), "formulaire inconnu (02 ou 06)")
        raise CodecError.of("not an application", [*given.faults, cerfa_fault]) from exc
    what = f"not a Cerfa {Cerfa(cls.cerfa).value} application"
    if any(fault.code != "unknown_field" for fault in given.faults):
        raise CodecError.of(what, list(given.faults))  # no format known, or no application
    try:
        application = read(given.body, cls, what=what, strict=strict, path=given.root)
    except CodecError as exc:
        outside = tuple(fault.problem() for fault in given.faults)
        lines = [fault.line for fault in given.faults] + exc.lines
        raise CodecError(what, lines, outside + exc.problems) from exc.__cause__
    if given.faults:
        raise CodecError.of(what, list(given.faults))
    return application
