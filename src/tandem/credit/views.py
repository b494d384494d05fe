"""Credit pages: teachers see who is ready for credit in their classes, sign off and revoke;
students, guardians and staff read a student's report card (a page and a PDF); administrators
export the transcript.

Reads go through the selectors and the access chokepoints, writes through the services.
"""

from __future__ import annotations

import csv

from django.contrib import messages
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from tandem.credit.access import access_credit_to_change, credits_visible_to
from tandem.credit.forms import CreditRuleForm, RevokeForm
from tandem.credit.models import Credit, CreditRule, CreditRuleChange
from tandem.credit.pdf import report_card_pdf
from tandem.credit.selectors import (
    ReportCard,
    class_credit,
    course_standards,
    report_card,
    standards_needed,
    transcript_rows,
)
from tandem.credit.services import CreditError, credit_award, credit_revoke, credit_rule_set
from tandem.roster.access import (
    access_class,
    access_student,
    classes_visible_to,
    is_administrator,
    role_required,
    signed_in_user,
)
from tandem.roster.constants import grade_label
from tandem.roster.models import Course
from tandem.roster.selectors import class_students

STAFF = ("teacher", "administrator")
EVERYONE = ("student", "guardian", "teacher", "administrator")


@require_safe
@role_required(*STAFF)
def classes(request: HttpRequest) -> HttpResponse:
    """My classes with their course's credit rule and how many hold the credit."""
    user = signed_in_user(request)
    rows = list(classes_visible_to(user).order_by("title"))
    counts = dict(
        Credit.objects.filter(school_class__in=rows, revoked_at__isnull=True)
        .values_list("school_class")
        .annotate(n=Count("pk"))
        .values_list("school_class", "n")
    )
    rules = {
        r.course_id: r for r in CreditRule.objects.filter(course__in={c.course_id for c in rows})
    }
    context = {
        "rows": [(c, rules.get(c.course_id), counts.get(c.pk, 0)) for c in rows],
        "is_admin": is_administrator(user),
    }
    return render(request, "credit/classes.html", context)


@require_safe
@role_required(*STAFF)
def class_detail(request: HttpRequest, class_id: int) -> HttpResponse:
    """One class against its course's rule: ready for credit, earned, still working."""
    school_class = access_class(
        user=request.user, class_id=class_id, action="credit:class", path=request.path
    )
    return render(
        request,
        "credit/class.html",
        {"data": class_credit(school_class=school_class, now=timezone.now())},
    )


@require_POST
@role_required(*STAFF)
def sign_off(request: HttpRequest, class_id: int, student_id: int) -> HttpResponse:
    """Sign off (award) the credit of a student of this class; a repeat changes nothing."""
    user = signed_in_user(request)
    school_class = access_class(
        user=user, class_id=class_id, action="credit:sign_off", path=request.path
    )
    student = class_students(school_class).filter(pk=student_id).first()
    if student is None:
        raise Http404("No such student.")
    access_student(user=user, student_id=student.pk, action="credit:sign_off", path=request.path)
    try:
        credit, created = credit_award(
            student=student,
            course=school_class.course,
            now=timezone.now(),
            signed_off_by=user,
            school_class=school_class,
        )
    except CreditError as error:
        messages.error(request, str(error))
    else:
        if created:
            messages.success(
                request,
                f"{student.display_name} has earned the credit for {credit.course.title}.",
            )
        else:
            messages.info(request, f"{student.display_name} already holds this credit.")
    return redirect("credit:class", class_id=school_class.pk)


@require_http_methods(["GET", "HEAD", "POST"])
@role_required(*STAFF)
def revoke(request: HttpRequest, credit_id: int) -> HttpResponse:
    """Revoke a credit with a reason, which is kept with it."""
    user = signed_in_user(request)
    credit = access_credit_to_change(user=user, credit_id=credit_id, path=request.path)
    back = (
        redirect("credit:class", class_id=credit.school_class_id)
        if credit.school_class_id
        and classes_visible_to(user).filter(pk=credit.school_class_id).exists()
        else redirect("credit:report", student_id=credit.student_id)
    )
    if not credit.in_force:
        messages.info(request, "This credit was already revoked.")
        return back
    form = RevokeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            _, created = credit_revoke(
                credit=credit,
                revoked_by=user,
                reason=form.cleaned_data["reason"],
                now=timezone.now(),
            )
        except CreditError as error:
            form.add_error("reason", str(error))
        else:
            if created:
                messages.success(
                    request,
                    f"The credit of {credit.student.display_name} for {credit.course.title} was "
                    "revoked; the reason is kept with it.",
                )
            else:
                messages.info(request, "This credit was already revoked.")
            return back
    return render(request, "credit/revoke.html", {"credit": credit, "form": form}, status=200)


def _report(request: HttpRequest, student_id: int, action: str) -> ReportCard:
    student = access_student(
        user=request.user, student_id=student_id, action=action, path=request.path
    )
    return report_card(student=student, now=timezone.now(), term_id=request.GET.get("term"))


# Each reader sees the report card inside their own pages' navigation.
_BASES = {"student": "practice/student_base.html", "guardian": "family/family_base.html"}


@require_safe
@role_required(*EVERYONE)
def report(request: HttpRequest, student_id: int) -> HttpResponse:
    """A student's standards-based report card for a term, printable."""
    card = _report(request, student_id, "credit:report")
    user = signed_in_user(request)
    context = {
        "card": card,
        "grade": grade_label(card.student.grade) if card.student.grade else "",
        "is_staff": is_administrator(user) or user.role == "teacher",
        "base_template": _BASES.get(user.role, "teaching/base.html"),
    }
    return render(request, "credit/report.html", context)


@require_safe
@role_required(*EVERYONE)
def report_pdf(request: HttpRequest, student_id: int) -> HttpResponse:
    """The same report card as a PDF to download."""
    card = _report(request, student_id, "credit:report_pdf")
    term = f"-{card.term.title}" if card.term else ""
    name = f"report-card-{card.student.last_name or card.student.pk}{term}".replace(" ", "-")
    response = HttpResponse(report_card_pdf(card), content_type="application/pdf")
    safe = "".join(ch for ch in name if ch.isascii() and (ch.isalnum() or ch in "-_"))
    response["Content-Disposition"] = f'attachment; filename="{safe}.pdf"'
    return response


def _cell(value: object) -> object:
    """A text cell a spreadsheet would not run as a formula."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


TRANSCRIPT_HEADER = [
    "student_sourced_id",
    "student_name",
    "grade",
    "course_sourced_id",
    "course_title",
    "class",
    "awarded_at",
    "signed_off_by",
    "standards_mastered",
    "standards_total",
    "share_required",
    "status",
    "revoked_at",
    "revoked_by",
    "revocation_reason",
]


@require_safe
@role_required("administrator")
def transcript(request: HttpRequest) -> HttpResponse:
    """Every credit record, revoked ones with their reason, as CSV."""
    user = signed_in_user(request)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="credit-transcript-{stamp}.csv"'
    writer = csv.writer(response)
    writer.writerow(TRANSCRIPT_HEADER)
    for credit in transcript_rows(credits_visible_to(user)).iterator(chunk_size=500):
        revocation = getattr(credit, "revocation", None) if credit.revoked_at else None
        writer.writerow(
            _cell(value)
            for value in [
                credit.student.sourced_id,
                credit.student.display_name,
                credit.student.grade,
                credit.course.sourced_id,
                credit.course.title,
                credit.school_class.title if credit.school_class else "",
                credit.awarded_at.isoformat(),
                credit.signed_off_by.display_name if credit.signed_off_by else "",
                credit.standards_mastered,
                credit.standards_total,
                f"{credit.share_required:.2f}",
                "revoked" if credit.revoked_at else "in force",
                credit.revoked_at.isoformat() if credit.revoked_at else "",
                revocation.revoked_by.display_name if revocation else "",
                revocation.reason if revocation else "",
            ]
        )
    return response


# ---------- credit rules, for leaders ----------


@require_safe
@role_required("administrator")
def rules(request: HttpRequest) -> HttpResponse:
    """Every course with its credit rule (or none yet) and what the rule asks, in standards."""
    courses = list(Course.objects.order_by("title", "pk"))
    by_course = {r.course_id: r for r in CreditRule.objects.filter(course__in=courses)}
    rows = []
    for course in courses:
        rule = by_course.get(course.pk)
        total = len(course_standards(course))
        needed = standards_needed(share=rule.share_required, total=total) if rule else None
        rows.append((course, rule, total, needed))
    return render(request, "credit/rules.html", {"rows": rows})


@require_http_methods(["GET", "HEAD", "POST"])
@role_required("administrator")
def rule_edit(request: HttpRequest, course_id: int) -> HttpResponse:
    """Set one course's rule: all of its standards or a share, and whether a teacher signs off;
    what was refused is said in words, and every change is listed with who made it."""
    course = get_object_or_404(Course, pk=course_id)
    rule = CreditRule.objects.filter(course=course).first()
    initial = {
        "how_many": "all" if rule is None or rule.share_required >= 1.0 else "share",
        "percent": round(rule.share_required * 100) if rule else None,
        "requires_sign_off": rule.requires_sign_off if rule else False,
    }
    form = CreditRuleForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            _, changed = credit_rule_set(
                course=course,
                share_required=form.cleaned_data["share_required"],
                requires_sign_off=form.cleaned_data["requires_sign_off"],
                by=signed_in_user(request),
                now=timezone.now(),
            )
        except CreditError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                f"The credit rule of {course.title} is saved."
                if changed
                else f"The credit rule of {course.title} was already so; nothing changed.",
            )
            return redirect("credit:rules")
    standards = course_standards(course)
    history = CreditRuleChange.objects.filter(course=course).select_related("changed_by")
    return render(
        request,
        "credit/rule_edit.html",
        {"course": course, "rule": rule, "form": form, "standards": standards, "history": history},
        status=400 if request.method == "POST" else 200,
    )
