"""QTI 3.0 item import and export (issue #5): inline fixtures, manifest alignment, round trip."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from django.core.management import call_command

from tandem.competencies.models import Competency
from tandem.competencies.services import framework_load_coherence_map
from tandem.content.answers import check_answer
from tandem.content.generators import GENERATORS, generate
from tandem.content.models import Item
from tandem.content.services import item_from_spec
from tandem.interop.qti.services import GENERATOR, QtiPackageError, qti_import

pytestmark = pytest.mark.django_db

NS = 'xmlns="http://www.imsglobal.org/xsd/imsqtiasi_v3p0"'


def _item(identifier: str, declaration: str, body: str, extra: str = "") -> str:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<qti-assessment-item {NS} identifier="{identifier}" title="t" adaptive="false"
    time-dependent="false">
  {declaration}
  <qti-outcome-declaration identifier="SCORE" cardinality="single" base-type="float"/>
  <qti-item-body>{body}</qti-item-body>
  <qti-response-processing
    template="https://purl.imsglobal.org/spec/qti/v3p0/rptemplates/match_correct.xml"/>
  {extra}
</qti-assessment-item>"""


CHOICE = _item(
    "choice-1",
    """<qti-response-declaration identifier="RESPONSE" cardinality="single" base-type="identifier">
    <qti-correct-response><qti-value>B</qti-value></qti-correct-response>
  </qti-response-declaration>""",
    """<p>Which number is even?</p>
    <qti-choice-interaction response-identifier="RESPONSE" max-choices="1">
      <qti-prompt>Choose one.</qti-prompt>
      <qti-simple-choice identifier="A">3</qti-simple-choice>
      <qti-simple-choice identifier="B">4</qti-simple-choice>
      <qti-simple-choice identifier="C">5</qti-simple-choice>
    </qti-choice-interaction>""",
    """<qti-modal-feedback outcome-identifier="FEEDBACK" identifier="HINT1" show-hide="show"
      title="Hint"><qti-content-body><p>Even numbers end in 0, 2, 4, 6 or 8.</p>
      </qti-content-body></qti-modal-feedback>
    <qti-modal-feedback outcome-identifier="FEEDBACK" identifier="SOLUTION" show-hide="show">
      <qti-content-body><p>4 = 2 × 2.</p></qti-content-body></qti-modal-feedback>""",
)
MULTI = _item(
    "multi-1",
    """<qti-response-declaration identifier="RESPONSE" cardinality="multiple"
      base-type="identifier">
    <qti-correct-response><qti-value>A</qti-value><qti-value>C</qti-value></qti-correct-response>
  </qti-response-declaration>""",
    """<qti-choice-interaction response-identifier="RESPONSE" max-choices="0">
      <qti-prompt>Select all factors of 6.</qti-prompt>
      <qti-simple-choice identifier="A">2</qti-simple-choice>
      <qti-simple-choice identifier="B">4</qti-simple-choice>
      <qti-simple-choice identifier="C">3</qti-simple-choice>
    </qti-choice-interaction>""",
)
NUMERIC = _item(
    "numeric-1",
    """<qti-response-declaration identifier="RESPONSE" cardinality="single" base-type="float">
    <qti-correct-response><qti-value>2.5</qti-value></qti-correct-response>
  </qti-response-declaration>""",
    """<p>Half of 5 is <qti-text-entry-interaction response-identifier="RESPONSE"/>.</p>""",
)
TEXT = _item(
    "text-1",
    """<qti-response-declaration identifier="RESPONSE" cardinality="single" base-type="string">
    <qti-correct-response><qti-value>triangle</qti-value></qti-correct-response>
    <qti-mapping default-value="0">
      <qti-map-entry map-key="a triangle" mapped-value="1"/>
      <qti-map-entry map-key="square" mapped-value="0"/>
    </qti-mapping>
  </qti-response-declaration>""",
    """<p>A polygon with three sides is a <qti-text-entry-interaction
      response-identifier="RESPONSE"/>.</p>""",
)
INLINE = _item(
    "inline-1",
    """<qti-response-declaration identifier="RESPONSE" cardinality="single" base-type="identifier">
    <qti-correct-response><qti-value>G</qti-value></qti-correct-response>
  </qti-response-declaration>""",
    """<p>7 is <qti-inline-choice-interaction response-identifier="RESPONSE">
      <qti-inline-choice identifier="L">less than</qti-inline-choice>
      <qti-inline-choice identifier="G">greater than</qti-inline-choice>
    </qti-inline-choice-interaction> 5.</p>""",
)
MATCH = _item(
    "match-1",
    """<qti-response-declaration identifier="RESPONSE" cardinality="multiple"
      base-type="directedPair"/>""",
    """<qti-match-interaction response-identifier="RESPONSE" max-associations="2">
      <qti-simple-match-set><qti-simple-associable-choice identifier="A" match-max="1">a
      </qti-simple-associable-choice></qti-simple-match-set>
    </qti-match-interaction>""",
)
ESSAY = _item(
    "essay-1",
    """<qti-response-declaration identifier="RESPONSE" cardinality="single" base-type="string">
    <qti-correct-response><qti-value>8/12 is more than 6/12.</qti-value></qti-correct-response>
  </qti-response-declaration>""",
    """<p>Maya says 2/3 is more than 1/2.</p>
    <qti-extended-text-interaction response-identifier="RESPONSE" expected-length="400"
        expected-lines="6">
      <qti-prompt>Explain why she is right.</qti-prompt></qti-extended-text-interaction>
    <qti-rubric-block view="scorer tutor" use="scoring"><qti-content-body>
      <p>Full credit: compares with common denominators or a drawing.</p>
    </qti-content-body></qti-rubric-block>
    <qti-rubric-block view="candidate"><qti-content-body><p>Use a drawing if it helps.</p>
    </qti-content-body></qti-rubric-block>""",
)
TWO_ESSAYS = _item(
    "essay-2",
    """<qti-response-declaration identifier="A" cardinality="single" base-type="string"/>
    <qti-response-declaration identifier="B" cardinality="single" base-type="string"/>""",
    """<p>Two questions.</p>
    <qti-extended-text-interaction response-identifier="A"/>
    <qti-extended-text-interaction response-identifier="B"/>""",
)
DOCTYPE = """<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>
<qti-assessment-item identifier="x"><qti-item-body>&lol2;</qti-item-body></qti-assessment-item>"""


def _manifest(resources: dict[str, str]) -> str:
    parts = []
    for href, code in resources.items():
        metadata = ""
        if code:
            metadata = f"""<metadata><lom xmlns="http://ltsc.ieee.org/xsd/LOM"><classification>
              <taxonPath><source><string>CCSS</string></source>
              <taxon><id>{code}</id></taxon></taxonPath></classification></lom></metadata>"""
        parts.append(
            f'<resource identifier="r-{href}" type="imsqti_item_xmlv3p0" href="{href}">'
            f'{metadata}<file href="{href}"/></resource>'
        )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<manifest xmlns="http://www.imsglobal.org/xsd/qti/qtiv3p0/imscp_v1p1" identifier="m">
  <resources>{"".join(parts)}</resources></manifest>"""


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def _imported(identifier_seed_source: str) -> Item:
    from tandem.interop.qti.services import qti_seed

    return Item.objects.get(generator=GENERATOR, seed=qti_seed(identifier_seed_source))


def _correct(item: Item, response: str | list[str]) -> bool:
    return check_answer(
        kind=item.kind, answer=item.answer, tolerance=item.tolerance, response=response
    ).correct


def test_single_items_of_each_supported_kind(tmp_path: Path) -> None:
    for name, xml in {"c": CHOICE, "m": MULTI, "n": NUMERIC, "t": TEXT, "i": INLINE}.items():
        report = qti_import(path=_write(tmp_path / f"{name}.xml", xml))
        assert report.count("imported") == 1, report.summary()

    choice = _imported("choice-1")
    assert choice.kind == "single_choice"
    assert choice.stem == "Which number is even?\nChoose one."
    assert choice.choices == ["3", "4", "5"]
    assert _correct(choice, "1") and not _correct(choice, "0")
    assert choice.hints == ["Even numbers end in 0, 2, 4, 6 or 8."]
    assert choice.solution == "4 = 2 × 2."

    multi = _imported("multi-1")
    assert multi.kind == "multiple_choice"
    assert _correct(multi, ["0", "2"]) and not _correct(multi, ["0"])

    numeric = _imported("numeric-1")
    assert numeric.kind == "numeric"
    assert numeric.stem == "Half of 5 is ____."
    assert _correct(numeric, "2.5") and _correct(numeric, "5/2") and not _correct(numeric, "2")

    text = _imported("text-1")
    assert text.kind == "short_text"
    assert _correct(text, "Triangle") and _correct(text, "a triangle")
    assert not _correct(text, "square")

    inline = _imported("inline-1")
    assert inline.kind == "single_choice"
    assert inline.stem == "7 is ____ 5."
    assert inline.choices == ["less than", "greater than"]
    assert _correct(inline, "1")


def test_unsupported_and_unsafe_items_are_refused_with_reasons(tmp_path: Path) -> None:
    reasons = {}
    for name, xml in {"match.xml": MATCH, "two.xml": TWO_ESSAYS, "bomb.xml": DOCTYPE}.items():
        report = qti_import(path=_write(tmp_path / name, xml))
        assert report.count("refused") == 1
        reasons[name] = report.refused[0].reason
    assert "match.xml" in reasons["match.xml"]
    assert "unsupported interaction qti-match-interaction" in reasons["match.xml"]
    assert "2 interactions (qti-extended-text-interaction)" in reasons["two.xml"]
    assert "exactly one" in reasons["two.xml"]
    assert "DOCTYPE" in reasons["bomb.xml"]
    assert not Item.objects.filter(generator=GENERATOR).exists()


def test_package_aligns_from_manifest_and_reimport_does_not_duplicate(tmp_path: Path) -> None:
    framework_load_coherence_map()
    package = tmp_path / "pkg.zip"
    with zipfile.ZipFile(package, "w") as archive:
        archive.writestr("items/choice.xml", CHOICE)
        archive.writestr("items/match.xml", MATCH)
        archive.writestr("items/numeric.xml", NUMERIC)
        archive.writestr(
            "imsmanifest.xml",
            _manifest(
                {
                    "items/choice.xml": "4.OA.B.4",
                    "items/match.xml": "",
                    "items/numeric.xml": "9.ZZ.9",
                }
            ),
        )
    report = qti_import(path=package)
    assert (report.count("imported"), report.count("refused")) == (2, 1), report.summary()
    choice = _imported("choice-1")
    assert [c.human_coding_scheme for c in choice.competencies.all()] == ["4.OA.B.4"]
    numeric_result = next(r for r in report.results if r.identifier == "numeric-1")
    assert numeric_result.unmatched == ["9.ZZ.9"]
    assert "9.ZZ.9" in report.summary() and "qti-match-interaction" in report.summary()

    again = qti_import(path=package)
    assert again.count("unchanged") == 2
    assert Item.objects.filter(generator=GENERATOR).count() == 2


def test_round_trip_of_generated_items(tmp_path: Path) -> None:
    framework_load_coherence_map()
    seen: set[str] = set()
    originals = []
    for key in GENERATORS:  # a few of each kind, including fractions
        spec = generate(key, seed=3, difficulty=2)
        if list(k.kind for k in originals).count(spec.kind) >= 3:
            continue
        originals.append(item_from_spec(spec=spec))
        seen.add(spec.kind)
    assert seen == {"single_choice", "multiple_choice", "numeric", "short_text"}
    fraction = item_from_spec(spec=generate(next(iter(GENERATORS)), seed=5, difficulty=2))
    fraction.kind, fraction.answer, fraction.tolerance = "numeric", ["1/3"], ""
    fraction.save()
    originals.append(fraction)

    call_command("export_qti", str(tmp_path / "out"))
    assert (tmp_path / "out" / "imsmanifest.xml").is_file()
    report = qti_import(path=tmp_path / "out")
    assert report.count("refused") == 0, report.summary()
    for original in originals:
        copy = _imported(f"tandem-{original.identifier}")
        assert copy.kind == original.kind
        assert copy.stem == " ".join(original.stem.split()) or copy.stem == original.stem
        assert copy.choices == original.choices
        assert set(copy.competencies.all()) == set(original.competencies.all())
        for key in original.answer:
            response: str | list[str] = key
            if original.kind == "multiple_choice":
                response = list(original.answer)
            assert _correct(copy, response), (original.generator, key, copy.answer)
        if original.kind == "numeric":
            assert not _correct(copy, "123456789")


def test_export_command_filters_by_competency(tmp_path: Path) -> None:
    framework_load_coherence_map()
    code = next(iter(GENERATORS.values())).competency_codes[0]
    item_from_spec(spec=generate(next(iter(GENERATORS)), seed=1, difficulty=2))
    call_command("export_qti", str(tmp_path / "a"), "--competency", code)
    assert len(list((tmp_path / "a" / "items").iterdir())) == 1
    assert Competency.objects.filter(human_coding_scheme=code).exists()


def test_missing_manifest_is_a_package_error(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    with pytest.raises(QtiPackageError, match=r"imsmanifest\.xml"):
        qti_import(path=tmp_path / "empty")


def test_extended_text_becomes_a_teacher_scored_written_item(tmp_path: Path) -> None:
    framework_load_coherence_map()
    folder = tmp_path / "pkg"
    (folder / "items").mkdir(parents=True)
    _write(folder / "items" / "essay.xml", ESSAY)
    _write(folder / "imsmanifest.xml", _manifest({"items/essay.xml": "4.NF.A.2"}))
    report = qti_import(path=folder)
    assert report.count("imported") == 1, report.summary()
    essay = _imported("essay-1")
    assert essay.kind == "extended_text"
    assert essay.stem == "Maya says 2/3 is more than 1/2.\nExplain why she is right."
    assert essay.answer == [] and essay.choices == []
    # The scorer's rubric and the sample answer; the candidate rubric is not scorer guidance.
    assert essay.guidance == (
        "Full credit: compares with common denominators or a drawing.\n\n"
        "Sample answer: 8/12 is more than 6/12."
    )
    assert (essay.expected_length, essay.expected_lines) == (400, 6)
    assert [c.human_coding_scheme for c in essay.competencies.all()] == ["4.NF.A.2"]
    with pytest.raises(ValueError, match="teacher"):
        check_answer(kind=essay.kind, answer=essay.answer, tolerance="", response="because")


def test_round_trip_of_a_written_item(tmp_path: Path) -> None:
    framework_load_coherence_map()
    original = Item.objects.create(
        kind="extended_text",
        stem="Explain why 2/3 > 3/5.\nUse a drawing or common denominators.",
        guidance="Shows understanding: 10/15 > 9/15, or an area model with equal wholes.\n"
        "Partly: a correct claim with a weak reason.",
        expected_length=600,
        expected_lines=5,
        hints=["Try fifteenths."],
    )
    original.competencies.set(Competency.objects.filter(human_coding_scheme="5.NF.A.1"))
    call_command("export_qti", str(tmp_path / "out"))
    exported = (tmp_path / "out" / "items" / f"tandem-{original.identifier}.xml").read_text()
    assert '<qti-rubric-block view="scorer" use="scoring">' in exported
    assert 'expected-length="600"' in exported
    assert "qti-response-processing" not in exported  # a person scores it

    report = qti_import(path=tmp_path / "out")
    assert report.count("refused") == 0, report.summary()
    copy = _imported(f"tandem-{original.identifier}")
    fields = ("kind", "stem", "guidance", "expected_length", "expected_lines", "hints", "answer")
    assert [getattr(copy, f) for f in fields] == [getattr(original, f) for f in fields]
    assert set(copy.competencies.all()) == set(original.competencies.all())
