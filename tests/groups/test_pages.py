"""The group pages over HTTP: suggestions by scope, forming a group (once, however often it is
submitted), planning and holding a mini-lesson, changing members, ending the group."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone
from tests.factories import PASSWORD, master
from tests.groups.conftest import TOPIC, make_ready, make_stuck

from tandem.competencies.models import Competency
from tandem.evidence.models import Statement
from tandem.groups.constants import GroupStatus, LessonStatus
from tandem.groups.models import LessonAttendance, MiniLesson, MiniLessonGroup
from tandem.groups.services import group_create, lesson_plan

pytestmark = pytest.mark.django_db


def _login(client, user):
    assert client.login(username=user.username, password=PASSWORD)


def _topic():
    return Competency.objects.get(human_coding_scheme=TOPIC)


def test_suggestions_widen_from_my_classes_to_the_school(client, school):
    make_stuck(school.student_a)
    make_ready(school.student_c)
    _login(client, school.teacher_a)
    url = reverse("groups:suggestions")
    mine = client.get(url, {"scope": "mine"}).content.decode()
    assert f'id="competency-{_topic().pk}"' not in mine
    wide = client.get(url, {"scope": "school"}).content.decode()
    assert f'id="competency-{_topic().pk}"' in wide
    assert school.student_c.display_name in wide and "grades 6, 7" in wide
    # Another teacher's class cannot be chosen.
    response = client.get(url, {"scope": "class", "class": school.class_b.pk})
    assert response.status_code == 404
    # From the class page: one class and one competency.
    one = client.get(
        url, {"scope": "class", "class": school.class_a.pk, "competency": _topic().pk}
    ).content.decode()
    assert school.student_a.display_name in one and school.student_c.display_name not in one


def test_class_page_links_to_forming_a_group(client, school):
    from tests.factories import make_user

    from tandem.roster.constants import EnrollmentRole, Role
    from tandem.roster.services import enrollment_create

    students = [school.student_a]
    for _ in range(2):
        extra = make_user(Role.STUDENT, grade="06")
        enrollment_create(user=extra, school_class=school.class_a, role=EnrollmentRole.STUDENT)
        students.append(extra)
    for student in students:
        make_stuck(student)
    _login(client, school.teacher_a)
    page = client.get(reverse("teaching:class", args=[school.class_a.pk])).content.decode()
    assert (
        f"{reverse('groups:suggestions')}?scope=class&amp;class={school.class_a.pk}"
        f"&amp;competency={_topic().pk}"
    ) in page


def _create_post(school, students, key=None):
    prefix = f"c{_topic().pk}"
    return {
        "competency": _topic().pk,
        f"{prefix}-competency": _topic().pk,
        f"{prefix}-idempotency_key": key or str(uuid.uuid4()),
        f"{prefix}-students": [s.pk for s in students],
        "back": reverse("groups:suggestions") + "?scope=school",
    }


def test_forming_a_group_once_and_refusing_nobody(client, school):
    _login(client, school.teacher_a)
    url = reverse("groups:create")
    response = client.post(url, _create_post(school, []), follow=True)
    assert "Tick at least one student" in response.content.decode()
    assert not MiniLessonGroup.objects.exists()
    data = _create_post(school, [school.student_a, school.student_c])
    first = client.post(url, data)
    second = client.post(url, data)
    group = MiniLessonGroup.objects.get()
    assert first["Location"] == second["Location"] == reverse("groups:detail", args=[group.pk])
    assert group.leader == school.teacher_a
    assert set(group.members.values_list("student", flat=True)) == {
        school.student_a.pk,
        school.student_c.pk,
    }
    # Through the group, teacher A now opens student C's record.
    explain = reverse("teaching:explain", args=[school.student_c.pk, _topic().pk])
    assert client.get(explain).status_code == 200
    page = client.get(reverse("groups:detail", args=[group.pk])).content.decode()
    assert "Plan a mini-lesson" in page and school.student_c.display_name in page


def test_plan_hold_and_see_the_estimates_move(client, school):
    make_ready(school.student_c)
    now = timezone.now()
    group, _ = group_create(
        leader=school.teacher_a,
        competency=_topic(),
        students=[school.student_a, school.student_c],
        now=now,
    )
    _login(client, school.teacher_a)
    plan_url = reverse("groups:plan", args=[group.pk])
    bad = client.post(plan_url, {"idempotency_key": str(uuid.uuid4()), "date": "2001-01-01"})
    assert bad.status_code == 400 and "Choose a date from today on" in bad.content.decode()
    data = {
        "idempotency_key": str(uuid.uuid4()),
        "date": timezone.localdate().isoformat(),
        "start_time": "10:30",
        "room": "Room 12",
        "notes": "Write expressions with area models.",
        "materials_url": "example.org/sheet",
    }
    client.post(plan_url, data)
    client.post(plan_url, data)
    lesson = MiniLesson.objects.get()
    assert lesson.materials_url == "https://example.org/sheet" and lesson.room == "Room 12"
    hold_url = reverse("groups:hold", args=[lesson.pk])
    form = client.get(hold_url).content.decode()
    assert f'name="m{school.student_c.pk}-exit_result"' in form
    a, c = f"m{school.student_a.pk}", f"m{school.student_c.pk}"
    # Absent with an exit check, and 5 right out of 3: refused, nothing recorded.
    response = client.post(
        hold_url,
        {
            f"{a}-exit_result": "showed",
            f"{c}-present": "on",
            f"{c}-items_right": 5,
            f"{c}-items_asked": 3,
        },
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "Tick present" in text and "At most 3" in text
    assert not Statement.objects.filter(context_extensions__mini_lesson=lesson.pk).exists()
    posted = {
        f"{a}-present": "on",
        f"{a}-exit_result": "not_yet",
        f"{c}-present": "on",
        f"{c}-exit_result": "showed",
        f"{c}-items_right": 3,
        f"{c}-items_asked": 3,
    }
    response = client.post(hold_url, posted)
    assert response.status_code == 302
    again = client.post(hold_url, posted)
    assert again.status_code == 302
    lesson.refresh_from_db()
    assert lesson.status == LessonStatus.HELD
    assert Statement.objects.filter(context_extensions__mini_lesson=lesson.pk).count() == 5
    row = LessonAttendance.objects.get(lesson=lesson, student=school.student_c)
    assert row.p_after > (row.p_before or 0)
    page = client.get(reverse("groups:detail", args=[group.pk])).content.decode()
    # C had no estimate before: the first one shows as such, not as a move from nothing.
    assert f"{row.percent_after}%" in page and "(first estimate)" in page


def test_members_and_ending(client, school):
    now = timezone.now()
    group, _ = group_create(
        leader=school.teacher_a, competency=_topic(), students=[school.student_a], now=now
    )
    _login(client, school.teacher_a)
    url = reverse("groups:members", args=[group.pk])
    assert client.post(url, {}).status_code == 400
    response = client.post(url, {"students": [school.student_a.pk, school.student_c.pk]})
    assert response.status_code == 302
    assert group.members.count() == 2
    master(school.student_a, TOPIC)
    master(school.student_c, TOPIC)
    page = client.get(reverse("groups:detail", args=[group.pk])).content.decode()
    assert "Everyone has mastered" in page
    client.post(reverse("groups:end", args=[group.pk]))
    client.post(reverse("groups:end", args=[group.pk]))
    group.refresh_from_db()
    assert group.status == GroupStatus.ENDED
    listing = client.get(reverse("groups:list")).content.decode()
    assert "Ended groups" in listing


def test_lesson_edit_keeps_a_held_plan(client, school):
    now = timezone.now()
    group, _ = group_create(
        leader=school.teacher_a, competency=_topic(), students=[school.student_a], now=now
    )
    lesson, _ = lesson_plan(group=group, date=now.date() + dt.timedelta(days=1), now=now)
    _login(client, school.teacher_a)
    url = reverse("groups:lesson_edit", args=[lesson.pk])
    assert client.get(url).status_code == 200
    client.post(
        url,
        {"idempotency_key": str(uuid.uuid4()), "date": now.date().isoformat(), "room": "Library"},
    )
    lesson.refresh_from_db()
    assert lesson.room == "Library" and lesson.date == now.date()


def test_members_page_offers_others_with_the_same_need(client, school):
    make_ready(school.student_c)
    group, _ = group_create(
        leader=school.teacher_a,
        competency=_topic(),
        students=[school.student_a],
        now=timezone.now(),
    )
    _login(client, school.teacher_a)
    page = client.get(reverse("groups:members", args=[group.pk])).content.decode()
    assert school.student_c.display_name in page
    assert school.student_b.display_name not in page  # no need on it


def test_suggestions_show_the_largest_first_and_the_rest_behind_a_link(client, school, monkeypatch):
    # Two shared needs: the topic (two stuck) and its prerequisite (one stuck, one more).
    make_stuck(school.student_a)
    make_stuck(school.student_c)
    make_stuck(school.student_a, code="6.NS.B.4")
    make_stuck(school.student_c, code="6.NS.B.4")
    _login(client, school.teacher_a)
    url = reverse("groups:suggestions")
    everything = client.get(url, {"scope": "school"}).content.decode()
    n = everything.count('id="competency-')
    assert n >= 2 and "Show all" not in everything
    monkeypatch.setattr("tandem.groups.views.SUGGESTIONS_SHOWN", 1)
    few = client.get(url, {"scope": "school"}).content.decode()
    assert few.count('id="competency-') == 1
    assert f"Show all {n}</a>" in few and "all=1" in few
    again = client.get(url, {"scope": "school", "all": "1"}).content.decode()
    assert again.count('id="competency-') == n and "Show all" not in again
