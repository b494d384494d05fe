"""The demo school's course credit: a rule per course, a teacher's check-in confirming what the
most advanced students probably mastered, and credit awarded where that meets the rule, with
one student left waiting for a teacher's sign-off."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping

from tandem.checkins.constants import Understanding
from tandem.checkins.services import ObservationInput, checkin_record
from tandem.credit.models import CreditRule
from tandem.credit.selectors import course_standards, credit_evaluate, standards_needed
from tandem.credit.services import credit_award, credit_award_eligible
from tandem.mastery.constants import Status
from tandem.mastery.selectors import mastery_grid
from tandem.roster.models import Course, SchoolClass, User

# (share of the grade-level standards, teacher sign-off) by course code; other courses get the
# first. Math 7's credit is awarded by the rule alone, the others wait for a teacher.
RULES: dict[str, tuple[float, bool]] = {
    "MATH6": (0.5, True),
    "MATH7": (0.5, False),
    "MATH8": (1.0, True),
}
# Per course, the students closest to the rule whom their teacher checks in with.
CHECKED_PER_COURSE = 3


def credit_demo_seed(
    *,
    students: Iterable[User],
    class_of: Mapping[int, SchoolClass],
    teacher_of: Callable[[User], User],
    known: Mapping[int, set[int]],
    now: dt.datetime,
) -> None:
    """Rules for the students' courses, then credit for those who meet them (``known``: the
    competencies each student truly knows, which is what a teacher hears in a check-in)."""
    by_course: dict[int, list[User]] = {}
    courses: dict[int, Course] = {}
    for student in students:
        course = class_of[student.pk].course
        courses[course.pk] = course
        by_course.setdefault(course.pk, []).append(student)
    for course_id, members in by_course.items():
        course = courses[course_id]
        share, sign_off = RULES.get(course.course_code, RULES["MATH6"])
        CreditRule.objects.create(course=course, share_required=share, requires_sign_off=sign_off)
        _confirm_the_closest(course, members, teacher_of, known, share, now)
        if not sign_off:
            credit_award_eligible(course=course, now=now - dt.timedelta(minutes=30))
            continue
        eligible = [s for s in credit_evaluate(course=course, now=now) if s.eligible]
        # All but one signed off: the last waits for the teacher on the credit page.
        for standing in eligible[:-1]:
            credit_award(
                student=standing.student,
                course=course,
                now=now - dt.timedelta(minutes=30),
                signed_off_by=teacher_of(standing.student),
                school_class=standing.school_class,
            )


def _confirm_the_closest(
    course: Course,
    members: list[User],
    teacher_of: Callable[[User], User],
    known: Mapping[int, set[int]],
    share: float,
    now: dt.datetime,
) -> None:
    """A check-in with each of the few students nearest the rule, in which the teacher hears
    them show understanding of the standards they probably mastered and truly know."""
    standards = course_standards(course)
    needed = standards_needed(share=share, total=len(standards))
    grid = mastery_grid(
        student_ids=[s.pk for s in members], competency_ids=[c.pk for c in standards], now=now
    )
    ranked = []
    for student in members:
        views = [grid.get((student.pk, c.pk)) for c in standards]
        mastered = sum(v is not None and v.status == Status.MASTERED for v in views)
        probable = [
            c
            for c, v in zip(standards, views, strict=True)
            if v is not None
            and v.status == Status.PROBABLY_MASTERED
            and c.pk in known.get(student.pk, set())
        ]
        ranked.append((mastered + len(probable), student.pk, student, probable))
    ranked.sort(key=lambda row: (-row[0], row[1]))
    for reach, _, student, probable in ranked[:CHECKED_PER_COURSE]:
        if reach < needed or not probable:
            continue
        checkin_record(
            teacher=teacher_of(student),
            student=student,
            now=now - dt.timedelta(hours=1),
            notes="Went through the standards practice marked as probably mastered.",
            observations=[ObservationInput(c, Understanding.SHOWED) for c in probable],
        )
