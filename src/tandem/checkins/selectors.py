"""Reads of check-ins: a student's history, a teacher's plans, and who to see today."""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Count, F, Max, QuerySet

from tandem.checkins.constants import (
    BEHIND_MIN_MEDIAN,
    BEHIND_SHARE,
    CHECKIN_MAX_DAYS_UNSEEN,
    DAYS_CAP,
    NEED_POINTS,
    NEVER_SEEN_DAYS,
    OVERDUE_POINTS,
    RECENT_DAYS,
    CheckInStatus,
)
from tandem.checkins.models import CheckIn
from tandem.evidence.models import Statement
from tandem.goals.rules import today
from tandem.goals.selectors import goal_status_for_students
from tandem.mastery.constants import Status
from tandem.mastery.rules import STUCK_BELOW
from tandem.mastery.selectors import mastered_counts, mastery_grid
from tandem.profiles.selectors import accommodation_kinds
from tandem.roster.access import classes_visible_to, students_visible_to
from tandem.roster.constants import EnrollmentRole
from tandem.roster.models import Enrollment, User
from tandem.wellbeing.access import may_read_wellbeing
from tandem.wellbeing.selectors import raised_students


def checkin_history(*, student_id: int) -> QuerySet[CheckIn]:
    """A student's check-ins, newest first, with observations and next steps fetched."""
    return (
        CheckIn.objects.filter(student_id=student_id)
        .select_related("teacher")
        .prefetch_related(
            "observations__competency",
            "observations__statement__state_changes",
            "next_steps__goal__competency",
        )
        .order_by(F("held_at").desc(nulls_last=True), "-scheduled_for", "-pk")
    )


def scheduled_for_teacher(*, teacher: Any, student_ids: Iterable[int]) -> list[CheckIn]:
    """The teacher's planned check-ins with these students, soonest first (overdue ones too)."""
    return list(
        CheckIn.objects.filter(
            teacher=teacher, status=CheckInStatus.SCHEDULED, student_id__in=list(student_ids)
        )
        .select_related("student")
        .order_by("scheduled_for", "pk")
    )


@dataclass(frozen=True)
class Need:
    """A reason to talk to a student soon."""

    key: str  # stuck | behind | goals_missed | wellbeing
    label: str
    detail: str


@dataclass
class SeeRow:
    """One student in the who-to-see list, with the score that placed them and why."""

    student: User
    score: float
    last_check_in: dt.datetime | None
    days_since: int | None  # None: never had a check-in
    overdue: bool
    needs: list[Need] = field(default_factory=list)
    classes: list[str] = field(default_factory=list)
    next_scheduled: CheckIn | None = None
    # Active accommodations in words ("IEP", "504 plan"); only for students in a class the
    # viewer teaches (or any, for administrators), as ``accommodations_visible_to`` allows.
    accommodations: tuple[str, ...] = ()

    @property
    def seen_words(self) -> str:
        if self.days_since is None:
            return "No check-in yet"
        if self.days_since == 0:
            return "Last check-in today"
        days = "1 day" if self.days_since == 1 else f"{self.days_since} days"
        return f"Last check-in {days} ago"

    @property
    def reasons(self) -> list[str]:
        """Why the student is where they are in the list, in words."""
        words = [self.seen_words]
        if self.overdue:
            words[0] += f", more than {CHECKIN_MAX_DAYS_UNSEEN} days"
        words.extend(need.detail for need in self.needs)
        return words


def _days_since(moment: dt.datetime | None, now: dt.datetime) -> int | None:
    return None if moment is None else max((today(now) - today(moment)).days, 0)


def who_to_see(*, teacher: Any, now: dt.datetime) -> list[SeeRow]:
    """The teacher's students (across their classes) ranked by whom to see first.

    Score = min(days since the last held check-in, 60) (never: 60)
            + 7 per need (stuck, falling behind, goals missed: one need weighs a week unseen)
            + 30 if unseen for more than ``CHECKIN_MAX_DAYS_UNSEEN`` days.
    The overdue bonus puts everyone past the limit above everyone who is not; within each group,
    longer unseen and more needs rank higher; ties go to the name. Needs:

    - stuck: many (``TANDEM_STUCK_ATTEMPTS``) answers on a competency in the last 14 days and
      still far from mastery (below 60%);
    - falling behind: fewer than half the class median of competencies mastered (when that
      median is at least 2), or no work of their own for ``TANDEM_UNSEEN_DAYS`` days;
    - goals missed: goals from last week not done;
    - wellbeing: the student's own self-check this week or last was worrying (see
      ``tandem.wellbeing.rules``) and nobody has talked with them since. Only for a teacher:
      administrators do not read self-checks.

    A fixed number of queries, whatever the number of students (one more for the
    self-checks).
    """
    students = list(students_visible_to(teacher).order_by("last_name", "first_name", "pk"))
    ids = [s.pk for s in students]

    # Which of the teacher's classes each student is in (for the class median and the row).
    class_of: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for enrolment in Enrollment.objects.filter(
        user_id__in=ids,
        role=EnrollmentRole.STUDENT,
        school_class__in=classes_visible_to(teacher),
    ).values("user_id", "school_class_id", "school_class__title"):
        class_of[enrolment["user_id"]].append(
            (enrolment["school_class_id"], enrolment["school_class__title"])
        )

    mastered: dict[int, int] = defaultdict(int, mastered_counts(student_ids=ids, now=now))
    members: dict[int, list[int]] = defaultdict(list)
    for sid, classes in class_of.items():
        for class_id, _ in classes:
            members[class_id].append(mastered[sid])
    median = {class_id: statistics.median(counts) for class_id, counts in members.items()}

    # Recent answers of their own per competency (the stuck flag).
    stuck: dict[int, list[str]] = defaultdict(list)
    recent = (
        Statement.objects.filter(
            actor_id__in=ids,
            authority_id=F("actor_id"),
            timestamp__gte=now - dt.timedelta(days=RECENT_DAYS),
            result_success__isnull=False,
        )
        .values("actor_id", "competencies", "competencies__human_coding_scheme")
        .annotate(n=Count("id"))
        .order_by("actor_id", "competencies__human_coding_scheme")
    )
    many = [row for row in recent if row["n"] >= settings.TANDEM_STUCK_ATTEMPTS]
    # The learner states of those students' competencies only.
    grid = mastery_grid(
        student_ids={row["actor_id"] for row in many},
        competency_ids={row["competencies"] for row in many},
        now=now,
    )
    for row in many:
        state = grid.get((row["actor_id"], row["competencies"]))
        if state is not None and state.status != Status.MASTERED and state.p_mastery < STUCK_BELOW:
            stuck[row["actor_id"]].append(row["competencies__human_coding_scheme"])

    last_work = dict(
        Statement.objects.filter(actor_id__in=ids, authority_id=F("actor_id"))
        .values("actor_id")
        .annotate(last=Max("timestamp"))
        .values_list("actor_id", "last")
    )
    goals = goal_status_for_students(ids, now)
    last_seen = dict(
        CheckIn.objects.filter(student_id__in=ids, status=CheckInStatus.HELD)
        .values("student_id")
        .annotate(last=Max("held_at"))
        .values_list("student_id", "last")
    )
    # A conversation held after the answer counts as following it up.
    raised = (
        raised_students(students=ids, now=now, seen_since=last_seen)
        if may_read_wellbeing(teacher)
        else {}
    )
    # Students reached only through a group or session have no class here: no accommodations.
    kinds = accommodation_kinds(student_ids=list(class_of))
    next_planned: dict[int, CheckIn] = {}
    for planned in scheduled_for_teacher(teacher=teacher, student_ids=ids):
        next_planned.setdefault(planned.student_id, planned)

    rows = []
    for student in students:
        sid = student.pk
        needs = []
        if stuck[sid]:
            codes = ", ".join(stuck[sid][:3])
            needs.append(Need("stuck", "Stuck", f"Stuck: many recent answers on {codes}"))
        behind = _behind(
            mastered=mastered[sid],
            classes=class_of.get(sid, []),
            median=median,
            last_work=last_work.get(sid),
            now=now,
        )
        if behind:
            needs.append(Need("behind", "Falling behind", behind))
        missed = goals[sid].last_week_missed
        if missed:
            of = goals[sid].last_week_goals
            noun = "goal" if of == 1 else "goals"
            needs.append(
                Need("goals_missed", "Goals missed", f"Missed {missed} of {of} {noun} last week")
            )
        if sid in raised:
            needs.append(Need("wellbeing", "Wellbeing", raised[sid].detail))
        last = last_seen.get(sid)
        days = _days_since(last, now)
        overdue = days is None or days > CHECKIN_MAX_DAYS_UNSEEN
        score = (
            min(NEVER_SEEN_DAYS if days is None else days, DAYS_CAP)
            + NEED_POINTS * len(needs)
            + (OVERDUE_POINTS if overdue else 0)
        )
        rows.append(
            SeeRow(
                student=student,
                score=score,
                last_check_in=last,
                days_since=days,
                overdue=overdue,
                needs=needs,
                classes=[title for _, title in class_of.get(sid, [])],
                next_scheduled=next_planned.get(sid),
                accommodations=kinds.get(sid, ()),
            )
        )
    # Stable sort: equal scores keep the name order.
    rows.sort(key=lambda row: -row.score)
    return rows


def _behind(
    *,
    mastered: int,
    classes: list[tuple[int, str]],
    median: dict[int, float],
    last_work: dt.datetime | None,
    now: dt.datetime,
) -> str:
    """Why the student is falling behind, in words; "" if they are not."""
    for class_id, title in classes:
        class_median = median.get(class_id, 0)
        if class_median >= BEHIND_MIN_MEDIAN and mastered < BEHIND_SHARE * class_median:
            return f"Falling behind: {mastered} mastered, class median {class_median:g} ({title})"
    idle_days = settings.TANDEM_UNSEEN_DAYS
    if last_work is None:
        return "Falling behind: has not practiced yet"
    if now - last_work > dt.timedelta(days=idle_days):
        return f"Falling behind: no practice for {(now - last_work).days} days"
    return ""
