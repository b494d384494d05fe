"""BKT's per-competency convergence: each competency's parameters are those of a fit on its
answers alone, whatever else the log holds (what a distributed job relies on)."""

from __future__ import annotations

import numpy as np
import pytest

from tandem_engine.bkt import BKT, BKTParams
from tandem_engine.log import ResponseLog
from tandem_engine.simulate import simulate_bkt

PARAMS = [
    BKTParams(p_init=0.3, p_learn=0.2, p_guess=0.15, p_slip=0.1),
    BKTParams(p_init=0.5, p_learn=0.05, p_guess=0.25, p_slip=0.05),
    # Hardly any learning: a flat likelihood, where EM creeps for many sweeps.
    BKTParams(p_init=0.6, p_learn=0.01, p_guess=0.28, p_slip=0.2),
]


def _alone(log: ResponseLog, skill: int) -> ResponseLog:
    rows = log.q_matrix.indices[log.item] == skill
    return ResponseLog.from_arrays(
        student=log.student[rows],
        item=np.zeros(int(rows.sum()), dtype=np.int64),
        correct=log.correct[rows],
        q_matrix=np.ones((1, 1), dtype=bool),
        order=log.order[rows],
    )


@pytest.mark.parametrize("n_init", [1, 3])
def test_each_competency_gets_the_parameters_of_its_own_fit(n_init):
    log = simulate_bkt(PARAMS, n_students=150, n_steps=12, random_state=4).log
    together = BKT(convergence="per_competency", n_init=n_init, random_state=1).fit(log)
    for k in range(len(PARAMS)):
        alone = BKT(convergence="per_competency", n_init=1, random_state=1).fit(_alone(log, k))
        if n_init == 1:
            np.testing.assert_allclose(
                together.params_array_[:, k], alone.params_array_[:, 0], atol=1e-12
            )
        else:
            # Restarts draw other starting points, but keep each competency's best run: never
            # a worse one than its plain start.
            assert together.params_array_[:, k] == pytest.approx(
                alone.params_array_[:, 0], abs=0.05
            )


def test_joint_convergence_stops_every_competency_together():
    log = simulate_bkt(PARAMS, n_students=150, n_steps=12, random_state=4).log
    joint = BKT(convergence="joint").fit(log)
    per = BKT(convergence="per_competency").fit(log)
    assert joint.n_iter_ <= per.n_iter_
    with pytest.raises(ValueError, match="convergence"):
        BKT(convergence="sometimes").fit(log)  # type: ignore[arg-type]
