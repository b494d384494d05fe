"""Reads for teachers: a class at a glance, with flags for who needs attention, and the
teacher's Today queue (what waits for them across their classes)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from django.conf import settings
from django.db.models import (
    BooleanField,
    Count,
    ExpressionWrapper,
    F,
    IntegerField,
    Max,
    Q,
    QuerySet,
    Subquery,
)
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator

from tandem.checkins.constants import CheckInStatus
from tandem.checkins.models import CheckIn
from tandem.checkins.selectors import who_to_see
from tandem.competencies.models import Competency
from tandem.content.selectors import practisable_competencies
from tandem.evidence.models import Statement
from tandem.flex.selectors import sessions_to_take_attendance
from tandem.groups.selectors import groups_meeting
from tandem.mastery.constants import Status
from tandem.mastery.models import LearnerState
from tandem.mastery.rules import (
    is_stuck,
    is_uncertain,
    review_due_after_days,
    review_rule,
    uncertainty,
)
from tandem.mastery.selectors import MasteryView
from tandem.pathways.constants import PathwayStatus
from tandem.pathways.models import Pathway
from tandem.practice.models import Attempt, WrittenAnswer
from tandem.practice.policy import CHOSEN_REASON_PREFIX
from tandem.profiles.selectors import accommodation_kinds
from tandem.projects.constants import ProjectStatus
from tandem.projects.models import StudentProject
from tandem.roster.access import classes_visible_to, enrollment_in_force
from tandem.roster.constants import GRADES, EnrollmentRole, Role
from tandem.roster.constants import grade_rank as grade_code_rank
from tandem.roster.models import Enrollment, SchoolClass, User
from tandem.roster.selectors import class_students
from tandem_engine.agency import (
    EASY_CHOICE,
    LIKELY,
    AgencyEvidence,
    AgencySignal,
    class_agency_signals,
)

RECENT_WINDOW = 10
READY_ACCURACY = 0.85


@dataclass(frozen=True)
class Flag:
    key: str  # stuck | unseen | ready
    label: str
    detail: str


class GridSort(StrEnum):
    """How the class grid orders its students."""

    NEED = "need"  # stuck first, then not practicing, then most earlier gaps, least progress
    NAME = "name"
    PROGRESS = "progress"  # most of the grade-level competencies mastered first


@dataclass(frozen=True)
class GapColumn:
    """One domain's below-grade competencies folded into a single column: per student, how
    many of them they are still learning or due to review."""

    domain_code: str
    domain_name: str
    competency_ids: tuple[int, ...]


@dataclass
class StudentRow:
    student: User
    focus: Competency | None = None
    cells: list[MasteryView | None] = field(default_factory=list)
    flags: list[Flag] = field(default_factory=list)
    last_active: dt.datetime | None = None
    mastered_count: int = 0  # of the shown competencies
    gaps: list[int] = field(default_factory=list)  # aligned with ClassGrid.gap_columns
    accommodations: tuple[str, ...] = ()  # "IEP", "504 plan"
    grade_mastered: int = 0  # of the class's grade-level competencies shown

    @property
    def gap_total(self) -> int:
        return sum(self.gaps)

    def has_flag(self, key: str) -> bool:
        return any(flag.key == key for flag in self.flags)


@dataclass
class ClassGrid:
    school_class: SchoolClass
    competencies: list[Competency]  # the columns, in order (expanded earlier ones first)
    rows: list[StudentRow]
    domains: list[tuple[str, str]]
    grades: list[tuple[int, str]]
    gap_columns: list[GapColumn] = field(default_factory=list)  # shown before the competencies
    grade_ranks: tuple[int, ...] = ()  # the class's grade level(s); () when not known
    grade_level_count: int = 0  # how many grade-level competencies are shown
    expandable: list[tuple[str, str]] = field(default_factory=list)  # domains with earlier ones
    expanded: tuple[str, ...] = ()


def class_grade_ranks(school_class: SchoolClass) -> tuple[int, ...]:
    """The grade level(s) the class teaches, as competency grade ranks: the course's grades, else
    the class's own; () when neither says."""
    codes = school_class.course.grades or school_class.grades or []
    return tuple(sorted({grade_code_rank(str(code)) for code in codes if str(code) in GRADES}))


_CELL_FIELDS = (
    "student_id",
    "competency_id",
    "p_mastery",
    "evidence_weight",
    "status",
    "n_attempts",
    "n_correct",
)
_NOT_YET = (Status.LEARNING, Status.NEEDS_REVIEW)


def _sort_rows(rows: list[StudentRow], sort: GridSort) -> None:
    def name(row: StudentRow) -> tuple[str, str, int]:
        return (row.student.last_name.lower(), row.student.first_name.lower(), row.student.pk)

    if sort == GridSort.NAME:
        rows.sort(key=name)
    elif sort == GridSort.PROGRESS:
        rows.sort(key=lambda r: (-r.grade_mastered, -r.mastered_count, name(r)))
    else:
        rows.sort(
            key=lambda r: (
                not r.has_flag("stuck"),
                not r.has_flag("unseen"),
                -r.gap_total,
                r.grade_mastered,
                name(r),
            )
        )


def class_grid(
    *,
    school_class: SchoolClass,
    now: dt.datetime,
    domain: str = "",
    grade_rank: int | None = None,
    expand: Iterable[str] = (),
    sort: GridSort = GridSort.NAME,
    fold_earlier: bool = True,
) -> ClassGrid:
    """Students × competencies for one class, plus each student's focus, flags, accommodations
    and earlier-grade gaps.

    Without a grade filter (and with ``fold_earlier``) the columns are the class's grade-level
    competencies; each domain's below-grade ones are folded into a gap column unless the domain
    is in ``expand``, and above-grade ones are left out. A grade filter shows that grade's
    competencies as they are. A fixed number of queries whatever the class size; the learner
    states are read as plain tuples and only shown cells become ``MasteryView`` objects.
    """
    students = list(class_students(school_class))
    student_ids = [s.pk for s in students]
    universe = practisable_competencies()  # in framework order, cached in the process
    all_comps = list(universe.values())
    domains = sorted({(c.domain_code, c.domain_name) for c in all_comps})
    grades = sorted({(c.grade_rank, c.grade_label) for c in all_comps})
    ranks = class_grade_ranks(school_class)
    folding = fold_earlier and grade_rank is None and bool(ranks)
    expand_set = set(expand)

    def in_domain(c: Competency) -> bool:
        return not domain or c.domain_code == domain

    grade_level = [c for c in all_comps if c.grade_rank in ranks]
    gap_columns: list[GapColumn] = []
    expandable: list[tuple[str, str]] = []
    if folding:
        lowest = min(ranks)
        # By domain code: a domain's name varies a little from grade to grade.
        earlier: dict[str, list[Competency]] = {}
        for c in all_comps:
            if c.grade_rank < lowest and in_domain(c):
                earlier.setdefault(c.domain_code, []).append(c)
        names = {code: comps[-1].domain_name.rstrip("*") for code, comps in earlier.items()}
        expandable = sorted(names.items(), key=lambda item: item[1])
        shown = []
        for code, name in expandable:
            if code in expand_set:
                shown.extend(earlier[code])
            else:
                gap_columns.append(GapColumn(code, name, tuple(c.pk for c in earlier[code])))
        shown.sort(key=lambda c: (c.grade_rank, c.list_order, c.pk))
        shown += [c for c in grade_level if in_domain(c)]
    else:
        shown = [
            c
            for c in all_comps
            if in_domain(c) and (grade_rank is None or c.grade_rank == grade_rank)
        ]
    shown_index = {c.pk: i for i, c in enumerate(shown)}
    gap_index = {cid: i for i, col in enumerate(gap_columns) for cid in col.competency_ids}
    grade_level_ids = {c.pk for c in grade_level}

    rows_by_student = {
        sid: StudentRow(student=s, cells=[None] * len(shown), gaps=[0] * len(gap_columns))
        for sid, s in zip(student_ids, students, strict=True)
    }
    states = LearnerState.objects.filter(student_id__in=student_ids)
    faded = _faded(now)
    not_yet = Q(status__in=_NOT_YET) | faded
    # The shown cells only become objects (without the date of the last evidence: converting
    # thousands of dates was a good part of the grid's time); the rest is counted by the
    # database.
    for sid, cid, p, weight, status, n_att, n_ok, is_faded in (
        states.filter(competency_id__in=list(shown_index))
        .annotate(is_faded=ExpressionWrapper(faded, output_field=BooleanField()))
        .values_list(*_CELL_FIELDS, "is_faded")
    ):
        rows_by_student[sid].cells[shown_index[cid]] = MasteryView(
            student_id=sid,
            competency_id=cid,
            p_mastery=p,
            sd=uncertainty(p, weight),
            uncertain=is_uncertain(p, weight),
            status=Status.NEEDS_REVIEW if is_faded else status,
            n_attempts=n_att,
            n_correct=n_ok,
            last_evidence_at=None,
        )
    # Mastered counts come from the shown cells (the grade-level competencies are all shown
    # unless a domain is chosen): no second pass over every state.
    grade_columns = [i for i, c in enumerate(shown) if c.pk in grade_level_ids]
    for row in rows_by_student.values():
        row.mastered_count = sum(
            1 for cell in row.cells if cell is not None and cell.status == Status.MASTERED
        )
        row.grade_mastered = sum(
            1
            for i in grade_columns
            if (cell := row.cells[i]) is not None and cell.status == Status.MASTERED
        )
    # Every competency not yet mastered, each student's latest first: the focus (the first in
    # the grid's set), the earlier-grade gaps and the stuck flag, in one pass over small tuples.
    stuck: dict[int, list[int]] = defaultdict(list)
    focus: dict[int, int] = {}
    for sid, cid, status, n_att, p in (
        states.filter(not_yet)
        .order_by("student_id", F("last_evidence_at").desc(nulls_first=True), "pk")
        .values_list("student_id", "competency_id", "status", "n_attempts", "p_mastery")
    ):
        if cid not in universe:
            continue
        focus.setdefault(sid, cid)
        gap = gap_index.get(cid)
        if gap is not None:
            rows_by_student[sid].gaps[gap] += 1
        if is_stuck(status, n_att, p):
            stuck[sid].append(cid)

    activity: dict[int, dt.datetime | None] = dict(
        Statement.objects.filter(actor_id__in=student_ids)
        .values("actor_id")
        .annotate(last=Max("timestamp"))
        .values_list("actor_id", "last")
    )
    recent: dict[int, list[bool]] = defaultdict(list)
    since = now - dt.timedelta(days=14)
    for actor_id, success in (
        Statement.objects.filter(actor_id__in=student_ids, timestamp__gte=since)
        .order_by("actor_id", "-timestamp")
        .values_list("actor_id", "result_success")
    ):
        if len(recent[actor_id]) < RECENT_WINDOW:
            recent[actor_id].append(bool(success))
    kinds = accommodation_kinds(student_ids=student_ids)
    rows = []
    for sid in student_ids:
        row = rows_by_student[sid]
        row.last_active = activity.get(sid)
        row.accommodations = kinds.get(sid, ())
        row.focus = universe[focus[sid]] if sid in focus else None
        row.flags = _row_flags(
            stuck=[universe[c].code for c in stuck.get(sid, [])],
            recent=recent.get(sid, []),
            last_active=row.last_active,
            now=now,
        )
        rows.append(row)
    _sort_rows(rows, sort)
    return ClassGrid(
        school_class,
        shown,
        rows,
        domains,
        grades,
        gap_columns=gap_columns,
        grade_ranks=ranks if folding else (),
        grade_level_count=len(grade_columns),
        expandable=expandable,
        expanded=tuple(code for code, _ in expandable if code in expand_set),
    )


def _faded(now: dt.datetime) -> Q:
    """Stored mastery whose predicted recall has faded by ``now`` (``effective_status`` says
    "needs review"), as a condition on learner states. The review interval depends only on the
    number of right answers and stops growing after a few, so a handful of terms cover it."""
    rule = review_rule()
    cap = rule.max_doublings + 1
    faded = Q(
        n_correct__gte=cap, last_evidence_at__lt=now - _days(review_due_after_days(cap, rule))
    )
    for n in range(cap):
        faded |= Q(n_correct=n, last_evidence_at__lt=now - _days(review_due_after_days(n, rule)))
    return Q(status=Status.MASTERED) & faded


def _days(days: float) -> dt.timedelta:
    return dt.timedelta(days=days)


def _row_flags(
    *, stuck: list[str], recent: list[bool], last_active: dt.datetime | None, now: dt.datetime
) -> list[Flag]:
    flags = []
    if stuck:
        codes = ", ".join(stuck[:3])
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

    student: User | None  # None: a meeting of several (a mini-lesson, a flex session)
    what: str  # "Pathway of 9 steps", "Written answer to ‘Explain …’"
    url: str
    since: dt.datetime | None = None
    notes: tuple[str, ...] = ()  # reasons, in words
    accommodations: tuple[str, ...] = ()  # "IEP", "504 plan" (teachers only)
    label: str = ""  # who, where there is no one student: "Mini-lesson group, 4 students"


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
                accommodations=row.accommodations,
            )
        )
    return _section(
        key="see",
        title="Students stuck or not practicing",
        action="Plan a check-in",
        empty="Nobody is stuck or idle without a check-in planned.",
        entries=entries,
        more_url=reverse("checkins:today"),
    )


QueueBuilder = Callable[[TeacherScope, dt.datetime], QueueSection]


def _when_where(start: dt.time | None, room: str) -> tuple[str, ...]:
    """ "at 10:05", "room B12": what of the two is known, in words."""
    parts = (f"at {start:%H:%M}" if start else "", f"room {room}" if room else "")
    return tuple(part for part in parts if part)


def queue_meetings(scope: TeacherScope, now: dt.datetime) -> QueueSection:
    """Mini-lessons the teacher leads today and not yet held, and flex sessions of the
    published week meeting today whose attendance is open, by start time. Two queries."""
    day = timezone.localdate(now)
    lessons = [m for m in groups_meeting(teacher=scope.teacher, day=day) if not m.held]
    sessions = sessions_to_take_attendance(teacher_id=scope.teacher.pk, day=day)
    timed: list[tuple[dt.time | None, QueueEntry]] = [
        (
            m.start_time,
            QueueEntry(
                student=None,
                label=f"Mini-lesson group, {m.members} student{pluralize(m.members)}",
                what=f"{m.competency_code}: {Truncator(m.competency_statement).chars(70)}",
                url=reverse("groups:hold", args=[m.lesson_id]),
                notes=_when_where(m.start_time, m.room),
            ),
        )
        for m in lessons
    ] + [
        (
            s.starts_at,
            QueueEntry(
                student=None,
                label=f"Flex session, {s.students} student{pluralize(s.students)}",
                what=s.title,
                url=reverse("flex:session", args=[s.session_id]),
                notes=_when_where(s.starts_at, s.room),
            ),
        )
        for s in sessions
    ]
    timed.sort(key=lambda pair: (pair[0] is None, pair[0] or dt.time()))
    return _section(
        key="meetings",
        title="Groups and sessions meeting today",
        action="Take attendance",
        empty="No mini-lesson or flex session of yours meets today.",
        entries=[entry for _, entry in timed],
    )


# The Today page's sections, in order. Each is one small selector; add one here to add a section.
TODAY_SECTIONS: list[QueueBuilder] = [
    queue_meetings,
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


# The sections whose entries the navigation's count adds up (``open_item_count``): work waiting
# for the teacher to act on it. Meetings and students to see are listed on the page only.
COUNTED_SECTIONS = ("pathways", "proposals", "score", "checkins")


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


# ---------- choice patterns: who may be avoiding challenge ----------

# Choice patterns are read over the last four weeks of practice.
CHOICE_PATTERN_DAYS = 28


@dataclass(frozen=True)
class ChoicePattern:
    """A student whose choices show a pattern worth a conversation (never a score)."""

    student: User
    signals: list[AgencySignal]


def choice_patterns_for_class(
    *, school_class: SchoolClass, now: dt.datetime
) -> list[ChoicePattern]:
    """The class's students whose last four weeks of practice show that they may avoid
    challenge (see ``tandem_engine.agency``), by name; three queries whatever the class size."""
    students = {s.pk: s for s in class_students(school_class)}
    since = now - dt.timedelta(days=CHOICE_PATTERN_DAYS)
    chosen = Q(reason__startswith=CHOSEN_REASON_PREFIX)
    answered = Q(statement__isnull=False)
    likely = answered & Q(predicted_success__gte=LIKELY)
    counts: dict[int, tuple[int, int, int, int, int]] = {}
    for student_id, *row in (
        Attempt.objects.filter(
            student_id__in=list(students), presented_at__gte=since, presented_at__lte=now
        )
        .values_list("student_id")
        .annotate(
            chosen=Count("pk", filter=chosen),
            chosen_easy=Count("pk", filter=chosen & Q(predicted_success__gte=EASY_CHOICE)),
            answered=Count("pk", filter=answered),
            likely=Count("pk", filter=likely),
            likely_hinted=Count("pk", filter=likely & Q(hints_shown__gt=0)),
        )
    ):
        counts[student_id] = (row[0], row[1], row[2], row[3], row[4])
    written = dict(
        WrittenAnswer.objects.filter(
            student_id__in=list(students), submitted_at__gte=since, submitted_at__lte=now
        )
        .values_list("student_id")
        .annotate(n=Count("pk"))
    )
    evidence = {}
    for pk in students:
        n_chosen, n_easy, n_answered, n_likely, n_hinted = counts.get(pk, (0, 0, 0, 0, 0))
        evidence[pk] = AgencyEvidence(
            chosen=n_chosen,
            chosen_easy=n_easy,
            answered=n_answered,
            likely_answered=n_likely,
            likely_hinted=n_hinted,
            written=written.get(pk, 0),
        )
    found = class_agency_signals(evidence)
    return [
        ChoicePattern(students[pk], found[pk])
        for pk in sorted(found, key=lambda pk: (students[pk].last_name, students[pk].first_name))
    ]
