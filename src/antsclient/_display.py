"""What people read: dates in French and in Paris time, short texts, small HTML tables.

Instants are kept in UTC everywhere in antsclient; they are shown to driving-school staff as
their wall clock reads them, ``30/11/2026 12:03`` (Paris by default). The HTML tables are the
ones notebooks show (``_repr_html_``): every value escaped.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Iterable, Sequence
from typing import Final

__all__ = ["DEFAULT_TZ", "french_date", "french_datetime", "html_table", "local_zone", "shorten"]

DEFAULT_TZ: Final = "Europe/Paris"
"""The time zone staff read dates in, unless told otherwise."""

_NONE: Final = "—"


def local_zone(tz: dt.tzinfo | str | None = None) -> dt.tzinfo:
    """The time zone dates are shown in: ``tz``, else Paris; UTC if no tz database exists."""
    if isinstance(tz, dt.tzinfo):
        return tz
    import zoneinfo  # noqa: PLC0415

    try:
        return zoneinfo.ZoneInfo(tz or DEFAULT_TZ)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        if tz is not None and tz != DEFAULT_TZ:
            raise
        return dt.UTC


def french_datetime(value: dt.datetime | None, tz: dt.tzinfo | str | None = None) -> str:
    """``30/11/2026 12:03``: the instant on a wall clock in ``tz`` (Paris by default).

    A naive datetime is taken as UTC, as everywhere in antsclient; ``None`` is a dash.
    """
    if value is None:
        return _NONE
    aware = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    return aware.astimezone(local_zone(tz)).strftime("%d/%m/%Y %H:%M")


def french_date(value: dt.date | None) -> str:
    """``30/11/2026`` (``None`` is a dash)."""
    return _NONE if value is None else value.strftime("%d/%m/%Y")


def shorten(text: str, width: int = 60) -> str:
    """``text`` on one line, cut with an ellipsis past ``width`` characters."""
    line = " ".join(text.split())
    return line if len(line) <= width else line[: width - 1].rstrip() + "…"


def html_table(
    headers: Sequence[str],
    rows: Iterable[Sequence[object]],
    *,
    caption: str | None = None,
    styles: Iterable[str] | None = None,
) -> str:
    """A plain HTML table; every header and value escaped (``None`` is a dash).

    ``styles`` gives each row's inline CSS (an empty string for none).
    """
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    row_styles = iter(styles or ())
    body: list[str] = []
    for row in rows:
        style = next(row_styles, "")
        cells = "".join(
            f"<td>{html.escape(_NONE if value is None else str(value))}</td>" for value in row
        )
        opening = f'<tr style="{html.escape(style)}">' if style else "<tr>"
        body.append(f"{opening}{cells}</tr>")
    top = f"<p>{html.escape(caption)}</p>" if caption else ""
    return f"{top}<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
