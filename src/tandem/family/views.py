"""Guardian pages: my children with what is new since my last visit, and one child's week on
one screen (how it went, goals, what is next, what the teacher said, how to help at home) with
the full progress record a click away.

Guardians see what a child has mastered and practiced, their goals, and that a teacher scored or
approved their work; never teachers' notes or comments, the work itself, or other students.
Every look at a child's record is written to the access log.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from tandem.family.constants import NEXT_SHOWN, TEACHER_NEWS_DAYS, TEACHER_NEWS_SHOWN
from tandem.family.selectors import child_week, help_at_home
from tandem.goals.selectors import student_goals
from tandem.mastery.constants import Status
from tandem.mastery.selectors import MasteryView, mastery_grid
from tandem.practice.constants import PAGE_GUARDIAN_HOME
from tandem.practice.news import NewsItem, last_seen_at, news_for_students, news_since
from tandem.practice.selectors import student_overview
from tandem.practice.services import last_seen_mark
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
    news: list[NewsItem] = field(default_factory=list)


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


def _first_name(child: User) -> str:
    return child.first_name or child.display_name


@require_safe
@role_required("guardian")
def home(request: HttpRequest) -> HttpResponse:
    """My children, each with what is new since my last visit, a short summary and a link."""
    guardian = signed_in_user(request)
    now = timezone.now()
    children = list(guardian_children(guardian).order_by("first_name", "last_name", "pk"))
    ids = [c.pk for c in children]
    grid = mastery_grid(student_ids=ids, competency_ids=None, now=now)
    seen = last_seen_at(user_id=guardian.pk, page=PAGE_GUARDIAN_HOME)
    news = news_for_students(
        student_ids=ids,
        since=news_since(seen, now),
        now=now,
        for_guardian=True,
        names={c.pk: _first_name(c) for c in children},
    )
    summaries = [replace(s, news=news[s.child.pk]) for s in child_summaries(children, grid)]
    for child in children:
        access_log_record(actor=guardian, student=child, action="family:home", path=request.path)
    response = render(request, "family/home.html", {"summaries": summaries, "news_since": seen})
    if request.method == "GET":  # after working out what is new; a HEAD is not a visit
        last_seen_mark(user=guardian, page=PAGE_GUARDIAN_HOME, now=now)
    return response


@require_safe
@role_required("guardian")
def child(request: HttpRequest, student_id: int) -> HttpResponse:
    """One child's week on one screen, and the full record behind a link; read-only. Another
    family's child is a 404."""
    student = access_student(
        user=request.user, student_id=student_id, action="family:child", path=request.path
    )
    now = timezone.now()
    overview = student_overview(student_id=student.pk, now=now)
    name = _first_name(student)
    teacher_news = [
        item
        for item in news_for_students(
            student_ids=[student.pk],
            since=now - dt.timedelta(days=TEACHER_NEWS_DAYS),
            now=now,
            for_guardian=True,
            names={student.pk: name},
        )[student.pk]
        if item.kind != "due"
    ]
    # What is in progress first, then what they could start next to make up NEXT_SHOWN.
    ready_soon = overview.ready_next[: max(NEXT_SHOWN - len(overview.working_on), 0)]
    context = overview_context(overview) | {
        "student": student,
        "name": name,
        "grade": grade_label(student.grade) if student.grade else "",
        "audience": "guardian",
        "week": child_week(student_id=student.pk, overview=overview, now=now),
        "goals": student_goals(student_id=student.pk, now=now, with_reflections=False).this_week,
        "next_working": overview.working_on[:NEXT_SHOWN],
        "next_ready": ready_soon,
        "teacher_news": teacher_news[:TEACHER_NEWS_SHOWN],
        "help_ideas": help_at_home([c for c, _ in overview.working_on] + ready_soon),
    }
    return render(request, "family/child.html", context)
