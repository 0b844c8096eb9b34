"""Exporter la liste: the requests list to Excel, to a pandas DataFrame, or as HTML.

With the tables notebooks show: the dashboard's counts (:func:`counts_html`, or
:func:`counts_table` for a console) and the problems ``validate()`` finds
(:func:`problems_html`); and dates as staff read them, in French and in Paris time
(:func:`french_datetime`, :func:`french_date`).

The columns are the requests list's (F13): Élève, Numéro, Date de création, Date de
modification, Type - État, N° NEPH, and whether the request is linked to a student
(unlinked rows — registered directly on ANTS — in red, as in the list).
openpyxl (extra ``excel``) and pandas (extra ``pandas``) load only when used.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import html
import os
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence, Sized
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, SupportsIndex, TypedDict, Unpack, overload

from antsclient._display import french_date, french_datetime, html_table, local_zone, shorten
from antsclient.errors import ConfigurationError, FieldProblem, Severity
from antsclient.models import Bucket, Cerfa, OnlineRequest, RequestStatus

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "COLUMNS",
    "ExcelOptions",
    "RequestList",
    "counts_html",
    "counts_table",
    "excel_text",
    "french_date",
    "french_datetime",
    "problems_html",
    "requests_html",
    "to_dataframe",
    "to_excel",
]

COLUMNS: Final = (
    "Élève",
    "Numéro",
    "Date de création",
    "Date de modification",
    "Type - État",
    "N° NEPH",
    "Reliée à un élève",
)
"""The column headers of the list, in French as the users read them."""

_DATE_FORMAT: Final = "dd/mm/yyyy hh:mm"
_RED: Final = "FFFF0000"
_WIDTHS: Final = (28, 26, 18, 20, 70, 16, 18)
_DATE_COLUMNS: Final = frozenset({2, 3})
_HTML_ROWS: Final = 200
_local_zone = local_zone


def _naive(value: dt.datetime | None, zone: dt.tzinfo) -> dt.datetime | None:
    """An Excel date: the local wall time, without a zone (Excel knows none)."""
    if value is None:
        return None
    aware = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    return aware.astimezone(zone).replace(tzinfo=None)


def _linked_label(request: OnlineRequest) -> str:
    return "Oui" if request.linked else "Non"


def _row(request: OnlineRequest, zone: dt.tzinfo) -> tuple[Any, ...]:
    return (
        request.applicant_name or "",
        request.number,
        _naive(request.created, zone),
        _naive(request.modified, zone),
        request.type_state,
        request.neph or "",
        _linked_label(request),
    )


_FORMULA_START: Final = ("=", "+", "-", "@", "\t", "\r")
"""What makes a spreadsheet read a cell as a formula (or a command, in some of them)."""

_REFUSED: Final = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_SURROGATE: Final = re.compile(r"[\ud800-\udfff]")


def excel_text(value: str) -> str:
    """``value`` as a spreadsheet can hold it: the control characters Excel refuses become
    spaces (``DUPONT\x0bJean`` → ``DUPONT Jean``) and lone surrogates ``\ufffd``, so that
    no name ever stops an export."""
    return _SURROGATE.sub("\ufffd", _REFUSED.sub(" ", value))


def _missing(package: str, extra: str) -> ConfigurationError:
    return ConfigurationError(
        f"{package} is needed for this export: pip install 'antsclient[{extra}]'",
        field=extra,
        message_fr=f"L'export demande le module {package} : installez antsclient[{extra}].",
    )


Progress = Callable[[int, int], None]
"""``progress(done, total)``: rows written so far, and how many there are (``0`` while the
requests come from an iterator whose length is not known). The last call, once the file is
saved, has ``done == total``."""


class ExcelOptions(TypedDict, total=False):
    """The options of :func:`to_excel` after its path, as the lists and pages take them."""

    sheet: str
    tz: dt.tzinfo | str | None
    progress: Progress | None


_PROGRESS_EVERY: Final = 1000


def to_excel(
    requests: Iterable[OnlineRequest],
    path: str | os.PathLike[str],
    *,
    sheet: str = "Demandes",
    tz: dt.tzinfo | str | None = None,
    progress: Progress | None = None,
) -> Path:
    """Exporter la liste sous Excel: one row per request, written to ``path`` (``.xlsx``).

    Dates are real Excel dates in local time (``tz``, Paris by default); unlinked requests
    are in red; the header row is bold, frozen and filtered. Rows are streamed to the file
    (openpyxl's write-only mode): time and memory grow with the number of requests, not
    faster. ``progress(done, total)`` is called every thousand rows and at the end. The
    file is opened before any request is read, so a path that cannot be written fails at
    once (:class:`OSError`); an export that fails midway leaves no partial file. Needs
    openpyxl (``antsclient[excel]``).
    """
    try:
        from openpyxl import Workbook  # noqa: PLC0415
    except ImportError as exc:
        raise _missing("openpyxl", "excel") from exc

    zone = _local_zone(tz)
    total = len(requests) if isinstance(requests, Sized) else 0
    target = Path(path)
    # Opened first: a path that cannot be written fails before any request is read.
    with target.open("wb") as out:
        book = Workbook(write_only=True)
        try:
            count = _write_rows(book, sheet, requests, zone=zone, total=total, progress=progress)
            book.save(out)
        except BaseException:
            # Saving what was written closes the sheet's stream and its temporary file.
            with contextlib.suppress(Exception):
                book.save(out)
            out.close()
            target.unlink(missing_ok=True)
            raise
    if progress is not None:
        progress(count, count)
    return target


def _write_rows(
    book: Any,
    sheet: str,
    requests: Iterable[OnlineRequest],
    *,
    zone: dt.tzinfo,
    total: int,
    progress: Progress | None,
) -> int:
    """Stream the header and one row per request into a new write-only sheet of ``book``;
    the number of requests written."""
    from openpyxl.cell import WriteOnlyCell  # noqa: PLC0415
    from openpyxl.styles import Font  # noqa: PLC0415
    from openpyxl.utils import get_column_letter  # noqa: PLC0415

    ws = book.create_sheet(sheet)
    # A write-only sheet takes its widths and panes before its first row.
    for index, width in enumerate(_WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width
    ws.freeze_panes = "A2"
    bold = Font(bold=True)
    red = Font(color=_RED)

    def styled(value: Any, font: Font | None, column: int) -> Any:
        """The value as is, or in a cell when it needs a font, a date format, or to be
        marked as text (what would otherwise read as a formula)."""
        dated = column in _DATE_COLUMNS and isinstance(value, dt.datetime)
        text = isinstance(value, str)
        if text:
            value = excel_text(value)
        as_text = text and value.startswith(_FORMULA_START)
        if font is None and not dated and not as_text:
            return value
        cell = WriteOnlyCell(ws, value=value)
        if as_text:
            cell.data_type = "s"  # a string cell, never evaluated
            cell.quotePrefix = True  # and Excel keeps it text when it is edited
        if font is not None:
            cell.font = font
        if dated:
            cell.number_format = _DATE_FORMAT
        return cell

    header = [WriteOnlyCell(ws, value=title) for title in COLUMNS]
    for cell in header:
        cell.font = bold
    ws.append(header)
    count = 0
    for request in requests:
        font = None if request.linked else red
        row = _row(request, zone)
        ws.append([styled(value, font, column) for column, value in enumerate(row)])
        count += 1
        if progress is not None and count % _PROGRESS_EVERY == 0 and count != total:
            progress(count, total)
    ws.auto_filter.ref = f"A1:{get_column_letter(len(COLUMNS))}{count + 1}"
    return count


def to_dataframe(requests: Iterable[OnlineRequest]) -> pd.DataFrame:
    """The requests as a pandas DataFrame with proper dtypes.

    Instants are ``datetime64[ns, UTC]``; ``cerfa`` and ``status`` are categories (every
    known value); ``transferred`` and ``linked`` are booleans; texts are ``string``.
    Needs pandas (``antsclient[pandas]``).
    """
    try:
        import pandas as pd  # noqa: PLC0415
    except ImportError as exc:
        raise _missing("pandas", "pandas") from exc

    rows = list(requests)

    def instants(values: list[dt.datetime | None]) -> Any:
        return pd.to_datetime(pd.Series(values, dtype="object"), utc=True, format="ISO8601").astype(
            "datetime64[ns, UTC]"
        )

    def texts(values: list[str | None]) -> Any:
        return pd.Series(values, dtype="string")

    return pd.DataFrame(
        {
            "number": texts([r.number for r in rows]),
            "applicant_name": texts([r.applicant_name for r in rows]),
            "cerfa": pd.Categorical(
                [r.cerfa.value for r in rows], categories=[c.value for c in Cerfa]
            ),
            "status": pd.Categorical(
                [r.status.value for r in rows], categories=[s.value for s in RequestStatus]
            ),
            "status_label": texts([r.status_label for r in rows]),
            "type_label": texts([r.type_label for r in rows]),
            "created": instants([r.created for r in rows]),
            "modified": instants([r.modified for r in rows]),
            "validated_at": instants([r.validated_at for r in rows]),
            "transferred": pd.Series([r.transferred for r in rows], dtype="boolean"),
            "linked": pd.Series([r.linked for r in rows], dtype="boolean"),
            "neph": texts([r.neph for r in rows]),
            "student_id": texts([r.student_id for r in rows]),
            "email": texts([r.email for r in rows]),
        }
    )


class RequestList(list[OnlineRequest]):
    """A list of requests that shows as the requests list in Jupyter (``_repr_html_``), and
    exports itself (:meth:`to_excel`, :meth:`to_dataframe`)."""

    @overload
    def __getitem__(self, index: SupportsIndex) -> OnlineRequest: ...
    @overload
    def __getitem__(self, index: slice) -> RequestList: ...
    def __getitem__(self, index: SupportsIndex | slice) -> OnlineRequest | RequestList:
        if isinstance(index, slice):
            return RequestList(super().__getitem__(index))
        return super().__getitem__(index)

    @property
    def unlinked(self) -> RequestList:
        """The requests linked to no student (red rows)."""
        return RequestList(r for r in self if not r.linked)

    def to_excel(self, path: str | os.PathLike[str], **options: Unpack[ExcelOptions]) -> Path:
        """See :func:`to_excel`."""
        return to_excel(self, path, **options)

    def to_dataframe(self) -> pd.DataFrame:
        """See :func:`to_dataframe`."""
        return to_dataframe(self)

    # -- the page protocol: a complete list is a page with no next one --------------------

    @property
    def items(self) -> tuple[OnlineRequest, ...]:
        """Every request of the list."""
        return tuple(self)

    @property
    def page(self) -> int:
        """Always 1: a list is whole."""
        return 1

    @property
    def pages(self) -> int:
        """Always 1: a list is whole."""
        return 1

    @property
    def total(self) -> int:
        """How many requests the list holds."""
        return len(self)

    def has_next_page(self) -> bool:
        """Never: a list is whole."""
        return False

    def next_page(self) -> RequestList:
        """A list has no next page: raises :class:`IndexError`."""
        raise IndexError("a RequestList is complete: it has no next page")

    def iter_pages(self) -> Iterator[RequestList]:
        """The one page: the list itself."""
        yield self

    def _repr_html_(self, tz: dt.tzinfo | str | None = None) -> str:
        return requests_html(self, caption=f"{len(self)} demande(s)", tz=tz)


def requests_html(
    requests: Sequence[OnlineRequest], *, caption: str, tz: dt.tzinfo | str | None = None
) -> str:
    """The requests list as an HTML table (at most 200 rows shown), unlinked rows in red."""
    zone = _local_zone(tz)
    head = "".join(f"<th>{html.escape(c)}</th>" for c in COLUMNS)
    body: list[str] = []
    for request in requests[:_HTML_ROWS]:
        cells = []
        for value in _row(request, zone):
            text = value.strftime("%d/%m/%Y %H:%M") if isinstance(value, dt.datetime) else value
            cells.append(f"<td>{html.escape(str(text))}</td>")
        style = "" if request.linked else ' style="color:red"'
        body.append(f"<tr{style}>{''.join(cells)}</tr>")
    more = len(requests) - _HTML_ROWS
    tail = f"<p>… {more} demande(s) de plus</p>" if more > 0 else ""
    return (
        f"<p>{html.escape(caption)}</p><table><thead><tr>{head}</tr></thead>"
        f"<tbody>{''.join(body)}</tbody></table>{tail}"
    )


Counts = Mapping[Cerfa | None, Mapping[Bucket, int]]
"""What ``session.requests.counts()`` returns: per cerfa (``None``: every request), per
bucket."""

_COUNT_COLUMNS: Final = ((None, "Toutes"), (Cerfa.C02, "Cerfa 02"), (Cerfa.C06, "Cerfa 06"))


def _count_rows(counts: Counts) -> tuple[list[str], list[list[object]]]:
    columns = [(cerfa, title) for cerfa, title in _COUNT_COLUMNS if cerfa in counts]
    columns += [(c, f"Cerfa {c}") for c in counts if c not in {k for k, _ in _COUNT_COLUMNS}]
    buckets = [b for b in Bucket if any(b in counts[cerfa] for cerfa, _ in columns)]
    rows: list[list[object]] = [
        [bucket.label, *(counts[cerfa].get(bucket, 0) for cerfa, _ in columns)]
        for bucket in buckets
    ]
    return ["Rubrique", *(title for _, title in columns)], rows


def counts_table(counts: Counts) -> str:
    """The dashboard's counts as a text table (one line per bucket), for a console::

    print(counts_table(session.requests.counts()))
    """
    headers, rows = _count_rows(counts)
    table = [headers, *([str(v) for v in row] for row in rows)]
    widths = [max(len(line[i]) for line in table) for i in range(len(headers))]
    lines = [
        "  ".join(
            cell.ljust(width) if i == 0 else cell.rjust(width)
            for i, (cell, width) in enumerate(zip(line, widths, strict=True))
        ).rstrip()
        for line in table
    ]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)


def counts_html(counts: Counts) -> str:
    """The dashboard's counts as an HTML table (one row per bucket, one column per cerfa),
    for a notebook: ``HTML(counts_html(session.requests.counts()))``."""
    headers, rows = _count_rows(counts)
    return html_table(headers, rows, caption="Demandes par rubrique")


_SEVERITY_FR: Final = {Severity.ERROR: "erreur", Severity.WARNING: "avertissement"}


def problems_html(problems: Iterable[FieldProblem]) -> str:
    """The problems ``validate()`` found as an HTML table: field, code, severity, the French
    message and the suggestions, errors in red. For a notebook:
    ``HTML(problems_html(validate(application)))``."""
    found = list(problems)
    errors = sum(1 for p in found if p.is_error)
    caption = (
        "Aucun problème"
        if not found
        else f"{len(found)} problème(s) : {errors} erreur(s), {len(found) - errors} "
        "avertissement(s)"
    )
    return html_table(
        ("Champ", "Code", "Gravité", "Message", "Suggestions"),
        (
            (
                p.field,
                p.code,
                _SEVERITY_FR.get(p.severity, str(p.severity)),
                p.message_fr,
                shorten(", ".join(p.suggestions), 200) if p.suggestions else None,
            )
            for p in found
        ),
        caption=caption,
        styles=("color:red" if p.is_error else "" for p in found),
    )
