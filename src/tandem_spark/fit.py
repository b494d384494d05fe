"""Fitting one competency's BKT from its exported evidence, and the parameter-set document.

Every executor runs :func:`fit_competency` on one competency's rows: the same engine estimator,
with the same hyper-parameters, that ``tandem calibrate`` fits on a school's evidence
(``tandem.mastery.calibration``). BKT's parameters are per competency, EM's updates for one
competency use only that competency's answers, and calibration stops EM competency by
competency (``convergence="per_competency"``), so fitting each competency alone here gives the
single-machine parameters (to floating-point rounding).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

import tandem_engine
from tandem_engine.bkt import Convergence

#: Columns of the exported evidence (``tandem export evidence --parquet``), one row per
#: (answered statement, competency it names). ``student`` is a keyed hash of the internal id,
#: ``seq`` the statement's place in replay order (timestamp, then arrival), shared by the rows
#: of one statement.
EVIDENCE_COLUMNS = ("student", "competency", "correct", "timestamp", "seq", "source", "weight")
FORMAT = "tandem.parameter-set/1"
# As tandem.mastery.calibration (a test keeps them equal): guess and slip bounds, the smallest
# competency that keeps its own parameters, and the seed of EM's random restarts.
MAX_GUESS = 0.3
MAX_SLIP = 0.1
CONVERGENCE: Convergence = "per_competency"
MIN_COMPETENCY_ANSWERS = 30
SEED = 2026
#: Students whose key hashes below this percentage are held out: the import side scores the
#: set fitted without them against the active set on their answers.
HOLDOUT_PERCENT = 20
PARAM_NAMES = ("p_init", "p_learn", "p_guess", "p_slip", "p_forget")


def is_heldout(student_key: str) -> bool:
    """Whether this pseudonymous student is among the held-out fifth (stable across runs)."""
    digest = hashlib.sha256(student_key.encode()).digest()
    return int.from_bytes(digest[:4], "big") % 100 < HOLDOUT_PERCENT


def model(seed: int = SEED) -> tandem_engine.BKT:
    """The estimator calibration fits, per competency here and for all of them at once there."""
    return tandem_engine.BKT(
        max_guess=MAX_GUESS, max_slip=MAX_SLIP, convergence=CONVERGENCE, random_state=seed
    )


@dataclass(frozen=True)
class CompetencyFit:
    """One competency's fitted parameters and what they were fitted on."""

    competency: str
    params: tandem_engine.BKTParams
    n_answers: int
    n_students: int
    log_likelihood: float
    n_iter: int
    seconds: float


def competency_log(
    student: npt.ArrayLike, correct: npt.ArrayLike, seq: npt.ArrayLike, *, competency: str
) -> tandem_engine.ResponseLog:
    """One competency's rows as a one-skill response log, each student's answers in ``seq``
    order (students numbered in sorted key order)."""
    keys, codes = np.unique(np.asarray(student), return_inverse=True)
    n = codes.shape[0]
    return tandem_engine.ResponseLog.from_arrays(
        student=codes,
        item=np.zeros(n, dtype=np.int64),
        correct=np.asarray(correct, dtype=np.bool_),
        q_matrix=np.ones((1, 1), dtype=np.bool_),
        order=np.asarray(seq, dtype=np.float64),
        student_ids=[str(k) for k in keys],
        item_ids=[competency],
        skill_ids=[competency],
    )


def fit_competency(
    student: npt.ArrayLike,
    correct: npt.ArrayLike,
    seq: npt.ArrayLike,
    *,
    competency: str,
    seed: int = SEED,
) -> CompetencyFit:
    """Fit one competency's BKT parameters on its answers (any row order)."""
    started = time.perf_counter()
    log = competency_log(student, correct, seq, competency=competency)
    fitted = model(seed).fit(log)
    return CompetencyFit(
        competency=competency,
        params=fitted.params_[0],
        n_answers=log.n_responses,
        n_students=log.n_students,
        log_likelihood=fitted.log_likelihood_,
        n_iter=fitted.n_iter_,
        seconds=time.perf_counter() - started,
    )


def params_dict(params: tandem_engine.BKTParams) -> dict[str, float]:
    """As calibration stores parameters: rounded to 6 decimals."""
    return {name: round(float(getattr(params, name)), 6) for name in PARAM_NAMES}


def pooled(fits: Iterable[CompetencyFit]) -> dict[str, Any]:
    """``default`` and ``per_competency`` as calibration keeps them: competencies with at least
    ``MIN_COMPETENCY_ANSWERS`` answers keep their own parameters, and the default is their
    answer-weighted mean (of every competency when none is that large)."""
    fits = sorted(fits, key=lambda f: f.competency)
    if not fits:
        raise ValueError("no competency was fitted: the evidence is empty")
    counts = np.array([f.n_answers for f in fits], dtype=np.float64)
    array = np.array([[getattr(f.params, name) for name in PARAM_NAMES] for f in fits]).T
    own = counts >= MIN_COMPETENCY_ANSWERS
    pool = own if own.any() else counts > 0
    default = tandem_engine.pooled_params(array[:, pool], counts[pool])
    return {
        "default": params_dict(default),
        "per_competency": {
            f.competency: params_dict(f.params) for f, keep in zip(fits, own, strict=True) if keep
        },
    }


def parameter_document(
    fits: Iterable[CompetencyFit],
    heldout_fits: Iterable[CompetencyFit] | None,
    *,
    seed: int,
    source: Mapping[str, Any],
) -> dict[str, Any]:
    """The JSON document ``tandem import parameters`` records as a parameter set.

    ``params`` is fitted on every student; ``heldout`` (when given) on all but the held-out
    students (:func:`is_heldout`), for the import's comparison with the active set.
    """
    fits = list(fits)
    params = pooled(fits)
    n_answers = sum(f.n_answers for f in fits)
    document: dict[str, Any] = {
        "format": FORMAT,
        "model_name": "bkt",
        "engine_version": tandem_engine.ENGINE_VERSION,
        "params": {
            **params,
            "fit": {
                "by": "spark",
                "n_responses": n_answers,
                "n_competencies": len(fits),
                "n_competencies_fitted": len(params["per_competency"]),
                "log_likelihood": round(sum(f.log_likelihood for f in fits), 3),
                "n_iter": max(f.n_iter for f in fits),
                "max_guess": MAX_GUESS,
                "max_slip": MAX_SLIP,
                "seed": seed,
                "source": dict(source),
            },
        },
    }
    if heldout_fits is not None:
        document["heldout"] = {
            **pooled(heldout_fits),
            "holdout": f"sha256(student key)[:4] mod 100 < {HOLDOUT_PERCENT}",
        }
    return document
