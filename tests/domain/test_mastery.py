"""Evidence moves the learner state, and every change is traceable to its statement."""

import datetime as dt

import pytest
from django.utils import timezone
from tests.factories import make_school, record_answer

from tandem.mastery.constants import Status
from tandem.mastery.models import LearnerState, StateChange
from tandem.mastery.rules import (
    MASTERED_AT,
    effective_status,
    estimate_ceiling,
    review_due_after_days,
    status_after,
)
from tandem.mastery.selectors import mastery_explanation, mastery_for_student
from tandem.mastery.services import active_parameter_set

pytestmark = pytest.mark.django_db


def test_right_answers_raise_mastery_until_probably_mastered_then_a_later_day_confirms():
    school = make_school()
    monday = timezone.now().replace(hour=9) - dt.timedelta(days=3)
    values = []
    for minute in range(8):
        record_answer(school.student_a, "6.EE.A.2", True, at=monday + dt.timedelta(minutes=minute))
        values.append(LearnerState.objects.get(student=school.student_a).p_mastery)
    assert values == sorted(values)
    state = LearnerState.objects.get(student=school.student_a)
    assert state.p_mastery >= MASTERED_AT
    # One sitting is not enough: mastery waits for a check on a later day.
    assert state.status == Status.PROBABLY_MASTERED
    assert state.probable_since is not None
    assert state.n_attempts == 8 and state.n_correct == 8
    assert state.parameter_set == active_parameter_set()
    record_answer(school.student_a, "6.EE.A.2", True, at=monday + dt.timedelta(hours=3))
    assert LearnerState.objects.get(student=school.student_a).status == Status.PROBABLY_MASTERED
    record_answer(school.student_a, "6.EE.A.2", True, at=monday + dt.timedelta(days=1))
    state = LearnerState.objects.get(student=school.student_a)
    assert state.status == Status.MASTERED
    assert state.probable_since is None


def test_a_teachers_judgement_confirms_a_probable_mastery_the_same_day():
    monday = dt.datetime(2026, 11, 30, 15, tzinfo=dt.UTC)
    probable = dict(previous=Status.PROBABLY_MASTERED, p_mastery=0.96, n_attempts=6)
    same_day = monday + dt.timedelta(hours=1)
    assert status_after(**probable, probable_since=monday, at=same_day) == Status.PROBABLY_MASTERED
    assert (
        status_after(**probable, probable_since=monday, at=same_day, independent=True)
        == Status.MASTERED
    )


def test_a_wrong_answer_after_a_streak_visibly_lowers_the_estimate():
    school = make_school()
    # 09:00 on one school day: a streak that ran past midnight would be confirmed by the
    # next day's answers, and the wrong answer would then be a lapse ("needs review").
    start = timezone.localtime().replace(hour=9, minute=0) - dt.timedelta(days=10)
    for n in range(12):
        record_answer(school.student_a, "6.EE.A.2", True, at=start + dt.timedelta(minutes=n))
    high = LearnerState.objects.get(student=school.student_a).p_mastery
    assert high <= estimate_ceiling(12.0) < 0.97
    record_answer(school.student_a, "6.EE.A.2", False, at=start + dt.timedelta(minutes=30))
    low = LearnerState.objects.get(student=school.student_a).p_mastery
    assert high - low >= 0.1
    assert LearnerState.objects.get(student=school.student_a).status == Status.LEARNING


def test_estimate_ceiling_grows_with_evidence():
    ceilings = [estimate_ceiling(w) for w in (0, 5, 35, 85, 1000)]
    assert ceilings == sorted(ceilings)
    assert ceilings[1] == pytest.approx(0.95)
    assert ceilings[-1] < 1.0


def test_every_change_links_to_its_statement():
    school = make_school()
    s1 = record_answer(school.student_a, "6.EE.A.2", True)
    s2 = record_answer(school.student_a, "6.EE.A.2", False)
    state = LearnerState.objects.get(student=school.student_a)
    changes = list(
        mastery_explanation(student_id=school.student_a.pk, competency_id=state.competency_id)
    )
    assert [c.statement_id for c in changes] == [s2.pk, s1.pk]
    assert changes[0].p_after < changes[0].p_before
    assert changes[1].p_after > changes[1].p_before
    assert StateChange.objects.count() == 2


def test_uncertainty_narrows_with_evidence():
    school = make_school()
    now = timezone.now()
    record_answer(school.student_a, "6.EE.A.2", True)
    first = next(iter(mastery_for_student(student_id=school.student_a.pk, now=now).values()))
    for correct in (True, False, True, True, False, True, True, True):
        record_answer(school.student_a, "6.EE.A.2", correct)
    later = next(iter(mastery_for_student(student_id=school.student_a.pk, now=now).values()))
    assert first.uncertain
    assert later.sd < first.sd


def test_status_rule():
    assert (
        status_after(previous=Status.NOT_STARTED, p_mastery=0.5, n_attempts=0) == Status.NOT_STARTED
    )
    assert status_after(previous=Status.NOT_STARTED, p_mastery=0.5, n_attempts=1) == Status.LEARNING
    assert (
        status_after(previous=Status.LEARNING, p_mastery=0.96, n_attempts=5)
        == Status.PROBABLY_MASTERED
    )
    monday = dt.datetime(2026, 11, 30, 15, tzinfo=dt.UTC)
    for at, expected in (
        (monday + dt.timedelta(hours=1), Status.PROBABLY_MASTERED),
        (monday + dt.timedelta(days=1), Status.MASTERED),
    ):
        assert (
            status_after(
                previous=Status.PROBABLY_MASTERED,
                p_mastery=0.96,
                n_attempts=6,
                probable_since=monday,
                at=at,
            )
            == expected
        )
    assert (
        status_after(previous=Status.MASTERED, p_mastery=0.8, n_attempts=6) == Status.NEEDS_REVIEW
    )
    assert status_after(previous=Status.MASTERED, p_mastery=0.3, n_attempts=7) == Status.LEARNING
    now = timezone.now()
    assert (
        effective_status(
            status=Status.MASTERED,
            last_evidence_at=now - dt.timedelta(days=60),
            now=now,
            n_correct=5,
        )
        == Status.NEEDS_REVIEW
    )
    assert (
        effective_status(
            status=Status.MASTERED,
            last_evidence_at=now - dt.timedelta(days=2),
            now=now,
            n_correct=5,
        )
        == Status.MASTERED
    )
    # Recall lasts longer the more often the competency was answered right.
    often = now - dt.timedelta(days=review_due_after_days(3) + 1)
    assert (
        effective_status(status=Status.MASTERED, last_evidence_at=often, now=now, n_correct=3)
        == Status.NEEDS_REVIEW
    )
    assert (
        effective_status(status=Status.MASTERED, last_evidence_at=often, now=now, n_correct=8)
        == Status.MASTERED
    )
    assert review_due_after_days(8) > review_due_after_days(3) > 5
