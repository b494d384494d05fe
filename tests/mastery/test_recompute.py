"""Voiding evidence (evidence_void) and rebuilding the states it moved (mastery_recompute)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone
from tests.factories import make_school, record_answer

from tandem.competencies.models import Competency
from tandem.evidence.constants import Source, Verb
from tandem.evidence.models import Statement
from tandem.evidence.services import evidence_record, evidence_void
from tandem.mastery.constants import SEED_EXTENSION
from tandem.mastery.models import LearnerState, StateChange
from tandem.mastery.priors import grade_gap, prior_p_mastery
from tandem.mastery.services import mastery_recompute, mastery_seed
from tandem.roster.models import User

CODE = "6.EE.A.2"


def _seed(student: User, competency: Competency, p: float, at: dt.datetime) -> None:
    statement, _ = evidence_record(
        actor=student,
        verb=Verb.OBSERVED,
        object_id="urn:test:placement",
        competencies=[competency],
        source=Source.DIAGNOSTIC,
        authority=student,
        timestamp=at,
        extensions={SEED_EXTENSION: {CODE: p}},
    )
    mastery_seed(statement=statement, competency=competency, p_mastery=p)


def _snapshot(student: User, competency: Competency) -> tuple[Any, ...]:
    state = LearnerState.objects.get(student=student, competency=competency)
    return (
        round(state.p_mastery, 12),
        state.evidence_weight,
        state.n_attempts,
        state.n_correct,
        state.last_evidence_at,
        state.status,
    )


def test_recompute_after_a_void_equals_never_having_had_that_evidence(db: Any) -> None:
    school = make_school()
    voided_one, untouched = school.student_a, school.student_b
    competency = Competency.objects.get(human_coding_scheme=CODE)
    start = timezone.now() - dt.timedelta(days=10)
    for student in (voided_one, untouched):
        # A placement seed first: it must survive the rebuild.
        _seed(student, competency, 0.7, start)
        record_answer(student, CODE, True, at=start + dt.timedelta(days=1))
    wrong = record_answer(voided_one, CODE, False, at=start + dt.timedelta(days=2))
    for student in (voided_one, untouched):
        record_answer(student, CODE, True, at=start + dt.timedelta(days=3))
    assert _snapshot(voided_one, competency) != _snapshot(untouched, competency)
    before = LearnerState.objects.get(student=voided_one, competency=competency).p_mastery
    voiding, created = evidence_void(
        statement=wrong, authority=school.teacher_a, timestamp=timezone.now()
    )
    assert created and voiding.verb == Verb.VOIDED and voiding.voids == wrong
    assert list(voiding.competencies.all()) == [competency]
    changes = mastery_recompute(
        student_id=voided_one.pk, competency_ids=[competency.pk], statement=voiding
    )
    assert _snapshot(voided_one, competency) == _snapshot(untouched, competency)
    (change,) = changes
    assert change.statement == voiding and change.p_before == before
    assert change.p_after == pytest.approx(
        LearnerState.objects.get(student=untouched, competency=competency).p_mastery
    )
    # Earlier changes stay as the history the "why" page shows.
    assert StateChange.objects.filter(statement=wrong).exists()


def test_evidence_void_is_idempotent_and_refuses_what_it_cannot_void(db: Any) -> None:
    school = make_school()
    answer = record_answer(school.student_a, CODE, True)
    now = timezone.now()
    first, created = evidence_void(statement=answer, authority=school.teacher_a, timestamp=now)
    again, created_again = evidence_void(
        statement=answer, authority=school.teacher_a, timestamp=now
    )
    assert created and not created_again and again == first
    assert Statement.objects.filter(voids=answer).count() == 1
    with pytest.raises(ValueError, match="voiding"):
        evidence_void(statement=first, authority=school.teacher_a, timestamp=now)
    other = record_answer(school.student_a, CODE, False)
    with pytest.raises(ValueError, match="aware"):
        evidence_void(
            statement=other, authority=school.teacher_a, timestamp=dt.datetime(2026, 1, 1)
        )
    assert not Statement.objects.filter(voids=other).exists()


def test_recompute_of_a_state_whose_evidence_is_all_voided_starts_over(db: Any) -> None:
    school = make_school()
    competency = Competency.objects.get(human_coding_scheme=CODE)
    answer = record_answer(school.student_a, CODE, True)
    voiding, _ = evidence_void(
        statement=answer, authority=school.teacher_a, timestamp=timezone.now()
    )
    (change,) = mastery_recompute(
        student_id=school.student_a.pk, competency_ids=[competency.pk], statement=voiding
    )
    state = change.state
    assert (state.n_attempts, state.n_correct, state.evidence_weight) == (0, 0, 0.0)
    assert state.status == "not_started" and state.last_evidence_at is None
    # Back to the prior every new state starts from: by the gap between the student's grade and
    # the competency's.
    gap = grade_gap(
        competency_grade_rank=competency.grade_rank, student_grade=school.student_a.grade
    )
    assert state.p_mastery == pytest.approx(
        prior_p_mastery(change.parameter_set.params, code=CODE, grade_gap=gap)
    )
    # A student with no state on the competency gets none made up.
    assert (
        mastery_recompute(
            student_id=school.student_b.pk, competency_ids=[competency.pk], statement=voiding
        )
        == []
    )


def test_a_placement_on_an_answered_standard_rebuilds_as_probably_mastered(db: Any) -> None:
    """A placement at the mastery line on a standard with an answer behind it makes it
    probably mastered from the placement's time, live and rebuilt alike; an answer on a later
    day confirms it. One on a standard without answers masters it at once."""
    from tandem.mastery.constants import Status

    school = make_school()
    rebuilt, live = school.student_a, school.student_b
    competency = Competency.objects.get(human_coding_scheme=CODE)
    start = timezone.now() - dt.timedelta(days=10)
    placed_at = start + dt.timedelta(minutes=20)
    extra = None
    for student in (rebuilt, live):
        record_answer(student, CODE, True, at=start)
        if student == rebuilt:
            extra = record_answer(student, CODE, False, at=start + dt.timedelta(minutes=5))
        _seed(student, competency, 0.97, placed_at)
    for student in (rebuilt, live):
        state = LearnerState.objects.get(student=student, competency=competency)
        assert state.status == Status.PROBABLY_MASTERED and state.probable_since == placed_at
    voiding, _ = evidence_void(statement=extra, authority=school.teacher_a, timestamp=placed_at)
    mastery_recompute(student_id=rebuilt.pk, competency_ids=[competency.pk], statement=voiding)
    assert _snapshot(rebuilt, competency) == _snapshot(live, competency)
    state = LearnerState.objects.get(student=rebuilt, competency=competency)
    assert state.probable_since == placed_at and state.n_attempts == 1
    record_answer(rebuilt, CODE, True, at=start + dt.timedelta(days=1))
    state.refresh_from_db()
    assert state.status == Status.MASTERED
    unanswered = Competency.objects.get(human_coding_scheme="6.EE.A.3")
    _seed(live, unanswered, 0.97, start)
    assert LearnerState.objects.get(student=live, competency=unanswered).status == (Status.MASTERED)
