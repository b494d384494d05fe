"""Calibration also fits the LivePredictor and stores it, with its held-out AUC."""

import json
import math

import pytest
from tests.mastery.conftest import TRUE_PARAMS, add_synthetic_evidence

import tandem_engine
from tandem.mastery.calibration import calibrate
from tandem.mastery.models import ParameterSet

pytestmark = pytest.mark.django_db


def test_calibration_stores_a_live_predictor_with_its_held_out_auc():
    add_synthetic_evidence(n_students=60, n_steps=10, seed=13)
    report = calibrate(recompute=False)
    stored = ParameterSet.objects.get(version=report.version).params["live"]
    json.dumps(stored)  # JSON-safe as stored
    live = tandem_engine.LivePredictor.from_dict(stored)
    assert set(live.skill_ids) == set(TRUE_PARAMS)
    assert 0.6 < stored["heldout"]["auc"] <= 1.0
    assert stored["heldout"]["n_students"] == 12
    assert report.heldout["live_auc"] == stored["heldout"]["auc"]
    # No practice answers among the synthetic evidence: nothing served to recalibrate on.
    assert stored["heldout"]["recalibration"]["decision"].startswith("not fitted")
    assert "recalibration" not in stored
    p = live.predict(list(TRUE_PARAMS), [3, 0], [0, 2], [1.0, math.nan], [0.9, 0.2], 5.0, 2.0)
    assert p[0] > p[1]
