"""Reads of the projects domain: the library, a student's projects, a teacher's review queue,
and one project with its rubric, milestones, work and scores, fetched in a fixed few queries."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext

from tandem.competencies.models import Competency
from tandem.projects.access import access_template, projects_visible_to, templates_visible_to
from tandem.projects.constants import PROFICIENT_POINTS, ProjectStatus
from tandem.projects.models import (
    Milestone,
    ProjectTemplate,
    RubricCriterion,
    RubricScore,
    StudentProject,
    Submission,
)

# ---------- the library ----------


def template_list(*, user: Any, published_only: bool = True) -> list[ProjectTemplate]:
    """Templates ``user`` may see: published ones, or (``published_only=False``, for teachers
    and administrators) drafts too."""
    templates = templates_visible_to(user).prefetch_related("competencies")
    if published_only:
        templates = templates.filter(published=True)
    return list(templates)


def templates_tagged(templates: Iterable[ProjectTemplate], tag: str) -> list[ProjectTemplate]:
    """Those carrying the interest ``tag`` (all, for no tag). Tags live in a JSON list, filtered
    here so SQLite and PostgreSQL behave alike; a library holds dozens of entries, not
    thousands."""
    tag = tag.strip().lower()
    return [t for t in templates if not tag or tag in (t.interest_tags or [])]


def interest_tags(templates: Iterable[ProjectTemplate]) -> list[str]:
    return sorted({tag for t in templates for tag in (t.interest_tags or [])})


def template_with_rubric(template_id: int, *, user: Any) -> ProjectTemplate:
    """One template with criteria, levels, milestones and competencies prefetched (404 if not
    visible to ``user``)."""
    template = access_template(user=user, template_id=template_id)
    return (
        ProjectTemplate.objects.prefetch_related(
            "competencies",
            "milestones",
            Prefetch(
                "criteria",
                queryset=RubricCriterion.objects.select_related("competency").prefetch_related(
                    "levels"
                ),
            ),
        )
        .select_related("created_by")
        .get(pk=template.pk)
    )


# ---------- projects ----------


def projects_of_student(*, student_id: int) -> QuerySet[StudentProject]:
    return (
        StudentProject.objects.filter(student_id=student_id)
        .select_related("template", "reviewed_by")
        .prefetch_related("competencies")
    )


@dataclass(frozen=True)
class ReviewQueue:
    """A teacher's students' projects, by what the teacher needs to do about them."""

    to_review: list[StudentProject]
    to_score: list[StudentProject]
    under_way: list[StudentProject]
    scored: list[StudentProject]


def review_queue(*, teacher: Any) -> ReviewQueue:
    projects = list(
        projects_visible_to(teacher).prefetch_related("competencies").order_by("updated_at")
    )

    def having(*statuses: str) -> list[StudentProject]:
        return [p for p in projects if p.status in statuses]

    return ReviewQueue(
        to_review=having(ProjectStatus.PROPOSED),
        to_score=having(ProjectStatus.SUBMITTED),
        under_way=having(ProjectStatus.APPROVED, ProjectStatus.CHANGES_REQUESTED),
        scored=list(reversed(having(ProjectStatus.SCORED))),
    )


@dataclass(frozen=True)
class ScoreMove:
    """How one score moved the estimate of one competency."""

    competency: Competency
    p_before: float
    p_after: float

    @property
    def before_percent(self) -> int:
        return round(self.p_before * 100)

    @property
    def after_percent(self) -> int:
        return round(self.p_after * 100)

    @property
    def direction(self) -> str:
        """The move in words, for the student's page (staff see the percentages)."""
        if self.after_percent > self.before_percent:
            return gettext("went up")
        if self.after_percent < self.before_percent:
            return gettext("went down")
        return gettext("stayed the same")


@dataclass(frozen=True)
class ScoreEntry:
    score: RubricScore
    moves: list[ScoreMove]

    @property
    def proficient(self) -> bool:
        return self.score.level.points >= PROFICIENT_POINTS


@dataclass(frozen=True)
class CriterionRow:
    """One rubric row with its levels and its scores, newest first."""

    criterion: RubricCriterion
    levels: list[Any]
    history: list[ScoreEntry] = field(default_factory=list)

    @property
    def latest(self) -> ScoreEntry | None:
        return self.history[0] if self.history else None

    @property
    def levels_high_first(self) -> list[Any]:
        return sorted(self.levels, key=lambda level: -level.points)


def rubric_rows(criteria: Iterable[RubricCriterion]) -> list[CriterionRow]:
    """Rows of an unscored rubric (a template's), from prefetched criteria."""
    return [CriterionRow(c, list(c.levels.all())) for c in criteria]


@dataclass(frozen=True)
class ProjectDetail:
    project: StudentProject
    competencies: list[Competency]
    rows: list[CriterionRow]
    milestones: list[Milestone]
    submissions: list[Submission]

    @property
    def scored(self) -> bool:
        return any(row.history for row in self.rows)

    @property
    def milestones_done(self) -> int:
        return sum(1 for m in self.milestones if m.done_at is not None)


def project_detail(*, project: StudentProject) -> ProjectDetail:
    """Everything one project page shows, in a fixed number of queries."""
    criteria = list(
        project.criteria.select_related("competency")
        .prefetch_related("levels")
        .order_by("position", "pk")
    )
    scores = list(
        RubricScore.objects.filter(project=project)
        .select_related("level", "scored_by", "statement")
        .prefetch_related("statement__state_changes__state__competency")
        .order_by("-created_at", "-pk")
    )
    history: dict[int, list[ScoreEntry]] = {}
    for score in scores:
        moves = [
            ScoreMove(change.state.competency, change.p_before, change.p_after)
            for change in score.statement.state_changes.all()
        ]
        history.setdefault(score.criterion_id, []).append(ScoreEntry(score, moves))
    return ProjectDetail(
        project=project,
        competencies=list(project.competencies.all()),
        rows=[
            CriterionRow(criterion, list(criterion.levels.all()), history.get(criterion.pk, []))
            for criterion in criteria
        ],
        milestones=list(project.milestones.all()),
        submissions=list(project.submissions.select_related("milestone")),
    )
