"""Student-record endpoints: mastery and evidence, through the one access chokepoint."""

from __future__ import annotations

import datetime as dt
import uuid

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Router, Schema, Status
from pydantic import Field

from tandem.api.auth import session_or_token
from tandem.api.constants import Scope
from tandem.api.schemas import ERRORS
from tandem.competencies.models import Competency
from tandem.evidence.constants import ObservationKind
from tandem.evidence.selectors import evidence_timeline
from tandem.interop.xapi.mirror import RESPONSE_SOURCES
from tandem.mastery.selectors import mastery_for_student
from tandem.roster.access import access_student, may_read_staff_notes, students_visible_to
from tandem.roster.models import User
from tandem.teaching.services import observation_record

router = Router()


class StudentOut(Schema):
    id: int
    name: str
    pseudonym: str
    grade: str


class MasteryOut(Schema):
    competency: str
    statement: str
    p_mastery: float
    sd: float
    uncertain: bool
    status: str
    attempts: int
    correct: int
    last_evidence_at: dt.datetime | None


class StatementOut(Schema):
    id: uuid.UUID
    verb: str
    object: str
    success: bool | None
    response: str
    source: str
    timestamp: dt.datetime
    authority: str
    competencies: list[str]


class ObservationIn(Schema):
    competency: str = Field(min_length=1, max_length=50, description="Code, e.g. 6.EE.A.2")
    kind: ObservationKind
    note: str = Field(default="", max_length=2000)


@router.get(
    "/", response={200: list[StudentOut], **ERRORS}, auth=session_or_token(Scope.READ_ROSTER)
)
def list_students(request: HttpRequest) -> list[StudentOut]:
    """Students the caller (the signed-in user, or the token's user) may see.

    API token scope: `read:roster`."""
    return [
        StudentOut(id=s.pk, name=s.display_name, pseudonym=s.pseudonym, grade=s.grade)
        for s in students_visible_to(request.user).order_by("last_name", "first_name")
    ]


@router.get(
    "/{student_id}/mastery",
    response={200: list[MasteryOut], **ERRORS},
    auth=session_or_token(Scope.READ_MASTERY),
)
def student_mastery(request: HttpRequest, student_id: int) -> list[MasteryOut]:
    """The student's mastery estimate per competency. API token scope: `read:mastery`."""
    student = access_student(user=request.user, student_id=student_id, action="api:mastery")
    views = mastery_for_student(student_id=student.pk, now=timezone.now())
    comps = Competency.objects.in_bulk(list(views))
    return [
        MasteryOut(
            competency=comps[cid].code,
            statement=comps[cid].full_statement,
            p_mastery=round(v.p_mastery, 4),
            sd=round(v.sd, 4),
            uncertain=v.uncertain,
            status=v.status,
            attempts=v.n_attempts,
            correct=v.n_correct,
            last_evidence_at=v.last_evidence_at,
        )
        for cid, v in sorted(views.items(), key=lambda kv: comps[kv[0]].list_order)
    ]


def _statement_out(s: object, *, staff: bool) -> StatementOut:
    """One statement; its response only where it is the student's own answer or, for a
    teacher's note (observation, check-in, rubric), where the reader is staff."""
    from tandem.evidence.models import Statement

    assert isinstance(s, Statement)
    shown = staff or s.source in RESPONSE_SOURCES
    return StatementOut(
        id=s.pk,
        verb=s.get_verb_display(),
        object=s.object_name or s.object_id,
        success=s.result_success,
        response=s.result_response if shown else "",
        source=s.source,
        timestamp=s.timestamp,
        authority=s.authority.display_name,
        competencies=[c.code for c in s.competencies.all()],
    )


@router.get(
    "/{student_id}/evidence",
    response={200: list[StatementOut], **ERRORS},
    auth=session_or_token(Scope.READ_EVIDENCE),
)
def student_evidence(request: HttpRequest, student_id: int, limit: int = 50) -> list[StatementOut]:
    """The student's latest evidence, newest first (teachers' notes only to staff).

    API token scope: `read:evidence`."""
    student = access_student(user=request.user, student_id=student_id, action="api:evidence")
    limit = max(1, min(limit, 500))
    staff = may_read_staff_notes(request.user)
    return [
        _statement_out(s, staff=staff)
        for s in evidence_timeline(student_id=student.pk, limit=limit)
    ]


@router.post(
    "/{student_id}/observations",
    response={201: StatementOut, **ERRORS},
    auth=session_or_token(Scope.WRITE_EVIDENCE),
)
def add_observation(
    request: HttpRequest, student_id: int, payload: ObservationIn
) -> Status[StatementOut]:
    """A teacher records what they observed; it becomes evidence and moves the estimate.

    API token scope: `write:evidence` (a token acting as a teacher)."""
    user = request.user
    if not isinstance(user, User) or not user.is_teacher:
        from django.http import Http404

        raise Http404("Only teachers record observations.")
    student = access_student(user=user, student_id=student_id, action="api:observe")
    competency = get_object_or_404(Competency, human_coding_scheme=payload.competency)
    statement = observation_record(
        teacher=user,
        student=student,
        competency=competency,
        kind=payload.kind,
        note=payload.note,
        now=timezone.now(),
    )
    return Status(201, _statement_out(statement, staff=True))
