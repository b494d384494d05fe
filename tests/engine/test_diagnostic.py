"""The adaptive diagnostic: graph checks, pure deterministic transitions, closure propagation,
stopping, parameter validation, and accuracy on a small simulated framework."""

from __future__ import annotations

import numpy as np
import pytest

from tandem_engine.diagnostic import (
    DiagnosticConfig,
    DiagnosticState,
    PrerequisiteGraph,
    StopReason,
    diagnostic_answer,
    diagnostic_next,
    diagnostic_posterior,
    diagnostic_replay,
    diagnostic_replay_extend,
    diagnostic_replay_start,
    diagnostic_replay_state,
    diagnostic_start,
    simulate_knowledge_states,
)

FAST = DiagnosticConfig(n_particles=600)


def chain() -> PrerequisiteGraph:
    """A -> B -> C -> D, one standard a grade, plus an unrelated E in grade 2."""
    grades = {"A": 0.0, "B": 1.0, "C": 2.0, "D": 3.0, "E": 2.0}
    return PrerequisiteGraph.build(grades, [("A", "B"), ("B", "C"), ("C", "D")])


def ladder(n_grades: int = 5, per_grade: int = 6) -> PrerequisiteGraph:
    """``per_grade`` strands climbing ``n_grades`` grades; each standard needs the one below
    it and, every other strand, its neighbour's too."""
    grades = {f"{g}.{s}": float(g) for g in range(n_grades) for s in range(per_grade)}
    edges = []
    for g in range(1, n_grades):
        for s in range(per_grade):
            edges.append((f"{g - 1}.{s}", f"{g}.{s}"))
            if s % 2:
                edges.append((f"{g - 1}.{s - 1}", f"{g}.{s}"))
    return PrerequisiteGraph.build(grades, edges)


# ---- graph -----------------------------------------------------------------------------------


def test_graph_closes_prerequisites_transitively() -> None:
    graph = chain()
    assert graph.prerequisites_of("D") == {"A", "B", "C"}
    assert graph.built_on("B") == {"C", "D"}
    assert graph.prerequisites_of("E") == frozenset()
    assert not graph.descendants.flags.writeable


@pytest.mark.parametrize(
    ("edges", "message"),
    [
        ([("A", "B"), ("B", "A")], "a cycle runs through ['A', 'B']"),
        ([("A", "Z")], "unknown node(s) ['Z']"),
        ([("A", "A")], "A is its own prerequisite"),
    ],
)
def test_graph_refuses_bad_edges(edges: list[tuple[str, str]], message: str) -> None:
    with pytest.raises(ValueError, match="invalid prerequisite graph") as raised:
        PrerequisiteGraph.build({"A": 0.0, "B": 1.0}, edges)
    assert message in str(raised.value)


# ---- validation ------------------------------------------------------------------------------


def test_config_reports_every_violation() -> None:
    config = DiagnosticConfig(
        p_slip=0.5, p_guess=-0.1, n_particles=0, min_items=5, max_items=2, width_min=0
    )
    problems = config.violations()
    assert len(problems) == 5
    with pytest.raises(ValueError) as raised:
        diagnostic_start(chain(), own_grade=2, seed=1, config=config)
    for text in ("p_slip=0.5", "p_guess=-0.1", "n_particles=0", "min_items=5", "width_min=0"):
        assert text in str(raised.value)
    assert DiagnosticConfig().violations() == []


def test_answers_are_checked() -> None:
    state = diagnostic_start(chain(), own_grade=2, seed=1, askable=["C", "D"], config=FAST)
    with pytest.raises(ValueError, match="not a standard"):
        diagnostic_answer(state, "Q", True)
    with pytest.raises(ValueError, match="not askable"):
        diagnostic_answer(state, "A", True)
    state = diagnostic_answer(state, "C", True)
    with pytest.raises(ValueError, match="already been asked"):
        diagnostic_answer(state, "C", False)
    with pytest.raises(ValueError, match="not in the graph"):
        diagnostic_start(chain(), own_grade=2, seed=1, askable=["Q"])
    with pytest.raises(ValueError, match="own_grade"):
        diagnostic_start(chain(), own_grade=float("nan"), seed=1)


# ---- purity and determinism ------------------------------------------------------------------


def test_same_seed_same_diagnostic() -> None:
    graph = ladder()
    answers = [("2.1", True), ("3.0", False), ("1.4", True)]
    one = diagnostic_replay(graph, own_grade=2, seed=7, answers=answers, config=FAST)
    two = diagnostic_replay(graph, own_grade=2, seed=7, answers=answers, config=FAST)
    assert diagnostic_posterior(one) == diagnostic_posterior(two)
    assert diagnostic_next(one) == diagnostic_next(two)
    other = diagnostic_replay(graph, own_grade=2, seed=8, answers=answers, config=FAST)
    assert diagnostic_posterior(one) != diagnostic_posterior(other)


def test_replay_in_one_pass_matches_answering_one_by_one() -> None:
    graph = ladder()
    state = diagnostic_start(graph, own_grade=2, seed=9, config=FAST)
    for i in range(8):
        step = diagnostic_next(state)
        assert step.node is not None
        state = diagnostic_answer(state, step.node, i % 3 != 1)
    replayed = diagnostic_replay(graph, own_grade=2, seed=9, answers=state.answers, config=FAST)
    assert replayed.answers == state.answers
    assert np.array_equal(replayed.known, state.known)
    assert np.array_equal(replayed.drawn, state.drawn)
    assert np.array_equal(replayed.log_weight, state.log_weight)
    np.testing.assert_allclose(replayed.p_closed, state.p_closed, atol=1e-5)
    one, other = diagnostic_posterior(replayed), diagnostic_posterior(state)
    assert max(abs(one[node] - other[node]) for node in one) < 1e-5
    assert diagnostic_next(replayed).node == diagnostic_next(state).node
    assert not replayed.known.flags.writeable and not replayed.log_weight.flags.writeable


def assert_same_bits(one: DiagnosticState, other: DiagnosticState) -> None:
    assert one.answers == other.answers
    for name in ("known", "drawn", "log_weight", "log_none", "p_closed", "centre", "width"):
        a, b = getattr(one, name), getattr(other, name)
        assert a.dtype == b.dtype and np.array_equal(a.view(np.uint8), b.view(np.uint8)), name


def test_a_replay_extended_answer_by_answer_is_the_replay_of_them_all() -> None:
    # The server keeps a session's replay and extends it by each new answer: bit for bit the
    # state a replay of every answer gives, so the questions and placement never depend on it.
    graph = ladder()
    state = diagnostic_start(
        graph, own_grade=2, seed=11, askable=list(graph.nodes)[3:], config=FAST
    )
    replay = diagnostic_replay_start(
        graph, own_grade=2, seed=11, askable=list(graph.nodes)[3:], config=FAST
    )
    assert_same_bits(diagnostic_replay_state(replay), state)
    answers: list[tuple[str, bool]] = []
    for i in range(10):
        step = diagnostic_next(state)
        assert step.node is not None
        answers.append((step.node, i % 3 != 1))
        state = diagnostic_replay(
            graph,
            own_grade=2,
            seed=11,
            answers=answers,
            askable=list(graph.nodes)[3:],
            config=FAST,
        )
        if i % 4 != 1:  # sometimes two answers at once
            before = replay
            replay = diagnostic_replay_extend(replay, answers[len(replay.answers) :])
            assert len(before.answers) < len(replay.answers)  # a new replay; the old one stays
            assert_same_bits(diagnostic_replay_state(replay), state)
            assert diagnostic_next(diagnostic_replay_state(replay)) == diagnostic_next(state)
    assert not replay.known.flags.writeable and not replay.drawn_levels.flags.writeable
    with pytest.raises(ValueError, match="already been asked"):
        diagnostic_replay_extend(replay, [answers[0]])


def test_replay_checks_the_answers() -> None:
    graph = chain()
    with pytest.raises(ValueError, match="already been asked"):
        diagnostic_replay(graph, own_grade=2, seed=1, answers=[("C", True), ("C", False)])
    with pytest.raises(ValueError, match="not askable"):
        diagnostic_replay(graph, own_grade=2, seed=1, answers=[("A", True)], askable=["C"])
    with pytest.raises(ValueError, match="not a standard"):
        diagnostic_replay(graph, own_grade=2, seed=1, answers=[("Q", True)])


def test_answer_returns_a_new_state_and_leaves_the_old_one() -> None:
    state = diagnostic_start(ladder(), own_grade=2, seed=3, config=FAST)
    before = diagnostic_posterior(state)
    after = diagnostic_answer(state, "2.2", True)
    assert diagnostic_posterior(state) == before
    assert state.answers == ()
    assert after.answers == (("2.2", True),)
    assert not after.p_closed.flags.writeable
    with pytest.raises(ValueError):
        after.log_weight[0] = 1.0


# ---- closure propagation ---------------------------------------------------------------------


def test_right_answer_raises_prerequisites_wrong_answer_lowers_what_builds_on_it() -> None:
    graph = chain()
    prior = diagnostic_posterior(diagnostic_start(graph, own_grade=1.5, seed=5, config=FAST))
    right = diagnostic_posterior(
        diagnostic_replay(graph, own_grade=1.5, seed=5, answers=[("C", True)], config=FAST)
    )
    for node in ("A", "B", "C"):
        assert right[node] > prior[node] + 0.02, node
    wrong = diagnostic_posterior(
        diagnostic_replay(graph, own_grade=1.5, seed=5, answers=[("B", False)], config=FAST)
    )
    for node in ("B", "C", "D"):
        assert wrong[node] < prior[node] - 0.02, node
    # B's prerequisite is only weakly tied (through the level), never pushed above its prior.
    assert wrong["A"] <= prior["A"] + 1e-9


def test_a_wrong_answer_sends_the_diagnostic_down() -> None:
    graph = ladder()
    grade = {node: g for node, g in zip(graph.nodes, graph.grade, strict=True)}
    state = diagnostic_start(graph, own_grade=3, seed=11, config=FAST)
    first = diagnostic_next(state).node
    assert first is not None
    after_wrong = diagnostic_next(diagnostic_answer(state, first, False)).node
    after_right = diagnostic_next(diagnostic_answer(state, first, True)).node
    assert after_wrong is not None and after_right is not None
    assert grade[after_wrong] < grade[after_right]


# ---- choosing and stopping -------------------------------------------------------------------


def test_next_only_asks_askable_standards_once() -> None:
    graph = ladder()
    askable = [n for n in graph.nodes if n.startswith(("2.", "3."))]
    state = diagnostic_start(
        graph,
        own_grade=2,
        seed=2,
        askable=askable,
        config=DiagnosticConfig(n_particles=300, min_items=13, max_items=13),
    )
    asked = []
    while (step := diagnostic_next(state)).node is not None:
        asked.append(step.node)
        state = diagnostic_answer(state, step.node, len(asked) % 3 != 0)
    assert step.stop is StopReason.NOTHING_TO_ASK
    assert sorted(asked) == sorted(askable)


def test_stops_at_max_items_and_when_confident() -> None:
    graph = ladder()
    capped = DiagnosticConfig(n_particles=300, min_items=0, max_items=3, target_accuracy=1.0)
    state = diagnostic_start(graph, own_grade=2, seed=4, config=capped)
    for _ in range(3):
        step = diagnostic_next(state)
        assert step.node is not None and not step.finished
        state = diagnostic_answer(state, step.node, True)
    step = diagnostic_next(state)
    assert step.finished and step.stop is StopReason.MAX_ITEMS and step.n_answered == 3

    easy = DiagnosticConfig(n_particles=300, min_items=0, target_accuracy=0.5)
    step = diagnostic_next(diagnostic_start(graph, own_grade=2, seed=4, config=easy))
    assert step.stop is StopReason.CONFIDENT and step.expected_accuracy >= 0.5

    waits = DiagnosticConfig(n_particles=300, min_items=2, target_accuracy=0.5)
    assert diagnostic_next(diagnostic_start(graph, own_grade=2, seed=4, config=waits)).node


# ---- accuracy --------------------------------------------------------------------------------


def test_small_framework_accuracy_beats_the_prior() -> None:
    graph = ladder(n_grades=6, per_grade=6)
    config = DiagnosticConfig(n_particles=800, max_items=12, min_items=12)
    rng = np.random.default_rng(2024)
    n = 24
    own = rng.integers(1, 5, n)
    truth = simulate_knowledge_states(
        graph, centre=own + rng.uniform(-1.5, 1.5, n), width=0.4, flip_rate=0.05, random_state=rng
    )
    diagnosed, prior_only = [], []
    for i in range(n):
        state = diagnostic_start(graph, own_grade=int(own[i]), seed=i, config=config)
        prior_p = np.array(list(diagnostic_posterior(state).values()))
        while (step := diagnostic_next(state)).node is not None:
            mastered = truth[i, graph.index[step.node]]
            correct = rng.random() < (0.9 if mastered else 0.2)
            state = diagnostic_answer(state, step.node, bool(correct))
        p = np.array(list(diagnostic_posterior(state).values()))
        diagnosed.append(((p >= 0.5) == truth[i]).mean())
        prior_only.append(((prior_p >= 0.5) == truth[i]).mean())
    # 0.889 and 0.786 at the time of writing; 5% of the truth is flipped at random.
    assert np.mean(diagnosed) >= 0.85
    assert np.mean(diagnosed) > np.mean(prior_only) + 0.05


def test_simulated_states_are_closed_before_flips() -> None:
    graph = ladder()
    closed = simulate_knowledge_states(
        graph, centre=[0.5, 2.0, 3.5], width=0.4, flip_rate=0.0, random_state=1
    )
    for row in closed:
        for k, mastered in enumerate(row):
            if mastered:
                assert row[graph.descendants[:, k]].all()
