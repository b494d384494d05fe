"""Reads of goals and reflections: one student's weeks, and where many students stand, in bulk."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Count
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tandem.goals.constants import HISTORY_WEEKS, MAX_GOALS_PER_WEEK, GoalKind, GoalStatus
from tandem.goals.models import Reflection, WeeklyGoal
from tandem.goals.rules import (
    current_week,
    effective_status,
    previous_week,
    reflection_may_save,
    reflection_opens,
    week_end,
)


@dataclass(frozen=True)
class GoalView:
    """A goal as pages show it, with the status it has now (open goals of past weeks: missed)."""

    goal: WeeklyGoal
    status: str

    @property
    def pk(self) -> int:
        return self.goal.pk

    @property
    def status_label(self) -> str:
        return str(GoalStatus(self.status).label)

    @property
    def is_open(self) -> bool:
        return self.status == GoalStatus.OPEN

    @property
    def title(self) -> str:
        """The goal in a few words: its text, else its competency's code."""
        competency = self.goal.competency
        return self.goal.text or (competency.code if competency else "")

    @property
    def kind_label(self) -> str:
        return str(GoalKind(self.goal.kind).label)

    @property
    def set_by_teacher(self) -> bool:
        """Agreed with a teacher (a check-in's next step) rather than set by the student."""
        return self.goal.created_by_id != self.goal.student_id


@dataclass
class WeekView:
    """One week: its goals and the reflection on it."""

    week: dt.date
    goals: list[GoalView] = field(default_factory=list)
    reflection: Reflection | None = None

    @property
    def end(self) -> dt.date:
        return week_end(self.week)

    @property
    def done(self) -> int:
        return sum(1 for goal in self.goals if goal.status == GoalStatus.DONE)

    @property
    def summary(self) -> str:
        """ "2 of 3 goals done" / "No goals set"."""
        if not self.goals:
            return _("No goals set")
        n = len(self.goals)
        return ngettext("%(done)s of %(n)s goal done", "%(done)s of %(n)s goals done", n) % {
            "done": self.done,
            "n": n,
        }


@dataclass
class StudentGoals:
    """Everything the goals page shows one student (or their teacher)."""

    this_week: WeekView
    last_week: WeekView
    history: list[WeekView]
    # Weeks whose reflection can be written or edited now, oldest first.
    reflection_weeks: list[WeekView]
    reflection_opens_on: dt.date

    @property
    def room_for(self) -> int:
        return max(MAX_GOALS_PER_WEEK - len(self.this_week.goals), 0)


def _goal_rows(student_ids: Iterable[int], since: dt.date) -> list[WeeklyGoal]:
    return list(
        WeeklyGoal.objects.filter(student_id__in=list(student_ids), week__gte=since)
        .select_related("competency", "created_by")
        .order_by("week", "created_at", "pk")
    )


def student_goals(
    *,
    student_id: int,
    now: dt.datetime,
    history_weeks: int = HISTORY_WEEKS,
    with_reflections: bool = True,
) -> StudentGoals:
    """This week, last week and the weeks before, with their reflections. Two queries.

    ``with_reflections=False`` leaves every reflection out (one query): for pages whose reader
    may see the goals but not the reflections, such as a guardian's.
    """
    this_week = current_week(now)
    since = this_week - dt.timedelta(weeks=history_weeks)
    weeks: dict[dt.date, WeekView] = {}

    def week_view(week: dt.date) -> WeekView:
        return weeks.setdefault(week, WeekView(week))

    for goal in _goal_rows([student_id], since):
        status = effective_status(status=goal.status, week=goal.week, this_week=this_week)
        week_view(goal.week).goals.append(GoalView(goal, status))
    if with_reflections:
        reflections = Reflection.objects.filter(student_id=student_id, week__gte=since).annotate(
            n_versions=Count("revisions")
        )
        for reflection in reflections:
            week_view(reflection.week).reflection = reflection
    current, last = week_view(this_week), week_view(previous_week(this_week))
    open_for_reflection = [
        view
        for view in (last, current)
        if with_reflections
        and reflection_may_save(
            week=view.week,
            now=now,
            existing_created_at=view.reflection.created_at if view.reflection else None,
        )
    ]
    history = sorted(
        (view for week, view in weeks.items() if week < this_week),
        key=lambda view: view.week,
        reverse=True,
    )
    return StudentGoals(
        this_week=current,
        last_week=last,
        history=history,
        reflection_weeks=open_for_reflection,
        reflection_opens_on=reflection_opens(this_week),
    )


@dataclass(frozen=True)
class StudentGoalStatus:
    """Where one student stands with this week's goals and last week's reflection."""

    student_id: int
    goals_set: int = 0
    goals_done: int = 0
    reflected_last_week: bool = False
    last_week_goals: int = 0
    last_week_done: int = 0

    @property
    def has_set_goals(self) -> bool:
        return self.goals_set > 0

    @property
    def last_week_missed(self) -> int:
        return self.last_week_goals - self.last_week_done

    @property
    def needs_a_nudge(self) -> bool:
        """Has not set goals this week, or has not reflected on last week."""
        return not self.has_set_goals or not self.reflected_last_week

    @property
    def goals_words(self) -> str:
        if not self.goals_set:
            return "Has not set goals this week"
        noun = "goal" if self.goals_set == 1 else "goals"
        return f"{self.goals_set} {noun} set this week, {self.goals_done} done"

    @property
    def reflection_words(self) -> str:
        if self.reflected_last_week:
            return "Reflected on last week"
        return "Has not reflected on last week"

    @property
    def last_week_words(self) -> str:
        if not self.last_week_goals:
            return "No goals last week"
        return f"{self.last_week_done} of {self.last_week_goals} done last week"


def goal_status_for_students(
    student_ids: Iterable[int], now: dt.datetime
) -> dict[int, StudentGoalStatus]:
    """Goals this week (set, done), last week (set, done) and whether last week was reflected
    on, for every student in ``student_ids``. Two queries, whatever the number of students."""
    ids = list(student_ids)
    this_week = current_week(now)
    last_week = previous_week(this_week)
    counts: dict[int, dict[str, int]] = defaultdict(
        lambda: {"set": 0, "done": 0, "last_set": 0, "last_done": 0}
    )
    rows = (
        WeeklyGoal.objects.filter(student_id__in=ids, week__in=[this_week, last_week])
        .values("student_id", "week", "status")
        .annotate(n=Count("id"))
    )
    for row in rows:
        prefix = "" if row["week"] == this_week else "last_"
        entry = counts[row["student_id"]]
        entry[f"{prefix}set"] += row["n"]
        if row["status"] == GoalStatus.DONE:
            entry[f"{prefix}done"] += row["n"]
    reflected = set(
        Reflection.objects.filter(student_id__in=ids, week=last_week).values_list(
            "student_id", flat=True
        )
    )
    return {
        sid: StudentGoalStatus(
            student_id=sid,
            goals_set=counts[sid]["set"],
            goals_done=counts[sid]["done"],
            reflected_last_week=sid in reflected,
            last_week_goals=counts[sid]["last_set"],
            last_week_done=counts[sid]["last_done"],
        )
        for sid in ids
    }
