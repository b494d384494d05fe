"""Fixtures for the engine suite: small simulated logs, and the shared real data when present."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tandem_engine.bkt import BKTParams
from tandem_engine.loaders import kt_data_dir
from tandem_engine.log import ResponseLog
from tandem_engine.simulate import SimulatedLog, simulate_bkt

TRUE_PARAMS = (
    BKTParams(p_init=0.2, p_learn=0.15, p_guess=0.2, p_slip=0.1),
    BKTParams(p_init=0.4, p_learn=0.08, p_guess=0.25, p_slip=0.15),
    BKTParams(p_init=0.1, p_learn=0.25, p_guess=0.15, p_slip=0.05),
)


@pytest.fixture(scope="session")
def simulated() -> SimulatedLog:
    return simulate_bkt(TRUE_PARAMS, n_students=300, n_steps=12, random_state=7)


@pytest.fixture(scope="session")
def small_log(simulated: SimulatedLog) -> ResponseLog:
    return simulated.log


@pytest.fixture(scope="session")
def kt_dir() -> Path:
    """The shared knowledge-tracing data; skipped when absent, unless CI is set."""
    path = kt_data_dir()
    if not (path / "assist2009" / "gervet" / "q_mat.npz").exists():
        if os.environ.get("CI", "").strip().lower() not in {"", "0", "false", "no"}:
            pytest.fail(f"shared data missing at {path} (CI is set)")
        pytest.skip(f"shared data missing at {path}")
    return path
