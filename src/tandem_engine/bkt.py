"""Bayesian Knowledge Tracing, the per-competency hidden-Markov mastery model (Corbett &
Anderson 1995).

``BKTParams``, ``bkt_step`` and ``predict_correct`` are the scalar core (one competency, one
answer). :class:`BKT` fits one parameter set per competency by expectation-maximisation
(Baum-Welch) over all students at once, predicts without leakage, and updates one student's
state online. An item tagged with several competencies gives each of them an opportunity; its
predicted success combines theirs (``combine``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal, NamedTuple, Self

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from tandem_engine._pmap import PMap
from tandem_engine._sequences import TimeMajor, time_major
from tandem_engine.estimates import EVIDENCE_KEPT, CompetencyEstimate, Evidence, NotFittedError
from tandem_engine.log import (
    FloatArray,
    IntArray,
    Response,
    ResponseLog,
    bool_csr,
    item_skill_tuples,
)

# Guess and slip above these make the model degenerate (a "mastered" student who usually fails).
MAX_GUESS = 0.3
MAX_SLIP = 0.3
# Upper bounds tighter than 1, by parameter name (validation and pooling read the same ones).
_CAPS = {"p_guess": MAX_GUESS, "p_slip": MAX_SLIP}
_EPS = 1e-6
#: Every mastery probability the forward/backward passes, ``bkt_step``, ``predict_correct`` and
#: the online update produce is kept in [P_EPS, 1 - P_EPS]. Without it a long streak of right
#: answers rounds P(mastered) to 1.0000000000000002, and each later wrong answer multiplies the
#: excess until the likelihood's denominator turns negative and everything becomes NaN.
P_EPS = 1e-6
# EM keeps every probability this far from 0 and 1 so that no state becomes impossible.
_PARAM_FLOOR = 1e-4

Combine = Literal["product", "mean", "min"]
Convergence = Literal["joint", "per_competency"]


@dataclass(frozen=True, slots=True)
class BKTParams:
    """Parameters of one competency's BKT model."""

    p_init: float = 0.2
    p_learn: float = 0.15
    p_guess: float = 0.2
    p_slip: float = 0.1
    p_forget: float = 0.0

    def violations(self) -> list[str]:
        """Every bound this parameter set breaks, in words; empty when valid."""
        problems = []
        for name in BKTParams.__slots__:
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                problems.append(f"{name}={value} is outside [0, 1]")
            elif name in _CAPS and value > _CAPS[name]:
                problems.append(f"{name}={value} exceeds {_CAPS[name]}")
        return problems

    def validate(self) -> BKTParams:
        problems = self.violations()
        if problems:
            raise ValueError("invalid BKT parameters: " + "; ".join(problems))
        return self


def pooled_params(columns: npt.ArrayLike, weights: npt.ArrayLike) -> BKTParams:
    """The weighted mean of several competencies' parameters (``columns``: one row per
    parameter in ``BKTParams``' order, one column per competency), within every bound.

    A mean of values that sit at a bound can land a rounding error beyond it (three guesses at
    the 0.3 cap averaged to 0.30000000000000004); that is clipped back, anything else wrong
    (NaN, no weight) is refused.
    """
    mean = np.average(
        np.asarray(columns, dtype=np.float64),
        axis=1,
        weights=np.asarray(weights, dtype=np.float64),
    )
    if not np.all(np.isfinite(mean)):
        raise ValueError(f"pooled BKT parameters are not finite: {mean.tolist()}")
    upper = np.array([_CAPS.get(name, 1.0) for name in BKTParams.__slots__])
    clipped = np.clip(mean, 0.0, upper)
    return BKTParams(*(float(v) for v in clipped)).validate()


def _clamp(p: float) -> float:
    """``p`` within [P_EPS, 1 - P_EPS]; NaN is refused (it means a bug upstream)."""
    if p != p:
        raise FloatingPointError("BKT met a NaN mastery probability")
    return min(max(p, P_EPS), 1.0 - P_EPS)


def predict_correct(p_mastery: float, params: BKTParams) -> float:
    """Probability that the next answer is correct given the current mastery probability.

    Always in [P_EPS, 1 - P_EPS], whatever the parameters.
    """
    p = _clamp(p_mastery)
    return _clamp(p * (1.0 - params.p_slip) + (1.0 - p) * params.p_guess)


def bkt_step(
    p_mastery: float,
    correct: bool,
    params: BKTParams,
    weight: float = 1.0,
    *,
    p_max: float | None = None,
) -> float:
    """Mastery probability after observing one answer and one learning opportunity.

    ``weight`` tempers the likelihood (``P(obs | state) ** weight``): 1 for an ordinary answer,
    more for stronger evidence such as a teacher's observation, less for weaker evidence.
    ``p_max``, when given, caps the result (a caller's evidence-dependent ceiling, so that a
    wrong answer after a long streak visibly lowers the estimate). The input and the result
    are kept in [P_EPS, 1 - P_EPS] (and at most ``p_max``), so the result is never NaN and a
    long streak cannot push it to exactly 0 or 1.
    """
    p = _clamp(p_mastery)
    if correct:
        like_known, like_unknown = 1.0 - params.p_slip, params.p_guess
    else:
        like_known, like_unknown = params.p_slip, 1.0 - params.p_guess
    like_known = float(max(like_known, _EPS) ** weight)
    like_unknown = float(max(like_unknown, _EPS) ** weight)
    known = p * like_known
    posterior = known / (known + (1.0 - p) * like_unknown)
    after = _clamp(posterior * (1.0 - params.p_forget) + (1.0 - posterior) * params.p_learn)
    if p_max is not None:
        if not math.isfinite(p_max):
            raise ValueError(f"p_max={p_max} is not a finite number")
        after = max(min(after, p_max), P_EPS)
    return after


def _finite_probabilities(p: FloatArray, where: str) -> FloatArray:
    """``p`` itself, after checking that every value is a finite probability."""
    if not np.isfinite(p).all():
        raise FloatingPointError(f"{where}: {int((~np.isfinite(p)).sum())} non-finite values")
    return p


class SkillTrace(NamedTuple):
    """One competency's online BKT state: mastery now and the evidence that moved it."""

    p_mastery: float
    n_evidence: int
    n_correct: int
    last_order: float
    evidence: tuple[Evidence, ...]


@dataclass(frozen=True, slots=True)
class BKTState:
    """One student's BKT state: a trace per competency practised (others sit at ``p_init``)."""

    skills: PMap[SkillTrace] = field(default_factory=PMap)
    n_answers: int = 0


class _Layout(NamedTuple):
    """A log's (student, skill) sequences in time-major order."""

    tm: TimeMajor
    pair_row: IntArray  # row of each (row, skill) pair, in time-major order
    skill: IntArray  # skill of each slot
    correct: FloatArray  # 0/1 answer of each slot
    seq_skill: IntArray  # skill of each sequence, in layout order
    steps: list[tuple[slice, int]]  # slice and width of each position


def _layout(log: ResponseLog, n_skills: int) -> _Layout:
    rows, skills = log.row_skills()
    key = log.student[rows] * n_skills + skills
    o = np.lexsort((rows, key))
    rows, skills = rows[o], skills[o]
    tm = time_major(key[o])
    flat_rows = rows[tm.from_flat]
    return _Layout(
        tm=tm,
        pair_row=flat_rows,
        skill=skills[tm.from_flat],
        correct=log.correct[flat_rows].astype(np.float64),
        seq_skill=skills[tm.seq_start],
        steps=[(tm.step(t), int(tm.width[t])) for t in range(tm.n_steps)],
    )


def _forward(
    lay: _Layout,
    init: FloatArray,
    learn: FloatArray,
    guess: FloatArray,
    slip: FloatArray,
    forget: FloatArray,
    slot_forget: FloatArray | None = None,
    skill_loglik: FloatArray | None = None,
) -> tuple[FloatArray, FloatArray, float]:
    """Prior P(mastered) before each slot, filtered P(mastered) after it, and log-likelihood.

    ``slot_forget``, when given, replaces ``forget`` per slot (layout order): the probability
    of forgetting between that slot and the sequence's next one. ``skill_loglik``, when given,
    receives each skill's own log-likelihood.
    """
    k, y = lay.skill, lay.correct
    n = k.shape[0]
    prior = np.empty(n)
    post = np.empty(n)
    if skill_loglik is not None:
        skill_loglik[:] = 0.0
    if n == 0:
        return prior, post, 0.0
    # P(answer | known) and P(answer | unknown) per slot; per step only a few fused operations.
    # Both likelihoods stay positive, so the denominator below is at least _EPS.
    like1 = np.clip(np.where(y > 0, 1.0 - slip[k], slip[k]), _EPS, 1.0)
    like0 = np.clip(np.where(y > 0, guess[k], 1.0 - guess[k]), _EPS, 1.0)
    dlike = like1 - like0
    gain = learn[k]
    net = 1.0 - (forget[k] if slot_forget is None else slot_forget) - gain
    den = np.empty(n)
    lo, hi = P_EPS, 1.0 - P_EPS
    p = np.clip(init[lay.seq_skill[: lay.tm.width[0]]], lo, hi)
    for sl, w in lay.steps:
        p = p[:w]
        prior[sl] = p
        d = den[sl]
        np.multiply(p, dlike[sl], out=d)
        d += like0[sl]
        f = post[sl]
        np.multiply(p, like1[sl], out=f)
        f /= d
        np.clip(f, lo, hi, out=f)
        p = f * net[sl]
        p += gain[sl]
        np.clip(p, lo, hi, out=p)
    log_den = np.log(den)
    if skill_loglik is not None:
        skill_loglik[:] = np.bincount(k, weights=log_den, minlength=skill_loglik.shape[0])
    return prior, post, float(log_den.sum())


def _ratio(out: FloatArray, numerator: npt.ArrayLike, denominator: npt.ArrayLike) -> None:
    """``out = numerator / denominator`` where the denominator is positive; elsewhere unchanged."""
    den = np.asarray(denominator, dtype=np.float64)
    np.divide(numerator, den, out=out, where=den > _EPS)


def _fit_em(
    lay: _Layout,
    params: FloatArray,
    *,
    forgetting: bool,
    max_guess: float,
    max_slip: float,
    prior_strength: float,
    prior_mean: FloatArray,
    n_iter: int,
    tol: float,
    per_skill: bool = False,
) -> tuple[FloatArray, float, int, FloatArray]:
    """Baum-Welch over all sequences at once; ``params`` rows: init, learn, guess, slip, forget.

    Stops when the total log-likelihood gains less than ``tol`` (relative), or with
    ``per_skill`` freezes each skill once its own log-likelihood does, so that a skill's
    parameters are those a fit on its answers alone would give. Returns the parameters, the
    log-likelihood, the number of sweeps and each skill's log-likelihood.
    """
    n_skills = params.shape[1]
    k, y = lay.skill, lay.correct
    tm = lay.tm
    n = k.shape[0]
    first = tm.step(0) if n else slice(0, 0)
    first_skill = lay.seq_skill
    # slot j of step t has a successor iff j < width[t + 1]
    has_next = np.zeros(n)
    for t in range(tm.n_steps - 1):
        start = int(tm.offsets[t])
        has_next[start : start + int(tm.width[t + 1])] = 1.0
    count_k = np.bincount(k, minlength=n_skills).astype(np.float64)
    init_count = np.bincount(first_skill, minlength=n_skills).astype(np.float64)
    trans_count = np.bincount(k, weights=has_next, minlength=n_skills)
    loglik_prev = -math.inf
    loglik = -math.inf
    skill_ll = np.zeros(n_skills)
    skill_ll_prev = np.full(n_skills, -math.inf)
    skill_ll_final = np.zeros(n_skills)
    active = np.ones(n_skills, dtype=np.bool_)
    it = 0
    if n_iter < 1:
        raise ValueError(f"n_iter={n_iter} must be at least 1")
    for it in range(1, n_iter + 1):
        init, learn, guess, slip, forget = params
        prior, post, loglik = _forward(lay, init, learn, guess, slip, forget, skill_loglik=skill_ll)
        # Backward (smoothing) pass in the filtered form: no beta messages, no underflow.
        smooth = post.copy()
        xi_learn = np.zeros(n)
        xi_forget = np.zeros(n)
        gain = learn[k]
        loss = forget[k]
        keep = 1.0 - loss
        steps = lay.steps
        for t in range(len(steps) - 2, -1, -1):
            nxt, w_next = steps[t + 1]
            start = steps[t][0].start
            cur = slice(start, start + w_next)
            f = post[cur]
            g_next = smooth[nxt]
            p1 = prior[nxt]
            r1 = g_next / p1  # priors are clamped to [P_EPS, 1 - P_EPS]
            r0 = (1.0 - g_next) / (1.0 - p1)
            xl = xi_learn[cur]
            np.subtract(1.0, f, out=xl)
            xl *= gain[cur]
            xl *= r1
            xf = xi_forget[cur]
            np.multiply(f, loss[cur], out=xf)
            xf *= r0
            sm = smooth[cur]
            np.multiply(f, keep[cur], out=sm)
            sm *= r1
            sm += xf
        np.clip(smooth, 0.0, 1.0, out=smooth)
        if not (math.isfinite(loglik) and np.isfinite(smooth).all()):
            raise FloatingPointError(
                f"BKT EM: the log-likelihood or the smoothed states are not finite at "
                f"iteration {it} (log-likelihood {loglik}); refusing to continue"
            )
        known = np.bincount(k, weights=smooth, minlength=n_skills)
        known_wrong = np.bincount(k, weights=smooth * (1.0 - y), minlength=n_skills)
        unknown_right = np.bincount(k, weights=(1.0 - smooth) * y, minlength=n_skills)
        known_from = np.bincount(k, weights=smooth * has_next, minlength=n_skills)
        m = prior_strength
        mu = prior_mean
        new = params.copy()  # a competency with no evidence for a parameter keeps its value
        _ratio(
            new[0],
            np.bincount(first_skill, weights=smooth[first], minlength=n_skills) + m * mu[0],
            init_count + m,
        )
        _ratio(
            new[1],
            np.bincount(k, weights=xi_learn, minlength=n_skills) + m * mu[1],
            trans_count - known_from + m,
        )
        _ratio(new[2], unknown_right + m * mu[2], count_k - known + m)
        _ratio(new[3], known_wrong + m * mu[3], known + m)
        if forgetting:
            _ratio(
                new[4],
                np.bincount(k, weights=xi_forget, minlength=n_skills) + m * mu[4],
                known_from + m,
            )
        else:
            new[4] = 0.0
        np.clip(new, _PARAM_FLOOR, 1.0 - _PARAM_FLOOR, out=new)
        new[2] = np.minimum(new[2], max_guess)
        new[3] = np.minimum(new[3], max_slip)
        if not forgetting:
            new[4] = 0.0
        if not np.isfinite(new).all():
            raise FloatingPointError(f"BKT EM: parameters became non-finite at iteration {it}")
        if per_skill:
            # A frozen skill keeps its parameters; one converging now takes this last update,
            # as a fit on its answers alone would before stopping.
            new[:, ~active] = params[:, ~active]
            params = new
            done = active & (skill_ll - skill_ll_prev < tol * np.maximum(np.abs(skill_ll), 1.0))
            skill_ll_final[active] = skill_ll[active]
            active &= ~done
            skill_ll_prev = skill_ll.copy()
            if not active.any():
                break
            continue
        params = new
        skill_ll_final = skill_ll.copy()
        # Both values are finite here (checked above; loglik_prev starts at -inf).
        if loglik - loglik_prev < tol * max(abs(loglik), 1.0):
            break
        loglik_prev = loglik
    if per_skill:
        loglik = float(skill_ll_final.sum())
    return params, loglik, it, skill_ll_final


class BKT:
    """Bayesian Knowledge Tracing per competency, fitted by EM over a response log.

    Hyper-parameters:
        forgetting: also fit a per-opportunity forgetting probability.
        max_guess, max_slip: upper bounds on guess and slip (0.3 keeps mastery meaningful).
        combine: how an item's competencies combine into one predicted success:
            ``"product"`` (all needed), ``"mean"`` or ``"min"``.
        n_iter, tol: EM stops after ``n_iter`` sweeps or when the log-likelihood gains less
            than ``tol`` (relative).
        convergence: ``"joint"`` stops every competency together, when the log-likelihood of
            the whole log gains less than ``tol``; ``"per_competency"`` stops each competency
            when its own log-likelihood does, so that its parameters are exactly those of a fit
            on its answers alone, whatever else the log holds (what lets a distributed job fit
            competency by competency). With ``n_init`` > 1 it also keeps each competency's best
            run, by its own log-likelihood.
        prior_strength: pseudo-observations pulling each competency's parameters toward
            ``default_params`` (MAP-EM); keeps rarely seen competencies sane.
        n_init, random_state: extra EM runs from random starting points (drawn from a numpy
            Generator seeded by ``random_state``); the best log-likelihood wins.
        default_params: the starting point, the prior mean, and the parameters of
            competencies the log never exercises.
    """

    def __init__(
        self,
        *,
        forgetting: bool = False,
        max_guess: float = MAX_GUESS,
        max_slip: float = MAX_SLIP,
        combine: Combine = "product",
        n_iter: int = 100,
        tol: float = 1e-5,
        convergence: Convergence = "joint",
        prior_strength: float = 2.0,
        n_init: int = 1,
        random_state: int | None = None,
        default_params: BKTParams = BKTParams(p_init=0.4, p_learn=0.1, p_guess=0.2, p_slip=0.1),
    ) -> None:
        self.forgetting = forgetting
        self.max_guess = max_guess
        self.max_slip = max_slip
        self.combine = combine
        self.n_iter = n_iter
        self.tol = tol
        self.convergence = convergence
        self.prior_strength = prior_strength
        self.n_init = n_init
        self.random_state = random_state
        self.default_params = default_params

    # -- fitting -------------------------------------------------------------------------------

    def fit(self, log: ResponseLog) -> Self:
        """Fit every competency's parameters on ``log``; returns ``self``."""
        if self.combine not in ("product", "mean", "min"):
            raise ValueError(f"combine={self.combine!r} is not one of product, mean, min")
        if self.convergence not in ("joint", "per_competency"):
            raise ValueError(
                f"convergence={self.convergence!r} is not one of joint, per_competency"
            )
        per_skill = self.convergence == "per_competency"
        d = self.default_params.validate()
        n_skills = log.n_skills
        mu = np.array([[d.p_init], [d.p_learn], [d.p_guess], [d.p_slip], [d.p_forget]])
        mu = np.repeat(mu, n_skills, axis=1)
        lay = _layout(log, n_skills)
        rng = np.random.default_rng(self.random_state)
        best: tuple[FloatArray, float, int, FloatArray] | None = None
        for run in range(max(self.n_init, 1)):
            start = mu.copy()
            if run > 0:
                start[0] = rng.uniform(0.05, 0.95, n_skills)
                start[1] = rng.uniform(0.01, 0.5, n_skills)
                start[2] = rng.uniform(0.01, self.max_guess, n_skills)
                start[3] = rng.uniform(0.01, self.max_slip, n_skills)
                start[4] = rng.uniform(0.0, 0.1, n_skills) if self.forgetting else 0.0
            if not self.forgetting:
                start[4] = 0.0
            result = _fit_em(
                lay,
                start,
                forgetting=self.forgetting,
                max_guess=self.max_guess,
                max_slip=self.max_slip,
                prior_strength=self.prior_strength,
                prior_mean=mu,
                n_iter=self.n_iter,
                tol=self.tol,
                per_skill=per_skill,
            )
            if best is None:
                best = result
            elif per_skill:
                better = result[3] > best[3]
                kept = best[0].copy()
                kept[:, better] = result[0][:, better]
                skill_ll = np.where(better, result[3], best[3])
                best = (kept, float(skill_ll.sum()), max(best[2], result[2]), skill_ll)
            elif result[1] > best[1]:
                best = result
        assert best is not None
        params, loglik, n_iter, _ = best
        seen = np.bincount(lay.skill, minlength=n_skills) > 0
        params[:, ~seen] = mu[:, ~seen]
        self.log_likelihood_: float = loglik
        self.n_iter_: int = n_iter
        base_rate = float(log.correct.mean()) if log.n_responses else 0.5
        return self._set_params(params, log.q_matrix, log.item_ids, log.skill_ids, base_rate)

    @classmethod
    def from_params(
        cls,
        params: Sequence[BKTParams],
        q_matrix: sp.spmatrix | sp.sparray,
        *,
        item_ids: Sequence[str] | None = None,
        skill_ids: Sequence[str] | None = None,
        base_rate: float = 0.5,
        combine: Combine = "product",
    ) -> BKT:
        """A ready-to-use model from stored parameters (one per skill, in Q-matrix order)."""
        q = bool_csr(q_matrix)
        if len(params) != q.shape[1]:
            raise ValueError(f"{len(params)} parameter sets for {q.shape[1]} skills")
        problems = [f"skill {k}: {p}" for k, ps in enumerate(params) for p in ps.violations()]
        if problems:
            raise ValueError("invalid BKT parameters: " + "; ".join(problems))
        array = np.array(
            [[p.p_init, p.p_learn, p.p_guess, p.p_slip, p.p_forget] for p in params],
            dtype=np.float64,
        ).T.reshape(5, len(params))
        model = cls(combine=combine)
        return model._set_params(
            array,
            q,
            tuple(item_ids) if item_ids is not None else tuple(str(k) for k in range(q.shape[0])),
            tuple(skill_ids) if skill_ids is not None else tuple(str(k) for k in range(q.shape[1])),
            base_rate,
        )

    def _set_params(
        self,
        params: FloatArray,
        q: sp.csr_matrix,
        item_ids: tuple[str, ...],
        skill_ids: tuple[str, ...],
        base_rate: float,
    ) -> Self:
        n_skills = params.shape[1]
        self.params_array_: FloatArray = params
        self.params_: tuple[BKTParams, ...] = tuple(
            BKTParams(*(float(v) for v in params[:, s])) for s in range(n_skills)
        )
        self.q_matrix_: sp.csr_matrix = q
        self.item_ids_: tuple[str, ...] = item_ids
        self.skill_ids_: tuple[str, ...] = skill_ids
        self.base_rate_: float = base_rate
        self._item_skills: tuple[tuple[int, ...], ...] = item_skill_tuples(q)
        self._p: tuple[tuple[float, float, float, float, float], ...] = tuple(
            (p.p_init, p.p_learn, p.p_guess, p.p_slip, p.p_forget) for p in self.params_
        )
        # The online hot path's copy: init within [P_EPS, 1 - P_EPS], guess and slip within
        # [_EPS, 1 - _EPS] (so every likelihood is positive), computed once here.
        self._p_online: tuple[tuple[float, float, float, float, float], ...] = tuple(
            (
                _clamp(init),
                learn,
                min(max(guess, _EPS), 1.0 - _EPS),
                min(max(slip, _EPS), 1.0 - _EPS),
                forget,
            )
            for init, learn, guess, slip, forget in self._p
        )
        return self

    def _check_fitted(self) -> None:
        if not hasattr(self, "params_"):
            raise NotFittedError("this BKT model is not fitted yet: call fit(log) first")

    # -- batch prediction ------------------------------------------------------------------------

    def predict_proba(
        self, log: ResponseLog, *, p_forget_per_day: float | None = None
    ) -> FloatArray:
        """P(correct) of every row given only the same student's earlier rows.

        With ``p_forget_per_day`` (see :func:`fit_daily_forgetting`) a mastered competency is
        also forgotten with probability 1 - (1 - rate) ** days between two timed answers.
        """
        self._check_fitted()
        self._check_vocabulary(log)
        init, learn, guess, slip, forget = self.params_array_
        lay = _layout(log, log.n_skills)
        per_slot = None
        if p_forget_per_day is not None:
            if not 0.0 <= p_forget_per_day < 1.0:
                raise ValueError(f"p_forget_per_day={p_forget_per_day} is outside [0, 1)")
            per_slot = 1.0 - (1.0 - forget[lay.skill]) * (1.0 - p_forget_per_day) ** (
                _next_gap_days(log, lay)
            )
        prior, _, _ = _forward(lay, init, learn, guess, slip, forget, per_slot)
        k = lay.skill
        p_correct = prior * (1.0 - slip[k]) + (1.0 - prior) * guess[k]
        np.clip(p_correct, P_EPS, 1.0 - P_EPS, out=p_correct)
        out = self._combine_rows(lay.pair_row, p_correct, log.n_responses)
        return _finite_probabilities(out, "BKT.predict_proba")

    def prior_mastery(self, log: ResponseLog) -> tuple[IntArray, IntArray, FloatArray]:
        """Each (row, skill) pair with P(mastered) just before that row's answer.

        Only the same student's earlier rows on the skill enter it (no leak of the answer).
        """
        self._check_fitted()
        self._check_vocabulary(log)
        lay = _layout(log, log.n_skills)
        init, learn, guess, slip, forget = self.params_array_
        prior, _, _ = _forward(lay, init, learn, guess, slip, forget)
        return lay.pair_row, lay.skill, _finite_probabilities(prior, "BKT.prior_mastery")

    def predict_mastery(self, log: ResponseLog) -> tuple[IntArray, IntArray, FloatArray]:
        """Each (row, skill) pair with P(mastered) after that row's answer (filtered)."""
        self._check_fitted()
        self._check_vocabulary(log)
        lay = _layout(log, log.n_skills)
        init, learn, guess, slip, forget = self.params_array_
        _, post, _ = _forward(lay, init, learn, guess, slip, forget)
        k = lay.skill
        after = post * (1.0 - forget[k]) + (1.0 - post) * learn[k]
        np.clip(after, P_EPS, 1.0 - P_EPS, out=after)
        return lay.pair_row, k, _finite_probabilities(after, "BKT.predict_mastery")

    def _check_vocabulary(self, log: ResponseLog) -> None:
        if log.q_matrix.shape != self.q_matrix_.shape:
            raise ValueError(
                f"log has {log.n_items} items x {log.n_skills} skills; the model was fitted on "
                f"{len(self.item_ids_)} x {len(self.skill_ids_)}"
            )

    def _combine_rows(self, pair_row: IntArray, p_correct: FloatArray, n_rows: int) -> FloatArray:
        counts = np.bincount(pair_row, minlength=n_rows)
        out = np.full(n_rows, self.base_rate_)
        has = counts > 0
        if self.combine == "product":
            logs = np.bincount(pair_row, weights=np.log(p_correct), minlength=n_rows)
            out[has] = np.exp(logs[has])
        elif self.combine == "mean":
            sums = np.bincount(pair_row, weights=p_correct, minlength=n_rows)
            out[has] = sums[has] / counts[has]
        else:
            mins = np.full(n_rows, np.inf)
            np.minimum.at(mins, pair_row, p_correct)
            out[has] = mins[has]
        return out

    # -- online use ------------------------------------------------------------------------------

    def initial_state(self) -> BKTState:
        """A student with no answers yet."""
        return BKTState()

    def update(self, state: BKTState, response: Response) -> BKTState:
        """The state after one more answer; ``state`` itself is left unchanged."""
        self._check_fitted()
        item, correct, order = response
        item_skills = self._item_skills
        skills = item_skills[item] if 0 <= item < len(item_skills) else ()
        traces = state.skills
        params = self._p_online  # init clamped; guess, slip in [_EPS, 1 - _EPS]
        lo, hi = P_EPS, 1.0 - P_EPS
        for s in skills:
            init, learn, guess, slip, forget = params[s]
            trace = traces.get(s)
            p = init if trace is None else trace.p_mastery  # stored values are clamped
            if correct:
                known = p * (1.0 - slip)
                post = known / (known + (1.0 - p) * guess)
            else:
                known = p * slip
                post = known / (known + (1.0 - p) * (1.0 - guess))
            after = post * (1.0 - forget) + (1.0 - post) * learn
            after = lo if after < lo else hi if after > hi else after
            ev = Evidence(item, bool(correct), order, after - p)
            if trace is None:
                new = SkillTrace(after, 1, int(correct), order, (ev,))
            else:
                new = SkillTrace(
                    after,
                    trace.n_evidence + 1,
                    trace.n_correct + int(correct),
                    order,
                    (ev, *trace.evidence[: EVIDENCE_KEPT - 1]),
                )
            traces = traces.set(s, new)
        return BKTState(traces, state.n_answers + 1)

    def replay(self, responses: list[Response], state: BKTState | None = None) -> BKTState:
        """The state after a sequence of answers (from ``state`` or a new student)."""
        current = self.initial_state() if state is None else state
        for r in responses:
            current = self.update(current, r)
        return current

    def predict_item(self, state: BKTState, item: int) -> float:
        """P(correct) on ``item`` for the student in ``state``."""
        self._check_fitted()
        skills = self._skills_of(item)
        if not skills:
            return _clamp(self.base_rate_)
        values = []
        for s in skills:
            init, _, guess, slip, _ = self._p[s]
            trace = state.skills.get(s)
            p = _clamp(init if trace is None else trace.p_mastery)
            values.append(_clamp(p * (1.0 - slip) + (1.0 - p) * guess))
        if self.combine == "product":
            return _clamp(math.prod(values))
        if self.combine == "mean":
            return _clamp(sum(values) / len(values))
        return min(values)

    def _skills_of(self, item: int) -> tuple[int, ...]:
        """The item's skills; an item outside the fitted vocabulary has none (base rate)."""
        if 0 <= item < len(self._item_skills):
            return self._item_skills[item]
        return ()

    def mastery(
        self, state: BKTState, skills: list[int] | None = None
    ) -> tuple[CompetencyEstimate, ...]:
        """P(mastered) per competency; ``sd`` is that of the latent mastered/not state."""
        self._check_fitted()
        wanted = range(len(self.skill_ids_)) if skills is None else skills
        out = []
        for s in wanted:
            trace = state.skills.get(s)
            if trace is None:
                p = self._p[s][0]
                out.append(
                    CompetencyEstimate(
                        skill=s,
                        skill_id=self.skill_ids_[s],
                        p_mastery=p,
                        sd=math.sqrt(p * (1.0 - p)),
                        n_evidence=0,
                        n_correct=0,
                        last_order=None,
                    )
                )
            else:
                p = trace.p_mastery
                out.append(
                    CompetencyEstimate(
                        skill=s,
                        skill_id=self.skill_ids_[s],
                        p_mastery=p,
                        sd=math.sqrt(max(p * (1.0 - p), 0.0)),
                        n_evidence=trace.n_evidence,
                        n_correct=trace.n_correct,
                        last_order=trace.last_order,
                        evidence=trace.evidence,
                    )
                )
        return tuple(out)


# -- forgetting per elapsed day ------------------------------------------------------------------

_SECONDS_PER_DAY = 86_400.0


@dataclass(frozen=True, slots=True)
class DailyForgetting:
    """A maximum-likelihood probability of forgetting a mastered competency per elapsed day.

    Between two answers on a competency ``days`` apart, P(forget) = 1 - (1 - p_forget_per_day)
    ** days; the model's other parameters are held at their fitted values. ``half_life_days``
    is the time after which a mastered competency is still mastered with probability 1/2.
    """

    p_forget_per_day: float
    half_life_days: float
    log_likelihood: float
    log_likelihood_without: float
    n_gaps: int
    median_gap_days: float
    # Gaps of at least a day: what the rate is really fitted on (minutes apart say little).
    n_gaps_over_a_day: int = 0


def _next_gap_days(log: ResponseLog, lay: _Layout) -> FloatArray:
    """Per slot (layout order): days until the same sequence's next answer (0 where none)."""
    stamp = log.timestamp[lay.pair_row]
    gap = np.zeros(stamp.shape[0])
    for t in range(len(lay.steps) - 1):
        nxt, w_next = lay.steps[t + 1]
        start = lay.steps[t][0].start
        cur = slice(start, start + w_next)
        gap[cur] = (stamp[nxt] - stamp[cur]) / _SECONDS_PER_DAY
    out: FloatArray = np.where(np.isnan(gap), 0.0, np.maximum(gap, 0.0))
    return out


def fit_daily_forgetting(log: ResponseLog, model: BKT, *, max_rate: float = 0.5) -> DailyForgetting:
    """Fit BKT's forgetting per elapsed day by maximum likelihood on a timestamped ``log``.

    ``model`` is a fitted :class:`BKT` on the same vocabulary (normally without per-answer
    forgetting); its other parameters are kept and the log-likelihood is maximised over one
    rate shared by every competency, in [0, ``max_rate``]. Rows without a timestamp count as
    no time elapsed. Raises ``ValueError`` when no two answers on a competency are timed apart.
    """
    from scipy.optimize import minimize_scalar

    model._check_fitted()
    model._check_vocabulary(log)
    lay = _layout(log, log.n_skills)
    days = _next_gap_days(log, lay)
    timed = days > 0
    if not timed.any():
        raise ValueError("no two answers on a competency are timed apart: nothing to fit")
    init, learn, guess, slip, forget = model.params_array_
    k = lay.skill
    base_forget = forget[k]

    def loglik(rate: float) -> float:
        per_slot = 1.0 - (1.0 - base_forget) * (1.0 - rate) ** days
        _, _, value = _forward(lay, init, learn, guess, slip, forget, per_slot)
        if not math.isfinite(value):
            raise FloatingPointError(f"log-likelihood {value} at p_forget_per_day={rate}")
        return value

    best = minimize_scalar(
        lambda r: -loglik(float(r)),
        bounds=(0.0, max_rate),
        method="bounded",
        options={"xatol": 1e-6},
    )
    rate = float(best.x)
    without = loglik(0.0)
    at_best = -float(best.fun)
    if without >= at_best:
        rate, at_best = 0.0, without
    half_life = math.log(0.5) / math.log1p(-rate) if rate > 0.0 else math.inf
    return DailyForgetting(
        p_forget_per_day=rate,
        half_life_days=half_life,
        log_likelihood=at_best,
        log_likelihood_without=without,
        n_gaps=int(timed.sum()),
        median_gap_days=float(np.median(days[timed])),
        n_gaps_over_a_day=int((days >= 1.0).sum()),
    )
