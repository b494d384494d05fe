"""What a handed-in file may be: every accepted kind recognised by its bytes, and a clear
reason for a file too big, of a kind not accepted, or whose content is not what its name says."""

from __future__ import annotations

import io

import pytest

from tandem.projects.constants import UPLOAD_MAX_BYTES
from tandem.projects.uploads import UploadRejectedError, upload_check

from .conftest import EXE, PDF, PNG, office_file


def _check(name: str, content: bytes, size: int | None = None):
    return upload_check(
        name=name, size=len(content) if size is None else size, stream=io.BytesIO(content)
    )


@pytest.mark.parametrize(
    ("name", "content", "kind"),
    [
        ("report.pdf", PDF, "pdf"),
        ("Chart.PNG", PNG, "png"),
        ("photo.jpeg", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 20, "jpg"),
        ("notes.txt", "Café prices: €3.50\n".encode(), "txt"),
        ("essay.docx", office_file("docx"), "docx"),
        ("slides.pptx", office_file("pptx"), "pptx"),
        ("essay.odt", office_file("odt"), "odt"),
    ],
)
def test_accepted_kinds(name, content, kind):
    checked = _check(name, content)
    assert checked.kind == kind and checked.size == len(content) and checked.name == name


@pytest.mark.parametrize(
    ("name", "content", "size", "reason"),
    [
        ("big.pdf", PDF, UPLOAD_MAX_BYTES + 1, "the limit is 10.0 MB"),
        ("game.exe", EXE, None, "“.exe” files can't be handed in"),
        ("README", b"hello", None, "Files without an extension"),
        ("empty.txt", b"", None, "is empty"),
        # Spoofed by extension: the name says one kind, the bytes another.
        ("homework.pdf", EXE, None, "its contents are not a valid PDF document"),
        ("photo.jpg", PNG, None, "not a valid JPEG image"),
        ("notes.txt", EXE, None, "not a valid plain text file"),
        ("essay.docx", office_file("pptx"), None, "not a valid Word document"),
        ("essay.odt", office_file("docx"), None, "not a valid OpenDocument text"),
        ("slides.pptx", b"PK\x03\x04 broken zip", None, "not a valid PowerPoint"),
    ],
)
def test_refused_with_a_reason(name, content, size, reason):
    with pytest.raises(UploadRejectedError, match=reason):
        _check(name, content, size)


def test_a_path_in_the_name_is_dropped():
    assert _check("C:\\Users\\ava\\report.pdf", PDF).name == "report.pdf"
