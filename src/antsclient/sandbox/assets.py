"""The files the sandbox hands out: real PDFs, a real JPEG and real PNGs, written by hand.

No imaging library is needed at run time: the PDF is assembled object by object with its
cross-reference table, the PNG is a zlib-compressed greyscale bitmap, and the ePhoto's photo
is a small baseline JPEG kept as a constant (a 36 × 48 portrait silhouette).
"""

from __future__ import annotations

import base64
import hashlib
import math
import struct
import zlib
from collections.abc import Sequence
from typing import Final

__all__ = ["PHOTO_JPEG", "pdf", "signature_png"]

_PHOTO_JPEG_B64: Final = (
    "/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAA0JCgsKCA0LCgsODg0PEyAVExISEyccHhcgLikxMC4pLSwzOko+MzZG"
    "NywtQFdBRkxOUlNSMj5aYVpQYEpRUk//2wBDAQ4ODhMREyYVFSZPNS01T09PT09PT09PT09PT09PT09PT09PT09P"
    "T09PT09PT09PT09PT09PT09PT09PT09PT0//wAARCAAwACQDASIAAhEBAxEB/8QAHwAAAQUBAQEBAQEAAAAAAAAA"
    "AAECAwQFBgcICQoL/8QAtRAAAgEDAwIEAwUFBAQAAAF9AQIDAAQRBRIhMUEGE1FhByJxFDKBkaEII0KxwRVS0fAk"
    "M2JyggkKFhcYGRolJicoKSo0NTY3ODk6Q0RFRkdISUpTVFVWV1hZWmNkZWZnaGlqc3R1dnd4eXqDhIWGh4iJipKT"
    "lJWWl5iZmqKjpKWmp6ipqrKztLW2t7i5usLDxMXGx8jJytLT1NXW19jZ2uHi4+Tl5ufo6erx8vP09fb3+Pn6/8QA"
    "HwEAAwEBAQEBAQEBAQAAAAAAAAECAwQFBgcICQoL/8QAtREAAgECBAQDBAcFBAQAAQJ3AAECAxEEBSExBhJBUQdh"
    "cRMiMoEIFEKRobHBCSMzUvAVYnLRChYkNOEl8RcYGRomJygpKjU2Nzg5OkNERUZHSElKU1RVVldYWVpjZGVmZ2hp"
    "anN0dXZ3eHl6goOEhYaHiImKkpOUlZaXmJmaoqOkpaanqKmqsrO0tba3uLm6wsPExcbHyMnK0tPU1dbX2Nna4uPk"
    "5ebn6Onq8vP09fb3+Pn6/9oADAMBAAIRAxEAPwDtKCcdaKhlbLY7CtKk+RXJhDmdiQOpOAadVWp4m3Lz1FZ0q3M7"
    "MupS5VdD6KKK3MQqu4w5+tF7fW1hCJbuTy0LbQdpPPXt9Kz38RaM3/L5g+vlP/hWVaDnHQ0pT5XqXqmhHBNZA1/S"
    "M83ox7RP/hUo8SaMBgXf/kJ/8Kyo0mpczNatRNWRrUUUV1HMc942/wCQPF/18D/0Fq4iu38bf8geL/r4H/oLVxFA"
    "wooooA9YooooEf/Z"
)

PHOTO_JPEG: Final = base64.b64decode(_PHOTO_JPEG_B64)
"""The ePhoto's photo: a 36 × 48 baseline JPEG (JFIF), verified to decode."""


def _pdf_text(text: str) -> bytes:
    raw = text.encode("cp1252", errors="replace")
    return raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")


def _page_stream(title: str, lines: Sequence[str], page: int, pages: int) -> bytes:
    parts = [b"BT /F1 16 Tf 56 780 Td (", _pdf_text(title), b") Tj ET\n"]
    y = 750
    for line in lines:
        parts += [b"BT /F1 11 Tf 56 ", str(y).encode(), b" Td (", _pdf_text(line), b") Tj ET\n"]
        y -= 16
    footer = f"Page {page}/{pages}"
    parts += [b"BT /F1 9 Tf 56 40 Td (", _pdf_text(footer), b") Tj ET\n"]
    return b"".join(parts)


def pdf(title: str, lines: Sequence[str] = (), *, pages: int = 1) -> bytes:
    """A valid PDF of ``pages`` A4 pages, each showing ``title`` and ``lines`` (Helvetica)."""
    pages = max(pages, 1)
    objects: list[bytes] = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"",  # the page tree, written once the page objects are numbered
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    kids: list[str] = []
    for page in range(1, pages + 1):
        stream = _page_stream(title, lines, page, pages)
        content_number = len(objects) + 2
        kids.append(f"{len(objects) + 1} 0 R")
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
            b"/Resources << /Font << /F1 3 0 R >> >> /Contents "
            + f"{content_number} 0 R".encode()
            + b" >>"
        )
        objects.append(f"<< /Length {len(stream)} >>\nstream\n".encode() + stream + b"endstream")
    objects[1] = f"<< /Type /Pages /Kids [{' '.join(kids)}] /Count {pages} >>".encode()
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets: list[int] = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n"
    ).encode()
    return bytes(out)


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


def signature_png(seed: str, *, width: int = 160, height: int = 48) -> bytes:
    """A valid greyscale PNG of a handwritten-looking stroke, different for every ``seed``."""
    digest = hashlib.sha256(seed.encode()).digest()
    phase = digest[0] / 255 * math.tau
    frequency = 2 + digest[1] % 4
    amplitude = height / 2 - 6
    ink = bytearray(b"\xff" * (width * height))
    for x in range(8, width - 8):
        t = x / width
        y = height / 2 + amplitude * math.sin(phase + frequency * math.tau * t) * (1 - t / 2)
        for dy in (-1, 0, 1):
            row = int(y) + dy
            if 0 <= row < height:
                ink[row * width + x] = 0x20
    raw = b"".join(b"\x00" + bytes(ink[r * width : (r + 1) * width]) for r in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", zlib.compress(raw, 9))
        + _png_chunk(b"IEND", b"")
    )
