"""Writes of the CASE interop: import a CFPackage into a framework and join a prerequisite graph."""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction

from tandem.caching import invalidate_all
from tandem.competencies.constants import EDUCATION_LEVELS, AssociationType
from tandem.competencies.models import Association, Competency, Framework
from tandem.competencies.services import (
    COHERENCE_MAP_URI,
    PrerequisiteCycleError,
    association_create,
    pack_short_names,
    short_name_default,
)
from tandem.interop.case.validation import Violation, case_validate, case_version
from tandem.interop.importing import ImportPathError, import_path_kind

# Tandem's prerequisites travel as CASE "precedes" marked with this extension (see selectors).
PREREQUISITE_EXTENSION = "tandemAssociationType"
EXT_PREREQUISITE = "ext:isPrerequisiteOf"
LICENSE_EXTENSION = "tandemLicenseText"
_KNOWN_TYPES = {choice.value for choice in AssociationType}


class CaseImportRefusedError(ValueError):
    """The package was refused; ``report`` says why and nothing was stored."""

    def __init__(self, report: CaseImportReport) -> None:
        self.report = report
        super().__init__(report.summary())


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def __str__(self) -> str:
        return f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged"


@dataclass
class CaseImportReport:
    version: str = ""
    framework: Framework | None = None
    framework_status: str = ""
    items: Counts = field(default_factory=Counts)
    associations: Counts = field(default_factory=Counts)
    external: int = 0
    by_type: dict[str, int] = field(default_factory=dict)
    violations: list[Violation] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    join: JoinReport | None = None

    @property
    def ok(self) -> bool:
        return not self.violations and not self.errors

    def summary(self) -> str:
        if not self.ok:
            lines = [f"Refused CASE {self.version} package; nothing stored."]
            lines += [f"  error: {e}" for e in self.errors]
            lines += [f"  schema violation at {v}" for v in self.violations[:50]]
            if len(self.violations) > 50:
                lines.append(f"  ... and {len(self.violations) - 50} more violations")
            return "\n".join(lines)
        title = self.framework.title if self.framework else "?"
        types = ", ".join(f"{k} {v}" for k, v in sorted(self.by_type.items()))
        lines = [
            f"Imported CASE {self.version} package: {title} ({self.framework_status})",
            f"  items: {self.items}",
            f"  associations: {self.associations} ({types})",
            f"  external destinations kept as references: {self.external}",
        ]
        if self.join is not None:
            lines += ["  " + line for line in self.join.summary().splitlines()]
        if self.warnings:
            lines.append(f"  warnings: {len(self.warnings)}")
            lines += [f"    {w}" for w in self.warnings[:20]]
            if len(self.warnings) > 20:
                lines.append(f"    ... and {len(self.warnings) - 20} more")
        return "\n".join(lines)


def _as_uuid(value: object, warnings: list[str], what: str) -> uuid.UUID | None:
    if not value:
        return None
    try:
        return uuid.UUID(str(value))
    except ValueError:
        # CASE 1.0 publishers sometimes use non-UUID identifiers; a stable derived UUID keeps
        # re-imports matching.
        warnings.append(f"{what}: identifier {value!r} is not a UUID; a derived UUID is used")
        return uuid.uuid5(uuid.NAMESPACE_URL, str(value))


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def _license(document: dict[str, Any]) -> str:
    extensions = document.get("extensions")
    if isinstance(extensions, dict) and extensions.get(LICENSE_EXTENSION):
        return _text(extensions[LICENSE_EXTENSION])
    link = document.get("licenseURI")
    return _text(link.get("title")) if isinstance(link, dict) else ""


def _uri(raw: dict[str, Any]) -> str:
    # Tandem exports a record without a URI as urn:uuid:<identifier>; that is no real URI.
    uri = _text(raw.get("uri"))[:500]
    return "" if uri == f"urn:uuid:{raw.get('identifier')}" else uri


def _grade_rank(levels: list[str]) -> int:
    ranks = [EDUCATION_LEVELS.index(level) for level in levels if level in EDUCATION_LEVELS]
    return min(ranks) if ranks else 0


def _load(path_or_data: Path | str | dict[str, Any]) -> dict[str, Any]:
    if isinstance(path_or_data, dict):
        return path_or_data
    path = Path(path_or_data)
    if import_path_kind(path) == "folder":
        raise ImportPathError(f"{path} is a folder, not a CFPackage JSON file")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"{path} is not valid JSON ({exc})") from exc
    if not isinstance(data, dict):
        raise ValueError("A CFPackage must be a JSON object.")
    return data


def _node(link: object) -> tuple[str, str, str]:
    if not isinstance(link, dict):
        return "", "", ""
    return str(link.get("identifier", "")), _text(link.get("uri")), _text(link.get("title"))


def _association_type(raw: dict[str, Any]) -> str | None:
    kind = str(raw.get("associationType", ""))
    found = raw.get("extensions")
    extensions: dict[str, Any] = found if isinstance(found, dict) else {}
    if kind == EXT_PREREQUISITE or (
        kind == AssociationType.PRECEDES
        and extensions.get(PREREQUISITE_EXTENSION) == AssociationType.IS_PREREQUISITE_OF
    ):
        return AssociationType.IS_PREREQUISITE_OF
    # Plain "precedes" stays "precedes": in published packages it is often document order.
    return kind if kind in _KNOWN_TYPES else None


def case_import(
    *,
    path_or_data: Path | str | dict[str, Any],
    prerequisites_from: Path | str | None = None,
    schema: Path | str | None = None,
) -> CaseImportReport:
    """Import a CASE CFPackage, matching documents, items and associations by identifier.

    CASE 1.1 packages must validate against the official schema or are refused with nothing
    stored; CASE 1.0 packages are read leniently. Raises ``CaseImportRefusedError`` on refusal.
    """
    package = _load(path_or_data)
    if prerequisites_from is not None:
        import_path_kind(Path(prerequisites_from))  # a missing graph is said so before any work
    report = CaseImportReport(version=case_version(package))
    if report.version == "1.1":
        report.violations = case_validate(package, schema=schema)
        if report.violations:
            raise CaseImportRefusedError(report)
    document = package.get("CFDocument")
    if not isinstance(document, dict) or not document.get("identifier"):
        report.errors.append("CFDocument with an identifier is required")
        raise CaseImportRefusedError(report)
    with transaction.atomic():
        _import(package, report)
        if not report.ok:
            transaction.set_rollback(True)
        elif prerequisites_from is not None and report.framework is not None:
            report.join = case_join_prerequisites(
                framework=report.framework, graph_path=prerequisites_from
            )
    if not report.ok:
        raise CaseImportRefusedError(report)
    return report


def _import(package: dict[str, Any], report: CaseImportReport) -> None:
    # Bulk writes send no model signals: drop the in-memory framework once this commits.
    transaction.on_commit(invalidate_all)
    warnings = report.warnings
    document = package["CFDocument"]
    doc_id = _as_uuid(document["identifier"], warnings, "CFDocument")
    assert doc_id is not None
    values = {
        "uri": _uri(document),
        "title": _text(document.get("title"))[:255] or "Untitled framework",
        "creator": _text(document.get("creator"))[:255],
        "publisher": _text(document.get("publisher"))[:255],
        "subject": _text(document.get("subject"))[:100],
        "version": _text(document.get("version"))[:50],
        "adoption_status": _text(document.get("adoptionStatus"))[:50],
        "license_text": _license(document),
        "credit": _text(document.get("notes")),
    }
    framework = Framework.objects.filter(identifier=doc_id).first()
    if framework is None:
        framework = Framework.objects.create(identifier=doc_id, **values)
        report.framework_status = "created"
    elif any(getattr(framework, k) != v for k, v in values.items()):
        for k, v in values.items():
            setattr(framework, k, v)
        framework.save()
        report.framework_status = "updated"
    else:
        report.framework_status = "unchanged"
    report.framework = framework
    document_ids = {str(document["identifier"])}

    # Items.
    raw_items = [i for i in package.get("CFItems") or [] if isinstance(i, dict)]
    parsed: dict[uuid.UUID, dict[str, Any]] = {}
    raw_by_id: dict[str, uuid.UUID] = {}
    codes_seen: set[str] = set()
    for order, raw in enumerate(raw_items):
        item_id = _as_uuid(raw.get("identifier"), warnings, f"CFItem #{order}")
        if item_id is None:
            warnings.append(f"CFItem #{order} has no identifier; skipped")
            continue
        if item_id in parsed:
            warnings.append(f"CFItem {item_id} appears twice; the first is kept")
            continue
        code = _text(raw.get("humanCodingScheme")).strip()
        if code in codes_seen:
            # Codes are unique within a Tandem framework; the identifier tells duplicates apart.
            unique = f"{code or 'item'}~{str(item_id)[:8]}"
            warnings.append(f"CFItem {item_id}: code {code!r} is used twice; stored as {unique!r}")
            code = unique
        if len(code) > 50:
            warnings.append(f"CFItem {item_id}: code {code!r} cut to 50 characters")
            code = code[:50]
        codes_seen.add(code)
        statement = _text(raw.get("fullStatement"))
        if not statement:
            warnings.append(f"CFItem {item_id} has no fullStatement")
        levels = [str(level) for level in raw.get("educationLevel") or []]
        parsed[item_id] = {
            "uri": _uri(raw),
            "human_coding_scheme": code,
            "full_statement": statement,
            "abbreviated_statement": _text(raw.get("abbreviatedStatement"))[:255],
            "item_type": _text(raw.get("CFItemType"))[:50] or "Standard",
            "education_levels": levels,
            "grade_rank": _grade_rank(levels),
            "list_order": order,
        }
        raw_by_id[str(raw.get("identifier"))] = item_id
    existing = {c.identifier: c for c in Competency.objects.filter(identifier__in=list(parsed))}
    foreign = [str(i) for i, c in existing.items() if c.framework_id != framework.pk]
    if foreign:
        report.errors.append(
            f"{len(foreign)} CFItem identifiers already belong to another framework, "
            f"e.g. {foreign[0]}"
        )
        return
    to_create, to_update = [], []
    # The Coherence Map coming back keeps its curated names; others get generated ones.
    curated = pack_short_names() if framework.uri == COHERENCE_MAP_URI else None
    for item_id, fields in parsed.items():
        # A staff rename survives every re-import.
        name = short_name_default(
            statement=fields["full_statement"],
            code=fields["human_coding_scheme"],
            curated=curated,
            abbreviated=fields["abbreviated_statement"],
        )
        comp = existing.get(item_id)
        if comp is None:
            to_create.append(
                Competency(framework=framework, identifier=item_id, short_name=name, **fields)
            )
        elif any(getattr(comp, k) != v for k, v in fields.items()) or (
            not comp.short_name_edited and comp.short_name != name
        ):
            for k, v in fields.items():
                setattr(comp, k, v)
            if not comp.short_name_edited:
                comp.short_name = name
            to_update.append(comp)
        else:
            report.items.unchanged += 1
    Competency.objects.bulk_create(to_create)
    if to_update:
        Competency.objects.bulk_update(
            to_update, [*next(iter(parsed.values())).keys(), "short_name"]
        )
    report.items.created, report.items.updated = len(to_create), len(to_update)
    by_id = {c.identifier: c for c in Competency.objects.filter(framework=framework)}

    def resolve(identifier: str) -> Competency | None:
        item_id = raw_by_id.get(identifier)
        return by_id.get(item_id) if item_id is not None else None

    # Associations.
    new_parent: dict[int, int | None] = {}
    rows: dict[uuid.UUID, dict[str, Any]] = {}
    edges: set[tuple[str, int, int | None, str]] = set()
    for n, raw in enumerate(package.get("CFAssociations") or []):
        if not isinstance(raw, dict):
            continue
        kind = _association_type(raw)
        if kind is None:
            warnings.append(f"CFAssociation #{n}: type {raw.get('associationType')!r} not kept")
            continue
        assoc_id = _as_uuid(raw.get("identifier"), warnings, f"CFAssociation #{n}")
        if assoc_id is None or assoc_id in rows:
            warnings.append(f"CFAssociation #{n}: missing or repeated identifier; skipped")
            continue
        origin_key, _, origin_title = _node(raw.get("originNodeURI"))
        dest_key, dest_uri, dest_title = _node(raw.get("destinationNodeURI"))
        origin = resolve(origin_key)
        if origin is None:
            warnings.append(
                f"CFAssociation {assoc_id} ({kind}): origin {origin_title or origin_key} "
                "is not in the package; skipped"
            )
            continue
        destination = resolve(dest_key)
        if kind == AssociationType.IS_CHILD_OF:
            if destination is not None:
                new_parent[origin.pk] = destination.pk
            elif dest_key in document_ids:
                new_parent.setdefault(origin.pk, None)
        edge = (kind, origin.pk, destination.pk if destination else None, dest_uri)
        if edge in edges:
            warnings.append(f"CFAssociation {assoc_id} repeats a {kind} link; skipped")
            continue
        edges.add(edge)
        external = destination is None and dest_key not in document_ids
        report.external += external
        seq = raw.get("sequenceNumber")
        rows[assoc_id] = {
            "association_type": kind,
            "origin_id": origin.pk,
            "destination_id": destination.pk if destination else None,
            "destination_uri": dest_uri[:500] if destination is None else "",
            "destination_identifier": dest_key[:255] if destination is None else "",
            "destination_title": dest_title[:255] if destination is None else "",
            "sequence_number": seq if isinstance(seq, int) else None,
        }
        report.by_type[kind] = report.by_type.get(kind, 0) + 1

    # isChildOf builds the hierarchy.
    changed_parents = []
    for comp in by_id.values():
        if comp.pk in new_parent and comp.parent_id != new_parent[comp.pk]:
            comp.parent_id = new_parent[comp.pk]
            changed_parents.append(comp)
    Competency.objects.bulk_update(changed_parents, ["parent"])
    changed_ids = {c.pk for c in changed_parents} - {c.pk for c in to_create}
    report.items.updated += len(changed_ids - {c.pk for c in to_update})
    report.items.unchanged -= len(changed_ids - {c.pk for c in to_update})

    existing_assocs = {
        a.identifier: a for a in Association.objects.filter(identifier__in=list(rows))
    }
    foreign_assocs = [a for a in existing_assocs.values() if a.framework_id != framework.pk]
    if foreign_assocs:
        report.errors.append(
            f"{len(foreign_assocs)} CFAssociation identifiers belong to another framework"
        )
        return
    create_assocs, update_assocs = [], []
    for assoc_id, fields in rows.items():
        assoc = existing_assocs.get(assoc_id)
        if assoc is None:
            create_assocs.append(Association(framework=framework, identifier=assoc_id, **fields))
        elif any(getattr(assoc, k) != v for k, v in fields.items()):
            for k, v in fields.items():
                setattr(assoc, k, v)
            update_assocs.append(assoc)
        else:
            report.associations.unchanged += 1
    if update_assocs:
        Association.objects.bulk_update(update_assocs, list(next(iter(rows.values())).keys()))
    Association.objects.bulk_create(create_assocs)
    report.associations.created = len(create_assocs)
    report.associations.updated = len(update_assocs)
    cycles = _prerequisite_cycle(framework)
    if cycles:
        report.errors.append("The package's prerequisites form a cycle: " + " → ".join(cycles))


def _prerequisite_cycle(framework: Framework) -> list[str]:
    """Codes along one prerequisite cycle in ``framework`` (empty when acyclic)."""
    edges: dict[int, list[int]] = {}
    for origin, destination in Association.objects.filter(
        framework=framework, association_type=AssociationType.IS_PREREQUISITE_OF
    ).values_list("origin_id", "destination_id"):
        if destination is not None:
            edges.setdefault(origin, []).append(destination)
    # Iterative depth-first search: long prerequisite chains must not hit the recursion limit.
    colour: dict[int, int] = {}  # 1 = on the current path, 2 = done
    for start in list(edges):
        if start in colour:
            continue
        path: list[int] = [start]
        pending: list[list[int]] = [list(edges.get(start, []))]
        colour[start] = 1
        while path:
            if not pending[-1]:
                colour[path.pop()] = 2
                pending.pop()
                continue
            nxt = pending[-1].pop()
            if colour.get(nxt) == 1:
                cycle = [*path[path.index(nxt) :], nxt]
                codes = dict(
                    Competency.objects.filter(pk__in=cycle).values_list("pk", "human_coding_scheme")
                )
                return [codes[pk] for pk in cycle]
            if nxt not in colour:
                colour[nxt] = 1
                path.append(nxt)
                pending.append(list(edges.get(nxt, [])))
    return []


# --- Prerequisite join -------------------------------------------------------------------


@dataclass
class JoinReport:
    created: int = 0
    already_present: int = 0
    refused_cycles: list[str] = field(default_factory=list)
    skipped_edges: int = 0
    matched_codes: int = 0
    graph_unmatched: list[str] = field(default_factory=list)
    framework_unmatched: list[str] = field(default_factory=list)

    def summary(self) -> str:
        lines = [
            f"Prerequisite join: {self.matched_codes} graph codes matched; "
            f"{self.created} prerequisite links created, {self.already_present} already present, "
            f"{self.skipped_edges} graph edges skipped (an end did not match), "
            f"{len(self.refused_cycles)} refused as cycles",
            f"  graph codes not in the framework: {len(self.graph_unmatched)}"
            + (": " + ", ".join(self.graph_unmatched[:15]) if self.graph_unmatched else ""),
            f"  framework codes not in the graph: {len(self.framework_unmatched)}"
            + (": " + ", ".join(self.framework_unmatched[:15]) if self.framework_unmatched else ""),
        ]
        lines += [f"  refused: {c}" for c in self.refused_cycles[:10]]
        return "\n".join(lines)


def _normalise(code: str) -> str:
    # "7.EE.B.4.b" (Coherence Map) and "7.EE.B.4b" (many CASE publishers) are the same standard.
    # "HSA-SSE.B.3" (Coherence Map) and "HSA.SSE.B.3" likewise.
    return re.sub(r"^(HS[A-Z])-", r"\1.", re.sub(r"\.([a-z])$", r"\1", code.strip()))


@transaction.atomic
def case_join_prerequisites(*, framework: Framework, graph_path: Path | str) -> JoinReport:
    """Add prerequisite links to ``framework`` from a Coherence-Map-shaped graph
    (``{"standards": [{"code"}], "prerequisites": [{"from", "to"}]}``), joined on codes.

    A framework code matches a graph code exactly or by its trailing standard code
    ("M.G3.C1OA.TA.3.OA.A.4" matches "3.OA.A.4"). Cycles are refused by ``association_create``.
    """
    transaction.on_commit(invalidate_all)
    graph = json.loads(Path(graph_path).read_text(encoding="utf-8"))
    graph_codes = {_normalise(s["code"]): s["code"] for s in graph.get("standards", [])}
    for edge in graph.get("prerequisites", []):
        for end in (edge["from"], edge["to"]):
            graph_codes.setdefault(_normalise(end), end)
    report = JoinReport()
    matches: dict[str, list[Competency]] = {}
    for comp in framework.competencies.order_by("list_order"):
        parts = comp.human_coding_scheme.split(".")
        for i in range(len(parts)):
            suffix = _normalise(".".join(parts[i:]))
            if suffix in graph_codes:
                matches.setdefault(suffix, []).append(comp)
                break
        else:
            if comp.human_coding_scheme:
                report.framework_unmatched.append(comp.human_coding_scheme)
    report.matched_codes = len(matches)
    report.graph_unmatched = sorted(graph_codes[c] for c in graph_codes if c not in matches)
    present = set(
        framework.associations.filter(
            association_type=AssociationType.IS_PREREQUISITE_OF
        ).values_list("origin_id", "destination_id")
    )
    for edge in graph.get("prerequisites", []):
        origins = matches.get(_normalise(edge["from"]), [])
        destinations = matches.get(_normalise(edge["to"]), [])
        if not origins or not destinations:
            report.skipped_edges += 1
            continue
        for origin in origins:
            for destination in destinations:
                if (origin.pk, destination.pk) in present:
                    report.already_present += 1
                    continue
                try:
                    association_create(
                        framework=framework,
                        origin=origin,
                        destination=destination,
                        association_type=AssociationType.IS_PREREQUISITE_OF,
                    )
                except PrerequisiteCycleError as exc:
                    report.refused_cycles.append(" → ".join(exc.cycle))
                    continue
                present.add((origin.pk, destination.pk))
                report.created += 1
    return report
