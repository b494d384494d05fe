"""Simulated students with known hidden mastery, drawn from known BKT parameters.

Used to check that fitting recovers parameters and that mastery decisions are right as often
as claimed. All randomness comes from a seeded numpy Generator.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from tandem_engine.bkt import BKTParams
from tandem_engine.log import BoolArray, ResponseLog


@dataclass(frozen=True, eq=False)
class SimulatedLog:
    """A simulated log and each row's hidden truth.

    ``known_before[r]``: the student had mastered row r's skill when answering it;
    ``known_after[r]``: mastered after that answer's learning opportunity (what a model's
    updated mastery estimate is about).
    """

    log: ResponseLog
    known_before: BoolArray
    known_after: BoolArray


def simulate_bkt(
    params: Sequence[BKTParams],
    *,
    n_students: int,
    n_steps: int,
    items_per_skill: int = 10,
    random_state: int | np.random.Generator | None = None,
) -> SimulatedLog:
    """Each student practises every skill ``n_steps`` times (skill by skill, in order).

    Items are drawn uniformly among the skill's ``items_per_skill`` items; each item belongs to
    exactly one skill. Rows come out sorted by student then order, like every log.
    """
    rng = np.random.default_rng(random_state)
    n_skills = len(params)
    p = np.array(
        [[q.p_init, q.p_learn, q.p_guess, q.p_slip, q.p_forget] for q in params], dtype=np.float64
    ).T
    init, learn, guess, slip, forget = p
    # (student, skill, step) arrays, then flattened in that order
    known = rng.random((n_students, n_skills)) < init[None, :]
    correct = np.empty((n_students, n_skills, n_steps), dtype=np.bool_)
    before = np.empty_like(correct)
    after = np.empty_like(correct)
    for t in range(n_steps):
        before[:, :, t] = known
        u = rng.random((n_students, n_skills))
        correct[:, :, t] = np.where(known, u >= slip[None, :], u < guess[None, :])
        v = rng.random((n_students, n_skills))
        known = np.where(known, v >= forget[None, :], v < learn[None, :])
        after[:, :, t] = known
    item_in_skill = rng.integers(0, items_per_skill, (n_students, n_skills, n_steps))
    item = item_in_skill + items_per_skill * np.arange(n_skills)[None, :, None]
    student = np.broadcast_to(np.arange(n_students)[:, None, None], item.shape)
    n_items = n_skills * items_per_skill
    q = sp.csr_matrix(
        (
            np.ones(n_items, dtype=np.bool_),
            (np.arange(n_items), np.arange(n_items) // items_per_skill),
        ),
        shape=(n_items, n_skills),
    )
    log = ResponseLog.from_arrays(
        student=student.ravel(),
        item=item.ravel(),
        correct=correct.ravel(),
        q_matrix=q,
        order=np.broadcast_to(
            np.arange(n_skills * n_steps), (n_students, n_skills * n_steps)
        ).ravel(),
    )
    return SimulatedLog(log=log, known_before=before.ravel(), known_after=after.ravel())
