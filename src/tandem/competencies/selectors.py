"""Reads of the competency domain: the prerequisite graph and filtered lists of competencies."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.db.models import QuerySet

from tandem.caching import ProcessCache
from tandem.competencies.constants import AssociationType
from tandem.competencies.models import Association, Competency


def _load_prerequisite_graph() -> dict[int, frozenset[int]]:
    result: dict[int, set[int]] = defaultdict(set)
    edges = Association.objects.filter(
        association_type=AssociationType.IS_PREREQUISITE_OF, destination__isnull=False
    ).values_list("origin_id", "destination_id")
    for origin, destination in edges:
        result[destination].add(origin)
    return {destination: frozenset(origins) for destination, origins in result.items()}


# The whole graph is a few thousand edges: kept in memory, dropped when associations change.
_PREREQUISITE_GRAPH = ProcessCache("prerequisite graph", _load_prerequisite_graph)


def prerequisites_map(competency_ids: Iterable[int] | None = None) -> dict[int, set[int]]:
    """Direct prerequisites of each competency: ``{competency_id: {prerequisite_id, ...}}``."""
    graph = _PREREQUISITE_GRAPH.get()
    if competency_ids is None:
        return {destination: set(origins) for destination, origins in graph.items()}
    return {cid: set(graph[cid]) for cid in competency_ids if cid in graph}


def _load_facts() -> dict[int, tuple[str, int, str]]:
    return {
        pk: (code, rank, uri)
        for pk, code, rank, uri in Competency.objects.values_list(
            "pk", "human_coding_scheme", "grade_rank", "uri"
        )
    }


# Every competency's code, grade rank and uri: read by every answer, a few thousand small rows.
_FACTS = ProcessCache("competency codes and grade ranks", _load_facts)


def _facts(competency_ids: list[int]) -> dict[int, tuple[str, int, str]]:
    """The cached facts, read again once if an id is unknown (a competency added elsewhere)."""
    known = _FACTS.get()
    if any(cid not in known for cid in competency_ids):
        _FACTS.invalidate()
        known = _FACTS.get()
    return known


def competency_codes(competency_ids: Iterable[int]) -> dict[int, str]:
    """The code of each competency (cached in memory; unknown ids are read, not guessed)."""
    wanted = list(competency_ids)
    known = _facts(wanted)
    return {cid: known[cid][0] for cid in wanted if cid in known}


def competency_codes_and_uris(competency_ids: Iterable[int]) -> dict[int, tuple[str, str]]:
    """The code and CASE uri of each competency (cached in memory, like the codes)."""
    wanted = list(competency_ids)
    known = _facts(wanted)
    return {cid: (known[cid][0], known[cid][2]) for cid in wanted if cid in known}


def competency_codes_and_uris_all() -> dict[int, tuple[str, str]]:
    """Every competency's code and CASE uri, by id (cached in memory)."""
    return {cid: (code, uri) for cid, (code, _, uri) in _FACTS.get().items()}


def competency_grade_ranks(competency_ids: Iterable[int]) -> dict[int, int]:
    """The grade rank of each competency (0: no grade), cached in memory."""
    wanted = list(competency_ids)
    known = _facts(wanted)
    return {cid: known[cid][1] for cid in wanted if cid in known}


def competency_ids_for_codes(codes: Iterable[str]) -> list[int]:
    """The ids of every competency with one of these codes, in id order (cached in memory)."""
    wanted = set(codes)
    return sorted(cid for cid, (code, *_) in _FACTS.get().items() if code in wanted)


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
