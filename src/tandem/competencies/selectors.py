"""Reads of the competency domain: the prerequisite graph and filtered lists of competencies."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.db.models import QuerySet

from tandem.competencies.constants import AssociationType
from tandem.competencies.models import Association, Competency


def prerequisites_map(competency_ids: Iterable[int] | None = None) -> dict[int, set[int]]:
    """Direct prerequisites of each competency: ``{competency_id: {prerequisite_id, ...}}``."""
    edges = Association.objects.filter(association_type=AssociationType.IS_PREREQUISITE_OF)
    if competency_ids is not None:
        edges = edges.filter(destination_id__in=list(competency_ids))
    result: dict[int, set[int]] = defaultdict(set)
    for origin, destination in edges.values_list("origin_id", "destination_id"):
        if destination is not None:
            result[destination].add(origin)
    return dict(result)


def competency_list(
    *, domain: str = "", grade_rank: int | None = None, ids: Iterable[int] | None = None
) -> QuerySet[Competency]:
    competencies = Competency.objects.all()
    if domain:
        competencies = competencies.filter(domain_code=domain)
    if grade_rank is not None:
        competencies = competencies.filter(grade_rank=grade_rank)
    if ids is not None:
        competencies = competencies.filter(pk__in=list(ids))
    return competencies.order_by("grade_rank", "list_order")


def competency_prerequisites(competency: Competency) -> QuerySet[Competency]:
    return Competency.objects.filter(
        outgoing__destination=competency,
        outgoing__association_type=AssociationType.IS_PREREQUISITE_OF,
    ).order_by("grade_rank", "list_order")


def competency_unlocks(competency: Competency) -> QuerySet[Competency]:
    return Competency.objects.filter(
        incoming__origin=competency,
        incoming__association_type=AssociationType.IS_PREREQUISITE_OF,
    ).order_by("grade_rank", "list_order")
