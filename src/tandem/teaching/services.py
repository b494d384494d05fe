"""Writes by teachers: observations that become evidence and move the learner model."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from tandem.competencies.models import Competency
from tandem.evidence.constants import ObservationKind, Source, Verb
from tandem.evidence.models import Statement
from tandem.evidence.services import evidence_record
from tandem.mastery.services import mastery_apply
from tandem.roster.models import SchoolClass, User

# What a teacher learns by talking counts for more than one practice answer.
OBSERVATION_WEIGHT = 2.0


@transaction.atomic
def observation_record(
    *,
    teacher: User,
    student: User,
    competency: Competency,
    kind: ObservationKind,
    note: str,
    now: dt.datetime,
    school_class: SchoolClass | None = None,
    idempotency_key: str | None = None,
) -> Statement:
    """Record what the teacher observed as evidence, and update the student's estimate."""
    note = note.strip()
    if len(note) > 2000:
        raise ValueError("Keep the note under 2,000 characters.")
    success = kind == ObservationKind.SHOWED_UNDERSTANDING
    statement, created = evidence_record(
        actor=student,
        verb=Verb.OBSERVED,
        object_id=f"urn:tandem:competency:{competency.identifier}",
        object_name=f"{competency.code}: {ObservationKind(kind).label}",
        competencies=[competency],
        source=Source.OBSERVATION,
        authority=teacher,
        timestamp=now,
        success=success,
        score_scaled=1.0 if success else 0.0,
        response=note,
        school_class=school_class,
        extensions={"observation": str(kind)},
        weight=OBSERVATION_WEIGHT,
        idempotency_key=idempotency_key,
    )
    if created:
        mastery_apply(statement=statement)
    return statement
