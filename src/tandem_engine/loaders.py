"""Readers for public knowledge-tracing logs, each into a :class:`ResponseLog`.

Formats: Gervet et al.'s preprocessed TSV with its Q-matrix, the AKT/DKVMN four-line sequence
format, the raw ASSISTments skill-builder export and the DataShop student-step export. A
malformed file raises :class:`LogFormatError` naming the file, the line and the problem.
"""

from __future__ import annotations

import csv
import io
import math
import os
import warnings
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

import numpy as np
import scipy.sparse as sp

from tandem_engine.log import ResponseLog, bool_csr

__all__ = [
    "LogFormatError",
    "TruncatedLineWarning",
    "kt_data_dir",
    "load_akt",
    "load_assistments",
    "load_datashop",
    "load_gervet",
    "load_gervet_split",
    "load_q_matrix",
]

GERVET_HEADER = ("user_id", "item_id", "timestamp", "correct", "skill_id")


class LogFormatError(ValueError):
    """A response-log file that cannot be read; says where and why."""

    def __init__(self, path: str | os.PathLike[str], line: int, problem: str) -> None:
        self.path = str(path)
        self.line = line
        self.problem = problem
        super().__init__(f"{self.path}, line {line}: {problem}")


class TruncatedLineWarning(UserWarning):
    """A file's last line was cut off and was skipped."""


def kt_data_dir(environ: Mapping[str, str] | None = None) -> Path:
    """Where the shared knowledge-tracing data lives: ``$TANDEM_SHARED_DIR/data/kt``, else
    ``<repo>/../shared/data/kt``."""
    env = os.environ if environ is None else environ
    shared = env.get("TANDEM_SHARED_DIR")
    if shared:
        return Path(shared) / "data" / "kt"
    return Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "kt"


def _int(path: Path, line: int, name: str, text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise LogFormatError(path, line, f"{name} {text!r} is not an integer") from None


def _binary(path: Path, line: int, name: str, text: str) -> int:
    value = text.strip()
    if value in ("0", "1"):
        return int(value)
    if value in ("0.0", "1.0"):
        return int(float(value))
    raise LogFormatError(path, line, f"{name} {text!r} is not 0 or 1")


# -- Gervet TSV --------------------------------------------------------------------------------


def load_q_matrix(path: str | os.PathLike[str]) -> sp.csr_matrix:
    """An items x skills scipy sparse matrix saved with ``scipy.sparse.save_npz``."""
    try:
        q = sp.load_npz(path)
    except (OSError, ValueError) as exc:
        raise LogFormatError(path, 0, f"not a scipy sparse .npz matrix ({exc})") from None
    return bool_csr(q)


def _read_gervet_rows(path: Path) -> tuple[np.ndarray, int]:
    """The (n, 5) int64 table of a Gervet file and its first data line number."""
    text = path.read_text(encoding="utf-8")
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if not lines:
        raise LogFormatError(path, 1, "empty file, expected a header line")
    header = tuple(lines[0].rstrip("\r").split("\t"))
    if header != GERVET_HEADER:
        raise LogFormatError(
            path, 1, f"header is {'/'.join(header)!r}, expected {'/'.join(GERVET_HEADER)!r}"
        )
    body = lines[1:]
    # Fast path: every line has five tab-separated integers.
    if sum(line.count("\t") for line in body) == 4 * len(body):
        try:
            table = np.array("\t".join(body).split(), dtype=np.int64)
            if table.shape[0] == 5 * len(body):
                return table.reshape(-1, 5), 2
        except ValueError:
            pass
    # Slow path: find and name the first bad line.
    for number, line in enumerate(body, start=2):
        fields = line.rstrip("\r").split("\t")
        if len(fields) != 5:
            raise LogFormatError(path, number, f"{len(fields)} tab-separated fields, expected 5")
        for name, value in zip(GERVET_HEADER, fields, strict=True):
            _int(path, number, name, value)
    raise AssertionError("unreachable: fast path rejected a well-formed file")  # pragma: no cover


def load_gervet(
    path: str | os.PathLike[str],
    q_matrix: sp.spmatrix | sp.sparray | str | os.PathLike[str] | None = None,
    *,
    skills: Literal["q_matrix", "combination"] = "q_matrix",
    n_combinations: int | None = None,
) -> ResponseLog:
    """Read one Gervet ``preprocessed_data_*.csv`` (tab-separated, despite the name).

    Items are the Q-matrix rows (``q_mat.npz`` next to the file by default). With
    ``skills="combination"`` each value of the ``skill_id`` column (which names the answer's
    *combination* of skills) is a skill of its own, as pyBKT and most papers fed this data;
    the Q-matrix file is then only used for the number of items.

    Some logs (algebra05 and its kind) tag one item with several ``skill_id`` values on
    different rows. Such an item is not refused: it is tagged with every combination it appears
    with (its Q-matrix row is the union), so each of its answers is an opportunity on each of
    those combinations, exactly as a multi-skill item in the Q-matrix view. How many items
    this concerned is recorded in the log's ``notes``. (The ``skills="q_matrix"`` view never
    meets the problem: it reads the items' skills from ``q_mat.npz``.)
    """
    p = Path(path)
    table, first_line = _read_gervet_rows(p)
    if isinstance(q_matrix, (str, os.PathLike)) or q_matrix is None:
        q = load_q_matrix(p.parent / "q_mat.npz" if q_matrix is None else q_matrix)
    else:
        q = bool_csr(q_matrix)
    user, item, stamp, correct, combo = table.T
    for name, column, limit in (
        ("user_id", user, None),
        ("item_id", item, q.shape[0]),
        ("skill_id", combo, None),
        ("correct", correct, 2),
    ):
        bad = (column < 0) if limit is None else ((column < 0) | (column >= limit))
        if bad.any():
            row = int(np.flatnonzero(bad)[0])
            expected = "a non-negative integer" if limit is None else f"in [0, {limit})"
            raise LogFormatError(p, row + first_line, f"{name} {column[row]} is not {expected}")
    student_codes, student = np.unique(user, return_inverse=True)
    notes: list[str] = []
    if skills == "combination":
        q = _combination_q(p, item, combo, q.shape[0], n_combinations, first_line, notes)
        skill_ids = tuple(str(k) for k in range(q.shape[1]))
    else:
        skill_ids = tuple(str(k) for k in range(q.shape[1]))
    return ResponseLog.from_arrays(
        student=student,
        item=item,
        correct=correct,
        order=np.arange(item.shape[0], dtype=np.float64),
        timestamp=np.where(stamp > 0, stamp.astype(np.float64), np.nan),
        q_matrix=q,
        student_ids=[str(u) for u in student_codes.tolist()],
        item_ids=[str(k) for k in range(q.shape[0])],
        skill_ids=skill_ids,
        notes=notes,
    )


def _combination_q(
    path: Path,
    item: np.ndarray,
    combo: np.ndarray,
    n_items: int,
    n_combinations: int | None,
    first_line: int,
    notes: list[str],
) -> sp.csr_matrix:
    """Items x combinations: each item tagged with every combination it appears with."""
    n_combo = (
        (int(combo.max()) + 1 if combo.size else 0) if n_combinations is None else n_combinations
    )
    if combo.size and combo.max() >= n_combo:
        row = int(np.argmax(combo >= n_combo))
        raise LogFormatError(
            path, row + first_line, f"skill_id {combo[row]} exceeds n_combinations={n_combo}"
        )
    pairs = np.unique(item * max(n_combo, 1) + combo)
    rows, cols = pairs // max(n_combo, 1), pairs % max(n_combo, 1)
    per_item = np.bincount(rows, minlength=n_items)
    n_multi = int((per_item > 1).sum())
    if n_multi:
        n_rows = int((per_item[item] > 1).sum())
        notes.append(
            f"{n_multi} items appear with several skill_id values ({n_rows} rows); each is "
            "tagged with all of its combinations"
        )
    return bool_csr(
        sp.csr_matrix(
            (np.ones(rows.shape[0], dtype=np.bool_), (rows, cols)), shape=(n_items, n_combo)
        )
    )


def load_gervet_split(
    directory: str | os.PathLike[str] | None = None,
    *,
    skills: Literal["q_matrix", "combination"] = "q_matrix",
) -> tuple[ResponseLog, ResponseLog]:
    """The Gervet train and test logs with one shared item and skill vocabulary."""
    d = Path(directory) if directory is not None else kt_data_dir() / "assist2009" / "gervet"
    q = load_q_matrix(d / "q_mat.npz")
    n_combo = None
    if skills == "combination":
        n_combo = 1 + max(
            int(_read_gervet_rows(d / f"preprocessed_data_{part}.csv")[0][:, 4].max())
            for part in ("train", "test")
        )
    train = load_gervet(d / "preprocessed_data_train.csv", q, skills=skills, n_combinations=n_combo)
    test = load_gervet(d / "preprocessed_data_test.csv", q, skills=skills, n_combinations=n_combo)
    if skills == "combination":
        # Items seen only in one file get their combination from the other.
        merged = (train.q_matrix.astype(np.int8) + test.q_matrix.astype(np.int8)) > 0
        train = train.with_q_matrix(merged, train.skill_ids)
        test = test.with_q_matrix(merged, test.skill_ids)
    return train, test


# -- AKT four-line sequences ---------------------------------------------------------------------


def load_akt(
    path: str | os.PathLike[str],
    *,
    n_items: int | None = None,
    n_skills: int | None = None,
    merge_repeated_skills: bool = True,
) -> ResponseLog:
    """Read the AKT/DKVMN format: per student, ``index,user_id`` / problems / skills / answers.

    The format repeats a multi-skill attempt once per skill on consecutive positions; with
    ``merge_repeated_skills`` (the default) such a run (same problem, same answer, different
    skills) becomes one answer to an item tagged with all those skills, which removes the
    known leak of scoring the repeats. Problem and skill ids are kept as codes.
    """
    p = Path(path)
    lines = p.read_text(encoding="utf-8").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if len(lines) % 4:
        raise LogFormatError(
            p,
            len(lines),
            f"file ends in the middle of a student's record ({len(lines)} lines is not a "
            "multiple of 4)",
        )
    students: list[str] = []
    s_codes: list[np.ndarray] = []
    problems: list[np.ndarray] = []
    skill_cols: list[np.ndarray] = []
    answers: list[np.ndarray] = []
    for start in range(0, len(lines), 4):
        head = lines[start].strip().split(",")
        if len(head) != 2:
            raise LogFormatError(p, start + 1, "expected 'index,user_id'")
        rows = []
        for offset, name in ((1, "problem id"), (2, "skill id"), (3, "answer")):
            number = start + offset + 1
            fields = [f for f in lines[number - 1].strip().split(",") if f != ""]
            try:
                values = np.array(fields, dtype=np.int64)
            except ValueError:
                bad = next(f for f in fields if not f.strip().lstrip("-").isdigit())
                raise LogFormatError(p, number, f"{name} {bad!r} is not an integer") from None
            if (values < 0).any():
                raise LogFormatError(p, number, f"negative {name} {values[values < 0][0]}")
            rows.append(values)
        prob, skill, ans = rows
        if not (prob.shape == skill.shape == ans.shape):
            raise LogFormatError(
                p,
                start + 2,
                f"{prob.shape[0]} problems, {skill.shape[0]} skills and {ans.shape[0]} answers "
                "for one student",
            )
        if not np.isin(ans, (0, 1)).all():
            raise LogFormatError(p, start + 4, "answers must be 0 or 1")
        students.append(head[1].strip())
        s_codes.append(np.full(prob.shape[0], len(students) - 1, dtype=np.int64))
        problems.append(prob)
        skill_cols.append(skill)
        answers.append(ans)
    student = np.concatenate(s_codes) if s_codes else np.zeros(0, np.int64)
    prob = np.concatenate(problems) if problems else np.zeros(0, np.int64)
    skill = np.concatenate(skill_cols) if skill_cols else np.zeros(0, np.int64)
    ans = np.concatenate(answers) if answers else np.zeros(0, np.int64)
    n_i = int(prob.max()) + 1 if n_items is None and prob.size else (n_items or 0)
    n_s = int(skill.max()) + 1 if n_skills is None and skill.size else (n_skills or 0)
    if prob.size and prob.max() >= n_i:
        raise LogFormatError(p, 0, f"problem id {prob.max()} exceeds n_items={n_i}")
    if skill.size and skill.max() >= n_s:
        raise LogFormatError(p, 0, f"skill id {skill.max()} exceeds n_skills={n_s}")
    q = sp.csr_matrix(
        (np.ones(prob.shape[0], dtype=np.bool_), (prob, skill)), shape=(n_i, n_s), dtype=np.bool_
    )
    keep = np.ones(prob.shape[0], dtype=np.bool_)
    notes: list[str] = []
    if merge_repeated_skills and prob.size > 1:
        repeat = (
            (student[1:] == student[:-1])
            & (prob[1:] == prob[:-1])
            & (ans[1:] == ans[:-1])
            & (skill[1:] != skill[:-1])
        )
        keep[1:] = ~repeat
        if repeat.any():
            notes.append(f"merged {int(repeat.sum())} repeated multi-skill rows")
    return ResponseLog.from_arrays(
        student=student[keep],
        item=prob[keep],
        correct=ans[keep],
        q_matrix=q,
        student_ids=students,
        item_ids=[str(k) for k in range(n_i)],
        skill_ids=[str(k) for k in range(n_s)],
        notes=notes,
    )


# -- raw ASSISTments export ----------------------------------------------------------------------


def _decode(path: Path, encoding: str | None) -> str:
    data = path.read_bytes()
    if encoding is not None:
        return data.decode(encoding)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # The public ASSISTments exports are Latin-1 (skill names with accents and symbols).
        return data.decode("latin-1")


def _skill_label(text: str) -> str:
    """'12.0' and '12' name the same skill."""
    value = text.strip()
    try:
        number = float(value)
    except ValueError:
        return value
    return str(int(number)) if math.isfinite(number) and number.is_integer() else value


def load_assistments(
    path: str | os.PathLike[str],
    *,
    encoding: str | None = None,
    originals_only: bool = True,
) -> ResponseLog:
    """Read a raw ASSISTments skill-builder export (comma-separated, one row per attempt-skill).

    Needs the columns ``order_id``, ``user_id``, ``problem_id``, ``correct`` and ``skill_id``.
    The encoding is UTF-8 if the bytes decode as such, else Latin-1 (the public 2009 file is);
    pass ``encoding`` to force one. Rows sharing an ``order_id`` (one attempt tagged with
    several skills) become one answer; an empty ``skill_id`` leaves the item untagged. With
    ``originals_only`` scaffolding rows (``original`` = 0) are dropped.
    """
    p = Path(path)
    reader = csv.reader(io.StringIO(_decode(p, encoding), newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise LogFormatError(p, 1, "empty file, expected a header line") from None
    column = {name.strip(): k for k, name in enumerate(header)}
    required = ("order_id", "user_id", "problem_id", "correct", "skill_id")
    missing = [name for name in required if name not in column]
    if missing:
        raise LogFormatError(p, 1, "missing column(s) " + ", ".join(missing))
    c_order, c_user, c_prob = column["order_id"], column["user_id"], column["problem_id"]
    c_corr, c_skill = column["correct"], column["skill_id"]
    c_orig = column.get("original")
    seen: dict[int, int] = {}  # order_id -> answer index
    users: list[str] = []
    probs: list[str] = []
    orders: list[int] = []
    correct: list[int] = []
    pairs: set[tuple[str, str]] = set()
    for row in reader:
        number = reader.line_num
        if not row:
            continue
        if len(row) != len(header):
            raise LogFormatError(p, number, f"{len(row)} fields, the header has {len(header)}")
        if c_orig is not None and originals_only and row[c_orig].strip() == "0":
            continue
        order_id = _int(p, number, "order_id", row[c_order])
        answer = _binary(p, number, "correct", row[c_corr])
        problem = row[c_prob].strip()
        if not problem or not row[c_user].strip():
            raise LogFormatError(p, number, "empty user_id or problem_id")
        skill = _skill_label(row[c_skill])
        if skill:
            pairs.add((problem, skill))
        if order_id in seen:
            k = seen[order_id]
            if probs[k] != problem or correct[k] != answer or users[k] != row[c_user].strip():
                raise LogFormatError(
                    p, number, f"order_id {order_id} repeats with a different attempt"
                )
            continue
        seen[order_id] = len(orders)
        users.append(row[c_user].strip())
        probs.append(problem)
        orders.append(order_id)
        correct.append(answer)
    return _from_labels(p, users, probs, correct, orders, None, pairs, [])


def _from_labels(
    path: Path,
    users: Sequence[str],
    items: Sequence[str],
    correct: Sequence[int],
    order: Sequence[float],
    timestamp: Sequence[float] | None,
    pairs: set[tuple[str, str]],
    notes: list[str],
) -> ResponseLog:
    user_ids, student = np.unique(np.array(users, dtype=object), return_inverse=True)
    item_ids, item = np.unique(np.array(items, dtype=object), return_inverse=True)
    item_index = {label: k for k, label in enumerate(item_ids.tolist())}
    skill_labels = sorted({skill for _, skill in pairs})
    skill_index = {label: k for k, label in enumerate(skill_labels)}
    known = [(item_index[i], skill_index[s]) for i, s in pairs if i in item_index]
    rows = np.array([a for a, _ in known], dtype=np.int64)
    cols = np.array([b for _, b in known], dtype=np.int64)
    q = sp.csr_matrix(
        (np.ones(rows.shape[0], dtype=np.bool_), (rows, cols)),
        shape=(len(item_ids), len(skill_labels)),
        dtype=np.bool_,
    )
    return ResponseLog.from_arrays(
        student=student,
        item=item,
        correct=np.array(correct, dtype=np.int64),
        order=np.array(order, dtype=np.float64),
        timestamp=None if timestamp is None else np.array(timestamp, dtype=np.float64),
        q_matrix=q,
        student_ids=[str(u) for u in user_ids.tolist()],
        item_ids=[str(i) for i in item_ids.tolist()],
        skill_ids=skill_labels,
        notes=notes,
    )


# -- DataShop student-step export ----------------------------------------------------------------


def _datashop_time(path: Path, line: int, text: str) -> float:
    value = text.strip()
    if not value:
        return math.nan
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise LogFormatError(path, line, f"time {value!r} is not a date and time") from None
    if moment.tzinfo is None:  # DataShop writes the tutor's local time; we read it as UTC.
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


def load_datashop(
    path: str | os.PathLike[str], *, kc_model: str = "Default", encoding: str | None = None
) -> ResponseLog:
    """Read a DataShop / KDD Cup student-step export (tab-separated, one row per step).

    An item is a (problem, step) pair; its skills are the ``KC(<kc_model>)`` column split on
    ``~~``; the answer is ``Correct First Attempt``. A last line without its newline is taken
    as cut off (exports end every line): it is skipped, listed in ``notes`` and reported with a
    :class:`TruncatedLineWarning`. Any other malformed line is an error.
    """
    p = Path(path)
    text = _decode(p, encoding)
    lines = text.split("\n")
    notes: list[str] = []
    if lines and lines[-1] == "":
        lines.pop()
    elif lines and len(lines) > 1:
        cut = len(lines)
        lines.pop()
        note = f"line {cut} has no line end (file cut off); skipped it"
        notes.append(note)
        warnings.warn(f"{p}: {note}", TruncatedLineWarning, stacklevel=2)
    if not lines:
        raise LogFormatError(p, 1, "empty file, expected a header line")
    header = [h.strip() for h in lines[0].rstrip("\r").split("\t")]
    column = {name: k for k, name in enumerate(header)}
    kc_column = f"KC({kc_model})"
    required = ("Anon Student Id", "Problem Name", "Step Name", "Correct First Attempt")
    missing = [name for name in (*required, kc_column) if name not in column]
    if missing:
        raise LogFormatError(p, 1, "missing column(s) " + ", ".join(missing))
    c_user, c_prob, c_step = (column[n] for n in required[:3])
    c_corr, c_kc = column["Correct First Attempt"], column[kc_column]
    c_time = column.get("First Transaction Time")
    c_hier = column.get("Problem Hierarchy")
    users: list[str] = []
    items: list[str] = []
    correct: list[int] = []
    stamps: list[float] = []
    pairs: set[tuple[str, str]] = set()
    for number, line in enumerate(lines[1:], start=2):
        fields = line.rstrip("\r").split("\t")
        if len(fields) != len(header):
            raise LogFormatError(p, number, f"{len(fields)} fields, the header has {len(header)}")
        user = fields[c_user].strip()
        if not user:
            raise LogFormatError(p, number, "empty Anon Student Id")
        unit = fields[c_hier].strip() + "|" if c_hier is not None else ""
        item = f"{unit}{fields[c_prob].strip()}|{fields[c_step].strip()}"
        answer = _binary(p, number, "Correct First Attempt", fields[c_corr])
        stamps.append(_datashop_time(p, number, fields[c_time]) if c_time is not None else 0.0)
        for kc in fields[c_kc].split("~~"):
            if kc.strip():
                pairs.add((item, kc.strip()))
        users.append(user)
        items.append(item)
        correct.append(answer)
    stamp_array = np.array(stamps, dtype=np.float64)
    # Steps without a first transaction take the time of the step before them in the file.
    known = ~np.isnan(stamp_array)
    last_known = np.maximum.accumulate(np.where(known, np.arange(stamp_array.shape[0]), 0))
    order = np.where(known[last_known], stamp_array[last_known], 0.0)
    return _from_labels(
        p,
        users,
        items,
        correct,
        order.tolist(),
        stamp_array.tolist() if c_time is not None else None,
        pairs,
        notes,
    )
