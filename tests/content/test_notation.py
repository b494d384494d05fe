"""Math notation reads as written: no exponent the framework's text lost ("V = s3"), no raw
caret, no flattened complex fraction ("1/2/1/4"), in every standard and every generated item;
and the framework's names are in title case ("Counting and Cardinality")."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps

from tandem.competencies.models import Competency
from tandem.competencies.services import COHERENCE_MAP_URI, framework_load_coherence_map
from tandem.competencies.text import LOST_NOTATION, name_title_case, statement_notation
from tandem.content.generators import GENERATORS

SEEDS = range(5)
# A format hint tells students how to type a power on a keyboard, so it shows the caret.
TYPING_HINT = "Type it like"


@pytest.mark.parametrize(
    ("lost", "meant"),
    [
        (
            "use the formulas V = s3 and A = 6 s2 to find",
            "use the formulas V = s³ and A = 6 s² to find",
        ),
        (
            "the complex fraction 1/2/1/4 miles per hour",
            "the complex fraction (1/2)/(1/4) miles per hour",
        ),
        ("equations of the form x2 = p and x3 = p", "equations of the form x² = p and x³ = p"),
        ("the population as 3 × 108 and more", "the population as 3 × 10⁸ and more"),
        ("(x – p)2 = q", "(x – p)² = q"),
        ("10^3 and x^2 and 10^(-2)", "10³ and x² and 10⁻²"),
        ("units such as cm3 and", "units such as cm³ and"),
        ("sin2(θ) + cos2(θ) = 1", "sin²(θ) + cos²(θ) = 1"),
        # What must stay as it is: codes, ordinary numbers, words.
        (
            "See 6.EE.A.2; 3 × 100 + 4 × 10; 2 × (1/10)",
            "See 6.EE.A.2; 3 × 100 + 4 × 10; 2 × (1/10)",
        ),
        ("skip-count by 5s, 10s, and 100s", "skip-count by 5s, 10s, and 100s"),
    ],
)
def test_statement_notation(lost, meant):
    assert statement_notation(lost) == meant
    assert statement_notation(meant) == meant  # idempotent


@pytest.mark.parametrize(
    ("raw", "titled"),
    [
        ("Counting And Cardinality", "Counting and Cardinality"),
        ("The Number System", "The Number System"),
        ("Number And Operations-Fractions*", "Number and Operations—Fractions*"),
        ("Linear, Quadratic, And Exponential Models", "Linear, Quadratic, and Exponential Models"),
        (
            "Generalize Place Value Understanding For Multi-Digit Whole Numbers",
            "Generalize Place Value Understanding for Multi-Digit Whole Numbers",
        ),
    ],
)
def test_name_title_case(raw, titled):
    assert name_title_case(raw) == titled


@pytest.mark.django_db
def test_every_standard_of_the_framework_reads_as_written():
    framework_load_coherence_map()
    rows = Competency.objects.filter(framework__uri=COHERENCE_MAP_URI).values_list(
        "human_coding_scheme",
        "full_statement",
        "abbreviated_statement",
        "domain_name",
        "cluster_name",
    )
    assert len(rows) > 400
    lost = [
        (code, text[max(0, m.start() - 20) : m.end() + 10])
        for code, *texts in rows
        for text in texts
        for m in LOST_NOTATION.finditer(text)
    ]
    assert lost == []
    capitalised = {
        name for _, _, _, *names in rows for name in names if " And " in name or " Of " in name
    }
    assert capitalised == set()
    statements = dict((code, full) for code, full, *_ in rows)
    assert "V = s³ and A = 6 s²" in statements["6.EE.A.2.c"]
    assert "(1/2)/(1/4) miles per hour" in statements["7.RP.A.1"]


@pytest.mark.django_db
def test_the_migration_rewrites_a_framework_loaded_before():
    framework_load_coherence_map()
    competency = Competency.objects.get(human_coding_scheme="6.EE.A.2.c")
    raw = "For example, use the formulas V = s3 and A = 6 s2 to find the volume."
    Competency.objects.filter(pk=competency.pk).update(
        full_statement=raw,
        abbreviated_statement=raw,
        domain_name="Expressions And Equations",
        cluster_name="Apply And Extend Previous Understandings",
    )
    migration = importlib.import_module(
        "tandem.competencies.migrations.0003_coherence_map_notation_and_title_case"
    )
    migration.rewrite(apps, None)
    competency.refresh_from_db()
    assert competency.full_statement == competency.abbreviated_statement
    assert "V = s³ and A = 6 s²" in competency.full_statement
    assert competency.domain_name == "Expressions and Equations"
    assert competency.cluster_name == "Apply and Extend Previous Understandings"


@pytest.mark.parametrize("key", sorted(GENERATORS))
def test_every_generator_writes_notation_as_read(key):
    for seed in SEEDS:
        for difficulty in (1, 2, 3):
            item = GENERATORS[key].generate(seed, difficulty)
            for text in (item.stem, item.solution, *item.hints, *item.choices):
                for line in text.splitlines():
                    if line.startswith(TYPING_HINT):
                        continue
                    assert not LOST_NOTATION.search(line), (key, seed, difficulty, line)
