"""Reads of what changed for students since a reader last looked: teachers' scores and
comments, approvals, goals a teacher agreed and goals due soon. The student's home and the
guardian's home show them; a guardian's version leaves out what only the student may read.

Four queries for any number of students (written scores, projects, pathways, goals), plus the
reader's last visit: the home pages pin that count in their tests.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import F, Q
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from tandem.goals.constants import GoalStatus
from tandem.goals.models import WeeklyGoal
from tandem.goals.rules import current_week, today, week_end
from tandem.pathways.constants import PathwayStatus
from tandem.pathways.models import Pathway
from tandem.practice.constants import GOAL_DUE_SOON_DAYS, NEWS_FIRST_VISIT_DAYS, WrittenScoreLevel
from tandem.practice.models import LastSeen, WrittenScore
from tandem.projects.constants import ProjectStatus
from tandem.projects.models import StudentProject

__all__ = ["NewsItem", "last_seen_at", "news_for_students", "news_since"]


@dataclass(frozen=True)
class NewsItem:
    """One change, in words for its reader."""

    student_id: int
    at: dt.datetime
    kind: str  # "score", "approval", "goal" or "due"
    text: str
    # The teacher's own words: shown to the student only (guardians read progress, not the
    # comments on a piece of work; see practice.access and projects.access).
    comment: str = ""
    url: str = ""  # where the student reads more; empty on a guardian's page


# Whole sentences, so that a translation can put the words in its own order: (to the student,
# about the student to a guardian).
def _score_news(level: str, *, name: str | None) -> str:
    if name is None:
        return _("A teacher scored your written answer: %(level)s.") % {"level": level}
    return _("A teacher scored %(name)s’s written answer: %(level)s.") % {
        "name": name,
        "level": level,
    }


def _project_news(status: str, title: str, *, name: str | None) -> str | None:
    """What a teacher's review or score did to a project, in words (None: nothing to say)."""
    values = {"title": title, "name": name}
    if status == ProjectStatus.APPROVED:
        if name is None:
            return _("A teacher approved your project “%(title)s”.") % values
        return _("A teacher approved %(name)s’s project “%(title)s”.") % values
    if status == ProjectStatus.CHANGES_REQUESTED:
        if name is None:
            return _("A teacher sent your project “%(title)s” back with changes to make.") % values
        return (
            _("A teacher sent %(name)s’s project “%(title)s” back with changes to make.") % values
        )
    if status == ProjectStatus.SCORED:
        if name is None:
            return _("A teacher scored your project “%(title)s”.") % values
        return _("A teacher scored %(name)s’s project “%(title)s”.") % values
    return None


def last_seen_at(*, user_id: int, page: str) -> dt.datetime | None:
    """When the user last opened ``page``; None on a first visit. One query."""
    return LastSeen.objects.filter(user_id=user_id, page=page).values_list("at", flat=True).first()


def news_since(last_seen: dt.datetime | None, now: dt.datetime) -> dt.datetime:
    """Where "new" starts: the last visit, or a week back on a first visit."""
    return last_seen or now - dt.timedelta(days=NEWS_FIRST_VISIT_DAYS)


def news_for_students(
    *,
    student_ids: Iterable[int],
    since: dt.datetime,
    now: dt.datetime,
    for_guardian: bool,
    names: dict[int, str] | None = None,
) -> dict[int, list[NewsItem]]:
    """What changed for each student after ``since``, newest first. Four queries.

    ``for_guardian`` writes about the student by name (``names``) rather than to them, and
    leaves out the teachers' comments and the links to pages only the student may open.
    """
    ids = list(student_ids)
    names = names or {}
    news: dict[int, list[NewsItem]] = {pk: [] for pk in ids}

    def about(student_id: int) -> str | None:
        """The student's name on a guardian's page; None when the student reads it."""
        return (names.get(student_id) or _("Your child")) if for_guardian else None

    def add(item: NewsItem) -> None:
        news[item.student_id].append(item)

    scores = (
        WrittenScore.objects.filter(answer__student_id__in=ids, created_at__gt=since)
        .order_by("answer_id", "-created_at", "-pk")
        .values_list("answer__student_id", "answer_id", "created_at", "level", "comment")
    )
    newest: set[object] = set()
    for student_id, answer_id, at, level, comment in scores:
        if answer_id in newest:
            continue  # a rescore: only the newest one counts
        newest.add(answer_id)
        add(
            NewsItem(
                student_id=student_id,
                at=at,
                kind="score",
                text=_score_news(
                    str(WrittenScoreLevel(level).label).lower(), name=about(student_id)
                ),
                comment="" if for_guardian else comment,
                url="" if for_guardian else reverse("practice:written_answer", args=[answer_id]),
            )
        )

    projects = StudentProject.objects.filter(student_id__in=ids).filter(
        Q(reviewed_at__gt=since) | Q(status=ProjectStatus.SCORED, updated_at__gt=since)
    )
    for pk, student_id, title, status, feedback, reviewed_at, updated_at in projects.values_list(
        "pk", "student_id", "title", "status", "feedback", "reviewed_at", "updated_at"
    ):
        said = _project_news(status, title, name=about(student_id))
        when = updated_at if status == ProjectStatus.SCORED else reviewed_at
        if said is None or when is None:  # reviewed, then handed in: the student's own news
            continue
        add(
            NewsItem(
                student_id=student_id,
                at=when,
                kind="score" if status == ProjectStatus.SCORED else "approval",
                text=said,
                comment="" if for_guardian else feedback,
                url="" if for_guardian else reverse("projects:project", args=[pk]),
            )
        )

    for student_id, approved_at in Pathway.objects.filter(
        student_id__in=ids, status=PathwayStatus.APPROVED, approved_at__gt=since
    ).values_list("student_id", "approved_at"):
        assert approved_at is not None  # filtered on it
        add(
            NewsItem(
                student_id=student_id,
                at=approved_at,
                kind="approval",
                text=_("A teacher approved your learning plan.")
                if not for_guardian
                else _("A teacher approved %(name)s’s learning plan.")
                % {"name": about(student_id)},
                url="" if for_guardian else reverse("pathways:mine"),
            )
        )

    this_week = current_week(now)
    due = week_end(this_week)
    due_soon = (due - today(now)).days <= GOAL_DUE_SOON_DAYS
    goals = WeeklyGoal.objects.filter(student_id__in=ids, week=this_week)
    teacher_set = Q(created_at__gt=since) & ~Q(created_by_id=F("student_id"))
    goals = (
        goals.filter(teacher_set | Q(status=GoalStatus.OPEN))
        if due_soon
        else goals.filter(teacher_set)
    )
    fields = ("student_id", "text", "competency__human_coding_scheme", "status", "created_at")
    for student_id, text, code, status, created_at, created_by_id in goals.values_list(
        *fields, "created_by"
    ):
        by_student = created_by_id == student_id
        title = text or code or _("a goal")
        if not by_student and created_at > since:
            add(
                NewsItem(
                    student_id=student_id,
                    at=created_at,
                    kind="goal",
                    text=_("A teacher agreed a goal with you: “%(title)s”.") % {"title": title}
                    if not for_guardian
                    else _("A teacher agreed a goal with %(name)s: “%(title)s”.")
                    % {"name": about(student_id), "title": title},
                    url="" if for_guardian else reverse("goals:home"),
                )
            )
        elif due_soon and status == GoalStatus.OPEN:
            add(
                NewsItem(
                    student_id=student_id,
                    at=now,
                    kind="due",
                    text=_("Goal due %(day)s: “%(title)s”.")
                    % {"day": date_format(due, "l"), "title": title},
                    url="" if for_guardian else reverse("goals:home"),
                )
            )
    for items in news.values():
        items.sort(key=lambda item: item.at, reverse=True)
    return news
