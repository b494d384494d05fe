"""The pathway as pages read it: time estimates from the evidence log (or the default), pace
against the course calendar, and the pace in words."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache
from django.utils import timezone
from tests.factories import make_user, master

from tandem.competencies.models import Competency
from tandem.evidence.constants import Source, Verb
from tandem.evidence.services import evidence_record
from tandem.mastery.selectors import MasteryView
from tandem.mastery.services import mastery_apply
from tandem.pathways.constants import (
    DEFAULT_ANSWERS_TO_MASTERY,
    DEFAULT_MINUTES_PER_ANSWER,
    Pace,
)
from tandem.pathways.selectors import (
    Calendar,
    TimeEstimate,
    competency_time_estimates,
    course_calendar,
    default_school_year,
    duration_words,
    pace_for,
    pace_sentence,
    pathway_view,
    remaining_estimate,
)
from tandem.pathways.services import pathway_build
from tandem.roster.constants import EnrollmentRole, Role
from tandem.roster.services import academic_session_create, enrollment_create

CODE = "6.NS.A.1"
BASE = dt.datetime(2025, 10, 1, 9, 0, tzinfo=dt.UTC)


# ---------- time estimates ----------


def answer(student, correct, at, duration_ms):
    competency = Competency.objects.get(human_coding_scheme=CODE)
    statement, _ = evidence_record(
        actor=student,
        verb=Verb.ANSWERED,
        object_id=f"urn:test:{CODE}",
        competencies=[competency],
        source=Source.PRACTICE,
        authority=student,
        timestamp=at,
        success=correct,
        duration_ms=duration_ms,
    )
    mastery_apply(statement=statement)


def practise(sequence, *, minutes_each):
    """A new student answers ``sequence`` ("R" right, "W" wrong), each taking ``minutes_each``."""
    student = make_user(Role.STUDENT, grade="06")
    duration = None if minutes_each is None else round(minutes_each * 60_000)
    for i, mark in enumerate(sequence):
        answer(student, mark == "R", BASE + dt.timedelta(minutes=i), duration)
    return student


def estimate():
    cid = Competency.objects.get(human_coding_scheme=CODE).pk
    return competency_time_estimates(competency_ids=[cid])[cid]


@pytest.mark.django_db
def test_the_default_is_used_until_enough_students_have_mastered_it(school):
    # With the default BKT parameters (and no estimate surer than its evidence), mastery comes
    # after these answers: 5, 5, 6 and 7 of them.
    for sequence in ("RRRRR", "RRRRRRR", "WWWRRRRR", "WWWWRRRRRR"):
        practise(sequence, minutes_each=2)
    practise("WWW", minutes_each=2)  # never mastered: not counted
    got = estimate()
    assert got == TimeEstimate(
        answers=DEFAULT_ANSWERS_TO_MASTERY,
        minutes=round(DEFAULT_ANSWERS_TO_MASTERY * DEFAULT_MINUTES_PER_ANSWER),
        samples=4,
        from_evidence=False,
    )
    assert "default" in got.basis


@pytest.mark.django_db
def test_estimates_are_medians_of_the_runs_to_mastery_in_the_evidence_log(school):
    practise("RRRRR", minutes_each=2)  # 5 answers, 10 min
    practise("RRRRRRR", minutes_each=None)  # mastered at the fifth: 5 × default minutes
    practise("WWWRRRRR", minutes_each=2)  # 6 answers, 12 min
    practise("WWWWRRRRRR", minutes_each=2)  # 7 answers, 14 min
    practise("WRWRWRRRRR", minutes_each=60)  # 8 answers; each capped at 10 min: 80 min
    assert estimate() == TimeEstimate(answers=6, minutes=12, samples=5, from_evidence=True)
    assert estimate().basis == "the median of 5 students here who mastered it"


@pytest.mark.django_db
def test_estimates_are_cached_for_a_while(school):
    before = estimate()
    for sequence in ("RRRRR", "RRRRR", "RRRRR", "RRRRR", "RRRRR"):
        practise(sequence, minutes_each=1)
    assert estimate() == before  # still the cached default
    cache.clear()
    assert estimate() == TimeEstimate(answers=5, minutes=5, samples=5, from_evidence=True)


def _view(n_attempts):
    return MasteryView(1, 1, 0.5, 0.1, False, "learning", n_attempts, 1, None)


def test_what_is_left_shrinks_with_answers_given_but_not_below_a_third():
    full = TimeEstimate(answers=9, minutes=18, samples=0, from_evidence=False)
    assert remaining_estimate(full, None) == full
    assert remaining_estimate(full, _view(3)).answers == 6
    assert remaining_estimate(full, _view(3)).minutes == 12
    assert remaining_estimate(full, _view(30)).answers == 3


def test_duration_words():
    assert duration_words(12) == "about 12 min"
    assert duration_words(60) == "about 1 h"
    assert duration_words(95) == "about 1 h 35 min"
    assert duration_words(600) == "about 10 h"


# ---------- pace ----------

YEAR = Calendar("the year", dt.date(2025, 9, 1), dt.date(2026, 3, 20), from_roster=True)
MIDDLE = dt.date(2025, 12, 10)  # 100 of 200 days: half the year gone


@pytest.mark.parametrize(
    ("done", "pace"),
    [(5, Pace.ON_TRACK), (6, Pace.ON_TRACK), (4, Pace.ON_TRACK), (7, Pace.AHEAD), (3, Pace.BEHIND)],
)
def test_pace_compares_steps_done_with_the_calendar_within_a_tolerance(done, pace):
    view = pace_for(done=done, total=10, calendar=YEAR, today=MIDDLE)
    assert view.pace == pace
    assert view.elapsed_percent == 50


def test_pace_at_the_edges_of_the_calendar():
    before = pace_for(done=0, total=10, calendar=YEAR, today=dt.date(2025, 8, 1))
    assert before.elapsed == 0.0 and before.pace == Pace.ON_TRACK
    after = pace_for(done=8, total=10, calendar=YEAR, today=dt.date(2026, 7, 1))
    assert after.elapsed == 1.0 and after.pace == Pace.BEHIND
    empty = pace_for(done=0, total=0, calendar=YEAR, today=MIDDLE)
    assert empty.pace is None and empty.label == "No steps yet"


def test_pace_in_words():
    view = pace_for(done=7, total=10, calendar=YEAR, today=MIDDLE)
    assert pace_sentence(view, subject="You", second_person=True) == (
        "You have done 7 of 10 steps (70%), and 50% of the year has gone by "
        "(Sep 1, 2025 to Mar 20, 2026): you are ahead of the calendar."
    )
    behind = pace_for(done=1, total=10, calendar=YEAR, today=MIDDLE)
    assert pace_sentence(behind, subject="Ava", second_person=False).endswith(
        "they are behind the calendar."
    )
    empty = pace_for(done=0, total=0, calendar=YEAR, today=MIDDLE)
    assert pace_sentence(empty, subject="You", second_person=True) == (
        "You have no steps on the plan yet."
    )


def test_the_default_school_year_runs_from_mid_august_to_mid_june():
    autumn = default_school_year(dt.date(2025, 11, 3))
    assert (autumn.start, autumn.end) == (dt.date(2025, 8, 15), dt.date(2026, 6, 15))
    assert autumn.title == "the school year 2025–26" and not autumn.from_roster
    assert default_school_year(dt.date(2026, 3, 1)) == autumn
    summer = default_school_year(dt.date(2026, 7, 1))
    assert summer == autumn and summer.elapsed(dt.date(2026, 7, 1)) == 1.0
    assert default_school_year(dt.date(2026, 8, 15)).start == dt.date(2026, 8, 15)


def _term(school_class, start, end, title="Year"):
    session = academic_session_create(
        sourced_id=f"session-{school_class.pk}-{start}",
        title=title,
        start=start,
        end=end,
        school_year=end.year,
    )
    school_class.terms.add(session)
    return session


@pytest.mark.django_db
def test_the_calendar_is_the_session_of_the_students_class_that_contains_today(school):
    now = timezone.now()
    today = timezone.localdate(now)
    _term(school.class_a, today - dt.timedelta(days=30), today + dt.timedelta(days=30), "Term 2")
    _term(school.class_a, today - dt.timedelta(days=100), today + dt.timedelta(days=200), "Year")
    _term(school.class_a, today + dt.timedelta(days=31), today + dt.timedelta(days=90), "Term 3")
    calendar = course_calendar(student_id=school.student_a.pk, now=now)
    assert calendar.title == "Year" and calendar.from_roster
    # Student B's class names no session: the default school year.
    assert not course_calendar(student_id=school.student_b.pk, now=now).from_roster


@pytest.mark.django_db
def test_the_pathway_says_ahead_on_track_or_behind(school):
    student = school.student_a
    now = timezone.now()
    today = timezone.localdate(now)
    # Nearly the whole term has gone, nothing is done: behind.
    term = _term(school.class_a, today - dt.timedelta(days=300), today + dt.timedelta(days=10))
    pathway_build(student=student, now=now)
    view = pathway_view(student=student, now=now)
    assert view.pace.pace == Pace.BEHIND and view.pace.total == len(view.steps)
    # The term has just started and four targets are already mastered: ahead.
    school.class_a.terms.remove(term)
    _term(school.class_a, today, today + dt.timedelta(days=300))
    for code in ("6.NS.A.1", "6.SP.B.5.c", "6.RP.A.3.b", "6.RP.A.3.c"):
        master(student, code)
    view = pathway_view(student=student, now=timezone.now())
    assert view.pace.done == 4 and view.pace.pace == Pace.AHEAD
    # Another student of the same grade, nothing done, on the first day: on track.
    other = make_user(Role.STUDENT, grade="06")
    enrollment_create(user=other, school_class=school.class_a, role=EnrollmentRole.STUDENT)
    pathway_build(student=other, now=now)
    assert pathway_view(student=other, now=now).pace.pace == Pace.ON_TRACK
    # Remaining time adds up the unfinished competency steps.
    view = pathway_view(student=other, now=now)
    assert view.remaining_minutes == sum(s.estimate.minutes for s in view.steps if s.estimate)
    assert view.remaining_minutes == len(view.steps) * round(
        DEFAULT_ANSWERS_TO_MASTERY * DEFAULT_MINUTES_PER_ANSWER
    )
