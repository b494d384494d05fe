"""The demo's self-checks: most students answered each of four weeks, exactly the two chosen
students are raised (for their teacher and the counselor), and the counselor can sign in."""

from __future__ import annotations

import time

import pytest
from django.contrib.auth.hashers import make_password
from django.utils import timezone
from tests.factories import make_user

from tandem.roster.constants import EnrollmentRole, Role
from tandem.roster.services import enrollment_create
from tandem.wellbeing.demo import WEEKS, seed_wellbeing
from tandem.wellbeing.models import SelfCheck
from tandem.wellbeing.selectors import raised_students, students_raised

pytestmark = pytest.mark.django_db


def test_the_demo_seeds_weeks_of_answers_and_two_raised(school) -> None:
    students = [school.student_a]
    for _ in range(29):
        student = make_user(Role.STUDENT, grade="06")
        enrollment_create(user=student, school_class=school.class_a, role=EnrollmentRole.STUDENT)
        students.append(student)
    now = timezone.now()
    started = time.perf_counter()
    counselor = seed_wellbeing(
        students, school=school.org, now=now, seed=3, password=make_password("x")
    )
    assert time.perf_counter() - started < 2
    answers = SelfCheck.objects.count()
    assert len(students) * WEEKS * 0.7 < answers <= len(students) * WEEKS
    raised = raised_students(students=[s.pk for s in students], now=now)
    assert set(raised) == {students[1].pk, students[6].pk}
    assert raised[students[1].pk].reasons[0].startswith("School feels much worse")
    assert "Said they have no one at school to ask for help" in raised[students[6].pk].reasons
    assert counselor.role == Role.COUNSELOR and counselor.check_password("x")
    assert {row.student for row in students_raised(viewer=counselor, now=now)} == {
        students[1],
        students[6],
    }
