"""Reading one QTI 3.0 ``qti-assessment-item`` into a Tandem item description (pure, no DB).

Supported interactions (exactly one per item):

* ``qti-choice-interaction`` — ``max-choices="1"`` gives a single choice item, else multiple
  choice; the key is the declared correct response.
* ``qti-text-entry-interaction`` — an ``integer``/``float`` response gives a numeric item
  (absolute tolerance from a ``qti-equal`` in the response processing); a ``string`` response
  gives a short text item keyed by the correct value(s) and the mapped alternatives with a
  positive score.  Tandem's own export marks exact-fraction keys with
  ``data-tandem-kind="numeric"`` (QTI floats cannot hold 1/3).
* ``qti-inline-choice-interaction`` — single choice over the inline choices; the stem keeps
  the sentence with a blank (``____``).

* ``qti-extended-text-interaction`` — a written answer (``extended_text``) that a teacher
  scores: no key; the scorer guidance comes from ``qti-rubric-block`` elements whose ``view``
  includes ``scorer`` (and a declared correct response, kept as a sample answer), the expected
  length from ``expected-length`` (characters) and ``expected-lines``.

Every other interaction, and items with more than one interaction, are refused with the file
and interaction named.

Hints come from ``qti-modal-feedback``/``qti-feedback-block`` whose identifier or title says
"hint"; the solution from one that says "solution" (or "explanation").
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from tandem.content.answers import AnswerFormatError, format_fraction, parse_number
from tandem.content.generators.kinds import (
    EXTENDED_TEXT,
    MULTIPLE_CHOICE,
    NUMERIC,
    SHORT_TEXT,
    SINGLE_CHOICE,
)

BLANK = "____"
SUPPORTED = (
    "qti-choice-interaction",
    "qti-text-entry-interaction",
    "qti-inline-choice-interaction",
    "qti-extended-text-interaction",
)
SAMPLE_ANSWER = "Sample answer:"
_BLOCKS = {
    "p", "div", "li", "ul", "ol", "table", "tr", "h1", "h2", "h3", "h4", "h5", "h6",
    "blockquote", "pre", "qti-prompt", "section", "figure",
}  # fmt: skip
_SKIP = {"qti-feedback-block", "qti-feedback-inline", "qti-rubric-block", "qti-template-block"}
_MAX_HINTS = 3


class QtiRefusedError(ValueError):
    """The item cannot become a Tandem item; the message says why."""


@dataclass
class ParsedItem:
    identifier: str
    title: str
    kind: str
    stem: str
    choices: list[str] = field(default_factory=list)
    answer: list[str] = field(default_factory=list)
    tolerance: str = ""
    hints: list[str] = field(default_factory=list)
    solution: str = ""
    # Written answers only (kind extended_text).
    guidance: str = ""
    expected_length: int | None = None
    expected_lines: int | None = None


def _text(element: ET.Element) -> str:
    """Plain text of ``element``: block elements on their own lines, inner whitespace collapsed."""
    lines: list[str] = []
    current: list[str] = []

    def flush() -> None:
        line = " ".join("".join(current).split())
        if line:
            lines.append(line)
        current.clear()

    def walk(node: ET.Element) -> None:
        tag = node.tag if isinstance(node.tag, str) else ""
        inline = tag in ("qti-inline-choice-interaction", "qti-text-entry-interaction")
        if tag in _SKIP or (tag.endswith("-interaction") and not inline):
            current.append(node.tail or "")
            return
        if inline:
            current.append(f" {BLANK} ")
            current.append(node.tail or "")
            return
        block = tag in _BLOCKS
        if block or tag == "br":
            flush()
        if tag == "img":
            current.append(f"[image: {node.get('alt', '')}]")
        current.append(node.text or "")
        for child in node:
            walk(child)
        if block:
            flush()
        current.append(node.tail or "")

    current.append(element.text or "")
    for child in element:
        walk(child)
    flush()
    return "\n".join(lines)


def _body_text(body: ET.Element, interaction: ET.Element) -> str:
    """The stem: the body without the (block) interaction, then the interaction's prompt."""
    inline = interaction.tag in ("qti-inline-choice-interaction", "qti-text-entry-interaction")
    parts = [_text(body)]
    prompt = interaction.find("qti-prompt")
    if prompt is not None and not inline:
        parts.append(_text(prompt))
    text = "\n".join(p for p in parts if p)
    # An entry box on a line of its own adds nothing to the stem; punctuation hugs the blank.
    lines = [line for line in text.split("\n") if line.strip() != BLANK]
    return re.sub(rf"{BLANK} ([.,;:!?])", rf"{BLANK}\1", "\n".join(lines)).strip()


def _values(element: ET.Element | None) -> list[str]:
    if element is None:
        return []
    return [(v.text or "").strip() for v in element.findall("qti-value") if (v.text or "").strip()]


def _label(element: ET.Element) -> str:
    return " ".join(
        element.get(a, "") for a in ("identifier", "title", "class", "outcome-identifier")
    ).casefold()


def _feedback(root: ET.Element) -> tuple[list[str], str]:
    hints: list[str] = []
    solution = ""
    for element in root.iter():
        if element.tag not in ("qti-modal-feedback", "qti-feedback-block"):
            continue
        label = _label(element)
        text = _text(element)
        if not text:
            continue
        if "solution" in label or "explanation" in label:
            solution = solution or text
        elif "hint" in label and len(hints) < _MAX_HINTS:
            hints.append(text)
    return hints, solution


def _decimal_key(value: str, *, name: str) -> str:
    try:
        return format_fraction(parse_number(value))
    except AnswerFormatError as exc:
        raise QtiRefusedError(f"{name}: correct response {value!r} is not a number.") from exc


def _tolerance(root: ET.Element) -> str:
    for equal in root.iter("qti-equal"):
        if equal.get("tolerance-mode", "exact") == "absolute" and equal.get("tolerance"):
            first = equal.get("tolerance", "").split()[0]
            try:
                return str(Decimal(first))
            except InvalidOperation:
                return ""
    return ""


def _positive_int(value: str | None) -> int | None:
    """A positive whole number from an attribute, or None (absent or not usable)."""
    try:
        number = int((value or "").strip())
    except ValueError:
        return None
    return number if number > 0 else None


def _extended_text(
    item: ParsedItem, root: ET.Element, interaction: ET.Element, correct: list[str]
) -> None:
    """Fill in a written-answer item: scorer guidance and expected length, no key."""
    item.kind = EXTENDED_TEXT
    rubrics = [
        _text(block)
        for block in root.iter("qti-rubric-block")
        if "scorer" in block.get("view", "").split()
    ]
    parts = [text for text in rubrics if text]
    if correct:
        parts.append(f"{SAMPLE_ANSWER} " + "\n".join(correct))
    item.guidance = "\n\n".join(parts)
    item.expected_length = _positive_int(interaction.get("expected-length"))
    item.expected_lines = _positive_int(interaction.get("expected-lines"))


def parse_item(root: ET.Element, *, name: str) -> ParsedItem:
    """The Tandem item described by a parsed ``qti-assessment-item``; QtiRefusedError if none."""
    if root.tag == "assessmentItem":
        raise QtiRefusedError(f"{name}: a QTI 2.x assessmentItem; only QTI 3.0 is supported.")
    if root.tag != "qti-assessment-item":
        raise QtiRefusedError(f"{name}: not a qti-assessment-item (root is <{root.tag}>).")
    identifier = (root.get("identifier") or "").strip()
    if not identifier:
        raise QtiRefusedError(f"{name}: the item has no identifier.")
    where = f"{name} (item {identifier})"
    body = root.find("qti-item-body")
    if body is None:
        raise QtiRefusedError(f"{where}: the item has no qti-item-body.")
    interactions = [e for e in body.iter() if e.tag.endswith("-interaction")]
    if not interactions:
        raise QtiRefusedError(f"{where}: the item has no interaction.")
    if len(interactions) > 1:
        names = ", ".join(sorted({e.tag for e in interactions}))
        raise QtiRefusedError(
            f"{where}: {len(interactions)} interactions ({names}); Tandem items have exactly one."
        )
    interaction = interactions[0]
    if interaction.tag not in SUPPORTED:
        raise QtiRefusedError(
            f"{where}: unsupported interaction {interaction.tag} "
            f"(supported: {', '.join(SUPPORTED)})."
        )
    response_id = interaction.get("response-identifier", "")
    declaration = next(
        (d for d in root.findall("qti-response-declaration") if d.get("identifier") == response_id),
        None,
    )
    if declaration is None:
        raise QtiRefusedError(f"{where}: no qti-response-declaration for {response_id!r}.")
    correct = _values(declaration.find("qti-correct-response"))
    hints, solution = _feedback(root)
    stem = _body_text(body, interaction)
    if not stem:
        raise QtiRefusedError(f"{where}: the item has no question text.")
    item = ParsedItem(
        identifier=identifier,
        title=root.get("title", ""),
        kind=SINGLE_CHOICE,
        stem=stem,
        hints=hints,
        solution=solution,
    )

    if interaction.tag == "qti-extended-text-interaction":
        _extended_text(item, root, interaction, correct)
        return item
    if interaction.tag in ("qti-choice-interaction", "qti-inline-choice-interaction"):
        child = (
            "qti-simple-choice"
            if interaction.tag == "qti-choice-interaction"
            else "qti-inline-choice"
        )
        options = interaction.findall(child)
        ids = [o.get("identifier", "") for o in options]
        item.choices = [_text(o) for o in options]
        if len(options) < 2 or not all(item.choices):
            raise QtiRefusedError(f"{where}: {interaction.tag} needs at least two labeled choices.")
        if not correct:
            raise QtiRefusedError(f"{where}: no correct response is declared.")
        unknown = [c for c in correct if c not in ids]
        if unknown:
            raise QtiRefusedError(f"{where}: correct response {unknown} names no choice.")
        item.answer = [str(ids.index(c)) for c in dict.fromkeys(correct)]
        max_choices = interaction.get("max-choices", "1")
        single = interaction.tag == "qti-inline-choice-interaction" or (
            max_choices == "1" and declaration.get("cardinality", "single") == "single"
        )
        if single and len(item.answer) != 1:
            raise QtiRefusedError(f"{where}: a single choice with {len(item.answer)} correct keys.")
        item.kind = SINGLE_CHOICE if single else MULTIPLE_CHOICE
        return item

    # qti-text-entry-interaction
    base_type = declaration.get("base-type", "string")
    mapped = [
        (e.get("map-key") or "").strip()
        for e in declaration.iter("qti-map-entry")
        if _positive(e.get("mapped-value", "0"))
    ]
    keys = list(dict.fromkeys([*correct, *(m for m in mapped if m)]))
    if not keys:
        raise QtiRefusedError(f"{where}: no correct response is declared.")
    if base_type in ("integer", "float") or interaction.get("data-tandem-kind") == NUMERIC:
        item.kind = NUMERIC
        item.answer = [_decimal_key(k, name=where) for k in keys]
        item.tolerance = _tolerance(root)
    elif base_type == "string":
        item.kind = SHORT_TEXT
        item.answer = keys
    else:
        raise QtiRefusedError(f"{where}: text entry with base-type {base_type!r} is not supported.")
    return item


def _positive(value: str) -> bool:
    return bool(re.fullmatch(r"\s*\+?\d*\.?\d+\s*", value)) and float(value) > 0
