"""Writes of mini-lesson groups: form one, change its members, plan a mini-lesson, hold it,
end the group.

Holding a mini-lesson is one transaction: each member's attendance and exit check, and each
exit check as evidence that moves the learner model (through the evidence and mastery
services, as check-ins do). A repeated submission records nothing again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import IntegrityError, transaction

from tandem.competencies.models import Competency
from tandem.evidence.constants import Source, Verb
from tandem.evidence.services import evidence_record
from tandem.groups.constants import (
    EXIT_ITEM_WEIGHT,
    EXIT_ITEMS_MAX,
    EXIT_SCORE,
    EXIT_WEIGHT,
    GROUP_MAX,
    NOTES_MAX,
    ROOM_MAX,
    ExitResult,
    GroupStatus,
    LessonStatus,
)
from tandem.groups.models import GroupMember, LessonAttendance, MiniLesson, MiniLessonGroup
from tandem.mastery.selectors import mastery_grid
from tandem.mastery.services import mastery_apply
from tandem.roster.models import User


class GroupError(ValueError):
    """A group rule was broken; the message says which, in plain words."""


@dataclass(frozen=True)
class AttendanceInput:
    """One member at a mini-lesson: present or not, and the exit check if there was one."""

    student: User
    present: bool
    exit_result: ExitResult | None = None
    items_right: int | None = None
    items_asked: int | None = None


def _check_aware(*moments: dt.datetime) -> None:
    if any(m.tzinfo is None for m in moments):
        raise ValueError("Times must be timezone-aware.")


def _check_size(students: Sequence[User]) -> None:
    if not students:
        raise GroupError("Choose at least one student for the group.")
    if len(students) > GROUP_MAX:
        raise GroupError(f"A mini-lesson group holds at most {GROUP_MAX} students.")


@transaction.atomic
def group_create(
    *,
    leader: User,
    competency: Competency,
    students: Sequence[User],
    now: dt.datetime,
    idempotency_key: str | None = None,
) -> tuple[MiniLessonGroup, bool]:
    """Form a group led by ``leader``; returns ``(group, created)``.

    A repeated key returns the first group. A leader has one open group per competency: a
    second is refused (add the students to the first one instead).
    """
    _check_aware(now)
    if idempotency_key:
        existing = MiniLessonGroup.objects.filter(idempotency_key=idempotency_key).first()
        if existing is not None:
            return existing, False
    students = list({s.pk: s for s in students}.values())
    _check_size(students)
    if MiniLessonGroup.objects.filter(
        leader=leader, competency=competency, status=GroupStatus.OPEN
    ).exists():
        raise GroupError(
            f"You already lead an open group on {competency.code}. Add these students to it "
            "instead, or end it first."
        )
    try:
        with transaction.atomic():
            group = MiniLessonGroup.objects.create(
                leader=leader,
                competency=competency,
                status=GroupStatus.OPEN,
                created_at=now,
                idempotency_key=idempotency_key or None,
            )
    except IntegrityError:
        if idempotency_key:
            return MiniLessonGroup.objects.get(idempotency_key=idempotency_key), False
        raise
    GroupMember.objects.bulk_create(
        [GroupMember(group=group, student=s, added_at=now) for s in students]
    )
    return group, True


@transaction.atomic
def group_members_set(
    *, group: MiniLessonGroup, students: Sequence[User], now: dt.datetime
) -> tuple[int, int]:
    """Make ``students`` the group's members; returns ``(added, removed)``.

    Removed members' attendance at held mini-lessons stays on the record.
    """
    _check_aware(now)
    group = MiniLessonGroup.objects.select_for_update().get(pk=group.pk)
    if group.status == GroupStatus.ENDED:
        raise GroupError("This group has ended; its members can no longer change.")
    wanted = {s.pk: s for s in students}
    _check_size(list(wanted.values()))
    current = set(group.members.values_list("student_id", flat=True))
    removed = current - wanted.keys()
    GroupMember.objects.filter(group=group, student_id__in=removed).delete()
    added = [
        GroupMember(group=group, student=s, added_at=now)
        for pk, s in wanted.items()
        if pk not in current
    ]
    GroupMember.objects.bulk_create(added)
    return len(added), len(removed)


@transaction.atomic
def group_end(*, group: MiniLessonGroup, now: dt.datetime) -> MiniLessonGroup:
    """End the group; ending it again changes nothing. Planned mini-lessons stay, unheld."""
    _check_aware(now)
    group = MiniLessonGroup.objects.select_for_update().get(pk=group.pk)
    if group.status == GroupStatus.OPEN:
        group.status = GroupStatus.ENDED
        group.ended_at = now
        group.save(update_fields=["status", "ended_at"])
    return group


@transaction.atomic
def lesson_plan(
    *,
    group: MiniLessonGroup,
    date: dt.date,
    now: dt.datetime,
    start_time: dt.time | None = None,
    room: str = "",
    notes: str = "",
    materials_url: str = "",
    lesson: MiniLesson | None = None,
    idempotency_key: str | None = None,
) -> tuple[MiniLesson, bool]:
    """Plan a mini-lesson for the group, or change a planned one (``lesson``); returns
    ``(lesson, created)``. A repeated key returns the first one planned."""
    _check_aware(now)
    room, notes, materials_url = room.strip(), notes.strip(), materials_url.strip()
    if len(room) > ROOM_MAX:
        raise GroupError(f"Keep the room under {ROOM_MAX} characters.")
    if len(notes) > NOTES_MAX:
        raise GroupError(f"Keep the notes under {NOTES_MAX:,} characters.")
    if group.status == GroupStatus.ENDED:
        raise GroupError("This group has ended; plan a mini-lesson for an open group.")
    if lesson is not None:
        lesson = MiniLesson.objects.select_for_update().get(pk=lesson.pk)
        if lesson.group_id != group.pk:
            raise ValueError("That mini-lesson belongs to another group.")
        if lesson.status == LessonStatus.HELD:
            raise GroupError("That mini-lesson has been held; its plan stays as it was.")
        lesson.date, lesson.start_time, lesson.room = date, start_time, room
        lesson.notes, lesson.materials_url = notes, materials_url
        lesson.save()
        return lesson, False
    if idempotency_key:
        existing = MiniLesson.objects.filter(idempotency_key=idempotency_key).first()
        if existing is not None:
            return existing, False
    if date < now.date() - dt.timedelta(days=1):
        # A day's slack for time zones: "today" may still be yesterday in UTC.
        raise GroupError("Choose a date from today on.")
    try:
        with transaction.atomic():
            lesson = MiniLesson.objects.create(
                group=group,
                date=date,
                start_time=start_time,
                room=room,
                notes=notes,
                materials_url=materials_url,
                status=LessonStatus.PLANNED,
                created_at=now,
                idempotency_key=idempotency_key or None,
            )
    except IntegrityError:
        if idempotency_key:
            return MiniLesson.objects.get(idempotency_key=idempotency_key), False
        raise
    return lesson, True


def _check_records(records: Sequence[AttendanceInput], member_ids: set[int]) -> None:
    seen: set[int] = set()
    for record in records:
        name = record.student.display_name
        if record.student.pk not in member_ids:
            raise GroupError(f"{name} is not in this group.")
        if record.student.pk in seen:
            raise GroupError(f"{name} is listed twice.")
        seen.add(record.student.pk)
        right, asked = record.items_right, record.items_asked
        checked = record.exit_result is not None or asked is not None or right is not None
        if checked and not record.present:
            raise GroupError(f"{name} was absent, so there is no exit check to record.")
        if (right is None) != (asked is None):
            raise GroupError(f"{name}: give both how many questions were right and of how many.")
        if asked is not None and right is not None:
            if not 1 <= asked <= EXIT_ITEMS_MAX:
                raise GroupError(f"{name}: an exit check has 1 to {EXIT_ITEMS_MAX} questions.")
            if not 0 <= right <= asked:
                raise GroupError(f"{name}: right answers must be between 0 and {asked}.")


def _exit_evidence(
    *, lesson: MiniLesson, record: AttendanceInput, teacher: User, now: dt.datetime
) -> None:
    """The member's exit check as statements in the evidence log, applied to the estimate:
    each question answered as one answer, then the teacher's observation."""
    competency = lesson.group.competency
    base = f"minilesson:{lesson.pk}:student:{record.student.pk}"
    common = {
        "actor": record.student,
        "object_id": f"urn:tandem:competency:{competency.identifier}",
        "competencies": [competency],
        "source": Source.MINI_LESSON,
        "authority": teacher,
    }
    asked, right = record.items_asked or 0, record.items_right or 0
    for index in range(asked):
        statement, created = evidence_record(
            **common,  # type: ignore[arg-type]
            verb=Verb.ANSWERED,
            object_name=f"{competency.code}: exit-check question {index + 1} of {asked}",
            timestamp=now + dt.timedelta(milliseconds=index),
            success=index < right,
            score_scaled=1.0 if index < right else 0.0,
            extensions={"mini_lesson": lesson.pk, "exit_check": "item"},
            weight=EXIT_ITEM_WEIGHT,
            idempotency_key=f"{base}:item:{index}",
        )
        if created:
            mastery_apply(statement=statement)
    if record.exit_result is not None:
        result = ExitResult(record.exit_result)
        statement, created = evidence_record(
            **common,  # type: ignore[arg-type]
            verb=Verb.OBSERVED,
            object_name=f"{competency.code}: {result.label} (mini-lesson exit check)",
            timestamp=now + dt.timedelta(milliseconds=asked),
            success=result != ExitResult.NOT_YET,
            score_scaled=EXIT_SCORE[result],
            extensions={"mini_lesson": lesson.pk, "exit_check": result.value},
            weight=EXIT_WEIGHT[result],
            idempotency_key=f"{base}:observed",
        )
        if created:
            mastery_apply(statement=statement)


@transaction.atomic
def lesson_hold(
    *,
    lesson: MiniLesson,
    teacher: User,
    records: Sequence[AttendanceInput],
    now: dt.datetime,
) -> tuple[MiniLesson, bool]:
    """Record a mini-lesson held now; returns ``(lesson, created)``.

    ``records`` gives each member's attendance and exit check (members not listed are recorded
    absent). Each exit check becomes evidence and moves the member's estimate on the group's
    competency; the estimate before and after is kept with the attendance. A lesson already
    held is returned as it is.
    """
    _check_aware(now)
    lesson = (
        MiniLesson.objects.select_for_update(of=("self",))
        .select_related("group", "group__competency")
        .get(pk=lesson.pk)
    )
    if lesson.status == LessonStatus.HELD:
        return lesson, False
    group = lesson.group
    if group.status == GroupStatus.ENDED:
        raise GroupError("This group has ended; its planned mini-lessons can no longer be held.")
    member_ids = set(group.members.values_list("student_id", flat=True))
    _check_records(records, member_ids)
    by_student = {r.student.pk: r for r in records}
    competency_ids = [group.competency_id]
    before = mastery_grid(student_ids=member_ids, competency_ids=competency_ids, now=now)
    lesson.status, lesson.held_at = LessonStatus.HELD, now
    lesson.save(update_fields=["status", "held_at"])
    for given in records:
        if given.present:
            _exit_evidence(lesson=lesson, record=given, teacher=teacher, now=now)
    after = mastery_grid(student_ids=member_ids, competency_ids=competency_ids, now=now)
    rows = []
    for sid in sorted(member_ids):
        record = by_student.get(sid)
        was, now_is = before.get((sid, group.competency_id)), after.get((sid, group.competency_id))
        rows.append(
            LessonAttendance(
                lesson=lesson,
                student_id=sid,
                present=bool(record and record.present),
                exit_result=(record.exit_result or "") if record else "",
                items_right=record.items_right if record else None,
                items_asked=record.items_asked if record else None,
                p_before=was.p_mastery if was else None,
                p_after=now_is.p_mastery if now_is else None,
                status_before=was.status if was else "",
                status_after=now_is.status if now_is else "",
            )
        )
    LessonAttendance.objects.bulk_create(rows)
    return lesson, True
