"""The teacher's Today queue: what waits across the teacher's classes, each entry a link to
where to act, and acting removes it; the count in the navigation; the landing page."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tandem.checkins.services import checkin_record, checkin_schedule
from tandem.competencies.models import Competency
from tandem.content.services import written_item_create
from tandem.groups.services import group_create, lesson_hold, lesson_plan
from tandem.pathways.models import Pathway
from tandem.pathways.services import pathway_approve, pathway_build
from tandem.practice.services import written_answer_score, written_answer_submit
from tandem.profiles.constants import AccommodationKind
from tandem.profiles.services import accommodation_create
from tandem.projects.constants import ReviewDecision
from tandem.projects.services import project_propose, project_review
from tandem.teaching.selectors import open_item_count, today_queue

pytestmark = pytest.mark.django_db

CODE = "6.EE.A.2.c"


def _sections(teacher):
    return {s.key: s for s in today_queue(teacher=teacher, now=timezone.now())}


def _students(section):
    return [e.student for e in section.entries]


@pytest.fixture
def waiting(school):
    """One of each kind of work for teacher A (student A), and the same for teacher B."""
    now = timezone.now()
    item = written_item_create(
        stem="Explain what 3(x + 2) means.", competency_codes=[CODE], guidance="Any fair reading."
    )
    made = {}
    for student, teacher in (
        (school.student_a, school.teacher_a),
        (school.student_b, school.teacher_b),
    ):
        pathway = pathway_build(student=student, now=now)
        project, _ = project_propose(
            student=student,
            now=now,
            title="Garden ratios",
            description="Plan beds.",
            interest="I like plants.",
            competencies=[Competency.objects.get(human_coding_scheme=CODE)],
        )
        answer, _ = written_answer_submit(
            student=student, item_id=item.pk, text="Three lots.", now=now
        )
        planned, _ = checkin_schedule(teacher=teacher, student=student, scheduled_for=now, now=now)
        made[student.pk] = (pathway, project, answer, planned)
    return made


def test_queue_lists_the_teachers_own_students_with_links(school, waiting):
    sections = _sections(school.teacher_a)
    assert [s.key for s in sections.values()] == [
        "meetings",
        "pathways",
        "proposals",
        "score",
        "checkins",
        "see",
    ]
    _, project, answer, planned = waiting[school.student_a.pk]
    for key in ("pathways", "proposals", "score", "checkins"):
        assert _students(sections[key]) == [school.student_a], key
        assert sections[key].count == 1
    assert sections["pathways"].entries[0].url == reverse(
        "pathways:student", args=[school.student_a.pk]
    )
    assert sections["proposals"].entries[0].url == reverse(
        "projects:teacher_project", args=[project.pk]
    )
    assert sections["score"].entries[0].url == reverse(
        "teaching:written_score", args=[school.class_a.pk, answer.pk]
    )
    assert sections["checkins"].entries[0].url.endswith(f"?scheduled={planned.pk}")
    assert open_item_count(teacher=school.teacher_a, now=timezone.now()) == 4


def test_acting_removes_each_entry(school, waiting):
    now = timezone.now()
    pathway, project, answer, planned = waiting[school.student_a.pk]
    teacher = school.teacher_a
    pathway_approve(actor=teacher, pathway=pathway, now=now)
    assert _sections(teacher)["pathways"].count == 0
    project_review(teacher=teacher, project=project, decision=ReviewDecision.APPROVE, now=now)
    assert _sections(teacher)["proposals"].count == 0
    written_answer_score(
        teacher=teacher, answer=answer, level="shows_understanding", comment="", now=now
    )
    assert _sections(teacher)["score"].count == 0
    checkin_record(teacher=teacher, student=school.student_a, now=now, scheduled=planned)
    assert _sections(teacher)["checkins"].count == 0
    assert open_item_count(teacher=teacher, now=now) == 0
    # Teacher B's queue is untouched.
    assert open_item_count(teacher=school.teacher_b, now=now) == 4


def test_a_checkin_planned_for_later_is_not_due(school):
    now = timezone.now()
    checkin_schedule(
        teacher=school.teacher_a,
        student=school.student_a,
        scheduled_for=now + dt.timedelta(days=2),
        now=now,
    )
    assert _sections(school.teacher_a)["checkins"].count == 0


def test_students_to_see_leave_once_a_checkin_is_planned(school, new_student):
    now = timezone.now()
    # Student B (never practiced, so falling behind) is another teacher's student.
    assert school.student_b not in _students(_sections(school.teacher_a)["see"])
    newcomer = new_student(school.class_a)  # has not practiced yet
    accommodation_create(
        actor=school.teacher_a,
        student=newcomer,
        kind=AccommodationKind.IEP,
        summary="Extra time",
        now=now,
    )
    see = _sections(school.teacher_a)["see"]
    [entry] = [e for e in see.entries if e.student == newcomer]
    assert entry.accommodations == ("IEP",)
    assert "has not practiced yet" in " ".join(entry.notes)
    checkin_schedule(
        teacher=school.teacher_a,
        student=newcomer,
        scheduled_for=now + dt.timedelta(days=1),
        now=now,
    )
    assert newcomer not in _students(_sections(school.teacher_a)["see"])


# ---------- pages ----------


def test_today_page_and_navigation_count(teacher_client, school, waiting):
    response = teacher_client.get(reverse("teaching:today"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Today</h1>" in html
    assert 'class="nav-count">4<' in html
    # The page's own number is the menu's: one story on one screen.
    assert "4 things to act on across your classes" in html
    for url in (
        reverse("pathways:student", args=[school.student_a.pk]),
        reverse(
            "teaching:written_score", args=[school.class_a.pk, waiting[school.student_a.pk][2].pk]
        ),
    ):
        assert f'href="{url}"' in html
    assert school.student_b.display_name not in html
    # Other teacher pages carry the count too.
    assert (
        'class="nav-count">4<' in teacher_client.get(reverse("teaching:classes")).content.decode()
    )


def test_teacher_lands_on_today(teacher_client):
    response = teacher_client.get(reverse("home"))
    assert response["Location"] == reverse("teaching:today")


def test_scoring_through_the_pages_empties_the_score_section(teacher_client, school, waiting):
    answer = waiting[school.student_a.pk][2]
    url = reverse("teaching:written_score", args=[school.class_a.pk, answer.pk])
    key = str(uuid.uuid4())
    for _ in range(2):  # a double submit is harmless
        teacher_client.post(url, {"level": "shows_understanding", "idempotency_key": key})
    assert _sections(school.teacher_a)["score"].count == 0
    response = teacher_client.post(reverse("pathways:approve", args=[school.student_a.pk]))
    assert response.status_code == 302
    assert Pathway.objects.get(student=school.student_a).status == "approved"
    assert _sections(school.teacher_a)["pathways"].count == 0


@pytest.mark.parametrize("role", ["student_a", "guardian", "admin"])
def test_today_is_for_teachers_only(client, school, role):
    client.login(username=getattr(school, role).username, password="a-long-test-password")
    assert client.get(reverse("teaching:today")).status_code == 404


def test_query_count_does_not_grow(
    teacher_client, school, add_students, django_assert_max_num_queries
):
    url = reverse("teaching:today")
    add_students(school.class_a, 2)
    with CaptureQueriesContext(connection) as few:
        teacher_client.get(url)
    add_students(school.class_a, 8)
    with CaptureQueriesContext(connection) as many:
        teacher_client.get(url)
    assert len(many) == len(few)


def test_a_mini_lesson_meeting_today_waits_until_it_is_held(school):
    now = timezone.now()
    topic = Competency.objects.get(human_coding_scheme=CODE)
    group, _ = group_create(
        leader=school.teacher_a, competency=topic, students=[school.student_a], now=now
    )
    lesson, _ = lesson_plan(group=group, date=timezone.localdate(now), now=now, room="B12")
    lesson_plan(group=group, date=timezone.localdate(now) + dt.timedelta(days=1), now=now)

    meetings = _sections(school.teacher_a)["meetings"]
    assert meetings.count == 1
    entry = meetings.entries[0]
    assert entry.student is None and entry.label == "Mini-lesson group, 1 student"
    assert entry.url == reverse("groups:hold", args=[lesson.pk]) and "room B12" in entry.notes
    assert _sections(school.teacher_b)["meetings"].count == 0

    lesson_hold(lesson=lesson, teacher=school.teacher_a, records=[], now=now)
    assert _sections(school.teacher_a)["meetings"].count == 0
