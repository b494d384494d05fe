"""What reaches the page: every generator's stem, choices, hints and worked solution, and every
standard of the framework, rendered through the templates that show them (the practice item and
its feedback, the hints, the answer fields), leave no raw ``^``, no ``s3``-style lost exponent,
no ``1/2/1/4`` and no unrendered fraction or superscript in the page's visible text: each is a
MathML ``<math>`` element."""

from __future__ import annotations

import re
import uuid
from html.parser import HTMLParser
from types import SimpleNamespace

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory

from tandem.competencies.models import Competency
from tandem.competencies.services import COHERENCE_MAP_URI, framework_load_coherence_map
from tandem.competencies.text import LOST_NOTATION
from tandem.content.generators import GENERATORS, SINGLE_CHOICE
from tandem.content.mathml import SUPERSCRIPTS

SEEDS = range(3)
TYPING_HINT = "Type it like"  # tells students how to type a power: it shows the caret
UNRENDERED = re.compile(r"(?<![\w.])\d+/\d+(?![\w/])|[" + "".join(SUPERSCRIPTS) + "]|√")
DOUBLED_SLASH = re.compile(r"\d+/\d+/\d+")


class _VisibleText(HTMLParser):
    """The page's text outside <math> elements, and how many <math> elements it has."""

    def __init__(self) -> None:
        super().__init__()
        self.depth = 0
        self.maths = 0
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "math":
            self.depth += 1
            self.maths += 1
        elif tag == "br":
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag == "math":
            self.depth -= 1

    def handle_data(self, data: str) -> None:
        if not self.depth:
            self.parts.append(data)


def visible(html: str) -> _VisibleText:
    parser = _VisibleText()
    parser.feed(html)
    parser.close()
    return parser


def assert_no_plain_notation(html: str) -> None:
    for line in "".join(visible(html).parts).splitlines():
        if line.strip().startswith(TYPING_HINT):
            continue
        assert not LOST_NOTATION.search(line), line
        assert not UNRENDERED.search(line), line
        assert not DOUBLED_SLASH.search(line), line


def render_item(item: SimpleNamespace, statement: str) -> str:
    request = RequestFactory().get("/learn/practice/")
    request.htmx = False
    attempt = SimpleNamespace(pk=uuid.uuid4())
    competency = SimpleNamespace(code="X.1", full_statement=statement)
    choices = [(str(i), text, False) for i, text in enumerate(item.choices)]
    common = {"item": item, "attempt": attempt, "competency": competency, "request": request}
    return "".join(
        [
            render_to_string(
                "practice/_feedback.html",
                # After the second try (or "Show me how"): the worked solution is on the page.
                {
                    **common,
                    "outcome": SimpleNamespace(correct=False),
                    "answer_text": "1",
                    "stage": "shown",
                    "show_solution": True,
                },
            ),
            render_to_string("practice/_hints.html", {**common, "hints": item.hints}),
            render_to_string("content/_answer_fields.html", {**common, "choices": choices}),
        ]
    )


@pytest.mark.parametrize("key", sorted(GENERATORS))
def test_every_generator_reaches_the_page_as_mathml(key):
    for seed in SEEDS:
        for difficulty in (1, 2, 3):
            spec = GENERATORS[key].generate(seed, difficulty)
            item = SimpleNamespace(
                kind=spec.kind,
                stem=spec.stem,
                choices=spec.choices,
                hints=spec.hints,
                solution=spec.solution,
                generator=spec.generator,
                answer_unit=spec.unit,
            )
            html = render_item(item, statement="")
            assert_no_plain_notation(html)
            texts = (spec.stem, spec.solution, *spec.hints, *spec.choices)
            if any(UNRENDERED.search(t) for t in texts):
                assert visible(html).maths > 0


@pytest.mark.django_db
def test_every_standard_reaches_the_page_as_mathml():
    framework_load_coherence_map()
    statements = list(
        Competency.objects.filter(framework__uri=COHERENCE_MAP_URI).values_list(
            "full_statement", flat=True
        )
    )
    assert len(statements) > 400
    item = SimpleNamespace(
        kind=SINGLE_CHOICE,
        stem="Which is larger?",
        choices=("1/2", "1/3"),
        hints=("Compare 1/2 and 1/3.",),
        solution="1/2 > 1/3.",
        generator="",
        answer_unit="",
    )
    for statement in statements:
        assert_no_plain_notation(render_item(item, statement))
