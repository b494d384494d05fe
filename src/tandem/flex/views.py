"""Flex pages: the administrator's week (blocks, solve, review, move, publish), a teacher's
sessions and attendance, a student's choices, and the CSV and iCalendar exports.

Reads go through the selectors and the access chokepoints, writes through the services.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from tandem.flex.access import access_placement, access_session
from tandem.flex.constants import CHOICES_PER_BLOCK, ScheduleStatus, SessionKind
from tandem.flex.exports import CalendarEvent, csv_text, ics_text
from tandem.flex.forms import BlockForm, SessionForm
from tandem.flex.models import FlexPlacement, FlexSession
from tandem.flex.selectors import (
    block_list,
    choices_of,
    parse_week,
    placements_for_export,
    schedule_for_week,
    schedule_rosters,
    sessions_open_to,
    teacher_week_sessions,
    week_sessions,
)
from tandem.flex.services import (
    FlexError,
    SessionInput,
    attendance_record,
    block_create,
    choices_set,
    grade_number,
    placement_move,
    schedule_publish,
    schedule_solve,
    session_offer,
)
from tandem.roster.access import role_required, signed_in_user, students_visible_to
from tandem.roster.constants import Role

ADMIN = (Role.ADMINISTRATOR,)
STAFF = (Role.TEACHER, Role.ADMINISTRATOR)


def _week_url(name: str, week: dt.date, *args: Any) -> str:
    return f"{reverse(name, args=args)}?week={week.isoformat()}"


def _week_nav(week: dt.date) -> dict[str, dt.date]:
    return {
        "week": week,
        "previous_week": week - dt.timedelta(days=7),
        "next_week": week + dt.timedelta(days=7),
        "week_end": week + dt.timedelta(days=4),
    }


# ---------- the administrator's week ----------


def _admin_page(
    request: HttpRequest,
    *,
    week: dt.date,
    block_form: BlockForm | None = None,
    problems: tuple[str, ...] = (),
    status: int = 200,
) -> HttpResponse:
    sessions = list(week_sessions(week))
    schedule = schedule_for_week(week)
    rosters = schedule_rosters(schedule=schedule, sessions=sessions)
    context = {
        **_week_nav(week),
        "blocks": list(block_list()),
        "block_form": block_form or BlockForm(),
        "sessions": sessions,
        "schedule": schedule,
        "rosters": rosters,
        "problems": problems,
        "placed": sum(len(s.placements) for b in rosters for s in b.sessions),
        "published": schedule is not None and schedule.status == ScheduleStatus.PUBLISHED,
    }
    return render(request, "flex/admin.html", context, status=status)


@require_safe
@role_required(*ADMIN)
def admin_week(request: HttpRequest) -> HttpResponse:
    """Blocks, the week's sessions, and its schedule: solve, review, move, publish."""
    return _admin_page(request, week=parse_week(request.GET.get("week")))


@require_POST
@role_required(*ADMIN)
def block_new(request: HttpRequest) -> HttpResponse:
    week = parse_week(request.POST.get("week"))
    form = BlockForm(request.POST)
    if not form.is_valid():
        return _admin_page(request, week=week, block_form=form, status=400)
    data = form.cleaned_data
    block = block_create(
        name=data["name"],
        weekday=data["weekday"],
        starts_at=data["starts_at"],
        ends_at=data["ends_at"],
        rooms=data["rooms"].splitlines(),
    )
    messages.success(request, f"Block “{block.name}” added.")
    return redirect(_week_url("flex:admin", week))


@require_POST
@role_required(*ADMIN)
def solve(request: HttpRequest) -> HttpResponse:
    week = parse_week(request.POST.get("week"))
    try:
        schedule = schedule_solve(week=week, now=timezone.now())
    except FlexError as error:
        return _admin_page(request, week=week, problems=error.problems, status=400)
    messages.success(
        request,
        f"Schedule made in {schedule.seconds:.1f} s. Check it, move students if needed, "
        "then publish.",
    )
    return redirect(_week_url("flex:admin", week) + "#schedule")


@require_POST
@role_required(*ADMIN)
def publish(request: HttpRequest) -> HttpResponse:
    week = parse_week(request.POST.get("week"))
    schedule = schedule_for_week(week)
    try:
        if schedule is None:
            raise FlexError("Make the schedule first: nothing was published.")
        schedule_publish(schedule=schedule, by=signed_in_user(request), now=timezone.now())
    except FlexError as error:
        return _admin_page(request, week=week, problems=error.problems, status=400)
    messages.success(request, "Published: students, families and teachers can see the week.")
    return redirect(_week_url("flex:admin", week) + "#schedule")


@require_POST
@role_required(*ADMIN)
def move(request: HttpRequest, placement_id: int) -> HttpResponse:
    placement = access_placement(user=request.user, placement_id=placement_id, path=request.path)
    week = placement.schedule.week_of
    try:
        target = FlexSession.objects.get(pk=int(request.POST.get("session", "")))
        placement_move(
            placement=placement, session=target, by=signed_in_user(request), now=timezone.now()
        )
    except FlexError as error:  # a ValueError too: caught first, so its words are shown
        return _admin_page(request, week=week, problems=error.problems, status=400)
    except (ValueError, FlexSession.DoesNotExist):
        return _admin_page(request, week=week, problems=("Choose a session.",), status=400)
    messages.success(
        request,
        f"{placement.student.display_name} moved to “{target.title}”; the move is kept when "
        "the week is solved again.",
    )
    return redirect(_week_url("flex:admin", week) + f"#session-{target.pk}")


# ---------- teachers ----------


def _teach_page(
    request: HttpRequest, *, week: dt.date, form: SessionForm | None = None, status: int = 200
) -> HttpResponse:
    teacher = signed_in_user(request)
    sessions = teacher_week_sessions(teacher_id=teacher.pk, week=week)
    schedule = schedule_for_week(week)
    published = schedule is not None and schedule.status == ScheduleStatus.PUBLISHED
    context = {
        **_week_nav(week),
        "rosters": schedule_rosters(schedule=schedule if published else None, sessions=sessions),
        "published": published,
        "form": form or _session_form(request, data=None),
        "has_blocks": bool(form.blocks if form else block_list().exists()),
    }
    return render(request, "flex/teach.html", context, status=status)


def _session_form(request: HttpRequest, *, data: Any) -> SessionForm:
    teacher = signed_in_user(request)
    students = students_visible_to(teacher).order_by("last_name", "first_name")
    return SessionForm(data, blocks=block_list(), students=students)


@require_safe
@role_required(Role.TEACHER)
def teach(request: HttpRequest) -> HttpResponse:
    """The teacher's sessions this week (rosters once published) and a form to offer one."""
    return _teach_page(request, week=parse_week(request.GET.get("week")))


@require_POST
@role_required(Role.TEACHER)
def offer(request: HttpRequest) -> HttpResponse:
    week = parse_week(request.POST.get("week"))
    form = _session_form(request, data=request.POST)
    if not form.is_valid():
        return _teach_page(request, week=week, form=form, status=400)
    data = form.cleaned_data
    try:
        session = session_offer(
            teacher=signed_in_user(request),
            data=SessionInput(
                block=form.blocks[data["block"]],
                week_of=week,
                title=data["title"],
                kind=SessionKind(data["kind"]),
                capacity=data["capacity"],
                grade_min=data["grade_min"],
                grade_max=data["grade_max"],
                room=data["room"],
                competency=data["competency"],
                required=tuple(form.students[pk] for pk in data["required"]),
            ),
            now=timezone.now(),
        )
    except FlexError as error:
        for problem in error.problems:
            form.add_error(None, problem)
        return _teach_page(request, week=week, form=form, status=400)
    messages.success(request, f"“{session.title}” is offered in {session.block.name}.")
    return redirect(_week_url("flex:teach", week))


def _session_page(
    request: HttpRequest, *, session: FlexSession, problems: tuple[str, ...] = (), status: int = 200
) -> HttpResponse:
    schedule = schedule_for_week(session.week_of)
    published = schedule is not None and schedule.status == ScheduleStatus.PUBLISHED
    rosters = schedule_rosters(schedule=schedule if published else None, sessions=[session])
    # Where a student of this session may be moved: the other sessions of the same block.
    others = list(
        FlexSession.objects.filter(block=session.block, week_of=session.week_of)
        .select_related("teacher")
        .exclude(pk=session.pk)
        .order_by("title", "pk")
    )
    context = {
        "session": session,
        "others": others,
        "roster": rosters[0].sessions[0] if rosters else None,
        "day": rosters[0].day if rosters else session.week_of,
        "published": published,
        "problems": problems,
    }
    return render(request, "flex/session.html", context, status=status)


@require_safe
@role_required(*STAFF)
def session_detail(request: HttpRequest, session_id: int) -> HttpResponse:
    """One session: who is placed there and why, and the attendance form."""
    session = access_session(user=request.user, session_id=session_id, path=request.path)
    return _session_page(request, session=session)


@require_POST
@role_required(*STAFF)
def attendance(request: HttpRequest, session_id: int) -> HttpResponse:
    session = access_session(user=request.user, session_id=session_id, path=request.path)
    present = {int(v) for v in request.POST.getlist("present") if v.isdigit()}
    try:
        n = attendance_record(
            session=session, teacher=signed_in_user(request), present=present, now=timezone.now()
        )
    except FlexError as error:
        return _session_page(request, session=session, problems=error.problems, status=400)
    messages.success(request, f"Attendance saved: {n} present.")
    return redirect("flex:session", session.pk)


@require_POST
@role_required(*STAFF)
def session_move(request: HttpRequest, session_id: int) -> HttpResponse:
    """Move a student placed in this session to another session of the same block, by the
    teacher who leads it (or an administrator); the move is kept when the week is solved again."""
    session = access_session(user=request.user, session_id=session_id, path=request.path)
    try:
        placement = FlexPlacement.objects.select_related("student").get(
            pk=int(request.POST.get("placement", "")), session=session
        )
        target = FlexSession.objects.get(pk=int(request.POST.get("session", "")))
        placement_move(
            placement=placement, session=target, by=signed_in_user(request), now=timezone.now()
        )
    except FlexError as error:  # a ValueError too: caught first, so its words are shown
        return _session_page(request, session=session, problems=error.problems, status=400)
    except (ValueError, FlexPlacement.DoesNotExist, FlexSession.DoesNotExist):
        return _session_page(
            request, session=session, problems=("Choose a student and a session.",), status=400
        )
    messages.success(
        request,
        f"{placement.student.display_name} moved to “{target.title}”; the move is kept when "
        "the week is solved again.",
    )
    return redirect("flex:session", session.pk)


# ---------- students ----------


@require_http_methods(["GET", "HEAD", "POST"])
@role_required(Role.STUDENT)
def choose(request: HttpRequest) -> HttpResponse:
    """Rank up to three sessions in each block of the week."""
    student = signed_in_user(request)
    week = parse_week(request.POST.get("week") or request.GET.get("week"))
    schedule = schedule_for_week(week)
    published = schedule is not None and schedule.status == ScheduleStatus.PUBLISHED
    open_sessions = sessions_open_to(grade=grade_number(student.grade), week=week)
    problems: list[str] = []
    status = 200
    if request.method == "POST":
        if published:
            problems.append("This week's schedule is published: choices are closed.")
        else:
            for block in open_sessions:
                ranked = []
                for rank in range(1, CHOICES_PER_BLOCK + 1):
                    value = request.POST.get(f"block-{block.pk}-{rank}", "")
                    ranked.append(int(value) if value.isdigit() else 0)
                try:
                    choices_set(student=student, block=block, week=week, session_ids=ranked)
                except FlexError as error:
                    problems.extend(f"{block.name}: {p}" for p in error.problems)
        if not problems:
            messages.success(request, "Your choices are saved.")
            return redirect(_week_url("flex:choose", week))
        status = 400
    chosen = choices_of(student_id=student.pk, week=week)
    blocks = [
        {
            "block": block,
            "sessions": sessions,
            "ranks": [
                {
                    "rank": rank,
                    "name": f"block-{block.pk}-{rank}",
                    "selected": (chosen.get(block.pk) or [])[rank - 1]
                    if len(chosen.get(block.pk) or []) >= rank
                    else None,
                }
                for rank in range(1, CHOICES_PER_BLOCK + 1)
            ],
        }
        for block, sessions in open_sessions.items()
    ]
    context = {**_week_nav(week), "blocks": blocks, "published": published, "problems": problems}
    return render(request, "flex/choose.html", context, status=status)


# ---------- exports ----------


def _export_rows(request: HttpRequest, week: dt.date) -> list[FlexPlacement]:
    user = signed_in_user(request)
    if user.role == Role.TEACHER and not user.is_superuser:
        return list(placements_for_export(week=week, teacher_id=user.pk))
    if user.role == Role.STUDENT:
        return list(placements_for_export(week=week, student_id=user.pk))
    return list(placements_for_export(week=week))


def _day(p: FlexPlacement) -> dt.date:
    return p.session.week_of + dt.timedelta(days=p.block.weekday)


@require_safe
@role_required(*STAFF)
def export_csv(request: HttpRequest) -> HttpResponse:
    """The week's published schedule (a teacher: their sessions) as a spreadsheet."""
    week = parse_week(request.GET.get("week"))
    rows = [
        (
            week.isoformat(),
            _day(p).isoformat(),
            p.block.name,
            p.block.starts_at.strftime("%H:%M"),
            p.block.ends_at.strftime("%H:%M"),
            p.session.title,
            p.session.get_kind_display(),
            p.session.competency.human_coding_scheme if p.session.competency else "",
            p.session.room,
            p.session.teacher.display_name,
            p.student.display_name,
            p.student.grade,
            p.reason_label,
            "yes" if p.pinned else "no",
            {True: "present", False: "absent", None: ""}[p.attended],
        )
        for p in _export_rows(request, week)
    ]
    response = HttpResponse(csv_text(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="flex-{week.isoformat()}.csv"'
    return response


@require_safe
@role_required(Role.STUDENT, *STAFF)
def export_ics(request: HttpRequest) -> HttpResponse:
    """The week's sessions for a calendar app: a student's own, a teacher's, or all."""
    week = parse_week(request.GET.get("week"))
    zone = timezone.get_current_timezone()
    sessions: dict[int, tuple[FlexPlacement, int]] = {}
    for p in _export_rows(request, week):
        first, count = sessions.get(p.session_id, (p, 0))
        sessions[p.session_id] = (first, count + 1)
    user = signed_in_user(request)
    events = []
    for p, count in sessions.values():
        day = _day(p)
        detail = f"With {p.session.teacher.display_name}."
        if user.role == Role.STUDENT:
            detail += f" Why: {p.reason_label}."
        else:
            detail += f" {count} students."
        events.append(
            CalendarEvent(
                uid=f"flex-{p.session_id}-{user.pk}@tandem",
                starts=dt.datetime.combine(day, p.block.starts_at, tzinfo=zone),
                ends=dt.datetime.combine(day, p.block.ends_at, tzinfo=zone),
                summary=f"Flex: {p.session.title}",
                location=p.session.room,
                description=detail,
            )
        )
    text = ics_text(
        events, name=f"Flex, week of {week:%b} {week.day}, {week.year}", now=timezone.now()
    )
    response = HttpResponse(text, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="flex-{week.isoformat()}.ics"'
    return response
