"""The demo school's mini-lesson groups: one per teacher, formed from the suggestions as they
stand after the simulated history (the first teacher's across the school's grades), each with
a mini-lesson held on the last school day (attendance and exit checks that follow what the
student truly knew) and one planned for today."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Mapping, Sequence

from django.utils import timezone

from tandem.groups.constants import ExitResult, Scope
from tandem.groups.selectors import Suggestion, group_suggestions
from tandem.groups.services import AttendanceInput, group_create, lesson_hold, lesson_plan
from tandem.roster.models import User

GROUP_SIZE = 6
ROOMS = ("Library", "Room 14", "Room 21")
PLANS = (
    "Five minutes on one worked example, then three students explain a second one aloud. "
    "Exit check: three questions on a slip.",
    "Start from what they already know; build the step they are missing with a model. "
    "Exit check: one question each, said back in their own words.",
)


def _previous_school_day(day: dt.date) -> dt.date:
    day -= dt.timedelta(days=1)
    while day.weekday() >= 5:
        day -= dt.timedelta(days=1)
    return day


def _at(day: dt.date, hour: int, minute: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=timezone.get_current_timezone())


def _pick(suggestions: list[Suggestion], *, cross_grade: bool) -> Suggestion | None:
    if not suggestions:
        return None
    if cross_grade:
        return max(suggestions, key=lambda s: (len(s.grades), min(s.size, GROUP_SIZE)))
    return suggestions[0]


def _members(suggestion: Suggestion, *, cross_grade: bool) -> list[User]:
    """The suggestion's first few students; across grades, taken from each grade in turn."""
    if not cross_grade:
        return [m.student for m in suggestion.students[:GROUP_SIZE]]
    by_grade: dict[str, list[User]] = {}
    for member in suggestion.students:
        by_grade.setdefault(member.student.grade, []).append(member.student)
    chosen: list[User] = []
    while len(chosen) < GROUP_SIZE and any(by_grade.values()):
        for students in by_grade.values():
            if students and len(chosen) < GROUP_SIZE:
                chosen.append(students.pop(0))
    return chosen


def _exit_check(rng: random.Random, student: User, knows: bool) -> AttendanceInput:
    if rng.random() < 0.1:
        return AttendanceInput(student=student, present=False)
    if knows:
        result = ExitResult.SHOWED if rng.random() < 0.8 else ExitResult.PARTLY
    else:
        result = ExitResult.NOT_YET if rng.random() < 0.6 else ExitResult.PARTLY
    if rng.random() < 0.5:
        asked = 3
        right = sum(rng.random() < (0.85 if knows else 0.35) for _ in range(asked))
        return AttendanceInput(student, True, result, items_right=right, items_asked=asked)
    return AttendanceInput(student, True, result)


def groups_demo_seed(
    *,
    teachers: Sequence[User],
    known: Mapping[int, set[int]],
    now: dt.datetime,
    seed: int,
) -> int:
    """Seed the groups; returns how many were formed."""
    rng = random.Random(seed + 13)
    today = timezone.localdate(now)
    held_day = _previous_school_day(today)
    formed = 0
    for index, teacher in enumerate(teachers):
        wide = index == 0
        suggestions = group_suggestions(
            teacher=teacher, scope=Scope.SCHOOL if wide else Scope.MINE, now=now
        )
        suggestion = _pick(suggestions, cross_grade=wide)
        if suggestion is None:
            continue
        students = _members(suggestion, cross_grade=wide)
        competency = suggestion.competency
        formed_at = _at(_previous_school_day(held_day), 15, 0)
        group, _ = group_create(
            leader=teacher, competency=competency, students=students, now=formed_at
        )
        room = ROOMS[index % len(ROOMS)]
        held, _ = lesson_plan(
            group=group,
            date=held_day,
            start_time=dt.time(10, 30),
            room=room,
            notes=PLANS[index % len(PLANS)],
            now=formed_at,
        )
        records = [_exit_check(rng, s, competency.pk in known.get(s.pk, set())) for s in students]
        lesson_hold(lesson=held, teacher=teacher, records=records, now=_at(held_day, 10, 50))
        lesson_plan(
            group=group,
            date=today,
            start_time=dt.time(13, 15),
            room=room,
            notes="Those who were not there or said 'not yet' last time, and a new example.",
            now=now,
        )
        formed += 1
    return formed
