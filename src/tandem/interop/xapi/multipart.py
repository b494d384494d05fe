"""multipart/mixed for xAPI attachments: reading a request's parts and writing a response's.

xAPI 1.0.3 (communication 2.1.11) sends statements with raw attachment content as
multipart/mixed: the statements first as application/json, then one part per attachment with
``X-Experience-API-Hash`` (its SHA-256) and ``Content-Transfer-Encoding: binary``. Parts carry
arbitrary bytes, so the body is split on the exact CRLF-delimited boundary instead of going
through a text-oriented MIME parser that might rewrite line endings.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass

from tandem.interop.xapi.validation import StatementError

HASH_HEADER = "x-experience-api-hash"
_BOUNDARY = re.compile(r'boundary=(?:"([^"]+)"|([^;\s]+))', re.IGNORECASE)


@dataclass(frozen=True)
class Part:
    """One part of a multipart/mixed body: its headers (lower-cased names) and raw bytes."""

    headers: dict[str, str]
    content: bytes

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()


def _headers(raw: bytes, newline: bytes) -> dict[str, str]:
    headers: dict[str, str] = {}
    try:
        text = raw.decode("ascii")
    except UnicodeDecodeError:
        raise StatementError("A multipart part has headers that are not ASCII.") from None
    for line in text.split(newline.decode()):
        if not line:
            continue
        name, colon, value = line.partition(":")
        if not colon or not name.strip():
            raise StatementError("A multipart part has a malformed header.")
        headers[name.strip().lower()] = value.strip()
    return headers


def multipart_parse(*, content_type: str, body: bytes) -> list[Part]:
    """The parts of a multipart/mixed body, in order; raises StatementError when malformed."""
    match = _BOUNDARY.search(content_type)
    if match is None:
        raise StatementError("A multipart/mixed request needs a boundary.")
    boundary = (match.group(1) or match.group(2)).encode()
    # MIME says CRLF; some clients write bare LF throughout, which is unambiguous too.
    newline = b"\r\n" if b"--" + boundary + b"\r\n" in body else b"\n"
    delimiter = newline + b"--" + boundary
    # The first delimiter may open the body directly, without the line break before the others.
    data = newline + body
    start = data.find(delimiter)
    if start < 0:
        raise StatementError("The multipart body does not contain its boundary.")
    parts: list[Part] = []
    position = start + len(delimiter)
    while True:
        if data[position : position + 2] == b"--":
            break
        line_end = data.find(newline, position)
        following = data.find(delimiter, line_end) if line_end >= 0 else -1
        if following < 0:
            raise StatementError("The multipart body ends without its closing boundary.")
        chunk = data[line_end + len(newline) : following]
        head, separator, content = chunk.partition(newline + newline)
        if not separator:
            # A part with no headers starts directly with the blank line.
            if not chunk.startswith(newline):
                raise StatementError("A multipart part lacks the blank line after its headers.")
            head, content = b"", chunk[len(newline) :]
        parts.append(Part(_headers(head, newline), content))
        position = following + len(delimiter)
    if not parts:
        raise StatementError("The multipart body has no parts.")
    return parts


# xAPI names attachments by a SHA-2 digest; the digest's length says which one.
_SHA2_BY_LENGTH = {56: "sha224", 64: "sha256", 96: "sha384", 128: "sha512"}


def sha2_matches(content: bytes, digest: str) -> bool:
    algorithm = _SHA2_BY_LENGTH.get(len(digest))
    return algorithm is not None and hashlib.new(algorithm, content).hexdigest() == digest.lower()


def multipart_build(
    *, statements_json: bytes, attachments: Iterable[tuple[str, str, bytes]]
) -> tuple[str, bytes]:
    """A multipart/mixed body: the statements, then each (sha2, content type, content)."""
    boundary = secrets.token_hex(16)
    chunks = [
        f"--{boundary}\r\nContent-Type: application/json\r\n\r\n".encode(),
        statements_json,
    ]
    for sha2, content_type, content in attachments:
        chunks.append(
            (
                f"\r\n--{boundary}\r\nContent-Type: {content_type}\r\n"
                f"Content-Transfer-Encoding: binary\r\nX-Experience-API-Hash: {sha2}\r\n\r\n"
            ).encode()
        )
        chunks.append(content)
    chunks.append(f"\r\n--{boundary}--\r\n".encode())
    return f'multipart/mixed; boundary="{boundary}"', b"".join(chunks)
