"""A PDF's page count, read with the standard library alone.

The document's catalog names the root of its page tree, whose ``/Count`` is the number of
pages (ISO 32000-1, 7.7.2 and 7.7.3.2). The objects are found by reading the file from
start to end — each ``N G obj … endobj`` in turn, a stream skipped by its ``/Length`` — and
those packed in object streams (``/Type /ObjStm``, PDF 1.5) by inflating them: a later
definition of an object replaces an earlier one, as an incremental update does. The
catalog is the one the last trailer (or cross-reference stream) names.

The cross-reference table is not read: a file whose offsets are wrong (many scanners write
such files, and every reader repairs them) is read as well as a clean one. What is not a
readable PDF raises :class:`PdfUnreadable` with the reason; an encrypted one,
:class:`PdfEncrypted`.

``antsclient.attachments`` counts pages with pypdf when it is installed (the ``pdf``
extra), and with this module otherwise.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterator, Sequence
from typing import Final

__all__ = ["PdfEncrypted", "PdfUnreadable", "blank_document", "page_count", "written"]


class PdfUnreadable(ValueError):
    """The bytes are not a PDF whose pages can be counted; ``str()`` says why."""


class PdfEncrypted(PdfUnreadable):
    """The PDF is encrypted: its pages cannot be counted without its password."""


_S: Final = rb"[\x00\t\n\x0c\r ]"
"""PDF's white-space characters (ISO 32000-1, 7.2.2)."""
_REF: Final = rb"([0-9]+)" + _S + rb"+[0-9]+" + _S + rb"+R"
"""An indirect reference (``12 0 R``), its object's number taken."""


def _pattern(*parts: bytes) -> re.Pattern[bytes]:
    return re.compile(b"".join(parts))


_OBJECT: Final = _pattern(rb"(?<![0-9])([0-9]{1,10})", _S, rb"+[0-9]{1,5}", _S, rb"+obj\b")
_STREAM: Final = _pattern(rb">>", _S, rb"*stream(?:\r\n|\r|\n)")
"""The ``stream`` keyword, right after the stream's dictionary (never a word in a text)."""
_END_STREAM: Final = _pattern(rb"[\r\n]*endstream")
_EOL: Final = _pattern(rb"[\r\n]")
_LENGTH: Final = _pattern(rb"/Length", _S, rb"+([0-9]+)(?![0-9])(?!", _S, rb"+[0-9]+", _S, rb"+R)")
_TRAILER: Final = _pattern(rb"(?<![A-Za-z])trailer", _S, rb"*<<")
_TYPE: Final = _pattern(rb"/Type", _S, rb"*/([A-Za-z]+)")
_ROOT: Final = _pattern(rb"/Root", _S, b"+", _REF)
_PAGES: Final = _pattern(rb"/Pages", _S, b"+", _REF)
_COUNT: Final = _pattern(rb"/Count", _S, rb"+([0-9]+)(?![0-9])(?:", _S, rb"+[0-9]+", _S, rb"+(R))?")
_ENCRYPT: Final = _pattern(rb"/Encrypt\b")
_INTEGER: Final = _pattern(_S, rb"*([0-9]+)")
_NUMBER_OF: Final = _pattern(rb"/(N|First)", _S, rb"+([0-9]+)")
_FLATE: Final = _pattern(rb"/Filter", _S, rb"*\[?", _S, rb"*/FlateDecode", _S, rb"*\]?")
_FILTER: Final = _pattern(rb"/Filter\b")
_PREDICTOR: Final = _pattern(rb"/Predictor", _S, rb"+([0-9]+)")

_MOST_INFLATED: Final = 64 * 1024 * 1024
"""The most bytes a document's object streams may inflate to, all together: a bomb (or
many) stops there, unread, and the memory a count takes stays bounded."""


def page_count(data: bytes) -> int:
    """The number of pages of the PDF ``data``.

    Raises :class:`PdfEncrypted` for an encrypted document and :class:`PdfUnreadable` for
    anything else that cannot be read: no ``%PDF-`` header, no trailer naming a catalog
    (a truncated file), a catalog without a page tree, a tree without a page count.
    """
    if b"%PDF-" not in data[:1024]:
        raise PdfUnreadable("no %PDF- header")
    objects: dict[int, bytes] = {}
    ends: list[tuple[int, bytes]] = []  # trailers and cross-reference streams, by position
    gaps: list[tuple[int, int]] = []
    left = _MOST_INFLATED  # what the object streams may still inflate to
    for at, number, head, content in _objects_of(data, gaps):
        kind = _type_of(head)
        if kind == b"ObjStm" and content is not None:
            plain, used = _unfiltered(head, content, left)
            left -= used
            if plain is not None:
                objects.update(_packed(head, plain))
        elif kind == b"XRef":
            ends.append((at, head))
        objects[number] = head
    ends.extend(_trailers(data, gaps))
    ends.sort(key=lambda end: end[0])
    if any(_ENCRYPT.search(end) for _, end in ends):
        raise PdfEncrypted("the PDF is encrypted")
    roots = [match for _, end in ends if (match := _ROOT.search(end)) is not None]
    if not roots:
        raise PdfUnreadable("no trailer names the document's catalog (a truncated file?)")
    catalog = objects.get(int(roots[-1][1]))
    if catalog is None:
        raise PdfUnreadable("the document's catalog is missing")
    tree = _PAGES.search(catalog)
    if tree is None:
        raise PdfUnreadable("the catalog has no page tree")
    pages = objects.get(int(tree[1]))
    if pages is None:
        raise PdfUnreadable("the root of the page tree is missing")
    if _type_of(pages) == b"Page":  # a lone page as the tree (not valid, but plain)
        return 1
    count = _COUNT.search(pages)
    if count is None:
        raise PdfUnreadable("the page tree does not say how many pages it holds")
    if count[2] is None:  # a direct count
        return int(count[1])
    held = objects.get(int(count[1]))  # an indirect count: ``/Count 12 0 R``
    value = None if held is None else _INTEGER.match(held)
    if value is None:
        raise PdfUnreadable("the page tree's count is missing")
    return int(value[1])


def _objects_of(
    data: bytes, gaps: list[tuple[int, int]]
) -> Iterator[tuple[int, int, bytes, bytes | None]]:
    """Each object of the file in order: where it starts, its number, its text before any
    stream, and its stream's bytes (``None`` without one). A stream's bytes are skipped by
    its ``/Length`` (else up to ``endstream``), so that nothing inside one is taken for an
    object, and a header in a comment (``% 5 0 obj``, between the objects) is none. What lies
    between the objects (where trailers are) is added to ``gaps``."""
    position = gap = 0
    while (found := _OBJECT.search(data, position)) is not None:
        if _commented(data, gap, found.start()):
            line_end = _EOL.search(data, found.end())
            position = len(data) if line_end is None else line_end.end()
            continue
        gaps.append((gap, found.start()))
        start = found.end()
        end = data.find(b"endobj", start)
        stream = _STREAM.search(data, start, len(data) if end < 0 else end)
        if stream is None:
            if end < 0:  # an object never ended: what follows is searched as it is
                gaps.append((start, len(data)))
                return
            yield found.start(), int(found[1]), data[start:end], None
            position = gap = end + 6
            continue
        head = data[start : stream.start() + 2]
        body_start = stream.end()
        body_end = _stream_end(data, head, body_start)
        if body_end < 0:  # a stream never ended: the file was cut short
            return
        yield found.start(), int(found[1]), head, data[body_start:body_end]
        after = data.find(b"endobj", body_end)
        position = gap = body_end if after < 0 else after + 6
    gaps.append((gap, len(data)))


def _commented(data: bytes, low: int, at: int) -> bool:
    """Whether ``at``, between the objects (after ``low``), lies in a comment: a ``%`` before
    it on its line (ISO 32000-1, 7.2.3; no string is written between the objects). An
    end-of-file marker is not taken for one: an update written right after ``%%EOF``, with
    no line end between them, is read."""
    line = max(data.rfind(b"\n", low, at), data.rfind(b"\r", low, at)) + 1
    return b"%" in data[max(line, low) : at].replace(b"%%EOF", b"")


def _stream_end(data: bytes, head: bytes, start: int) -> int:
    """Where the stream starting at ``start`` ends: by its direct ``/Length`` when
    ``endstream`` follows there, else at the next ``endstream`` (-1: none)."""
    length = _LENGTH.search(head)
    if length is not None:
        end = start + int(length[1])
        if _END_STREAM.match(data, end) is not None:
            return end
    end = data.find(b"endstream", start)
    if end < 0:
        return -1
    while end > start and data[end - 1 : end] in {b"\r", b"\n"}:
        end -= 1
    return end


def _type_of(head: bytes) -> bytes | None:
    found = _TYPE.search(head)
    return None if found is None else found[1]


def _trailers(data: bytes, gaps: list[tuple[int, int]]) -> Iterator[tuple[int, bytes]]:
    """Where each classic trailer dictionary is, and its text (up to the next
    ``startxref``): looked for between the objects only, never inside a stream."""
    for start, end in gaps:
        if data.find(b"trailer", start, end) < 0:
            continue
        for found in _TRAILER.finditer(data, start, end):
            stop = data.find(b"startxref", found.end(), end)
            yield found.start(), data[found.start() : end if stop < 0 else stop]


def _unfiltered(head: bytes, content: bytes, left: int) -> tuple[bytes | None, int]:
    """An object stream's bytes as they are once inflated (``None``: they cannot be read),
    and how many of the ``left`` bytes the document may still inflate to this took: a
    stream that would pass them is left unread, and takes them all."""
    if _FILTER.search(head) is None:
        return content, 0
    predictor = _PREDICTOR.search(head)
    if _FLATE.search(head) is None or (predictor is not None and int(predictor[1]) > 1):
        return None, 0  # a filter other than plain Flate: not used for object streams
    if left <= 0:
        return None, 0
    try:
        inflater = zlib.decompressobj()
        plain = inflater.decompress(content, left)
    except zlib.error:
        return None, 0
    if inflater.unconsumed_tail:  # past what is left: unread
        return None, left
    return plain, len(plain)


def _packed(head: bytes, content: bytes) -> dict[int, bytes]:
    """The objects an object stream holds, from its unfiltered bytes (none when they cannot
    be read: an object then missing is reported where it is needed)."""
    sizes = dict(_NUMBER_OF.findall(head))
    try:
        count, first = int(sizes[b"N"]), int(sizes[b"First"])
        header = [int(value) for value in content[:first].split()]
    except (KeyError, ValueError):
        return {}
    numbers, offsets = header[0 : 2 * count : 2], header[1 : 2 * count : 2]
    if len(numbers) != count or len(offsets) != count:
        return {}
    bounds = [*offsets[1:], len(content) - first]
    return {
        number: content[first + start : first + end]
        for number, start, end in zip(numbers, offsets, bounds, strict=True)
    }


def blank_document(pages: int, *, width: int = 595, height: int = 842) -> bytes:
    """A PDF of ``pages`` blank pages (A4 by default, in points), with a correct
    cross-reference table: what a scanned document stands in for in the demo and in tests."""
    if pages < 0:
        msg = f"a document has 0 pages or more, not {pages}"
        raise ValueError(msg)
    kids = " ".join(f"{3 + n} 0 R" for n in range(pages))
    page = f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {width} {height}] /Resources << >> >>"
    return written(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            f"<< /Type /Pages /Kids [{kids}] /Count {pages} >>".encode(),
            *[page.encode()] * pages,
        ]
    )


def written(bodies: Sequence[bytes], *, trailer: bytes = b"/Root 1 0 R") -> bytes:
    """A PDF 1.4 of the objects ``bodies`` (numbered 1, 2, … in order) with a correct
    cross-reference table, its trailer holding ``trailer`` besides ``/Size``."""
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(bodies, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    table = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(bodies) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d %s >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(bodies) + 1,
        trailer,
        table,
    )
    return bytes(out)
