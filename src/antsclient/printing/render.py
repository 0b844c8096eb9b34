"""Drawing a :class:`~antsclient.printing.form.Form` or a bordereau on A4 pages, with ReportLab.

Black on white only (grey for section bars), vector boxes and check boxes, the PDF standard
fonts (Helvetica, whose WinAnsi encoding holds every French letter, « œ » and « ’ »
included), so the file is small, prints on any office printer and its text can be read back.
Each page's footer names the request (or the paper file), the generation date and the page;
its last line says the layout is faithful but not the official form. Two passes: the first
counts the pages so that every footer can say « page 1/2 ».
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Final

from antsclient._display import french_date, french_datetime
from antsclient.models.paper import Bordereau
from antsclient.printing.form import Box, Choice, Entry, Form, Section

if TYPE_CHECKING:
    from reportlab.pdfgen.canvas import Canvas

__all__ = ["render_bordereau", "render_form"]

MARGIN: Final = 30.0
FOOTER: Final = 40.0
FONT: Final = "Helvetica"
BOLD: Final = "Helvetica-Bold"
LABEL_SIZE: Final = 6.5
VALUE_SIZE: Final = 10.0
OPTION_SIZE: Final = 7.5
SQUARE: Final = 7.0
ENTRY_HEIGHT: Final = 24.0
TALL_HEIGHT: Final = 72.0
BAR: Final = 13.0
PAD: Final = 3.0


def _split(text: str, font: str, size: float, width: float) -> list[str]:
    from reportlab.lib.utils import simpleSplit  # noqa: PLC0415

    lines: list[str] = simpleSplit(text, font, size, width)
    return lines or [""]


def _width(text: str, font: str, size: float) -> float:
    from reportlab.pdfbase.pdfmetrics import stringWidth  # noqa: PLC0415

    return float(stringWidth(text, font, size))


class _Pen:
    """The canvas, the cursor going down the page, and the page breaks with their footers."""

    def __init__(self, canvas: Canvas, footer: Callable[[Canvas, int], None]) -> None:
        from reportlab.lib.pagesizes import A4  # noqa: PLC0415

        self.canvas = canvas
        self.page_width, self.page_height = A4
        self.width = self.page_width - 2 * MARGIN
        self.footer = footer
        self.page = 1
        self.y = self.page_height - MARGIN

    def room(self, height: float) -> bool:
        return bool(self.y - height >= MARGIN + FOOTER)

    def new_page(self) -> None:
        self.footer(self.canvas, self.page)
        self.canvas.showPage()
        self.page += 1
        self.y = self.page_height - MARGIN

    def finish(self) -> int:
        self.footer(self.canvas, self.page)
        self.canvas.showPage()
        self.canvas.save()
        return self.page

    def text(
        self, x: float, y: float, text: str, font: str = FONT, size: float = VALUE_SIZE
    ) -> None:
        self.canvas.setFont(font, size)
        self.canvas.drawString(x, y, text)

    def bar(self, title: str) -> None:
        c = self.canvas
        c.setFillGray(0.85)
        c.setStrokeGray(0)
        c.rect(MARGIN, self.y - BAR, self.width, BAR, stroke=1, fill=1)
        c.setFillGray(0)
        self.text(MARGIN + PAD, self.y - BAR + 3.5, title, BOLD, 8.5)
        self.y -= BAR


# --- the form -----------------------------------------------------------------------------


def _choice_layout(
    box: Choice, width: float
) -> tuple[list[str], list[list[tuple[float, str, bool]]]]:
    """The label's lines, and per line of options: (x offset, text line, has a square)."""
    inner = width - 2 * PAD
    label = _split(box.label, FONT, LABEL_SIZE, inner)
    lines: list[list[tuple[float, str, bool]]] = [[]]
    x = 0.0
    for option in box.options:
        text_width = inner - SQUARE - 3
        parts = _split(option, FONT, OPTION_SIZE, text_width)
        need = SQUARE + 3 + _width(parts[0], FONT, OPTION_SIZE) + 8
        if len(parts) > 1 or x + need > inner:
            if lines[-1]:
                lines.append([])
            x = 0.0
        lines[-1].append((x, parts[0], True))
        lines.extend([(SQUARE + 3, part, False)] for part in parts[1:])
        x = x + need if len(parts) == 1 else inner
    return label, lines


def _box_height(box: Box, width: float) -> float:
    if isinstance(box, Entry):
        return ENTRY_HEIGHT
    label, lines = _choice_layout(box, width)
    return (
        PAD + LABEL_SIZE + len(label) * (LABEL_SIZE + 1) + 2 + len(lines) * (OPTION_SIZE + 3.5) + 1
    )


def _fit(text: str, width: float) -> float:
    size = VALUE_SIZE
    while size > 5 and _width(text, FONT, size) > width:
        size -= 0.5
    return size


def _draw_entry(pen: _Pen, box: Entry, x: float, width: float, height: float) -> None:
    top = pen.y
    for line_no, line in enumerate(_split(box.label, FONT, LABEL_SIZE, width - 2 * PAD)[:2]):
        pen.text(
            x + PAD, top - PAD - LABEL_SIZE - line_no * (LABEL_SIZE + 1), line, FONT, LABEL_SIZE
        )
    if box.value:
        inner = width - 2 * PAD
        pen.text(x + PAD, top - height + 5, box.value, FONT, _fit(box.value, inner))


def _draw_choice(pen: _Pen, box: Choice, x: float, width: float) -> None:
    c = pen.canvas
    label, lines = _choice_layout(box, width)
    y = pen.y - PAD - LABEL_SIZE
    for label_line in label:
        pen.text(x + PAD, y, label_line, FONT, LABEL_SIZE)
        y -= LABEL_SIZE + 1
    y -= 2
    options = iter(box.options)
    for line in lines:
        y -= OPTION_SIZE
        for offset, text, square in line:
            left = x + PAD + offset
            if square:
                option = next(options)
                c.setLineWidth(0.6)
                c.rect(left, y - 1, SQUARE, SQUARE, stroke=1, fill=0)
                if option in box.chosen:
                    pen.text(left + 1.2, y + 0.2, "X", BOLD, 7)
                pen.text(left + SQUARE + 3, y, text, FONT, OPTION_SIZE)
            else:
                pen.text(left, y, text, FONT, OPTION_SIZE)
        y -= 3.5


def _draw_row(
    pen: _Pen, row: Sequence[Box], height_of: Callable[[Box, float], float], tall: bool
) -> None:
    total = sum(b.width for b in row)
    widths = [pen.width * b.width / total for b in row]
    height = max(height_of(b, w) for b, w in zip(row, widths, strict=True))
    if tall:
        height = max(height, TALL_HEIGHT)
    if not pen.room(height):
        pen.new_page()
    x = MARGIN
    pen.canvas.setLineWidth(0.6)
    for box, width in zip(row, widths, strict=True):
        pen.canvas.setStrokeGray(0)
        pen.canvas.rect(x, pen.y - height, width, height, stroke=1, fill=0)
        if isinstance(box, Entry):
            _draw_entry(pen, box, x, width, height)
        else:
            _draw_choice(pen, box, x, width)
        x += width
    pen.y -= height


def _draw_section(pen: _Pen, section: Section, number: int) -> None:
    first = section.rows[0]
    total = sum(b.width for b in first)
    need = BAR + max(_box_height(b, pen.width * b.width / total) for b in first)
    if not pen.room(need):
        pen.new_page()
    pen.y -= 5
    pen.bar(f"{number}. {section.title}")
    for index, row in enumerate(section.rows):
        tall = section.tall and index == len(section.rows) - 1
        _draw_row(pen, row, _box_height, tall)


def _draw_header(pen: _Pen, form: Form) -> None:
    c = pen.canvas
    top = pen.y
    c.setLineWidth(1)
    c.rect(pen.page_width - MARGIN - 120, top - 34, 120, 34, stroke=1, fill=0)
    pen.text(pen.page_width - MARGIN - 114, top - 14, f"cerfa N° {form.cerfa.number}", BOLD, 10)
    pen.text(pen.page_width - MARGIN - 114, top - 27, f"Réf. {form.cerfa.value}", FONT, 9)
    pen.text(MARGIN, top - 14, form.title, BOLD, 14)
    pen.text(MARGIN, top - 28, form.subtitle, FONT, 9.5)
    pen.y = top - 40


def _footer_of(
    form: Form, generated: dt.datetime, pages: int | None
) -> Callable[[Canvas, int], None]:
    when = french_datetime(generated)
    day, _, hour = when.partition(" ")
    if form.request_number:
        who = f"Demande n° {form.request_number}"
    elif form.file_reference:
        who = f"Dossier papier {form.file_reference}"
    else:
        who = "Demande non enregistrée sur le site de l'ANTS"

    def footer(canvas: Canvas, page: int) -> None:
        canvas.setFillGray(0)
        canvas.setStrokeGray(0)
        canvas.setLineWidth(0.5)
        canvas.line(MARGIN, MARGIN + 22, canvas._pagesize[0] - MARGIN, MARGIN + 22)
        canvas.setFont(FONT, 8)
        canvas.drawString(MARGIN, MARGIN + 12, who)
        canvas.drawCentredString(canvas._pagesize[0] / 2, MARGIN + 12, f"Généré le {day} à {hour}")
        total = f"/{pages}" if pages else ""
        canvas.drawRightString(canvas._pagesize[0] - MARGIN, MARGIN + 12, f"Page {page}{total}")
        canvas.setFont(FONT, 6.5)
        canvas.drawString(MARGIN, MARGIN + 2, form.notice)

    return footer


def _canvas(target: io.BytesIO, title: str) -> Canvas:
    from reportlab.lib.pagesizes import A4  # noqa: PLC0415
    from reportlab.pdfgen.canvas import Canvas  # noqa: PLC0415

    canvas = Canvas(target, pagesize=A4, invariant=True, pageCompression=1)
    canvas.setTitle(title)
    canvas.setAuthor("antsclient")
    canvas.setCreator("antsclient")
    return canvas


def _twice(draw: Callable[[io.BytesIO, int | None], int]) -> bytes:
    """Draw once to count the pages, then again with the count in every footer."""
    pages = draw(io.BytesIO(), None)
    out = io.BytesIO()
    draw(out, pages)
    return out.getvalue()


def render_form(form: Form, generated: dt.datetime) -> bytes:
    """The PDF of ``form``, each footer dated ``generated``."""

    def draw(target: io.BytesIO, pages: int | None) -> int:
        canvas = _canvas(target, f"Cerfa {form.cerfa.value} ({form.cerfa.number})")
        pen = _Pen(canvas, _footer_of(form, generated, pages))
        _draw_header(pen, form)
        for number, section in enumerate(form.sections, start=1):
            _draw_section(pen, section, number)
        return pen.finish()

    return _twice(draw)


# --- the bordereau ------------------------------------------------------------------------

_COLUMNS: Final = (
    ("N°", 0.45),
    ("Dossier", 1.2),
    ("Élève", 2.4),
    ("Né(e) le", 1.1),
    ("Cerfa", 0.6),
    ("Catégorie(s)", 1.2),
    ("Enregistrée le", 1.2),
    ("Suivi", 2.0),
)


def _bordereau_rows(bordereau: Bordereau) -> list[tuple[str, ...]]:
    rows: list[tuple[str, ...]] = []
    for index, paper in enumerate(bordereau.requests, start=1):
        app = paper.application
        tracking = paper.tracking.label + (f" : {paper.tracking_id}" if paper.tracking_id else "")
        rows.append(
            (
                str(index),
                paper.reference,
                paper.student_name,
                french_date(app.applicant.birth_date),
                app.cerfa.value,
                " ".join(sorted(c.value for c in app.categories)),
                french_date(paper.registered_on) if paper.registered_on else "",
                tracking,
            )
        )
    return rows


def _table_row(pen: _Pen, cells: Sequence[str], font: str) -> None:
    total = sum(w for _, w in _COLUMNS)
    widths = [pen.width * w / total for _, w in _COLUMNS]
    lines = [_split(cell, font, 8, w - 2 * PAD) for cell, w in zip(cells, widths, strict=True)]
    height = max(len(cell) for cell in lines) * 9.5 + 2 * PAD
    if not pen.room(height):
        pen.new_page()
        _table_row(pen, [name for name, _ in _COLUMNS], BOLD)
    x = MARGIN
    for cell_lines, width in zip(lines, widths, strict=True):
        pen.canvas.setLineWidth(0.5)
        pen.canvas.rect(x, pen.y - height, width, height, stroke=1, fill=0)
        for n, line in enumerate(cell_lines):
            pen.text(x + PAD, pen.y - PAD - 7 - n * 9.5, line, font, 8)
        x += width
    pen.y -= height


def render_bordereau(bordereau: Bordereau, generated: dt.datetime) -> bytes:
    """The PDF list of a bordereau's paper requests, each footer dated ``generated``."""
    when = french_datetime(generated)
    day, _, hour = when.partition(" ")
    count = len(bordereau.requests)

    def draw(target: io.BytesIO, pages: int | None) -> int:
        canvas = _canvas(target, f"Bordereau {bordereau.number}")

        def footer(c: Any, page: int) -> None:
            c.setFont(FONT, 8)
            c.drawString(
                MARGIN, MARGIN + 12, f"Bordereau N° {bordereau.number} — {count} dossier(s)"
            )
            c.drawCentredString(c._pagesize[0] / 2, MARGIN + 12, f"Généré le {day} à {hour}")
            total = f"/{pages}" if pages else ""
            c.drawRightString(c._pagesize[0] - MARGIN, MARGIN + 12, f"Page {page}{total}")

        pen = _Pen(canvas, footer)
        pen.text(MARGIN, pen.y - 14, "BORDEREAU D'ENVOI DES DEMANDES PAPIER", BOLD, 14)
        pen.text(
            MARGIN,
            pen.y - 30,
            f"Bordereau N° {bordereau.number} du {french_date(bordereau.date)}",
            BOLD,
            10,
        )
        school = f"Établissement : agrément {bordereau.agreement}"
        if bordereau.prefecture:
            school += f" — destinataire : {bordereau.prefecture}"
        pen.text(MARGIN, pen.y - 44, school, FONT, 9)
        pen.y -= 56
        _table_row(pen, [name for name, _ in _COLUMNS], BOLD)
        for row in _bordereau_rows(bordereau):
            _table_row(pen, row, FONT)
        if not pen.room(70):
            pen.new_page()
        pen.text(MARGIN, pen.y - 16, f"Nombre de dossiers : {count}", BOLD, 9)
        pen.text(MARGIN, pen.y - 34, "Cachet et signature de l'établissement :", FONT, 9)
        pen.y -= 70
        return pen.finish()

    return _twice(draw)
