"""Synthetic evidence with known learner-model parameters, stored as ordinary statements."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.utils import timezone

from tandem.competencies.models import Competency
from tandem.competencies.services import framework_load_coherence_map
from tandem.evidence.constants import Source, Verb
from tandem.evidence.models import Statement
from tandem.mastery.models import ParameterSet
from tandem.roster.constants import Role
from tandem.roster.models import User
from tandem_engine import BKTParams
from tandem_engine.simulate import simulate_bkt

# The parameters the synthetic students really follow, per competency.
TRUE_PARAMS = {
    "6.EE.A.2": BKTParams(p_init=0.3, p_learn=0.2, p_guess=0.15, p_slip=0.1),
    "6.EE.A.3": BKTParams(p_init=0.5, p_learn=0.1, p_guess=0.25, p_slip=0.05),
}
IMMEDIATE_TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
_batch = itertools.count(1)


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """Hashing each test user's password properly would take most of the suite's time."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def activate_poor_parameter_set() -> ParameterSet:
    """Make a deliberately poor set the active one: any honest fit scores better on held-out
    answers, so calibration activates its result (tests of what activation does use this)."""
    ParameterSet.objects.filter(is_active=True).update(is_active=False)
    # Forgets everything after each answer: every prediction but a first one is the guess.
    flat = {"p_init": 0.5, "p_learn": 0.0, "p_guess": 0.3, "p_slip": 0.3, "p_forget": 1.0}
    return ParameterSet.objects.create(
        version="bkt-poor",
        model_name="bkt",
        engine_version="test",
        params={
            "default": flat,
            "per_competency": {},
            "prior_by_grade_gap": {str(gap): 0.5 for gap in range(-3, 3)},
        },
        is_active=True,
    )


def activate_true_parameter_set(params: dict[str, BKTParams] = TRUE_PARAMS) -> ParameterSet:
    """Make the parameters the synthetic students really follow the active set: a fit on a
    sample of them can at best tie it on held-out answers."""
    ParameterSet.objects.filter(is_active=True).update(is_active=False)
    per_competency = {
        code: {name: getattr(p, name) for name in ("p_init", "p_learn", "p_guess", "p_slip")}
        for code, p in params.items()
    }
    return ParameterSet.objects.create(
        version="bkt-truth",
        model_name="bkt",
        engine_version="test",
        params={"default": next(iter(per_competency.values())), "per_competency": per_competency},
        is_active=True,
    )


def add_synthetic_evidence(
    *,
    n_students: int,
    n_steps: int,
    seed: int,
    params: dict[str, BKTParams] = TRUE_PARAMS,
    grade: str = "",
) -> list[User]:
    """Students who practise each competency ``n_steps`` times, as simulated BKT learners.

    Stored in bulk (no learner states): calibration reads statements, nothing else.
    """
    framework_load_coherence_map()
    batch = next(_batch)
    codes = list(params)
    competencies = {
        c.human_coding_scheme: c for c in Competency.objects.filter(human_coding_scheme__in=codes)
    }
    sim = simulate_bkt(
        list(params.values()),
        n_students=n_students,
        n_steps=n_steps,
        items_per_skill=5,
        random_state=seed,
    )
    log = sim.log
    User.objects.bulk_create(
        User(
            username=f"syn{batch}-{k}", sourced_id=f"syn{batch}-{k}", role=Role.STUDENT, grade=grade
        )
        for k in range(n_students)
    )
    users = {u.username: u for u in User.objects.filter(username__startswith=f"syn{batch}-")}
    students = [users[f"syn{batch}-{k}"] for k in range(n_students)]
    skill_of_item = log.q_matrix.indices
    start = timezone.now() - dt.timedelta(days=30)
    statements, links = [], []
    for s, item, correct, order in zip(
        log.student.tolist(),
        log.item.tolist(),
        log.correct.tolist(),
        log.order.tolist(),
        strict=True,
    ):
        code = codes[int(skill_of_item[item])]
        student = students[s]
        statement = Statement(
            actor=student,
            verb=Verb.ANSWERED,
            object_id=f"urn:test:{code}:item-{item}",
            result_success=bool(correct),
            timestamp=start + dt.timedelta(minutes=order, seconds=s),
            authority=student,
            source=Source.PRACTICE,
        )
        statements.append(statement)
        links.append((statement, competencies[code].pk))
    Statement.objects.bulk_create(statements, batch_size=2000)
    through = Statement.competencies.through
    through.objects.bulk_create(
        [through(statement_id=st.pk, competency_id=cid) for st, cid in links], batch_size=5000
    )
    return students
