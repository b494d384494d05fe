"""Awarding, signing off and revoking credit against the rule, through the services."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.utils import timezone
from tests.factories import record_answer

from tandem.credit.models import Credit, CreditEvidence, CreditRevocation, CreditRule
from tandem.credit.selectors import (
    class_credit,
    course_standards,
    credit_evaluate,
    report_card,
    standards_needed,
)
from tandem.credit.services import (
    CreditError,
    credit_award,
    credit_award_eligible,
    credit_revoke,
)
from tandem.mastery.constants import Status
from tandem.roster.constants import EnrollmentRole
from tandem.roster.models import AcademicSession, Course
from tandem.roster.services import class_create, enrollment_create

from .conftest import NOW, master_standards

pytestmark = pytest.mark.django_db


def test_a_course_has_its_grade_level_standards(course):
    codes = [c.code for c in course_standards(course)]
    assert codes and all(code.startswith("6.") for code in codes)
    assert len(codes) == len(set(codes))


@pytest.mark.parametrize(
    ("share", "total", "needed"), [(1.0, 12, 12), (0.5, 12, 6), (0.75, 10, 8), (0.7, 10, 7)]
)
def test_standards_needed_rounds_up(share, total, needed):
    assert standards_needed(share=share, total=total) == needed


def test_the_rule_share_is_checked_by_the_database(course):
    with pytest.raises(IntegrityError), transaction.atomic():
        CreditRule.objects.create(course=course, share_required=0.2)


def test_evaluation_finds_who_meets_the_rule(school, course, rule):
    needed = standards_needed(share=0.5, total=len(course_standards(course)))
    master_standards(school.student_a, course, needed)
    master_standards(school.student_b, course, needed - 1)
    standings = {s.student.pk: s for s in credit_evaluate(course=course, now=NOW)}
    a, b = standings[school.student_a.pk], standings[school.student_b.pk]
    assert (a.mastered, a.meets_rule, a.awaiting_sign_off) == (needed, True, True)
    assert (b.mastered, b.meets_rule) == (needed - 1, False)
    assert a.school_class == school.class_a
    by_class = class_credit(school_class=school.class_a, now=NOW)
    assert [s.student for s in by_class.awaiting] == [school.student_a]


def test_probably_mastered_does_not_count_yet(school, course, rule):
    code = course_standards(course)[0].code
    for minute in range(5):  # a streak in one sitting: probably mastered, not confirmed
        record_answer(school.student_a, code, True, at=NOW.replace(minute=minute))
    (standing,) = [
        s for s in credit_evaluate(course=course, now=NOW) if s.student == school.student_a
    ]
    assert standing.mastered == 0


def test_sign_off_awards_once_with_its_evidence(school, course, rule):
    needed = standards_needed(share=0.5, total=len(course_standards(course)))
    codes = master_standards(school.student_a, course, needed)
    with pytest.raises(CreditError, match="sign-off"):
        credit_award(student=school.student_a, course=course, now=NOW)
    credit, created = credit_award(
        student=school.student_a,
        course=course,
        now=NOW,
        signed_off_by=school.teacher_a,
        school_class=school.class_a,
    )
    assert created and credit.signed_off_by == school.teacher_a
    assert (credit.standards_mastered, credit.standards_total) == (needed, 12)
    assert (credit.share_required, credit.requires_sign_off) == (0.5, True)
    evidence = {e.competency.code: e for e in CreditEvidence.objects.filter(credit=credit)}
    assert len(evidence) == 12
    assert all(evidence[code].status == Status.MASTERED for code in codes)
    assert all(evidence[code].p_mastery >= 0.95 for code in codes)
    unmastered = set(evidence) - set(codes)
    assert all(evidence[code].status == "not_started" for code in unmastered)
    # A second sign-off (a double-submitted form) changes nothing.
    again, created = credit_award(
        student=school.student_a, course=course, now=NOW, signed_off_by=school.teacher_a
    )
    assert (again, created) == (credit, False)
    assert Credit.objects.count() == 1
    assert not [s for s in credit_evaluate(course=course, now=NOW) if s.eligible]


def test_the_database_refuses_a_second_credit_in_force(school, course, rule):
    master_standards(school.student_a, course, 6)
    credit_award(student=school.student_a, course=course, now=NOW, signed_off_by=school.teacher_a)
    with pytest.raises(IntegrityError), transaction.atomic():
        Credit.objects.create(
            student=school.student_a,
            course=course,
            awarded_at=NOW,
            share_required=0.5,
            requires_sign_off=True,
            standards_total=12,
            standards_mastered=6,
        )


def test_not_meeting_the_rule_is_refused_in_words(school, course, rule):
    master_standards(school.student_a, course, 2)
    with pytest.raises(CreditError, match="mastered 2 of 12 standards; Math 6 asks for 6"):
        credit_award(
            student=school.student_a, course=course, now=NOW, signed_off_by=school.teacher_a
        )
    assert not Credit.objects.exists()


def test_a_course_without_a_rule_gives_no_credit(school, course):
    with pytest.raises(CreditError, match="no credit rule"):
        credit_award(
            student=school.student_a, course=course, now=NOW, signed_off_by=school.teacher_a
        )
    assert credit_evaluate(course=course, now=NOW) == []


def test_rules_without_sign_off_award_every_eligible_student(school, course, rule):
    rule.requires_sign_off = False
    rule.share_required = 0.5
    rule.save()
    master_standards(school.student_a, course, 6)
    master_standards(school.student_b, course, 3)
    awarded = credit_award_eligible(course=course, now=NOW)
    assert [c.student for c in awarded] == [school.student_a]
    assert awarded[0].signed_off_by is None
    assert credit_award_eligible(course=course, now=NOW) == []


def test_rules_with_sign_off_wait_for_the_teacher(school, course, rule):
    master_standards(school.student_a, course, 6)
    assert credit_award_eligible(course=course, now=NOW) == []
    assert not Credit.objects.exists()


def test_revoking_keeps_the_credit_and_the_reason(school, course, rule):
    master_standards(school.student_a, course, 6)
    credit, _ = credit_award(
        student=school.student_a, course=course, now=NOW, signed_off_by=school.teacher_a
    )
    with pytest.raises(CreditError, match="Say why"):
        credit_revoke(credit=credit, revoked_by=school.teacher_a, reason="   ", now=NOW)
    revocation, created = credit_revoke(
        credit=credit, revoked_by=school.teacher_a, reason="Signed off by mistake.", now=NOW
    )
    assert created and revocation.reason == "Signed off by mistake."
    credit.refresh_from_db()
    assert credit.revoked_at == NOW and not credit.in_force
    # Revoking twice keeps the first reason.
    again, created = credit_revoke(
        credit=credit, revoked_by=school.teacher_a, reason="Other", now=NOW
    )
    assert (again, created) == (revocation, False)
    assert CreditRevocation.objects.get().reason == "Signed off by mistake."
    # The student may earn it again: a new credit, the revoked one kept beside it.
    new, created = credit_award(
        student=school.student_a, course=course, now=NOW, signed_off_by=school.teacher_a
    )
    assert created and new.pk != credit.pk
    assert Credit.objects.filter(student=school.student_a).count() == 2


def test_the_evaluation_command_awards_and_counts_who_waits(school, course, rule):
    other = CreditRule.objects.create(
        course=Course.objects.create(
            sourced_id="course-7", title="Math 6 again", org=school.org, grades=["06"]
        ),
        share_required=1.0,
    )
    master_standards(school.student_a, course, 6, now=timezone.now())
    out = io.StringIO()
    call_command("credit_evaluate", stdout=out)
    assert "Math 6: 0 awarded, 1 waiting for sign-off" in out.getvalue()
    assert "Math 6 again: 0 awarded, 0 waiting for sign-off" in out.getvalue()
    rule.requires_sign_off = False
    rule.save()
    call_command("credit_evaluate", stdout=out)
    call_command("credit_evaluate", stdout=out)
    assert Credit.objects.filter(course=course, signed_off_by=None).count() == 1
    assert not Credit.objects.filter(course=other.course).exists()


def test_the_report_card_covers_the_term_asked_for(school, course, rule):
    year = AcademicSession.objects.create(
        sourced_id="y",
        title="2024–2025",
        type="schoolYear",
        start_date=dt.date(2024, 8, 19),
        end_date=dt.date(2025, 6, 13),
        school_year=2025,
    )
    fall, spring = (
        AcademicSession.objects.create(
            sourced_id=title,
            title=title,
            type="semester",
            start_date=start,
            end_date=end,
            school_year=2025,
            parent=year,
        )
        for title, start, end in (
            ("Fall", dt.date(2024, 8, 19), dt.date(2025, 1, 17)),
            ("Spring", dt.date(2025, 1, 21), dt.date(2025, 6, 13)),
        )
    )
    course.school_year = year
    course.save()
    school.class_a.terms.add(spring)
    fall_class = class_create(
        sourced_id="fall", title="Math 6 Fall", course=course, school=school.org
    )
    fall_class.terms.add(fall)
    enrollment_create(user=school.student_a, school_class=fall_class, role=EnrollmentRole.STUDENT)

    # Today (March 2025) falls in spring: the shortest running term, not the school year.
    card = report_card(student=school.student_a, now=NOW)
    assert card.term == spring
    assert {t.title for t in card.terms} == {"2024–2025", "Fall", "Spring"}
    assert [c.title for c in card.courses[0].classes] == ["Math 6 A"]
    fall_card = report_card(student=school.student_a, now=NOW, term_id=str(fall.pk))
    assert fall_card.term == fall
    assert [c.title for c in fall_card.courses[0].classes] == ["Math 6 Fall"]
    # An id that is not one of the student's terms falls back to today's.
    assert report_card(student=school.student_a, now=NOW, term_id="999999").term == spring
