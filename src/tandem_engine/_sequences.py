"""Time-major layout of many sequences, so recurrences run as one numpy step per position.

Sequences (a student's answers on one skill, say) are sorted longest first; then at every
position ``t`` the sequences still running are a prefix ``0..width[t]-1``, and their elements
sit contiguously in a flat array. A recurrence over all sequences is a loop over positions with
slices, never a Python loop over answers.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tandem_engine.log import IntArray


@dataclass(frozen=True, eq=False)
class TimeMajor:
    """Where each element of grouped sequences sits in the time-major flat layout.

    ``to_flat[j]`` is the time-major slot of input element ``j``; ``offsets[t]`` and
    ``width[t]`` give the slice of position ``t``; ``seq_start[j]`` is the input index of the
    first element of the ``j``-th sequence in layout order (slot ``j`` of every step).
    """

    to_flat: IntArray
    from_flat: IntArray
    offsets: IntArray
    width: IntArray
    seq_start: IntArray

    @property
    def n_steps(self) -> int:
        return int(self.width.shape[0])

    def step(self, t: int) -> slice:
        start = int(self.offsets[t])
        return slice(start, start + int(self.width[t]))


def time_major(group: IntArray) -> TimeMajor:
    """Layout for elements already sorted so that each group's elements are contiguous, in order.

    ``group`` is non-decreasing in the sense of contiguity: equal codes form one run each.
    """
    n = group.shape[0]
    if n == 0:
        empty = np.zeros(0, dtype=np.int64)
        return TimeMajor(empty, empty, np.zeros(0, np.int64), np.zeros(0, np.int64), empty)
    starts = np.flatnonzero(np.r_[True, group[1:] != group[:-1]])
    lengths = np.diff(np.r_[starts, n])
    rank = np.arange(n, dtype=np.int64) - np.repeat(starts, lengths)
    # Longest first (stable, so ties keep input order): running sequences form a prefix.
    seq_order = np.argsort(-lengths, kind="stable")
    seq_rank = np.empty_like(seq_order)
    seq_rank[seq_order] = np.arange(seq_order.shape[0])
    elem_seq_rank = np.repeat(seq_rank, lengths)
    from_flat = np.lexsort((elem_seq_rank, rank)).astype(np.int64)
    to_flat = np.empty(n, dtype=np.int64)
    to_flat[from_flat] = np.arange(n, dtype=np.int64)
    width = np.bincount(rank).astype(np.int64)
    offsets = np.r_[0, np.cumsum(width)[:-1]].astype(np.int64)
    return TimeMajor(to_flat, from_flat, offsets, width, starts[seq_order].astype(np.int64))
