"""Reads of the CASE interop: a framework as a CASE 1.1 CFPackage."""

from __future__ import annotations

import uuid
from typing import Any

from tandem.competencies.constants import AssociationType
from tandem.competencies.models import Association, Competency, Framework
from tandem.interop.case.services import LICENSE_EXTENSION, PREREQUISITE_EXTENSION

URN = "urn:uuid:"


def _uri(stored: str, identifier: uuid.UUID) -> str:
    return stored or f"{URN}{identifier}"


def _link(title: str, identifier: uuid.UUID | str, uri: str) -> dict[str, str]:
    return {"title": title, "identifier": str(identifier), "uri": uri}


def case_export(*, framework: Framework) -> dict[str, Any]:
    """``framework`` as a CASE 1.1 CFPackage that validates against the official schema.

    The hierarchy is exported from ``Competency.parent`` as isChildOf (child → parent; top-level
    items are children of the CFDocument). CASE 1.1 has no prerequisite type, so a prerequisite
    is exported as ``precedes`` (the CASE term for learning order) with the extension
    ``{"tandemAssociationType": "isPrerequisiteOf"}``, which Tandem's import reads back as a
    prerequisite; plain ``precedes`` stays plain precedes.
    """
    changed = framework.last_change.isoformat()
    doc_uri = _uri(framework.uri, framework.identifier)
    doc_link = _link(framework.title, framework.identifier, doc_uri)
    document: dict[str, Any] = {
        "identifier": str(framework.identifier),
        "uri": doc_uri,
        "caseVersion": "1.1",
        "creator": framework.creator or framework.publisher or "Tandem",
        "title": framework.title,
        "lastChangeDateTime": changed,
    }
    optional = {
        "publisher": framework.publisher,
        "version": framework.version,
        "adoptionStatus": framework.adoption_status,
        "notes": framework.credit,
    }
    document.update({k: v for k, v in optional.items() if v})
    if framework.license_text:
        # licenseURI needs a CFLicense record; the free text travels as an extension instead.
        document["extensions"] = {LICENSE_EXTENSION: framework.license_text}
    if framework.subject:
        document["subject"] = [framework.subject]

    competencies = list(Competency.objects.filter(framework=framework).order_by("list_order", "pk"))
    by_pk = {c.pk: c for c in competencies}
    items = []
    for comp in competencies:
        item: dict[str, Any] = {
            "identifier": str(comp.identifier),
            "uri": _uri(comp.uri, comp.identifier),
            "fullStatement": comp.full_statement,
            "CFItemType": comp.item_type,
            "lastChangeDateTime": changed,
        }
        if comp.human_coding_scheme:
            item["humanCodingScheme"] = comp.human_coding_scheme
        if comp.abbreviated_statement:
            item["abbreviatedStatement"] = comp.abbreviated_statement
        if comp.education_levels:
            item["educationLevel"] = [str(level) for level in comp.education_levels]
        items.append(item)

    def node(comp: Competency) -> dict[str, str]:
        return _link(
            comp.human_coding_scheme or comp.abbreviated_statement[:60],
            comp.identifier,
            _uri(comp.uri, comp.identifier),
        )

    def association(
        identifier: uuid.UUID,
        kind: str,
        origin: dict[str, str],
        destination: dict[str, str],
        **extra: Any,
    ) -> dict[str, Any]:
        row = {
            "identifier": str(identifier),
            "uri": f"{URN}{identifier}",
            "associationType": kind,
            "originNodeURI": origin,
            "destinationNodeURI": destination,
            "lastChangeDateTime": changed,
        }
        row.update({k: v for k, v in extra.items() if v is not None})
        return row

    stored = list(Association.objects.filter(framework=framework).order_by("pk"))
    # Reuse stored isChildOf identifiers. CASE (and this import) store origin = child; the
    # Coherence Map loader stores origin = parent, so the child is whichever end has the other
    # as its parent.
    child_ids: dict[int, uuid.UUID] = {}
    for a in stored:
        if a.association_type != AssociationType.IS_CHILD_OF:
            continue
        dest = by_pk.get(a.destination_id) if a.destination_id else None
        child = dest.pk if dest is not None and dest.parent_id == a.origin_id else a.origin_id
        child_ids.setdefault(child, a.identifier)
    associations = []
    for comp in competencies:
        parent = by_pk.get(comp.parent_id) if comp.parent_id else None
        identifier = child_ids.get(comp.pk) or uuid.uuid5(
            framework.identifier, f"isChildOf:{comp.identifier}"
        )
        associations.append(
            association(
                identifier,
                AssociationType.IS_CHILD_OF,
                node(comp),
                node(parent) if parent else doc_link,
            )
        )
    for a in stored:
        if a.association_type == AssociationType.IS_CHILD_OF:
            continue
        origin = by_pk.get(a.origin_id)
        if origin is None:
            continue
        target = by_pk.get(a.destination_id) if a.destination_id else None
        if target is not None:
            destination = node(target)
        else:
            destination = _link(
                a.destination_title or a.destination_uri,
                a.destination_identifier or a.destination_uri,
                a.destination_uri,
            )
        kind, extensions = a.association_type, None
        if kind == AssociationType.IS_PREREQUISITE_OF:
            kind = AssociationType.PRECEDES
            extensions = {PREREQUISITE_EXTENSION: AssociationType.IS_PREREQUISITE_OF.value}
        associations.append(
            association(
                a.identifier,
                str(kind),
                node(origin),
                destination,
                sequenceNumber=a.sequence_number,
                extensions=extensions,
            )
        )
    return {"CFDocument": document, "CFItems": items, "CFAssociations": associations}
