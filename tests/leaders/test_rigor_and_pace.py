"""Equity of pace: pathway pace (ahead / on track / behind) and days to grade-level mastery by
group, tested with the other measures as one family and under the small-cell rule."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from django.urls import reverse
from django.utils import timezone
from tests.factories import PASSWORD

from tandem.leaders.constants import DAYS_TO_MASTERY, PATHWAY_AHEAD, PATHWAY_BEHIND
from tandem.leaders.selectors import (
    PACE_BEHIND,
    PACE_NONE,
    PACE_ON_TRACK,
    equity_audit,
    leader_frame,
    leader_scope,
)
from tandem.leaders.services import figures_compute_all
from tandem.pathways.constants import PathwayStatus, StepKind
from tandem.pathways.models import Pathway, PathwayStep

pytestmark = pytest.mark.django_db

# Mid-February: 60% of the default school year (15 August to 15 June) has gone by.
FEBRUARY = dt.datetime(2026, 2, 15, 12, tzinfo=dt.UTC)


def _pathway(student, *, done: int, total: int = 10) -> None:
    now = timezone.now()
    pathway = Pathway.objects.create(
        student=student, status=PathwayStatus.APPROVED, created_at=now, updated_at=now
    )
    PathwayStep.objects.bulk_create(
        PathwayStep(
            pathway=pathway,
            position=k,
            kind=StepKind.PROJECT,
            title=f"Project {k}",
            created_at=now,
            completed_at=now if k < done else None,
        )
        for k in range(total)
    )


def test_a_group_paced_behind_on_its_pathways_is_flagged(lead_school):
    # Hispanic or Latino students have done 2 of 10 steps (behind); the others 6 (on track);
    # the last five students have no pathway and are left out of the measure.
    for student in lead_school.students[:-5]:
        _pathway(student, done=2 if student in lead_school.hispanic else 6)
    frame = leader_frame(leader_scope(None), now=FEBRUARY)
    index = {int(pk): i for i, pk in enumerate(frame.ids)}
    assert frame.pathway_pace[index[lead_school.hispanic[0].pk]] == PACE_BEHIND
    assert frame.pathway_pace[index[lead_school.students[40].pk]] == PACE_ON_TRACK
    assert frame.pathway_pace[index[lead_school.students[-1].pk]] == PACE_NONE
    view = equity_audit(frame)
    behind = {c.group: c for c in view.by_measure[PATHWAY_BEHIND]}
    hispanic = behind["Hispanic or Latino"]
    assert hispanic.flagged and hispanic.group_value == 1.0 and hispanic.rest_value == 0.0
    assert hispanic.n_group + hispanic.n_rest == len(lead_school.students) - 5
    assert not any(c.flagged for c in view.by_measure[PATHWAY_AHEAD])
    # The three Asian students are under the threshold: no comparison on any measure.
    assert all(c.group != "Asian" for c in view.comparisons)
    # Holm over every measure at once: the family holds them all.
    assert hispanic.p_adjusted >= hispanic.p_value * 2


def test_days_to_grade_level_mastery_by_group(lead_school):
    frame = leader_frame(leader_scope(None), now=timezone.now())
    days = frame.days_to_mastery
    reached = ~np.isnan(days)
    assert reached.any() and (days[reached] >= 0).all() and (days[reached] <= 15).all()
    view = equity_audit(frame)
    rows = view.by_measure.get(DAYS_TO_MASTERY, [])
    assert all(min(c.n_group, c.n_rest) >= 10 for c in rows)
    assert all(c.n_group + c.n_rest == int(reached[frame.practicing].sum()) for c in rows)


def test_the_equity_page_shows_pathway_pace_with_its_meaning(client, lead_school):
    for student in lead_school.students:
        _pathway(student, done=0 if student in lead_school.hispanic else 10)
    figures_compute_all(now=timezone.now())
    assert client.login(username=lead_school.school.admin.username, password=PASSWORD)
    body = client.get(reverse("leaders:equity")).content.decode()
    assert "Behind on their pathway" in body and "Among students with a pathway" in body
    csv_text = client.get(reverse("leaders:equity_csv")).content.decode()
    assert "Behind on their pathway" in csv_text
