"""'Did a change help?': naming a change (bad input refused, a double submit recorded once),
the screen-time limit, and the result with its assumptions."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from tests.factories import PASSWORD
from tests.leaders.conftest import class_a_change

from tandem.leaders.models import Change, TimeLimit
from tandem.leaders.selectors import change_result
from tandem.leaders.services import LeaderInputError, change_create

pytestmark = pytest.mark.django_db


def _form(school, **extra):
    return {
        "idempotency_key": "6d7c8a52-6b43-4f5e-9d0e-2f1f7d1a0b11",
        "title": "Warm-ups",
        "start_date": (timezone.localdate() - dt.timedelta(days=7)).isoformat(),
        "classes": [school.class_a.pk],
        "weeks": "1",
        **extra,
    }


def test_a_double_submitted_change_is_recorded_once(client, lead_school):
    school = lead_school.school
    client.login(username=school.admin.username, password=PASSWORD)
    first = client.post(reverse("leaders:changes"), _form(school))
    second = client.post(reverse("leaders:changes"), _form(school))
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Change.objects.count() == 1


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"title": ""}, "This field is required"),
        ({"classes": []}, "This field is required"),
        ({"weeks": "40"}, "less than or equal to 12"),
        ({"start_date": "2999-01-01"}, "in the future"),
    ],
)
def test_bad_input_is_refused_and_kept(client, lead_school, extra, message):
    school = lead_school.school
    client.login(username=school.admin.username, password=PASSWORD)
    response = client.post(reverse("leaders:changes"), _form(school, **extra))
    assert response.status_code == 400
    body = response.content.decode()
    assert message in body
    assert not Change.objects.exists()
    if extra.get("title", "x"):
        assert 'value="Warm-ups"' in body  # what was typed is kept


def test_change_result_page_states_the_assumptions(client, lead_school):
    school = lead_school.school
    change = class_a_change(school, days_ago=7, weeks=1)
    with CaptureQueriesContext(connection) as ctx:
        outcome = change_result(change, today=timezone.localdate())
    assert outcome.result.n_touched + outcome.result.n_untouched > 0
    # Who practised on each side is one row per student and side: a model's default ordering
    # taken into the DISTINCT made it one row per answer (1.2 s on a 2,000-student district).
    distinct = [q["sql"] for q in ctx.captured_queries if "DISTINCT" in q["sql"]]
    assert distinct and not any("ORDER BY" in sql for sql in distinct), distinct
    client.login(username=school.admin.username, password=PASSWORD)
    body = client.get(reverse("leaders:change", args=[change.pk])).content.decode()
    assert "Parallel trends" in body and outcome.result.explanation in body


def test_a_change_too_recent_cannot_tell(lead_school):
    school = lead_school.school
    change = class_a_change(school, days_ago=0, weeks=2, title="Today")
    outcome = change_result(change, today=timezone.localdate())
    assert outcome.too_early and outcome.result.verdict == "cannot_tell"


def test_change_create_refuses_no_classes(lead_school):
    with pytest.raises(LeaderInputError, match="at least one class"):
        change_create(
            leader=lead_school.school.admin,
            title="x",
            start_date=timezone.localdate(),
            weeks=1,
            classes=[],
            now=timezone.now(),
        )


def test_time_limit_is_saved_and_flags_the_week(client, lead_school):
    school = lead_school.school
    client.login(username=school.admin.username, password=PASSWORD)
    url = reverse("leaders:time") + f"?school={school.org.pk}"
    assert client.post(url, {"weekly_minutes": "5"}).status_code == 400
    response = client.post(url, {"weekly_minutes": "10"})
    assert response.status_code == 302
    assert TimeLimit.objects.get(org=school.org).weekly_minutes == 10
    body = client.get(url).content.decode()
    # Every student practiced 3 minutes a day on most of the last 7 days: over 10 minutes.
    assert "Over the limit:" in body
