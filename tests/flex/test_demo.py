"""The demo school's flex week: published, every student placed in both blocks."""

from __future__ import annotations

import pytest

from tandem.core.demo import demo_seed
from tandem.flex.constants import ReasonKind, ScheduleStatus
from tandem.flex.models import FlexPlacement, FlexSchedule
from tandem.roster.models import User

pytestmark = pytest.mark.django_db


def test_the_demo_publishes_a_flex_week():
    demo_seed(students=30, days=7, seed=11)
    schedule = FlexSchedule.objects.get()
    assert schedule.status == ScheduleStatus.PUBLISHED
    students = User.objects.filter(role="student").count()
    assert FlexPlacement.objects.filter(schedule=schedule).count() == students * 2
    reasons = set(FlexPlacement.objects.values_list("reason", flat=True))
    assert ReasonKind.CHOICE in reasons
