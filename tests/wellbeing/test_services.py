"""Self-checks against the database: one per week, edits, follow-ups, who is raised, the weeks
in words, and the school's counts with small ones withheld."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from tests.factories import make_user
from tests.goals.conftest import WEDNESDAY

from tandem.privacy.cells import small_cell
from tandem.roster.constants import EnrollmentRole, Role
from tandem.roster.services import enrollment_create
from tandem.studentdata.services import student_erase, student_export
from tandem.wellbeing.models import SelfCheck
from tandem.wellbeing.selectors import (
    raised_students,
    student_weeks,
    students_raised,
    week_summary,
)
from tandem.wellbeing.services import SelfCheckError, selfcheck_follow_up, selfcheck_submit

from .conftest import answer

pytestmark = pytest.mark.django_db
NOW = WEDNESDAY


def test_one_self_check_per_week_and_a_second_answer_edits_it(school) -> None:
    student = school.student_a
    first, created = selfcheck_submit(
        student=student, feeling=4, has_someone="yes", note=" Fine ", now=NOW
    )
    assert created and first.note == "Fine" and first.week == dt.date(2025, 3, 10)
    again, created = selfcheck_submit(
        student=student, feeling=4, has_someone="yes", note="Fine", now=NOW
    )
    assert not created and again.pk == first.pk and again.updated_at == first.updated_at
    later = NOW + dt.timedelta(days=2)
    edited, created = selfcheck_submit(
        student=student, feeling=2, has_someone="not_sure", note="", now=later
    )
    assert not created and edited.pk == first.pk and edited.updated_at == later
    assert SelfCheck.objects.filter(student=student).count() == 1
    # The next Monday is a new week.
    selfcheck_submit(
        student=student, feeling=3, has_someone="yes", note="", now=NOW + dt.timedelta(days=5)
    )
    assert SelfCheck.objects.filter(student=student).count() == 2


@pytest.mark.parametrize(
    ("feeling", "someone", "note", "message"),
    [
        (0, "yes", "", "how school felt"),
        (6, "yes", "", "how school felt"),
        (3, "maybe", "", "someone to ask"),
        (3, "yes", "x" * 281, "280 characters"),
    ],
)
def test_bad_answers_are_refused_with_a_reason(school, feeling, someone, note, message) -> None:
    with pytest.raises(SelfCheckError, match=message):
        selfcheck_submit(
            student=school.student_a, feeling=feeling, has_someone=someone, note=note, now=NOW
        )
    assert not SelfCheck.objects.exists()


def test_a_worrying_answer_raises_until_followed_up_or_replaced(school) -> None:
    student = school.student_a
    check = answer(student, 0, 1, now=NOW)
    raised = raised_students(students=[student.pk], now=NOW)
    assert raised[student.pk].reasons == ("Said school felt really bad this week",)
    assert raised[student.pk].detail.startswith("Wellbeing: ")
    # Still raised next week (nobody answered since), gone the week after.
    assert student.pk in raised_students(students=[student.pk], now=NOW + dt.timedelta(days=7))
    assert not raised_students(students=[student.pk], now=NOW + dt.timedelta(days=14))
    # A conversation held after the answer ends it; one before does not.
    before, after = NOW - dt.timedelta(hours=1), NOW + dt.timedelta(hours=1)
    assert raised_students(students=[student.pk], now=NOW, seen_since={student.pk: before})
    assert not raised_students(students=[student.pk], now=NOW, seen_since={student.pk: after})
    # A follow-up ends it (twice changes nothing); a changed answer is a new one.
    selfcheck_follow_up(self_check=check, actor=school.teacher_a, now=after)
    selfcheck_follow_up(self_check=check, actor=school.teacher_b, now=after)
    check.refresh_from_db()
    assert check.followed_up_by == school.teacher_a
    assert not raised_students(students=[student.pk], now=NOW)
    answer(student, 0, 1, "no", now=NOW + dt.timedelta(hours=2))
    assert len(raised_students(students=[student.pk], now=NOW)[student.pk].reasons) == 2
    # A fine answer this week replaces last week's worrying one.
    answer(student, -1, 4, now=NOW)
    assert not raised_students(students=[student.pk], now=NOW + dt.timedelta(days=7))


def test_a_sharp_drop_raises_the_student(school) -> None:
    student = school.student_a
    for weeks_ago, feeling in ((3, 5), (2, 5), (1, 5)):
        answer(student, weeks_ago, feeling, now=NOW)
    answer(student, 0, 3, now=NOW)
    (reason,) = raised_students(students=[student.pk], now=NOW)[student.pk].reasons
    assert reason.startswith("School feels much worse: okay this week")
    answer(student, 0, 4, now=NOW)
    assert not raised_students(students=[student.pk], now=NOW)


def test_raised_students_is_one_query_whatever_the_number(school) -> None:
    students = [school.student_a, school.student_b]
    for _ in range(6):
        student = make_user(Role.STUDENT, grade="06")
        enrollment_create(user=student, school_class=school.class_a, role=EnrollmentRole.STUDENT)
        students.append(student)
    for n, student in enumerate(students):
        for weeks_ago in range(4):
            answer(student, weeks_ago, 1 + (n + weeks_ago) % 5, now=NOW)
    with CaptureQueriesContext(connection) as queries:
        raised = raised_students(students=[s.pk for s in students], now=NOW)
    assert len(queries) == 1 and raised


def test_the_weeks_in_words_newest_first(school) -> None:
    student = school.student_a
    answer(student, 3, 5, now=NOW)
    answer(student, 1, 5, now=NOW)
    answer(student, 0, 2, now=NOW)
    weeks = student_weeks(student_id=student.pk, now=NOW)
    assert weeks.answered == 3 and weeks.raised is not None
    assert len(weeks.weeks) == 12 and weeks.weeks[0].week == dt.date(2025, 3, 10)
    newest = weeks.weeks[:4]
    assert [row.level for row in newest] == [2, 5, 0, 5]
    assert [row.change for row in newest] == [
        "Worse than the last answer by a lot",
        "Same as the last answer",
        "",
        "",
    ]


def test_a_counselor_sees_the_school_raised_and_nothing_of_another(
    school, counselor, other_counselor
) -> None:
    answer(school.student_a, 0, 1, now=NOW)
    answer(school.student_b, 0, 4, "no", now=NOW)
    rows = students_raised(viewer=counselor, now=NOW)
    assert {row.student for row in rows} == {school.student_a, school.student_b}
    assert not students_raised(viewer=other_counselor, now=NOW)
    # A teacher's reach is their own class.
    assert [r.student for r in students_raised(viewer=school.teacher_a, now=NOW)] == [
        school.student_a
    ]
    # Guardians and administrators read no self-checks at all.
    assert not students_raised(viewer=school.guardian_a, now=NOW)
    assert not students_raised(viewer=school.admin, now=NOW)


def test_the_schools_week_shows_no_small_counts(school, counselor) -> None:
    answer(school.student_a, 0, 4, now=NOW)
    summary = week_summary(viewer=counselor, now=NOW)
    assert summary.answered is None and summary.feelings == []
    for n in range(small_cell() + 1):
        student = make_user(Role.STUDENT, grade="06")
        enrollment_create(user=student, school_class=school.class_a, role=EnrollmentRole.STUDENT)
        answer(student, 0, 4 if n else 1, now=NOW)
    summary = week_summary(viewer=counselor, now=NOW)
    assert summary.answered == small_cell() + 2
    feelings = dict(summary.feelings)
    assert feelings["Good"] == small_cell() + 1
    assert feelings["Really bad"] is None and feelings["Okay"] is None
    assert dict(summary.someone) == {"Yes": small_cell() + 2, "Not sure": None, "No": None}


def test_a_familys_export_holds_the_self_checks_and_an_erasure_removes_them(school) -> None:
    answer(school.student_a, 0, 2, now=NOW)
    answer(school.student_b, 0, 4, now=NOW)
    archive = zipfile.ZipFile(io.BytesIO(student_export(student=school.student_a, by=school.admin)))
    rows = json.loads(archive.read("data/wellbeing.SelfCheck.json"))
    assert [(row["feeling"], row["has_someone"]) for row in rows] == [(2, "yes")]
    student_erase(student=school.student_a, by=school.admin, reason="The family asked.")
    assert not SelfCheck.objects.filter(student=school.student_a).exists()
    assert SelfCheck.objects.filter(student=school.student_b).exists()
