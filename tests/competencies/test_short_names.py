"""Short names: generated from the statement, curated in the pack, kept when staff rename them,
and shown to students in place of the full standard."""

from __future__ import annotations

import json
import re
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone
from tests.factories import make_user

from tandem.competencies.models import Competency, Framework
from tandem.competencies.services import (
    COHERENCE_MAP,
    COHERENCE_MAP_SHORT_NAMES,
    COHERENCE_MAP_URI,
    competency_rename,
    framework_load_coherence_map,
    pack_short_names,
    short_name_default,
)
from tandem.competencies.text import LOST_NOTATION, SHORT_NAME_LIMIT, short_name, statement_notation
from tandem.interop.case.services import case_import
from tandem.practice.services import attempt_answer, practice_next
from tandem.roster.constants import Role

# Words a name must not stop on: a cut in the middle of a phrase.
DANGLING = {"a", "an", "and", "as", "at", "by", "for", "from", "in", "into", "of", "on", "or",
            "the", "to", "with", "that", "which", "than", "e.g", "using"}  # fmt: skip


@pytest.mark.parametrize(
    ("statement", "name"),
    [
        (
            "Compare two fractions with different numerators and different denominators, e.g., "
            "by creating common denominators or numerators, or by comparing to a benchmark "
            "fraction such as 1/2.",
            "Compare two fractions with different numerators",
        ),
        ("Count to 100 by ones and by tens.", "Count to 100 by ones and by tens"),
        (
            "Understand that shapes in different categories may share attributes.",
            "Shapes in different categories may share attributes",
        ),
        (
            "Apply and extend previous understandings of multiplication to multiply a fraction "
            "by a whole number.",
            "Multiply a fraction by a whole number",
        ),
        (
            "Know and apply the properties of integer exponents to generate equivalent "
            "numerical expressions. For example, 3² × 3⁻⁵ = 3⁻³.",
            "Use the properties of integer exponents to generate",
        ),
        (
            "Measure areas by counting unit squares (square cm, square m, square in, square ft, "
            "and improvised units).",
            "Measure areas by counting unit squares",
        ),
        (
            "(+) Know and apply the Binomial Theorem for the expansion of (x + y)ⁿ in powers.",
            "Know and apply the Binomial Theorem for the expansion",
        ),
        (
            "explain what a point (x, y) on a graph means.",
            "Explain what a point (x, y) on a graph means",
        ),
    ],
)
def test_short_name_reads_as_a_name(statement, name):
    assert short_name(statement) == name


def test_short_name_never_ends_mid_phrase_and_keeps_to_the_limit():
    statement = "Use " + "very " * 30 + "long words of a made-up standard."
    name = short_name(statement)
    assert 0 < len(name) <= SHORT_NAME_LIMIT
    assert name.split()[-1].lower() not in DANGLING


def _pack_names() -> dict[str, str]:
    """Every standard of the pack named as the loader names it (curated, else generated)."""
    data = json.loads(COHERENCE_MAP.read_text(encoding="utf-8"))
    curated = pack_short_names()
    return {
        record["code"]: short_name_default(
            statement=statement_notation(record["statement"]), code=record["code"], curated=curated
        )
        for record in data["standards"]
    }


def test_every_standard_of_the_pack_gets_a_short_sentence_case_name():
    names = _pack_names()
    assert len(names) == 480
    bad = {}
    for code, name in names.items():
        problems = []
        if not name or len(name) > 70:
            problems.append(f"length {len(name)}")
        if "^" in name or "//" in name or LOST_NOTATION.search(name):
            problems.append("notation")
        if name[0].islower():
            problems.append("starts in lower case")
        words = re.findall(r"[A-Za-z]+", name)
        # Sentence case: a name is not Title Case Throughout.
        if len(words) >= 4 and all(w[0].isupper() for w in words):
            problems.append("title case")
        if name.rstrip(".").split()[-1].lower() in DANGLING or name.endswith((",", ".", ";")):
            problems.append("ends mid-phrase")
        if problems:
            bad[code] = (name, problems)
    assert bad == {}


def test_the_curated_names_are_for_codes_of_the_pack():
    data = json.loads(COHERENCE_MAP.read_text(encoding="utf-8"))
    codes = {record["code"] for record in data["standards"]}
    curated = json.loads(COHERENCE_MAP_SHORT_NAMES.read_text(encoding="utf-8"))["names"]
    assert set(curated) <= codes
    # Every K-8 standard the rule reads badly has a curated name: most of them do.
    k8 = {record["code"] for record in data["standards"] if not record["code"].startswith("HS")}
    assert len(k8 & set(curated)) > 250


@pytest.mark.django_db
def test_the_loader_fills_short_names_and_a_staff_rename_survives_a_reload():
    framework_load_coherence_map()
    assert not Competency.objects.filter(short_name="").exists()
    fractions = Competency.objects.get(human_coding_scheme="4.NF.A.2")
    assert fractions.short_name == "Compare fractions with different denominators"

    competency_rename(competency=fractions, name="  Which fraction is bigger?  ")
    # A curated name that changed in the pack since the last load comes through on reload.
    Competency.objects.filter(human_coding_scheme="5.NF.A.1").update(short_name="stale")
    framework_load_coherence_map()
    fractions.refresh_from_db()
    assert (fractions.short_name, fractions.short_name_edited) == (
        "Which fraction is bigger?",
        True,
    )
    assert Competency.objects.get(human_coding_scheme="5.NF.A.1").short_name == (
        "Add and subtract fractions with unlike denominators"
    )
    # An empty name hands it back to the curated one.
    competency_rename(competency=fractions, name="")
    assert (fractions.short_name, fractions.short_name_edited) == (
        "Compare fractions with different denominators",
        False,
    )


@pytest.mark.django_db
def test_a_staff_edit_in_the_admin_is_kept_over_a_reload_of_the_pack(client):
    framework_load_coherence_map()
    staff = make_user(Role.ADMINISTRATOR)
    staff.is_staff = staff.is_superuser = True
    staff.save()
    client.force_login(staff)
    comp = Competency.objects.get(human_coding_scheme="6.RP.A.1")
    data = {
        field: getattr(comp, field)
        for field in (
            "identifier", "uri", "human_coding_scheme", "full_statement", "abbreviated_statement",
            "item_type", "grade_rank", "domain_code", "domain_name", "cluster_code",
            "cluster_name", "list_order",
        )
    }  # fmt: skip
    data |= {
        "framework": comp.framework_id,
        "parent": comp.parent_id or "",
        "education_levels": json.dumps(comp.education_levels),
        "short_name": "Ratios: compare two amounts",
    }
    url = reverse("admin:competencies_competency_change", args=[comp.pk])
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    comp.refresh_from_db()
    assert (comp.short_name, comp.short_name_edited) == ("Ratios: compare two amounts", True)

    framework_load_coherence_map()
    comp.refresh_from_db()
    assert comp.short_name == "Ratios: compare two amounts"
    # Saving the form again without touching the name does not mark anything new.
    other = Competency.objects.get(human_coding_scheme="6.RP.A.2")
    assert not other.short_name_edited


def _case_package(statement: str, abbreviated: str = "") -> dict:
    doc = str(uuid.uuid4())
    item = str(uuid.uuid4())
    return {
        "CFDocument": {
            "identifier": doc,
            "uri": f"https://example.org/case/{doc}",
            "title": "A district's standards",
            "creator": "District",
            "lastChangeDateTime": "2026-01-01T00:00:00+00:00",
        },
        "CFItems": [
            {
                "identifier": item,
                "uri": f"https://example.org/case/{item}",
                "humanCodingScheme": "D.1",
                "fullStatement": statement,
                "abbreviatedStatement": abbreviated,
                "CFItemType": "Standard",
                "educationLevel": ["05"],
                "lastChangeDateTime": "2026-01-01T00:00:00+00:00",
            }
        ],
        "CFAssociations": [],
    }


@pytest.mark.django_db
def test_a_case_import_names_new_items_and_never_overwrites_a_staff_rename():
    package = _case_package(
        "Add and subtract fractions with unlike denominators, e.g., by replacing given "
        "fractions with equivalent fractions."
    )
    case_import(path_or_data=package)
    comp = Competency.objects.get(human_coding_scheme="D.1")
    assert comp.short_name == "Add and subtract fractions with unlike denominators"

    competency_rename(competency=comp, name="Unlike denominators")
    package["CFItems"][0]["fullStatement"] = "Add fractions with unlike denominators."
    case_import(path_or_data=package)
    comp.refresh_from_db()
    assert comp.full_statement == "Add fractions with unlike denominators."
    assert comp.short_name == "Unlike denominators"
    assert Framework.objects.exclude(uri=COHERENCE_MAP_URI).count() == 1


@pytest.mark.django_db
def test_learn_shows_short_names_and_folds_the_full_standard(client):
    framework_load_coherence_map()
    student = make_user(Role.STUDENT, grade="07")
    now = timezone.now()
    attempt = practice_next(student=student, now=now)
    item = attempt.item
    right = list(item.answer) if item.kind == "multiple_choice" else item.answer[0]
    attempt_answer(student=student, attempt_id=attempt.pk, response=right, now=now)
    client.force_login(student)
    html = client.get(reverse("practice:home")).content.decode()

    comp = attempt.competency
    assert comp.short_name and comp.short_name in html
    # The full standard is there, but only inside a closed disclosure next to its short name.
    unfolded = re.sub(r'<details class="competency-more">.*?</details>', "", html, flags=re.S)
    shown = Competency.objects.filter(
        human_coding_scheme__in=re.findall(r'data-competency="([^"]+)"', html)
    )
    assert shown.count() >= 2
    for competency in shown:
        assert competency.short_name in unfolded
        if competency.full_statement != competency.short_name:
            assert competency.full_statement not in unfolded, competency.code
    assert "<summary>Full standard" in html
    assert "<details open" not in html.split('id="working-on-heading"')[1].split("</section>")[0]
