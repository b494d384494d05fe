"""The flex solver on small schools whose best schedule is known by hand (no Django)."""

from __future__ import annotations

from typing import Any

import pytest

from tandem.flex.solver import (
    Block,
    FlexProblem,
    Need,
    Pin,
    ReasonKind,
    Schedule,
    ScheduleError,
    Session,
    Student,
    greedy_schedule,
    need_score,
    solve,
    validate,
)

BLOCK = Block(1, "Tuesday flex")


def _session(id: int, capacity: int, room: str, **kw: Any) -> Session:
    return Session(id=id, block_id=1, capacity=capacity, room=room, grade_min=6, grade_max=12, **kw)


def _where(schedule: Schedule, student_id: int, block_id: int = 1) -> int:
    return next(
        p.session_id
        for p in schedule.placements
        if p.student_id == student_id and p.block_id == block_id
    )


def test_need_beats_preference_and_seats_hold() -> None:
    # One seat on fractions; Ana needs it badly, Ben only wants it. Ana gets it, Ben his 2nd.
    fractions = _session(10, 1, "101", competency_id=7, title="Fractions")
    art = _session(11, 5, "102", kind="enrichment", title="Art")
    study = _session(12, 5, "Library", kind="study", title="Study hall")
    ana = Student(1, 7, defaults={1: 12}, choices=(11,), needs=(Need(7, 90),))
    ben = Student(2, 7, defaults={1: 12}, choices=(10, 11))
    problem = FlexProblem((BLOCK,), (fractions, art, study), (ana, ben))
    schedule = solve(problem, time_limit_s=5)
    assert schedule.status == "optimal"
    assert _where(schedule, 1) == 10
    assert _where(schedule, 2) == 11
    assert schedule.need_objective == schedule.need_bound == 90
    reasons = {p.student_id: p.reason for p in schedule.placements}
    assert reasons[1].kind == ReasonKind.NEED and reasons[1].label({7: "6.NS.1"}) == "need: 6.NS.1"
    assert reasons[2].label() == "choice #2"
    # First come, first served gives Ben (listed first) the seat, and Ana no need met.
    greedy = greedy_schedule(problem, order=[2, 1])
    assert _where(greedy, 2) == 10
    assert need_score(problem, greedy.placements) == 0


def test_required_and_pins_are_kept_and_defaults_break_ties() -> None:
    a = _session(10, 2, "101", title="A", required=frozenset({1}))
    b = _session(11, 2, "102", title="B")
    home = _session(12, 2, "103", kind="study", title="Homeroom")
    s1 = Student(1, 8, defaults={1: 12}, choices=(11,))
    s2 = Student(2, 8, defaults={1: 12}, choices=(11,))
    s3 = Student(3, 8, defaults={1: 12})
    problem = FlexProblem((BLOCK,), (a, b, home), (s1, s2, s3), pins=(Pin(2, 10),))
    schedule = solve(problem, time_limit_s=5)
    assert _where(schedule, 1) == 10  # required beats choice
    assert _where(schedule, 2) == 10  # the move by hand stays
    assert _where(schedule, 3) == 12  # no choice: the default
    by_student = {p.student_id: p for p in schedule.placements}
    assert by_student[1].reason.kind == ReasonKind.REQUIRED
    assert by_student[2].pinned and by_student[2].reason.kind == ReasonKind.PINNED
    assert by_student[3].reason.kind == ReasonKind.DEFAULT


def test_a_need_counts_once_across_blocks_and_every_block_is_filled() -> None:
    blocks = (Block(1, "Tue"), Block(2, "Thu"))
    sessions = (
        Session(10, 1, 1, "101", 6, 8, competency_id=5),
        Session(11, 1, 1, "102", 6, 8, competency_id=6),
        Session(20, 2, 1, "101", 6, 8, competency_id=5),
        Session(21, 2, 1, "102", 6, 8, competency_id=6),
    )
    # Both students need 5 (weights 50, 40) and 6 (weights 10, 30): the best is each meets
    # both needs once, 50+10+40+30 = 130, rather than one taking competency 5 twice.
    s1 = Student(1, 6, needs=(Need(5, 50), Need(6, 10)))
    s2 = Student(2, 6, needs=(Need(5, 40), Need(6, 30)))
    schedule = solve(FlexProblem(blocks, sessions, (s1, s2)), time_limit_s=5)
    assert len(schedule.placements) == 4
    assert schedule.need_objective == 130 == schedule.need_bound
    assert schedule.need_gap == 0.0


def test_grade_ranges_are_hard() -> None:
    upper = Session(10, 1, 5, "101", 9, 12, title="Calculus", competency_id=1)
    lower = Session(11, 1, 5, "102", 6, 8, title="Ratios")
    s = Student(1, 7, needs=(Need(1, 100),), choices=(10,))
    schedule = solve(FlexProblem((BLOCK,), (upper, lower), (s,)), time_limit_s=5)
    assert _where(schedule, 1) == 11
    assert schedule.placements[0].reason.kind == ReasonKind.OPEN_SEAT


def test_bad_input_names_every_conflict_and_nothing_is_solved() -> None:
    sessions = (
        _session(10, 1, "", title="Fractions", required=frozenset({1, 2})),
        _session(11, 1, "102", title="Art", required=frozenset({1})),
        _session(12, 1, "102", title="Chess"),
    )
    students = tuple(Student(i, 7) for i in range(1, 6))
    problem = FlexProblem((BLOCK,), sessions, students)
    problems = validate(problem)
    text = "\n".join(problems)
    assert "“Fractions” has no room." in text
    assert "“Fractions” requires 2 students but has only 1 seats." in text
    assert "“Art” and “Chess” are both in room 102" in text or "“Chess” and “Art”" in text
    assert "Student 1 is required in both “Fractions” and “Art”" in text
    assert "Tuesday flex has 5 students but only 3 seats." in text
    with pytest.raises(ScheduleError) as raised:
        solve(problem)
    assert raised.value.problems == tuple(problems)
    with pytest.raises(ScheduleError):
        greedy_schedule(problem)


def test_a_pin_against_a_requirement_is_refused() -> None:
    a = _session(10, 2, "101", title="A", required=frozenset({1}))
    b = _session(11, 2, "102", title="B")
    problem = FlexProblem((BLOCK,), (a, b), (Student(1, 7),), pins=(Pin(1, 11),))
    assert validate(problem) == ["Student 1 was moved by hand to “B” but is required in “A”."]


def test_falls_back_to_every_open_session_when_reasons_do_not_seat_everyone() -> None:
    # Everyone chose the 1-seat session and there is no study hall: the rest take open seats.
    popular = _session(10, 1, "101", title="Robotics")
    other = _session(11, 5, "102", title="Reading")
    students = tuple(Student(i, 7, choices=(10,)) for i in range(1, 4))
    schedule = solve(FlexProblem((BLOCK,), (popular, other), students), time_limit_s=5)
    assert len(schedule.placements) == 3
    assert sum(p.session_id == 10 for p in schedule.placements) == 1
    assert schedule.preference_objective == 5
