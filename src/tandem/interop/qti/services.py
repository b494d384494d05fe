"""QTI 3.0 import into Tandem items and export of Tandem items as a QTI 3.0 content package.

Identity: an imported item is stored with ``generator="qti"`` and a seed derived from its QTI
identifier (and an ``identifier`` UUID derived the same way), so importing the same item
again updates it instead of duplicating it.  Items are reported one by one (imported,
updated, unchanged or refused with a reason); the good ones are written in one transaction.
"""

from __future__ import annotations

import hashlib
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

from django.db import transaction

from tandem.competencies.models import Competency
from tandem.content.answers import AnswerFormatError, parse_number
from tandem.content.generators.kinds import (
    EXTENDED_TEXT,
    MULTIPLE_CHOICE,
    NUMERIC,
    SHORT_TEXT,
    SINGLE_CHOICE,
)
from tandem.content.models import Item
from tandem.interop.qti.package import ItemSource, QtiPackageError, item_sources
from tandem.interop.qti.reader import ParsedItem, QtiRefusedError, parse_item
from tandem.interop.qti.xmlsafe import UnsafeXmlError, parse

GENERATOR = "qti"
_UUID_NAMESPACE = uuid.UUID("6f1f2b0e-8e57-4d5c-9a53-2f4f0b1c7a11")
QTI_NS = "http://www.imsglobal.org/xsd/imsqtiasi_v3p0"
CP_NS = "http://www.imsglobal.org/xsd/qti/qtiv3p0/imscp_v1p1"
LOM_NS = "http://ltsc.ieee.org/xsd/LOM"
CSM_NS = "http://www.imsglobal.org/xsd/imscsmd_v1p0"
MATCH_CORRECT = "https://purl.imsglobal.org/spec/qti/v3p0/rptemplates/match_correct.xml"
MAP_RESPONSE = "https://purl.imsglobal.org/spec/qti/v3p0/rptemplates/map_response.xml"


@dataclass
class QtiItemResult:
    source: str
    identifier: str = ""
    status: str = "refused"  # imported | updated | unchanged | refused
    reason: str = ""
    item_id: int | None = None
    codes: list[str] = field(default_factory=list)
    unmatched: list[str] = field(default_factory=list)


@dataclass
class QtiImportReport:
    results: list[QtiItemResult] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for r in self.results if r.status == status)

    @property
    def refused(self) -> list[QtiItemResult]:
        return [r for r in self.results if r.status == "refused"]

    def summary(self) -> str:
        lines = [
            f"QTI import: {self.count('imported')} imported, {self.count('updated')} updated, "
            f"{self.count('unchanged')} unchanged, {self.count('refused')} refused."
        ]
        for r in self.results:
            if r.status == "refused":
                lines.append(f"  refused {r.source}: {r.reason}")
            elif r.unmatched:
                lines.append(
                    f"  {r.source}: no competency matches {', '.join(r.unmatched)} "
                    "(imported without that alignment)"
                )
            elif not r.codes:
                lines.append(f"  {r.source}: no standard alignment in the manifest")
        return "\n".join(lines)


def qti_seed(identifier: str) -> int:
    """A stable positive 63-bit seed for a QTI item identifier."""
    return int.from_bytes(hashlib.sha256(identifier.encode()).digest()[:8], "big") >> 1


def _match(alignments: list[tuple[str, str]]) -> tuple[list[Competency], list[str]]:
    """Competencies for (code, GUID) pairs: GUID against CASE identifier/URI, else the code."""
    matched: dict[int, Competency] = {}
    unmatched: list[str] = []
    for code, guid in alignments:
        competency = None
        if guid:
            try:
                competency = Competency.objects.filter(identifier=uuid.UUID(guid)).first()
            except ValueError:
                competency = Competency.objects.filter(uri=guid).first()
        if competency is None and code:
            bare = code.removeprefix("CCSS.Math.Content.")
            competency = (
                Competency.objects.filter(human_coding_scheme__in=[code, bare])
                .order_by("pk")
                .first()
            )
        if competency is None:
            unmatched.append(code or guid)
        else:
            matched[competency.pk] = competency
    return list(matched.values()), unmatched


def _parse(source: ItemSource) -> ParsedItem:
    if source.data is None:
        raise QtiRefusedError(source.error or f"{source.name}: could not be read.")
    try:
        root = parse(source.data, name=source.name)
    except UnsafeXmlError as exc:
        raise QtiRefusedError(str(exc)) from exc
    return parse_item(root, name=source.name)


def qti_import(*, path: str | Path) -> QtiImportReport:
    """Import a QTI 3.0 item file or content package (zip or folder) into Tandem items.

    Raises QtiPackageError when the input as a whole cannot be read; single items that
    cannot be imported are reported as refused and the others are still imported.
    """
    report = QtiImportReport()
    try:
        sources = item_sources(Path(path))
    except UnsafeXmlError as exc:
        raise QtiPackageError(str(exc)) from exc
    good: list[tuple[QtiItemResult, ParsedItem, list[Competency]]] = []
    for source in sources:
        result = QtiItemResult(source=source.name)
        report.results.append(result)
        try:
            parsed = _parse(source)
        except QtiRefusedError as exc:
            result.reason = str(exc)
            continue
        result.identifier = parsed.identifier
        competencies, result.unmatched = _match(source.alignments)
        result.codes = [c.human_coding_scheme for c in competencies]
        good.append((result, parsed, competencies))
    with transaction.atomic():
        for result, parsed, competencies in good:
            result.status, result.item_id = _store(parsed, competencies)
    return report


def _store(parsed: ParsedItem, competencies: list[Competency]) -> tuple[str, int]:
    seed = qti_seed(parsed.identifier)
    fields = {
        "kind": parsed.kind,
        "stem": parsed.stem,
        "choices": parsed.choices,
        "answer": parsed.answer,
        "tolerance": parsed.tolerance,
        "hints": parsed.hints,
        "solution": parsed.solution,
        "guidance": parsed.guidance,
        "expected_length": parsed.expected_length,
        "expected_lines": parsed.expected_lines,
    }
    item = Item.objects.select_for_update().filter(generator=GENERATOR, seed=seed).first()
    if item is None:
        item = Item.objects.create(
            identifier=uuid.uuid5(_UUID_NAMESPACE, parsed.identifier),
            generator=GENERATOR,
            seed=seed,
            **fields,
        )
        item.competencies.set(competencies)
        return "imported", item.pk
    same = all(getattr(item, k) == v for k, v in fields.items())
    # A re-import without alignment keeps the alignment the item already has.
    wanted = {c.pk for c in competencies}
    have = set(item.competencies.values_list("pk", flat=True))
    if same and (not wanted or wanted == have):
        return "unchanged", item.pk
    for key, value in fields.items():
        setattr(item, key, value)
    item.save()
    if wanted:
        item.competencies.set(competencies)
    return "updated", item.pk


# --- export -----------------------------------------------------------------------------


def _qti_identifier(item: Item) -> str:
    return f"tandem-{item.identifier}"


def _decimal(text: str) -> str | None:
    """``text`` as a finite decimal string, or None (e.g. 1/3) or if it is not a number."""
    try:
        value = parse_number(text)
    except AnswerFormatError:
        return None
    denominator = value.denominator
    for p in (2, 5):
        while denominator % p == 0:
            denominator //= p
    if denominator != 1:
        return None
    if value.denominator == 1:
        return str(value.numerator)
    return format(Decimal(value.numerator) / Decimal(value.denominator), "f")


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, tag, {k.replace("_", "-"): v for k, v in attrs.items()})
    if text is not None:
        element.text = text
    return element


def _paragraphs(parent: ET.Element, text: str) -> None:
    for line in text.split("\n"):
        if line.strip():
            _sub(parent, "p", line)


def item_to_qti(item: Item) -> ET.Element:
    """One Tandem item as a ``qti-assessment-item`` element (QTI 3.0)."""
    root = ET.Element(
        "qti-assessment-item",
        {
            "xmlns": QTI_NS,
            "identifier": _qti_identifier(item),
            "title": item.stem.split("\n")[0][:80],
            "adaptive": "false",
            "time-dependent": "false",
        },
    )
    keys = [str(a) for a in item.answer]
    declaration = _sub(root, "qti-response-declaration", identifier="RESPONSE")
    interaction_attrs: dict[str, str] = {}
    template = MATCH_CORRECT
    if item.kind in (SINGLE_CHOICE, MULTIPLE_CHOICE):
        single = item.kind == SINGLE_CHOICE
        declaration.set("cardinality", "single" if single else "multiple")
        declaration.set("base-type", "identifier")
        correct = _sub(declaration, "qti-correct-response")
        for key in keys:
            _sub(correct, "qti-value", f"CHOICE_{int(key)}")
    elif item.kind == NUMERIC:
        decimals = [_decimal(k) for k in keys]
        declaration.set("cardinality", "single")
        if all(d is not None for d in decimals):
            integer = all("." not in str(d) for d in decimals) and not item.tolerance.strip("0.")
            declaration.set("base-type", "integer" if integer else "float")
            keys = [str(d) for d in decimals]
        else:
            # QTI floats cannot hold 1/3 exactly: keep the exact key as a string and say so.
            declaration.set("base-type", "string")
            interaction_attrs["data-tandem-kind"] = NUMERIC
        correct = _sub(declaration, "qti-correct-response")
        _sub(correct, "qti-value", keys[0])
        if len(keys) > 1 or declaration.get("base-type") == "string":
            template = MAP_RESPONSE
            mapping = _sub(declaration, "qti-mapping", default_value="0")
            for key in keys:
                _sub(mapping, "qti-map-entry", map_key=key, mapped_value="1")
    elif item.kind == EXTENDED_TEXT:
        # A teacher scores it: no key and no response processing (see below).
        declaration.set("cardinality", "single")
        declaration.set("base-type", "string")
    else:
        assert item.kind == SHORT_TEXT
        declaration.set("cardinality", "single")
        declaration.set("base-type", "string")
        correct = _sub(declaration, "qti-correct-response")
        _sub(correct, "qti-value", keys[0])
        template = MAP_RESPONSE
        mapping = _sub(declaration, "qti-mapping", default_value="0")
        for key in keys:
            _sub(mapping, "qti-map-entry", map_key=key, mapped_value="1")
    _sub(
        root, "qti-outcome-declaration", identifier="SCORE", cardinality="single", base_type="float"
    )
    if item.hints or item.solution:
        _sub(
            root,
            "qti-outcome-declaration",
            identifier="FEEDBACK",
            cardinality="multiple",
            base_type="identifier",
        )
    body = _sub(root, "qti-item-body")
    _paragraphs(body, item.stem)
    if item.kind in (SINGLE_CHOICE, MULTIPLE_CHOICE):
        interaction = _sub(
            body,
            "qti-choice-interaction",
            response_identifier="RESPONSE",
            max_choices="1" if item.kind == SINGLE_CHOICE else "0",
            shuffle="false",
        )
        for index, choice in enumerate(item.choices):
            _sub(interaction, "qti-simple-choice", str(choice), identifier=f"CHOICE_{index}")
    elif item.kind == EXTENDED_TEXT:
        interaction = _sub(body, "qti-extended-text-interaction", response_identifier="RESPONSE")
        if item.expected_length:
            interaction.set("expected-length", str(item.expected_length))
        if item.expected_lines:
            interaction.set("expected-lines", str(item.expected_lines))
        if item.guidance:
            rubric = _sub(body, "qti-rubric-block", view="scorer", use="scoring")
            _paragraphs(_sub(rubric, "qti-content-body"), item.guidance)
    else:
        paragraph = _sub(body, "p")
        interaction = _sub(paragraph, "qti-text-entry-interaction", response_identifier="RESPONSE")
        for key, value in interaction_attrs.items():
            interaction.set(key, value)
    if item.kind == EXTENDED_TEXT:
        # Human-scored: the delivery system collects the response and a scorer sets SCORE.
        _add_feedback(root, item)
        return root
    processing = _sub(root, "qti-response-processing", template=template)
    if item.kind == NUMERIC and item.tolerance and Fraction(item.tolerance) != 0:
        # Tolerance needs explicit processing rather than the match_correct template.
        del processing.attrib["template"]
        condition = _sub(processing, "qti-response-condition")
        branch = _sub(condition, "qti-response-if")
        equal = _sub(branch, "qti-equal", tolerance_mode="absolute", tolerance=item.tolerance)
        _sub(equal, "qti-variable", identifier="RESPONSE")
        _sub(equal, "qti-correct", identifier="RESPONSE")
        outcome = _sub(branch, "qti-set-outcome-value", identifier="SCORE")
        _sub(outcome, "qti-base-value", "1", base_type="float")
    _add_feedback(root, item)
    return root


def _add_feedback(root: ET.Element, item: Item) -> None:
    for index, hint in enumerate(item.hints, start=1):
        feedback = _sub(
            root,
            "qti-modal-feedback",
            outcome_identifier="FEEDBACK",
            identifier=f"HINT_{index}",
            show_hide="show",
            title=f"Hint {index}",
        )
        _paragraphs(_sub(feedback, "qti-content-body"), str(hint))
    if item.solution:
        feedback = _sub(
            root,
            "qti-modal-feedback",
            outcome_identifier="FEEDBACK",
            identifier="SOLUTION",
            show_hide="show",
            title="Solution",
        )
        _paragraphs(_sub(feedback, "qti-content-body"), item.solution)


def _resource_metadata(resource: ET.Element, competencies: Iterable[Competency]) -> None:
    competencies = list(competencies)
    if not competencies:
        return
    metadata = _sub(resource, "metadata")
    lom = _sub(metadata, "lom", xmlns=LOM_NS)
    classification = _sub(lom, "classification")
    purpose = _sub(classification, "purpose")
    _sub(purpose, "source", "LOMv1.0")
    _sub(purpose, "value", "educational objective")
    for competency in competencies:
        taxon_path = _sub(classification, "taxonPath")
        _sub(_sub(taxon_path, "source"), "string", competency.framework.title)
        taxon = _sub(taxon_path, "taxon")
        _sub(taxon, "id", competency.human_coding_scheme)
        _sub(_sub(taxon, "entry"), "string", competency.full_statement)
    standards = _sub(metadata, "curriculumStandardsMetadataSet", xmlns=CSM_NS)
    meta = _sub(standards, "curriculumStandardsMetadata", providerId="tandem")
    guids = _sub(meta, "setOfGUIDs")
    for competency in competencies:
        labelled = _sub(guids, "labelledGUID")
        _sub(labelled, "label", competency.human_coding_scheme)
        _sub(labelled, "GUID", str(competency.identifier))


def _write(element: ET.Element, path: Path) -> None:
    ET.indent(element)
    path.write_bytes(ET.tostring(element, encoding="utf-8", xml_declaration=True))


def qti_export(*, items: Iterable[Item], path: str | Path) -> int:
    """Write ``items`` as a QTI 3.0 content package folder at ``path``; returns the count."""
    folder = Path(path)
    (folder / "items").mkdir(parents=True, exist_ok=True)
    manifest = ET.Element("manifest", {"xmlns": CP_NS, "identifier": "tandem-qti-export"})
    metadata = _sub(manifest, "metadata")
    _sub(metadata, "schema", "QTI Package")
    _sub(metadata, "schemaversion", "3.0.0")
    _sub(manifest, "organizations")
    resources = _sub(manifest, "resources")
    count = 0
    for item in items:
        identifier = _qti_identifier(item)
        href = f"items/{identifier}.xml"
        element = item_to_qti(item)
        _write(element, folder / href)
        resource = _sub(
            resources,
            "resource",
            identifier=identifier,
            type="imsqti_item_xmlv3p0",
            href=href,
        )
        _resource_metadata(resource, item.competencies.select_related("framework"))
        _sub(resource, "file", href=href)
        count += 1
    _write(manifest, folder / "imsmanifest.xml")
    return count


__all__ = [
    "QtiImportReport",
    "QtiItemResult",
    "QtiPackageError",
    "item_to_qti",
    "qti_export",
    "qti_import",
    "qti_seed",
]
