"""Leaders' figures are worked out by the background worker and stored: pages read the stored
ones, say how old they are, queue one refresh when they are missing or stale, and show a page
that reloads itself (not a blank one) while a scope's figures are first worked out."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from tests.factories import PASSWORD
from tests.leaders.conftest import build_lead_school

from tandem.leaders.models import FigureSnapshot
from tandem.leaders.selectors import (
    frame_dump,
    frame_load,
    leader_frame,
    leader_scope,
    stored_figures,
)
from tandem.leaders.tasks import figures_refresh_task

pytestmark = pytest.mark.django_db


def _admin(client, school):
    assert client.login(username=school.school.admin.username, password=PASSWORD)
    return client


def test_a_stored_frame_reads_back_as_it_was():
    school = build_lead_school(figures=False)
    frame = leader_frame(leader_scope(school.school.org.pk), now=timezone.now())
    back = frame_load(frame_dump(frame))
    assert back.grades == frame.grades and back.classes == frame.classes
    assert back.groups.keys() == frame.groups.keys()
    for name, mask in frame.groups.items():
        assert np.array_equal(back.groups[name], mask)
    for name in ("ids", "items", "below", "mastered", "week_minutes", "pathway_pace"):
        assert np.array_equal(getattr(back, name), getattr(frame, name)), name
    assert np.array_equal(back.days_to_mastery, frame.days_to_mastery, equal_nan=True)


def test_no_figures_yet_shows_a_waiting_page_and_queues_one_refresh(client):
    school = build_lead_school(figures=False)
    client = _admin(client, school)
    for _ in range(2):  # a second visit (or the page reloading itself) queues nothing more
        body = client.get(reverse("leaders:equity")).content.decode()
        assert "are being worked out" in body
        assert '<meta http-equiv="refresh" content="5">' in body
    task = DBTaskResult.objects.get()
    assert task.task_path.endswith("figures_refresh_task")
    assert task.args_kwargs["args"] == [None]
    assert client.get(reverse("leaders:equity_csv")).status_code == 503
    # The worker runs it: the page now shows the figures, with their time.
    assert figures_refresh_task.call(*task.args_kwargs["args"]) >= len(school.students)
    body = client.get(reverse("leaders:equity")).content.decode()
    assert "being worked out" not in body and "Figures as of" in body
    assert "Hispanic or Latino" in body.split('id="flagged-heading"')[1]


def test_stale_figures_are_shown_with_their_time_and_refreshed(client, settings):
    school = build_lead_school()
    client = _admin(client, school)
    assert "refreshing" not in client.get(reverse("leaders:growth")).content.decode()
    assert not DBTaskResult.objects.exists()
    FigureSnapshot.objects.update(computed_at=timezone.now() - dt.timedelta(minutes=20))
    body = client.get(reverse("leaders:growth")).content.decode()
    assert "Figures as of" in body and "refreshing" in body
    assert "Competencies mastered per week" in body  # the stale figures, not a blank page
    assert DBTaskResult.objects.count() == 1
    client.get(reverse("leaders:time"))
    assert DBTaskResult.objects.count() == 1  # already queued
    # A longer setting: the same figures are fresh again.
    settings.TANDEM_LEADER_FIGURES_MAX_AGE_MINUTES = 30
    assert not stored_figures(leader_scope(None), now=timezone.now()).stale


def test_a_lost_refresh_is_queued_again(client):
    school = build_lead_school()
    client = _admin(client, school)
    long_ago = timezone.now() - dt.timedelta(hours=1)
    FigureSnapshot.objects.update(computed_at=long_ago, refresh_requested_at=long_ago)
    client.get(reverse("leaders:growth"))
    assert DBTaskResult.objects.count() == 1


def test_each_school_has_its_own_figures(client):
    school = build_lead_school(figures=False)
    client = _admin(client, school)
    url = reverse("leaders:growth") + f"?school={school.school.org.pk}"
    assert "being worked out" in client.get(url).content.decode()
    assert DBTaskResult.objects.get().args_kwargs["args"] == [school.school.org.pk]
    figures_refresh_task.call(school.school.org.pk)
    assert "being worked out" not in client.get(url).content.decode()
    # The district's are still to be worked out.
    assert "being worked out" in client.get(reverse("leaders:growth")).content.decode()
