"""Reads of self-checks: this week's answer, a student's weeks, who is raised and why, and the
school's week in counts too large to point at a child."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from tandem.privacy.cells import small_cell
from tandem.roster.access import students_visible_to
from tandem.roster.constants import grade_label
from tandem.roster.models import User
from tandem.wellbeing.constants import (
    DROP_WEEKS,
    HISTORY_WEEKS,
    RAISE_WEEKS,
    Feeling,
    HelpAnswer,
)
from tandem.wellbeing.models import SelfCheck
from tandem.wellbeing.rules import Answer, concern_reasons, suppress_small, week_of


def this_week(now: dt.datetime) -> dt.date:
    return week_of(timezone.localdate(now))


def selfcheck_for_week(*, student_id: int, now: dt.datetime) -> SelfCheck | None:
    return SelfCheck.objects.filter(student_id=student_id, week=this_week(now)).first()


def selfcheck_of_student(*, student_id: int, self_check_id: object) -> SelfCheck | None:
    """One of the student's self-checks by id (from a form: anything else is None)."""
    if not str(self_check_id).isdigit():
        return None
    return SelfCheck.objects.filter(student_id=student_id, pk=int(str(self_check_id))).first()


@dataclass(frozen=True)
class Raise:
    """Why a student's latest self-check asks for a conversation."""

    student_id: int
    self_check_id: int
    week: dt.date
    answered_at: dt.datetime
    reasons: tuple[str, ...]

    @property
    def detail(self) -> str:
        return "Wellbeing: " + "; ".join(self.reasons)


def raised_students(
    *,
    students: QuerySet[User] | Iterable[int],
    now: dt.datetime,
    seen_since: Mapping[int, dt.datetime | None] | None = None,
) -> dict[int, Raise]:
    """The students (of ``students``) whose latest self-check raises them, with why. One query.

    A raise holds for the week of the answer and the next (``RAISE_WEEKS``), until someone
    follows it up, or (``seen_since``: student id -> the last time a teacher held a check-in
    with them) until a conversation held after the answer.
    """
    current = this_week(now)
    oldest_raising = current - dt.timedelta(weeks=RAISE_WEEKS - 1)
    ids: Any = students.values("pk") if isinstance(students, QuerySet) else list(students)
    rows = (
        SelfCheck.objects.filter(
            student_id__in=ids,
            week__gte=oldest_raising - dt.timedelta(weeks=DROP_WEEKS),
            week__lte=current,
        )
        .order_by("student_id", "-week")
        .values_list(
            "student_id", "pk", "week", "feeling", "has_someone", "updated_at", "followed_up_at"
        )
    )
    by_student: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
    for row in rows:
        by_student[row[0]].append(row)
    raised = {}
    for sid, answers in by_student.items():
        _, pk, week, feeling, has_someone, updated_at, followed_up_at = answers[0]
        if week < oldest_raising or followed_up_at is not None:
            continue
        seen = (seen_since or {}).get(sid)
        if seen is not None and seen >= updated_at:
            continue
        reasons = concern_reasons(
            Answer(week, feeling, has_someone),
            [Answer(w, f, h) for _, _, w, f, h, _, _ in answers[1:]],
        )
        if reasons:
            raised[sid] = Raise(sid, pk, week, updated_at, tuple(reasons))
    return raised


@dataclass(frozen=True)
class RaisedRow:
    student: User
    raised: Raise

    @property
    def grade(self) -> str:
        return grade_label(self.student.grade) if self.student.grade else ""


def students_raised(*, viewer: Any, now: dt.datetime) -> list[RaisedRow]:
    """The students ``viewer`` may read whose self-checks raise them, most recent answer first.

    Two queries, whatever the size of the school.
    """
    visible = students_visible_to(viewer, wellbeing=True)
    raised = raised_students(students=visible, now=now)
    people = visible.filter(pk__in=list(raised)).in_bulk()
    rows = [RaisedRow(people[sid], r) for sid, r in raised.items() if sid in people]
    rows.sort(key=lambda row: (-row.raised.answered_at.timestamp(), row.student.display_name))
    return rows


@dataclass(frozen=True)
class WeekRow:
    """One week of a student's self-checks, in words."""

    week: dt.date
    check: SelfCheck | None
    change: str  # compared with the last answered week before it, in words; "" for none

    @property
    def level(self) -> int:
        return self.check.feeling if self.check else 0


@dataclass
class StudentWeeks:
    weeks: list[WeekRow] = field(default_factory=list)
    raised: Raise | None = None
    answered: int = 0


def student_weeks(*, student_id: int, now: dt.datetime) -> StudentWeeks:
    """The student's last ``HISTORY_WEEKS`` weeks, newest first, and whether they are raised."""
    current = this_week(now)
    first = current - dt.timedelta(weeks=HISTORY_WEEKS - 1)
    checks = {
        c.week: c
        for c in SelfCheck.objects.filter(
            student_id=student_id, week__gte=first, week__lte=current
        ).select_related("followed_up_by")
    }
    oldest_first = []
    previous: SelfCheck | None = None
    for n in range(HISTORY_WEEKS):
        week = first + dt.timedelta(weeks=n)
        check = checks.get(week)
        change = ""
        if check is not None and previous is not None:
            step = check.feeling - previous.feeling
            change = (
                "Same as the last answer"
                if step == 0
                else ("Better than" if step > 0 else "Worse than")
                + " the last answer"
                + (" by a lot" if abs(step) >= 2 else "")
            )
        if check is not None:
            previous = check
        oldest_first.append(WeekRow(week, check, change))
    raised = raised_students(students=[student_id], now=now).get(student_id)
    return StudentWeeks(list(reversed(oldest_first)), raised, len(checks))


@dataclass(frozen=True)
class WeekSummary:
    """The answers of one week over the students a counselor serves, small counts withheld."""

    week: dt.date
    answered: int | None  # None: fewer than `threshold` answered, so nothing is shown
    feelings: list[tuple[str, int | None]]
    someone: list[tuple[str, int | None]]
    threshold: int


def week_summary(*, viewer: Any, now: dt.datetime) -> WeekSummary:
    """How this week's answers fall, over the students ``viewer`` may read. One query.

    Counts only, never a student's answer; a count under the small-cell threshold (and
    whatever would let one be worked out from the total) is withheld.
    """
    week = this_week(now)
    answers = list(
        SelfCheck.objects.filter(
            student__in=students_visible_to(viewer, wellbeing=True), week=week
        ).values_list("feeling", "has_someone")
    )
    threshold = small_cell()
    if len(answers) < threshold:
        return WeekSummary(week, None, [], [], threshold)
    feelings = suppress_small(
        Counter(f for f, _ in answers), [f.value for f in Feeling], minimum=threshold
    )
    someone = suppress_small(
        Counter(h for _, h in answers), list(HelpAnswer.values), minimum=threshold
    )
    return WeekSummary(
        week,
        len(answers),
        [(str(f.label), feelings[f.value]) for f in reversed(Feeling)],
        [(str(h.label), someone[h.value]) for h in HelpAnswer],
        threshold,
    )
