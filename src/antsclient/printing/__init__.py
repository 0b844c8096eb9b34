"""Impression Cerfa: the filled Cerfa 02 and Cerfa 06, and the bordereaux, as PDF.

The manual's request screen prints the form (« Impression Cerfa ☒ Cerfa 02 ☐ Cerfa 06 ») for
the student's file or signature; a « Bordereaux dossiers » list goes with paper requests.

* :func:`cerfa_form` — the form as data, box by box (no PDF library needed);
* :func:`cerfa_pdf` / :func:`write_cerfa` — the form as an A4 PDF, printable in black and
  white: every field in its box, the declarations ticked, dates as ``05/07/2006``, the
  request number and the generation date in each page's footer;
* :func:`bordereau_pdf` / :func:`write_bordereau` — a bordereau's list of paper requests.

The layout is faithful to the forms' sections, order and wording; it is **not** the official
Cerfa file, and its footer says so. The PDFs are drawn with ReportLab, installed by the
``print`` extra (``pip install 'antsclient[print]'``); without it these functions raise
:class:`~antsclient.errors.ExtraNotInstalled`.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Final

from antsclient.errors import ExtraNotInstalled
from antsclient.models.application import Application
from antsclient.models.enums import Cerfa
from antsclient.models.paper import Bordereau, PaperRequest
from antsclient.models.request import OnlineRequest
from antsclient.printing.form import Choice, Entry, Form, Section, cerfa_form

__all__ = [
    "INSTALL",
    "Choice",
    "Entry",
    "Form",
    "Section",
    "bordereau_pdf",
    "cerfa_filename",
    "cerfa_form",
    "cerfa_pdf",
    "require",
    "write_bordereau",
    "write_cerfa",
]

INSTALL: Final = "pip install 'antsclient[print]'"
"""The command that installs what printing needs."""


def require() -> None:
    """Raise :class:`~antsclient.errors.ExtraNotInstalled` unless ReportLab is installed."""
    try:
        import reportlab  # noqa: F401, PLC0415
    except ImportError as exc:
        raise ExtraNotInstalled(
            f"printing a Cerfa needs reportlab, which is not installed: {INSTALL}",
            extra="print",
            package="reportlab",
            field="print",
            message_fr="L'impression du Cerfa a besoin du module reportlab, qui n'est pas "
            f"installé : installez-le avec {INSTALL}",
        ) from exc


def _now(generated: dt.datetime | None) -> dt.datetime:
    return generated if generated is not None else dt.datetime.now(dt.UTC)


def cerfa_pdf(
    application: Application | None = None,
    request: OnlineRequest | None = None,
    *,
    cerfa: Cerfa | str | None = None,
    paper: PaperRequest | None = None,
    agreement: str | None = None,
    generated: dt.datetime | None = None,
) -> bytes:
    """The filled Cerfa as PDF bytes (see :func:`cerfa_form` for the arguments).

    ``generated`` is the instant printed in the footer (now by default; a naive one is UTC,
    shown in Paris time).
    """
    form = cerfa_form(application, request, cerfa=cerfa, paper=paper, agreement=agreement)
    require()
    from antsclient.printing.render import render_form  # noqa: PLC0415

    return render_form(form, _now(generated))


def cerfa_filename(cerfa: Cerfa | str, reference: str | None) -> str:
    """``cerfa02-3223.pdf``: the name a printed Cerfa is saved under."""
    suffix = f"-{reference}" if reference else ""
    return f"cerfa{Cerfa(cerfa).value}{suffix}.pdf"


def _target(to: str | os.PathLike[str], name: str) -> Path:
    """``to`` itself when it names a ``.pdf`` file, else ``name`` inside the folder ``to``."""
    path = Path(to)
    if path.suffix.lower() == ".pdf" and not path.is_dir():
        path.parent.mkdir(parents=True, exist_ok=True)
        return path
    path.mkdir(parents=True, exist_ok=True)
    return path / name


def _write(path: Path, content: bytes) -> Path:
    partial = path.with_name(f".{path.name}.part")
    partial.write_bytes(content)
    partial.replace(path)
    return path


def write_cerfa(
    to: str | os.PathLike[str],
    application: Application | None = None,
    request: OnlineRequest | None = None,
    *,
    cerfa: Cerfa | str | None = None,
    paper: PaperRequest | None = None,
    agreement: str | None = None,
    generated: dt.datetime | None = None,
) -> Path:
    """Write the filled Cerfa into ``to`` — a ``.pdf`` path, or a folder where it is named
    :func:`cerfa_filename` — and return its path. The file appears whole or not at all."""
    content = cerfa_pdf(
        application, request, cerfa=cerfa, paper=paper, agreement=agreement, generated=generated
    )
    form_cerfa = cerfa or (application or request or (paper.application if paper else None))
    kind = form_cerfa if isinstance(form_cerfa, Cerfa | str) else form_cerfa.cerfa  # type: ignore[union-attr]
    reference = request.number if request else (paper.reference if paper else None)
    return _write(_target(to, cerfa_filename(kind, reference)), content)


def bordereau_pdf(bordereau: Bordereau, *, generated: dt.datetime | None = None) -> bytes:
    """The bordereau's list of paper requests as PDF bytes (A4, one line per request)."""
    require()
    from antsclient.printing.render import render_bordereau  # noqa: PLC0415

    return render_bordereau(bordereau, _now(generated))


def write_bordereau(
    to: str | os.PathLike[str], bordereau: Bordereau, *, generated: dt.datetime | None = None
) -> Path:
    """Write the bordereau's PDF into ``to`` (a ``.pdf`` path, or a folder:
    ``bordereau-<number>.pdf``) and return its path."""
    content = bordereau_pdf(bordereau, generated=generated)
    return _write(_target(to, f"bordereau-{bordereau.number}.pdf"), content)
