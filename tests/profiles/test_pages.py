"""The profile pages' HTTP contract: the student edits their own parts, staff add, edit and end
accommodations; bad input is refused with a message and nothing typed is lost; a repeated
submission records once; the teacher page's query count does not grow with the record."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tandem.profiles.models import Accommodation, LearnerProfile, ProfileRevision
from tandem.profiles.services import accommodation_create, profile_update

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2025, 3, 10, 9, 0, tzinfo=dt.UTC)


def _profile_post(**overrides):
    data = {
        "interests": ["music", "space"],
        "own_interests": "origami, skateboarding",
        "about_me": "I like to draw my working.",
        "language_0": "Spanish",
        "language_0_home": "on",
        "language_1": "English",
        "language_2": "",
    }
    return data | overrides


# ---------- the student's own profile ----------


def test_my_profile_page_shows_the_form_and_sections(login, school):
    client = login(school.student_a)
    response = client.get(reverse("profiles:mine"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>My profile</h1>" in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert 'for="id_about_me"' in html and 'for="id_own_interests"' in html
    assert 'for="id_language_0"' in html and 'for="id_language_0_home"' in html
    assert "<legend>Things I like</legend>" in html
    assert "What I’m good at" in html and "What to work on" in html
    assert "My edit history" in html


def test_saving_my_profile_writes_history_and_shows_it(login, school):
    client = login(school.student_a)
    response = client.post(reverse("profiles:mine"), _profile_post())
    assert response.status_code == 302
    assert response["Location"] == reverse("profiles:mine")
    profile = LearnerProfile.objects.get(student=school.student_a)
    assert profile.interests == ["music", "space"]
    assert profile.own_interests == ["origami", "skateboarding"]
    assert profile.languages == [
        {"name": "Spanish", "home": True},
        {"name": "English", "home": False},
    ]
    assert ProfileRevision.objects.filter(student=school.student_a).count() == 4

    html = client.get(reverse("profiles:mine")).content.decode()
    assert "Your profile is saved." in html
    assert "I like to draw my working." in html
    assert "Spanish" in html and "(spoken at home)" in html
    assert 'value="origami, skateboarding"' in html
    assert "History of changes" not in html and "My edit history" in html
    assert "Music, Space" in html  # the interests revision, in words


def test_a_double_submit_saves_once(login, school):
    client = login(school.student_a)
    client.post(reverse("profiles:mine"), _profile_post())
    revisions = ProfileRevision.objects.count()
    response = client.post(reverse("profiles:mine"), _profile_post(), follow=True)
    assert response.status_code == 200
    assert "Nothing had changed" in response.content.decode()
    assert ProfileRevision.objects.count() == revisions


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"about_me": "x" * 1001}, "at most 1000 characters"),
        ({"interests": ["music", "wizardry"]}, "Select a valid choice"),
        ({"own_interests": "x" * 41}, "Keep each interest under 40 characters"),
        ({"language_1": "", "language_1_home": "on"}, "Write the language you speak at home."),
    ],
)
def test_bad_input_is_refused_with_a_message_and_nothing_is_lost(login, school, overrides, message):
    client = login(school.student_a)
    response = client.post(reverse("profiles:mine"), _profile_post(**overrides))
    assert response.status_code == 400
    html = response.content.decode()
    assert 'role="alert"' in html
    assert "Nothing was saved" in html
    assert message in html
    # What the student typed is still in the form.
    typed = _profile_post(**overrides)
    assert f'value="{typed["own_interests"]}"' in html
    assert typed["about_me"] in html
    assert 'value="Spanish"' in html
    assert not LearnerProfile.objects.exists()
    assert not ProfileRevision.objects.exists()


def test_the_student_page_is_only_for_students(login, school):
    for role in ("teacher_a", "guardian_a", "admin"):
        client = login(getattr(school, role))
        assert client.get(reverse("profiles:mine")).status_code == 404, role
        assert client.post(reverse("profiles:mine"), _profile_post()).status_code == 404, role
    assert not LearnerProfile.objects.exists()


# ---------- staff: a student's profile and accommodations ----------


def _accommodation_post(**overrides):
    data = {
        "kind": "504",
        "summary": "Extended time on tests",
        "details": "1.5x time; a quiet room if possible.",
        "start_date": "2025-01-06",
        "end_date": "",
        "idempotency_key": str(uuid.uuid4()),
    }
    return data | overrides


def test_the_teacher_page_shows_profile_needs_and_history(login, school):
    profile_update(
        student=school.student_a, now=NOW, about_me="I like puzzles", interests=["games"]
    )
    client = login(school.teacher_a)
    response = client.get(reverse("profiles:student", args=[school.student_a.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert f"{school.student_a.display_name}’s profile" in html
    assert "I like puzzles" in html and "Games and puzzles" in html
    assert "Strengths" in html and "Needs" in html
    assert "History of changes" in html
    assert "No accommodations recorded." in html
    assert reverse("teaching:student", args=[school.student_a.pk]) in html
    # Administrators do not teach: no link to teacher pages they cannot open.
    html = login(school.admin).get(reverse("profiles:student", args=[school.student_a.pk]))
    assert reverse("teaching:classes") not in html.content.decode()


def test_adding_an_accommodation_twice_records_it_once(login, school):
    client = login(school.teacher_a)
    url = reverse("profiles:accommodation_add", args=[school.student_a.pk])
    data = _accommodation_post()
    response = client.post(url, data)
    assert response.status_code == 302
    assert response["Location"].endswith("#accommodations")
    response = client.post(url, data, follow=True)
    assert "Already recorded" in response.content.decode()
    accommodation = Accommodation.objects.get()
    assert accommodation.student == school.student_a
    assert accommodation.recorded_by == school.teacher_a
    assert accommodation.start_date == dt.date(2025, 1, 6)
    html = response.content.decode()
    assert "Extended time on tests" in html and "1.5x time" in html
    assert "Accommodation “Extended time on tests”: summary" in html  # in the history


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"kind": ""}, "Choose what kind of accommodation this is."),
        ({"kind": "wizard"}, "Choose what kind of accommodation this is."),
        ({"summary": ""}, "Write a short summary of the accommodation."),
        ({"start_date": "next tuesday"}, "Enter a date like 2025-09-01."),
        ({"end_date": "2024-12-31"}, "The end date cannot be before the start date."),
    ],
)
def test_a_bad_accommodation_is_refused_and_what_was_typed_stays(login, school, overrides, message):
    client = login(school.teacher_a)
    url = reverse("profiles:accommodation_add", args=[school.student_a.pk])
    response = client.post(url, _accommodation_post(**overrides))
    assert response.status_code == 400
    html = response.content.decode()
    assert 'role="alert"' in html and "The accommodation was not recorded" in html
    assert message in html
    assert "1.5x time; a quiet room if possible." in html
    assert not Accommodation.objects.exists()


def test_a_missing_key_still_records(login, school):
    client = login(school.teacher_a)
    url = reverse("profiles:accommodation_add", args=[school.student_a.pk])
    assert client.post(url, _accommodation_post(idempotency_key="junk")).status_code == 302
    assert Accommodation.objects.count() == 1


def test_editing_and_ending_an_accommodation(login, school):
    accommodation, _ = accommodation_create(
        actor=school.teacher_a,
        student=school.student_a,
        kind="504",
        summary="Extended time",
        start_date=dt.date(2025, 1, 6),
        now=NOW,
    )
    client = login(school.admin)
    edit = reverse("profiles:accommodation_edit", args=[accommodation.pk])
    html = client.get(edit).content.decode()
    assert 'value="Extended time"' in html and "End this accommodation" in html

    data = {"kind": "504", "summary": "Extended time (1.5x)", "start_date": "2025-01-06"}
    assert client.post(edit, data).status_code == 302
    assert client.post(edit, data).status_code == 302  # the same again changes nothing
    accommodation.refresh_from_db()
    assert accommodation.summary == "Extended time (1.5x)"
    assert ProfileRevision.objects.filter(accommodation=accommodation, field="summary").count() == 2

    response = client.post(edit, data | {"end_date": "2024-01-01"})
    assert response.status_code == 400
    assert "The end date cannot be before the start date." in response.content.decode()

    end = reverse("profiles:accommodation_end", args=[accommodation.pk])
    response = client.post(end, {"end_date": "not a date"})
    assert response.status_code == 400
    assert "Enter a date like 2025-09-01." in response.content.decode()
    response = client.post(end, {"end_date": "2024-12-01"})
    assert response.status_code == 400
    assert "cannot be before the start date" in response.content.decode()
    assert client.post(end, {"end_date": "2025-03-07"}).status_code == 302
    response = client.post(end, {"end_date": "2025-03-08"}, follow=True)
    assert "Already ended" in response.content.decode()
    accommodation.refresh_from_db()
    assert not accommodation.active and accommodation.end_date == dt.date(2025, 3, 7)
    assert ProfileRevision.objects.filter(accommodation=accommodation, field="active").count() == 1


def test_the_teacher_page_query_count_does_not_grow_with_the_record(login, school):
    client = login(school.teacher_a)
    url = reverse("profiles:student", args=[school.student_a.pk])

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    accommodation_create(
        actor=school.teacher_a, student=school.student_a, kind="iep", summary="One", now=NOW
    )
    profile_update(student=school.student_a, now=NOW, about_me="Hi")
    few = count()
    for i in range(5):
        accommodation_create(
            actor=school.admin,
            student=school.student_a,
            kind="other",
            summary=f"More {i}",
            details="Details",
            now=NOW,
        )
        profile_update(student=school.student_a, now=NOW, about_me=f"Hi {i}", interests=["art"])
    assert count() == few


def test_current_goals_show_on_every_profile_view_but_reflections_never(school, login):
    from django.urls import reverse
    from django.utils import timezone

    from tandem.goals.constants import GoalKind
    from tandem.goals.rules import current_week
    from tandem.goals.services import goal_create, reflection_save

    now = timezone.now()
    goal_create(
        student=school.student_a,
        kind=GoalKind.HABIT,
        created_by=school.student_a,
        now=now,
        text="Practice ten minutes every evening",
    )
    reflection_save(
        student=school.student_a,
        week=current_week(now) - dt.timedelta(days=7),  # last week's: always open for writing
        did="Secret reflection words",
        worked="x",
        next_steps="y",
        now=now,
    )
    pages = [
        (school.student_a, reverse("profiles:mine")),
        (school.teacher_a, reverse("profiles:student", args=[school.student_a.pk])),
        (school.guardian_a, reverse("profiles:child", args=[school.student_a.pk])),
    ]
    for user, url in pages:
        html = login(user).get(url).content.decode()
        assert "Current goals" in html, url
        assert "Practice ten minutes every evening" in html, url
        assert "Secret reflection words" not in html, url
