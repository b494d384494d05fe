"""The profile services against a real database: one revision per changed field, none for a
no-op, the history is append-only, and only the student's teachers and administrators record
accommodations."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from tandem.profiles.constants import Interest, RevisionField
from tandem.profiles.models import (
    Accommodation,
    AppendOnlyError,
    LearnerProfile,
    ProfileRevision,
)
from tandem.profiles.services import (
    Language,
    ProfileError,
    accommodation_create,
    accommodation_end,
    accommodation_update,
    profile_update,
)

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2025, 3, 10, 9, 0, tzinfo=dt.UTC)


def _fields(revisions):
    return sorted(r.field for r in revisions)


# ---------- the student's own parts ----------


def test_each_changed_field_writes_one_revision(school):
    student = school.student_a
    revisions = profile_update(
        student=student,
        now=NOW,
        interests=[Interest.MUSIC, Interest.ANIMALS],
        own_interests=["skateboarding"],
        about_me="I like to work with a friend.",
        languages=[Language("Spanish", home=True), Language("English")],
    )
    assert _fields(revisions) == ["about_me", "interests", "languages", "own_interests"]
    profile = LearnerProfile.objects.get(student=student)
    # Vocabulary order, whatever order they were given in.
    assert profile.interests == ["animals", "music"]
    assert profile.languages == [
        {"name": "Spanish", "home": True},
        {"name": "English", "home": False},
    ]
    assert profile.updated_at == NOW
    about = ProfileRevision.objects.get(student=student, field=RevisionField.ABOUT_ME)
    assert (about.old_value, about.new_value) == ("", "I like to work with a friend.")
    assert about.changed_by == student and about.changed_at == NOW
    assert about.accommodation is None

    later = NOW + dt.timedelta(days=1)
    revisions = profile_update(
        student=student,
        now=later,
        interests=["animals", "music"],
        own_interests=["skateboarding"],
        about_me="I like to work alone.",
        languages=[{"name": "Spanish", "home": True}, {"name": "English", "home": False}],
    )
    assert _fields(revisions) == ["about_me"]
    assert revisions[0].old_value == "I like to work with a friend."
    assert revisions[0].new_value == "I like to work alone."
    assert ProfileRevision.objects.filter(student=student).count() == 5


def test_a_no_op_edit_writes_nothing(school):
    student = school.student_a
    edit = {
        "interests": ["music"],
        "own_interests": ["chess"],
        "about_me": "Hello",
        "languages": [Language("French", home=True)],
    }
    profile_update(student=student, now=NOW, **edit)
    before = ProfileRevision.objects.count()
    later = NOW + dt.timedelta(hours=1)
    # The same values with stray spaces and a repeat: tidied to the same thing, nothing changed.
    assert (
        profile_update(
            student=student,
            now=later,
            interests=["music"],
            own_interests=["  chess ", "chess"],
            about_me="Hello\r\n",
            languages=[Language(" French ", home=False), Language("French", home=True)],
        )
        == []
    )
    assert ProfileRevision.objects.count() == before
    assert LearnerProfile.objects.get(student=student).updated_at == NOW


def test_an_empty_first_edit_creates_nothing(school):
    assert profile_update(student=school.student_a, now=NOW, about_me="", interests=[]) == []
    assert not LearnerProfile.objects.exists()
    assert not ProfileRevision.objects.exists()


def test_leaving_a_part_out_keeps_it(school):
    student = school.student_a
    profile_update(student=student, now=NOW, interests=["music"], own_interests=["chess"])
    revisions = profile_update(student=student, now=NOW, about_me="Hi")
    assert _fields(revisions) == ["about_me"]
    profile = LearnerProfile.objects.get(student=student)
    assert (profile.interests, profile.own_interests) == (["music"], ["chess"])


def test_own_tags_are_tidied_and_vocabulary_words_count_as_interests(school):
    profile_update(
        student=school.student_a,
        now=NOW,
        interests=[],
        own_interests=["Music", "origami", "Origami ", "  ", "space"],
    )
    profile = LearnerProfile.objects.get(student=school.student_a)
    assert profile.interests == ["music", "space"]
    assert profile.own_interests == ["origami"]


@pytest.mark.parametrize(
    ("edit", "field"),
    [
        ({"interests": ["not-a-thing"]}, "interests"),
        ({"own_interests": ["x" * 41]}, "own_interests"),
        ({"own_interests": [f"tag {i}" for i in range(11)]}, "own_interests"),
        ({"about_me": "x" * 1001}, "about_me"),
        ({"languages": [Language(f"Language {i}") for i in range(7)]}, "languages"),
        ({"languages": [Language("x" * 61)]}, "languages"),
    ],
)
def test_bad_input_is_refused_with_a_message_and_writes_nothing(school, edit, field):
    with pytest.raises(ProfileError) as refused:
        profile_update(student=school.student_a, now=NOW, **edit)
    assert refused.value.field == field
    assert str(refused.value)
    assert not ProfileRevision.objects.exists()


def test_only_students_have_a_profile_to_edit(school):
    with pytest.raises(PermissionDenied):
        profile_update(student=school.teacher_a, now=NOW, about_me="Hi")
    with pytest.raises(ValueError):
        profile_update(student=school.student_a, now=NOW.replace(tzinfo=None), about_me="Hi")


def test_revisions_are_append_only(school):
    (revision,) = profile_update(student=school.student_a, now=NOW, about_me="Hi")
    revision.new_value = "changed"
    with pytest.raises(AppendOnlyError):
        revision.save()
    with pytest.raises(AppendOnlyError):
        revision.delete()
    with pytest.raises(AppendOnlyError):
        ProfileRevision.objects.filter(pk=revision.pk).update(new_value="x")
    with pytest.raises(AppendOnlyError):
        ProfileRevision.objects.all().delete()


def test_erasure_cascades_through_the_append_only_history(school):
    """Erasing a student's record deletes rows by cascade, which the append-only guard allows."""
    accommodation, _ = accommodation_create(
        actor=school.teacher_a, student=school.student_a, kind="iep", summary="Extra time", now=NOW
    )
    assert ProfileRevision.objects.filter(accommodation=accommodation).exists()
    Accommodation.objects.filter(pk=accommodation.pk).delete()
    assert not ProfileRevision.objects.exists()


# ---------- accommodations ----------


def _create(school, actor=None, **kwargs):
    fields = {"kind": "504", "summary": "Extended time on tests", "now": NOW} | kwargs
    return accommodation_create(actor=actor or school.teacher_a, student=school.student_a, **fields)


def test_the_students_teacher_and_an_administrator_record_accommodations(school):
    accommodation, created = _create(
        school, details="1.5x time", start_date=dt.date(2025, 1, 6), end_date=None
    )
    assert created and accommodation.active
    assert accommodation.recorded_by == school.teacher_a
    revisions = ProfileRevision.objects.filter(accommodation=accommodation)
    assert sorted(revisions.values_list("field", flat=True)) == [
        "details",
        "kind",
        "start_date",
        "summary",
    ]
    assert revisions.get(field="start_date").new_value == "2025-01-06"
    assert {r.old_value for r in revisions} == {None}
    _, created = _create(school, actor=school.admin, kind="english_learner", summary="ELD 2")
    assert created
    assert Accommodation.objects.filter(student=school.student_a).count() == 2


@pytest.mark.parametrize("actor", ["teacher_b", "student_a", "guardian_a", "student_b"])
def test_nobody_else_records_accommodations(school, actor):
    with pytest.raises(PermissionDenied):
        _create(school, actor=getattr(school, actor))
    assert not Accommodation.objects.exists()
    assert not ProfileRevision.objects.exists()


def test_a_repeated_key_records_one_accommodation(school):
    first, created = _create(school, idempotency_key="k-1")
    again, created_again = _create(school, idempotency_key="k-1")
    assert created and not created_again and first.pk == again.pk
    assert Accommodation.objects.count() == 1
    assert ProfileRevision.objects.filter(accommodation=first).count() == 2


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"kind": "wizard"}, "kind"),
        ({"summary": "   "}, "summary"),
        ({"summary": "x" * 201}, "summary"),
        ({"details": "x" * 2001}, "details"),
        ({"start_date": dt.date(2025, 2, 1), "end_date": dt.date(2025, 1, 1)}, "end_date"),
    ],
)
def test_bad_accommodations_are_refused(school, fields, field):
    with pytest.raises(ProfileError) as refused:
        _create(school, **fields)
    assert refused.value.field == field
    assert not Accommodation.objects.exists()


def test_an_update_writes_a_revision_per_changed_field_and_none_for_a_no_op(school):
    accommodation, _ = _create(school, details="1.5x")
    before = ProfileRevision.objects.count()
    later = NOW + dt.timedelta(days=2)
    revisions = accommodation_update(
        actor=school.admin,
        accommodation=accommodation,
        kind="504",
        summary="Extended time on tests and quizzes",
        details="1.5x",
        start_date=None,
        end_date=dt.date(2025, 6, 30),
        now=later,
    )
    assert _fields(revisions) == ["end_date", "summary"]
    summary = next(r for r in revisions if r.field == "summary")
    assert summary.old_value == "Extended time on tests"
    assert summary.changed_by == school.admin and summary.changed_at == later
    accommodation.refresh_from_db()
    assert accommodation.summary == "Extended time on tests and quizzes"
    assert accommodation.updated_at == later
    assert (
        accommodation_update(
            actor=school.teacher_a,
            accommodation=accommodation,
            kind="504",
            summary=" Extended time on tests and quizzes ",
            details="1.5x",
            start_date=None,
            end_date=dt.date(2025, 6, 30),
            now=later + dt.timedelta(days=1),
        )
        == []
    )
    assert ProfileRevision.objects.count() == before + 2
    with pytest.raises(PermissionDenied):
        accommodation_update(
            actor=school.teacher_b,
            accommodation=accommodation,
            kind="504",
            summary="Changed",
            details="",
            start_date=None,
            end_date=None,
            now=later,
        )


def test_ending_an_accommodation_keeps_it_and_ending_again_changes_nothing(school):
    accommodation, _ = _create(school, start_date=dt.date(2025, 1, 6))
    with pytest.raises(ProfileError):
        accommodation_end(
            actor=school.teacher_a,
            accommodation=accommodation,
            end_date=dt.date(2024, 12, 1),
            now=NOW,
        )
    revisions = accommodation_end(
        actor=school.teacher_a, accommodation=accommodation, end_date=dt.date(2025, 3, 7), now=NOW
    )
    assert _fields(revisions) == ["active", "end_date"]
    accommodation.refresh_from_db()
    assert not accommodation.active and accommodation.end_date == dt.date(2025, 3, 7)
    assert (
        accommodation_end(
            actor=school.teacher_a,
            accommodation=accommodation,
            end_date=dt.date(2025, 3, 8),
            now=timezone.now(),
        )
        == []
    )
    with pytest.raises(PermissionDenied):
        accommodation_end(
            actor=school.guardian_a, accommodation=accommodation, end_date=NOW.date(), now=NOW
        )
