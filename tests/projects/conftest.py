"""Test state for projects: the factories' school, the shipped library, and files kept in a
temporary media folder."""

from __future__ import annotations

import io
import uuid
import zipfile

import pytest
from django.utils import timezone
from tests.factories import PASSWORD, School, make_school

from tandem.projects.constants import ReviewDecision
from tandem.projects.models import ProjectTemplate, StudentProject
from tandem.projects.services import project_propose, project_review

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 32
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64


def office_file(kind: str) -> bytes:
    """A minimal zip laid out like a docx, pptx or odt."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        if kind == "odt":
            archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
            archive.writestr("content.xml", "<office:document-content/>")
        else:
            archive.writestr("[Content_Types].xml", "<Types/>")
            part = {"docx": "word/document.xml", "pptx": "ppt/presentation.xml"}[kind]
            archive.writestr(part, "<document/>")
    return buffer.getvalue()


@pytest.fixture(autouse=True)
def _fast_passwords_and_private_media(settings, tmp_path):
    """Cheap password hashing, and uploads written under this test's temporary folder."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def school(db) -> School:
    from tandem.projects.services import project_library_seed

    school = make_school()
    project_library_seed()
    return school


@pytest.fixture
def trip() -> ProjectTemplate:
    return ProjectTemplate.objects.get(library_key="class-trip-budget")


@pytest.fixture
def approved(school: School, trip: ProjectTemplate) -> StudentProject:
    """Student A's trip-budget project, approved by teacher A."""
    now = timezone.now()
    project, _ = project_propose(
        student=school.student_a, template=trip, interest="We never go anywhere.", now=now
    )
    return project_review(
        teacher=school.teacher_a, project=project, decision=ReviewDecision.APPROVE, now=now
    )


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def key() -> str:
    return str(uuid.uuid4())
