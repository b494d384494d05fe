"""Profile pages: the student's own profile, a teacher's (or administrator's) view of one
student's profile with its accommodations, and a guardian's read-only view of a child's.

Who sees what is decided in ``profiles.access``; writes go through ``profiles.services``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from tandem.goals.selectors import GoalView, student_goals
from tandem.profiles.access import (
    access_accommodation,
    access_profile,
    accommodations_visible_to,
)
from tandem.profiles.forms import AccommodationEndForm, AccommodationForm, ProfileForm
from tandem.profiles.models import Accommodation
from tandem.profiles.selectors import (
    accommodations_for,
    profile_for,
    profile_history,
    strengths_and_needs,
)
from tandem.profiles.services import (
    ProfileError,
    accommodation_create,
    accommodation_end,
    accommodation_update,
    profile_update,
)
from tandem.roster.access import role_required, signed_in_user
from tandem.roster.constants import grade_label
from tandem.roster.models import User

STAFF = ("teacher", "administrator")


def _current_goals(student_id: int, now: dt.datetime) -> list[GoalView]:
    """This week's goals (never reflections: not every reader of a profile may see those)."""
    return student_goals(student_id=student_id, now=now, with_reflections=False).this_week.goals


def _add_error(form: Any, error: ProfileError) -> None:
    form.add_error(error.field if error.field in form.fields else None, str(error))


def _with_status(response: HttpResponse, status: int) -> HttpResponse:
    response.status_code = status
    return response


# ---------- the student's own profile ----------


@require_http_methods(["GET", "HEAD", "POST"])
@role_required("student")
def mine(request: HttpRequest) -> HttpResponse:
    """My interests, my own words and my languages (to edit), my strengths and needs, and the
    history of my edits."""
    student = signed_in_user(request)
    now = timezone.now()
    profile = profile_for(student_id=student.pk)
    if request.method == "POST":
        form = ProfileForm(request.POST, profile=profile)
        if form.is_valid():
            data = form.cleaned_data
            try:
                revisions = profile_update(
                    student=student,
                    now=now,
                    interests=data["interests"],
                    own_interests=data["own_interests"],
                    about_me=data["about_me"],
                    languages=data["languages"],
                )
            except ProfileError as error:
                _add_error(form, error)
            else:
                if revisions:
                    messages.success(request, gettext("Your profile is saved."))
                else:
                    messages.info(request, gettext("Nothing had changed, so nothing was saved."))
                return redirect("profiles:mine")
    else:
        form = ProfileForm(profile=profile)
    context = {
        "student": student,
        "grade": grade_label(student.grade) if student.grade else "",
        "profile": profile,
        "form": form,
        "strengths_and_needs": strengths_and_needs(student_id=student.pk, now=now),
        "current_goals": _current_goals(student.pk, now),
        # The student's own edits only: accommodations are never shown to the student.
        "history": profile_history(student_id=student.pk, include_accommodations=False),
        "audience": "student",
    }
    response = render(request, "profiles/mine.html", context)
    return _with_status(response, 400) if request.method == "POST" else response


# ---------- a teacher's or administrator's view ----------


def _student_page(
    request: HttpRequest,
    student: User,
    *,
    add_form: AccommodationForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = signed_in_user(request)
    now = timezone.now()
    can_see = accommodations_visible_to(user=user, student=student)
    context = {
        "student": student,
        "grade": grade_label(student.grade) if student.grade else "",
        "profile": profile_for(student_id=student.pk),
        "strengths_and_needs": strengths_and_needs(student_id=student.pk, now=now),
        "current_goals": _current_goals(student.pk, now),
        "can_see_accommodations": can_see,
        "accommodations": accommodations_for(student_id=student.pk) if can_see else [],
        "add_form": (add_form or AccommodationForm()) if can_see else None,
        "history": profile_history(student_id=student.pk, include_accommodations=can_see),
        "audience": "staff",
        "is_teacher": user.role == "teacher",
    }
    return _with_status(render(request, "profiles/student.html", context), status)


@require_safe
@role_required(*STAFF)
def student(request: HttpRequest, student_id: int) -> HttpResponse:
    """One student's profile, strengths and needs, accommodations and history."""
    learner = access_profile(
        user=request.user, student_id=student_id, action="profiles:student", path=request.path
    )
    return _student_page(request, learner)


@require_POST
@role_required(*STAFF)
def accommodation_add(request: HttpRequest, student_id: int) -> HttpResponse:
    """Record an accommodation; a repeated submission records it once."""
    user = signed_in_user(request)
    learner = access_profile(
        user=user, student_id=student_id, action="profiles:accommodation_add", path=request.path
    )
    if not accommodations_visible_to(user=user, student=learner):
        raise Http404("No such student.")
    form = AccommodationForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        # Scoped to author and student, so a key can never name someone else's record.
        key = f"acc:{user.pk}:{learner.pk}:{data['idempotency_key']}"
        try:
            accommodation, created = accommodation_create(
                actor=user,
                student=learner,
                kind=data["kind"],
                summary=data["summary"],
                details=data["details"],
                start_date=data["start_date"],
                end_date=data["end_date"],
                now=timezone.now(),
                idempotency_key=key,
            )
        except ProfileError as error:
            _add_error(form, error)
        else:
            if created:
                messages.success(request, f"Accommodation recorded: {accommodation.summary}.")
            else:
                messages.info(request, f"Already recorded: {accommodation.summary}.")
            return redirect(reverse("profiles:student", args=[learner.pk]) + "#accommodations")
    return _student_page(request, learner, add_form=form, status=400)


def _edit_page(
    request: HttpRequest,
    accommodation: Accommodation,
    *,
    form: AccommodationForm | None = None,
    end_form: AccommodationEndForm | None = None,
    status: int = 200,
) -> HttpResponse:
    today = timezone.localdate()
    context = {
        "accommodation": accommodation,
        "student": accommodation.student,
        "form": form
        or AccommodationForm(
            initial={
                "kind": accommodation.kind,
                "summary": accommodation.summary,
                "details": accommodation.details,
                "start_date": accommodation.start_date,
                "end_date": accommodation.end_date,
            }
        ),
        "end_form": end_form or AccommodationEndForm(initial={"end_date": today}),
        "is_teacher": signed_in_user(request).role == "teacher",
    }
    return _with_status(render(request, "profiles/accommodation_edit.html", context), status)


@require_http_methods(["GET", "HEAD", "POST"])
@role_required(*STAFF)
def accommodation_edit(request: HttpRequest, accommodation_id: int) -> HttpResponse:
    """Change an accommodation; the page also offers to end it."""
    posting = request.method == "POST"
    accommodation = access_accommodation(
        user=request.user,
        accommodation_id=accommodation_id,
        action="profiles:accommodation_edit" if posting else "profiles:accommodation",
        path=request.path,
    )
    if not posting:
        return _edit_page(request, accommodation)
    form = AccommodationForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            revisions = accommodation_update(
                actor=signed_in_user(request),
                accommodation=accommodation,
                kind=data["kind"],
                summary=data["summary"],
                details=data["details"],
                start_date=data["start_date"],
                end_date=data["end_date"],
                now=timezone.now(),
            )
        except ProfileError as error:
            _add_error(form, error)
        else:
            if revisions:
                messages.success(request, f"Accommodation updated: {accommodation.summary}.")
            else:
                messages.info(request, gettext("Nothing had changed, so nothing was saved."))
            return redirect(
                reverse("profiles:student", args=[accommodation.student_id]) + "#accommodations"
            )
    return _edit_page(request, accommodation, form=form, status=400)


@require_POST
@role_required(*STAFF)
def accommodation_end_view(request: HttpRequest, accommodation_id: int) -> HttpResponse:
    """End an accommodation from a given day; ending one already ended changes nothing."""
    accommodation = access_accommodation(
        user=request.user,
        accommodation_id=accommodation_id,
        action="profiles:accommodation_end",
        path=request.path,
    )
    end_form = AccommodationEndForm(request.POST)
    if end_form.is_valid():
        try:
            revisions = accommodation_end(
                actor=signed_in_user(request),
                accommodation=accommodation,
                end_date=end_form.cleaned_data["end_date"],
                now=timezone.now(),
            )
        except ProfileError as error:
            _add_error(end_form, error)
        else:
            if revisions:
                messages.success(request, f"Accommodation ended: {accommodation.summary}.")
            else:
                messages.info(request, f"Already ended: {accommodation.summary}.")
            return redirect(
                reverse("profiles:student", args=[accommodation.student_id]) + "#accommodations"
            )
    return _edit_page(request, accommodation, end_form=end_form, status=400)


# ---------- a guardian's view ----------


@require_safe
@role_required("guardian")
def child(request: HttpRequest, student_id: int) -> HttpResponse:
    """A child's profile, read-only: interests, own words, languages, strengths and needs.
    Never accommodations or the edit history."""
    learner = access_profile(
        user=request.user, student_id=student_id, action="profiles:child", path=request.path
    )
    context = {
        "student": learner,
        "grade": grade_label(learner.grade) if learner.grade else "",
        "profile": profile_for(student_id=learner.pk),
        "strengths_and_needs": strengths_and_needs(student_id=learner.pk, now=timezone.now()),
        "current_goals": _current_goals(learner.pk, timezone.now()),
        "audience": "guardian",
    }
    return render(request, "profiles/child.html", context)
