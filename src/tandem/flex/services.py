"""Writes of flex periods: blocks, sessions, choices, solving and publishing the week's
schedule, moving a student by hand, and attendance (which becomes evidence).

Solving reads the week into the pure solver (``tandem.flex.solver``), thinks outside any
transaction, and then replaces the draft's placements in one short transaction. If the week
cannot be scheduled the solver's plain-words problems come back and nothing is changed.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from tandem.competencies.models import Competency
from tandem.evidence.constants import Source, Verb
from tandem.evidence.services import evidence_record
from tandem.flex import solver
from tandem.flex.constants import (
    CHOICES_PER_BLOCK,
    MAX_NEEDS,
    READY_FROM,
    SOLVE_SECONDS,
    ReasonKind,
    ScheduleStatus,
    SessionKind,
)
from tandem.flex.models import (
    FlexBlock,
    FlexChoice,
    FlexPlacement,
    FlexRequirement,
    FlexSchedule,
    FlexSession,
)
from tandem.goals.rules import week_of
from tandem.mastery.constants import Status
from tandem.mastery.models import LearnerState
from tandem.mastery.rules import MASTERED_AT, STUCK_BELOW, is_stuck
from tandem.roster.access import enrollment_in_force
from tandem.roster.constants import EnrollmentRole, Role
from tandem.roster.models import Enrollment, User


class FlexError(ValueError):
    """A flex rule was broken; ``problems`` says which, in plain words."""

    def __init__(self, problems: str | Sequence[str]) -> None:
        self.problems = (problems,) if isinstance(problems, str) else tuple(problems)
        super().__init__("; ".join(self.problems))


def grade_number(code: str) -> int | None:
    """A OneRoster grade code as a number: "07" -> 7, "KG" -> 0; None when not a school grade."""
    code = (code or "").strip().upper()
    if code in ("KG", "K"):
        return 0
    return int(code) if code.isdigit() and 0 <= int(code) <= 12 else None


def _refuse_if_published(week: dt.date) -> None:
    if FlexSchedule.objects.filter(week_of=week, status=ScheduleStatus.PUBLISHED).exists():
        raise FlexError(gettext("This week's schedule is published; choose a later week."))


# ---- blocks ---------------------------------------------------------------------------------


@transaction.atomic
def block_create(
    *, name: str, weekday: int, starts_at: dt.time, ends_at: dt.time, rooms: Iterable[str]
) -> FlexBlock:
    if ends_at <= starts_at:
        raise FlexError("The block must end after it starts.")
    room_list = list(dict.fromkeys(r.strip() for r in rooms if r.strip()))
    return FlexBlock.objects.create(
        name=name.strip(),
        weekday=weekday,
        starts_at=starts_at,
        ends_at=ends_at,
        rooms="\n".join(room_list),
    )


# ---- sessions -------------------------------------------------------------------------------


@dataclass(frozen=True)
class SessionInput:
    block: FlexBlock
    week_of: dt.date
    title: str
    kind: SessionKind
    capacity: int
    grade_min: int
    grade_max: int
    room: str = ""
    competency: Competency | None = None
    required: tuple[User, ...] = ()


@transaction.atomic
def session_offer(*, teacher: User, data: SessionInput, now: dt.datetime) -> FlexSession:
    """A teacher offers a session; a repeated offer (same block, week, title) gives the first."""
    if data.week_of != week_of(data.week_of):
        raise FlexError("A week starts on a Monday.")
    if data.kind == SessionKind.COMPETENCY and data.competency is None:
        raise FlexError("Choose the skill this workshop is about.")
    if data.grade_min > data.grade_max:
        raise FlexError("The lowest grade is above the highest.")
    _refuse_if_published(data.week_of)
    room = data.room.strip()
    if room and room not in data.block.room_list:
        raise FlexError(f"Room {room} is not one of the rooms of {data.block.name}.")
    existing = FlexSession.objects.filter(
        block=data.block, week_of=data.week_of, teacher=teacher, title=data.title.strip()
    ).first()
    if existing is not None:
        return existing
    session = FlexSession.objects.create(
        block=data.block,
        week_of=data.week_of,
        teacher=teacher,
        title=data.title.strip(),
        kind=data.kind,
        competency=data.competency if data.kind == SessionKind.COMPETENCY else None,
        capacity=data.capacity,
        room=room,
        grade_min=data.grade_min,
        grade_max=data.grade_max,
        created_at=now,
    )
    FlexRequirement.objects.bulk_create(
        [FlexRequirement(session=session, student=s) for s in data.required]
    )
    return session


# ---- students' choices ----------------------------------------------------------------------


@transaction.atomic
def choices_set(
    *, student: User, block: FlexBlock, week: dt.date, session_ids: Sequence[int]
) -> int:
    """Replace the student's ranking in one block and week (best first); returns how many."""
    _refuse_if_published(week)
    ranked = list(dict.fromkeys(i for i in session_ids if i))
    if len(ranked) > CHOICES_PER_BLOCK:
        raise FlexError(gettext("Rank at most %(n)s sessions.") % {"n": CHOICES_PER_BLOCK})
    grade = grade_number(student.grade)
    sessions = {
        s.pk: s for s in FlexSession.objects.filter(pk__in=ranked, block=block, week_of=week)
    }
    for session_id in ranked:
        session = sessions.get(session_id)
        if session is None:
            raise FlexError(gettext("That session is not offered in this block this week."))
        if grade is None or not session.grade_min <= grade <= session.grade_max:
            raise FlexError(
                gettext("“%(title)s” is not open to your grade.") % {"title": session.title}
            )
    FlexChoice.objects.filter(student=student, session__block=block, session__week_of=week).delete()
    FlexChoice.objects.bulk_create(
        [FlexChoice(student=student, session_id=sid, rank=k) for k, sid in enumerate(ranked, 1)]
    )
    return len(ranked)


# ---- solving --------------------------------------------------------------------------------


def _week_students() -> list[tuple[int, int]]:
    """(id, grade) of every active student with a school grade."""
    rows = User.objects.filter(role=Role.STUDENT, is_active=True).values_list("pk", "grade")
    return [(pk, g) for pk, code in rows if (g := grade_number(code)) is not None]


def _needs(student_ids: list[int], competency_ids: set[int]) -> dict[int, list[solver.Need]]:
    """What each student is stuck on or ready for, among the week's workshop skills."""
    needs: dict[int, list[solver.Need]] = defaultdict(list)
    if not competency_ids:
        return needs
    rows = LearnerState.objects.filter(
        competency_id__in=competency_ids, status=Status.LEARNING, student_id__in=student_ids
    ).values_list("student_id", "competency_id", "p_mastery", "n_attempts")
    for student_id, competency_id, p, attempts in rows:
        if is_stuck(Status.LEARNING, attempts, p):
            weight = 60 + round(40 * (STUCK_BELOW - p) / STUCK_BELOW)
        elif READY_FROM <= p < MASTERED_AT:
            weight = 20 + round(30 * (p - READY_FROM) / (MASTERED_AT - READY_FROM))
        else:
            continue
        needs[student_id].append(solver.Need(competency_id, weight))
    for student_id in needs:
        needs[student_id] = sorted(needs[student_id], key=lambda n: -n.weight)[:MAX_NEEDS]
    return needs


def _homeroom_defaults(
    sessions: list[FlexSession], student_ids: list[int]
) -> dict[int, dict[int, int]]:
    """Each student's default per block: a study hall led by one of their own teachers."""
    halls: dict[int, dict[int, int]] = defaultdict(dict)  # teacher -> block -> session
    for s in sessions:
        if s.kind == SessionKind.STUDY:
            halls[s.teacher_id].setdefault(s.block_id, s.pk)
    if not halls:
        return {}
    teacher_classes: dict[int, set[int]] = defaultdict(set)
    for teacher_id, class_id in Enrollment.objects.filter(
        enrollment_in_force(), user_id__in=list(halls), role=EnrollmentRole.TEACHER
    ).values_list("user_id", "school_class_id"):
        teacher_classes[class_id].add(teacher_id)
    defaults: dict[int, dict[int, int]] = defaultdict(dict)
    rows = (
        Enrollment.objects.filter(
            enrollment_in_force(),
            user_id__in=student_ids,
            role=EnrollmentRole.STUDENT,
            school_class_id__in=list(teacher_classes),
        )
        .order_by("-primary", "school_class_id")
        .values_list("user_id", "school_class_id")
    )
    for student_id, class_id in rows:
        for teacher_id in sorted(teacher_classes[class_id]):
            for block_id, session_id in halls[teacher_id].items():
                defaults[student_id].setdefault(block_id, session_id)
    return defaults


def week_problem(week: dt.date) -> solver.FlexProblem:
    """The week as the solver sees it: blocks, sessions, students, and the moves by hand."""
    sessions = list(FlexSession.objects.filter(week_of=week).select_related("block").order_by("pk"))
    required: dict[int, set[int]] = defaultdict(set)
    for session_id, student_id in FlexRequirement.objects.filter(session__week_of=week).values_list(
        "session_id", "student_id"
    ):
        required[session_id].add(student_id)
    students = _week_students()
    ids = [pk for pk, _ in students]
    needs = _needs(ids, {s.competency_id for s in sessions if s.competency_id is not None})
    defaults = _homeroom_defaults(sessions, ids)
    choices: dict[int, list[int]] = defaultdict(list)
    for student_id, session_id in (
        FlexChoice.objects.filter(session__week_of=week)
        .order_by("student_id", "session__block_id", "rank")
        .values_list("student_id", "session_id")
    ):
        choices[student_id].append(session_id)
    pins = tuple(
        solver.Pin(student_id, session_id)
        for student_id, session_id in FlexPlacement.objects.filter(
            schedule__week_of=week, pinned=True
        ).values_list("student_id", "session_id")
    )
    blocks = {s.block_id: s.block for s in sessions}
    return solver.FlexProblem(
        blocks=tuple(
            solver.Block(b.pk, b.name) for b in sorted(blocks.values(), key=lambda b: b.pk)
        ),
        sessions=tuple(
            solver.Session(
                id=s.pk,
                block_id=s.block_id,
                capacity=s.capacity,
                room=s.room,
                grade_min=s.grade_min,
                grade_max=s.grade_max,
                title=s.title,
                kind=s.kind,
                competency_id=s.competency_id,
                required=frozenset(required[s.pk]),
            )
            for s in sessions
        ),
        students=tuple(
            solver.Student(
                id=pk,
                grade=grade,
                defaults=defaults.get(pk, {}),
                choices=tuple(choices[pk]),
                needs=tuple(needs.get(pk, ())),
            )
            for pk, grade in students
        ),
        pins=pins,
    )


def _named(problems: Sequence[str], names: Mapping[int, str]) -> list[str]:
    """The solver speaks of "student 12"; say the student's name."""
    out = []
    for text in problems:
        for pk, name in names.items():
            text = text.replace(f"Student {pk} ", f"{name} ").replace(f"student {pk} ", f"{name} ")
        out.append(text)
    return out


def schedule_solve(
    *, week: dt.date, now: dt.datetime, time_limit_s: float = SOLVE_SECONDS
) -> FlexSchedule:
    """Place every student in every block of ``week``; raises ``FlexError`` naming every
    conflict (and changes nothing) when the week cannot be scheduled or is already published.
    Moves by hand are kept."""
    schedule = FlexSchedule.objects.filter(week_of=week).first()
    if schedule is not None and schedule.status == ScheduleStatus.PUBLISHED:
        raise FlexError("This week's schedule is published; move students by hand instead.")
    problem = week_problem(week)
    if not problem.sessions:
        raise FlexError("No sessions are offered this week yet.")
    if not problem.students:
        raise FlexError("There are no students with a grade to place.")
    try:
        result = solver.solve(problem, time_limit_s=time_limit_s)
    except solver.ScheduleError as error:
        mentioned = [s.id for s in problem.students if f"tudent {s.id} " in str(error)]
        names = {u.pk: u.display_name for u in User.objects.filter(pk__in=mentioned)}
        raise FlexError(_named(error.problems, names)) from None
    with transaction.atomic():
        schedule, _ = FlexSchedule.objects.select_for_update().get_or_create(week_of=week)
        if schedule.status == ScheduleStatus.PUBLISHED:
            raise FlexError("This week's schedule was published meanwhile; nothing changed.")
        kept = {
            (p.student_id, p.block_id): p
            for p in FlexPlacement.objects.filter(schedule=schedule, pinned=True)
        }
        FlexPlacement.objects.filter(schedule=schedule, pinned=False).delete()
        FlexPlacement.objects.bulk_create(
            [
                FlexPlacement(
                    schedule=schedule,
                    block_id=p.block_id,
                    session_id=p.session_id,
                    student_id=p.student_id,
                    reason=ReasonKind(p.reason.kind.value),
                    reason_rank=p.reason.rank,
                    reason_competency_id=p.reason.competency_id,
                )
                for p in result.placements
                if (p.student_id, p.block_id) not in kept
            ]
        )
        schedule.solved_at = now
        schedule.solver_status = result.status
        schedule.seconds = round(result.seconds, 3)
        schedule.need_objective = result.need_objective
        schedule.need_bound = result.need_bound
        schedule.preference_objective = result.preference_objective
        schedule.preference_bound = result.preference_bound
        schedule.save()
    return schedule


@transaction.atomic
def placement_move(
    *, placement: FlexPlacement, session: FlexSession, by: User, now: dt.datetime
) -> FlexPlacement:
    """Move a student to another session of the same block by hand; kept on every re-solve."""
    placement = (
        FlexPlacement.objects.select_for_update().select_related("schedule").get(pk=placement.pk)
    )
    if session.block_id != placement.block_id or session.week_of != placement.schedule.week_of:
        raise FlexError("Choose a session in the same block and week.")
    grade = grade_number(placement.student.grade)
    if grade is None or not session.grade_min <= grade <= session.grade_max:
        raise FlexError(f"“{session.title}” is not open to this student's grade.")
    if placement.session_id == session.pk:
        return placement
    taken = FlexPlacement.objects.filter(schedule=placement.schedule, session=session).count()
    if taken >= session.capacity:
        raise FlexError(f"“{session.title}” is full ({session.capacity} seats).")
    placement.session = session
    placement.pinned = True
    placement.moved_by = by
    placement.reason = ReasonKind.PINNED
    placement.reason_rank = None
    placement.reason_competency = None
    placement.attended = None
    placement.save()
    return placement


@transaction.atomic
def schedule_publish(*, schedule: FlexSchedule, by: User, now: dt.datetime) -> FlexSchedule:
    """Show the week to students, guardians and teachers. Publishing twice changes nothing;
    a schedule that does not seat every student in every block is refused."""
    schedule = FlexSchedule.objects.select_for_update().get(pk=schedule.pk)
    if schedule.status == ScheduleStatus.PUBLISHED:
        return schedule
    blocks = set(
        FlexSession.objects.filter(week_of=schedule.week_of).values_list("block_id", flat=True)
    )
    expected = len(_week_students()) * len(blocks)
    placed = FlexPlacement.objects.filter(schedule=schedule, block_id__in=blocks).count()
    if not placed or placed < expected:
        raise FlexError(
            f"Only {placed} of {expected} places are filled: solve the week again, then publish."
        )
    schedule.status = ScheduleStatus.PUBLISHED
    schedule.published_at = now
    schedule.published_by = by
    schedule.save(update_fields=["status", "published_at", "published_by"])
    return schedule


# ---- attendance -----------------------------------------------------------------------------


def _session_moment(session: FlexSession) -> dt.date:
    return session.week_of + dt.timedelta(days=session.block.weekday)


@transaction.atomic
def attendance_record(
    *, session: FlexSession, teacher: User, present: set[int], now: dt.datetime
) -> int:
    """Mark who came to the session (everyone else placed there: absent). A student marked
    present gets one "attended" statement in the evidence log, about the workshop's skill
    (sessions without a skill keep the mark only). Returns how many were marked present."""
    placements = list(
        FlexPlacement.objects.select_for_update()
        .filter(session=session, schedule__status=ScheduleStatus.PUBLISHED)
        .select_related("student")
    )
    if not placements:
        raise FlexError("Nobody is placed in this session in a published schedule.")
    if _session_moment(session) > timezone.localdate(now):
        raise FlexError("Attendance can be taken on the day of the session, not before.")
    for placement in placements:
        came = placement.student_id in present
        placement.attended = came
        placement.attendance_taken_by = teacher
        if came and placement.attendance_statement_id is None and session.competency:
            statement, _ = evidence_record(
                actor=placement.student,
                verb=Verb.ATTENDED,
                object_id=f"urn:tandem:flex-session:{session.pk}",
                object_name=f"Flex: {session.title}"[:255],
                competencies=[session.competency],
                source=Source.FLEX,
                authority=teacher,
                timestamp=now,
                weight=0.0,
                idempotency_key=f"flex-attended-{placement.pk}",
            )
            placement.attendance_statement = statement
        placement.save(update_fields=["attended", "attendance_taken_by", "attendance_statement"])
    return sum(1 for p in placements if p.attended)
