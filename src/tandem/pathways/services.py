"""Writes of pathways: build and refresh a plan, add and remove targets, reorder steps, add
projects, approve. Each runs in a transaction and leaves an entry in the pathway's history.

Who may act on whose pathway is decided at the access chokepoint (``roster.access``) before a
service is called; a service only tells the student (their own plan) from a teacher. A change
the student makes to an approved plan sends it back to the teacher for approval.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from django.db import IntegrityError, transaction
from django.utils.translation import gettext

from tandem.competencies.models import Competency
from tandem.pathways.constants import (
    DESCRIPTION_MAX,
    TITLE_MAX,
    EventKind,
    PathwayStatus,
    StepKind,
    TargetReason,
)
from tandem.pathways.models import Pathway, PathwayEvent, PathwayStep, PathwayTarget
from tandem.pathways.rules import moved, needed_competencies, new_violations, plan_order
from tandem.pathways.selectors import PlanInputs, default_target_ids, plan_inputs
from tandem.roster.access import is_administrator
from tandem.roster.constants import Role
from tandem.roster.models import User

ActorRole = Literal["student", "teacher"]


class PathwayError(ValueError):
    """A change the rules refuse; the message says why, for the person who asked."""


# ---------- helpers ----------


def _role(actor: User, pathway: Pathway) -> ActorRole:
    """The student whose plan it is, or a teacher; nobody else changes a pathway."""
    if actor.pk == pathway.student_id:
        return "student"
    if actor.role == Role.TEACHER or is_administrator(actor):
        return "teacher"
    raise PathwayError(gettext("Only the student and their teachers can change this pathway."))


def _event(
    pathway: Pathway,
    *,
    kind: EventKind,
    actor: User | None,
    summary: str,
    now: dt.datetime,
    details: dict[str, Any] | None = None,
) -> PathwayEvent:
    role = ""
    if actor is not None:
        role = Role.ADMINISTRATOR if is_administrator(actor) else actor.role
    return PathwayEvent.objects.create(
        pathway=pathway,
        kind=kind,
        actor=actor,
        actor_role=role,
        summary=summary[:500],
        details=details or {},
        at=now,
    )


def _locked(pathway: Pathway) -> Pathway:
    """The pathway row, locked until the transaction ends, so changes to one plan queue up."""
    return Pathway.objects.select_for_update(of=("self",)).get(pk=pathway.pk)


def _touched(pathway: Pathway, *, actor: User, role: ActorRole, now: dt.datetime) -> None:
    """Mark a change; a student's change to an approved plan returns it to draft."""
    pathway.updated_at = now
    fields = ["updated_at"]
    if role == "student" and pathway.status == PathwayStatus.APPROVED:
        pathway.status = PathwayStatus.DRAFT
        fields.append("status")
        _event(
            pathway,
            kind=EventKind.REOPENED,
            actor=actor,
            summary="Back to draft: the student changed the plan after it was approved.",
            now=now,
        )
    pathway.save(update_fields=fields)


def _codes(competencies: Iterable[Competency]) -> str:
    return ", ".join(sorted(c.code for c in competencies)) or "none"


def _step_key(step: PathwayStep) -> int | tuple[str, int]:
    return step.competency_id if step.competency_id is not None else ("project", step.pk)


def _renumber(steps: Sequence[PathwayStep]) -> None:
    changed = []
    for position, step in enumerate(steps):
        if step.position != position:
            step.position = position
            changed.append(step)
    if changed:
        PathwayStep.objects.bulk_update(changed, ["position"])


@dataclass(frozen=True)
class SyncResult:
    added: list[Competency]
    removed: list[Competency]
    targets_added: list[Competency]

    @property
    def changed(self) -> bool:
        return bool(self.added or self.removed or self.targets_added)


def _sync(
    pathway: Pathway, *, student: User, inputs: PlanInputs, actor: User | None, now: dt.datetime
) -> SyncResult:
    """Bring the steps in line with the targets and the learner state, in a valid order.

    Course standards not yet on the plan become targets (ones taken off stay off); each target
    and every prerequisite still to learn becomes a step; steps no target needs any more go;
    the order keeps what the student chose wherever prerequisites allow.
    """
    practisable = inputs.practisable
    known = set(pathway.targets.values_list("competency_id", flat=True))
    new_defaults = sorted(
        default_target_ids(student=student, practisable=practisable) - known, key=inputs.tie
    )
    PathwayTarget.objects.bulk_create(
        PathwayTarget(
            pathway=pathway,
            competency_id=cid,
            reason=TargetReason.COURSE,
            added_by=None,
            added_at=now,
        )
        for cid in new_defaults
    )
    targets = [
        cid
        for cid in pathway.targets.filter(removed_at__isnull=True).values_list(
            "competency_id", flat=True
        )
        if cid in practisable
    ]
    steps = list(pathway.steps.all())
    planned = {s.competency_id for s in steps if s.competency_id is not None}
    needed = needed_competencies(
        targets=targets,
        prerequisites=inputs.prerequisites,
        mastered=inputs.mastered,
        planned=planned,
    )
    going = [s for s in steps if s.competency_id is not None and s.competency_id not in needed]
    if going:
        PathwayStep.objects.filter(pk__in=[s.pk for s in going]).delete()
    kept = [s for s in steps if s not in going]
    added = sorted(needed - planned, key=inputs.tie)
    new_steps = PathwayStep.objects.bulk_create(
        PathwayStep(
            pathway=pathway,
            position=len(kept) + i,
            kind=StepKind.COMPETENCY,
            competency_id=cid,
            added_by=actor,
            created_at=now,
        )
        for i, cid in enumerate(added)
    )
    # bulk_create sets primary keys on SQLite and PostgreSQL; fetch again to be sure of them.
    if new_steps and any(s.pk is None for s in new_steps):
        new_steps = list(pathway.steps.filter(competency_id__in=added))
    everything = kept + list(new_steps)
    by_key = {_step_key(s): s for s in everything}
    order = plan_order(
        keys=list(by_key),
        prerequisites={
            key: inputs.prerequisites.get(key, set()) if isinstance(key, int) else set()
            for key in by_key
        },
        current={_step_key(s): s.position for s in kept},
        tie={
            key: inputs.tie(key) if isinstance(key, int) else (0, 0)
            for key in by_key  # projects carry their position; the tie never decides for them
        },
    )
    _renumber([by_key[key] for key in order])
    return SyncResult(
        added=[practisable[cid] for cid in added],
        removed=[s.competency for s in going if s.competency is not None],
        targets_added=[practisable[cid] for cid in new_defaults],
    )


def _refresh(
    pathway: Pathway, *, inputs: PlanInputs | None = None, actor: User | None, now: dt.datetime
) -> SyncResult:
    student = pathway.student
    inputs = inputs or plan_inputs(student_id=student.pk, now=now)
    return _sync(pathway, student=student, inputs=inputs, actor=actor, now=now)


# ---------- building ----------


@transaction.atomic
def pathway_build(*, student: User, now: dt.datetime, actor: User | None = None) -> Pathway:
    """Create the student's pathway, or refresh it from its targets and the learner state.

    Refreshing is idempotent: it writes only when something changed (a new course standard, a
    prerequisite to learn again after a relapse), and logs that as done by Tandem.
    """
    if student.role != Role.STUDENT:
        raise PathwayError("Only students have a pathway.")
    try:
        with transaction.atomic():
            pathway, created = Pathway.objects.get_or_create(
                student=student, defaults={"created_at": now, "updated_at": now}
            )
    except IntegrityError:  # a concurrent first visit created it
        pathway, created = Pathway.objects.get(student=student), False
    pathway = _locked(pathway)
    result = _refresh(pathway, actor=actor, now=now)
    if created:
        _event(
            pathway,
            kind=EventKind.CREATED,
            actor=actor,
            summary=(
                f"Plan created with {len(result.targets_added)} course standards as targets "
                f"and {len(result.added)} steps."
            ),
            now=now,
            details={"targets": [c.code for c in result.targets_added]},
        )
    elif result.changed:
        parts = []
        if result.targets_added:
            parts.append(f"new course standards {_codes(result.targets_added)}")
        if result.added:
            parts.append(f"steps added {_codes(result.added)}")
        if result.removed:
            parts.append(f"steps no longer needed {_codes(result.removed)}")
        _event(
            pathway,
            kind=EventKind.REFRESHED,
            actor=actor,
            summary="Plan refreshed from the latest evidence: " + "; ".join(parts) + ".",
            now=now,
            details={
                "added": [c.code for c in result.added],
                "removed": [c.code for c in result.removed],
            },
        )
    if created or result.changed:
        pathway.updated_at = now
        pathway.save(update_fields=["updated_at"])
    return pathway


# ---------- targets ----------


@transaction.atomic
def pathway_target_add(
    *, actor: User, pathway: Pathway, competency: Competency, now: dt.datetime
) -> PathwayTarget:
    """Aim the plan at one more competency, at any grade; its missing prerequisites join too.
    Adding a target that is already there changes nothing (a repeated submission)."""
    pathway = _locked(pathway)
    role = _role(actor, pathway)
    inputs = plan_inputs(student_id=pathway.student_id, now=now)
    if competency.pk not in inputs.practisable:
        raise PathwayError(
            gettext("%(code)s has no practice in Tandem yet, so it cannot be a target.")
            % {"code": competency.code}
        )
    reason = TargetReason.STUDENT if role == "student" else TargetReason.TEACHER
    target = PathwayTarget.objects.filter(pathway=pathway, competency=competency).first()
    if target is not None and target.removed_at is None:
        return target
    if target is None:
        target = PathwayTarget.objects.create(
            pathway=pathway, competency=competency, reason=reason, added_by=actor, added_at=now
        )
    else:
        target.reason, target.added_by, target.added_at = reason, actor, now
        target.removed_at, target.removed_by = None, None
        target.save()
    result = _refresh(pathway, inputs=inputs, actor=actor, now=now)
    mastered = " (already mastered)" if competency.pk in inputs.mastered else ""
    _event(
        pathway,
        kind=EventKind.TARGET_ADDED,
        actor=actor,
        summary=(
            f"Added target {competency.code}{mastered}; "
            f"{len(result.added)} step{'s' if len(result.added) != 1 else ''} added"
            + (f" ({_codes(result.added)})." if result.added else ".")
        ),
        now=now,
        details={"competency": competency.code, "steps_added": [c.code for c in result.added]},
    )
    _touched(pathway, actor=actor, role=role, now=now)
    return target


@transaction.atomic
def pathway_target_remove(*, actor: User, target: PathwayTarget, now: dt.datetime) -> None:
    """Take a target off the plan, with the steps only it needed. A student may take off only
    the targets they chose; the course's standards and a teacher's are the teacher's to change.
    """
    pathway = _locked(target.pathway)
    role = _role(actor, pathway)
    target = PathwayTarget.objects.select_related("competency").get(pk=target.pk)
    if target.removed_at is not None:
        return
    if role == "student" and target.reason != TargetReason.STUDENT:
        if target.reason == TargetReason.COURSE:
            refusal = gettext(
                "%(code)s is on your plan as a course standard; only your teacher can take it off."
            )
        else:
            refusal = gettext(
                "%(code)s is on your plan as your teacher’s choice; only your teacher can take "
                "it off."
            )
        raise PathwayError(refusal % {"code": target.competency.code})
    target.removed_at, target.removed_by = now, actor
    target.save(update_fields=["removed_at", "removed_by"])
    result = _refresh(pathway, actor=actor, now=now)
    _event(
        pathway,
        kind=EventKind.TARGET_REMOVED,
        actor=actor,
        summary=(
            f"Removed target {target.competency.code}"
            f" ({TargetReason(target.reason).label.lower()}); "
            f"{len(result.removed)} step{'s' if len(result.removed) != 1 else ''} removed"
            + (f" ({_codes(result.removed)})." if result.removed else ".")
        ),
        now=now,
        details={
            "competency": target.competency.code,
            "steps_removed": [c.code for c in result.removed],
        },
    )
    _touched(pathway, actor=actor, role=role, now=now)


# ---------- steps ----------


def _step_name(step: PathwayStep) -> str:
    if step.competency is not None:
        return step.competency.code
    return f"project “{step.title}”"


@transaction.atomic
def pathway_step_move(
    *, actor: User, step: PathwayStep, position: int, now: dt.datetime
) -> PathwayStep:
    """Put a step at ``position`` (0-based) in the plan. Refused, with the reason, when the new
    order would put a competency before one of its prerequisites not yet mastered."""
    pathway = _locked(step.pathway)
    role = _role(actor, pathway)
    steps = list(pathway.steps.select_related("competency"))
    step = next((s for s in steps if s.pk == step.pk), step)
    if step not in steps:
        raise PathwayError(gettext("That step is no longer on the plan."))
    old = [_step_key(s) for s in steps]
    key = _step_key(step)
    new = moved(old, key, position)
    if new == old:
        return step
    inputs = plan_inputs(student_id=pathway.student_id, now=now)
    prerequisites = {
        k: inputs.prerequisites.get(k, set()) if isinstance(k, int) else set() for k in old
    }
    broken = new_violations(old, new, prerequisites=prerequisites, mastered=inputs.mastered)
    if broken:
        names = {_step_key(s): _step_name(s) for s in steps}
        later, earlier = (names[k] for k in broken[0])
        raise PathwayError(
            gettext(
                "%(later)s can’t come before %(earlier)s: it builds on %(earlier)s, "
                "which isn’t mastered yet."
            )
            % {"later": later, "earlier": earlier}
        )
    by_key = {_step_key(s): s for s in steps}
    _renumber([by_key[k] for k in new])
    _event(
        pathway,
        kind=EventKind.STEP_MOVED,
        actor=actor,
        summary=(
            f"Moved {_step_name(step)} from step {old.index(key) + 1} to step {new.index(key) + 1}."
        ),
        now=now,
        details={"step": step.pk, "from": old.index(key), "to": new.index(key)},
    )
    _touched(pathway, actor=actor, role=role, now=now)
    step.refresh_from_db()
    return step


@transaction.atomic
def pathway_project_add(
    *,
    actor: User,
    pathway: Pathway,
    title: str,
    description: str = "",
    competencies: Iterable[Competency] = (),
    now: dt.datetime,
    idempotency_key: str | None = None,
) -> PathwayStep:
    """Add an interest-driven project at the end of the plan, optionally naming the
    competencies it practices. A repeated key returns the project added the first time."""
    pathway = _locked(pathway)
    role = _role(actor, pathway)
    key = f"pathway:{pathway.pk}:{idempotency_key}" if idempotency_key else None
    if key:
        existing = PathwayStep.objects.filter(idempotency_key=key).first()
        if existing is not None:
            return existing
    title, description = title.strip(), description.strip()
    if not title:
        raise PathwayError(gettext("Give the project a title."))
    if len(title) > TITLE_MAX:
        raise PathwayError(gettext("Keep the title under %(max)s characters.") % {"max": TITLE_MAX})
    if len(description) > DESCRIPTION_MAX:
        raise PathwayError(
            gettext("Keep the description under %(max)s characters.")
            % {"max": f"{DESCRIPTION_MAX:,}"}
        )
    practises = list(competencies)
    last = pathway.steps.order_by("-position").values_list("position", flat=True).first()
    step = PathwayStep.objects.create(
        pathway=pathway,
        position=0 if last is None else last + 1,
        kind=StepKind.PROJECT,
        title=title,
        description=description,
        added_by=actor,
        created_at=now,
        idempotency_key=key,
    )
    step.practises.set(practises)
    _event(
        pathway,
        kind=EventKind.PROJECT_ADDED,
        actor=actor,
        summary=f"Added project “{title}”"
        + (f", practicing {_codes(practises)}." if practises else "."),
        now=now,
        details={"step": step.pk, "title": title, "practises": [c.code for c in practises]},
    )
    _touched(pathway, actor=actor, role=role, now=now)
    return step


def _project(step: PathwayStep) -> PathwayStep:
    step = PathwayStep.objects.get(pk=step.pk)
    if step.kind != StepKind.PROJECT:
        raise PathwayError(
            gettext("Competency steps are done when mastered, and go with their target.")
        )
    return step


@transaction.atomic
def pathway_project_complete(*, actor: User, step: PathwayStep, now: dt.datetime) -> PathwayStep:
    """Mark a project finished (competency steps are finished by mastering them)."""
    pathway = _locked(step.pathway)
    _role(actor, pathway)
    step = _project(step)
    if step.completed_at is not None:
        return step
    step.completed_at = now
    step.save(update_fields=["completed_at"])
    _event(
        pathway,
        kind=EventKind.PROJECT_DONE,
        actor=actor,
        summary=f"Finished project “{step.title}”.",
        now=now,
        details={"step": step.pk},
    )
    # Finishing work is progress, not a change of plan: the approval stands.
    pathway.updated_at = now
    pathway.save(update_fields=["updated_at"])
    return step


@transaction.atomic
def pathway_project_remove(*, actor: User, step: PathwayStep, now: dt.datetime) -> None:
    """Take a project off the plan: a student the projects they added, a teacher any."""
    pathway = _locked(step.pathway)
    role = _role(actor, pathway)
    try:
        step = _project(step)
    except PathwayStep.DoesNotExist:
        return  # already removed: a repeated submission
    if role == "student" and step.added_by_id != actor.pk:
        raise PathwayError(
            gettext("Your teacher added this project; ask them before taking it off.")
        )
    title = step.title
    step.delete()
    _renumber(list(pathway.steps.all()))
    _event(
        pathway,
        kind=EventKind.PROJECT_REMOVED,
        actor=actor,
        summary=f"Removed project “{title}”.",
        now=now,
        details={"title": title},
    )
    _touched(pathway, actor=actor, role=role, now=now)


# ---------- approval ----------


@transaction.atomic
def pathway_approve(*, actor: User, pathway: Pathway, now: dt.datetime) -> Pathway:
    """A teacher approves the plan as it stands; approving an approved plan changes nothing."""
    pathway = _locked(pathway)
    if _role(actor, pathway) != "teacher":
        raise PathwayError("Only a teacher can approve a pathway.")
    if pathway.status == PathwayStatus.APPROVED:
        return pathway
    pathway.status = PathwayStatus.APPROVED
    pathway.approved_by, pathway.approved_at, pathway.updated_at = actor, now, now
    pathway.save(update_fields=["status", "approved_by", "approved_at", "updated_at"])
    steps = pathway.steps.count()
    _event(
        pathway,
        kind=EventKind.APPROVED,
        actor=actor,
        summary=f"Approved the plan ({steps} step{'s' if steps != 1 else ''}).",
        now=now,
    )
    return pathway
