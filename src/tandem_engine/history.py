"""A student's answer history summarised as counts, for the feature-based models.

Both :class:`~tandem_engine.logistic.LogisticKT` and :class:`~tandem_engine.boosted.BoostedKT`
read the same summaries: per competency and in total, attempts, successes, residuals against
item difficulty, recency-weighted versions of those (decay per answer the student gives, since
many logs have no clock), the last few outcomes and the gap since the competency was last
practised; per item, the student's earlier attempts. :func:`batch_history` computes them for a
whole log with array operations; :func:`history_update` advances one student's state by one
answer in O(skills of the item).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from tandem_engine._pmap import PMap
from tandem_engine._sequences import time_major
from tandem_engine.log import FloatArray, IntArray, ResponseLog

#: Per-answer decay factors of the recency-weighted counts (half-lives of 1, 3 and 14 answers).
GAMMAS: tuple[float, ...] = (0.5, 0.8, 0.95)
#: Outcomes remembered per competency (for its recent-pattern feature) and in total.
SKILL_LAGS = 5
TOTAL_LAGS = 3
#: Answers remembered per competency: its pattern plus the evidence mastery reports.
RECENT_KEPT = 10
_N_DEC = 3 * len(GAMMAS)  # for each gamma: decayed successes, failures, residuals
_G0, _G1, _G2 = GAMMAS  # history_update is unrolled over exactly three


class Recent(NamedTuple):
    """One remembered answer on a competency."""

    pos: int
    correct: bool
    resid: float
    item: int
    order: float


class SkillHistory(NamedTuple):
    """A student's summary on one competency, as of their answer at ``last_pos``."""

    attempts: int
    wins: int
    resid: float
    last_pos: int
    dec: tuple[float, ...]  # at last_pos, including that answer
    recent: tuple[Recent, ...]  # newest first


class TotalHistory(NamedTuple):
    """A student's summary over all answers."""

    attempts: int
    wins: int
    resid: float
    dec: tuple[float, ...]  # at the last answer (position attempts - 1), including it
    recent: tuple[bool, ...]  # newest first


_EMPTY_TOTAL = TotalHistory(0, 0, 0.0, (0.0,) * _N_DEC, ())


class HistoryState(NamedTuple):
    """One student's history summary (immutable; a model's ``update`` returns a new one).

    A named tuple rather than a dataclass: it is built once per answer on the hot path.
    """

    total: TotalHistory = _EMPTY_TOTAL
    skills: PMap[SkillHistory] = PMap()
    items: PMap[tuple[int, int]] = PMap()

    @property
    def n_answers(self) -> int:
        return self.total.attempts


def history_update(
    state: HistoryState,
    item: int,
    correct: bool,
    order: float,
    item_p: float,
    skills: tuple[int, ...],
) -> HistoryState:
    """``state`` after one more answer; ``item_p`` is the item's expected success rate.

    This is the online hot path, hence unrolled over the three decay factors.
    """
    win = 1 if correct else 0
    y = float(win)
    f = 1.0 - y
    e = y - item_p
    total = state.total
    pos = total.attempts
    traces = state.skills
    g0, g1, g2 = _G0, _G1, _G2
    new = tuple.__new__  # named tuples built without their Python-level __new__ (hot path)
    recent = new(Recent, (pos, correct, e, item, order))
    for s in skills:
        rec = traces.get(s)
        if rec is None:
            traces = traces.set(
                s, new(SkillHistory, (1, win, e, pos, (y, f, e, y, f, e, y, f, e), (recent,)))
            )
            continue
        gap = pos - rec.last_pos
        k0, k1, k2 = g0**gap, g1**gap, g2**gap
        d = rec.dec
        traces = traces.set(
            s,
            new(
                SkillHistory,
                (
                    rec.attempts + 1,
                    rec.wins + win,
                    rec.resid + e,
                    pos,
                    (
                        k0 * d[0] + y,
                        k0 * d[1] + f,
                        k0 * d[2] + e,
                        k1 * d[3] + y,
                        k1 * d[4] + f,
                        k1 * d[5] + e,
                        k2 * d[6] + y,
                        k2 * d[7] + f,
                        k2 * d[8] + e,
                    ),
                    (recent, *rec.recent[: RECENT_KEPT - 1]),
                ),
            ),
        )
    d = total.dec
    counts = state.items.get(item)
    return new(
        HistoryState,
        (
            new(
                TotalHistory,
                (
                    pos + 1,
                    total.wins + win,
                    total.resid + e,
                    (
                        g0 * d[0] + y,
                        g0 * d[1] + f,
                        g0 * d[2] + e,
                        g1 * d[3] + y,
                        g1 * d[4] + f,
                        g1 * d[5] + e,
                        g2 * d[6] + y,
                        g2 * d[7] + f,
                        g2 * d[8] + e,
                    ),
                    (correct, *total.recent[: TOTAL_LAGS - 1]),
                ),
            ),
            traces,
            state.items.set(item, (1, win) if counts is None else (counts[0] + 1, counts[1] + win)),
        ),
    )


@dataclass(frozen=True, eq=False)
class RawFeatures:
    """History summaries just before each answer: per row, and per (row, skill) pair.

    Lags hold -1 where the history is shorter; ``s_gap`` is -1 on a competency's first answer.
    Decayed columns are ordered (successes, failures, residuals) for each gamma in ``GAMMAS``.
    """

    item: IntArray
    pos: IntArray
    n_skills: IntArray
    t_att: FloatArray
    t_win: FloatArray
    t_res: FloatArray
    t_dec: FloatArray  # (n, 3 * len(GAMMAS))
    t_lag: FloatArray  # (n, TOTAL_LAGS)
    i_att: FloatArray
    i_win: FloatArray
    row: IntArray  # pair -> row
    skill: IntArray
    s_att: FloatArray
    s_win: FloatArray
    s_res: FloatArray
    s_dec: FloatArray  # (m, 3 * len(GAMMAS))
    s_lag: FloatArray  # (m, SKILL_LAGS)
    s_gap: FloatArray

    @property
    def n_rows(self) -> int:
        return int(self.item.shape[0])


def _exclusive_cumsum(group_start: IntArray, values: FloatArray) -> FloatArray:
    """Per contiguous group, the sum of the values before each element."""
    out = np.cumsum(values) - values
    n = values.shape[0]
    if n == 0:
        return out
    lengths = np.diff(np.r_[group_start, n])
    return out - np.repeat(out[group_start], lengths)


def _decayed(group: IntArray, pos: IntArray, values: FloatArray) -> FloatArray:
    """Per contiguous group: sum over earlier elements of gamma**(pos - pos') * value'.

    ``values`` is (n, 3 * len(GAMMAS)); column block g decays with ``GAMMAS[g]``.
    """
    n = values.shape[0]
    out = np.zeros_like(values)
    if n == 0:
        return out
    tm = time_major(group)
    v = values[tm.from_flat]
    p = pos[tm.from_flat].astype(np.float64)
    res = np.zeros_like(v)
    log_gamma = np.repeat(np.log(np.array(GAMMAS)), 3)
    for t in range(1, tm.n_steps):
        cur = tm.step(t)
        w = int(tm.width[t])
        start = int(tm.offsets[t - 1])
        prev = slice(start, start + w)
        factor = np.exp(np.outer(p[cur] - p[prev], log_gamma))
        res[cur] = factor * (res[prev] + v[prev])
    out[tm.from_flat] = res
    return out


def _lags(group: IntArray, values: FloatArray, n_lags: int) -> FloatArray:
    """Per contiguous group, the previous ``n_lags`` values (newest first), -1 when absent."""
    n = values.shape[0]
    out = np.full((n, n_lags), -1.0)
    for lag in range(1, n_lags + 1):
        if lag >= n:
            break
        same = group[lag:] == group[:-lag]
        col = out[lag:, lag - 1]
        col[same] = values[:-lag][same]
    return out


def batch_history(log: ResponseLog, item_p: FloatArray) -> RawFeatures:
    """History summaries before every answer of ``log``; ``item_p`` is each row's item rate."""
    n = log.n_responses
    y = log.correct.astype(np.float64)
    e = y - item_p
    pos = log.position()
    starts, _ = log.student_bounds()
    triple = np.tile(np.column_stack([y, 1.0 - y, e]), (1, len(GAMMAS)))
    t_dec = _decayed(log.student, pos, triple)
    t_lag = _lags(log.student, y, TOTAL_LAGS)
    t_att = pos.astype(np.float64)
    t_win = _exclusive_cumsum(starts, y)
    t_res = _exclusive_cumsum(starts, e)
    # per (student, item)
    n_items = max(log.n_items, 1)
    ikey = log.student * n_items + log.item
    o = np.lexsort((np.arange(n), ikey))
    ik = ikey[o]
    istart = np.flatnonzero(np.r_[True, ik[1:] != ik[:-1]]) if n else np.zeros(0, np.int64)
    i_att = np.empty(n)
    i_win = np.empty(n)
    ones = np.ones(n)
    i_att[o] = _exclusive_cumsum(istart, ones)
    i_win[o] = _exclusive_cumsum(istart, y[o])
    # per (student, skill)
    rows, skills = log.row_skills()
    key = log.student[rows] * max(log.n_skills, 1) + skills
    o = np.lexsort((rows, key))
    rows, skills, key = rows[o], skills[o], key[o]
    m = rows.shape[0]
    sstart = np.flatnonzero(np.r_[True, key[1:] != key[:-1]]) if m else np.zeros(0, np.int64)
    ry = y[rows]
    s_att = _exclusive_cumsum(sstart, np.ones(m))
    s_win = _exclusive_cumsum(sstart, ry)
    s_res = _exclusive_cumsum(sstart, e[rows])
    s_dec = _decayed(key, pos[rows], triple[rows])
    s_lag = _lags(key, ry, SKILL_LAGS)
    s_gap = np.full(m, -1.0)
    if m > 1:
        same = key[1:] == key[:-1]
        s_gap[1:][same] = (pos[rows][1:] - pos[rows][:-1])[same]
    n_skills = np.bincount(rows, minlength=n).astype(np.int64)
    return RawFeatures(
        item=log.item,
        pos=pos,
        n_skills=n_skills,
        t_att=t_att,
        t_win=t_win,
        t_res=t_res,
        t_dec=t_dec,
        t_lag=t_lag,
        i_att=i_att,
        i_win=i_win,
        row=rows,
        skill=skills,
        s_att=s_att,
        s_win=s_win,
        s_res=s_res,
        s_dec=s_dec,
        s_lag=s_lag,
        s_gap=s_gap,
    )


def _decay_to(dec: tuple[float, ...], gap: int) -> list[float]:
    out: list[float] = []
    for g, gamma in enumerate(GAMMAS):
        k = gamma**gap
        out += (k * dec[3 * g], k * dec[3 * g + 1], k * dec[3 * g + 2])
    return out


def state_features(
    state: HistoryState,
    items: list[int],
    item_skills: list[tuple[int, ...]],
    *,
    drop_recent: dict[int, int] | None = None,
) -> RawFeatures:
    """History summaries of one student as if answering each of ``items`` next.

    ``item_skills[k]`` are the skills of ``items[k]`` (an item code of -1 stands for "a typical
    item": no item history). ``drop_recent`` maps a skill to a number of its newest answers to
    leave out (counterfactual states for evidence attribution; totals are kept as they are).
    """
    total = state.total
    pos = total.attempts
    n = len(items)
    t_dec = [0.0] * _N_DEC if pos == 0 else _decay_to(total.dec, 1)
    t_lag = [float(v) for v in total.recent] + [-1.0] * (TOTAL_LAGS - len(total.recent))
    i_att: list[float] = []
    i_win: list[float] = []
    for it in items:
        counts = state.items.get(it) if it >= 0 else None
        i_att.append(0.0 if counts is None else float(counts[0]))
        i_win.append(0.0 if counts is None else float(counts[1]))
    rows: list[int] = []
    skills: list[int] = []
    s_num: list[tuple[float, float, float, float]] = []
    s_dec: list[list[float]] = []
    s_lag: list[list[float]] = []
    for r, sk in enumerate(item_skills):
        for s in sk:
            rows.append(r)
            skills.append(s)
            rec = state.skills.get(s)
            drop = 0 if drop_recent is None else drop_recent.get(s, 0)
            if rec is None or drop >= rec.attempts:
                s_num.append((0.0, 0.0, 0.0, -1.0))
                s_dec.append([0.0] * _N_DEC)
                s_lag.append([-1.0] * SKILL_LAGS)
                continue
            if drop > len(rec.recent) - 1:
                raise ValueError(f"skill {s}: history too short to leave out {drop} answers")
            gone = rec.recent[:drop]
            kept = rec.recent[drop:]
            dec = list(rec.dec)
            for old in gone:
                contribution = (1.0 if old.correct else 0.0, 0.0 if old.correct else 1.0, old.resid)
                for g, gamma in enumerate(GAMMAS):
                    k = gamma ** (rec.last_pos - old.pos)
                    for j in range(3):
                        dec[3 * g + j] -= k * contribution[j]
            s_num.append(
                (
                    float(rec.attempts - drop),
                    float(rec.wins - sum(1 for old in gone if old.correct)),
                    rec.resid - sum(old.resid for old in gone),
                    float(pos - kept[0].pos),
                )
            )
            s_dec.append(_decay_to(tuple(dec), pos - rec.last_pos))
            lag = [1.0 if old.correct else 0.0 for old in kept[:SKILL_LAGS]]
            if len(lag) < SKILL_LAGS and rec.attempts - drop > len(lag):
                raise ValueError(f"skill {s}: history too short to leave out {drop} answers")
            s_lag.append(lag + [-1.0] * (SKILL_LAGS - len(lag)))
    num = np.array(s_num, dtype=np.float64).reshape(-1, 4)
    return RawFeatures(
        item=np.array(items, dtype=np.int64),
        pos=np.full(n, pos, dtype=np.int64),
        n_skills=np.array([len(sk) for sk in item_skills], dtype=np.int64),
        t_att=np.full(n, float(pos)),
        t_win=np.full(n, float(total.wins)),
        t_res=np.full(n, total.resid),
        t_dec=np.tile(np.array(t_dec, dtype=np.float64), (n, 1)),
        t_lag=np.tile(np.array(t_lag, dtype=np.float64), (n, 1)),
        i_att=np.array(i_att, dtype=np.float64),
        i_win=np.array(i_win, dtype=np.float64),
        row=np.array(rows, dtype=np.int64),
        skill=np.array(skills, dtype=np.int64),
        s_att=num[:, 0].copy(),
        s_win=num[:, 1].copy(),
        s_res=num[:, 2].copy(),
        s_dec=np.array(s_dec, dtype=np.float64).reshape(-1, _N_DEC),
        s_lag=np.array(s_lag, dtype=np.float64).reshape(-1, SKILL_LAGS),
        s_gap=num[:, 3].copy(),
    )
