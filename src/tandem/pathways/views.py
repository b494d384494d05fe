"""Pathway pages: the student's own plan at /pathway/, a teacher's view of one student's plan
(approve, adjust, history), and the POST actions both use.

Every action names the student in its URL and goes through ``access_student``: a student
reaches only their own plan, a teacher only their classes' students; anyone else gets a 404.
Refused changes re-render the page with the reason and what was typed; done ones redirect.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_POST, require_safe

from tandem.pathways.constants import PACE_TOLERANCE
from tandem.pathways.forms import MoveForm, ProjectForm, TargetForm
from tandem.pathways.models import Pathway, PathwayStep, PathwayTarget
from tandem.pathways.selectors import pace_sentence, pathway_events, pathway_view
from tandem.pathways.services import (
    PathwayError,
    pathway_approve,
    pathway_build,
    pathway_project_add,
    pathway_project_complete,
    pathway_project_remove,
    pathway_step_move,
    pathway_target_add,
    pathway_target_remove,
)
from tandem.roster.access import access_student, role_required, signed_in_user
from tandem.roster.constants import Role, grade_label, grade_rank
from tandem.roster.models import User
from tandem.roster.selectors import student_classes

Audience = Literal["student", "teacher"]
HISTORY_LIMIT = 50


def _audience(request: HttpRequest) -> Audience:
    return "student" if signed_in_user(request).role == Role.STUDENT else "teacher"


def _student(request: HttpRequest, student_id: int, action: str) -> User:
    """The student named in the URL, through the access chokepoint (404 if not visible)."""
    return access_student(
        user=request.user, student_id=student_id, action=action, path=request.path
    )


def _pathway(student: User, now: dt.datetime) -> Pathway:
    return pathway_build(student=student, now=now)


def _page_url(student: User, audience: Audience) -> str:
    if audience == "student":
        return reverse("pathways:mine")
    return reverse("pathways:student", args=[student.pk])


def _done(request: HttpRequest, student: User, text: str, anchor: str = "") -> HttpResponse:
    messages.success(request, text)
    return redirect(_page_url(student, _audience(request)) + (f"#{anchor}" if anchor else ""))


def _render(
    request: HttpRequest,
    student: User,
    *,
    now: dt.datetime,
    target_form: TargetForm | None = None,
    project_form: ProjectForm | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    audience = _audience(request)
    plan = pathway_view(student=student, now=now)
    if plan is None:  # built just before; only a concurrent erasure gets here
        raise Http404("No pathway.")
    second_person = audience == "student"
    possessive = "your" if second_person else "their"
    own_rank = grade_rank(student.grade) if student.grade else None
    context: dict[str, Any] = {
        "audience": audience,
        "student": student,
        "grade": grade_label(student.grade) if student.grade else "",
        "plan": plan,
        "pace_words": pace_sentence(
            plan.pace,
            subject="You" if second_person else student.display_name,
            second_person=second_person,
        ),
        "target_form": target_form
        or TargetForm(offered=plan.offered_targets, own_grade_rank=own_rank, possessive=possessive),
        "project_form": project_form or ProjectForm(competencies=plan.step_competencies),
        "error": error,
        "events": list(pathway_events(pathway_id=plan.pathway.pk, limit=HISTORY_LIMIT)),
        "history_limit": HISTORY_LIMIT,
        "tolerance_percent": round(PACE_TOLERANCE * 100),
    }
    if audience == "teacher":
        context["classes"] = list(student_classes(student))
    template = "pathways/mine.html" if audience == "student" else "pathways/student.html"
    return render(request, template, context, status=status)


# ---------- pages ----------


@require_safe
@role_required("student")
def mine(request: HttpRequest) -> HttpResponse:
    """My pathway: the ordered steps to my targets, how long they may take, and my pace."""
    student, now = signed_in_user(request), timezone.now()
    _pathway(student, now)
    return _render(request, student, now=now)


@require_safe
@role_required("teacher")
def student_pathway(request: HttpRequest, student_id: int) -> HttpResponse:
    """One student's pathway for their teacher: the plan, approval, adjustments, history."""
    student, now = _student(request, student_id, "pathways:view"), timezone.now()
    _pathway(student, now)
    return _render(request, student, now=now)


# ---------- actions (student on their own plan, or their teacher) ----------


@require_POST
@role_required("student", "teacher")
def target_add(request: HttpRequest, student_id: int) -> HttpResponse:
    student, now = _student(request, student_id, "pathways:target_add"), timezone.now()
    pathway = _pathway(student, now)
    plan = pathway_view(student=student, now=now)
    assert plan is not None
    second_person = _audience(request) == "student"
    form = TargetForm(
        request.POST,
        offered=plan.offered_targets,
        own_grade_rank=grade_rank(student.grade) if student.grade else None,
        possessive="your" if second_person else "their",
    )
    if form.is_valid():
        competency = form.cleaned_data["competency"]
        try:
            pathway_target_add(
                actor=signed_in_user(request), pathway=pathway, competency=competency, now=now
            )
        except PathwayError as error:
            form.add_error("competency", str(error))
        else:
            return _done(
                request,
                student,
                gettext("%(code)s is now a target on the plan.") % {"code": competency.code},
            )
    return _render(request, student, now=now, target_form=form, status=400)


@require_POST
@role_required("student", "teacher")
def target_remove(request: HttpRequest, student_id: int, target_id: int) -> HttpResponse:
    student, now = _student(request, student_id, "pathways:target_remove"), timezone.now()
    target = get_object_or_404(
        PathwayTarget.objects.select_related("competency", "pathway"),
        pk=target_id,
        pathway__student=student,
    )
    try:
        pathway_target_remove(actor=signed_in_user(request), target=target, now=now)
    except PathwayError as error:
        return _render(request, student, now=now, error=str(error), status=400)
    return _done(
        request,
        student,
        gettext("%(code)s is no longer a target.") % {"code": target.competency.code},
    )


@require_POST
@role_required("student", "teacher")
def step_move(request: HttpRequest, student_id: int, step_id: int) -> HttpResponse:
    student, now = _student(request, student_id, "pathways:step_move"), timezone.now()
    step = get_object_or_404(
        PathwayStep.objects.select_related("pathway", "competency"),
        pk=step_id,
        pathway__student=student,
    )
    form = MoveForm(request.POST)
    if not form.is_valid():
        return _render(
            request, student, now=now, error=gettext("Choose where to move the step."), status=400
        )
    try:
        step = pathway_step_move(
            actor=signed_in_user(request),
            step=step,
            position=form.cleaned_data["position"],
            now=now,
        )
    except PathwayError as error:
        return _render(request, student, now=now, error=str(error), status=400)
    name = step.competency.code if step.competency else f"“{step.title}”"
    return _done(
        request,
        student,
        gettext("Moved %(name)s to step %(n)s.") % {"name": name, "n": step.position + 1},
        f"step-{step.pk}",
    )


@require_POST
@role_required("student", "teacher")
def project_add(request: HttpRequest, student_id: int) -> HttpResponse:
    student, now = _student(request, student_id, "pathways:project_add"), timezone.now()
    pathway = _pathway(student, now)
    plan = pathway_view(student=student, now=now)
    assert plan is not None
    form = ProjectForm(request.POST, competencies=plan.step_competencies)
    if form.is_valid():
        data = form.cleaned_data
        try:
            step = pathway_project_add(
                actor=signed_in_user(request),
                pathway=pathway,
                title=data["title"],
                description=data["description"],
                competencies=data["practises"],
                now=now,
                idempotency_key=str(data["idempotency_key"]),
            )
        except PathwayError as error:
            form.add_error("title", str(error))
        else:
            return _done(
                request,
                student,
                gettext("Added the project “%(title)s”.") % {"title": step.title},
                f"step-{step.pk}",
            )
    return _render(request, student, now=now, project_form=form, status=400)


def _project_step(student: User, step_id: int) -> PathwayStep:
    return get_object_or_404(
        PathwayStep.objects.select_related("pathway"),
        pk=step_id,
        pathway__student=student,
        kind="project",
    )


@require_POST
@role_required("student", "teacher")
def project_done(request: HttpRequest, student_id: int, step_id: int) -> HttpResponse:
    student, now = _student(request, student_id, "pathways:project_done"), timezone.now()
    step = _project_step(student, step_id)
    step = pathway_project_complete(actor=signed_in_user(request), step=step, now=now)
    return _done(
        request,
        student,
        gettext("Finished the project “%(title)s”.") % {"title": step.title},
        f"step-{step.pk}",
    )


@require_POST
@role_required("student", "teacher")
def project_remove(request: HttpRequest, student_id: int, step_id: int) -> HttpResponse:
    student, now = _student(request, student_id, "pathways:project_remove"), timezone.now()
    step = _project_step(student, step_id)
    try:
        pathway_project_remove(actor=signed_in_user(request), step=step, now=now)
    except PathwayError as error:
        return _render(request, student, now=now, error=str(error), status=400)
    return _done(
        request, student, gettext("Removed the project “%(title)s”.") % {"title": step.title}
    )


@require_POST
@role_required("teacher")
def approve(request: HttpRequest, student_id: int) -> HttpResponse:
    student, now = _student(request, student_id, "pathways:approve"), timezone.now()
    pathway = _pathway(student, now)
    try:
        pathway_approve(actor=signed_in_user(request), pathway=pathway, now=now)
    except PathwayError as error:
        return _render(request, student, now=now, error=str(error), status=400)
    return _done(
        request, student, gettext("Approved %(name)s’s pathway.") % {"name": student.display_name}
    )
