"""Every model: estimator contract, no leakage, online == batch, pure updates, mastery values."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tandem_engine import BKT, BoostedKT, LogisticKT, NotFittedError, Response, ResponseLog
from tandem_engine.estimates import EVIDENCE_KEPT, LearnerModel
from tandem_engine.metrics import score

Factory = Callable[[], LearnerModel[object]]

FACTORIES: dict[str, Callable[[], object]] = {
    "bkt": lambda: BKT(),
    "bkt-forget": lambda: BKT(forgetting=True),
    "best-lr": lambda: LogisticKT(features="best_lr"),
    "lr-extended": lambda: LogisticKT(),
    "boosted": lambda: BoostedKT(max_iter=30),
}


def make(name: str) -> LearnerModel[object]:
    model = FACTORIES[name]()
    assert isinstance(model, (BKT, LogisticKT, BoostedKT))
    return model  # type: ignore[return-value]


def _multi_skill(log: ResponseLog) -> ResponseLog:
    """The same answers with every fifth item also tagged with the next skill."""
    q = log.q_matrix.toarray()
    for i in range(0, q.shape[0], 5):
        q[i, (np.argmax(q[i]) + 1) % q.shape[1]] = True
    return log.with_q_matrix(q, log.skill_ids)


@pytest.fixture(scope="module")
def multi_log(small_log: ResponseLog) -> ResponseLog:
    return _multi_skill(small_log)


@pytest.fixture(scope="module")
def fitted(multi_log: ResponseLog) -> dict[str, LearnerModel[object]]:
    return {name: make(name).fit(multi_log) for name in FACTORIES}


@pytest.mark.parametrize("name", list(FACTORIES))
def test_fit_returns_self(name: str, small_log: ResponseLog) -> None:
    model = make(name)
    assert model.fit(small_log) is model


@pytest.mark.parametrize("name", list(FACTORIES))
def test_unfitted_raises(name: str, small_log: ResponseLog) -> None:
    with pytest.raises(NotFittedError):
        make(name).predict_proba(small_log)


@pytest.mark.parametrize("name", list(FACTORIES))
def test_same_seed_same_result(name: str, multi_log: ResponseLog) -> None:
    a = make(name).fit(multi_log).predict_proba(multi_log)
    b = make(name).fit(multi_log).predict_proba(multi_log)
    np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("name", list(FACTORIES))
def test_no_leakage(
    name: str, fitted: dict[str, LearnerModel[object]], multi_log: ResponseLog
) -> None:
    """Changing a student's answers after t never changes the prediction for t."""
    model = fitted[name]
    base = model.predict_proba(multi_log)
    starts, ends = multi_log.student_bounds()
    rng = np.random.default_rng(0)
    correct = multi_log.correct.copy()
    cut = np.empty(starts.shape[0], dtype=np.int64)
    for k, (lo, hi) in enumerate(zip(starts, ends, strict=True)):
        cut[k] = rng.integers(lo, hi)
        correct[cut[k] + 1 : hi] = ~correct[cut[k] + 1 : hi]
    changed = ResponseLog.from_arrays(
        student=multi_log.student,
        item=multi_log.item,
        correct=correct,
        order=multi_log.order,
        q_matrix=multi_log.q_matrix,
    )
    after = model.predict_proba(changed)
    unchanged = np.zeros(multi_log.n_responses, dtype=bool)
    for lo, c in zip(starts, cut, strict=True):
        unchanged[lo : c + 1] = True
    np.testing.assert_allclose(after[unchanged], base[unchanged], atol=1e-12)
    assert not np.allclose(after[~unchanged], base[~unchanged])


@pytest.mark.parametrize("name", list(FACTORIES))
def test_online_matches_batch(
    name: str, fitted: dict[str, LearnerModel[object]], multi_log: ResponseLog
) -> None:
    model = fitted[name]
    batch = model.predict_proba(multi_log)
    online: list[float] = []
    for student in range(8):
        state = model.initial_state()
        for response in multi_log.responses_of(student):
            online.append(model.predict_item(state, response.item))
            state = model.update(state, response)
    np.testing.assert_allclose(online, batch[: len(online)], atol=1e-9)


@pytest.mark.parametrize("name", list(FACTORIES))
def test_update_is_pure_and_mastery_is_complete(
    name: str, fitted: dict[str, LearnerModel[object]], multi_log: ResponseLog
) -> None:
    model = fitted[name]
    state = model.initial_state()
    for response in multi_log.responses_of(0)[:10]:
        state = model.update(state, response)
    before = model.mastery(state)
    model.update(state, Response(item=0, correct=False, order=99.0))
    assert model.mastery(state) == before
    assert [e.skill for e in before] == list(range(multi_log.n_skills))
    for e in before:
        assert 0.0 <= e.p_mastery <= 1.0
        assert 0.0 <= e.sd <= 0.5
        assert len(e.evidence) <= EVIDENCE_KEPT
        if e.low is not None and e.high is not None:
            assert e.low <= e.p_mastery <= e.high
    practised = [e for e in before if e.n_evidence]
    assert practised and all(e.evidence for e in practised)
    assert all(e.last_order is not None for e in practised)


@pytest.mark.parametrize("name", ["best-lr", "lr-extended", "boosted"])
def test_history_models_attribute_evidence(
    name: str, fitted: dict[str, LearnerModel[object]]
) -> None:
    """A run of correct answers on a skill raises its mastery, and the evidence says so."""
    model = fitted[name]
    state = model.initial_state()
    before = model.mastery(state, [0])[0].p_mastery
    for k in range(6):
        state = model.update(state, Response(item=k, correct=True, order=float(k)))
    estimate = model.mastery(state, [0])[0]
    assert estimate.p_mastery > before
    assert estimate.n_evidence == 6 and estimate.n_correct == 6
    assert [e.item for e in estimate.evidence] == [5, 4, 3, 2, 1]
    assert sum(e.delta for e in estimate.evidence) > 0


def test_models_learn_something(
    fitted: dict[str, LearnerModel[object]], multi_log: ResponseLog
) -> None:
    for name, model in fitted.items():
        assert score(multi_log.correct, model.predict_proba(multi_log))["auc"] > 0.7, name


def test_logistic_reports_contributions(fitted: dict[str, LearnerModel[object]]) -> None:
    model = fitted["lr-extended"]
    estimate = model.mastery(model.initial_state(), [1])[0]
    names = [name for name, _ in estimate.contributions]
    assert names[:2] == ["intercept", "typical item"] and "skill" in names


def test_vocabulary_mismatch_is_refused(
    fitted: dict[str, LearnerModel[object]], multi_log: ResponseLog
) -> None:
    other = multi_log.with_q_matrix(np.ones((multi_log.n_items, 2), dtype=bool))
    for model in fitted.values():
        with pytest.raises(ValueError, match="fitted on"):
            model.predict_proba(other)


@settings(max_examples=25, deadline=None)
@given(
    answers=st.lists(
        st.tuples(st.integers(min_value=0, max_value=29), st.booleans()), min_size=1, max_size=25
    )
)
def test_probabilities_stay_in_unit_interval(answers: list[tuple[int, bool]]) -> None:
    for name in ("lr-extended", "boosted"):
        model = _hypothesis_models()[name]
        state = model.initial_state()
        for k, (item, correct) in enumerate(answers):
            assert 0.0 <= model.predict_item(state, item) <= 1.0
            state = model.update(state, Response(item=item, correct=correct, order=float(k)))
        for estimate in model.mastery(state):
            assert 0.0 <= estimate.p_mastery <= 1.0 and estimate.sd >= 0.0


_MODELS: dict[str, LearnerModel[object]] = {}


def _hypothesis_models() -> dict[str, LearnerModel[object]]:
    if not _MODELS:
        from tandem_engine.simulate import simulate_bkt

        from .conftest import TRUE_PARAMS

        log = simulate_bkt(TRUE_PARAMS, n_students=120, n_steps=8, random_state=2).log
        _MODELS.update({name: make(name).fit(log) for name in ("lr-extended", "boosted")})
    return _MODELS
