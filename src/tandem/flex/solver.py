"""Placing every student in one flex session per block: CP-SAT, and the first-come baseline.

Pure Python and OR-Tools, no Django: plain frozen values in, plain values out. What matters
is honoured lexicographically: required placements and manual moves ("pins") are hard, as are
capacities, grade ranges and rooms (one session per room and block); then the students' needs
(a session on a competency they are stuck on or ready for), then their ranked choices, in one
objective where a need point outweighs every choice point there could be; then, in a second
solve holding that objective, their default (homeroom or study hall). Bad input is refused
before solving with every conflict named (``ScheduleError``), so nothing half-made is ever
returned.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # imported where a week is solved: OR-Tools (and the pandas it loads)
    from ortools.sat.python import cp_model  # is ~100 MiB no other request needs

__all__ = [
    "Block",
    "FlexProblem",
    "Need",
    "Pin",
    "Placement",
    "Reason",
    "ReasonKind",
    "Schedule",
    "ScheduleError",
    "Session",
    "Student",
    "greedy_schedule",
    "solve",
    "validate",
]

# Points per choice: the first of up to MAX_CHOICES choices scores MAX_CHOICES, the last 1.
MAX_CHOICES = 5
DEFAULT_TIME_LIMIT_S = 8.0
DEFAULT_WORKERS = 2
# Of the time limit, what the first stage (needs, then choices) may use, and at most what the
# second (defaults, the least of the student's wishes) may use of what is left.
_FIRST_STAGE_SHARE = 0.75
_DEFAULT_SHARE = 0.4


class ScheduleError(ValueError):
    """The input cannot be scheduled; ``problems`` names every conflict in plain words."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = tuple(problems)
        super().__init__("; ".join(self.problems))


class ReasonKind(StrEnum):
    REQUIRED = "required"
    PINNED = "pinned"
    NEED = "need"
    CHOICE = "choice"
    DEFAULT = "default"
    OPEN_SEAT = "open_seat"


@dataclass(frozen=True)
class Reason:
    """Why a student is in a session: ``rank`` for a choice, ``competency_id`` for a need."""

    kind: ReasonKind
    rank: int | None = None
    competency_id: int | None = None

    def label(self, competency_names: Mapping[int, str] | None = None) -> str:
        if self.kind == ReasonKind.NEED:
            names = competency_names or {}
            name = names.get(self.competency_id or 0, f"competency {self.competency_id}")
            return f"need: {name}"
        if self.kind == ReasonKind.CHOICE:
            return f"choice #{self.rank}"
        return {
            ReasonKind.REQUIRED: "required by the teacher",
            ReasonKind.PINNED: "moved by hand",
            ReasonKind.DEFAULT: "default",
            ReasonKind.OPEN_SEAT: "open seat",
        }[self.kind]


@dataclass(frozen=True)
class Block:
    id: int
    name: str = ""


@dataclass(frozen=True)
class Session:
    """One session offered in one block. ``competency_id`` is its focus, if it has one."""

    id: int
    block_id: int
    capacity: int
    room: str
    grade_min: int
    grade_max: int
    title: str = ""
    kind: str = "competency"
    competency_id: int | None = None
    required: frozenset[int] = frozenset()


@dataclass(frozen=True)
class Need:
    """A competency the student is stuck on or ready for; ``weight`` 1–100, higher = pressing."""

    competency_id: int
    weight: int


@dataclass(frozen=True)
class Student:
    """``choices`` are session ids, best first (ranked within each block by their order);
    ``defaults`` maps a block id to the student's default session there."""

    id: int
    grade: int
    defaults: Mapping[int, int] = field(default_factory=dict)
    choices: tuple[int, ...] = ()
    needs: tuple[Need, ...] = ()


@dataclass(frozen=True)
class Pin:
    """A manual move: keep ``student_id`` in ``session_id`` whatever else changes."""

    student_id: int
    session_id: int


@dataclass(frozen=True)
class FlexProblem:
    blocks: tuple[Block, ...]
    sessions: tuple[Session, ...]
    students: tuple[Student, ...]
    pins: tuple[Pin, ...] = ()


@dataclass(frozen=True)
class Placement:
    student_id: int
    block_id: int
    session_id: int
    reason: Reason
    pinned: bool = False


@dataclass(frozen=True)
class Schedule:
    """A full schedule, with the need score and the choice score it reached and CP-SAT's proven
    bound on each (``need_*``, ``preference_*``; the choice bound holds given the best need
    score, else it is every student's best choice); ``*_gap`` is each score's relative gap."""

    status: str
    placements: tuple[Placement, ...]
    seconds: float
    need_objective: int = 0
    need_bound: int = 0
    preference_objective: int = 0
    preference_bound: int = 0

    @property
    def need_gap(self) -> float:
        return _gap(self.need_objective, self.need_bound)

    @property
    def preference_gap(self) -> float:
        return _gap(self.preference_objective, self.preference_bound)


def _gap(value: int, bound: int) -> float:
    return 0.0 if bound <= 0 else max(0.0, (bound - value) / bound)


# ---- the problem, indexed -------------------------------------------------------------------


@dataclass
class _Index:
    problem: FlexProblem
    sessions: dict[int, Session]
    by_block: dict[int, list[Session]]
    students: dict[int, Student]
    required_in: dict[tuple[int, int], int]  # (student, block) -> session
    pinned_in: dict[tuple[int, int], int]

    @classmethod
    def of(cls, problem: FlexProblem) -> _Index:
        sessions = {s.id: s for s in problem.sessions}
        by_block: dict[int, list[Session]] = defaultdict(list)
        for s in problem.sessions:
            by_block[s.block_id].append(s)
        required_in: dict[tuple[int, int], int] = {}
        for s in problem.sessions:
            for student_id in sorted(s.required):
                required_in.setdefault((student_id, s.block_id), s.id)
        pinned_in: dict[tuple[int, int], int] = {}
        for pin in problem.pins:
            if pin.session_id in sessions:
                pinned_in[(pin.student_id, sessions[pin.session_id].block_id)] = pin.session_id
        return cls(
            problem=problem,
            sessions=sessions,
            by_block=dict(by_block),
            students={st.id: st for st in problem.students},
            required_in=required_in,
            pinned_in=pinned_in,
        )

    def eligible(self, student: Student, block_id: int) -> list[Session]:
        return [
            s
            for s in self.by_block.get(block_id, [])
            if s.grade_min <= student.grade <= s.grade_max
        ]

    def ranked_choices(self, student: Student, block_id: int) -> dict[int, int]:
        """Session id -> rank (1 = first) among the student's choices in this block."""
        ranks: dict[int, int] = {}
        for session_id in student.choices:
            session = self.sessions.get(session_id)
            if session is not None and session.block_id == block_id and session_id not in ranks:
                ranks[session_id] = len(ranks) + 1
        return ranks

    def reason(self, student: Student, session: Session, *, pinned: bool) -> Reason:
        if student.id in session.required:
            return Reason(ReasonKind.REQUIRED)
        if pinned:
            return Reason(ReasonKind.PINNED)
        if session.competency_id is not None and any(
            n.competency_id == session.competency_id for n in student.needs
        ):
            return Reason(ReasonKind.NEED, competency_id=session.competency_id)
        rank = self.ranked_choices(student, session.block_id).get(session.id)
        if rank is not None:
            return Reason(ReasonKind.CHOICE, rank=rank)
        if student.defaults.get(session.block_id) == session.id:
            return Reason(ReasonKind.DEFAULT)
        return Reason(ReasonKind.OPEN_SEAT)


# ---- validation -----------------------------------------------------------------------------


def _session_name(session: Session) -> str:
    return f"“{session.title}”" if session.title else f"session {session.id}"


def _block_name(index: _Index, block_id: int) -> str:
    for block in index.problem.blocks:
        if block.id == block_id and block.name:
            return block.name
    return f"block {block_id}"


def validate(problem: FlexProblem) -> list[str]:
    """Every reason ``problem`` cannot be scheduled, in plain words (empty when it can)."""
    index = _Index.of(problem)
    problems: list[str] = []
    block_ids = {b.id for b in problem.blocks}
    rooms: dict[tuple[int, str], Session] = {}
    for s in problem.sessions:
        name = _session_name(s)
        if s.block_id not in block_ids:
            problems.append(f"{name} is in a block that does not exist.")
            continue
        if not s.room.strip():
            problems.append(f"{name} has no room.")
        else:
            key = (s.block_id, s.room.strip().casefold())
            if key in rooms:
                problems.append(
                    f"{name} and {_session_name(rooms[key])} are both in room {s.room} "
                    f"in {_block_name(index, s.block_id)}."
                )
            else:
                rooms[key] = s
        if s.capacity < 1:
            problems.append(f"{name} has no seats.")
        if len(s.required) > s.capacity:
            problems.append(
                f"{name} requires {len(s.required)} students but has only {s.capacity} seats."
            )
        if s.grade_min > s.grade_max:
            problems.append(f"{name} has its lowest grade above its highest.")
        for student_id in sorted(s.required):
            student = index.students.get(student_id)
            if student is None:
                problems.append(f"{name} requires a student who is not in this schedule.")
            elif not s.grade_min <= student.grade <= s.grade_max:
                problems.append(
                    f"{name} requires student {student_id} (grade {student.grade}), outside "
                    f"its grades {s.grade_min}–{s.grade_max}."
                )
    required_where: dict[tuple[int, int], list[Session]] = defaultdict(list)
    for s in problem.sessions:
        for student_id in s.required:
            required_where[(student_id, s.block_id)].append(s)
    for (student_id, block_id), sessions in sorted(required_where.items()):
        if len(sessions) > 1:
            names = " and ".join(_session_name(s) for s in sessions)
            problems.append(
                f"Student {student_id} is required in both {names} in "
                f"{_block_name(index, block_id)}."
            )
    for pin in problem.pins:
        session = index.sessions.get(pin.session_id)
        student = index.students.get(pin.student_id)
        if session is None or student is None:
            problems.append(f"A move by hand names a session or student that is gone ({pin}).")
            continue
        required = index.required_in.get((pin.student_id, session.block_id))
        if required is not None and required != pin.session_id:
            problems.append(
                f"Student {pin.student_id} was moved by hand to {_session_name(session)} but is "
                f"required in {_session_name(index.sessions[required])}."
            )
    for block in problem.blocks:
        sessions = index.by_block.get(block.id, [])
        seats = sum(max(0, s.capacity) for s in sessions)
        if seats < len(problem.students):
            problems.append(
                f"{_block_name(index, block.id)} has {len(problem.students)} students but only "
                f"{seats} seats."
            )
        by_grade: dict[int, int] = defaultdict(int)
        for student in problem.students:
            by_grade[student.grade] += 1
        for grade, count in sorted(by_grade.items()):
            open_seats = sum(
                max(0, s.capacity) for s in sessions if s.grade_min <= grade <= s.grade_max
            )
            if open_seats < count:
                problems.append(
                    f"{_block_name(index, block.id)} has {count} students in grade {grade} but "
                    f"only {open_seats} seats open to that grade."
                )
    return problems


# ---- CP-SAT ---------------------------------------------------------------------------------


def _candidates(index: _Index, student: Student, block_id: int, *, full: bool) -> list[Session]:
    """The sessions worth a variable: all eligible ones when ``full``, else those the student
    is required, pinned, needed, chose or defaulted to, and two study halls (picked by the
    student's id, so the halls share the overflow; fewer variables keep the model fast)."""
    eligible = index.eligible(student, block_id)
    fixed = index.required_in.get((student.id, block_id))
    if fixed is None:
        fixed = index.pinned_in.get((student.id, block_id))
    if fixed is not None:
        return [index.sessions[fixed]]
    if full:
        return eligible
    needs = {n.competency_id for n in student.needs}
    choices = set(index.ranked_choices(student, block_id))
    default = student.defaults.get(block_id)
    wanted = [
        s
        for s in eligible
        if s.id in choices
        or s.id == default
        or (s.competency_id is not None and s.competency_id in needs)
    ]
    halls = [s for s in eligible if s.kind == "study" and s not in wanted]
    if halls:
        first = student.id % len(halls)
        wanted.extend(
            {halls[first].id: halls[first], halls[first - 1].id: halls[first - 1]}.values()
        )
    return wanted


def _solve_once(
    index: _Index, *, full: bool, time_limit_s: float, workers: int, seed: int
) -> Schedule | None:
    from ortools.sat.python import cp_model

    started = time.perf_counter()
    problem = index.problem
    model = cp_model.CpModel()
    x: dict[tuple[int, int], cp_model.IntVar] = {}
    per_session: dict[int, list[cp_model.IntVar]] = defaultdict(list)
    need_terms: list[tuple[cp_model.IntVar, int]] = []
    pref_terms: list[tuple[cp_model.IntVar, int]] = []
    default_terms: list[cp_model.IntVar] = []
    owner: dict[int, tuple[int, int]] = {}
    fixed_credit = 0  # needs met by required placements and moves by hand: a constant
    for student in problem.students:
        weight_of = {n.competency_id: max(1, min(100, n.weight)) for n in student.needs}
        on_need: dict[int, list[cp_model.IntVar]] = defaultdict(list)
        fixed_on: set[int] = set()
        for block in problem.blocks:
            options = _candidates(index, student, block.id, full=full)
            if not options:
                return None
            fixed = len(options) == 1 and (
                (student.id, block.id) in index.required_in
                or (student.id, block.id) in index.pinned_in
            )
            ranks = index.ranked_choices(student, block.id)
            row = []
            for s in options:
                var = model.new_bool_var(f"x_{student.id}_{s.id}")
                x[(student.id, s.id)] = var
                owner[var.index] = (student.id, block.id)
                per_session[s.id].append(var)
                row.append(var)
                if s.competency_id is not None and s.competency_id in weight_of:
                    if fixed:
                        fixed_on.add(s.competency_id)
                    else:
                        on_need[s.competency_id].append(var)
                rank = ranks.get(s.id)
                if rank is not None and rank <= MAX_CHOICES:
                    pref_terms.append((var, MAX_CHOICES + 1 - rank))
                if student.defaults.get(block.id) == s.id:
                    default_terms.append(var)
            model.add_exactly_one(row)
        fixed_credit += sum(weight_of[c] for c in fixed_on)
        # A need counts once, however many blocks could serve it: credit goes to the seat
        # itself (a linking "met" variable would let the LP relaxation split a student
        # between two blocks' sessions for full credit, and the bound would be loose).
        for competency_id, vars_ in on_need.items():
            if competency_id in fixed_on:
                continue  # already met by a required placement or a move by hand
            if len(vars_) > 1:
                model.add_at_most_one(vars_)
            need_terms.extend((var, weight_of[competency_id]) for var in vars_)
    for session_id, vars_ in per_session.items():
        model.add(sum(vars_) <= index.sessions[session_id].capacity)

    # Needs before choices, strictly: one need point outweighs every choice point there could
    # be (``scale``), in one objective, because a second stage holding the need score behind a
    # dense constraint is far slower for CP-SAT to close. Defaults come in a second stage.
    best_choice: dict[tuple[int, int], int] = defaultdict(int)
    for var, w in pref_terms:
        key = owner[var.index]
        best_choice[key] = max(best_choice[key], w)
    scale = sum(best_choice.values()) + 1
    first = sum(var * (w * scale) for var, w in need_terms) + sum(var * w for var, w in pref_terms)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = seed
    # Measured: CP-SAT's presolve rewrites this assignment model (objective shifted through the
    # exactly-ones) into one its LP closes far more slowly; without it, a 150-student week is
    # proven optimal in 0.2 s instead of not at all in 2 s, the bench's school in 2 s, not 6.
    solver.parameters.cp_model_presolve = False
    model.maximize(first)
    solver.parameters.max_time_in_seconds = max(0.05, time_limit_s * _FIRST_STAGE_SHARE)
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    value, bound = round(solver.objective_value), int(solver.best_objective_bound)
    need_value, pref_value = divmod(value, scale)
    need_bound = bound // scale
    # Given the best need score, the choices can reach at most this; without that proof, at
    # most every student's best choice.
    pref_bound = scale - 1
    if need_bound == need_value:
        pref_bound = min(pref_bound, bound - need_value * scale)
    chosen = {key for key, var in x.items() if solver.value(var)}
    optimal = status == cp_model.OPTIMAL
    # Second stage: hold needs and choices, seat as many students in their default as can be.
    model.add(first >= value)
    for key, var in x.items():
        model.add_hint(var, key in chosen)
    model.maximize(sum(default_terms))
    left = time_limit_s - (time.perf_counter() - started)
    solver.parameters.max_time_in_seconds = max(0.05, min(left, time_limit_s * _DEFAULT_SHARE))
    status = solver.solve(model)
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        chosen = {key for key, var in x.items() if solver.value(var)}
    optimal = optimal and status == cp_model.OPTIMAL
    status_name = "optimal" if optimal else "feasible"
    need_value += fixed_credit
    need_bound += fixed_credit
    pins = {(p.student_id, p.session_id) for p in problem.pins}
    placements = []
    for student_id, session_id in sorted(chosen):
        student, session = index.students[student_id], index.sessions[session_id]
        pinned = (student_id, session_id) in pins
        placements.append(
            Placement(
                student_id=student_id,
                block_id=session.block_id,
                session_id=session_id,
                reason=index.reason(student, session, pinned=pinned),
                pinned=pinned,
            )
        )
    return Schedule(
        status=status_name,
        placements=tuple(placements),
        seconds=time.perf_counter() - started,
        need_objective=need_value,
        need_bound=need_bound,
        preference_objective=pref_value,
        preference_bound=pref_bound,
    )


def solve(
    problem: FlexProblem,
    *,
    time_limit_s: float = DEFAULT_TIME_LIMIT_S,
    workers: int = DEFAULT_WORKERS,
    seed: int = 0,
) -> Schedule:
    """The best schedule CP-SAT finds in ``time_limit_s``; ``ScheduleError`` when none can be.

    The model first gets variables only for the sessions a student has a reason to be in;
    only if that cannot seat everyone is it rebuilt over every session open to their grade.
    """
    problems = validate(problem)
    if problems:
        raise ScheduleError(problems)
    started = time.perf_counter()
    index = _Index.of(problem)
    schedule = _solve_once(index, full=False, time_limit_s=time_limit_s, workers=workers, seed=seed)
    if schedule is None:
        left = max(0.5, time_limit_s - (time.perf_counter() - started))
        schedule = _solve_once(index, full=True, time_limit_s=left, workers=workers, seed=seed)
    if schedule is None:
        raise ScheduleError(
            ["No schedule seats every student within the rooms, grades and seats given."]
        )
    return Schedule(
        status=schedule.status,
        placements=schedule.placements,
        seconds=time.perf_counter() - started,
        need_objective=schedule.need_objective,
        need_bound=schedule.need_bound,
        preference_objective=schedule.preference_objective,
        preference_bound=schedule.preference_bound,
    )


# ---- the first-come-first-served baseline ---------------------------------------------------


def greedy_schedule(problem: FlexProblem, *, order: Iterable[int] | None = None) -> Schedule:
    """What common flex tools do: required and pinned students first, then each student in
    sign-up ``order`` (default: as listed) takes their highest-ranked choice with a seat left,
    else their default, else any open seat. Needs are not looked at. A student left without a
    seat is simply missing from the placements."""
    problems = validate(problem)
    if problems:
        raise ScheduleError(problems)
    started = time.perf_counter()
    index = _Index.of(problem)
    left = {s.id: s.capacity for s in problem.sessions}
    placed: dict[tuple[int, int], Placement] = {}
    pins = {(p.student_id, p.session_id) for p in problem.pins}
    fixed = {**index.pinned_in, **index.required_in}
    for (student_id, block_id), session_id in sorted(fixed.items()):
        student = index.students.get(student_id)
        if student is None:
            continue
        session = index.sessions[session_id]
        left[session_id] -= 1
        pinned = (student_id, session_id) in pins
        placed[(student_id, block_id)] = Placement(
            student_id, block_id, session_id, index.reason(student, session, pinned=pinned), pinned
        )
    sequence = list(order) if order is not None else [s.id for s in problem.students]
    for student_id in sequence:
        student = index.students[student_id]
        for block in problem.blocks:
            if (student_id, block.id) in placed:
                continue
            eligible = {s.id: s for s in index.eligible(student, block.id)}
            wanted = [sid for sid in index.ranked_choices(student, block.id) if sid in eligible]
            default = student.defaults.get(block.id)
            if default is not None and default in eligible:
                wanted.append(default)
            wanted.extend(sorted(eligible))
            for session_id in wanted:
                if left[session_id] > 0:
                    left[session_id] -= 1
                    placed[(student_id, block.id)] = Placement(
                        student_id,
                        block.id,
                        session_id,
                        index.reason(student, eligible[session_id], pinned=False),
                    )
                    break
    return Schedule(
        status="greedy",
        placements=tuple(sorted(placed.values(), key=lambda p: (p.student_id, p.block_id))),
        seconds=time.perf_counter() - started,
        need_objective=need_score(problem, placed.values()),
        preference_objective=preference_score(problem, placed.values()),
    )


def need_score(problem: FlexProblem, placements: Iterable[Placement]) -> int:
    """The need stage's objective for any placements: each need met counts its weight once."""
    index = _Index.of(problem)
    met: set[tuple[int, int]] = set()
    for p in placements:
        competency_id = index.sessions[p.session_id].competency_id
        if competency_id is None:
            continue
        if any(n.competency_id == competency_id for n in index.students[p.student_id].needs):
            met.add((p.student_id, competency_id))
    total = 0
    for student_id, competency_id in met:
        for n in index.students[student_id].needs:
            if n.competency_id == competency_id:
                total += max(1, min(100, n.weight))
                break
    return total


def preference_score(problem: FlexProblem, placements: Iterable[Placement]) -> int:
    """The preference stage's objective (without the default tie-break) for any placements."""
    index = _Index.of(problem)
    total = 0
    for p in placements:
        rank = index.ranked_choices(index.students[p.student_id], p.block_id).get(p.session_id)
        if rank is not None and rank <= MAX_CHOICES:
            total += MAX_CHOICES + 1 - rank
    return total
