"""Reads of mini-lesson groups: suggestions from the live learner state, a group's members and
their estimates, its mini-lessons, and the mini-lessons a teacher leads on a day.

Suggestions read every estimate in the scope in one query (``mastery_grid``, the statuses every
page shows) and the prerequisite graph from memory.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, QuerySet

from tandem.competencies.models import Competency
from tandem.competencies.selectors import prerequisites_map
from tandem.content.selectors import practisable_competencies
from tandem.groups.access import students_groupable_by
from tandem.groups.constants import (
    SUGGESTION_LIMIT,
    SUGGESTION_MIN,
    GroupStatus,
    LessonStatus,
    Need,
    Scope,
)
from tandem.groups.models import GroupMember, LessonAttendance, MiniLesson, MiniLessonGroup
from tandem.mastery.constants import Status
from tandem.mastery.rules import (
    NEARLY_THERE_AT,
    READY_PREREQUISITE_AT,
    STUCK_BELOW,
    is_stuck,
)
from tandem.mastery.selectors import MasteryView, mastery_grid
from tandem.roster.access import classes_visible_to, enrollment_in_force
from tandem.roster.constants import EnrollmentRole, grade_label, grade_rank
from tandem.roster.models import SchoolClass, User

# A group's members have mastered its competency when every estimate says so.
MASTERED_FOR_GROUP = frozenset({Status.MASTERED, Status.PROBABLY_MASTERED})


@dataclass(frozen=True)
class SuggestedStudent:
    student: User
    need: str  # Need
    view: MasteryView | None

    @property
    def need_label(self) -> str:
        return Need(self.need).label

    @property
    def grade(self) -> str:
        return grade_label(self.student.grade) if self.student.grade else ""


@dataclass
class Suggestion:
    """Students who share a need on one competency: a mini-lesson group to form."""

    competency: Competency
    students: list[SuggestedStudent] = field(default_factory=list)
    # The teacher's open group on this competency, if any: add the students there instead.
    open_group_id: int | None = None

    @property
    def size(self) -> int:
        return len(self.students)

    @property
    def stuck(self) -> int:
        return sum(1 for s in self.students if s.need == Need.STUCK)

    @property
    def ready(self) -> int:
        return sum(1 for s in self.students if s.need == Need.READY)

    @property
    def grades(self) -> list[str]:
        codes = sorted({s.student.grade for s in self.students if s.student.grade}, key=grade_rank)
        return [grade_label(code) for code in codes]

    @property
    def why(self) -> str:
        parts = []
        if self.stuck:
            parts.append(
                f"{self.stuck} stuck (many tries, still under {round(STUCK_BELOW * 100)}%)"
            )
        if self.ready:
            parts.append(f"{self.ready} ready (its prerequisites mastered, not learned yet)")
        return " and ".join(parts)


def scope_students(
    *, teacher: User, scope: Scope, school_class: SchoolClass | None = None
) -> QuerySet[User]:
    """The students a suggestion looks at: one class (already accessed by the caller), the
    teacher's classes, or every student the teacher may group (the school, all grades)."""
    students = User.objects.filter(is_active=True, role="student")
    if scope == Scope.CLASS:
        if school_class is None:
            return students.none()
        classes: QuerySet[SchoolClass] | list[SchoolClass] = [school_class]
    elif scope == Scope.MINE:
        classes = classes_visible_to(teacher)
    else:
        return students_groupable_by(teacher)
    return students.filter(
        pk__in=User.objects.filter(
            enrollment_in_force("enrollments__"),
            enrollments__role=EnrollmentRole.STUDENT,
            enrollments__school_class__in=classes,
        ).values("pk")
    )


def _needs(
    *,
    student: User,
    views: dict[int, MasteryView],
    practisable: dict[int, Competency],
    prereqs: dict[int, set[int]],
) -> dict[int, str]:
    """The competencies this student is stuck on or ready for, with which."""
    own_rank = grade_rank(student.grade) if student.grade else None
    needs: dict[int, str] = {}
    for cid, comp in practisable.items():
        view = views.get(cid)
        if view is not None and is_stuck(view.status, view.n_attempts, view.p_mastery):
            needs[cid] = Need.STUCK
            continue
        if view is not None and (
            view.status not in (Status.NOT_STARTED, Status.LEARNING)
            or view.p_mastery >= NEARLY_THERE_AT
        ):
            continue  # mastered, or nearly there: practice will do, no lesson needed
        if own_rank is not None and comp.grade_rank > own_rank:
            continue  # not due yet: later grades' standards are not a need
        needed = [p for p in prereqs.get(cid, ()) if p in practisable]
        if needed and all(
            (m := views.get(p)) is not None and m.p_mastery >= READY_PREREQUISITE_AT for p in needed
        ):
            needs[cid] = Need.READY
    return needs


def group_suggestions(
    *,
    teacher: User,
    scope: Scope,
    now: dt.datetime,
    school_class: SchoolClass | None = None,
    competency_id: int | None = None,
    limit: int = SUGGESTION_LIMIT,
    min_size: int = SUGGESTION_MIN,
) -> list[Suggestion]:
    """Competencies on which at least ``min_size`` students in the scope are stuck or
    ready, most students first (then most stuck, then the earliest grade); each member once per
    competency. Students already in the teacher's open group on it are left out."""
    students = list(
        scope_students(teacher=teacher, scope=scope, school_class=school_class).order_by(
            "last_name", "first_name", "pk"
        )
    )
    practisable = practisable_competencies()
    if competency_id is not None:
        wanted = {competency_id} if competency_id in practisable else set()
    else:
        wanted = set(practisable)
    prereqs = prerequisites_map(practisable.keys())
    grid = mastery_grid(student_ids=[s.pk for s in students], competency_ids=None, now=now)
    by_student: dict[int, dict[int, MasteryView]] = defaultdict(dict)
    for (sid, cid), view in grid.items():
        by_student[sid][cid] = view
    open_groups = dict(
        MiniLessonGroup.objects.filter(leader=teacher, status=GroupStatus.OPEN).values_list(
            "competency_id", "pk"
        )
    )
    grouped = set(
        GroupMember.objects.filter(
            group__leader=teacher, group__status=GroupStatus.OPEN
        ).values_list("group__competency_id", "student_id")
    )
    suggestions: dict[int, Suggestion] = {}
    for student in students:
        views = by_student.get(student.pk, {})
        for cid, need in _needs(
            student=student, views=views, practisable=practisable, prereqs=prereqs
        ).items():
            if cid not in wanted or (cid, student.pk) in grouped:
                continue
            suggestion = suggestions.setdefault(
                cid, Suggestion(practisable[cid], open_group_id=open_groups.get(cid))
            )
            suggestion.students.append(SuggestedStudent(student, need, views.get(cid)))
    ranked = [s for s in suggestions.values() if s.size >= min_size]
    ranked.sort(key=lambda s: (-s.size, -s.stuck, s.competency.grade_rank, s.competency.list_order))
    for suggestion in ranked:
        suggestion.students.sort(key=lambda s: (s.need != Need.STUCK, s.student.last_name))
    return ranked[:limit]


# ---------- a group ----------


@dataclass(frozen=True)
class MemberState:
    student: User
    view: MasteryView | None

    @property
    def mastered(self) -> bool:
        return self.view is not None and self.view.status in MASTERED_FOR_GROUP

    @property
    def grade(self) -> str:
        return grade_label(self.student.grade) if self.student.grade else ""


def group_member_states(*, group: MiniLessonGroup, now: dt.datetime) -> list[MemberState]:
    """Each member and their estimate on the group's competency now."""
    members = [m.student for m in group.members.select_related("student")]
    grid = mastery_grid(
        student_ids=[s.pk for s in members], competency_ids=[group.competency_id], now=now
    )
    return [MemberState(s, grid.get((s.pk, group.competency_id))) for s in members]


def group_ready_to_end(states: Iterable[MemberState]) -> bool:
    """Whether every member has mastered the group's competency (then the group may end)."""
    states = list(states)
    return bool(states) and all(state.mastered for state in states)


def group_lessons(*, group: MiniLessonGroup) -> list[MiniLesson]:
    """The group's mini-lessons, soonest first, each with its attendance (and students)."""
    return list(
        group.lessons.prefetch_related(
            Prefetch(
                "attendance",
                queryset=LessonAttendance.objects.select_related("student"),
            )
        )
    )


@dataclass(frozen=True)
class GroupSummary:
    group: MiniLessonGroup
    members: int
    next_lesson: MiniLesson | None


def groups_led(*, groups: QuerySet[MiniLessonGroup]) -> list[GroupSummary]:
    """The groups given (already filtered by access), with member counts and next lesson."""
    rows = list(groups.annotate(n_members=Count("members", distinct=True)))
    upcoming: dict[int, MiniLesson] = {}
    for lesson in MiniLesson.objects.filter(
        group__in=[g.pk for g in rows], status=LessonStatus.PLANNED
    ).order_by("date", "start_time", "pk"):
        upcoming.setdefault(lesson.group_id, lesson)
    return [GroupSummary(g, g.n_members, upcoming.get(g.pk)) for g in rows]


@dataclass(frozen=True)
class GroupMeeting:
    """A mini-lesson the teacher leads on a given day (for the teacher's Today page)."""

    lesson_id: int
    group_id: int
    competency_code: str
    competency_statement: str
    start_time: dt.time | None
    room: str
    members: int
    held: bool


def groups_meeting(*, teacher: User, day: dt.date) -> list[GroupMeeting]:
    """The mini-lessons of open groups ``teacher`` leads on ``day``, by start time (untimed
    last), held or not, in one query."""
    lessons = (
        MiniLesson.objects.filter(group__leader=teacher, group__status=GroupStatus.OPEN, date=day)
        .select_related("group__competency")
        .annotate(n_members=Count("group__members", distinct=True))
    )
    meetings = [
        GroupMeeting(
            lesson_id=lesson.pk,
            group_id=lesson.group_id,
            competency_code=lesson.group.competency.code,
            competency_statement=lesson.group.competency.full_statement,
            start_time=lesson.start_time,
            room=lesson.room,
            members=lesson.n_members,
            held=lesson.status == LessonStatus.HELD,
        )
        for lesson in lessons
    ]
    meetings.sort(key=lambda m: (m.start_time is None, m.start_time or dt.time(), m.lesson_id))
    return meetings
