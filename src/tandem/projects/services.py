"""Writes of the projects domain: the library, proposals and their review, work handed in, and
rubric scores that become evidence for the project's competencies."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from tandem.competencies.models import Competency
from tandem.evidence.constants import Source, Verb
from tandem.evidence.services import evidence_record
from tandem.mastery.services import mastery_apply
from tandem.projects.access import is_teacher_of
from tandem.projects.constants import (
    LEVEL_LABELS,
    MAX_POINTS,
    MIN_POINTS,
    PROFICIENT_POINTS,
    PROJECT_WEIGHT,
    REVIEWABLE,
    REVISABLE,
    TEXT_MAX,
    TITLE_MAX,
    UNDER_WAY,
    ProjectStatus,
    ReviewDecision,
)
from tandem.projects.library import LIBRARY
from tandem.projects.models import (
    Milestone,
    ProjectTemplate,
    RubricCriterion,
    RubricLevel,
    RubricScore,
    StudentProject,
    Submission,
    TemplateMilestone,
)
from tandem.projects.uploads import upload_check
from tandem.roster.access import classes_visible_to, is_administrator
from tandem.roster.constants import EnrollmentRole, Role
from tandem.roster.models import SchoolClass, User

MAX_COMPETENCIES = 6
MAX_CRITERIA = 8
MAX_MILESTONES = 8
# A student's own idea gets one rubric row per competency with these descriptors; the teacher
# sees them before approving and can ask for changes.
GENERIC_DESCRIPTORS = (
    "Attempts the math, with major errors or gaps.",
    "Uses the math with some errors, or only with help.",
    "Uses the math correctly and explains how.",
    "Uses the math correctly, explains why, and applies it in a new way.",
)
GENERIC_MILESTONES = (
    ("Plan: what you will make and how", 5),
    ("First draft", 12),
    ("Final work", 19),
)


class ProjectError(ValueError):
    """A rule of the projects domain was broken; the message says which, in plain words."""


@dataclass(frozen=True)
class LevelSpec:
    points: int
    descriptor: str
    label: str = ""


@dataclass(frozen=True)
class CriterionSpec:
    title: str
    levels: Sequence[LevelSpec]
    description: str = ""
    competency: Competency | None = None


@dataclass(frozen=True)
class MilestoneSpec:
    title: str
    days_after_start: int = 7


# ---------- helpers ----------


def _clean(text: str, *, limit: int, what: str, required: bool = False) -> str:
    text = (text or "").strip()
    if required and not text:
        raise ProjectError(f"The {what} is missing.")
    if len(text) > limit:
        raise ProjectError(f"Keep the {what} under {limit:,} characters.")
    return text


def _check_competencies(competencies: Sequence[Competency]) -> list[Competency]:
    unique = list({c.pk: c for c in competencies}.values())
    if not unique:
        raise ProjectError(gettext("Choose at least one competency the project will show."))
    if len(unique) > MAX_COMPETENCIES:
        raise ProjectError(
            gettext("Choose at most %(n)s competencies: focus on a few.") % {"n": MAX_COMPETENCIES}
        )
    return unique


def _check_levels(spec: CriterionSpec) -> list[LevelSpec]:
    points = [level.points for level in spec.levels]
    if sorted(points) != list(range(MIN_POINTS, MAX_POINTS + 1)):
        raise ProjectError(
            f"“{spec.title}” needs one level for each of {MIN_POINTS} to {MAX_POINTS} points."
        )
    for level in spec.levels:
        if not level.descriptor.strip():
            label = level.label or LEVEL_LABELS[level.points]
            raise ProjectError(f"Describe what “{label}” looks like for “{spec.title}”.")
    return sorted(spec.levels, key=lambda level: level.points)


def _criterion_create(
    *,
    spec: CriterionSpec,
    position: int,
    template: ProjectTemplate | None = None,
    project: StudentProject | None = None,
) -> RubricCriterion:
    levels = _check_levels(spec)
    criterion = RubricCriterion.objects.create(
        template=template,
        project=project,
        title=_clean(spec.title, limit=TITLE_MAX, what="rubric row title", required=True),
        description=_clean(spec.description, limit=TEXT_MAX, what="rubric row description"),
        competency=spec.competency,
        position=position,
    )
    RubricLevel.objects.bulk_create(
        RubricLevel(
            criterion=criterion,
            points=level.points,
            label=(level.label or LEVEL_LABELS[level.points]).strip()[:50],
            descriptor=level.descriptor.strip(),
        )
        for level in levels
    )
    return criterion


def _generic_criteria(competencies: Sequence[Competency]) -> list[CriterionSpec]:
    return [
        CriterionSpec(
            title=f"{comp.code}: {comp.full_statement[:150]}",
            competency=comp,
            levels=[
                LevelSpec(points=points, descriptor=GENERIC_DESCRIPTORS[points - 1])
                for points in range(MIN_POINTS, MAX_POINTS + 1)
            ],
        )
        for comp in competencies
    ]


def _require_owner(student: User, project: StudentProject) -> None:
    if project.student_id != student.pk:
        raise ProjectError("Only the student whose project it is can do that.")


def _require_teacher_of(teacher: User, project: StudentProject) -> None:
    if not is_teacher_of(teacher, project.student_id):
        raise ProjectError("Only a teacher of this student can review or score the project.")


# ---------- the library ----------


@transaction.atomic
def template_create(
    *,
    created_by: User | None,
    title: str,
    summary: str,
    competencies: Sequence[Competency],
    criteria: Sequence[CriterionSpec],
    now: dt.datetime,
    description: str = "",
    interest_tags: Sequence[str] = (),
    milestones: Sequence[MilestoneSpec] = (),
    published: bool = True,
    library_key: str | None = None,
) -> ProjectTemplate:
    """A library entry with its rubric (criteria × levels) and suggested milestones."""
    if created_by is not None and not (
        created_by.role == Role.TEACHER or is_administrator(created_by)
    ):
        raise ProjectError("Only teachers and administrators can add to the project library.")
    if not criteria:
        raise ProjectError("Add at least one rubric row.")
    if len(criteria) > MAX_CRITERIA or len(milestones) > MAX_MILESTONES:
        raise ProjectError(
            f"Keep to {MAX_CRITERIA} rubric rows and {MAX_MILESTONES} milestones at most."
        )
    tags = sorted({tag.strip().lower()[:30] for tag in interest_tags if tag.strip()})
    template = ProjectTemplate.objects.create(
        title=_clean(title, limit=TITLE_MAX, what="title", required=True),
        summary=_clean(summary, limit=300, what="summary", required=True),
        description=_clean(description, limit=TEXT_MAX, what="description"),
        interest_tags=tags,
        created_by=created_by,
        published=published,
        library_key=library_key,
        created_at=now,
    )
    template.competencies.set(_check_competencies(competencies))
    for position, spec in enumerate(criteria):
        _criterion_create(spec=spec, position=position, template=template)
    TemplateMilestone.objects.bulk_create(
        TemplateMilestone(
            template=template,
            title=_clean(m.title, limit=TITLE_MAX, what="milestone title", required=True),
            days_after_start=max(0, min(int(m.days_after_start), 365)),
            position=position,
        )
        for position, m in enumerate(milestones)
    )
    return template


@transaction.atomic
def template_publish(*, template: ProjectTemplate, published: bool, by: User) -> ProjectTemplate:
    """Show a template to students, or hide it (projects already started from it stay)."""
    if not (by.role == Role.TEACHER or is_administrator(by)):
        raise ProjectError("Only teachers and administrators can change the project library.")
    template.published = published
    template.save(update_fields=["published"])
    return template


def project_library_seed(*, now: dt.datetime | None = None) -> list[ProjectTemplate]:
    """Add the library Tandem ships (idempotent: templates already there are left as they are).

    Needs the Common Core framework loaded; a standard missing from it is left out of its
    template, and a template none of whose standards exist is skipped.
    """
    now = now or timezone.now()
    seeded = []
    for entry in LIBRARY:
        existing = ProjectTemplate.objects.filter(library_key=entry.key).first()
        if existing is not None:
            seeded.append(existing)
            continue
        by_code = {
            c.human_coding_scheme: c
            for c in Competency.objects.filter(human_coding_scheme__in=entry.codes).order_by("pk")
        }
        if not by_code:
            continue
        criteria = [
            CriterionSpec(
                title=row.title,
                description=row.description,
                competency=by_code.get(row.code),
                levels=[
                    LevelSpec(points=points, descriptor=text)
                    for points, text in enumerate(row.levels, start=MIN_POINTS)
                ],
            )
            for row in entry.criteria
        ]
        seeded.append(
            template_create(
                created_by=None,
                title=entry.title,
                summary=entry.summary,
                description=entry.description,
                interest_tags=entry.tags,
                competencies=[by_code[code] for code in entry.codes if code in by_code],
                criteria=criteria,
                milestones=[MilestoneSpec(title, days) for title, days in entry.milestones],
                now=now,
                library_key=entry.key,
            )
        )
    return seeded


# ---------- proposals and review ----------


@transaction.atomic
def project_propose(
    *,
    student: User,
    now: dt.datetime,
    template: ProjectTemplate | None = None,
    title: str = "",
    description: str = "",
    interest: str = "",
    competencies: Sequence[Competency] = (),
    idempotency_key: str | None = None,
) -> tuple[StudentProject, bool]:
    """A student proposes a project: from a library template (its rubric and milestones are
    copied, so later edits to the template change nothing) or their own idea with the
    competencies they choose. Returns ``(project, created)``; a repeated key gives the first.
    """
    if student.role != Role.STUDENT:
        raise ProjectError("Only students propose projects.")
    if idempotency_key:
        existing = StudentProject.objects.filter(
            student=student, idempotency_key=idempotency_key
        ).first()
        if existing is not None:
            return existing, False
    if template is not None:
        if not template.published:
            raise ProjectError(gettext("That project idea is not in the library any more."))
        chosen = list(template.competencies.all())
        title = title.strip() or template.title
        description = description.strip() or template.description
    else:
        chosen = list(competencies)
    chosen = _check_competencies(chosen)
    project = StudentProject.objects.create(
        student=student,
        template=template,
        title=_clean(title, limit=TITLE_MAX, what="title", required=True),
        description=_clean(description, limit=TEXT_MAX, what="description"),
        interest=_clean(interest, limit=TEXT_MAX, what="reason it interests you"),
        status=ProjectStatus.PROPOSED,
        proposed_at=now,
        updated_at=now,
        idempotency_key=idempotency_key or None,
    )
    project.competencies.set(chosen)
    today = timezone.localdate(now)
    if template is not None:
        for criterion in template.criteria.prefetch_related("levels"):
            spec = CriterionSpec(
                title=criterion.title,
                description=criterion.description,
                competency=criterion.competency,
                levels=[
                    LevelSpec(lv.points, lv.descriptor, lv.label) for lv in criterion.levels.all()
                ],
            )
            _criterion_create(spec=spec, position=criterion.position, project=project)
        steps = [(m.title, m.days_after_start) for m in template.milestones.all()]
    else:
        for position, spec in enumerate(_generic_criteria(chosen)):
            _criterion_create(spec=spec, position=position, project=project)
        steps = list(GENERIC_MILESTONES)
    Milestone.objects.bulk_create(
        Milestone(
            project=project,
            title=step_title,
            due_date=today + dt.timedelta(days=days),
            position=position,
        )
        for position, (step_title, days) in enumerate(steps)
    )
    return project, True


@transaction.atomic
def project_revise(
    *,
    student: User,
    project: StudentProject,
    now: dt.datetime,
    title: str,
    description: str,
    interest: str,
    competencies: Sequence[Competency] = (),
) -> StudentProject:
    """The student changes a proposal not yet approved; it goes back to the teacher.

    On the student's own idea the competencies may change too, and its rubric follows them; a
    library project keeps the template's competencies and rubric.
    """
    _require_owner(student, project)
    project = StudentProject.objects.select_for_update(of=("self",)).get(pk=project.pk)
    if project.status not in REVISABLE:
        raise ProjectError(
            gettext("This project is approved already; ask your teacher about changes.")
        )
    project.title = _clean(title, limit=TITLE_MAX, what="title", required=True)
    project.description = _clean(description, limit=TEXT_MAX, what="description")
    project.interest = _clean(interest, limit=TEXT_MAX, what="reason it interests you")
    if project.template_id is None:
        chosen = _check_competencies(competencies)
        if {c.pk for c in chosen} != set(project.competencies.values_list("pk", flat=True)):
            project.competencies.set(chosen)
            # Nothing is scored before approval, so the generated rubric can be rebuilt.
            project.criteria.all().delete()
            for position, spec in enumerate(_generic_criteria(chosen)):
                _criterion_create(spec=spec, position=position, project=project)
    project.status = ProjectStatus.PROPOSED
    project.updated_at = now
    project.save()
    return project


@transaction.atomic
def project_review(
    *,
    teacher: User,
    project: StudentProject,
    decision: ReviewDecision,
    now: dt.datetime,
    feedback: str = "",
) -> StudentProject:
    """A teacher of the student approves the proposal or asks for changes (saying which)."""
    _require_teacher_of(teacher, project)
    project = StudentProject.objects.select_for_update(of=("self",)).get(pk=project.pk)
    if project.status not in REVIEWABLE:
        raise ProjectError("Work has been handed in already; score it instead.")
    feedback = _clean(feedback, limit=TEXT_MAX, what="feedback")
    if decision == ReviewDecision.REQUEST_CHANGES:
        if not feedback:
            raise ProjectError("Say what should change, so the student knows what to do next.")
        project.status = ProjectStatus.CHANGES_REQUESTED
    else:
        project.status = ProjectStatus.APPROVED
    if feedback:
        project.feedback = feedback
    project.reviewed_by = teacher
    project.reviewed_at = now
    project.updated_at = now
    project.save()
    return project


# ---------- work ----------


@transaction.atomic
def milestone_complete(*, student: User, milestone: Milestone, now: dt.datetime) -> Milestone:
    """The student marks a milestone done (doing it twice keeps the first time)."""
    project = milestone.project
    _require_owner(student, project)
    if project.status not in UNDER_WAY:
        raise ProjectError(gettext("Your teacher needs to approve the project first."))
    milestone = Milestone.objects.select_for_update(of=("self",)).get(pk=milestone.pk)
    if milestone.done_at is None:
        milestone.done_at = now
        milestone.save(update_fields=["done_at"])
        StudentProject.objects.filter(pk=project.pk).update(updated_at=now)
    return milestone


def link_check(link: str) -> str:
    """A web address the student typed, or ProjectError: only http and https are accepted."""
    link = (link or "").strip()
    if not link:
        return ""
    if "://" not in link:
        link = "https://" + link
    try:
        URLValidator(schemes=["http", "https"])(link)
    except ValidationError:
        raise ProjectError(
            gettext(
                "That link is not a web address. Copy it from the browser's address bar; "
                "it starts with https://"
            )
        ) from None
    if len(link) > 500:
        raise ProjectError(gettext("That link is too long (500 characters at most)."))
    return link


@transaction.atomic
def submission_create(
    *,
    student: User,
    project: StudentProject,
    now: dt.datetime,
    text: str = "",
    link: str = "",
    upload: UploadedFile[bytes] | None = None,
    milestone: Milestone | None = None,
    idempotency_key: str | None = None,
) -> tuple[Submission, bool]:
    """Hand in work: text, a link, a file, or several at once. Work for no particular milestone
    is the final work, and the project goes to the teacher for scoring.

    Raises ProjectError, or ``UploadRejectedError`` with the reason a file was refused.
    """
    _require_owner(student, project)
    if idempotency_key:
        existing = Submission.objects.filter(
            project=project, idempotency_key=idempotency_key
        ).first()
        if existing is not None:
            return existing, False
    project = StudentProject.objects.select_for_update(of=("self",)).get(pk=project.pk)
    if project.status not in UNDER_WAY:
        raise ProjectError(
            gettext("Your teacher needs to approve the project before you hand in work.")
        )
    if milestone is not None and milestone.project_id != project.pk:
        raise ProjectError(gettext("That milestone belongs to another project."))
    text = _clean(text, limit=TEXT_MAX, what="text")
    link = link_check(link)
    if not (text or link or upload):
        raise ProjectError("Write something, add a link or attach a file.")
    submission = Submission(
        project=project,
        milestone=milestone,
        text=text,
        link=link,
        created_at=now,
        idempotency_key=idempotency_key or None,
    )
    if upload is not None:
        checked = upload_check(name=upload.name or "", size=upload.size or 0, stream=upload)
        submission.file = upload
        submission.file_name = checked.name
        submission.file_kind = checked.kind
        submission.file_size = checked.size
    submission.save()
    if milestone is None:
        project.status = ProjectStatus.SUBMITTED
    project.updated_at = now
    project.save(update_fields=["status", "updated_at"])
    return submission, True


# ---------- scores ----------


def _shared_class(teacher: User, student_id: int) -> SchoolClass | None:
    return (
        classes_visible_to(teacher)
        .filter(enrollments__user_id=student_id, enrollments__role=EnrollmentRole.STUDENT)
        .order_by("pk")
        .first()
    )


@transaction.atomic
def project_score(
    *,
    teacher: User,
    project: StudentProject,
    levels: Mapping[int, int],
    now: dt.datetime,
    feedback: str = "",
    idempotency_key: str | None = None,
) -> list[RubricScore]:
    """The teacher scores rubric rows (``levels``: criterion id → level id). Every score is a
    new statement about the row's competency (or the project's competencies), weighted
    ``PROJECT_WEIGHT``, and moves the learner model. Rescoring adds scores; none is edited.

    The first scoring covers every row; later ones may rescore some. With the same
    ``idempotency_key`` a repeated submission returns the scores it made the first time.
    """
    _require_teacher_of(teacher, project)
    project = StudentProject.objects.select_for_update(of=("self",)).get(pk=project.pk)
    if project.status not in UNDER_WAY:
        raise ProjectError("Approve the project before scoring it.")
    criteria = {
        c.pk: c for c in project.criteria.select_related("competency").prefetch_related("levels")
    }
    unknown = set(levels) - set(criteria)
    if unknown:
        raise ProjectError("A rubric row does not belong to this project.")
    if not levels:
        raise ProjectError("Choose a level for at least one rubric row.")
    already = set(project.scores.values_list("criterion_id", flat=True))
    missing = [c.title for pk, c in criteria.items() if pk not in levels and pk not in already]
    if missing:
        raise ProjectError("Score every rubric row the first time. Missing: " + "; ".join(missing))
    feedback = _clean(feedback, limit=TEXT_MAX, what="feedback")
    project_competencies = list(project.competencies.all())
    school_class = _shared_class(teacher, project.student_id)
    scores = []
    recorded = False
    for criterion_id, level_id in levels.items():
        criterion = criteria[criterion_id]
        by_id = {level.pk: level for level in criterion.levels.all()}
        level = by_id.get(level_id)
        if level is None:
            raise ProjectError(f"Choose one of the levels of “{criterion.title}”.")
        top = max(lv.points for lv in by_id.values())
        key = (
            f"project-score:{teacher.pk}:{project.pk}:{criterion.pk}:{idempotency_key}"
            if idempotency_key
            else None
        )
        statement, created = evidence_record(
            actor=project.student,
            verb=Verb.SCORED,
            object_id=f"urn:tandem:project:{project.pk}#criterion-{criterion.pk}",
            object_name=f"Project “{project.title}”: {criterion.title} — {level.label}",
            competencies=[criterion.competency] if criterion.competency else project_competencies,
            source=Source.PROJECT,
            authority=teacher,
            timestamp=now,
            success=level.points >= PROFICIENT_POINTS,
            score_scaled=(level.points - MIN_POINTS) / (top - MIN_POINTS) if top > 1 else 1.0,
            school_class=school_class,
            extensions={
                "project": project.pk,
                "criterion": criterion.pk,
                "points": level.points,
                "max_points": top,
                "level": level.label,
            },
            weight=PROJECT_WEIGHT,
            idempotency_key=key,
        )
        if not created:
            score = RubricScore.objects.filter(statement=statement).first()
            if score is not None:
                scores.append(score)
                continue
        else:
            mastery_apply(statement=statement)
        recorded = True
        scores.append(
            RubricScore.objects.create(
                project=project,
                criterion=criterion,
                level=level,
                scored_by=teacher,
                statement=statement,
                created_at=now,
            )
        )
    if not recorded:  # a repeated submission: everything was recorded the first time
        return scores
    if feedback:
        project.feedback = feedback
    project.status = ProjectStatus.SCORED
    project.updated_at = now
    project.save(update_fields=["feedback", "status", "updated_at"])
    return scores
