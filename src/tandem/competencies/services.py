"""Writes of the competency domain: frameworks, competencies and the associations between them."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from tandem.caching import invalidate_all
from tandem.competencies.constants import EDUCATION_LEVELS, AssociationType
from tandem.competencies.models import Association, Competency, Framework
from tandem.competencies.text import (
    SHORT_NAME_LIMIT,
    name_title_case,
    short_name,
    statement_notation,
)

PACKS_DIR = Path(__file__).resolve().parent / "packs"
COHERENCE_MAP = PACKS_DIR / "ccss-math" / "coherence-map-math.json"
COHERENCE_MAP_URI = "https://tools.achievethecore.org/coherence-map/"
# Curated short names for the standards the generator names badly (see competencies.text).
COHERENCE_MAP_SHORT_NAMES = PACKS_DIR / "ccss-math" / "short-names.json"


class PrerequisiteCycleError(ValueError):
    """A prerequisite edge that would make the graph cyclic; ``cycle`` lists the codes in order."""

    def __init__(self, cycle: list[str]) -> None:
        self.cycle = cycle
        super().__init__(
            "This prerequisite would create a cycle: " + " → ".join(cycle) + ". Refused."
        )


def _prerequisite_path(framework: Framework, start: int, goal: int) -> list[int] | None:
    """A path of prerequisite edges from ``start`` to ``goal`` (competency ids), if one exists."""
    edges: dict[int, list[int]] = defaultdict(list)
    for origin, destination in Association.objects.filter(
        framework=framework, association_type=AssociationType.IS_PREREQUISITE_OF
    ).values_list("origin_id", "destination_id"):
        if destination is not None:
            edges[origin].append(destination)
    parent: dict[int, int | None] = {start: None}
    frontier = [start]
    while frontier:
        node = frontier.pop()
        if node == goal:
            path = [node]
            while (prev := parent[path[-1]]) is not None:
                path.append(prev)
            return path[::-1]
        for nxt in edges[node]:
            if nxt not in parent:
                parent[nxt] = node
                frontier.append(nxt)
    return None


@transaction.atomic
def association_create(
    *,
    framework: Framework,
    origin: Competency,
    destination: Competency,
    association_type: AssociationType,
) -> Association:
    """Link two competencies. A prerequisite edge that would close a cycle is refused."""
    if association_type == AssociationType.IS_PREREQUISITE_OF:
        if origin.pk == destination.pk:
            raise PrerequisiteCycleError([origin.code, origin.code])
        back = _prerequisite_path(framework, destination.pk, origin.pk)
        if back is not None:
            codes = dict(
                Competency.objects.filter(pk__in=back).values_list("pk", "human_coding_scheme")
            )
            raise PrerequisiteCycleError([origin.code] + [codes[pk] for pk in back])
    return Association.objects.create(
        framework=framework,
        origin=origin,
        destination=destination,
        association_type=association_type,
    )


def _education_level(grade: str) -> str:
    if grade == "K":
        return "KG"
    if grade == "HS":
        return "09"
    return grade.zfill(2)


def pack_short_names(path: Path = COHERENCE_MAP_SHORT_NAMES) -> dict[str, str]:
    """The pack's curated short names by code (empty when the pack has none)."""
    if not path.exists():
        return {}
    return dict(json.loads(path.read_text(encoding="utf-8"))["names"])


def short_name_default(
    *, statement: str, code: str = "", curated: dict[str, str] | None = None, abbreviated: str = ""
) -> str:
    """The short name a competency gets until staff rename it: the curated one for its code,
    else the framework's own abbreviated statement when it is short, else one generated from
    the full statement."""
    if curated and code in curated:
        return curated[code]
    abbreviated = abbreviated.strip()
    if abbreviated and len(abbreviated) <= SHORT_NAME_LIMIT and abbreviated != statement.strip():
        return abbreviated[0].upper() + abbreviated[1:]
    return short_name(statement)


@transaction.atomic
def competency_rename(*, competency: Competency, name: str) -> Competency:
    """Staff give a competency a short name; later reloads and imports keep it. An empty name
    hands the competency back to the curated or generated one."""
    name = " ".join(name.split())
    if name:
        competency.short_name, competency.short_name_edited = name, True
    elif competency.framework.uri == COHERENCE_MAP_URI:
        competency.short_name = short_name_default(
            statement=competency.full_statement, code=competency.code, curated=pack_short_names()
        )
        competency.short_name_edited = False
    else:
        competency.short_name = short_name_default(
            statement=competency.full_statement, abbreviated=competency.abbreviated_statement
        )
        competency.short_name_edited = False
    competency.save(update_fields=["short_name", "short_name_edited"])
    return competency


def _short_names_refresh(framework: Framework, curated: dict[str, str]) -> int:
    """Give the pack's current short names to every competency staff have not renamed."""
    changed = []
    for comp in Competency.objects.filter(framework=framework, short_name_edited=False).only(
        "pk", "human_coding_scheme", "full_statement", "short_name"
    ):
        name = short_name_default(
            statement=comp.full_statement, code=comp.human_coding_scheme, curated=curated
        )
        if name != comp.short_name:
            comp.short_name = name
            changed.append(comp)
    Competency.objects.bulk_update(changed, ["short_name"], batch_size=500)
    return len(changed)


@dataclass
class FrameworkLoadReport:
    framework: Framework
    created: bool
    competencies: int = 0
    prerequisites: int = 0
    related: int = 0
    refused: list[str] = field(default_factory=list)

    def summary(self) -> str:
        verb = "Loaded" if self.created else "Already present"
        text = (
            f"{verb}: {self.framework.title}: {self.competencies} competencies, "
            f"{self.prerequisites} prerequisite links, {self.related} related links"
        )
        if self.refused:
            text += f"; refused {len(self.refused)}: " + "; ".join(self.refused[:5])
        return text


@transaction.atomic
def framework_load_coherence_map(
    path: Path = COHERENCE_MAP, short_names: Path = COHERENCE_MAP_SHORT_NAMES
) -> FrameworkLoadReport:
    """Load the Common Core math framework with Coherence Map prerequisites (idempotent)."""
    # Bulk writes send no model signals: drop the in-memory framework once this commits.
    transaction.on_commit(invalidate_all)
    existing = Framework.objects.filter(uri=COHERENCE_MAP_URI).first()
    curated = pack_short_names(short_names)
    if existing is not None:
        # Names are the one part of the pack that changes after loading; staff renames stay.
        _short_names_refresh(existing, curated)
        return FrameworkLoadReport(
            framework=existing,
            created=False,
            competencies=existing.competencies.count(),
            prerequisites=existing.associations.filter(
                association_type=AssociationType.IS_PREREQUISITE_OF
            ).count(),
        )
    data = json.loads(path.read_text(encoding="utf-8"))
    framework = Framework.objects.create(
        uri=COHERENCE_MAP_URI,
        title="Common Core State Standards for Mathematics (Coherence Map)",
        creator="Student Achievement Partners",
        publisher="Achieve the Core",
        subject="Mathematics",
        version="2010",
        adoption_status="Adopted",
        license_text="Coherence Map: CC0. Standards text © 2010 NGA Center/CCSSO (CCSS licence).",
        credit="Prerequisites: Achieve the Core Coherence Map, Student Achievement Partners.",
    )
    report = FrameworkLoadReport(framework=framework, created=True)
    rows = []
    for order, record in enumerate(data["standards"]):
        level = _education_level(record["grade"])
        # The scraped text lost superscripts and capitalises names; see competencies.text.
        statement = statement_notation(record["statement"])
        rows.append(
            Competency(
                framework=framework,
                human_coding_scheme=record["code"],
                full_statement=statement,
                abbreviated_statement=statement[:250],
                short_name=short_name_default(
                    statement=statement, code=record["code"], curated=curated
                ),
                item_type="Standard",
                education_levels=[level],
                grade_rank=EDUCATION_LEVELS.index(level),
                domain_code=record["domain"],
                domain_name=name_title_case(record["domain_name"]),
                cluster_code=record["cluster"],
                cluster_name=name_title_case(record["cluster_name"].rstrip(".")),
                list_order=order,
            )
        )
    Competency.objects.bulk_create(rows)
    by_code = {c.human_coding_scheme: c for c in Competency.objects.filter(framework=framework)}
    report.competencies = len(by_code)
    # Sub-standards (6.EE.A.2.c) are children of their standard (6.EE.A.2).
    children = []
    for code, comp in by_code.items():
        parent_code = code.rsplit(".", 1)[0]
        if code.count(".") >= 4 and parent_code in by_code:
            comp.parent = by_code[parent_code]
            children.append(comp)
    Competency.objects.bulk_update(children, ["parent"])
    associations = [
        # CASE reads "origin isChildOf destination": the child is the origin.
        Association(
            framework=framework,
            origin=comp,
            destination=comp.parent,
            association_type=AssociationType.IS_CHILD_OF,
        )
        for comp in children
        if comp.parent is not None
    ]
    # The pack is checked acyclic upstream and in tests, so edges are bulk-inserted here.
    for edge in data["prerequisites"]:
        origin, destination = by_code.get(edge["from"]), by_code.get(edge["to"])
        if origin is None or destination is None:
            report.refused.append(f"{edge['from']} → {edge['to']}: unknown code")
            continue
        associations.append(
            Association(
                framework=framework,
                origin=origin,
                destination=destination,
                association_type=AssociationType.IS_PREREQUISITE_OF,
            )
        )
        report.prerequisites += 1
    for pair in data["related"]:
        a, b = by_code.get(pair["a"]), by_code.get(pair["b"])
        if a is None or b is None:
            report.refused.append(f"{pair['a']} ~ {pair['b']}: unknown code")
            continue
        associations.append(
            Association(
                framework=framework,
                origin=a,
                destination=b,
                association_type=AssociationType.IS_RELATED_TO,
            )
        )
        report.related += 1
    Association.objects.bulk_create(associations, ignore_conflicts=True)
    return report
