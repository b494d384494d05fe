"""LivePredictor: features known before each answer, online equals batch, JSON, fallbacks."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from tandem_engine.bkt import BKT
from tandem_engine.live import FEATURES, P_MAX, P_MIN, LivePredictor
from tandem_engine.log import Response, ResponseLog
from tandem_engine.metrics import score
from tandem_engine.simulate import simulate_bkt

from .conftest import TRUE_PARAMS


def _timed(log: ResponseLog, hours: float = 30.0) -> ResponseLog:
    """The same log with a clock: each student's k-th answer ``k * hours`` after the first."""
    stamp = 1.7e9 + log.position() * hours * 3600.0
    return ResponseLog.from_arrays(
        student=log.student,
        item=log.item,
        correct=log.correct,
        q_matrix=log.q_matrix,
        order=log.order,
        timestamp=stamp,
        student_ids=log.student_ids,
        item_ids=log.item_ids,
        skill_ids=log.skill_ids,
    )


@pytest.fixture(scope="module")
def timed() -> ResponseLog:
    return _timed(simulate_bkt(TRUE_PARAMS, n_students=200, n_steps=10, random_state=11).log)


@pytest.fixture(scope="module")
def fitted(timed: ResponseLog) -> tuple[LivePredictor, BKT]:
    bkt = BKT().fit(timed)
    return LivePredictor.fit(timed, bkt=bkt), bkt


def test_learns_something_on_held_out_students(timed: ResponseLog) -> None:
    train, test = timed.select(timed.student < 150), timed.select(timed.student >= 150)
    bkt = BKT().fit(train)
    live = LivePredictor.fit(train, bkt=bkt)
    assert score(test.correct, live.predict_log(test, bkt=bkt))["auc"] > 0.7


def test_no_answer_sees_its_own_outcome(fitted: tuple[LivePredictor, BKT], timed: ResponseLog):
    live, bkt = fitted
    before = live.predict_log(timed, bkt=bkt)
    flipped = timed.correct.copy()
    row = 57
    flipped[row] = ~flipped[row]
    other = ResponseLog.from_arrays(
        student=timed.student,
        item=timed.item,
        correct=flipped,
        q_matrix=timed.q_matrix,
        order=timed.order,
        timestamp=timed.timestamp,
    )
    after = live.predict_log(other, bkt=bkt)
    lo, hi = timed.student_bounds()
    end = int(hi[np.searchsorted(lo, row, side="right") - 1])
    assert np.array_equal(before[: row + 1], after[: row + 1])  # the row itself and earlier
    assert not np.array_equal(before[row + 1 : end], after[row + 1 : end])  # later rows move


def test_online_prediction_from_stored_summaries_equals_batch(
    fitted: tuple[LivePredictor, BKT], timed: ResponseLog
) -> None:
    """What the web layer would store per (student, competency) gives the batch prediction."""
    live, bkt = fitted
    batch = live.predict_log(timed, bkt=bkt)
    student = 3
    lo, hi = (int(v) for v in np.searchsorted(timed.student, [student, student + 1]))
    skill_of = timed.q_matrix.indices[timed.q_matrix.indptr[timed.item]]
    state = bkt.initial_state()
    right: dict[int, int] = {}
    wrong: dict[int, int] = {}
    last: dict[int, float] = {}
    for r in range(lo, hi):
        s = int(skill_of[r])
        p_mastery = bkt.mastery(state, [s])[0].p_mastery
        days = (timed.timestamp[r] - last[s]) / 86_400.0 if s in last else math.nan
        got = live.predict(
            [timed.skill_ids[s]],
            [right.get(s, 0)],
            [wrong.get(s, 0)],
            [days],
            [p_mastery],
            float(sum(right.values())),
            float(sum(wrong.values())),
        )
        assert got[0] == pytest.approx(batch[r], abs=1e-9)
        state = bkt.update(
            state, Response(int(timed.item[r]), bool(timed.correct[r]), float(timed.order[r]))
        )
        table = right if timed.correct[r] else wrong
        table[s] = table.get(s, 0) + 1
        last[s] = float(timed.timestamp[r])


def test_json_round_trip_predicts_the_same(fitted: tuple[LivePredictor, BKT]) -> None:
    live, _ = fitted
    text = json.dumps(live.to_dict())
    again = LivePredictor.from_dict(json.loads(text))
    args = (["0", "2", "unseen"], [3, 0, 1], [1, 0, 0], [2.0, math.nan, 40.0], [0.6, 0.2, 0.5])
    assert np.array_equal(live.predict(*args, 12, 4), again.predict(*args, 12, 4))
    assert live.to_dict()["features"] == list(FEATURES)


def test_unseen_skill_uses_the_mean_intercept(fitted: tuple[LivePredictor, BKT]) -> None:
    live, _ = fitted
    assert live.intercept_of("no such competency") == pytest.approx(
        float(np.mean(live.skill_intercepts))
    )
    p = live.predict(["no such competency"], 0, 0, math.nan, 0.3, 0, 0)
    assert np.isfinite(p).all()


def test_predictions_are_clamped_and_finite(fitted: tuple[LivePredictor, BKT]) -> None:
    live, _ = fitted
    p = live.predict(
        ["0", "1", "2", "0"],
        [1e9, 0, 0, 5e3],
        [0, 1e9, 0, 0],
        [0.0, 1e6, math.nan, 1e-9],
        [1.0, 0.0, 0.5, 1.0 - 1e-16],
        1e9,
        0,
    )
    assert np.isfinite(p).all() and (p >= P_MIN).all() and (p <= P_MAX).all()


def test_bad_inputs_are_refused(fitted: tuple[LivePredictor, BKT]) -> None:
    live, _ = fitted
    with pytest.raises(ValueError, match="p_mastery holds NaN"):
        live.predict(["0"], 0, 0, 1.0, math.nan, 0, 0)
    with pytest.raises(ValueError, match="n_right holds negative"):
        live.predict(["0"], -1, 0, 1.0, 0.5, 0, 0)
    with pytest.raises(ValueError, match="format"):
        LivePredictor.from_dict({"format": 99})
