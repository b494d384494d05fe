"""Adaptive diagnostic placement over a prerequisite graph: which standards has a new student
already mastered, from as few questions as possible.

The posterior over the student's knowledge state is a weighted particle set. Each particle is a
hypothesis about the student's *level* (a centre on the grade scale and a frontier width) plus
the mastery of the standards the answers so far depend on; everything else is integrated out
exactly (Rao-Blackwellised), so every particle carries a smooth P(mastered) for every standard
rather than one random guess. Knowledge states are closed under prerequisites: a standard counts
as mastered in a particle when it, or any standard that builds on it, was drawn mastered. So a
right answer on an advanced standard raises its prerequisites, and a wrong one lowers what builds
on it and sends the next questions down to probe them.

What the prior assumes (and nothing else: it never sees a simulated student's truth):

* the student's *own grade* is known; their centre is Normal(own grade, ``level_spread``) on the
  grade scale (K = 0), so two grades above or below is well inside the prior;
* given the centre ``c`` and a width ``w`` drawn uniformly from [``width_min``, ``width_max``],
  each standard of grade ``g`` is mastered independently with probability
  ``sigmoid((c - g) / w)``, and then the state is closed under prerequisites;
* a fraction ``p_exception`` (3%) of standards depart from that closed state either way (gaps
  and islands of knowledge);
* answers follow slip ``p_slip`` and guess ``p_guess``; each standard is asked at most once.

The benchmark (``bench/diagnostic.py``) draws its simulated students from a model of this same
shape (centre within two grades of the own grade, width 0.4, 5% of standards flipped), so it
measures the diagnostic when the prior's shape is about right; real students are not drawn
from it, and per-domain strengths and weaknesses are not modelled.

Transitions are pure: :func:`diagnostic_start` and :func:`diagnostic_answer` return new frozen
states; randomness comes only from the integer ``seed`` (one numpy Generator per step derived
from it), so replaying the same answers rebuilds the same state.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any, TypeVar

import numpy as np
from numpy.typing import NDArray

from tandem_engine.log import BoolArray, FloatArray

# Per-particle, per-standard matrices are single precision: half the memory and copying, and
# ample for probabilities that are thresholded at 0.5.
Float32Array = NDArray[np.float32]

__all__ = [
    "DEFAULT_DIAGNOSTIC",
    "DiagnosticConfig",
    "DiagnosticReplay",
    "DiagnosticState",
    "DiagnosticStep",
    "PrerequisiteGraph",
    "StopReason",
    "diagnostic_answer",
    "diagnostic_next",
    "diagnostic_posterior",
    "diagnostic_replay",
    "diagnostic_replay_extend",
    "diagnostic_replay_start",
    "diagnostic_replay_state",
    "diagnostic_start",
    "simulate_knowledge_states",
]

# Slip and guess above these make an answer say little about mastery (as in BKT).
MAX_SLIP = 0.3
MAX_GUESS = 0.3
MAX_EXCEPTION = 0.25
MAX_PARTICLES = 100_000
_Array = TypeVar("_Array", bound=np.ndarray[Any, Any])

# Per-standard prior probabilities stay this far from 0 and 1 so that no state is impossible.
_P_FLOOR = 1e-6


@dataclass(frozen=True, slots=True)
class DiagnosticConfig:
    """Hyper-parameters of the diagnostic, validated by :meth:`violations`.

    ``level_spread``: standard deviation, in grades, of the prior centre around the own grade.
    ``width_min``/``width_max``: range of the frontier width, in grades (logistic scale).
    ``target_accuracy``: stop once the expected fraction of standards classified correctly
    reaches it (after ``min_items``); never ask more than ``max_items``.
    ``shortlist``: how many of the most uncertain askable standards get the full look-ahead.
    """

    p_slip: float = 0.1
    p_guess: float = 0.2
    # 3%: enough to absorb gaps and islands, small enough that a standard the diagnostic is
    # sure of can reach the mastery rule's 0.95 (an unasked standard never exceeds 1 - this).
    p_exception: float = 0.03
    level_spread: float = 2.0
    width_min: float = 0.2
    width_max: float = 1.0
    n_particles: int = 2000
    min_items: int = 10
    # 25: a student the answers never make clear (answering at random, or knowledge fading
    # over several grades) stops here. Allowing 30 kept the median at 20 but the 90th
    # percentile at 30, for 0.002 more accuracy (bench/diagnostic.py, same students).
    max_items: int = 25
    target_accuracy: float = 0.92
    shortlist: int = 30

    def violations(self) -> list[str]:
        """Every bound this configuration breaks, in words; empty when valid."""
        problems = []
        for name, high in (
            ("p_slip", MAX_SLIP),
            ("p_guess", MAX_GUESS),
            ("p_exception", MAX_EXCEPTION),
        ):
            value = getattr(self, name)
            if not 0.0 <= value <= high:
                problems.append(f"{name}={value} is outside [0, {high}]")
        if not self.level_spread > 0:
            problems.append(f"level_spread={self.level_spread} must be positive")
        if not 0 < self.width_min <= self.width_max:
            problems.append(
                f"width_min={self.width_min} and width_max={self.width_max} "
                "must satisfy 0 < width_min <= width_max"
            )
        if not 1 <= self.n_particles <= MAX_PARTICLES:
            problems.append(f"n_particles={self.n_particles} is outside [1, {MAX_PARTICLES}]")
        if not 0 <= self.min_items <= self.max_items:
            problems.append(
                f"min_items={self.min_items} and max_items={self.max_items} "
                "must satisfy 0 <= min_items <= max_items"
            )
        if not 0.5 <= self.target_accuracy <= 1.0:
            problems.append(f"target_accuracy={self.target_accuracy} is outside [0.5, 1]")
        if self.shortlist < 1:
            problems.append(f"shortlist={self.shortlist} must be at least 1")
        return problems

    def validate(self) -> DiagnosticConfig:
        problems = self.violations()
        if problems:
            raise ValueError("invalid diagnostic configuration: " + "; ".join(problems))
        return self


DEFAULT_DIAGNOSTIC = DiagnosticConfig()


@dataclass(frozen=True, eq=False)
class PrerequisiteGraph:
    """Standards (string ids), their grade on a numeric scale (K = 0), and prerequisite edges.

    ``descendants[k, d]``: ``d`` is ``k`` itself or (transitively) builds on ``k``; so mastering
    ``d`` implies mastering ``k``. Build with :meth:`build`, which checks the graph.
    """

    nodes: tuple[str, ...]
    grade: FloatArray
    descendants: BoolArray
    index: Mapping[str, int] = field(repr=False)
    # The prior depends on a standard only through its grade, and a framework has few grades:
    # ``levels`` are the distinct grades, ``level[k]`` the position of ``k``'s grade among
    # them, and ``descendant_levels[k, l]`` how many standards building on ``k`` (itself
    # included) are in grade ``levels[l]``; so the prior is computed per grade, not per standard.
    levels: FloatArray = field(init=False, repr=False)
    level: NDArray[np.intp] = field(init=False, repr=False)
    descendant_levels: Float32Array = field(init=False, repr=False)

    def __post_init__(self) -> None:
        levels, level = np.unique(self.grade, return_inverse=True)
        onehot = np.zeros((len(self.nodes), len(levels)), dtype=np.float32)
        onehot[np.arange(len(self.nodes)), level] = 1.0
        counts = self.descendants.astype(np.float32) @ onehot
        object.__setattr__(self, "levels", _readonly(levels))
        object.__setattr__(self, "level", _readonly(level.astype(np.intp)))
        object.__setattr__(self, "descendant_levels", _readonly(counts))

    @classmethod
    def build(
        cls, grades: Mapping[str, float], prerequisites: Iterable[tuple[str, str]]
    ) -> PrerequisiteGraph:
        """``grades``: node -> grade, in the order nodes should be kept;
        ``prerequisites``: ``(before, after)`` pairs, ``before`` a prerequisite of ``after``.
        Raises ValueError naming unknown nodes, self-loops or a cycle."""
        nodes = tuple(grades)
        index = {node: i for i, node in enumerate(nodes)}
        n = len(nodes)
        problems = []
        parents: list[set[int]] = [set() for _ in range(n)]
        for before, after in prerequisites:
            unknown = [x for x in (before, after) if x not in index]
            if unknown:
                problems.append(f"edge {before} -> {after} names unknown node(s) {unknown}")
            elif before == after:
                problems.append(f"{before} is its own prerequisite")
            else:
                parents[index[after]].add(index[before])
        if problems:
            raise ValueError("invalid prerequisite graph: " + "; ".join(problems))
        grade = np.array([float(grades[node]) for node in nodes], dtype=np.float64)
        if not np.all(np.isfinite(grade)):
            raise ValueError("invalid prerequisite graph: every grade must be a finite number")
        ancestors = np.eye(n, dtype=np.bool_)  # ancestors[k, a]: a is k or a prerequisite of k
        done = np.zeros(n, dtype=np.bool_)
        children: list[list[int]] = [[] for _ in range(n)]
        pending = np.array([len(p) for p in parents], dtype=np.int64)
        for child, ps in enumerate(parents):
            for p in ps:
                children[p].append(child)
        queue = [k for k in range(n) if pending[k] == 0]
        while queue:  # Kahn's order: every prerequisite is finished before what builds on it
            k = queue.pop()
            done[k] = True
            for p in parents[k]:
                ancestors[k] |= ancestors[p]
            for child in children[k]:
                pending[child] -= 1
                if pending[child] == 0:
                    queue.append(child)
        if not done.all():
            stuck = sorted(nodes[k] for k in np.flatnonzero(~done))
            raise ValueError(f"invalid prerequisite graph: a cycle runs through {stuck[:10]}")
        grade.flags.writeable = False
        descendants = np.ascontiguousarray(ancestors.T)
        descendants.flags.writeable = False
        return cls(nodes=nodes, grade=grade, descendants=descendants, index=index)

    def __len__(self) -> int:
        return len(self.nodes)

    def prerequisites_of(self, node: str) -> frozenset[str]:
        """Every standard ``node`` builds on, transitively (not ``node`` itself)."""
        k = self.index[node]
        return frozenset(self.nodes[a] for a in np.flatnonzero(self.descendants[:, k]) if a != k)

    def built_on(self, node: str) -> frozenset[str]:
        """Every standard that builds on ``node``, transitively (not ``node`` itself)."""
        k = self.index[node]
        return frozenset(self.nodes[d] for d in np.flatnonzero(self.descendants[k]) if d != k)


@dataclass(frozen=True, eq=False)
class DiagnosticState:
    """One student's diagnostic so far. Treat as immutable; arrays are read-only.

    Per particle: ``centre``, ``width``, ``log_weight``; per particle and standard: ``known``
    (mastered because a drawn-mastered standard among those the answers depend on builds on
    it), ``log_none`` (log P(none of the other standards that build on it is mastered)) and
    ``p_closed`` (P(mastered in the closed state)). ``drawn``: the standards whose own draw is
    held explicitly (every answered standard and everything that builds on one).
    """

    graph: PrerequisiteGraph
    config: DiagnosticConfig
    own_grade: float
    seed: int
    askable: BoolArray
    answers: tuple[tuple[str, bool], ...]
    centre: FloatArray
    width: FloatArray
    log_weight: FloatArray
    known: BoolArray
    log_none: Float32Array
    p_closed: Float32Array
    drawn: BoolArray

    @property
    def n_answered(self) -> int:
        return len(self.answers)

    @property
    def asked(self) -> frozenset[str]:
        return frozenset(node for node, _ in self.answers)


class StopReason(StrEnum):
    CONFIDENT = "confident"  # expected accuracy reached the target
    MAX_ITEMS = "max_items"
    NOTHING_TO_ASK = "nothing_to_ask"  # every askable standard has been asked


@dataclass(frozen=True, slots=True)
class DiagnosticStep:
    """What to do next: ask ``node``, or stop (``node`` None) for ``stop``.

    ``expected_accuracy``: the expected fraction of the graph's standards the posterior
    classifies correctly (mastered when P >= 0.5), under the model.
    """

    node: str | None
    stop: StopReason | None
    expected_accuracy: float
    n_answered: int

    @property
    def finished(self) -> bool:
        return self.node is None


def _readonly(array: _Array) -> _Array:
    array.flags.writeable = False
    return array


def _mastery_prior(grade: FloatArray, centre: FloatArray, width: FloatArray) -> FloatArray:
    """P(drawn mastered) per particle (rows) and standard (columns)."""
    z = (centre[:, None] - grade[None, :]) / width[:, None]
    p: FloatArray = 1.0 / (1.0 + np.exp(-z))
    return np.clip(p, _P_FLOOR, 1.0 - _P_FLOOR)


def _answer_likelihoods(config: DiagnosticConfig) -> tuple[float, float]:
    """P(right answer | mastered / not mastered in the closed state), exceptions included."""
    e, s, g = config.p_exception, config.p_slip, config.p_guess
    return (1.0 - e) * (1.0 - s) + e * g, (1.0 - e) * g + e * (1.0 - s)


def _askable_mask(graph: PrerequisiteGraph, askable: Iterable[str] | None) -> BoolArray:
    if askable is None:
        return _readonly(np.ones(len(graph), dtype=np.bool_))
    mask = np.zeros(len(graph), dtype=np.bool_)
    unknown = []
    for node in askable:
        k = graph.index.get(node)
        if k is None:
            unknown.append(node)
        else:
            mask[k] = True
    if unknown:
        raise ValueError(f"askable standards not in the graph: {sorted(unknown)[:10]}")
    return _readonly(mask)


def diagnostic_start(
    graph: PrerequisiteGraph,
    *,
    own_grade: float,
    seed: int,
    askable: Iterable[str] | None = None,
    config: DiagnosticConfig = DEFAULT_DIAGNOSTIC,
) -> DiagnosticState:
    """The prior state for a student in ``own_grade``; ``askable``: the standards that can be
    asked (default all)."""
    replay = diagnostic_replay_start(
        graph, own_grade=own_grade, seed=seed, askable=askable, config=config
    )
    return diagnostic_replay_state(replay)


def _check_askable(
    graph: PrerequisiteGraph, askable: BoolArray, node: str, asked: Iterable[str]
) -> int:
    """The index of ``node``, which must be an askable standard not asked yet."""
    j = graph.index.get(node)
    if j is None:
        raise ValueError(f"{node!r} is not a standard of the diagnostic's graph")
    if not askable[j]:
        raise ValueError(f"{node!r} is not askable in this diagnostic")
    if node in asked:
        raise ValueError(f"{node!r} has already been asked")
    return j


def _with_draws(
    graph: PrerequisiteGraph,
    known: BoolArray,
    log_none: Float32Array,
    new: NDArray[np.intp],
    hit: BoolArray,
    log_miss_levels: FloatArray,
) -> tuple[BoolArray, Float32Array, Float32Array]:
    """New matrices with the standards ``new`` (columns of ``hit``, per particle) drawn
    explicitly: every standard they build on gets their closure. ``log_miss_levels``: per
    particle and grade level, log(1 - P(drawn mastered)). Whole rows at a time: cheaper than
    gathering and scattering the columns concerned, and the others come out unchanged."""
    links = graph.descendants[:, new].T.astype(np.float32)  # new x standard: builds on it
    by_level = np.zeros((len(graph.levels), len(new)), dtype=np.float32)
    by_level[graph.level[new], np.arange(len(new))] = 1.0
    known = known | ((hit.astype(np.float32) @ links) > 0)
    log_none = log_none - log_miss_levels.astype(np.float32) @ (by_level @ links)
    p_closed = np.where(known, np.float32(1.0), -np.expm1(log_none))
    return known, log_none, p_closed


def diagnostic_answer(state: DiagnosticState, node: str, correct: bool) -> DiagnosticState:
    """The state after the student answered one question on ``node``."""
    graph, config = state.graph, state.config
    j = _check_askable(graph, state.askable, node, state.asked)
    known, log_none, p_closed = state.known, state.log_none, state.p_closed
    drawn = state.drawn
    new = graph.descendants[j] & ~drawn
    if new.any():
        # Draw the standards this answer newly depends on, from each particle's own level;
        # they were independent of every earlier answer, so drawing them now is exact.
        rng = np.random.default_rng([state.seed, 1 + state.n_answered])
        p_levels = _mastery_prior(graph.levels, state.centre, state.width)
        p_new = p_levels[:, graph.level[new]]
        hit = rng.random(p_new.shape) < p_new
        known, log_none, p_closed = _with_draws(
            graph, known, log_none, np.flatnonzero(new), hit, np.log1p(-p_levels)
        )
        drawn = drawn | new
    like_mastered, like_not = _answer_likelihoods(config)
    if not correct:
        like_mastered, like_not = 1.0 - like_mastered, 1.0 - like_not
    # Every standard building on ``node`` is now drawn, so ``known`` is its exact closed value.
    log_weight = state.log_weight + np.log(np.where(known[:, j], like_mastered, like_not))
    return replace(
        state,
        answers=(*state.answers, (node, bool(correct))),
        log_weight=_readonly(log_weight),
        known=_readonly(known),
        log_none=_readonly(log_none),
        p_closed=_readonly(p_closed),
        drawn=_readonly(drawn),
    )


@dataclass(frozen=True, eq=False)
class DiagnosticReplay:
    """A replay of a diagnostic's answers so far, kept to go on from when more answers come
    (:func:`diagnostic_replay_extend`); :func:`diagnostic_replay_state` gives the state they
    lead to. Treat as immutable; arrays are read-only.

    Holds what the answers' draws leave behind and nothing that must be recomputed after
    them: ``known`` and ``drawn`` as in :class:`DiagnosticState`, and ``drawn_levels[l, k]``:
    how many drawn standards of grade ``levels[l]`` build on ``k`` (itself included). Those
    are exact (booleans, small whole numbers), so a replay extended answer by answer holds
    the same values as one that replays every answer at once.
    """

    graph: PrerequisiteGraph
    config: DiagnosticConfig
    own_grade: float
    seed: int
    askable: BoolArray
    answers: tuple[tuple[str, bool], ...]
    centre: FloatArray
    width: FloatArray
    known: BoolArray
    drawn: BoolArray
    drawn_levels: Float32Array


def diagnostic_replay_start(
    graph: PrerequisiteGraph,
    *,
    own_grade: float,
    seed: int,
    askable: Iterable[str] | None = None,
    config: DiagnosticConfig = DEFAULT_DIAGNOSTIC,
) -> DiagnosticReplay:
    """A replay with no answers yet, for a student in ``own_grade``; ``askable``: the
    standards that can be asked (default all)."""
    config.validate()
    if not math.isfinite(own_grade):
        raise ValueError(f"own_grade={own_grade} must be a finite number")
    if seed < 0:
        raise ValueError(f"seed={seed} must be non-negative")
    mask = _askable_mask(graph, askable)
    rng = np.random.default_rng([seed, 0])
    n = config.n_particles
    centre = own_grade + config.level_spread * rng.standard_normal(n)
    width = rng.uniform(config.width_min, config.width_max, n)
    return DiagnosticReplay(
        graph=graph,
        config=config,
        own_grade=float(own_grade),
        seed=seed,
        askable=mask,
        answers=(),
        centre=_readonly(centre),
        width=_readonly(width),
        known=_readonly(np.zeros((n, len(graph)), dtype=np.bool_)),
        drawn=_readonly(np.zeros(len(graph), dtype=np.bool_)),
        drawn_levels=_readonly(np.zeros((len(graph.levels), len(graph)), dtype=np.float32)),
    )


def diagnostic_replay_extend(
    replay: DiagnosticReplay, answers: Sequence[tuple[str, bool]]
) -> DiagnosticReplay:
    """The replay with ``answers`` given after its own, in order.

    Each answer's draws depend only on the prior and on which standards were drawn before it,
    never on the answers' values, so every new step's draws are made first (from the same
    per-step generators as :func:`diagnostic_answer`) and the matrices are updated once for
    all of them."""
    if not answers:
        return replay
    graph, seed = replay.graph, replay.seed
    drawn = replay.drawn.copy()
    asked = {node for node, _ in replay.answers}
    p_levels = _mastery_prior(graph.levels, replay.centre, replay.width)
    columns: list[NDArray[np.intp]] = []
    hits: list[BoolArray] = []
    for n, (node, _) in enumerate(answers, start=len(replay.answers)):
        j = _check_askable(graph, replay.askable, node, asked)
        asked.add(node)
        new = graph.descendants[j] & ~drawn
        if new.any():
            rng = np.random.default_rng([seed, 1 + n])
            p_new = p_levels[:, graph.level[new]]
            hits.append(rng.random(p_new.shape) < p_new)
            columns.append(np.flatnonzero(new))
            drawn |= new
    known, drawn_levels = replay.known, replay.drawn_levels
    if columns:
        new_columns = np.concatenate(columns)
        links = graph.descendants[:, new_columns].T.astype(np.float32)
        by_level = np.zeros((len(graph.levels), len(new_columns)), dtype=np.float32)
        by_level[graph.level[new_columns], np.arange(len(new_columns))] = 1.0
        hit = np.concatenate(hits, axis=1)
        known = known | ((hit.astype(np.float32) @ links) > 0)
        drawn_levels = drawn_levels + by_level @ links
    return replace(
        replay,
        answers=(*replay.answers, *((node, bool(correct)) for node, correct in answers)),
        known=_readonly(known),
        drawn=_readonly(drawn),
        drawn_levels=_readonly(drawn_levels),
    )


def diagnostic_replay_state(replay: DiagnosticReplay) -> DiagnosticState:
    """The state a replay's answers lead to. The same whether the replay was extended answer
    by answer or all at once; the sums run in another order than :func:`diagnostic_answer`'s
    step by step, so values may differ from its in the last bits of single precision."""
    graph, config = replay.graph, replay.config
    log_miss = np.log1p(-_mastery_prior(graph.levels, replay.centre, replay.width)).astype(
        np.float32
    )
    # Before any draw, P(not mastered) sums every descendant's log(1 - p), which is the same
    # for every descendant in one grade; then each drawn standard's own term is taken out.
    log_none = log_miss @ graph.descendant_levels.T
    if replay.answers:
        log_none -= log_miss @ replay.drawn_levels
    # -expm1, then 1 where known: in place, the largest arrays of a question's step.
    p_closed = np.expm1(log_none)
    np.negative(p_closed, out=p_closed)
    if replay.answers:
        np.copyto(p_closed, np.float32(1.0), where=replay.known)
    like_mastered, like_not = _answer_likelihoods(config)
    log_right = np.log([like_not, like_mastered])
    log_wrong = np.log([1.0 - like_not, 1.0 - like_mastered])
    # A standard's ``known`` column is final once it has been answered, so the weights follow
    # from the end state.
    log_weight = np.zeros(config.n_particles)
    for node, correct in replay.answers:
        log_weight += (log_right if correct else log_wrong)[
            replay.known[:, graph.index[node]].view(np.int8)
        ]
    return DiagnosticState(
        graph=graph,
        config=config,
        own_grade=replay.own_grade,
        seed=replay.seed,
        askable=replay.askable,
        answers=replay.answers,
        centre=replay.centre,
        width=replay.width,
        log_weight=_readonly(log_weight),
        known=replay.known,
        log_none=_readonly(log_none),
        p_closed=_readonly(p_closed),
        drawn=replay.drawn,
    )


def diagnostic_replay(
    graph: PrerequisiteGraph,
    *,
    own_grade: float,
    seed: int,
    answers: Sequence[tuple[str, bool]],
    askable: Iterable[str] | None = None,
    config: DiagnosticConfig = DEFAULT_DIAGNOSTIC,
) -> DiagnosticState:
    """Rebuild a state from its answers (the same seed gives the same state), in one pass:
    see :func:`diagnostic_replay_extend` and :func:`diagnostic_replay_state`."""
    replay = diagnostic_replay_start(
        graph, own_grade=own_grade, seed=seed, askable=askable, config=config
    )
    return diagnostic_replay_state(diagnostic_replay_extend(replay, answers))


def _weights(state: DiagnosticState) -> FloatArray:
    w = np.exp(state.log_weight - state.log_weight.max())
    normalised: FloatArray = w / w.sum()
    return normalised


def _posterior(state: DiagnosticState, w: FloatArray) -> tuple[FloatArray, FloatArray]:
    """P(mastered in the closed state) and P(mastered) allowing for exceptions."""
    closed = (w.astype(np.float32) @ state.p_closed).astype(np.float64)
    e = state.config.p_exception
    p = e + (1.0 - 2.0 * e) * closed
    s, g = state.config.p_slip, state.config.p_guess
    for node, correct in state.answers:
        # An answered standard: the exception and the answer both bear on it directly.
        j = state.graph.index[node]
        right, wrong = (1.0 - s, g) if correct else (s, 1.0 - g)
        if_closed = (1.0 - e) * right / ((1.0 - e) * right + e * wrong)
        if_open = e * right / (e * right + (1.0 - e) * wrong)
        p[j] = closed[j] * if_closed + (1.0 - closed[j]) * if_open
    return closed, p


def diagnostic_posterior(state: DiagnosticState) -> dict[str, float]:
    """P(mastered) of every standard of the graph, given the answers so far."""
    _, p = _posterior(state, _weights(state))
    return dict(zip(state.graph.nodes, p.tolist(), strict=True))


def diagnostic_next(state: DiagnosticState) -> DiagnosticStep:
    """The next standard to ask, the one whose answer is expected to raise the number of
    standards classified correctly the most; or why to stop."""
    config = state.config
    w = _weights(state)
    closed, p = _posterior(state, w)
    expected = float(np.maximum(p, 1.0 - p).mean()) if len(p) else 1.0
    n = state.n_answered

    def stop(reason: StopReason) -> DiagnosticStep:
        return DiagnosticStep(node=None, stop=reason, expected_accuracy=expected, n_answered=n)

    if n >= config.max_items:
        return stop(StopReason.MAX_ITEMS)
    if n >= config.min_items and expected >= config.target_accuracy:
        return stop(StopReason.CONFIDENT)
    open_ = state.askable.copy()
    for node in state.asked:
        open_[state.graph.index[node]] = False
    candidates = np.flatnonzero(open_)
    if candidates.size == 0:
        return stop(StopReason.NOTHING_TO_ASK)
    # Full look-ahead only for the most uncertain (stable order: ties keep graph order).
    uncertainty = np.minimum(closed[candidates], 1.0 - closed[candidates])
    candidates = candidates[np.argsort(-uncertainty, kind="stable")[: config.shortlist]]
    like_mastered, like_not = _answer_likelihoods(config)
    lift = like_mastered - like_not
    pc = state.p_closed
    w32 = w.astype(np.float32)[:, None]
    # P(candidate and k) for every standard k, the two independent within a particle.
    joint = ((pc[:, candidates] * w32).T @ pc).astype(np.float64)
    p_right = like_not + lift * closed[candidates]
    after_right = (like_not * closed[None, :] + lift * joint) / p_right[:, None]
    after_wrong = ((1.0 - like_not) * closed[None, :] - lift * joint) / (1.0 - p_right)[:, None]
    score = p_right * np.maximum(after_right, 1.0 - after_right).sum(axis=1) + (
        1.0 - p_right
    ) * np.maximum(after_wrong, 1.0 - after_wrong).sum(axis=1)
    best = int(candidates[int(np.argmax(score))])
    return DiagnosticStep(
        node=state.graph.nodes[best], stop=None, expected_accuracy=expected, n_answered=n
    )


def simulate_knowledge_states(
    graph: PrerequisiteGraph,
    *,
    centre: Sequence[float] | FloatArray,
    width: float,
    flip_rate: float,
    random_state: int | np.random.Generator | None = None,
) -> BoolArray:
    """True knowledge states for simulated students (rows), one per ``centre``.

    Each standard is drawn mastered with ``sigmoid((centre - grade) / width)``, the state is
    closed under prerequisites, and then each standard is flipped with ``flip_rate``.
    """
    if not width > 0:
        raise ValueError(f"width={width} must be positive")
    if not 0.0 <= flip_rate <= 1.0:
        raise ValueError(f"flip_rate={flip_rate} is outside [0, 1]")
    rng = np.random.default_rng(random_state)
    c = np.asarray(centre, dtype=np.float64)
    p = _mastery_prior(graph.grade, c, np.full(c.shape, float(width)))
    drawn = (rng.random(p.shape) < p).astype(np.float64)
    closed = (drawn @ graph.descendants.T.astype(np.float64)) > 0
    flips = rng.random(closed.shape) < flip_rate
    truth: BoolArray = closed ^ flips
    return truth
