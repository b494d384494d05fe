"""Reads for the guardian's pages: a child's week in plain words, and ideas to help at home.

The learner state comes from the practice overview (``mastery_for_student`` underneath), so the
words here are the ones every student and guardian page uses (``progress_of``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models.functions import TruncDate

from tandem.competencies.models import Competency
from tandem.evidence.constants import Source
from tandem.evidence.models import Statement
from tandem.family.constants import HELP_AT_HOME, HELP_DEFAULT, HELP_SHOWN, MOVED_SHOWN
from tandem.mastery.models import StateChange
from tandem.mastery.selectors import MasteryView
from tandem.pathways.constants import DEFAULT_MINUTES_PER_ANSWER, MAX_MINUTES_PER_ANSWER
from tandem.practice.selectors import StudentOverview

WEEK_DAYS = 7
# The child's own answers (practice, the diagnostic, and the demo's simulated practice); a
# teacher's score of their work is not time they spent practicing.
ANSWER_SOURCES = (Source.PRACTICE, Source.DIAGNOSTIC, Source.SIMULATION)


@dataclass(frozen=True)
class Week:
    """A child's last seven days of practice, as a guardian reads it."""

    answers: int
    correct: int
    days: int
    minutes: int
    # Competencies whose estimate rose this week, with their state now; largest rise first.
    moved_up: list[tuple[Competency, MasteryView]]
    moved_more: int  # how many more rose than ``moved_up`` lists

    @property
    def sentence(self) -> str:
        if not self.answers:
            return "No practice in the last 7 days."
        answer_word = "answer" if self.answers == 1 else "answers"
        return (
            f"Practiced on {self.days} of the last 7 days, about {self.minutes} "
            f"minute{'' if self.minutes == 1 else 's'} in all: {self.answers} {answer_word}, "
            f"{self.correct} right."
        )


def _states(overview: StudentOverview) -> dict[int, tuple[Competency, MasteryView]]:
    pairs = overview.working_on + overview.mastered + overview.needs_review
    return {competency.pk: (competency, view) for competency, view in pairs}


def child_week(*, student_id: int, overview: StudentOverview, now: dt.datetime) -> Week:
    """Practice days, minutes and answers over the last 7 days, and what moved. Two queries."""
    since = now - dt.timedelta(days=WEEK_DAYS)
    default_ms = DEFAULT_MINUTES_PER_ANSWER * 60_000
    cap_ms = MAX_MINUTES_PER_ANSWER * 60_000
    answers = correct = 0
    ms = 0.0
    rows = (
        Statement.objects.filter(
            actor_id=student_id,
            source__in=ANSWER_SOURCES,
            timestamp__gte=since,
            timestamp__lte=now,
        )
        .annotate(day=TruncDate("timestamp"))
        .values_list("day", "result_success", "result_duration_ms")
    )
    seen_days: set[dt.date] = set()
    for day, success, duration_ms in rows:
        seen_days.add(day)
        answers += 1
        correct += int(bool(success))
        # A missing duration counts as a typical answer, a tab left open as the cap (as the
        # pathways' time estimates do).
        ms += default_ms if duration_ms is None else min(float(duration_ms), cap_ms)
    days = len(seen_days)

    first_before: dict[int, float] = {}
    last_after: dict[int, float] = {}
    for competency_id, p_before, p_after in (
        StateChange.objects.filter(state__student_id=student_id, at__gte=since, at__lte=now)
        .order_by("at", "pk")
        .values_list("state__competency_id", "p_before", "p_after")
    ):
        first_before.setdefault(competency_id, p_before)
        last_after[competency_id] = p_after
    states = _states(overview)
    rises = sorted(
        (
            (last_after[cid] - first_before[cid], cid)
            for cid in last_after
            if last_after[cid] > first_before[cid] and cid in states
        ),
        reverse=True,
    )
    return Week(
        answers=answers,
        correct=correct,
        days=days,
        minutes=round(ms / 60_000),
        moved_up=[states[cid] for _, cid in rises[:MOVED_SHOWN]],
        moved_more=max(len(rises) - MOVED_SHOWN, 0),
    )


def help_idea(competency: Competency) -> str:
    """One concrete thing to do at home for the area of math ``competency`` belongs to."""
    domain = competency.domain_code or ""
    return HELP_AT_HOME.get(domain) or HELP_AT_HOME.get(domain.split("-")[0], HELP_DEFAULT)


@dataclass(frozen=True)
class HelpIdea:
    competencies: list[Competency]
    idea: str
    area: str  # the domain's name, e.g. "Ratios And Proportional Relationships"


def help_at_home(competencies: list[Competency], *, limit: int = HELP_SHOWN) -> list[HelpIdea]:
    """An idea per area of math among ``competencies`` (most recent first), at most ``limit``."""
    ideas: dict[str, HelpIdea] = {}
    for competency in competencies:
        idea = help_idea(competency)
        if idea in ideas:
            ideas[idea].competencies.append(competency)
        elif len(ideas) < limit:
            ideas[idea] = HelpIdea([competency], idea, competency.domain_name.rstrip("*"))
    return list(ideas.values())
