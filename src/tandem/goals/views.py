"""Goal pages: a student's week (goals, reflection, history), and for teachers, a class's goal
status and one student's goals and reflections. Reads go through the selectors, writes through
the services.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_POST, require_safe

from tandem.competencies.selectors import competency_list
from tandem.content.selectors import practisable_competencies
from tandem.goals.access import access_student_reflections
from tandem.goals.constants import MAX_GOALS_PER_WEEK, GoalKind
from tandem.goals.forms import GoalForm, ReflectionForm
from tandem.goals.rules import current_week
from tandem.goals.selectors import (
    StudentGoals,
    WeekView,
    goal_status_for_students,
    student_goals,
)
from tandem.goals.services import (
    GoalError,
    goal_complete,
    goal_create,
    goal_remove,
    goals_close_past_weeks,
    reflection_save,
)
from tandem.mastery.constants import Status
from tandem.mastery.selectors import mastery_for_student
from tandem.roster.access import access_class, role_required, signed_in_user
from tandem.roster.models import User
from tandem.roster.selectors import class_students, student_classes

STAFF = ("teacher", "administrator")


def _goal_form(student: User, now: dt.datetime, data: Any = None) -> GoalForm:
    """The add-a-goal form, offering what the student is working on first."""
    estimates = mastery_for_student(student_id=student.pk, now=now)
    offered = {**practisable_competencies(), **{c.pk: c for c in competency_list(ids=estimates)}}
    working_on = [
        cid
        for cid, view in estimates.items()
        if view.status in (Status.LEARNING, Status.NEEDS_REVIEW)
    ]
    return GoalForm(data, competencies=offered.values(), working_on=working_on)


def _reflection_forms(
    goals: StudentGoals, bound: ReflectionForm | None = None
) -> list[tuple[WeekView, ReflectionForm]]:
    forms = []
    for view in goals.reflection_weeks:
        if bound is not None and bound.for_week == view.week:
            form = bound
        else:
            reflection = view.reflection
            initial = (
                {
                    "did": reflection.did,
                    "worked": reflection.worked,
                    "next_steps": reflection.next_steps,
                }
                if reflection
                else None
            )
            form = ReflectionForm(week=view.week, initial=initial)
        forms.append((view, form))
    return forms


def _home(
    request: HttpRequest,
    *,
    student: User,
    now: dt.datetime,
    goal_form: GoalForm | None = None,
    reflection_form: ReflectionForm | None = None,
    status: int = 200,
) -> HttpResponse:
    goals = student_goals(student_id=student.pk, now=now)
    if reflection_form is not None and all(
        view.week != reflection_form.for_week for view in goals.reflection_weeks
    ):
        # That week is closed, so its form is not on the page: say why at the top instead.
        for errors in reflection_form.errors.values():
            for error in errors:
                messages.error(request, str(error))
    context = {
        "student": student,
        "goals": goals,
        "this_week": goals.this_week,
        "form": goal_form or _goal_form(student, now),
        "reflection_forms": _reflection_forms(goals, reflection_form),
        "max_goals": MAX_GOALS_PER_WEEK,
    }
    return render(request, "goals/home.html", context, status=status)


# ---------- the student's pages ----------


@require_safe
@role_required("student")
def home(request: HttpRequest) -> HttpResponse:
    """My goals: this week's, the reflection that is due, and the weeks before."""
    student, now = signed_in_user(request), timezone.now()
    goals_close_past_weeks(student_ids=[student.pk], now=now)
    return _home(request, student=student, now=now)


@require_POST
@role_required("student")
def goal_add(request: HttpRequest) -> HttpResponse:
    student, now = signed_in_user(request), timezone.now()
    form = _goal_form(student, now, request.POST)
    if form.is_valid():
        # Scoped to the student, so a key can never name someone else's goal.
        key = f"goal:{student.pk}:{form.cleaned_data['idempotency_key']}"
        try:
            _, created = goal_create(
                student=student,
                kind=GoalKind(form.cleaned_data["kind"]),
                competency=form.cleaned_data["resolved_competency"],
                text=form.cleaned_data["text"],
                created_by=student,
                now=now,
                idempotency_key=key,
            )
        except GoalError as error:
            form.add_error(None, str(error))
        else:
            if created:
                messages.success(request, gettext("Goal added. You can do it!"))
            return redirect("goals:home")
    return _home(request, student=student, now=now, goal_form=form, status=400)


@require_POST
@role_required("student")
def goal_done(request: HttpRequest, goal_id: int) -> HttpResponse:
    student, now = signed_in_user(request), timezone.now()
    try:
        goal_complete(student=student, goal_id=goal_id, now=now)
    except GoalError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, gettext("Marked as done. Well done!"))
    return redirect("goals:home")


@require_POST
@role_required("student")
def goal_delete(request: HttpRequest, goal_id: int) -> HttpResponse:
    student, now = signed_in_user(request), timezone.now()
    try:
        removed = goal_remove(user=student, goal_id=goal_id, now=now)
    except GoalError as error:
        messages.error(request, str(error))
    else:
        messages.info(
            request,
            gettext("Goal removed.") if removed else gettext("That goal was already removed."),
        )
    return redirect("goals:home")


@require_POST
@role_required("student")
def reflect(request: HttpRequest) -> HttpResponse:
    student, now = signed_in_user(request), timezone.now()
    try:
        week = dt.date.fromisoformat(request.POST.get("week", ""))
    except ValueError:
        week = current_week(now)
    form = ReflectionForm(request.POST, week=week)
    if form.is_valid():
        try:
            _, changed = reflection_save(
                student=student,
                week=form.cleaned_data["week"],
                did=form.cleaned_data["did"],
                worked=form.cleaned_data["worked"],
                next_steps=form.cleaned_data["next_steps"],
                now=now,
            )
        except GoalError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request, gettext("Reflection saved.") if changed else gettext("No changes to save.")
            )
            return redirect("goals:home")
    return _home(request, student=student, now=now, reflection_form=form, status=400)


# ---------- teachers' pages ----------


@require_safe
@role_required(*STAFF)
def class_goals(request: HttpRequest, class_id: int) -> HttpResponse:
    """Who has set goals this week and reflected on last week, in words; optionally only those
    who have not."""
    school_class = access_class(user=request.user, class_id=class_id)
    now = timezone.now()
    students = list(class_students(school_class))
    goals_close_past_weeks(student_ids=[s.pk for s in students], now=now)
    statuses = goal_status_for_students([s.pk for s in students], now)
    rows = [(student, statuses[student.pk]) for student in students]
    only_missing = request.GET.get("only") == "missing"
    shown = [row for row in rows if row[1].needs_a_nudge] if only_missing else rows
    context = {
        "school_class": school_class,
        "rows": shown,
        "total": len(rows),
        "not_set": sum(1 for _, s in rows if not s.has_set_goals),
        "not_reflected": sum(1 for _, s in rows if not s.reflected_last_week),
        "only_missing": only_missing,
        "this_week": current_week(now),
    }
    return render(request, "goals/class.html", context)


@require_safe
@role_required(*STAFF)
def student_detail(request: HttpRequest, student_id: int) -> HttpResponse:
    """One student's goals and reflections, for their teachers and administrators."""
    student = access_student_reflections(
        user=request.user, student_id=student_id, action="goals:student", path=request.path
    )
    now = timezone.now()
    goals_close_past_weeks(student_ids=[student.pk], now=now)
    context = {
        "student": student,
        "goals": student_goals(student_id=student.pk, now=now),
        "classes": list(student_classes(student)),
    }
    return render(request, "goals/student.html", context)
