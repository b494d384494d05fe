"""Calibration recalibrates the live predictor on the answers to the items the policy served,
and only when that predicts held-out students' served answers no worse."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from tests.engine.conftest import TRUE_PARAMS

import tandem_engine
from tandem.mastery.calibration import _recalibration
from tandem_engine.simulate import simulate_bkt


def _halves() -> tuple[tandem_engine.ResponseLog, tandem_engine.ResponseLog]:
    log = simulate_bkt(TRUE_PARAMS, n_students=200, n_steps=10, random_state=7).log
    first = log.student < 100
    return log.select(first), log.select(~first)


def _fitted(train: tandem_engine.ResponseLog):
    bkt = tandem_engine.BKT(random_state=0).fit(train)
    return bkt, tandem_engine.LivePredictor.fit(train, bkt=bkt)


def test_a_recalibration_that_helps_held_out_students_is_applied():
    train, test = _halves()
    bkt, live = _fitted(train)
    # Served: the later half of each student's answers, at the middle difficulty.
    served_train = train.position() >= 5
    served_test = test.position() >= 5
    # The policy's items ran harder than predicted, on both halves alike: flip right answers.
    rng = np.random.default_rng(1)
    for_train = rng.random(train.n_responses) < 0.4
    for_test = rng.random(test.n_responses) < 0.4
    train = replace(train, correct=train.correct & ~(served_train & for_train))
    test = replace(test, correct=test.correct & ~(served_test & for_test))
    zero_train = np.zeros(train.n_responses)
    zero_test = np.zeros(test.n_responses)
    applied, scores = _recalibration(
        live, (train, served_train, zero_train), (test, served_test, zero_test), bkt=bkt
    )
    assert applied, scores
    assert scores["logloss_after"] < scores["logloss_before"]
    assert scores["ece_after"] < scores["ece_before"]


def test_a_recalibration_that_would_hurt_held_out_students_is_refused():
    train, test = _halves()
    bkt, live = _fitted(train)
    served_train = train.position() >= 5
    served_test = test.position() >= 5
    # Training students' served answers all wrong, held-out students' as simulated: the map
    # learnt on the first would pull every prediction down for the others.
    train = replace(train, correct=train.correct & ~served_train)
    zero_train = np.zeros(train.n_responses)
    zero_test = np.zeros(test.n_responses)
    applied, scores = _recalibration(
        live, (train, served_train, zero_train), (test, served_test, zero_test), bkt=bkt
    )
    assert not applied
    assert scores["decision"].startswith("not applied")
    assert scores["logloss_after"] > scores["logloss_before"]
    assert all(np.isfinite([scores["logloss_after"], scores["logloss_before"]]))
