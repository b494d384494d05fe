"""The wellbeing pages through HTTP: the student's check (errors keep the answer, a double
submit is one answer), the home page's prompt, a student's weeks, the counselor's list, the
follow-up, and an audit entry for every read of another person's answers."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone
from tests.factories import PASSWORD

from tandem.privacy.cells import small_cell
from tandem.privacy.models import AccessLog
from tandem.wellbeing.models import SelfCheck

from .conftest import answer

pytestmark = pytest.mark.django_db


def _login(client, user) -> None:  # type: ignore[no-untyped-def]
    assert client.login(username=user.username, password=PASSWORD)


def test_a_student_answers_from_the_home_page_and_can_change_it(client, school) -> None:
    _login(client, school.student_a)
    home = client.get(reverse("practice:home")).content.decode()
    assert "How was your week?" in home and reverse("wellbeing:check") in home
    page = client.get(reverse("wellbeing:check")).content.decode()
    assert "Other students never see them" in page and "Really good" in page
    data = {"feeling": "2", "has_someone": "not_sure", "note": "Math test stress."}
    response = client.post(reverse("wellbeing:check"), data)
    assert response.status_code == 302 and response["Location"] == reverse("practice:home")
    again = client.post(reverse("wellbeing:check"), data)  # a double submit
    assert again.status_code == 302
    check = SelfCheck.objects.get(student=school.student_a)
    assert (check.feeling, check.has_someone, check.note) == (2, "not_sure", "Math test stress.")
    home = client.get(reverse("practice:home")).content.decode()
    assert "How was your week?" not in home and "Your answers are saved" in home
    assert "Change my answers" in home
    # Reopened, the form holds this week's answers.
    page = client.get(reverse("wellbeing:check")).content.decode()
    assert "You already answered this week" in page and "Math test stress." in page
    client.post(reverse("wellbeing:check"), data | {"feeling": "4"})
    assert SelfCheck.objects.get(student=school.student_a).feeling == 4


def test_bad_input_gets_clear_errors_and_loses_nothing(client, school) -> None:
    _login(client, school.student_a)
    response = client.post(reverse("wellbeing:check"), {"note": "Keep me", "feeling": "9"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "Choose yes, not sure or no." in body and "Keep me" in body
    assert "Select a valid choice" in body  # feeling 9
    response = client.post(
        reverse("wellbeing:check"), {"feeling": "3", "has_someone": "yes", "note": "x" * 281}
    )
    assert response.status_code == 400 and "280 characters" in response.content.decode()
    assert 'value="3" id="id_feeling_2" required checked' in response.content.decode()
    assert not SelfCheck.objects.exists()


def test_a_teacher_reads_their_students_weeks_and_follows_up(client, school) -> None:
    now = timezone.now()
    check = answer(school.student_a, 0, 1, "no", now=now)
    SelfCheck.objects.filter(pk=check.pk).update(note="Nobody sits with me.")
    _login(client, school.teacher_a)
    url = reverse("wellbeing:student", args=[school.student_a.pk])
    body = client.get(url).content.decode()
    assert "Said school felt really bad this week" in body and "Nobody sits with me." in body
    assert "Really bad" in body and "Someone to ask for help: <strong>No</strong>" in body
    assert "Math 6 A" in body and school.teacher_a.display_name in body
    assert AccessLog.objects.filter(
        actor=school.teacher_a, student=school.student_a, action="wellbeing:student"
    ).exists()
    follow = reverse("wellbeing:follow_up", args=[school.student_a.pk])
    assert client.post(follow, {"self_check": check.pk}).status_code == 302
    assert client.post(follow, {"self_check": check.pk}).status_code == 302  # twice: harmless
    check.refresh_from_db()
    assert check.followed_up_by == school.teacher_a
    body = client.get(url).content.decode()
    assert "I talked with" not in body and "talked with them on" in body
    # Another student's answer through this student's URL changes nothing.
    other = answer(school.student_b, 0, 1, now=now)
    client.post(follow, {"self_check": other.pk})
    other.refresh_from_db()
    assert other.followed_up_at is None
    # And another teacher's student is a 404, like a missing one, and recorded.
    url_b = reverse("wellbeing:student", args=[school.student_b.pk])
    assert client.get(url_b).status_code == 404
    follow_b = reverse("wellbeing:follow_up", args=[school.student_b.pk])
    assert client.post(follow_b, {"self_check": other.pk}).status_code == 404
    other.refresh_from_db()
    assert other.followed_up_at is None
    assert AccessLog.objects.filter(
        actor=school.teacher_a, refused=True, requested_id=str(school.student_b.pk)
    ).exists()


def test_the_counselor_lists_the_schools_raised_students(client, school, counselor) -> None:
    now = timezone.now()
    answer(school.student_a, 0, 1, now=now)
    answer(school.student_b, 0, 4, now=now)
    _login(client, counselor)
    body = client.get(reverse("wellbeing:raised")).content.decode()
    assert "1 student to see" in body
    assert school.student_a.display_name in body and school.student_b.display_name not in body
    assert f"Fewer than {small_cell()} students have answered this week" in body
    # Both students' weeks open; nothing academic does.
    for student in (school.student_a, school.student_b):
        assert client.get(reverse("wellbeing:student", args=[student.pk])).status_code == 200
    assert client.get(reverse("teaching:student", args=[school.student_a.pk])).status_code == 404
    assert client.get(reverse("checkins:today")).status_code == 404
    assert client.get(f"/api/students/{school.student_a.pk}/mastery").status_code == 404


def test_the_counselor_of_another_school_sees_nobody(client, school, other_counselor) -> None:
    answer(school.student_a, 0, 1, now=timezone.now())
    _login(client, other_counselor)
    body = client.get(reverse("wellbeing:raised")).content.decode()
    assert "0 students to see" in body and school.student_a.display_name not in body
    url = reverse("wellbeing:student", args=[school.student_a.pk])
    assert client.get(url).status_code == 404
