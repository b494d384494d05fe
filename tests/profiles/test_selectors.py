"""The profile selectors: strengths and needs derived from the learner model, in words, and the
history with or without accommodation changes."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from tests.factories import master, record_answer

from tandem.competencies.services import framework_load_coherence_map
from tandem.profiles.selectors import (
    domain_words,
    profile_for,
    profile_history,
    strengths_and_needs,
    value_words,
)
from tandem.profiles.services import Language, accommodation_create, profile_update

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2025, 3, 10, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def framework():
    framework_load_coherence_map()


def test_strengths_are_mastered_competencies_by_domain_and_needs_have_evidence(school, framework):
    student = school.student_a
    for code in ("6.EE.A.2.c", "6.EE.A.3"):
        master(student, code)
    for _ in range(4):
        record_answer(student, "6.RP.A.1", False)
    record_answer(student, "6.NS.B.4", False)  # one answer is not enough evidence to call a need
    result = strengths_and_needs(student_id=student.pk, now=timezone.now())

    (strength,) = result.strengths
    assert strength.domain == "Expressions and equations"
    assert [c.code for c in strength.competencies] == ["6.EE.A.2.c", "6.EE.A.3"]
    assert result.mastered_count == 2
    assert [n.competency.code for n in result.needs] == ["6.RP.A.1"]
    assert not result.needs[0].needs_review


def test_mastery_that_has_faded_is_a_need_to_review(school, framework):
    master(school.student_a, "6.EE.A.3")
    later = timezone.now() + dt.timedelta(days=400)
    result = strengths_and_needs(student_id=school.student_a.pk, now=later)
    assert result.strengths == []
    assert [(n.competency.code, n.needs_review) for n in result.needs] == [("6.EE.A.3", True)]


def test_no_evidence_means_no_strengths_or_needs(school):
    result = strengths_and_needs(student_id=school.student_a.pk, now=NOW)
    assert (result.strengths, result.needs, result.mastered_count) == ([], [], 0)


def test_domain_names_read_as_words():
    assert domain_words("Number And Operations-Fractions*") == "Number and operations – fractions"
    assert domain_words("Number and Operations—Fractions*") == "Number and operations – fractions"
    assert domain_words("The Number System") == "The number system"


def test_profile_for_a_student_who_wrote_nothing_is_empty(school):
    profile = profile_for(student_id=school.student_a.pk)
    assert profile.is_empty and profile.updated_at is None


def test_history_leaves_out_accommodations_unless_asked(school):
    profile_update(
        student=school.student_a,
        now=NOW,
        interests=["music"],
        languages=[Language("Spanish", home=True)],
    )
    accommodation_create(
        actor=school.teacher_a,
        student=school.student_a,
        kind="iep",
        summary="Reader for tests",
        now=NOW + dt.timedelta(minutes=1),
    )
    own = profile_history(student_id=school.student_a.pk, include_accommodations=False)
    assert sorted(r.field for r in own) == ["interests", "languages"]
    assert all(r.accommodation is None for r in own)
    words = {r.field: r.new_text for r in own}
    assert words == {"interests": "Music", "languages": "Spanish (home)"}

    everything = profile_history(student_id=school.student_a.pk, include_accommodations=True)
    assert len(everything) == 4
    newest = everything[0]
    assert newest.accommodation is not None and newest.changed_by == school.teacher_a
    assert {r.new_text for r in everything[:2]} == {"IEP", "Reader for tests"}


def test_values_in_words():
    assert value_words("start_date", "2025-01-06") == "January 6, 2025"
    assert value_words("active", False) == "ended"
    assert value_words("kind", "504") == "504 plan"
    assert value_words("own_interests", []) == ""
    assert value_words("about_me", None) == ""
