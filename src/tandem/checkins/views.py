"""Check-in pages for teachers: who to see today, a student's check-ins, plan one, record one.

Reads go through the selectors and the access chokepoints, writes through the services.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from tandem.checkins.access import access_checkin, access_student_checkins
from tandem.checkins.constants import (
    CHECKIN_MAX_DAYS_UNSEEN,
    CHECKIN_WEIGHT,
    NEXT_STEP_ROWS,
    OBSERVATION_ROWS,
    CheckInStatus,
    Understanding,
)
from tandem.checkins.forms import NextStepRowForm, ObservationRowForm, RecordForm, ScheduleForm
from tandem.checkins.models import CheckIn
from tandem.checkins.selectors import checkin_history, scheduled_for_teacher, who_to_see
from tandem.checkins.services import (
    NextStepInput,
    ObservationInput,
    checkin_cancel,
    checkin_record,
    checkin_schedule,
)
from tandem.competencies.selectors import competency_list
from tandem.content.selectors import practisable_competencies
from tandem.goals.constants import GoalKind
from tandem.goals.selectors import student_goals
from tandem.goals.services import goals_close_past_weeks
from tandem.mastery.constants import Status
from tandem.mastery.selectors import mastery_for_student
from tandem.roster.access import classes_visible_to, role_required, signed_in_user
from tandem.roster.constants import EnrollmentRole
from tandem.roster.models import SchoolClass, User
from tandem.roster.selectors import student_classes

STAFF = ("teacher", "administrator")


def _shared_class(user: Any, student: User) -> SchoolClass | None:
    """A class this teacher teaches that the student is in, for the evidence's context."""
    return (
        classes_visible_to(user)
        .filter(enrollments__user=student, enrollments__role=EnrollmentRole.STUDENT)
        .order_by("title")
        .first()
    )


# ---------- who to see today ----------


@require_safe
@role_required(*STAFF)
def today(request: HttpRequest) -> HttpResponse:
    """My students ranked by whom to see first, with why; and my planned check-ins."""
    teacher, now = signed_in_user(request), timezone.now()
    rows = who_to_see(teacher=teacher, now=now)
    context = {
        "rows": rows,
        "planned": scheduled_for_teacher(teacher=teacher, student_ids=[r.student.pk for r in rows]),
        "overdue": sum(1 for row in rows if row.overdue),
        "max_days": CHECKIN_MAX_DAYS_UNSEEN,
        "now": now,
    }
    return render(request, "checkins/today.html", context)


# ---------- one student ----------


def _student_page(
    request: HttpRequest,
    *,
    student: User,
    now: dt.datetime,
    schedule_form: ScheduleForm | None = None,
    status: int = 200,
) -> HttpResponse:
    history = list(checkin_history(student_id=student.pk))
    context = {
        "student": student,
        "classes": list(student_classes(student)),
        "held": [c for c in history if c.status == CheckInStatus.HELD],
        "planned": [c for c in history if c.status == CheckInStatus.SCHEDULED],
        "cancelled": [c for c in history if c.status == CheckInStatus.CANCELLED],
        "schedule_form": schedule_form or ScheduleForm(),
        "goals": student_goals(student_id=student.pk, now=now, history_weeks=1),
        "now": now,
    }
    return render(request, "checkins/student.html", context, status=status)


@require_safe
@role_required(*STAFF)
def student_detail(request: HttpRequest, student_id: int) -> HttpResponse:
    """A student's check-ins: planned, held (notes, observations, next steps), cancelled."""
    student = access_student_checkins(
        user=request.user, student_id=student_id, action="checkins:student", path=request.path
    )
    now = timezone.now()
    goals_close_past_weeks(student_ids=[student.pk], now=now)
    return _student_page(request, student=student, now=now)


@require_POST
@role_required(*STAFF)
def schedule(request: HttpRequest, student_id: int) -> HttpResponse:
    teacher = signed_in_user(request)
    student = access_student_checkins(
        user=teacher, student_id=student_id, action="checkins:schedule", path=request.path
    )
    now = timezone.now()
    form = ScheduleForm(request.POST)
    if form.is_valid():
        key = f"checkin:{teacher.pk}:{form.cleaned_data['idempotency_key']}"
        try:
            check_in, _ = checkin_schedule(
                teacher=teacher,
                student=student,
                scheduled_for=form.cleaned_data["scheduled_for"],
                now=now,
                idempotency_key=key,
            )
        except ValueError as error:
            form.add_error("scheduled_for", str(error))
        else:
            when = timezone.localtime(check_in.scheduled_for)
            messages.success(
                request,
                f"Check-in with {student.display_name} planned for "
                f"{date_format(when, 'l, F j, g:i A')}.",
            )
            return redirect("checkins:student", student_id=student.pk)
    return _student_page(request, student=student, now=now, schedule_form=form, status=400)


@require_POST
@role_required(*STAFF)
def cancel(request: HttpRequest, check_in_id: int) -> HttpResponse:
    check_in = access_checkin(user=request.user, check_in_id=check_in_id)
    try:
        checkin_cancel(check_in=check_in, now=timezone.now())
    except ValueError as error:
        messages.error(request, str(error))
    else:
        messages.info(request, f"Check-in with {check_in.student.display_name} cancelled.")
    return redirect("checkins:student", student_id=check_in.student_id)


# ---------- recording a check-in ----------


def _offered(student: User, now: dt.datetime) -> tuple[list[Any], list[int]]:
    """Competencies to choose from (practisable ones and any with an estimate), and which of
    them the student is working on now."""
    estimates = mastery_for_student(student_id=student.pk, now=now)
    offered = {**practisable_competencies(), **{c.pk: c for c in competency_list(ids=estimates)}}
    working_on = [
        cid
        for cid, view in estimates.items()
        if view.status in (Status.LEARNING, Status.NEEDS_REVIEW)
    ]
    return list(offered.values()), working_on


def _planned(user: Any, student: User, raw: object, *, posting: bool) -> CheckIn | None:
    """The planned check-in named in the request, if it is this student's and still planned.

    When posting, one that is already held is returned too, so that a repeated submission
    finds it recorded rather than recording a second check-in.
    """
    try:
        check_in_id = int(str(raw))
    except ValueError:
        return None
    try:
        check_in = access_checkin(user=user, check_in_id=check_in_id)
    except Http404:
        return None
    wanted = (
        (CheckInStatus.SCHEDULED, CheckInStatus.HELD) if posting else (CheckInStatus.SCHEDULED,)
    )
    if check_in.student_id != student.pk or check_in.status not in wanted:
        return None
    return check_in


@require_http_methods(["GET", "HEAD", "POST"])
@role_required(*STAFF)
def record(request: HttpRequest, student_id: int) -> HttpResponse:
    """Record a check-in held now: private notes, what was observed, next steps as goals."""
    teacher = signed_in_user(request)
    posting = request.method == "POST"
    student = access_student_checkins(
        user=teacher,
        student_id=student_id,
        action="checkins:record" if posting else "checkins:student",
        path=request.path,
    )
    now = timezone.now()
    competencies, working_on = _offered(student, now)
    data = request.POST if posting else None
    raw_planned = (request.POST if posting else request.GET).get("scheduled", "")
    planned = _planned(teacher, student, raw_planned, posting=posting)
    form = RecordForm(data, initial={"scheduled": planned.pk if planned else None})
    row_kwargs = {"competencies": competencies, "working_on": working_on}
    observation_rows = [
        ObservationRowForm(data, prefix=f"obs-{i}", **row_kwargs) for i in range(OBSERVATION_ROWS)
    ]
    step_rows = [
        NextStepRowForm(data, prefix=f"step-{i}", **row_kwargs) for i in range(NEXT_STEP_ROWS)
    ]
    errors: list[str] = []
    if posting:
        valid = form.is_valid()
        valid = all([row.is_valid() for row in [*observation_rows, *step_rows]]) and valid
        if valid:
            outcome = _record(
                request,
                teacher=teacher,
                student=student,
                now=now,
                form=form,
                planned=planned,
                observation_rows=observation_rows,
                step_rows=step_rows,
            )
            if isinstance(outcome, HttpResponse):
                return outcome
            errors.append(outcome)
    context = {
        "student": student,
        "planned": planned,
        "form": form,
        "observation_rows": observation_rows,
        "step_rows": step_rows,
        "errors": errors,
        "has_errors": bool(errors) or any(f.errors for f in [form, *observation_rows, *step_rows]),
        "weights": [(u.label, CHECKIN_WEIGHT[u]) for u in Understanding],
        "goals": student_goals(student_id=student.pk, now=now, history_weeks=1),
    }
    return render(request, "checkins/record.html", context, status=400 if posting else 200)


def _record(
    request: HttpRequest,
    *,
    teacher: User,
    student: User,
    now: dt.datetime,
    form: RecordForm,
    planned: CheckIn | None,
    observation_rows: list[ObservationRowForm],
    step_rows: list[NextStepRowForm],
) -> HttpResponse | str:
    """Call the service with the cleaned forms; the redirect on success, else the message."""
    observations = [
        ObservationInput(
            competency=row.resolved_competency,  # type: ignore[arg-type]
            understanding=Understanding(row.cleaned_data["understanding"]),
        )
        for row in observation_rows
        if row.is_filled
    ]
    steps = [
        NextStepInput(
            kind=GoalKind(row.cleaned_data["kind"]),
            text=row.cleaned_data["text"],
            competency=row.resolved_competency,
        )
        for row in step_rows
        if row.is_filled
    ]
    key = None if planned else f"checkin:{teacher.pk}:{form.cleaned_data['idempotency_key']}"
    try:
        check_in, created = checkin_record(
            teacher=teacher,
            student=student,
            now=now,
            notes=form.cleaned_data["notes"],
            observations=observations,
            next_steps=steps,
            scheduled=planned,
            school_class=_shared_class(teacher, student),
            idempotency_key=key,
        )
    except ValueError as error:
        return str(error)
    if created:
        messages.success(request, _recorded_message(student, check_in))
    else:
        messages.info(request, "That check-in was already recorded.")
    return redirect("checkins:student", student_id=student.pk)


def _recorded_message(student: User, check_in: CheckIn) -> str:
    """ "Check-in with Ava recorded. 6.EE.A.2: 40% → 58%. 1 next step added to Ava's goals." """
    text = f"Check-in with {student.display_name} recorded."
    for observation in check_in.observations.select_related("competency", "statement"):
        change = observation.statement.state_changes.first()
        if change is not None:
            before, after = round(change.p_before * 100), round(change.p_after * 100)
            text += f" {observation.competency.code}: {before}% → {after}%."
    steps = check_in.next_steps.count()
    if steps:
        noun = "next step" if steps == 1 else "next steps"
        text += f" {steps} {noun} added to {student.display_name}’s goals."
    return text
