"""Data-request pages: administrators record and handle a family's requests for a copy of, or
the erasure of, a student's data; a guardian can ask from their child's page.

Every page but the guardian's is for administrators; anyone else gets a 404 (audited).
"""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from tandem.roster.access import access_student, role_required, signed_in_user
from tandem.roster.constants import Role
from tandem.roster.models import User
from tandem.studentdata.access import access_data_request
from tandem.studentdata.constants import RequestKind, RequestStatus
from tandem.studentdata.forms import DataRequestForm, ErasureConfirmForm, GuardianRequestForm
from tandem.studentdata.selectors import data_requests_list
from tandem.studentdata.services import (
    data_request_create,
    data_request_decline,
    data_request_erase,
    data_request_export,
)


@role_required(Role.ADMINISTRATOR)
@require_http_methods(["GET", "HEAD", "POST"])
def requests(request: HttpRequest) -> HttpResponse:
    """The requests, newest first, and the form to record one."""
    admin = signed_in_user(request)
    form = DataRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        student = User.objects.filter(
            Q(username=data["student"]) | Q(sourced_id=data["student"]), role=Role.STUDENT
        ).first()
        guardian = None
        if data["guardian"]:
            guardian = User.objects.filter(username=data["guardian"], role=Role.GUARDIAN).first()
            if guardian is None:
                form.add_error("guardian", "No guardian has this username.")
        if student is None:
            form.add_error("student", "No student has this username or school id.")
        if not form.errors and student is not None:
            made = data_request_create(
                student=student,
                kind=RequestKind(data["kind"]),
                recorded_by=admin,
                requested_by=guardian,
                requester_name=data["requester_name"],
                note=data["note"],
            )
            messages.success(request, f"Request #{made.pk} recorded.")
            return redirect("studentdata:request", request_id=made.pk)
    context = {"form": form, "data_requests": data_requests_list()[:200]}
    return render(request, "studentdata/requests.html", context, status=400 if form.errors else 200)


@role_required(Role.ADMINISTRATOR)
def request_detail(request: HttpRequest, request_id: int) -> HttpResponse:
    data_request = access_data_request(user=request.user, request_id=request_id, path=request.path)
    form = ErasureConfirmForm(
        username=data_request.student.username,
        initial={"reason": f"Erasure asked for in request #{data_request.pk}."},
    )
    return render(request, "studentdata/request.html", {"data_request": data_request, "form": form})


@role_required(Role.ADMINISTRATOR)
@require_POST
def request_export(request: HttpRequest, request_id: int) -> HttpResponse:
    """The zip of the student's data (each download is recorded in the audit log)."""
    data_request = access_data_request(user=request.user, request_id=request_id, path=request.path)
    if data_request.kind != RequestKind.EXPORT:
        return redirect("studentdata:request", request_id=data_request.pk)
    archive = data_request_export(request=data_request, by=signed_in_user(request))
    response = HttpResponse(archive, content_type="application/zip")
    name = f"tandem-export-{data_request.student.pseudonym}.zip"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response


@role_required(Role.ADMINISTRATOR)
@require_POST
def request_erase(request: HttpRequest, request_id: int) -> HttpResponse:
    """Erase after the confirmation; sending the form again changes nothing."""
    data_request = access_data_request(user=request.user, request_id=request_id, path=request.path)
    if data_request.kind != RequestKind.ERASURE:
        return redirect("studentdata:request", request_id=data_request.pk)
    if data_request.status == RequestStatus.DECLINED:
        messages.info(request, "This request was declined; nothing was erased.")
        return redirect("studentdata:request", request_id=data_request.pk)
    if data_request.status != RequestStatus.OPEN or hasattr(data_request.student, "erasure"):
        data_request_erase(request=data_request, by=signed_in_user(request), reason="-")
        messages.info(request, "This record has already been erased; nothing more was done.")
        return redirect("studentdata:request", request_id=data_request.pk)
    form = ErasureConfirmForm(request.POST, username=data_request.student.username)
    if not form.is_valid():
        context = {"data_request": data_request, "form": form}
        return render(request, "studentdata/request.html", context, status=400)
    _, erased = data_request_erase(
        request=data_request, by=signed_in_user(request), reason=form.cleaned_data["reason"]
    )
    if erased:
        messages.success(request, "The student's record has been erased.")
    else:
        messages.info(request, "This record has already been erased; nothing more was done.")
    return redirect("studentdata:request", request_id=data_request.pk)


@role_required(Role.ADMINISTRATOR)
@require_POST
def request_decline(request: HttpRequest, request_id: int) -> HttpResponse:
    data_request = access_data_request(user=request.user, request_id=request_id, path=request.path)
    data_request_decline(request=data_request, by=signed_in_user(request))
    return redirect("studentdata:request", request_id=data_request.pk)


@role_required(Role.GUARDIAN)
@require_http_methods(["GET", "HEAD", "POST"])
def guardian_ask(request: HttpRequest, student_id: int) -> HttpResponse:
    """A guardian asks the school for a copy of their child's data, or for its erasure."""
    guardian = signed_in_user(request)
    student = access_student(
        user=guardian, student_id=student_id, action="privacy:ask", path=request.path
    )
    form = GuardianRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data_request_create(
            student=student,
            kind=RequestKind(form.cleaned_data["kind"]),
            recorded_by=guardian,
            requested_by=guardian,
            note=form.cleaned_data["note"],
        )
        messages.success(request, "Your request has been sent to the school.")
        return redirect("family:child", student_id=student.pk)
    return render(request, "studentdata/ask.html", {"student": student, "form": form})
