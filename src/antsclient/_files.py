"""Files: the local checks and streaming of an upload, and downloads that never leave a
partial file or escape their folder."""

from __future__ import annotations

import io
import os
import re
import tempfile
import unicodedata
from collections.abc import Iterable, Mapping
from email.message import Message
from email.utils import collapse_rfc2231_value, unquote
from pathlib import Path
from typing import IO, TYPE_CHECKING, Final

from antsclient.errors import AttachmentRejected
from antsclient.models import DocumentKind
from antsclient.protocol import Upload, path_upload, stream_upload
from antsclient.storage.protocols import StudentDocument

if TYPE_CHECKING:
    from antsclient.attachments import FileInfo
    from antsclient.models.documents import AttachmentSlot

__all__ = [
    "UploadSource",
    "abandon_download",
    "atomic_target",
    "check_pages_sent",
    "filename_from_headers",
    "finish_download",
    "free_path",
    "prepare_upload",
    "rewound",
    "safe_filename",
]


UploadSource = str | os.PathLike[str] | IO[bytes] | bytes | bytearray | StudentDocument
"""What an upload takes: a path, an open binary stream, the file's content as bytes, or a
document of the student's file."""


def prepare_upload(
    kind: DocumentKind,
    source: UploadSource,
    *,
    comment: str | None,
    name: str | None = None,
) -> tuple[Upload, FileInfo]:
    """Every local check of a file for ``kind``, then an :class:`Upload` that streams it.

    ``name`` is the file name sent (by default the path's, the stream's, the student
    document's, or ``document.pdf`` for bytes). The pages are checked against the kind's
    maximum alone; :func:`check_pages_sent` adds the pages the request already holds once
    they are known.
    """
    # The local checks load with the first upload: a session that only reads needs none.
    from antsclient.attachments import (  # noqa: PLC0415
        MAX_FILE_SIZE,
        check_comment,
        check_pages,
        inspect_file,
    )

    check_comment(comment, kind)
    if isinstance(source, StudentDocument):
        name = name or source.name
        source = source.path if source.path is not None else (source.content or b"")
    if not isinstance(source, bytes | bytearray | str | os.PathLike) and not _seekable(source):
        # A pipe or a socket reads once: its content is taken (at most one byte past the
        # 11 MB a document may weigh, so that the size check still speaks), then sent as bytes.
        name = name or _name_of(source)
        source = _read_all(source, MAX_FILE_SIZE + 1)
    if isinstance(source, bytes | bytearray):
        stream = io.BytesIO(bytes(source))
        info = inspect_file(stream, name=name)
        upload = stream_upload(stream, name=info.name, media_type=info.media_type, comment=comment)
    elif isinstance(source, str | os.PathLike):
        info = inspect_file(source, name=name)
        upload = path_upload(source, media_type=info.media_type, comment=comment, name=info.name)
    else:
        info = inspect_file(source, name=name)
        upload = stream_upload(source, name=info.name, media_type=info.media_type, comment=comment)
    check_pages(kind, info.pages, pages_already_sent=None, name=info.name)
    return upload, info


def _seekable(stream: IO[bytes]) -> bool:
    try:
        return bool(stream.seekable()) and stream.tell() >= 0
    except (OSError, ValueError, AttributeError):
        return False


def _read_all(stream: IO[bytes], limit: int) -> bytes:
    """What ``stream`` holds, up to ``limit`` bytes."""
    parts: list[bytes] = []
    size = 0
    try:
        while size < limit and (chunk := stream.read(min(1 << 20, limit - size))):
            parts.append(chunk)
            size += len(chunk)
    except (OSError, ValueError) as exc:  # closed, or failing underneath
        name = _name_of(stream) or "the stream"
        raise AttachmentRejected(
            f"{name!r} cannot be read ({type(exc).__name__})",
            code="attachment.not_readable",
            message_fr=f"Le fichier « {name} » ne peut pas être lu.",
            field="file",
        ) from None
    return b"".join(parts)


def _name_of(stream: IO[bytes]) -> str | None:
    raw = getattr(stream, "name", None)
    return Path(raw).name if isinstance(raw, str) and raw else None


def check_pages_sent(kind: DocumentKind, info: FileInfo, slots: Iterable[AttachmentSlot]) -> None:
    """The pages of ``info`` together with those already sent for ``kind``."""
    from antsclient.attachments import check_pages  # noqa: PLC0415

    sent = next((s.pages for s in slots if s.kind is kind), 0)
    check_pages(kind, info.pages, pages_already_sent=sent, name=info.name)


_UNSAFE_CHARS: Final = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*\ud800-\udfff]')
_RESERVED: Final = frozenset(
    {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(10)), *(f"LPT{i}" for i in range(10))}
)
_MAX_NAME: Final = 150
_MAX_NAME_BYTES: Final = 200
"""Most file systems take 255 bytes a name; this leaves room for `` (12)`` and more."""


def filename_from_headers(headers: Mapping[str, str]) -> str | None:
    """The file name a ``Content-Disposition`` header proposes: ``filename*`` (RFC 6266 and
    5987: UTF-8, accents kept) before the plain ``filename`` (ASCII) it stands beside."""
    value = headers.get("content-disposition")
    if not value:
        return None
    message = Message()
    try:
        message["content-disposition"] = value
        params = message.get_params(header="content-disposition") or []
    except (ValueError, TypeError, LookupError):
        return None
    plain: str | None = None
    for key, param in params[1:]:
        if key.lower() != "filename":
            continue
        decoded: object = param  # the typeshed says str; ``filename*`` comes as a tuple
        if isinstance(decoded, tuple):
            return collapse_rfc2231_value(decoded) or plain
        plain = plain or unquote(str(decoded))
    return plain


def safe_filename(proposed: str | None, default: str) -> str:
    """A file name that cannot leave its directory nor break a file system.

    Only the last path component is kept; control and reserved characters are replaced;
    leading dots and trailing dots or spaces go; Windows device names get a prefix.
    """
    text = unicodedata.normalize("NFC", proposed or "")
    text = text.replace("\\", "/").rsplit("/", 1)[-1]
    text = _UNSAFE_CHARS.sub("_", text).strip().lstrip(".").rstrip(". ")
    if not text or set(text) <= {"_"}:
        text = default
    stem, dot, _ = text.rpartition(".")
    if (dot and stem.upper() in _RESERVED) or (not dot and text.upper() in _RESERVED):
        text = f"_{text}"
    return _fitted(text, _MAX_NAME, _MAX_NAME_BYTES)


def _fitted(name: str, chars: int, size: int) -> str:
    """``name`` shortened to ``chars`` characters and ``size`` bytes of UTF-8 (what file
    systems count), keeping its extension."""
    if len(name) <= chars and len(name.encode("utf-8", "replace")) <= size:
        return name
    stem, dot, suffix = name.rpartition(".")
    ext = "." + suffix[:10] if dot and stem and " " not in suffix else ""
    stem = name[: -len(suffix) - 1] if ext else name
    room = size - len(ext.encode("utf-8", "replace"))
    stem = stem[: chars - len(ext)]
    while len(stem.encode("utf-8", "replace")) > room:
        stem = stem[:-1]
    return stem.rstrip(". ") + ext


def atomic_target(directory: str | os.PathLike[str], name: str) -> tuple[Path, IO[bytes]]:
    """A free final path inside ``directory`` and an open temporary file beside it.

    The caller writes the temporary file, then moves it onto the final path with
    :func:`finish_download` — or :func:`abandon_download` on failure: no partial file is
    ever left under the final name.
    """
    final = free_path(directory, name)
    handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 - closed by finish/abandon
        dir=final.parent, prefix=".antsclient-", suffix=".part", delete=False
    )
    return final, handle


def free_path(directory: str | os.PathLike[str], name: str) -> Path:
    """``directory/name``, or ``name (1)``, ``name (2)``… if taken; never outside ``directory``."""
    folder = Path(directory).resolve()
    folder.mkdir(parents=True, exist_ok=True)
    final = folder / name
    stem, suffix = final.stem, final.suffix
    n = 1
    while final.exists():
        final = folder / f"{stem} ({n}){suffix}"
        n += 1
    if final.parent != folder:
        msg = f"refusing to write outside {folder}: {name!r}"
        raise ValueError(msg)
    return final


def finish_download(handle: IO[bytes], final: Path) -> Path:
    """Close the temporary file and move it onto ``final`` (atomically); if that fails, the
    temporary file is removed — nothing partial is left behind."""
    try:
        handle.flush()
        os.fsync(handle.fileno())
        handle.close()
        os.replace(handle.name, final)
    except BaseException:
        abandon_download(handle)
        raise
    return final


def rewound(sink: IO[bytes] | None) -> IO[bytes] | None:
    """``sink`` emptied for a new try of a download (``None`` stays ``None``)."""
    if sink is not None:
        sink.seek(0)
        sink.truncate()
    return sink


def abandon_download(handle: IO[bytes]) -> None:
    """Close and remove the temporary file of a failed download."""
    handle.close()
    Path(handle.name).unlink(missing_ok=True)
