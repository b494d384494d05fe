"""The response log: every model's input, a compact immutable table of students' answers.

Rows are sorted by student, then by ``order`` (a timestamp or a sequence number), so that a
model can scan each student's history front to back with array operations.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np
import scipy.sparse as sp
from numpy.typing import ArrayLike, NDArray

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]


class Response(NamedTuple):
    """One answer, as the online ``update`` of every model takes it.

    ``item`` indexes the fitted model's item vocabulary (``model.item_ids_``). ``order`` places
    the answer in the student's history (any increasing number: seconds since the epoch in UTC,
    or a sequence number); models that use it for forgetting only look at differences.
    """

    item: int
    correct: bool
    order: float = 0.0


def bool_csr(matrix: Any) -> sp.csr_matrix:
    """Any 2-D array or scipy sparse matrix as a canonical boolean CSR matrix."""
    q = sp.csr_matrix(matrix, dtype=np.bool_)
    q.sum_duplicates()
    q.eliminate_zeros()
    q.sort_indices()
    return q


def item_skill_tuples(q: sp.csr_matrix) -> tuple[tuple[int, ...], ...]:
    """Each item's skills as a tuple of ints (for the online hot paths)."""
    indices: list[int] = q.indices.tolist()
    bounds: list[int] = q.indptr.tolist()
    return tuple(tuple(indices[a:b]) for a, b in itertools.pairwise(bounds))


@dataclass(frozen=True, eq=False)
class ResponseLog:
    """Students' answers, sorted by student then order, with the item x skill Q-matrix.

    ``student`` and ``item`` are codes into ``student_ids`` and ``item_ids``; ``q_matrix`` is a
    boolean CSR matrix (items x skills) whose columns are named by ``skill_ids``. An item may
    belong to several skills, or to none. ``timestamp`` is seconds since the Unix epoch (UTC),
    NaN where unknown. ``notes`` records what a loader had to tolerate (e.g. a cut last line).
    Build one with :meth:`from_arrays`, which sorts and validates.
    """

    student: IntArray
    item: IntArray
    correct: BoolArray
    order: FloatArray
    timestamp: FloatArray
    q_matrix: sp.csr_matrix
    student_ids: tuple[str, ...]
    item_ids: tuple[str, ...]
    skill_ids: tuple[str, ...]
    notes: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        problems = self.violations()
        if problems:
            raise ValueError("invalid response log: " + "; ".join(problems))

    # -- construction ------------------------------------------------------------------------

    @classmethod
    def from_arrays(
        cls,
        *,
        student: ArrayLike,
        item: ArrayLike,
        correct: ArrayLike,
        q_matrix: sp.spmatrix | sp.sparray | ArrayLike,
        order: ArrayLike | None = None,
        timestamp: ArrayLike | None = None,
        student_ids: Sequence[str] | None = None,
        item_ids: Sequence[str] | None = None,
        skill_ids: Sequence[str] | None = None,
        notes: Sequence[str] = (),
    ) -> ResponseLog:
        """Validate and stable-sort by (student, order); ``order`` defaults to row order."""
        s = np.asarray(student, dtype=np.int64).ravel()
        n = s.shape[0]
        i = np.asarray(item, dtype=np.int64).ravel()
        c = np.asarray(correct).ravel()
        if c.dtype != np.bool_:
            if c.size and not np.isin(c, (0, 1)).all():
                raise ValueError("correct must hold only 0/1 or booleans")
            c = c.astype(np.bool_)
        o = np.arange(n, dtype=np.float64) if order is None else np.asarray(order, np.float64)
        t = np.full(n, np.nan) if timestamp is None else np.asarray(timestamp, np.float64)
        q = bool_csr(q_matrix)
        n_students = int(s.max()) + 1 if n else 0
        if student_ids is None:
            student_ids = [str(k) for k in range(n_students)]
        if item_ids is None:
            item_ids = [str(k) for k in range(q.shape[0])]
        if skill_ids is None:
            skill_ids = [str(k) for k in range(q.shape[1])]
        if o.shape == (n,) and s.shape == (n,):
            perm = np.lexsort((o, s))
            if not np.array_equal(perm, np.arange(n)):
                s, o = s[perm], o[perm]
                i = i[perm] if i.shape == (n,) else i
                c = c[perm] if c.shape == (n,) else c
                t = t[perm] if t.shape == (n,) else t
        return cls(
            student=s,
            item=i,
            correct=c,
            order=o,
            timestamp=t,
            q_matrix=q,
            student_ids=tuple(student_ids),
            item_ids=tuple(item_ids),
            skill_ids=tuple(skill_ids),
            notes=tuple(notes),
        )

    def violations(self) -> list[str]:
        """Every structural problem of this log, in words; empty when valid."""
        problems: list[str] = []
        n = self.student.shape[0]
        for name in ("item", "correct", "order", "timestamp"):
            if getattr(self, name).shape != (n,):
                problems.append(f"{name} has shape {getattr(self, name).shape}, expected ({n},)")
        if problems:
            return problems
        if self.q_matrix.shape != (len(self.item_ids), len(self.skill_ids)):
            problems.append(
                f"q_matrix shape {self.q_matrix.shape} does not match "
                f"{len(self.item_ids)} items x {len(self.skill_ids)} skills"
            )
        if n:
            if self.student.min() < 0 or self.student.max() >= len(self.student_ids):
                problems.append("student codes fall outside student_ids")
            if self.item.min() < 0 or self.item.max() >= len(self.item_ids):
                problems.append("item codes fall outside item_ids")
            if np.isnan(self.order).any():
                problems.append("order holds NaN")
            same = self.student[1:] == self.student[:-1]
            if (np.diff(self.student) < 0).any() or (
                self.order[1:][same] < self.order[:-1][same]
            ).any():
                problems.append("rows are not sorted by student then order")
        return problems

    # -- views ---------------------------------------------------------------------------------

    @property
    def n_responses(self) -> int:
        return int(self.student.shape[0])

    @property
    def n_students(self) -> int:
        return len(self.student_ids)

    @property
    def n_items(self) -> int:
        return len(self.item_ids)

    @property
    def n_skills(self) -> int:
        return len(self.skill_ids)

    def __len__(self) -> int:
        return self.n_responses

    def position(self) -> IntArray:
        """Each row's index within its student's history (0 for a student's first answer)."""
        n = self.n_responses
        if n == 0:
            return np.zeros(0, dtype=np.int64)
        start = np.flatnonzero(np.r_[True, self.student[1:] != self.student[:-1]])
        run = np.diff(np.r_[start, n])
        return np.arange(n, dtype=np.int64) - np.repeat(start, run)

    def row_skills(self) -> tuple[IntArray, IntArray]:
        """The (row, skill) pairs of the log: one pair per skill of each answered item."""
        q = self.q_matrix
        per_item = np.diff(q.indptr)
        counts = per_item[self.item]
        rows = np.repeat(np.arange(self.n_responses, dtype=np.int64), counts)
        starts = np.repeat(q.indptr[self.item].astype(np.int64), counts)
        first_of_row = np.repeat(np.cumsum(counts) - counts, counts)
        offsets = np.arange(rows.shape[0], dtype=np.int64) - first_of_row
        skills = q.indices[starts + offsets].astype(np.int64)
        return rows, skills

    def select(self, rows: IntArray | BoolArray) -> ResponseLog:
        """The log restricted to some rows (order kept; vocabularies unchanged)."""
        return ResponseLog(
            student=self.student[rows],
            item=self.item[rows],
            correct=self.correct[rows],
            order=self.order[rows],
            timestamp=self.timestamp[rows],
            q_matrix=self.q_matrix,
            student_ids=self.student_ids,
            item_ids=self.item_ids,
            skill_ids=self.skill_ids,
            notes=self.notes,
        )

    def with_q_matrix(
        self, q_matrix: sp.spmatrix | sp.sparray, skill_ids: Sequence[str] | None = None
    ) -> ResponseLog:
        """The same answers read through another item x skill mapping."""
        q = bool_csr(q_matrix)
        return ResponseLog(
            student=self.student,
            item=self.item,
            correct=self.correct,
            order=self.order,
            timestamp=self.timestamp,
            q_matrix=q,
            student_ids=self.student_ids,
            item_ids=self.item_ids,
            skill_ids=tuple(skill_ids)
            if skill_ids is not None
            else tuple(str(k) for k in range(q.shape[1])),
            notes=self.notes,
        )

    def responses_of(self, student: int) -> list[Response]:
        """One student's answers as :class:`Response` values, in order."""
        lo, hi = np.searchsorted(self.student, [student, student + 1])
        return [
            Response(int(i), bool(c), float(o))
            for i, c, o in zip(
                self.item[lo:hi], self.correct[lo:hi], self.order[lo:hi], strict=True
            )
        ]

    def student_bounds(self) -> tuple[IntArray, IntArray]:
        """(first row, end row) of each student present in the log, in log order."""
        n = self.n_responses
        if n == 0:
            empty = np.zeros(0, dtype=np.int64)
            return empty, empty
        start = np.flatnonzero(np.r_[True, self.student[1:] != self.student[:-1]])
        return start.astype(np.int64), np.r_[start[1:], n].astype(np.int64)
