"""Reads for teachers: a class at a glance, with flags for who needs attention, and the
teacher's Today queue (what waits for them across their classes)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Count, IntegerField, Max, Q, QuerySet, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator

from tandem.checkins.constants import CheckInStatus
from tandem.checkins.models import CheckIn
from tandem.checkins.selectors import who_to_see
from tandem.competencies.models import Competency
from tandem.content.selectors import practisable_codes
from tandem.evidence.models import Statement
from tandem.mastery.constants import Status
from tandem.mastery.selectors import MasteryView, mastery_grid
from tandem.pathways.constants import PathwayStatus
from tandem.pathways.models import Pathway
from tandem.practice.models import WrittenAnswer
from tandem.profiles.selectors import accommodation_kinds
from tandem.projects.constants import ProjectStatus
from tandem.projects.models import StudentProject
from tandem.roster.access import classes_visible_to, enrollment_in_force
from tandem.roster.constants import EnrollmentRole, Role
from tandem.roster.models import Enrollment, SchoolClass, User
from tandem.roster.selectors import class_students

RECENT_WINDOW = 10
READY_ACCURACY = 0.85


@dataclass(frozen=True)
class Flag:
    key: str  # stuck | unseen | ready
    label: str
    detail: str


@dataclass
class StudentRow:
    student: User
    focus: Competency | None = None
    cells: list[MasteryView | None] = field(default_factory=list)
    flags: list[Flag] = field(default_factory=list)
    last_active: dt.datetime | None = None
    mastered_count: int = 0


@dataclass
class ClassGrid:
    school_class: SchoolClass
    competencies: list[Competency]
    rows: list[StudentRow]
    domains: list[tuple[str, str]]
    grades: list[tuple[int, str]]


def _flags(
    *,
    states: list[MasteryView],
    recent: list[bool],
    last_active: dt.datetime | None,
    now: dt.datetime,
    comps: dict[int, Competency],
) -> list[Flag]:
    flags = []
    stuck_after = settings.TANDEM_STUCK_ATTEMPTS
    stuck = [
        s
        for s in states
        if s.status == Status.LEARNING and s.n_attempts >= stuck_after and s.p_mastery < 0.6
    ]
    if stuck:
        codes = ", ".join(
            comps[s.competency_id].code for s in stuck[:3] if s.competency_id in comps
        )
        flags.append(Flag("stuck", "Stuck", f"Many attempts without progress on {codes}"))
    unseen_days = settings.TANDEM_UNSEEN_DAYS
    if last_active is None or now - last_active > dt.timedelta(days=unseen_days):
        since = "never" if last_active is None else f"{(now - last_active).days} days ago"
        flags.append(Flag("unseen", "Not practicing", f"Last practice: {since}"))
    if len(recent) >= RECENT_WINDOW and sum(recent) / len(recent) >= READY_ACCURACY:
        flags.append(
            Flag("ready", "Ready to advance", f"{sum(recent)} of last {len(recent)} right")
        )
    return flags


def class_grid(
    *, school_class: SchoolClass, now: dt.datetime, domain: str = "", grade_rank: int | None = None
) -> ClassGrid:
    """Students × competencies for one class, plus each student's focus and flags.

    A fixed number of queries whatever the class size.
    """
    students = list(class_students(school_class))
    student_ids = [s.pk for s in students]
    all_comps = list(
        Competency.objects.filter(human_coding_scheme__in=practisable_codes()).order_by(
            "grade_rank", "list_order"
        )
    )
    comps_by_id = {c.pk: c for c in all_comps}
    domains = sorted({(c.domain_code, c.domain_name) for c in all_comps})
    grades = sorted({(c.grade_rank, c.grade_label) for c in all_comps})
    shown = [
        c
        for c in all_comps
        if (not domain or c.domain_code == domain)
        and (grade_rank is None or c.grade_rank == grade_rank)
    ]
    grid = mastery_grid(student_ids=student_ids, competency_ids=None, now=now)
    by_student: dict[int, list[MasteryView]] = defaultdict(list)
    for (sid, _), view in grid.items():
        by_student[sid].append(view)
    activity: dict[int, dict[str, Any]] = {
        row["actor_id"]: dict(row)
        for row in Statement.objects.filter(actor_id__in=student_ids)
        .values("actor_id")
        .annotate(
            last=Max("timestamp"), n=Count("id"), n_ok=Count("id", filter=Q(result_success=True))
        )
    }
    recent: dict[int, list[bool]] = defaultdict(list)
    since = now - dt.timedelta(days=14)
    for actor_id, success in (
        Statement.objects.filter(actor_id__in=student_ids, timestamp__gte=since)
        .order_by("actor_id", "-timestamp")
        .values_list("actor_id", "result_success")
    ):
        if len(recent[actor_id]) < RECENT_WINDOW:
            recent[actor_id].append(bool(success))
    rows = []
    for student in students:
        states = by_student.get(student.pk, [])
        last_active = activity.get(student.pk, {}).get("last")
        learning = [s for s in states if s.status in (Status.LEARNING, Status.NEEDS_REVIEW)]
        focus_view = max(learning, key=lambda s: s.last_evidence_at or now, default=None)
        rows.append(
            StudentRow(
                student=student,
                focus=comps_by_id.get(focus_view.competency_id) if focus_view else None,
                cells=[grid.get((student.pk, c.pk)) for c in shown],
                flags=_flags(
                    states=states,
                    recent=recent.get(student.pk, []),
                    last_active=last_active,
                    now=now,
                    comps=comps_by_id,
                ),
                last_active=last_active,
                mastered_count=sum(1 for s in states if s.status == Status.MASTERED),
            )
        )
    return ClassGrid(school_class, shown, rows, domains, grades)


# ---------- the Today queue ----------

# Entries listed per section (the count is always the whole number).
QUEUE_SHOWN = 25
# A student stuck or not practicing leaves the queue once the teacher has a check-in planned
# with them, or held one within these days.
SEEN_RECENTLY_DAYS = 7
# The needs from "who to see today" that the queue lists (not "goals missed").
QUEUE_NEEDS = ("stuck", "behind")


@dataclass(frozen=True)
class QueueEntry:
    """One thing waiting for the teacher, with the page where they act on it."""

    student: User
    what: str  # "Pathway of 9 steps", "Written answer to ‘Explain …’"
    url: str
    since: dt.datetime | None = None
    notes: tuple[str, ...] = ()  # reasons, in words
    accommodations: tuple[str, ...] = ()  # "IEP", "504 plan" (teachers only)


@dataclass(frozen=True)
class QueueSection:
    """A kind of work in the Today queue: its heading, what acting means, and the entries."""

    key: str
    title: str
    action: str  # the button-like words on each entry: "Review", "Score"
    empty: str  # what to say when nothing waits
    count: int
    entries: list[QueueEntry]
    more_url: str = ""  # where the whole list is, when more than are shown


@dataclass(frozen=True)
class TeacherScope:
    """The teacher's own students (those in the classes they teach) and a class of each,
    fetched once and shared by every queue section."""

    teacher: User
    class_of: dict[int, int]  # student id -> one of the teacher's classes they are in

    @property
    def student_ids(self) -> list[int]:
        return list(self.class_of)


def teacher_scope(*, teacher: User) -> TeacherScope:
    """The students enrolled (now) in the teacher's classes; one query.

    Deliberately the classes only: a student the teacher reaches through a group or a flex
    session belongs to another teacher's queue.
    """
    class_of: dict[int, int] = {}
    for student_id, class_id in (
        _own_enrollments(teacher)
        .order_by("school_class_id", "user_id")
        .values_list("user_id", "school_class_id")
    ):
        class_of.setdefault(student_id, class_id)
    return TeacherScope(teacher=teacher, class_of=class_of)


def _pathways_waiting(scope: TeacherScope) -> QuerySet[Pathway]:
    return Pathway.objects.filter(student_id__in=scope.student_ids, status=PathwayStatus.DRAFT)


def _proposals_waiting(scope: TeacherScope) -> QuerySet[StudentProject]:
    return StudentProject.objects.filter(
        student_id__in=scope.student_ids, status=ProjectStatus.PROPOSED
    )


def _projects_to_score(scope: TeacherScope) -> QuerySet[StudentProject]:
    return StudentProject.objects.filter(
        student_id__in=scope.student_ids, status=ProjectStatus.SUBMITTED
    )


def _written_waiting(scope: TeacherScope) -> QuerySet[WrittenAnswer]:
    return WrittenAnswer.objects.filter(student_id__in=scope.student_ids, scores__isnull=True)


def _end_of_day(now: dt.datetime) -> dt.datetime:
    return timezone.localtime(now).replace(hour=23, minute=59, second=59, microsecond=999999)


def _checkins_due(scope: TeacherScope, now: dt.datetime) -> QuerySet[CheckIn]:
    return CheckIn.objects.filter(
        teacher=scope.teacher,
        student_id__in=scope.student_ids,
        status=CheckInStatus.SCHEDULED,
        scheduled_for__lte=_end_of_day(now),
    )


def _section(
    *,
    key: str,
    title: str,
    action: str,
    empty: str,
    entries: list[QueueEntry],
    count: int | None = None,
    more_url: str = "",
) -> QueueSection:
    total = len(entries) if count is None else count
    return QueueSection(
        key=key,
        title=title,
        action=action,
        empty=empty,
        count=total,
        entries=entries[:QUEUE_SHOWN],
        more_url=more_url if total > QUEUE_SHOWN else "",
    )


def queue_pathways(scope: TeacherScope, now: dt.datetime) -> QueueSection:
    """Students' pathways waiting for the teacher's approval, oldest first."""
    pathways = list(
        _pathways_waiting(scope)
        .select_related("student")
        .annotate(n_steps=Count("steps"))
        .order_by("updated_at", "pk")
    )
    entries = [
        QueueEntry(
            student=p.student,
            what=f"Pathway of {p.n_steps} step{'' if p.n_steps == 1 else 's'}",
            url=reverse("pathways:student", args=[p.student_id]),
            since=p.updated_at,
        )
        for p in pathways
    ]
    return _section(
        key="pathways",
        title="Pathways to approve",
        action="Review and approve",
        empty="No pathway is waiting for your approval.",
        entries=entries,
    )


def queue_proposals(scope: TeacherScope, now: dt.datetime) -> QueueSection:
    """Project proposals waiting for a decision, oldest first."""
    projects = list(
        _proposals_waiting(scope).select_related("student").order_by("updated_at", "pk")
    )
    entries = [
        QueueEntry(
            student=p.student,
            what=f"Project proposal: {p.title}",
            url=reverse("projects:teacher_project", args=[p.pk]),
            since=p.updated_at,
        )
        for p in projects
    ]
    return _section(
        key="proposals",
        title="Project proposals to review",
        action="Review",
        empty="No project proposal is waiting.",
        entries=entries,
        more_url=reverse("projects:review"),
    )


def queue_work_to_score(scope: TeacherScope, now: dt.datetime) -> QueueSection:
    """Written answers without a score and projects handed in, oldest first."""
    answers = list(
        _written_waiting(scope).select_related("student", "item").order_by("submitted_at", "pk")
    )
    projects = list(
        _projects_to_score(scope).select_related("student").order_by("updated_at", "pk")
    )
    entries = [
        QueueEntry(
            student=a.student,
            what=f"Written answer: {Truncator(a.item.stem).chars(70)}",
            url=reverse("teaching:written_score", args=[scope.class_of[a.student_id], a.pk]),
            since=a.submitted_at,
        )
        for a in answers
    ] + [
        QueueEntry(
            student=p.student,
            what=f"Project handed in: {p.title}",
            url=reverse("projects:teacher_project", args=[p.pk]),
            since=p.updated_at,
        )
        for p in projects
    ]
    entries.sort(key=lambda e: e.since or now)
    return _section(
        key="score",
        title="Work to score",
        action="Score",
        empty="Nothing is waiting for a score.",
        entries=entries,
    )


def queue_checkins(scope: TeacherScope, now: dt.datetime) -> QueueSection:
    """Check-ins the teacher planned for today or earlier and has not held yet."""
    planned = list(
        _checkins_due(scope, now).select_related("student").order_by("scheduled_for", "pk")
    )
    today = timezone.localdate(now)
    entries = [
        QueueEntry(
            student=c.student,
            what="Check-in planned for today"
            if c.scheduled_for and timezone.localdate(c.scheduled_for) == today
            else "Check-in overdue",
            url=f"{reverse('checkins:record', args=[c.student_id])}?scheduled={c.pk}",
            since=c.scheduled_for,
        )
        for c in planned
    ]
    return _section(
        key="checkins",
        title="Check-ins due",
        action="Hold the check-in",
        empty="No check-in is due today.",
        entries=entries,
    )


def queue_students_to_see(scope: TeacherScope, now: dt.datetime) -> QueueSection:
    """Students stuck or not practicing (from "who to see today") whom the teacher has not
    seen lately and has no check-in planned with."""
    own = set(scope.class_of)
    entries = []
    for row in who_to_see(teacher=scope.teacher, now=now):
        needs = [n for n in row.needs if n.key in QUEUE_NEEDS]
        if row.student.pk not in own or not needs or row.next_scheduled is not None:
            continue
        if row.days_since is not None and row.days_since < SEEN_RECENTLY_DAYS:
            continue
        entries.append(
            QueueEntry(
                student=row.student,
                what=", ".join(n.label for n in needs),
                url=reverse("checkins:student", args=[row.student.pk]),
                notes=tuple([n.detail for n in needs] + [row.seen_words]),
            )
        )
    kinds = accommodation_kinds(student_ids=[e.student.pk for e in entries])
    entries = [
        QueueEntry(e.student, e.what, e.url, e.since, e.notes, kinds.get(e.student.pk, ()))
        for e in entries
    ]
    return _section(
        key="see",
        title="Students stuck or not practicing",
        action="Plan a check-in",
        empty="Nobody is stuck or idle without a check-in planned.",
        entries=entries,
        more_url=reverse("checkins:today"),
    )


QueueBuilder = Callable[[TeacherScope, dt.datetime], QueueSection]

# The Today page's sections, in order. Each is one small selector; add one here to add a section.
TODAY_SECTIONS: list[QueueBuilder] = [
    queue_pathways,
    queue_proposals,
    queue_work_to_score,
    queue_checkins,
    queue_students_to_see,
]


def today_queue(*, teacher: User, now: dt.datetime) -> list[QueueSection]:
    """Everything waiting for the teacher today, one section per kind of work."""
    scope = teacher_scope(teacher=teacher)
    return [build(scope, now) for build in TODAY_SECTIONS]


def _own_enrollments(teacher: User) -> QuerySet[Enrollment]:
    """The enrollments (in force) of the teacher's own students in the teacher's classes."""
    return Enrollment.objects.filter(
        enrollment_in_force(),
        school_class__in=classes_visible_to(teacher).values("pk"),
        role=EnrollmentRole.STUDENT,
        user__is_active=True,
        user__role=Role.STUDENT,
    )


class _SubqueryCount(Subquery):
    """The number of rows a queryset would give, as a scalar subquery."""

    template = "(SELECT COUNT(*) FROM (%(subquery)s) AS _counted)"
    output_field = IntegerField()


def open_item_count(*, teacher: User, now: dt.datetime) -> int:
    """How many things wait for the teacher to act on them, for the navigation: pathways,
    proposals and projects handed in, written answers to score and check-ins due. One query
    (a counting subquery each), whatever the numbers.

    Students to see are left out: finding them needs every student's learner state, too much
    for a number on every page; the Today page lists them.
    """
    ids = _own_enrollments(teacher).values("user_id")
    waiting = [
        Pathway.objects.filter(student_id__in=ids, status=PathwayStatus.DRAFT),
        StudentProject.objects.filter(
            student_id__in=ids, status__in=(ProjectStatus.PROPOSED, ProjectStatus.SUBMITTED)
        ),
        WrittenAnswer.objects.filter(student_id__in=ids, scores__isnull=True),
        CheckIn.objects.filter(
            teacher=teacher,
            student_id__in=ids,
            status=CheckInStatus.SCHEDULED,
            scheduled_for__lte=_end_of_day(now),
        ),
    ]
    counts = User.objects.filter(pk=teacher.pk).values_list(
        *[_SubqueryCount(q.order_by().values("pk")) for q in waiting]
    )
    row = counts.first()
    return sum(row) if row else 0
