"""Review follows forgetting fitted on the installation's own dated answers (issue #10).

Calibration fits BKT's forgetting per elapsed day on answers that come back to a competency a
day or more later, stores it with the parameter set, and the review rule's first stability
comes from it while that set is active. Without enough such returns the set rule stays.
"""

from __future__ import annotations

import datetime as dt
import random

import pytest
from django.utils import timezone
from tests.mastery.conftest import add_synthetic_evidence

import tandem_engine
from tandem.competencies.models import Competency
from tandem.competencies.services import framework_load_coherence_map
from tandem.evidence.constants import Source, Verb
from tandem.evidence.models import Statement
from tandem.mastery.calibration import calibrate
from tandem.mastery.constants import Status
from tandem.mastery.models import ParameterSet
from tandem.mastery.report import summary_sentences
from tandem.mastery.rules import (
    MAX_BASE_STABILITY_DAYS,
    MIN_BASE_STABILITY_DAYS,
    base_stability_from_forgetting,
    effective_status,
    review_due_after_days,
    review_rule,
    review_rule_for,
)
from tandem.roster.constants import Role
from tandem.roster.models import User

pytestmark = pytest.mark.django_db

CODES = ("6.EE.A.2", "6.EE.A.3")
TRUE_DAILY_FORGETTING = 0.05


def _students_who_come_back(
    n_students: int = 90, seed: int = 5, rate: float = TRUE_DAILY_FORGETTING
) -> None:
    """Simulated learners: five answers on a day, then three more 1-30 days later; what they
    knew survives each day with probability 1 - TRUE_DAILY_FORGETTING."""
    framework_load_coherence_map()
    rng = random.Random(seed)
    competencies = {
        c.human_coding_scheme: c for c in Competency.objects.filter(human_coding_scheme__in=CODES)
    }
    students = User.objects.bulk_create(
        User(username=f"back-{k}", sourced_id=f"back-{k}", role=Role.STUDENT)
        for k in range(n_students)
    )
    students = list(User.objects.filter(username__startswith="back-").order_by("pk"))
    start = timezone.now() - dt.timedelta(days=60)
    statements, links = [], []

    def answer(student: User, code: str, item: int, right: bool, at: dt.datetime) -> None:
        statement = Statement(
            actor=student,
            verb=Verb.ANSWERED,
            object_id=f"urn:test:{code}:item-{item}",
            result_success=right,
            timestamp=at,
            authority=student,
            source=Source.PRACTICE,
        )
        statements.append(statement)
        links.append((statement, competencies[code].pk))

    for student in students:
        for code in CODES:
            known = rng.random() < 0.3
            day = start + dt.timedelta(minutes=rng.randrange(600))
            for step in range(5):
                answer(student, code, step, rng.random() < (0.9 if known else 0.2), day)
                known = known or rng.random() < 0.35
                day += dt.timedelta(minutes=2)
            gap = rng.randint(1, 30)
            known = known and rng.random() < (1 - rate) ** gap
            day += dt.timedelta(days=gap)
            for step in range(5, 8):
                answer(student, code, step, rng.random() < (0.9 if known else 0.2), day)
                known = known or rng.random() < 0.35
                day += dt.timedelta(minutes=2)
    Statement.objects.bulk_create(statements, batch_size=2000)
    through = Statement.competencies.through
    through.objects.bulk_create(
        [through(statement_id=st.pk, competency_id=cid) for st, cid in links], batch_size=5000
    )


def test_first_stability_follows_the_daily_rate() -> None:
    assert base_stability_from_forgetting(0.0) == MAX_BASE_STABILITY_DAYS
    assert base_stability_from_forgetting(0.9) == MIN_BASE_STABILITY_DAYS
    # (1 - 0.05) ** S = 0.9  =>  S = ln 0.9 / ln 0.95 = 2.05 days
    assert base_stability_from_forgetting(0.05) == pytest.approx(2.054, abs=1e-3)
    rule = review_rule_for({"forgetting": {"p_forget_per_day": 0.01}})
    assert rule.base_stability_days == pytest.approx(10.48, abs=0.01)
    assert review_rule_for({}) == tandem_engine.DEFAULT_RULE
    assert review_rule_for({"forgetting": {"p_forget_per_day": None}}) == tandem_engine.DEFAULT_RULE


def test_calibration_fits_forgetting_and_review_follows_it() -> None:
    _students_who_come_back()
    report = calibrate()
    assert report.activated
    forgetting = ParameterSet.objects.get(version=report.version).params["forgetting"]
    assert forgetting["n_gaps_over_a_day"] == 90 * len(CODES)
    # Recovered within sampling error of the simulated rate.
    assert 0.02 < forgetting["p_forget_per_day"] < 0.12, forgetting
    assert forgetting["log_likelihood_gain"] > 0
    rule = review_rule()
    assert rule.base_stability_days == pytest.approx(
        base_stability_from_forgetting(forgetting["p_forget_per_day"]), abs=0.01
    )
    assert report.forgetting == forgetting
    assert any("came back to a competency" in s for s in summary_sentences(report.as_dict()))

    # What every page shows: mastery answered right once needs review once the fitted
    # stability says its recall has faded, not on the hand-set schedule.
    due = review_due_after_days(1)
    assert due == pytest.approx(review_due_after_days(1, rule))
    assert due != pytest.approx(review_due_after_days(1, tandem_engine.DEFAULT_RULE))
    now = timezone.now()

    def status(days_ago: float) -> str:
        return effective_status(
            status=Status.MASTERED,
            last_evidence_at=now - dt.timedelta(days=days_ago),
            now=now,
            n_correct=1,
        )

    assert status(due * 0.95) == Status.MASTERED
    assert status(due * 1.05) == Status.NEEDS_REVIEW


def test_answers_minutes_apart_leave_the_set_rule() -> None:
    add_synthetic_evidence(n_students=60, n_steps=10, seed=4)
    report = calibrate()
    assert report.forgetting == {}
    assert "forgetting" not in ParameterSet.objects.get(version=report.version).params
    assert review_rule() == tandem_engine.DEFAULT_RULE
    assert any("Too few students" in s for s in summary_sentences(report.as_dict()))


def test_no_forgetting_seen_is_stored_and_gives_the_longest_first_stability() -> None:
    """A fitted rate of 0 has an infinite half-life: stored as none (JSON has no infinity)."""
    _students_who_come_back(rate=0.0, seed=8)
    report = calibrate()
    forgetting = ParameterSet.objects.get(version=report.version).params["forgetting"]
    assert forgetting["p_forget_per_day"] < 0.01
    if forgetting["p_forget_per_day"] == 0.0:
        assert forgetting["half_life_days"] is None
        assert review_rule().base_stability_days == MAX_BASE_STABILITY_DAYS
    assert summary_sentences(report.as_dict())
