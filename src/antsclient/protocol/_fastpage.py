"""A search page decoded at C speed, when msgspec is installed (the ``speedups`` extra).

A page of 500 requests is most of a sync's client time: its JSON decoded, then each request
built. msgspec decodes the page in one pass — texts checked, forms and statuses looked up,
ISO 8601 instants parsed — in one of two ways:

* **straight into the requests** (msgspec fills an :class:`~antsclient.models.OnlineRequest`
  itself, at a fifth of the cost of building it in Python); then every instant is checked to
  be aware, as the ordinary reader requires;
* when that fails (a request type this client does not know, which it reads as ``None``;
  an instant without an offset), **into typed rows**, each request then made positionally
  (:data:`~antsclient.models.request.new_online_request`).

A page of rows (``shape=rows``) of the common fields is decoded into array-like typed rows,
each request made positionally too.

:func:`decode_page` returns ``None`` — and the page is read the ordinary way, request by
request, tolerant of each one — when msgspec is not installed, or when anything in the page
is not of the common shape (a number where a text is expected, a date that is not ISO 8601
or has no offset, an unknown form or status, a missing field): the result is the same either
way, only the speed differs (a property test checks they agree).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
from collections.abc import Callable, Sequence
from typing import Annotated, Any, Final

from antsclient.models import Cerfa, OnlineRequest, RequestStatus
from antsclient.models.request import (
    ONLINE_REQUEST_FIELDS,
    REQUEST_TYPE_BY_VALUE,
    new_online_request,
)

__all__ = ["decode_page"]

Decoded = tuple[tuple[OnlineRequest, ...], dict[str, int]]

_REQUIRED = 7
"""An item's first seven fields are required (number to modified); the others may be left
out."""

_PAGING = ("page", int), ("page_size", int), ("total", int), ("pages", int)


@functools.cache
def _decoders() -> tuple[Callable[[bytes], Any], ...] | None:
    """msgspec's three decoders of a page (its items straight into requests, its items into
    rows, its rows — ``shape=rows`` — into rows), made once; ``None`` without msgspec. Each
    returns ``None`` for a page it does not take."""
    try:
        import msgspec  # noqa: PLC0415 - optional, and only for searches
    except ImportError:
        return None

    # Rows: forms and statuses decoded into their enums and instants required to be aware,
    # by msgspec itself; the request type kept as text (an unknown one is read as None).
    text, instant = str, Annotated[dt.datetime, msgspec.Meta(tz=True)]
    fields = [
        ("number", text),
        ("cerfa", Cerfa),
        ("status", RequestStatus),
        ("status_label", text),
        ("type_label", text),
        ("created", instant),
        ("modified", instant),
        ("transferred", bool),
        ("neph", text | None),
        ("student_id", text | None),
        ("applicant_name", text | None),
        ("email", text | None),
        ("validated_at", instant | None),
        ("request_type", text | None),
        ("paper_mandate", bool),
        ("paper_mandate_date", dt.date | None),
        ("phone", text | None),
    ]
    # An item may leave out a flag (false) or an optional value (null); a row may not.
    optional = [
        (name, kind) if n < _REQUIRED else (name, kind, False if kind is bool else None)
        for n, (name, kind) in enumerate(fields)
    ]
    # A row holds texts, instants and enum members, never itself: the collector need not
    # track the 500 rows of each page (a fifth of their decoding time).
    row = msgspec.defstruct("Row", optional, gc=False)
    rows = msgspec.defstruct("Rows", [("items", list[row]), *_PAGING], gc=False)  # type: ignore[valid-type]
    requests = msgspec.defstruct("Requests", [("items", list[OnlineRequest]), *_PAGING], gc=False)
    # A page of rows (``shape=rows``): each request an array of exactly its 17 values, in
    # order (a shorter or longer one fails the page, which is then read the ordinary way,
    # where such a row is counted as unreadable).
    array = msgspec.defstruct(
        "RowArray", fields, array_like=True, forbid_unknown_fields=True, gc=False
    )
    arrays = msgspec.defstruct(
        "RowArrays",
        [("fields", list[str]), ("rows", list[array]), *_PAGING],  # type: ignore[valid-type]
        gc=False,
    )

    def strict(target: Any, errors: tuple[type[Exception], ...]) -> Callable[[bytes], Any]:
        decode = msgspec.json.Decoder(target).decode

        def attempt(body: bytes) -> Any:
            try:
                return decode(body)
            except errors:
                return None

        return attempt

    # msgspec's own errors are not ValueErrors in every release (0.18.0). Filling a class it
    # does not own, msgspec may also meet that class's refusals (0.18.0 sets a missing
    # field's default through a frozen class's ``__setattr__``): the page is then read by
    # rows, whatever the error.
    return (
        strict(requests, (Exception,)),
        strict(rows, (msgspec.MsgspecError,)),
        strict(arrays, (msgspec.MsgspecError,)),
    )


def _aware(items: Sequence[OnlineRequest]) -> bool:
    """Whether every instant of ``items`` has an offset (msgspec takes naive ones too when
    it builds the requests itself)."""
    for r in items:
        if r.created.tzinfo is None or r.modified.tzinfo is None:
            return False
        if r.validated_at is not None and r.validated_at.tzinfo is None:
            return False
    return True


def prepare() -> None:
    """Make the decoders now (msgspec loaded, its types built: ~10 ms, once a process), so
    that the first page is read as quickly as the others. Never raises: a failure here is
    met again, and reported, by the first :func:`decode_page`."""
    with contextlib.suppress(Exception):
        _decoders()


def decode_page(body: bytes) -> Decoded | None:
    """The requests of a page and its paging, or ``None`` to read it the ordinary way."""
    decoders = _decoders()
    if decoders is None:
        return None
    straight, by_rows, arrays = decoders
    if _ROWS_MARK in body[:_ROWS_MARK_WITHIN]:  # a page of rows (its fields come first)
        listing = arrays(body)
        if listing is not None and listing.fields == _FIELDS:
            return _built(listing.rows), {name: getattr(listing, name) for name, _ in _PAGING}
        # Rows of another shape or other fields (read the ordinary way), or a page of items
        # whose first kilobyte holds the text "rows" (read below).
    listing = straight(body)
    if listing is not None and _aware(listing.items):
        items = tuple(listing.items)
    else:
        listing = by_rows(body)
        if listing is None:  # not of the common shape: read the ordinary way
            return None
        items = _built(listing.items)
    return items, {name: getattr(listing, name) for name, _ in _PAGING}


_ROWS_MARK: Final = b'"rows"'
_ROWS_MARK_WITHIN: Final = 1024
"""A page of rows names its ``rows`` within its first kilobyte (after its ``fields``); a page
of items names no ``rows`` there unless a request's text is the word (then decoded as rows
in vain first)."""

_FIELDS: Final = list(ONLINE_REQUEST_FIELDS)


def _built(rows: Sequence[Any]) -> tuple[OnlineRequest, ...]:
    """The requests of decoded rows, made positionally (``new_online_request``)."""
    build, request_type = new_online_request, REQUEST_TYPE_BY_VALUE.get
    return tuple(
        build(
            r.number,
            r.cerfa,
            r.status,
            r.status_label,
            r.type_label,
            r.created,
            r.modified,
            r.transferred,
            r.neph,
            r.student_id,
            r.applicant_name,
            r.email,
            r.validated_at,
            None if r.request_type is None else request_type(r.request_type),
            r.paper_mandate,
            r.paper_mandate_date,
            r.phone,
        )
        for r in rows
    )
