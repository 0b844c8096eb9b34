"""antsclient's own PDF page count (the standard library alone) against pypdf's, on PDFs from
several writers and shapes: pypdf's, ReportLab's, PDFium's, object streams with a
cross-reference stream, incremental updates, indirect counts; and what it refuses."""

from __future__ import annotations

import io
import re
import sys
import zlib
from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from antsclient import AttachmentRejected, _pdf, attachments
from antsclient._pdf import PdfEncrypted, PdfUnreadable, blank_document, page_count, written

PAGE = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << >> >>"


def pypdf_count(data: bytes) -> int:
    return len(PdfReader(io.BytesIO(data)).pages)


def packed(pages: int, *, compress: bool = True) -> bytes:
    """A PDF 1.5 whose catalog, page tree and pages sit in one object stream, found through
    a cross-reference stream (as Acrobat, qpdf and many scanners write them)."""
    bodies = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [%s] /Count %d >>"
        % (b" ".join(b"%d 0 R" % (3 + n) for n in range(pages)), pages),
        *([PAGE] * pages),
    ]
    offsets, body = [], bytearray()
    for item in bodies:
        offsets.append(len(body))
        body += item + b"\n"
    header = b" ".join(b"%d %d" % (n, offset) for n, offset in enumerate(offsets, start=1))
    content = header + b"\n" + bytes(body)
    stream_number = len(bodies) + 1
    filtered = zlib.compress(content) if compress else content
    out = bytearray(b"%PDF-1.5\n%\xe2\xe3\xcf\xd3\n")
    stream_offset = len(out)
    out += b"%d 0 obj\n<< /Type /ObjStm /N %d /First %d /Length %d%s >>\nstream\n" % (
        stream_number,
        len(bodies),
        len(header) + 1,
        len(filtered),
        b" /Filter /FlateDecode" if compress else b"",
    )
    out += filtered + b"\nendstream\nendobj\n"
    xref_number = stream_number + 1
    xref_offset = len(out)
    rows = [b"\x00\x00\x00\x00\x00\xff\xff"]  # object 0: free
    rows += [
        b"\x02" + stream_number.to_bytes(4, "big") + i.to_bytes(2, "big")
        for i in range(len(bodies))
    ]
    rows += [b"\x01" + stream_offset.to_bytes(4, "big") + b"\x00\x00"]
    rows += [b"\x01" + xref_offset.to_bytes(4, "big") + b"\x00\x00"]
    table = zlib.compress(b"".join(rows))
    out += (
        b"%d 0 obj\n<< /Type /XRef /Size %d /W [1 4 2] /Root 1 0 R /Filter /FlateDecode "
        b"/Length %d >>\nstream\n" % (xref_number, xref_number + 1, len(table))
    )
    out += table + b"\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n" % xref_offset
    return bytes(out)


# --- the same count as pypdf --------------------------------------------------------------


@given(st.integers(min_value=0, max_value=60))
def test_a_blank_document_has_its_pages_for_both_readers(pages: int) -> None:
    data = blank_document(pages)
    assert page_count(data) == pages == pypdf_count(data)


@pytest.mark.parametrize("pages", [1, 2, 7, 40])
def test_a_pypdf_document(make_pdf: Callable[[int], bytes], pages: int) -> None:
    data = make_pdf(pages)
    assert page_count(data) == pages == pypdf_count(data)


@pytest.mark.parametrize("compressed", [False, True])
def test_a_reportlab_document(compressed: bool) -> None:
    canvas = pytest.importorskip("reportlab.pdfgen.canvas")
    out = io.BytesIO()
    drawing = canvas.Canvas(out, pageCompression=int(compressed))
    for n in range(5):
        drawing.drawString(100, 700, f"page {n + 1} — « endobj 9 0 obj » stream")
        drawing.showPage()
    drawing.save()
    data = out.getvalue()
    assert page_count(data) == 5 == pypdf_count(data)


def test_a_pdfium_document() -> None:
    pdfium = pytest.importorskip("pypdfium2")
    document = pdfium.PdfDocument.new()
    for _ in range(4):
        document.new_page(595, 842)
    out = io.BytesIO()
    document.save(out)
    data = out.getvalue()
    assert page_count(data) == 4 == pypdf_count(data)


@pytest.mark.parametrize("compress", [True, False])
@pytest.mark.parametrize("pages", [1, 3, 25])
def test_objects_packed_in_an_object_stream(pages: int, compress: bool) -> None:
    data = packed(pages, compress=compress)
    assert page_count(data) == pages == pypdf_count(data)


def test_an_incremental_update_replaces_the_page_tree() -> None:
    first = blank_document(2)
    update = (
        b"2 0 obj\n<< /Type /Pages /Kids [3 0 R 4 0 R 5 0 R] /Count 3 >>\nendobj\n"
        b"5 0 obj\n" + PAGE + b"\nendobj\n"
    )
    start = len(first)
    data = first + update
    # The update's own cross-reference section, so that pypdf reads it as well.
    table = len(data)
    data += (
        b"xref\n2 1\n%010d 00000 n \n5 1\n%010d 00000 n \n"
        b"trailer\n<< /Size 6 /Root 1 0 R /Prev %d >>\nstartxref\n%d\n%%%%EOF\n"
        % (start, start + update.index(b"5 0 obj"), first.index(b"\nxref\n") + 1, table)
    )
    assert page_count(data) == 3 == pypdf_count(data)


def test_an_update_right_after_the_end_of_file_marker_is_read() -> None:
    # Some writers append an update with no line end after the previous %%EOF.
    first = blank_document(2).rstrip(b"\n")
    update = b"2 0 obj\n<< /Type /Pages /Kids [3 0 R 4 0 R 5 0 R] /Count 3 >>\nendobj\n"
    update += b"5 0 obj\n" + PAGE + b"\nendobj\n"
    data = first + update + b"trailer\n<< /Size 6 /Root 1 0 R >>\n%%EOF\n"
    assert first.endswith(b"%%EOF")
    assert page_count(data) == 3


def test_an_indirect_count() -> None:
    data = written(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [4 0 R 5 0 R] /Count 3 0 R >>",
            b"2",
            PAGE,
            PAGE,
        ]
    )
    assert page_count(data) == 2


def test_wrong_offsets_are_no_matter() -> None:
    data, wrong = re.subn(rb"[0-9]{10} 00000 n", b"0000000001 00000 n", blank_document(3))
    assert wrong == 5
    assert page_count(data) == 3


def test_a_stream_holding_object_headers_is_skipped() -> None:
    noise = b"9 0 obj << /Type /Pages /Count 99 >> endobj trailer << /Root 9 0 R >>"
    data = written(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            PAGE,
            b"<< /Length %d >>\nstream\n%s\nendstream" % (len(noise), noise),
        ]
    )
    assert page_count(data) == 1


@pytest.mark.parametrize("eol", [b"\n", b"\r", b"\r\n"])
def test_an_object_header_in_a_comment_is_no_object(eol: bytes) -> None:
    # A comment naming an object before the catalog, one after an object's end on its line,
    # and one holding a whole object: none of them swallows the objects that follow.
    data = blank_document(3).replace(b"\n1 0 obj", b"\n%% 5 0 obj (draft)" + eol + b"1 0 obj")
    data = data.replace(b"endobj\n2 0 obj", b"endobj %% 9 0 obj" + eol + b"2 0 obj")
    data = data.replace(
        b"endobj\n3 0 obj",
        b"endobj\n%% 7 0 obj << /Type /Pages /Count 99 >> endobj" + eol + b"3 0 obj",
    )
    assert data.count(b"%% ") == 3
    assert page_count(data) == 3 == pypdf_count(data)


def test_a_text_saying_stream_is_no_stream() -> None:
    data = written(
        [
            b"<< /Type /Catalog /Pages 2 0 R /Lang (fr stream\n) >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            PAGE,
            b"<< /Length 3 >>\nstream\nabc\nendstream",
        ]
    )
    assert page_count(data) == 1 == pypdf_count(data)


def test_the_catalog_without_a_trailer_root_is_not_guessed() -> None:
    data = written(
        [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [] /Count 0 >>"],
        trailer=b"",
    )
    with pytest.raises(PdfUnreadable, match="catalog"):
        page_count(data)


# --- what it refuses ----------------------------------------------------------------------


def test_an_encrypted_document(encrypted_pdf: bytes) -> None:
    with pytest.raises(PdfEncrypted):
        page_count(encrypted_pdf)


@pytest.mark.parametrize(
    ("data", "why"),
    [
        (b"hello", "header"),
        (b"%PDF-1.7\n", "trailer"),
        (blank_document(2)[:120], "trailer"),
        (written([b"<< /Type /Catalog >>"]), "no page tree"),
        (written([b"<< /Type /Catalog /Pages 7 0 R >>"]), "root of the page tree is missing"),
        (written([b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages >>"]), "how many"),
        (written([b"<< /Pages 2 0 R >>", b"<< /Count 5 0 R >>"]), "count is missing"),
        (written([b"<< /Type /Catalog >>"], trailer=b"/Root 4 0 R"), "catalog is missing"),
    ],
)
def test_what_is_not_a_readable_pdf(data: bytes, why: str) -> None:
    with pytest.raises(PdfUnreadable, match=why):
        page_count(data)


def test_a_lone_page_as_the_tree_is_one_page() -> None:
    data = written([b"<< /Type /Catalog /Pages 2 0 R >>", PAGE])
    assert page_count(data) == 1


def test_an_object_stream_that_cannot_be_read_leaves_its_objects_missing() -> None:
    data = packed(2).replace(
        b"/Filter /FlateDecode >>\nstream", b"/Filter /LZWDecode >>\nstream", 1
    )
    with pytest.raises(PdfUnreadable, match="catalog is missing"):
        page_count(data)
    broken = packed(2).replace(b"/First", b"/Firsts", 1)
    with pytest.raises(PdfUnreadable):
        page_count(broken)


def test_an_object_stream_announcing_more_objects_than_it_holds() -> None:
    data = packed(2, compress=False).replace(b"/N 4", b"/N 5", 1)
    with pytest.raises(PdfUnreadable, match="catalog is missing"):
        page_count(data)


def test_object_streams_inflate_to_a_bounded_size(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_pdf, "_MOST_INFLATED", 100_000)
    bomb = zlib.compress(b" " * 60_000)  # 60 KB of nothing, in 100 bytes
    bombs = b"".join(
        b"%d 0 obj\n<< /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode /Length %d >>\n"
        b"stream\n%s\nendstream\nendobj\n" % (90 + n, len(bomb), bomb)
        for n in range(2)
    )
    data = packed(2)
    header_end = data.index(b"\n", 10) + 1
    assert page_count(data) == 2
    # Two bombs take the budget before the real object stream is reached: left unread.
    with pytest.raises(PdfUnreadable, match="catalog is missing"):
        page_count(data[:header_end] + bombs + data[header_end:])
    # One bomb leaves enough for the real one.
    assert page_count(data[:header_end] + bombs[: len(bombs) // 2] + data[header_end:]) == 2


def test_a_blank_document_has_no_negative_pages() -> None:
    with pytest.raises(ValueError, match="0 pages or more"):
        blank_document(-1)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from([blank_document(3), packed(3), packed(2, compress=False)]),
    st.lists(st.tuples(st.integers(min_value=0), st.binary(max_size=8)), max_size=6),
    st.integers(min_value=0),
)
def test_a_damaged_document_is_counted_or_refused_never_crashes(
    data: bytes, edits: list[tuple[int, bytes]], cut: int
) -> None:
    damaged = bytearray(data)
    for position, replacement in edits:
        at = position % len(damaged)
        damaged[at : at + len(replacement)] = replacement
    damaged = damaged[: len(damaged) - cut % 64]
    try:
        count = page_count(bytes(damaged))
    except PdfUnreadable:
        return
    assert count >= 0


@given(st.binary(max_size=400))
def test_any_bytes_are_counted_or_refused(tail: bytes) -> None:
    try:
        count = page_count(b"%PDF-1.4\n" + tail)
    except PdfUnreadable:
        return
    assert count >= 0


# --- in antsclient.attachments, without pypdf ------------------------------------------------


@pytest.fixture
def without_pypdf(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(attachments, "_pypdf_reader", lambda: None)


@pytest.mark.usefixtures("without_pypdf")
def test_attachments_count_pages_without_pypdf(make_pdf: Callable[[int], bytes]) -> None:
    for data, pages in ((make_pdf(3), 3), (packed(2), 2)):
        info = attachments.inspect_file(data, name="scan.pdf")
        assert info.pages == pages


@pytest.mark.usefixtures("without_pypdf")
@pytest.mark.parametrize("encrypted", [False, True])
def test_attachments_refuse_without_pypdf(encrypted: bool, encrypted_pdf: bytes) -> None:
    data = encrypted_pdf if encrypted else blank_document(4)[:200]
    with pytest.raises(AttachmentRejected) as info:
        attachments.inspect_file(data, name="scan.pdf")
    assert info.value.code == "attachment.unreadable"
    assert ("encrypted" if encrypted else "cannot be read (no trailer") in str(info.value)
    assert "scan.pdf" in info.value.message_fr


def test_pypdf_is_taken_when_installed() -> None:
    assert attachments._pypdf_reader() is PdfReader


def test_without_pypdf_installed_the_own_reader_is_taken(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pypdf", None)  # as if not installed: import fails
    attachments._pypdf_reader.cache_clear()
    try:
        assert attachments._pypdf_reader() is None
        assert attachments.inspect_file(packed(3), name="scan.pdf").pages == 3
    finally:
        attachments._pypdf_reader.cache_clear()
