"""What a submitted file may be: its size, and its kind checked by extension and by its bytes.

An extension alone proves nothing (a program renamed to .pdf still starts like a program), so
every accepted kind is also recognized from the start of its content.
"""

from __future__ import annotations

import codecs
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import IO

from django.utils.translation import gettext

from tandem.projects.constants import UPLOAD_ALLOWED_WORDS, UPLOAD_KINDS, UPLOAD_MAX_BYTES

SNIFF_BYTES = 8192
# Which file inside a zip-based office document shows which kind it is.
_OOXML_PART = {"docx": "word/document.xml", "pptx": "ppt/presentation.xml"}
_ODF_MIMETYPE = {"odt": b"application/vnd.oasis.opendocument.text"}


class UploadRejectedError(ValueError):
    """The file cannot be accepted; the message says why, in words for a student."""


@dataclass(frozen=True)
class CheckedUpload:
    kind: str  # a key of UPLOAD_KINDS, "jpeg" folded into "jpg"
    size: int
    name: str


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def _looks_like_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    try:
        # Incremental, so a character cut in half at the end of the sample is not an error.
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return False
    return True


def _zip_member(stream: IO[bytes], kind: str) -> bool:
    """Whether a zip file is the office document ``kind`` (docx, pptx or odt)."""
    try:
        with zipfile.ZipFile(stream) as archive:
            names = set(archive.namelist())
            if kind in _OOXML_PART:
                return "[Content_Types].xml" in names and _OOXML_PART[kind] in names
            info = archive.getinfo("mimetype") if "mimetype" in names else None
            if info is None or info.file_size > 200:
                return False
            return archive.read(info).strip() == _ODF_MIMETYPE[kind]
    except (zipfile.BadZipFile, KeyError, OSError, RuntimeError):
        return False


def content_matches(kind: str, stream: IO[bytes]) -> bool:
    """Whether the bytes of ``stream`` are what a file of ``kind`` starts with."""
    stream.seek(0)
    head = stream.read(SNIFF_BYTES)
    stream.seek(0)
    if kind == "pdf":
        return head.startswith(b"%PDF-")
    if kind == "png":
        return head.startswith(b"\x89PNG\r\n\x1a\n")
    if kind in ("jpg", "jpeg"):
        return head.startswith(b"\xff\xd8\xff")
    if kind == "txt":
        return _looks_like_text(head)
    if kind in ("docx", "pptx", "odt"):
        if not head.startswith(b"PK\x03\x04"):
            return False
        try:
            return _zip_member(stream, kind)
        finally:
            stream.seek(0)
    return False


def upload_check(*, name: str, size: int, stream: IO[bytes]) -> CheckedUpload:
    """The checked upload, or ``UploadRejectedError`` with the reason."""
    shown = PurePosixPath(name.replace("\\", "/")).name or "the file"
    extension = PurePosixPath(shown).suffix.lower().lstrip(".")
    if extension not in UPLOAD_KINDS:
        values = {"extension": extension, "name": shown, "kinds": UPLOAD_ALLOWED_WORDS}
        if extension:
            refusal = gettext(
                "“.%(extension)s” files can't be handed in. Save “%(name)s” as %(kinds)s and "
                "try again."
            )
        else:
            refusal = gettext(
                "Files without an extension can't be handed in. Save “%(name)s” as %(kinds)s "
                "and try again."
            )
        raise UploadRejectedError(refusal % values)
    if size <= 0:
        raise UploadRejectedError(
            gettext("“%(name)s” is empty. Choose the file again.") % {"name": shown}
        )
    if size > UPLOAD_MAX_BYTES:
        raise UploadRejectedError(
            gettext(
                "“%(name)s” is %(size)s; the limit is %(limit)s. Make it smaller (for example, "
                "export images at a lower resolution) or share a link."
            )
            % {"name": shown, "size": _megabytes(size), "limit": _megabytes(UPLOAD_MAX_BYTES)}
        )
    if not content_matches(extension, stream):
        label = UPLOAD_KINDS[extension][0]
        raise UploadRejectedError(
            f"“{shown}” is called .{extension} but its contents are not a valid {label}. "
            f"Save or export it as a real {label} and try again."
        )
    kind = "jpg" if extension == "jpeg" else extension
    return CheckedUpload(kind=kind, size=size, name=shown[:255])
