"""The demo school's seeding: its history written set-based exactly as simulated (or as stored
with the code), calibration left to the background worker, idempotent, students who differ."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from pathlib import Path

import pytest
from django.utils import timezone

from tandem.competencies.services import framework_load_coherence_map
from tandem.content.models import Item
from tandem.core import demo
from tandem.core.demo import HISTORY_PATH, _history_for, _history_load, _seed_items, demo_seed
from tandem.evidence.constants import Source
from tandem.evidence.models import Statement
from tandem.leaders.models import FigureSnapshot
from tandem.mastery.constants import RunStatus, Status
from tandem.mastery.models import CalibrationRun, LearnerState, ParameterSet, StateChange
from tandem.mastery.priors import grade_gap, prior_p_mastery
from tandem.mastery.rules import StateValues, answer_step
from tandem.mastery.services import active_parameter_set, bkt_params_for
from tandem.mastery.tasks import calibration_run_execute
from tandem.practice.models import Attempt
from tandem.roster.constants import Role
from tandem.roster.models import User

pytestmark = pytest.mark.django_db

STUDENTS, DAYS, SEED = 12, 7, 11


def _counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (User, Statement, Attempt, LearnerState, StateChange, CalibrationRun)
    }


def test_the_history_is_written_as_simulated_and_calibration_waits_for_the_worker(
    tmp_path: Path,
) -> None:
    stored = tmp_path / "history.json.gz"
    report = demo_seed(
        students=STUDENTS, days=DAYS, seed=SEED, calibration="background", save_history=stored
    )
    assert report.created
    trace = _history_load(stored)
    assert trace is not None and len(trace.history) == STUDENTS

    # Every simulated answer and observation is a statement, in order, per student.
    students = list(User.objects.filter(role=Role.STUDENT).order_by("username"))
    for student, record in zip(students, trace.history, strict=True):
        rows = list(
            Statement.objects.filter(
                actor=student, source__in=[Source.SIMULATION, Source.OBSERVATION]
            )
            .order_by("timestamp", "object_id")
            .values_list("source", "result_success", "item__generator", "item__seed")
        )
        events = sorted(record.events, key=lambda e: (e[1], e[2] if e[0] == "a" else 15 * 3600))
        assert [row[0] for row in rows] == [
            Source.SIMULATION if e[0] == "a" else Source.OBSERVATION for e in events
        ]
        assert [row[1] for row in rows] == [e[5] if e[0] == "a" else e[3] for e in events]
        assert Attempt.objects.filter(student=student).count() == sum(e[0] == "a" for e in events)

    # Learner states are what one-by-one BKT updates give, under the default parameters
    # (calibration has not run yet: it is queued for the background worker).
    parameter_set = active_parameter_set()
    assert "fit" not in parameter_set.params
    run = CalibrationRun.objects.get()
    assert run.status == RunStatus.QUEUED
    assert f"calibration #{run.pk} is queued" in report.summary()
    # The leaders' figures are worked out once, for the district and the demo school.
    assert set(
        FigureSnapshot.objects.filter(computed_at__isnull=False, students__gt=0).values_list(
            "scope_key", flat=True
        )
    ) >= {"district"}
    state = LearnerState.objects.filter(n_attempts__gte=3).select_related("competency").first()
    assert state is not None
    code = state.competency.human_coding_scheme
    gap = grade_gap(
        competency_grade_rank=state.competency.grade_rank,
        student_grade=User.objects.get(pk=state.student_id).grade,
    )
    values = StateValues(p_mastery=prior_p_mastery(parameter_set.params, code=code, grade_gap=gap))
    for success, weight, at in (
        Statement.objects.filter(actor_id=state.student_id, competencies=state.competency)
        .exclude(result_success=None)
        .order_by("timestamp", "stored", "id")
        .values_list("result_success", "weight", "timestamp")
    ):
        values = answer_step(
            values,
            success=bool(success),
            weight=weight,
            at=at,
            params=bkt_params_for(parameter_set, code),
        )
    assert state.p_mastery == pytest.approx(values.p_mastery)
    assert state.status == values.status

    # Seeding again changes nothing and queues no second calibration.
    before = _counts()
    again = demo_seed(students=STUDENTS, days=DAYS, seed=SEED, calibration="background")
    assert not again.created
    assert _counts() == before

    # Once the worker has run it, the demo is calibrated: every estimate uses the fitted set.
    assert calibration_run_execute(run.pk).status == RunStatus.SUCCEEDED
    fitted = ParameterSet.objects.get(is_active=True)
    assert fitted.params["fit"]["n_responses"] > 0
    assert not LearnerState.objects.exclude(parameter_set=fitted).exists()
    assert "(calibrated; held-out AUC" in demo_seed(students=STUDENTS).summary()


def test_the_demo_students_differ(tmp_path: Path) -> None:
    demo_seed(students=STUDENTS, days=DAYS, seed=SEED, save_history=tmp_path / "h.json.gz")
    trace = _history_load(tmp_path / "h.json.gz")
    assert trace is not None
    answers = [sum(e[0] == "a" for e in s.events) for s in trace.history]
    assert len(set(answers)) >= STUDENTS // 2
    assert len({round(s.ability, 3) for s in trace.history}) == STUDENTS
    mastered = Counter(
        LearnerState.objects.filter(
            status__in=[Status.MASTERED, Status.PROBABLY_MASTERED]
        ).values_list("student", flat=True)
    )
    per_student = [mastered.get(s.pk, 0) for s in User.objects.filter(role=Role.STUDENT)]
    assert max(per_student) - min(per_student) >= 2
    correct: dict[int, list[bool]] = defaultdict(list)
    for actor, success in Statement.objects.filter(source=Source.SIMULATION).values_list(
        "actor", "result_success"
    ):
        correct[actor].append(bool(success))
    rates = sorted(sum(v) / len(v) for v in correct.values())
    assert rates[-1] - rates[0] >= 0.2


def test_a_stored_history_is_used_only_where_it_fits(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stored = tmp_path / "history.json.gz"
    demo_seed(students=STUDENTS, days=DAYS, seed=SEED, save_history=stored)
    monkeypatch.setattr(demo, "HISTORY_PATH", stored)
    now = timezone.now()
    assert _history_for(students=STUDENTS, days=DAYS, seed=SEED, now=now) == _history_load(stored)
    assert _history_for(students=STUDENTS + 1, days=DAYS, seed=SEED, now=now) is None
    assert _history_for(students=STUDENTS, days=DAYS, seed=SEED + 1, now=now) is None
    # An item the history names is gone (the generators changed): simulate instead.
    trace = _history_load(stored)
    assert trace is not None
    key = next(e[3] for s in trace.history for e in s.events if e[0] == "a")
    generator, seed, difficulty = key.split(":")
    Item.objects.filter(generator=generator, seed=seed, difficulty=difficulty).update(seed=-1)
    assert _history_for(students=STUDENTS, days=DAYS, seed=SEED, now=now) is None


def test_the_stored_history_fits_the_current_content() -> None:
    """The default demo's history, stored with the code, names only competencies and items
    that exist; otherwise `tandem demo` would fall back to minutes of simulation."""
    framework_load_coherence_map()
    _seed_items()
    trace = _history_load(HISTORY_PATH)
    assert trace is not None
    now = dt.datetime(2026, 12, 2, 12, tzinfo=dt.UTC)
    assert _history_for(students=trace.students, days=trace.days, seed=trace.seed, now=now)
    assert (trace.students, trace.days, trace.seed) == (150, 42, 2026)
