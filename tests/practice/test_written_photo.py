"""A photo (or a drawing made on the page) answers a written question: checked by its content
and size, stored without names, shown to the student and to their teacher who scores it, and
to nobody else."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from tests.factories import School, png_bytes
from tests.goals.conftest import _fast_passwords, grade_6_pack, school

from tandem.content.models import Item
from tandem.content.services import written_item_create
from tandem.practice.models import WrittenAnswer
from tandem.practice.photos import PhotoRejectedError, photo_check
from tandem.practice.services import WrittenAnswerError, written_answer_submit
from tandem.privacy.models import AccessLog

__all__ = ["_fast_passwords", "grade_6_pack", "school"]
pytestmark = pytest.mark.django_db

NOW = dt.datetime(2025, 3, 10, 9, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def question(school: School) -> Item:
    return written_item_create(stem="Draw 3 cats for every 2 dogs.", competency_codes=["6.RP.A.1"])


def _photo(data: bytes, name: str = "IMG_2041 Ana Lopez.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="image/png")


def test_the_check_reads_the_content_not_the_name() -> None:
    import io

    png = png_bytes()
    assert photo_check(size=len(png), stream=io.BytesIO(png)).kind == "png"
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (4, 4)).save(buffer, format="JPEG")
    jpeg = buffer.getvalue()
    assert photo_check(size=len(jpeg), stream=io.BytesIO(jpeg)).kind == "jpg"
    for bad in (b"%PDF-1.4 not a picture", b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, b"<svg/>"):
        with pytest.raises(PhotoRejectedError, match="not a photo we can read"):
            photo_check(size=len(bad), stream=io.BytesIO(bad))
    with pytest.raises(PhotoRejectedError, match="empty"):
        photo_check(size=0, stream=io.BytesIO(b""))


def test_a_photo_alone_answers_and_is_stored_without_names(school: School, question) -> None:
    student = school.student_a
    answer, created = written_answer_submit(
        student=student, item_id=question.pk, text="", now=NOW, photo=_photo(png_bytes())
    )
    assert created and answer.text == ""
    assert answer.photo.name.startswith(f"written/{student.pseudonym}/")
    assert answer.photo.name.endswith(".png") and "Ana" not in answer.photo.name
    assert default_storage.exists(answer.photo.name)


def test_too_big_or_not_a_picture_is_refused_and_nothing_stored(
    school: School, question, monkeypatch
) -> None:
    student = school.student_a
    with pytest.raises(WrittenAnswerError, match="not a photo we can read"):
        written_answer_submit(
            student=student, item_id=question.pk, text="", now=NOW, photo=_photo(b"MZ\x90\x00exe")
        )
    monkeypatch.setattr("tandem.practice.photos.PHOTO_MAX_BYTES", 10)
    with pytest.raises(WrittenAnswerError, match="the limit is 0 MB"):
        written_answer_submit(
            student=student, item_id=question.pk, text="x", now=NOW, photo=_photo(png_bytes())
        )
    assert not WrittenAnswer.objects.exists()


def test_the_page_takes_a_photo_and_the_teacher_sees_it(client, school: School, question) -> None:
    student = school.student_a
    client.force_login(student)
    url = reverse("practice:written_question", args=[question.pk])
    page = client.get(url).content.decode()
    assert 'enctype="multipart/form-data"' in page
    assert 'accept="image/*" capture="environment"' in page
    assert "practice/drawing" in page and "<canvas" in page  # the pad, from a static file

    refused = client.post(url, {"text": "", "photo": _photo(b"GIF89a not really")})
    assert refused.status_code == 400
    assert "not a photo we can read" in refused.content.decode()
    assert 'id="id_photo_error"' in refused.content.decode()

    sent = client.post(url, {"text": "", "photo": _photo(png_bytes())})
    answer = WrittenAnswer.objects.get()
    assert sent.status_code == 302 and answer.photo
    photo_url = reverse("practice:written_photo", args=[answer.pk])
    assert photo_url in client.get(sent.url).content.decode()
    mine = client.get(photo_url)
    assert mine.status_code == 200 and mine["Content-Type"] == "image/png"
    assert mine["X-Content-Type-Options"] == "nosniff"
    assert b"".join(mine.streaming_content).startswith(b"\x89PNG")

    client.force_login(school.teacher_a)
    score_url = reverse("teaching:written_score", args=[school.class_a.pk, answer.pk])
    score_page = client.get(score_url)
    assert score_page.status_code == 200 and photo_url in score_page.content.decode()
    assert client.get(photo_url).status_code == 200
    assert AccessLog.objects.filter(actor=school.teacher_a, action="written:photo").exists()

    for outsider in (school.student_b, school.teacher_b, school.guardian_a):
        client.force_login(outsider)
        assert client.get(photo_url).status_code == 404
    client.logout()
    assert client.get(photo_url).status_code == 404
    assert client.get("/media/" + answer.photo.name).status_code == 404
