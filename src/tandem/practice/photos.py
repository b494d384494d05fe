"""What a photo sent with a written answer may be: a PNG or JPEG, by its content, of a size
a phone photo has; Pillow checks that the picture decodes where it is installed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import IO

from django.utils.translation import gettext

from tandem.practice.constants import PHOTO_KINDS, PHOTO_MAX_BYTES, PHOTO_MAX_PIXELS


class PhotoRejectedError(ValueError):
    """The photo cannot be accepted; the message says why, in words for a student."""


@dataclass(frozen=True)
class CheckedPhoto:
    kind: str  # a key of PHOTO_KINDS
    size: int


def _kind_of(head: bytes) -> str | None:
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpg"
    return None


def _decodes(stream: IO[bytes]) -> bool:
    """Whether Pillow reads the picture (True without Pillow: the magic bytes decided)."""
    try:
        from PIL import Image, UnidentifiedImageError
    except ImportError:  # pragma: no cover - Pillow is a dependency where photos are used
        return True
    stream.seek(0)
    try:
        with Image.open(stream) as image:
            width, height = image.size
            if width * height > PHOTO_MAX_PIXELS:
                return False
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        return False
    finally:
        stream.seek(0)
    return True


def photo_check(*, size: int, stream: IO[bytes]) -> CheckedPhoto:
    """The checked photo, or ``PhotoRejectedError`` with the reason."""
    if size <= 0:
        raise PhotoRejectedError(gettext("The photo is empty. Take it or choose it again."))
    if size > PHOTO_MAX_BYTES:
        limit = PHOTO_MAX_BYTES // (1024 * 1024)
        raise PhotoRejectedError(
            gettext(
                "The photo is %(size)s MB; the limit is %(limit)s MB. Take it again a little "
                "further away, or choose a smaller picture."
            )
            % {"size": f"{size / (1024 * 1024):.1f}", "limit": limit}
        )
    stream.seek(0)
    kind = _kind_of(stream.read(16))
    stream.seek(0)
    if kind is None or kind not in PHOTO_KINDS or not _decodes(stream):
        raise PhotoRejectedError(
            gettext(
                "That file is not a photo we can read. Send a picture (PNG or JPEG) of your work."
            )
        )
    return CheckedPhoto(kind=kind, size=size)
