"""Reads for a family's data requests: the summary of an export, the requests, retention."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from tandem.roster.constants import Role
from tandem.roster.models import User
from tandem.studentdata.models import DataRequest


def student_by_sourced_id(sourced_id: str) -> User:
    """The student with this sourcedId (User.DoesNotExist otherwise)."""
    return User.objects.get(sourced_id=sourced_id, role=Role.STUDENT)


def data_requests_list() -> QuerySet[DataRequest]:
    return DataRequest.objects.select_related(
        "student", "requested_by", "recorded_by", "handled_by"
    )


def students_past_retention(*, years: int, today: dt.date | None = None) -> QuerySet[User]:
    """Students not yet erased, with enrolments, all of which ended more than ``years`` ago."""
    today = today or timezone.localdate()
    try:
        cutoff = today.replace(year=today.year - years)
    except ValueError:  # 29 February
        cutoff = today.replace(year=today.year - years, day=28)
    current = Q(enrollments__end_date__isnull=True) | Q(enrollments__end_date__gte=cutoff)
    return (
        User.objects.filter(role=Role.STUDENT, erasure__isnull=True, enrollments__isnull=False)
        .exclude(pk__in=User.objects.filter(current).values("pk"))
        .distinct()
        .order_by("pk")
    )


def export_summary_context(*, student: User, now: dt.datetime) -> dict[str, Any]:
    """What the family's summary page of an export shows, read in bulk."""
    from tandem.checkins.models import CheckIn
    from tandem.evidence.models import Statement
    from tandem.goals.models import Reflection, WeeklyGoal
    from tandem.interop.models import Demographics
    from tandem.mastery.models import LearnerState
    from tandem.placement.models import DiagnosticSession
    from tandem.practice.models import Attempt, WrittenAnswer
    from tandem.privacy.models import AccessLog
    from tandem.profiles.models import Accommodation, LearnerProfile
    from tandem.projects.models import StudentProject

    return {
        "student": student,
        "generated_at": now,
        "enrollments": student.enrollments.select_related("school_class__course").order_by(
            "school_class__title"
        ),
        "guardians": User.objects.filter(wards__student=student),
        "profile": LearnerProfile.objects.filter(student=student).first(),
        "accommodations": Accommodation.objects.filter(student=student).order_by("created_at"),
        "demographics": Demographics.objects.filter(sourced_id=student.sourced_id).first(),
        "states": LearnerState.objects.filter(student=student)
        .select_related("competency")
        .order_by("competency__human_coding_scheme"),
        "statement_count": Statement.objects.filter(actor=student).count(),
        "attempt_count": Attempt.objects.filter(student=student).count(),
        "written_answers": WrittenAnswer.objects.filter(student=student).order_by("pk"),
        "diagnostics": DiagnosticSession.objects.filter(student=student).order_by("started_at"),
        "goals": WeeklyGoal.objects.filter(student=student).order_by("week", "pk"),
        "reflections": Reflection.objects.filter(student=student).order_by("week"),
        "projects": StudentProject.objects.filter(student=student).order_by("proposed_at"),
        "checkins": CheckIn.objects.filter(student=student)
        .select_related("teacher")
        .order_by("created_at"),
        "accesses": AccessLog.objects.filter(student=student)
        .select_related("actor")
        .order_by("at"),
    }
