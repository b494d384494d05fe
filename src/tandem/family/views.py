"""Guardian pages: my children, and one child's progress (mastery and practice only).

Guardians see what a child has mastered and practiced, never teachers' notes or other students.
Every look at a child's record is written to the access log.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from tandem.mastery.constants import Status
from tandem.mastery.selectors import MasteryView, mastery_grid
from tandem.practice.selectors import student_overview
from tandem.practice.views import overview_context
from tandem.privacy.services import access_log_record
from tandem.roster.access import access_student, role_required, signed_in_user
from tandem.roster.constants import grade_label
from tandem.roster.models import User
from tandem.roster.selectors import guardian_children


@dataclass(frozen=True)
class ChildSummary:
    child: User
    grade: str
    mastered: int
    working_on: int
    needs_review: int
    last_active: dt.datetime | None


def child_summaries(
    children: Iterable[User], grid: Mapping[tuple[int, int], MasteryView]
) -> list[ChildSummary]:
    """Counts per status and the latest evidence for each child, from one bulk mastery read."""
    by_child: dict[int, list[MasteryView]] = {}
    for (student_id, _), view in grid.items():
        by_child.setdefault(student_id, []).append(view)
    summaries = []
    for child in children:
        views = by_child.get(child.pk, [])
        times = [v.last_evidence_at for v in views if v.last_evidence_at is not None]
        summaries.append(
            ChildSummary(
                child=child,
                grade=grade_label(child.grade) if child.grade else "",
                mastered=sum(v.status == Status.MASTERED for v in views),
                working_on=sum(v.status == Status.LEARNING for v in views),
                needs_review=sum(v.status == Status.NEEDS_REVIEW for v in views),
                last_active=max(times, default=None),
            )
        )
    return summaries


@require_safe
@role_required("guardian")
def home(request: HttpRequest) -> HttpResponse:
    """My children, each with a short summary and a link to their progress."""
    guardian = signed_in_user(request)
    children = list(guardian_children(guardian).order_by("first_name", "last_name", "pk"))
    grid = mastery_grid(
        student_ids=[c.pk for c in children], competency_ids=None, now=timezone.now()
    )
    for child in children:
        access_log_record(actor=guardian, student=child, action="family:home", path=request.path)
    return render(request, "family/home.html", {"summaries": child_summaries(children, grid)})


@require_safe
@role_required("guardian")
def child(request: HttpRequest, student_id: int) -> HttpResponse:
    """One child's progress, read-only; another family's child is a 404."""
    student = access_student(
        user=request.user, student_id=student_id, action="family:child", path=request.path
    )
    overview = student_overview(student_id=student.pk, now=timezone.now())
    context = overview_context(overview) | {
        "student": student,
        "grade": grade_label(student.grade) if student.grade else "",
        "audience": "guardian",
    }
    return render(request, "family/child.html", context)
