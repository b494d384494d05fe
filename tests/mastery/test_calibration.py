"""Calibration fits the learner model on the installation's own evidence and adopts it."""

import datetime as dt

import pytest
from django.utils import timezone
from tests.factories import make_school, record_answer
from tests.mastery.conftest import (
    TRUE_PARAMS,
    activate_poor_parameter_set,
    add_synthetic_evidence,
)

import tandem_engine
from tandem.competencies.models import Competency
from tandem.evidence.constants import ObservationKind
from tandem.evidence.models import Statement
from tandem.mastery.calibration import (
    MAX_GUESS,
    MAX_SLIP,
    InsufficientEvidenceError,
    calibrate,
    evidence_log,
)
from tandem.mastery.constants import Status
from tandem.mastery.models import LearnerState, ParameterSet, StateChange
from tandem.mastery.priors import grade_gap, prior_p_mastery
from tandem.mastery.rules import StateValues, answer_step, estimate_ceiling
from tandem.mastery.services import active_parameter_set, bkt_params_for
from tandem.teaching.services import observation_record

pytestmark = pytest.mark.django_db


def test_evidence_log_reads_answers_in_time_order_with_competencies_as_skills():
    school = make_school()
    now = timezone.now()
    record_answer(school.student_a, "6.EE.A.2", True, at=now)
    # Recorded later, but it happened earlier: the log follows the timestamps.
    record_answer(school.student_a, "6.EE.A.3", False, at=now - dt.timedelta(hours=1))
    record_answer(school.student_b, "6.EE.A.2", False, at=now)
    log = evidence_log()
    assert log.n_responses == 3 and log.n_students == 2
    assert set(log.skill_ids) == {"6.EE.A.2", "6.EE.A.3"}
    a = log.student_ids.index(str(school.student_a.pk))
    rows = [r for r in range(log.n_responses) if log.student[r] == a]
    skills = [log.skill_ids[log.q_matrix[log.item[r]].indices[0]] for r in rows]
    assert skills == ["6.EE.A.3", "6.EE.A.2"]
    assert [bool(log.correct[r]) for r in rows] == [False, True]


def test_calibration_recovers_parameters_and_activates_a_new_version():
    add_synthetic_evidence(n_students=80, n_steps=12, seed=11)
    before = active_parameter_set()
    report = calibrate()
    new = ParameterSet.objects.get(version=report.version)
    assert new.is_active and new != before
    assert ParameterSet.objects.filter(is_active=True).get() == new
    assert new.version.startswith("bkt-") and new.model_name == "bkt"
    assert new.engine_version == tandem_engine.ENGINE_VERSION
    assert active_parameter_set() == new
    for code, true in TRUE_PARAMS.items():
        fitted = bkt_params_for(new, code)
        for name in ("p_init", "p_learn", "p_guess", "p_slip"):
            assert getattr(fitted, name) == pytest.approx(getattr(true, name), abs=0.06), name
        # Corbett and Anderson's bounds (a slip above 0.1 reads graded learning as slipping).
        assert fitted.p_guess <= MAX_GUESS == 0.3 and fitted.p_slip <= MAX_SLIP == 0.1
    fit = new.params["fit"]
    assert fit["n_responses"] == report.n_responses == 80 * 12 * 2
    assert fit["n_students"] == 80
    assert 0.7 < fit["heldout"]["auc"] <= 1.0 and 0.0 < fit["heldout"]["rmse"] < 0.5
    assert fit["heldout"]["n_students"] == 16
    assert "held-out" in new.notes.lower() and str(report.n_responses) in new.notes
    assert "AUC" in report.summary()


def test_calibration_is_deterministic():
    add_synthetic_evidence(n_students=40, n_steps=10, seed=5)
    activate_poor_parameter_set()
    first = calibrate(recompute=False)
    second = calibrate(recompute=False)
    assert first.activated
    assert first.heldout == second.heldout
    old, new = (ParameterSet.objects.get(version=r.version) for r in (first, second))
    assert old.params["per_competency"] == new.params["per_competency"]
    assert old.params["prior_by_grade_gap"] == new.params["prior_by_grade_gap"]
    assert first.version != second.version
    # The second is scored against the first, which was fitted on the held-out students too: it
    # cannot beat that optimistic score, so the first stays active and exactly one set is.
    assert second.heldout_before["version"] == first.version
    assert ParameterSet.objects.filter(is_active=True).get().version in {old.version, new.version}


def test_too_little_evidence_is_refused_and_nothing_is_stored():
    with pytest.raises(InsufficientEvidenceError, match="0 answers from 0 students"):
        calibrate()
    school = make_school()
    for k in range(20):
        record_answer(school.student_a, "6.EE.A.2", k % 3 != 0)
    versions = set(ParameterSet.objects.values_list("version", "is_active"))
    states = list(LearnerState.objects.values())
    changes = StateChange.objects.count()
    with pytest.raises(InsufficientEvidenceError, match="Too little evidence"):
        calibrate()
    assert set(ParameterSet.objects.values_list("version", "is_active")) == versions
    assert list(LearnerState.objects.values()) == states
    assert StateChange.objects.count() == changes


def _independent_replay(parameter_set):
    """Each learner state as the live answer step gives it, statement by statement in time
    order (the step: bkt_step capped by the evidence's ceiling, then the mastery rule)."""
    expected = {}
    for state in LearnerState.objects.select_related("competency", "student"):
        code = state.competency.human_coding_scheme
        params = bkt_params_for(parameter_set, code)
        gap = grade_gap(
            competency_grade_rank=state.competency.grade_rank,
            student_grade=state.student.grade,
        )
        p = prior_p_mastery(parameter_set.params, code=code, grade_gap=gap)
        values, steps = StateValues(p_mastery=p), []
        statements = Statement.objects.filter(
            actor_id=state.student_id,
            competencies=state.competency,
            result_success__isnull=False,
        ).order_by("timestamp", "stored")
        for statement in statements:
            before = values.p_mastery
            values = answer_step(
                values,
                success=bool(statement.result_success),
                weight=statement.weight,
                at=statement.timestamp,
                params=params,
            )
            raw = tandem_engine.bkt_step(before, statement.result_success, params, statement.weight)
            assert values.p_mastery == pytest.approx(
                min(raw, estimate_ceiling(values.evidence_weight))
            ) or (statement.result_success and values.p_mastery == pytest.approx(before))
            steps.append((statement.pk, before, values.p_mastery))
        expected[state.pk] = (
            values.p_mastery,
            values.n_attempts,
            values.n_correct,
            values.evidence_weight,
            values.status,
            steps,
        )
    return expected


def test_recompute_rebuilds_every_state_under_the_new_parameters():
    school = make_school()
    now = timezone.now()
    for k, correct in enumerate([True, True, False, True, True, True]):
        record_answer(school.student_a, "6.EE.A.2", correct, at=now - dt.timedelta(minutes=50 - k))
    # An answer recorded late about something that happened earlier, and a teacher's observation.
    record_answer(school.student_a, "6.EE.A.2", False, at=now - dt.timedelta(hours=3))
    observation_record(
        teacher=school.teacher_a,
        student=school.student_a,
        competency=Competency.objects.get(human_coding_scheme="6.EE.A.2"),
        kind=ObservationKind.SHOWED_UNDERSTANDING,
        note="Explained it well.",
        now=now - dt.timedelta(minutes=10),
        school_class=school.class_a,
    )
    record_answer(school.student_b, "6.EE.A.3", True, at=now)
    add_synthetic_evidence(n_students=30, n_steps=8, seed=3)
    old = activate_poor_parameter_set()
    kept_pk = LearnerState.objects.get(student=school.student_a).pk

    report = calibrate()
    assert report.activated, report.decision

    new = ParameterSet.objects.get(version=report.version)
    assert new != old
    assert not LearnerState.objects.exclude(parameter_set=new).exists()
    assert not StateChange.objects.exclude(parameter_set=new).exists()
    n_links = Statement.competencies.through.objects.filter(
        statement__result_success__isnull=False
    ).count()
    assert StateChange.objects.count() == n_links == report.changes_recomputed
    # Synthetic students had statements but no states: replaying gives them states too.
    assert LearnerState.objects.count() == 2 + 30 * 2 == report.states_recomputed
    assert LearnerState.objects.filter(pk=kept_pk).exists()
    expected = _independent_replay(new)
    for state in LearnerState.objects.all():
        p, n, ok, weight, status, steps = expected[state.pk]
        assert state.p_mastery == pytest.approx(p, abs=1e-12)
        assert (state.n_attempts, state.n_correct, state.status) == (n, ok, status)
        assert state.evidence_weight == pytest.approx(weight)
        changes = state.changes.order_by("at", "statement__stored")
        got = [(c.statement_id, c.p_before, c.p_after) for c in changes]
        assert [g[0] for g in got] == [e[0] for e in steps]
        flat = [v for g in got for v in g[1:]]
        assert flat == pytest.approx([v for e in steps for v in e[1:]], abs=1e-12)
    state_a = LearnerState.objects.get(student=school.student_a)
    assert state_a.last_evidence_at == now - dt.timedelta(minutes=10)  # the observation
    # New evidence afterwards is applied with the calibrated parameters too.
    record_answer(school.student_a, "6.EE.A.2", True)
    assert StateChange.objects.order_by("-pk").first().parameter_set == new


def test_calibrating_without_recompute_leaves_states_alone():
    school = make_school()
    record_answer(school.student_a, "6.EE.A.2", True)
    add_synthetic_evidence(n_students=20, n_steps=8, seed=9)
    old = active_parameter_set()
    activate_poor_parameter_set()
    report = calibrate(recompute=False)
    assert report.activated and report.states_recomputed == 0
    assert LearnerState.objects.get().parameter_set == old
    assert active_parameter_set().version == report.version
    with pytest.raises(ValueError, match="activate"):
        calibrate(activate=False, recompute=True)


def test_recompute_keeps_a_diagnostic_placement_seed():
    from tandem.evidence.constants import Source, Verb
    from tandem.evidence.services import evidence_record
    from tandem.mastery.services import mastery_seed

    school = make_school()
    now = timezone.now()
    placed = Competency.objects.get(human_coding_scheme="5.NF.A.1")
    record_answer(school.student_a, "6.EE.A.2", True, at=now - dt.timedelta(minutes=30))
    statement, _ = evidence_record(
        actor=school.student_a,
        verb=Verb.OBSERVED,
        object_id="urn:tandem:diagnostic:test",
        object_name="Placement from the diagnostic",
        competencies=[placed],
        source=Source.DIAGNOSTIC,
        authority=school.student_a,
        timestamp=now - dt.timedelta(minutes=20),
        extensions={"posterior": {"5.NF.A.1": 0.97}},
    )
    mastery_seed(statement=statement, competency=placed, p_mastery=0.97)
    # Practice after the placement moves on from the seed.
    record_answer(school.student_a, "5.NF.A.1", True, at=now - dt.timedelta(minutes=10))
    expected = LearnerState.objects.get(student=school.student_a, competency=placed).p_mastery
    add_synthetic_evidence(n_students=30, n_steps=8, seed=5)
    activate_poor_parameter_set()

    assert calibrate().activated

    state = LearnerState.objects.get(student=school.student_a, competency=placed)
    new = active_parameter_set()
    params = bkt_params_for(new, "5.NF.A.1")
    # The answer after the seed moves on from it, capped by what two pieces of evidence support
    # (a right answer never lowers an estimate a placement set above that cap).
    stepped = tandem_engine.bkt_step(0.97, True, params)
    assert state.p_mastery == pytest.approx(min(stepped, max(estimate_ceiling(2.0), 0.97)))
    assert state.p_mastery == pytest.approx(expected)
    assert state.status == Status.MASTERED
    changes = list(StateChange.objects.filter(state=state).order_by("at"))
    assert changes[0].statement_id == statement.pk
    assert changes[0].p_after == pytest.approx(0.97)
    assert {c.parameter_set_id for c in changes} == {new.pk}
