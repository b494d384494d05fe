"""The demo school seeds a realistic spread, idempotently."""

import pytest

from tandem.core.demo import demo_seed
from tandem.evidence.models import Statement
from tandem.mastery.constants import Status
from tandem.mastery.models import LearnerState, StateChange
from tandem.mastery.services import active_parameter_set
from tandem.roster.constants import Role
from tandem.roster.models import GuardianLink, SchoolClass, User

pytestmark = pytest.mark.django_db


def test_demo_seed_is_realistic_and_idempotent():
    report = demo_seed(students=30, days=14, seed=7)
    assert report.created
    assert User.objects.filter(role=Role.TEACHER).count() == 3
    assert SchoolClass.objects.count() == 6
    assert User.objects.filter(role=Role.STUDENT).count() == 30
    assert GuardianLink.objects.exists()
    assert Statement.objects.count() > 30 * 5
    statuses = set(LearnerState.objects.values_list("status", flat=True))
    assert {Status.LEARNING, Status.MASTERED} <= statuses
    # Students really differ: their mastered counts spread out.
    counts = [
        LearnerState.objects.filter(student=s, status=Status.MASTERED).count()
        for s in User.objects.filter(role=Role.STUDENT)
    ]
    assert max(counts) - min(counts) >= 3
    # The school ships calibrated: a fitted parameter set is active and made every estimate.
    calibrated = active_parameter_set()
    assert calibrated.params["fit"]["n_responses"] > 30 * 5
    assert not LearnerState.objects.exclude(parameter_set=calibrated).exists()
    assert not StateChange.objects.exclude(parameter_set=calibrated).exists()
    assert f"Learner model: {calibrated.version} (calibrated" in report.summary()
    statements = Statement.objects.count()
    again = demo_seed(students=30, days=14, seed=7)
    assert not again.created
    assert Statement.objects.count() == statements
    assert "rivera" in again.summary() and "tandem-demo" in again.summary()
