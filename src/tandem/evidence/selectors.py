"""Reads of the evidence log."""

from __future__ import annotations

from django.db.models import QuerySet

from tandem.evidence.models import Statement


def evidence_timeline(*, student_id: int, limit: int = 100) -> QuerySet[Statement]:
    """The newest statements about a student, with what the page needs already fetched."""
    return (
        Statement.objects.filter(actor_id=student_id)
        .select_related("item", "authority", "context_class")
        .prefetch_related("competencies", "state_changes__state__competency")
        .order_by("-timestamp", "-stored")[:limit]
    )
