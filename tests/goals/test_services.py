"""Goal and reflection services against a real database: the three-a-week limit, repeated
submissions, missed goals, and the reflection's windows and kept versions."""

from __future__ import annotations

import datetime as dt

import pytest
from tests.goals.conftest import FRIDAY, MONDAY, NEXT_TUESDAY, SUNDAY_LATE, WEDNESDAY, WEEK

from tandem.competencies.models import Competency
from tandem.goals.constants import GoalKind, GoalStatus
from tandem.goals.models import AppendOnlyError, Reflection, ReflectionRevision, WeeklyGoal
from tandem.goals.rules import effective_status, reflection_may_save, week_of
from tandem.goals.selectors import goal_status_for_students, student_goals
from tandem.goals.services import (
    GoalError,
    goal_complete,
    goal_create,
    goal_remove,
    goals_close_past_weeks,
    reflection_save,
)

pytestmark = pytest.mark.django_db
LAST_WEEK = WEEK - dt.timedelta(days=7)


def _habit(student, now=MONDAY, text="Practice 15 minutes a day", key=None, by=None):
    goal, _ = goal_create(
        student=student,
        kind=GoalKind.HABIT,
        text=text,
        created_by=by or student,
        now=now,
        idempotency_key=key,
    )
    return goal


# ---------- the calendar ----------


def test_weeks_are_named_by_their_monday():
    assert week_of(WEEK) == WEEK
    assert week_of(SUNDAY_LATE.date()) == WEEK
    assert week_of(NEXT_TUESDAY.date()) == WEEK + dt.timedelta(days=7)


def test_open_goals_of_past_weeks_count_as_missed():
    assert effective_status(status="open", week=LAST_WEEK, this_week=WEEK) == GoalStatus.MISSED
    assert effective_status(status="open", week=WEEK, this_week=WEEK) == GoalStatus.OPEN
    assert effective_status(status="done", week=LAST_WEEK, this_week=WEEK) == GoalStatus.DONE


def test_reflection_windows():
    # This week's opens on Friday and runs to Sunday night.
    assert not reflection_may_save(week=WEEK, now=WEDNESDAY, existing_created_at=None)
    assert reflection_may_save(week=WEEK, now=FRIDAY, existing_created_at=None)
    assert reflection_may_save(week=WEEK, now=SUNDAY_LATE, existing_created_at=FRIDAY)
    # Last week's may be written late if missing, and edited during the week it was written.
    assert reflection_may_save(week=LAST_WEEK, now=WEDNESDAY, existing_created_at=None)
    assert reflection_may_save(week=LAST_WEEK, now=WEDNESDAY, existing_created_at=MONDAY)
    assert not reflection_may_save(
        week=LAST_WEEK, now=WEDNESDAY, existing_created_at=MONDAY - dt.timedelta(days=2)
    )
    # Older weeks are history.
    assert not reflection_may_save(week=WEEK, now=NEXT_TUESDAY, existing_created_at=FRIDAY)
    assert not reflection_may_save(
        week=LAST_WEEK - dt.timedelta(days=7), now=WEDNESDAY, existing_created_at=None
    )


# ---------- goals ----------


def test_goal_create_puts_the_goal_in_the_current_week(school):
    goal = _habit(school.student_a, now=SUNDAY_LATE)
    assert goal.week == WEEK
    assert goal.status == GoalStatus.OPEN
    assert goal.created_by == school.student_a
    assert goal.competency is None


def test_at_most_three_goals_a_week(school):
    for n in range(3):
        _habit(school.student_a, text=f"Goal {n}")
    with pytest.raises(GoalError, match="already 3 goals"):
        _habit(school.student_a, text="One too many")
    assert WeeklyGoal.objects.filter(student=school.student_a).count() == 3
    # Next week starts empty.
    _habit(school.student_a, now=NEXT_TUESDAY, text="Next week's")
    # ... and another student is not affected.
    _habit(school.student_b, text="Mine")


def test_a_competency_goal_names_its_competency_and_others_need_words(school):
    with pytest.raises(GoalError, match="Choose the competency"):
        goal_create(
            student=school.student_a,
            kind=GoalKind.COMPETENCY,
            created_by=school.student_a,
            now=MONDAY,
        )
    with pytest.raises(GoalError, match="in a few words"):
        goal_create(
            student=school.student_a,
            kind=GoalKind.MILESTONE,
            text="   ",
            created_by=school.student_a,
            now=MONDAY,
        )
    with pytest.raises(GoalError, match="under 200"):
        _habit(school.student_a, text="x" * 201)
    competency = Competency.objects.get(human_coding_scheme="6.EE.A.2")
    goal, created = goal_create(
        student=school.student_a,
        kind=GoalKind.COMPETENCY,
        competency=competency,
        created_by=school.student_a,
        now=MONDAY,
    )
    assert created and goal.competency == competency and goal.text == ""
    assert WeeklyGoal.objects.count() == 1


def test_a_repeated_submission_creates_one_goal(school):
    first = _habit(school.student_a, key="goal:k1")
    again = _habit(school.student_a, key="goal:k1")
    assert first.pk == again.pk
    assert WeeklyGoal.objects.count() == 1


def test_goal_complete_only_own_and_only_during_its_week(school):
    goal = _habit(school.student_a)
    done = goal_complete(student=school.student_a, goal_id=goal.pk, now=WEDNESDAY)
    assert done.status == GoalStatus.DONE and done.completed_at == WEDNESDAY
    # Done again: no change, no error (a double click).
    assert goal_complete(student=school.student_a, goal_id=goal.pk, now=FRIDAY).completed_at == (
        WEDNESDAY
    )
    other = _habit(school.student_a, text="Another")
    with pytest.raises(GoalError, match="no such goal"):
        goal_complete(student=school.student_b, goal_id=other.pk, now=WEDNESDAY)
    with pytest.raises(GoalError, match="week is over"):
        goal_complete(student=school.student_a, goal_id=other.pk, now=NEXT_TUESDAY)


def test_goal_remove_own_current_week_only(school):
    goal = _habit(school.student_a)
    assert goal_remove(user=school.student_b, goal_id=goal.pk, now=MONDAY) is False
    assert goal_remove(user=school.student_a, goal_id=goal.pk, now=MONDAY) is True
    assert goal_remove(user=school.student_a, goal_id=goal.pk, now=MONDAY) is False  # again
    from_teacher = _habit(school.student_a, by=school.teacher_a, text="Agreed next step")
    assert goal_remove(user=school.student_a, goal_id=from_teacher.pk, now=MONDAY) is False
    old = _habit(school.student_a, text="Kept")
    with pytest.raises(GoalError, match="past weeks"):
        goal_remove(user=school.student_a, goal_id=old.pk, now=NEXT_TUESDAY)
    assert WeeklyGoal.objects.filter(pk=old.pk).exists()


def test_past_open_goals_become_missed(school):
    missed = _habit(school.student_a, now=MONDAY - dt.timedelta(days=7), text="Last week")
    done = _habit(school.student_a, now=MONDAY - dt.timedelta(days=7), text="Done last week")
    goal_complete(student=school.student_a, goal_id=done.pk, now=MONDAY - dt.timedelta(days=6))
    current = _habit(school.student_a, text="This week")

    page = student_goals(student_id=school.student_a.pk, now=WEDNESDAY)
    statuses = {view.goal.text: view.status for view in page.last_week.goals}
    assert statuses == {"Last week": GoalStatus.MISSED, "Done last week": GoalStatus.DONE}
    assert page.last_week.summary == "1 of 2 goals done"
    assert [view.goal.pk for view in page.this_week.goals] == [current.pk]

    assert goals_close_past_weeks(student_ids=[school.student_a.pk], now=WEDNESDAY) == 1
    missed.refresh_from_db()
    current.refresh_from_db()
    assert missed.status == GoalStatus.MISSED
    assert current.status == GoalStatus.OPEN


# ---------- reflections ----------


def _reflect(student, week, now, did="Finished the survey", worked="Asking for help", nxt="Graph"):
    return reflection_save(
        student=student, week=week, did=did, worked=worked, next_steps=nxt, now=now
    )


def test_this_weeks_reflection_opens_on_friday(school):
    with pytest.raises(GoalError, match="can no longer"):
        _reflect(school.student_a, WEEK, WEDNESDAY)
    reflection, changed = _reflect(school.student_a, WEEK, FRIDAY)
    assert changed and reflection.week == WEEK
    assert reflection.revisions.count() == 1


def test_editing_keeps_every_version_and_a_repeat_changes_nothing(school):
    _reflect(school.student_a, WEEK, FRIDAY, did="First try")
    reflection, changed = _reflect(school.student_a, WEEK, SUNDAY_LATE, did="Second try")
    assert changed
    _, changed = _reflect(school.student_a, WEEK, SUNDAY_LATE, did="Second try")  # double submit
    assert not changed
    assert Reflection.objects.filter(student=school.student_a).count() == 1
    assert list(reflection.revisions.values_list("did", flat=True)) == ["First try", "Second try"]
    reflection.refresh_from_db()
    assert reflection.did == "Second try" and reflection.created_at == FRIDAY
    # The week is over: no more changes.
    with pytest.raises(GoalError, match="can no longer"):
        _reflect(school.student_a, WEEK, NEXT_TUESDAY, did="Third try")


def test_last_weeks_reflection_may_be_written_late(school):
    reflection, _ = _reflect(school.student_a, LAST_WEEK, MONDAY)
    assert reflection.week == LAST_WEEK
    _reflect(school.student_a, LAST_WEEK, WEDNESDAY, did="Edited during the week I wrote it")
    with pytest.raises(GoalError):
        _reflect(school.student_a, LAST_WEEK, NEXT_TUESDAY, did="Too late")


def test_an_empty_or_too_long_reflection_is_refused(school):
    with pytest.raises(GoalError, match="at least one"):
        _reflect(school.student_a, WEEK, FRIDAY, did=" ", worked="", nxt="")
    with pytest.raises(GoalError, match="under 2,000"):
        _reflect(school.student_a, WEEK, FRIDAY, did="x" * 2001)
    assert not Reflection.objects.exists()


def test_reflection_versions_are_append_only(school):
    reflection, _ = _reflect(school.student_a, WEEK, FRIDAY)
    revision = reflection.revisions.get()
    revision.did = "rewritten"
    with pytest.raises(AppendOnlyError):
        revision.save()
    with pytest.raises(AppendOnlyError):
        revision.delete()
    with pytest.raises(AppendOnlyError):
        ReflectionRevision.objects.all().update(did="x")
    with pytest.raises(AppendOnlyError):
        ReflectionRevision.objects.all().delete()


# ---------- where students stand, in bulk ----------


def test_goal_status_for_students_in_two_queries(school, django_assert_num_queries):
    last_monday = MONDAY - dt.timedelta(days=7)
    _habit(school.student_a, now=last_monday, text="Missed")
    kept = _habit(school.student_a, now=last_monday, text="Kept")
    goal_complete(student=school.student_a, goal_id=kept.pk, now=last_monday)
    _reflect(school.student_a, LAST_WEEK, WEDNESDAY)
    done = _habit(school.student_a, text="This week")
    goal_complete(student=school.student_a, goal_id=done.pk, now=WEDNESDAY)
    _habit(school.student_a, text="Also this week")

    with django_assert_num_queries(2):
        statuses = goal_status_for_students([school.student_a.pk, school.student_b.pk], WEDNESDAY)
    a, b = statuses[school.student_a.pk], statuses[school.student_b.pk]
    assert (a.goals_set, a.goals_done, a.reflected_last_week) == (2, 1, True)
    assert (a.last_week_goals, a.last_week_done, a.last_week_missed) == (2, 1, 1)
    assert a.goals_words == "2 goals set this week, 1 done"
    assert a.reflection_words == "Reflected on last week"
    assert not a.needs_a_nudge
    assert b.goals_words == "Has not set goals this week"
    assert b.reflection_words == "Has not reflected on last week"
    assert b.needs_a_nudge


def test_goals_without_reflections_for_readers_who_may_not_see_them(
    school, django_assert_num_queries
):
    _habit(school.student_a, now=WEDNESDAY)
    _reflect(school.student_a, LAST_WEEK, WEDNESDAY)
    with django_assert_num_queries(1):
        page = student_goals(student_id=school.student_a.pk, now=WEDNESDAY, with_reflections=False)
    assert len(page.this_week.goals) == 1
    assert page.last_week.reflection is None
    assert all(week.reflection is None for week in page.history)
