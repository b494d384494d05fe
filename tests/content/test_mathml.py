"""Math notation reaches the page as MathML: every generator's items and every standard of the
framework, rendered through the ``|math`` filter, are well-formed MathML with nothing of the
plain-text notation (raw ``^``, ``s3``, ``1/2/1/4``, an unrendered fraction or superscript)
left in the page's text, and everything else is escaped."""

from __future__ import annotations

import re
from xml.etree import ElementTree as ET

import pytest
from django.template import Context, Template

from tandem.competencies.models import Competency
from tandem.competencies.services import COHERENCE_MAP_URI, framework_load_coherence_map
from tandem.competencies.text import LOST_NOTATION
from tandem.content.generators import GENERATORS
from tandem.content.mathml import SUPERSCRIPTS, math_html

SEEDS = range(4)
# A format hint tells students how to type a power on a keyboard, so it shows the caret.
TYPING_HINT = "Type it like"

# The MathML Core elements the converter writes, and how many children each must have.
_ARITY = {"mfrac": 2, "msup": 2}
_ELEMENTS = {"math", "mrow", "mn", "mi", "mo", "mtext", "mfrac", "msup", "msqrt"}
_TOKENS = {"mn", "mi", "mo", "mtext"}
# Notation that should have become MathML: a fraction, a superscript, a root sign.
_UNRENDERED = re.compile(r"(?<![\w.])\d+/\d+(?![\w/])|[" + "".join(SUPERSCRIPTS) + "]|√")
_DOUBLED_SLASH = re.compile(r"\d+/\d+/\d+")


def _page(html: str) -> ET.Element:
    """Parse the filter's output as XML (it must be well-formed); <br> is its only void tag."""
    return ET.fromstring("<div>" + html.replace("<br>", "<br/>") + "</div>")


def assert_valid_mathml(html: str) -> None:
    for math in _page(html).iter("math"):
        assert math.get("aria-label"), html  # a screen reader says it in words
        for element in math.iter():
            assert element.tag in _ELEMENTS, (element.tag, html)
            if element.tag in _ARITY:
                assert len(element) == _ARITY[element.tag], html
            if element.tag == "msqrt":
                assert len(element) >= 1, html
            if element.tag in _TOKENS:
                assert len(element) == 0 and (element.text or "").strip(), html
            elif element.tag != "math":
                assert not (element.text or "").strip(), html  # text only inside tokens


def page_text(html: str) -> str:
    """What a reader sees outside the MathML: the text the notation checks look at."""
    root = _page(html)
    for math in root.iter("math"):
        tail = math.tail
        math.clear()  # which also drops the text after it: put that back
        math.tail = tail
    return "".join(root.itertext())


def assert_reads_as_math(text: str) -> None:
    html = math_html(text)
    assert_valid_mathml(html)
    for line in page_text(html).splitlines():
        if line.startswith(TYPING_HINT):
            continue
        assert not LOST_NOTATION.search(line), line
        assert not _UNRENDERED.search(line), line
        assert not _DOUBLED_SLASH.search(line), line


@pytest.mark.parametrize(
    ("text", "mathml"),
    [
        ("3/4", "<mfrac><mn>3</mn><mn>4</mn></mfrac>"),
        ("a/b", "<mfrac><mi>a</mi><mi>b</mi></mfrac>"),
        ("1 3/4", "<mn>1</mn><mfrac><mn>3</mn><mn>4</mn></mfrac>"),
        ("x²", "<msup><mi>x</mi><mn>2</mn></msup>"),
        ("10⁸", "<msup><mn>10</mn><mn>8</mn></msup>"),
        ("10⁻²", "<msup><mn>10</mn><mn>−2</mn></msup>"),
        ("cm³", "<msup><mi>cm</mi><mn>3</mn></msup>"),
        ("√49", "<msqrt><mn>49</mn></msqrt>"),
        (
            "√(3² + 4²)",
            "<msqrt><mrow><msup><mn>3</mn><mn>2</mn></msup><mo>+</mo>"
            "<msup><mn>4</mn><mn>2</mn></msup></mrow></msqrt>",
        ),
        (
            "(x + 3)²",
            "<msup><mrow><mo>(</mo><mrow><mi>x</mi><mo>+</mo><mn>3</mn></mrow><mo>)</mo></mrow>"
            "<mn>2</mn></msup>",
        ),
        (
            "(1/2)/(1/4)",
            "<mfrac><mfrac><mn>1</mn><mn>2</mn></mfrac><mfrac><mn>1</mn><mn>4</mn></mfrac></mfrac>",
        ),
        ("1.15ᵗ", "<msup><mn>1.15</mn><mi>t</mi></msup>"),
    ],
)
def test_notation_becomes_mathml(text, mathml):
    html = math_html(text)
    assert re.fullmatch(r'<math aria-label="[^"]+">(.*)</math>', html)[1] == mathml
    assert_valid_mathml(html)


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("3/4", "3 over 4"),
        ("1 1/2", "1 and 1 over 2"),
        ("x²", "x squared"),
        ("s³", "s cubed"),
        ("10⁸", "10 to the power 8"),
        ("10⁻³", "10 to the power negative 3"),
        ("√25", "the square root of 25"),
        ("(x − 2)²", "(x minus 2) squared"),
    ],
)
def test_a_screen_reader_hears_words(text, label):
    assert _page(math_html(text)).find("math").get("aria-label") == label


@pytest.mark.parametrize(
    "text",
    [
        "See 6.EE.A.2.c/evaluate",  # a generator key or a code
        "1/2/3",  # not one fraction: left for the reader to see as typed
        "https://example.org/a/b",
        "and/or",
        "Type it like 3.2 × 10^5",
        "skip-count by 5s, 10s, and 100s",
        "3 × 100 + 4 × 10",
    ],
)
def test_text_that_is_not_notation_stays_as_it_is(text):
    assert math_html(text) == text.replace("&", "&amp;")


def test_mixed_number_needs_a_proper_fraction():
    # "2 5/4": the 2 is its own number (a count, say), the fraction stands alone.
    html = math_html("2 5/4")
    assert html.startswith("2 <math")
    assert "<mn>2</mn>" not in html


def test_everything_else_is_escaped():
    html = math_html('<script>alert("x")</script> & 3/4 <b onmouseover=x>x²</b>\nnext')
    assert "<script" not in html and "<b " not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; <math" in html
    assert html.endswith("<br>\nnext")
    assert_valid_mathml(html)


def test_the_filter_escapes_and_renders():
    template = Template("<p>{{ text|math }}</p>")
    html = template.render(Context({"text": "<i>1/2</i>\nb"}))
    assert html.startswith("<p>&lt;i&gt;<math")
    assert "<br>" in html
    assert Template("{{ text|math }}").render(Context({"text": None})) == ""


@pytest.mark.parametrize("key", sorted(GENERATORS))
def test_every_generator_renders_as_mathml(key):
    for seed in SEEDS:
        for difficulty in (1, 2, 3):
            item = GENERATORS[key].generate(seed, difficulty)
            for text in (item.stem, item.solution, *item.hints, *item.choices):
                assert_reads_as_math(text)


@pytest.mark.django_db
def test_every_standard_renders_as_mathml():
    framework_load_coherence_map()
    rows = Competency.objects.filter(framework__uri=COHERENCE_MAP_URI).values_list(
        "human_coding_scheme", "full_statement", "abbreviated_statement"
    )
    assert len(rows) > 400
    for _code, *texts in rows:
        for text in texts:
            assert_reads_as_math(text)
    statement = dict((code, full) for code, full, _ in rows)["7.RP.A.1"]
    assert "<mfrac><mfrac><mn>1</mn><mn>2</mn></mfrac>" in math_html(statement)
