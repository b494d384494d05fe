"""Wellbeing pages: the student's weekly self-check, a student's weeks for their teachers and
counselors, and the counselor's list of students raised.

Reads go through the selectors and the access chokepoint, writes through the services.
"""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from tandem.roster.access import enrollment_in_force, role_required, signed_in_user
from tandem.roster.constants import EnrollmentRole, Role, grade_label
from tandem.roster.models import Enrollment, SchoolClass, User
from tandem.wellbeing.access import access_student_wellbeing
from tandem.wellbeing.constants import NOTE_MAX
from tandem.wellbeing.forms import SelfCheckForm
from tandem.wellbeing.selectors import (
    selfcheck_for_week,
    selfcheck_of_student,
    student_weeks,
    students_raised,
    week_summary,
)
from tandem.wellbeing.services import SelfCheckError, selfcheck_follow_up, selfcheck_submit

READERS = (Role.TEACHER, Role.COUNSELOR)


@require_http_methods(["GET", "HEAD", "POST"])
@role_required(Role.STUDENT)
def check(request: HttpRequest) -> HttpResponse:
    """This week's self-check: two questions and a note; answering again changes the answer."""
    student, now = signed_in_user(request), timezone.now()
    existing = selfcheck_for_week(student_id=student.pk, now=now)
    initial = (
        {"feeling": existing.feeling, "has_someone": existing.has_someone, "note": existing.note}
        if existing
        else {}
    )
    form = SelfCheckForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                selfcheck_submit(
                    student=student,
                    feeling=data["feeling"],
                    has_someone=data["has_someone"],
                    note=data["note"],
                    now=now,
                )
            except SelfCheckError as error:
                form.add_error(None, str(error))
            else:
                messages.success(
                    request, gettext("Thank you. Your answers are saved for this week.")
                )
                return redirect("practice:home")
        status = 400
    context = {"form": form, "existing": existing, "note_max": NOTE_MAX}
    return render(request, "wellbeing/check.html", context, status=status)


def _classes_with_teachers(student: User) -> list[tuple[SchoolClass, list[User]]]:
    """The student's classes now, each with its teachers (whom a counselor would talk to)."""
    teachers = Enrollment.objects.filter(
        enrollment_in_force(), role=EnrollmentRole.TEACHER
    ).select_related("user")
    classes = (
        SchoolClass.objects.filter(
            enrollment_in_force("enrollments__"),
            enrollments__user=student,
            enrollments__role=EnrollmentRole.STUDENT,
        )
        .prefetch_related(Prefetch("enrollments", queryset=teachers, to_attr="teaching"))
        .order_by("title")
    )
    return [(c, [e.user for e in c.teaching]) for c in classes]


def _student_page(request: HttpRequest, student: User, *, status: int = 200) -> HttpResponse:
    now = timezone.now()
    context = {
        "student": student,
        "grade": grade_label(student.grade) if student.grade else "",
        "classes": _classes_with_teachers(student),
        "history": student_weeks(student_id=student.pk, now=now),
    }
    return render(request, "wellbeing/student.html", context, status=status)


@require_safe
@role_required(*READERS)
def student(request: HttpRequest, student_id: int) -> HttpResponse:
    """A student's weeks: each answer in words, how it changed, and whether they are raised."""
    pupil = access_student_wellbeing(
        user=request.user, student_id=student_id, action="wellbeing:student", path=request.path
    )
    return _student_page(request, pupil)


@require_POST
@role_required(*READERS)
def follow_up(request: HttpRequest, student_id: int) -> HttpResponse:
    """'I talked with them': the raise ends (doing it twice changes nothing)."""
    pupil = access_student_wellbeing(
        user=request.user, student_id=student_id, action="wellbeing:follow_up", path=request.path
    )
    found = selfcheck_of_student(student_id=pupil.pk, self_check_id=request.POST.get("self_check"))
    if found is None:
        messages.error(request, "That answer is no longer there; nothing was changed.")
    else:
        selfcheck_follow_up(self_check=found, actor=signed_in_user(request), now=timezone.now())
        messages.success(request, f"Noted: you talked with {pupil.display_name}.")
    return redirect("wellbeing:student", student_id=pupil.pk)


@require_safe
@role_required(Role.COUNSELOR)
def raised(request: HttpRequest) -> HttpResponse:
    """The counselor's list: students whose self-checks ask for a conversation, and why."""
    counselor, now = signed_in_user(request), timezone.now()
    context = {
        "rows": students_raised(viewer=counselor, now=now),
        "summary": week_summary(viewer=counselor, now=now),
    }
    return render(request, "wellbeing/raised.html", context)
