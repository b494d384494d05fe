"""A simulated school year through the real services on a real database: Tandem's next-item
policy against a fixed grade-order baseline, on the same simulated students.

Each simulated student (grades 3-8) has a true knowledge state over the K-8 standards of the
Common Core framework (Coherence Map prerequisites): standards drawn known around a centre
that is the own grade shifted by the student's ability, closed under prerequisites
(``tandem_engine.diagnostic.simulate_knowledge_states``). The student takes the diagnostic and
then practises on school days (Monday to Friday, on some of them, 10-20 items a day) until
``--items`` practice answers, the clock advancing between answers and days.

Knowledge is graded, not two-valued (``SimulatedStudent``): on each standard the student has
log-odds ``z`` of answering a middle-difficulty item right, which an item's difficulty shifts,
and a guess floor and a slip ceiling bound. ``z`` is low while the standard's prerequisites
are unknown, higher once they are known (a standard whose prerequisites are known is within
reach before it is taught: about 0.56 right on a middle item, 0.68 on an easy one), grows
with every practice item on the standard (a quarter as fast while no prerequisite is known,
faster with every prerequisite known),
and fades back with exponential forgetting: slowly for what was known before the year
(the further below the own grade, the slower), in 20 days at first for what was learned in
practice, more slowly after every right answer (more after a longer gap). A standard is
truly known while ``z`` is at least ``Z_KNOWN_AT`` (about 0.8 right on a middle item); the
end-of-year truth that precision, recall and standards learned are measured on.

An earlier version drew each standard known or unknown, right with 1 - slip or with the
guess rate: every item that teaches was then answered right 14-28% of the time, so no policy
that teaches could serve items in the 0.6-0.9 band. Graded knowledge is the usual model of
learning curves (additive-factors and performance-factors models, Item Response Theory with
a growing ability). The unready and the known-before-the-year levels reproduce the earlier
guess and slip rates (0.15-0.25 and 0.85-0.94 right by difficulty); the readiness bonus, the
learning rate and the "truly known" line are judgement, set before Tandem's policy was run
on them and not tuned to it. Items are practisable on only some standards (74 of 317 in the
bundled content): a prerequisite without items can be known only from before the year.

Both cohorts run the same students with the same seeds, each in its own process on its own
fresh SQLite database: ``tandem`` asks ``practice_next`` for the next item; ``baseline`` asks
it with ``focus_competency_id`` set to the first practisable standard (grade, then framework
order) at or below the own grade that Tandem's status does not call mastered. Only the public
services and selectors are called: the placement services, ``practice_next``,
``attempt_answer``, ``mastery_for_student``, ``practisable_competencies``, the roster services
and ``tandem.core.coherence.coherence_check`` (on a sample of students at the end).

Reported per policy and written to ``var/bench/classroom.json`` (the top-level keys are
Tandem's; ``policies`` holds both):

- ``mastery_precision``: of the (student, standard) pairs whose status is "mastered" at the
  end of the student's year, the share truly known then; ``mastery_recall``: of the pairs
  with a learner state that are truly known, the share "mastered";
- ``ece`` (10 equal-width bins) and ``auc`` of the policy's predicted success against the
  simulated outcomes of the practice items (per policy also ``reliability``, the bins, and
  the same after the school's first calibration);
- ``zpd_share``: served practice items whose true P(correct) lies in [0.6, 0.9] (per policy
  also the shares below and above it, and ``by_pick``: the same per reason the policy gave,
  per item difficulty and by whether the standard's prerequisites were all truly known);
- ``mastered_per_100_items``: standards of the student's own grade truly known at the end
  but not at the start, per 100 practice items; ``mastered_per_100_items_ratio`` is Tandem's
  over the baseline's;
- ``contradictions``: disagreements the coherence checker finds among the sampled students'
  pages (both cohorts);
- ``answer_ms_p50``/``answer_ms_p95``: server time of ``attempt_answer``;
  ``next_ms_p50``/``next_ms_p95``: of ``practice_next``.

``--oracle filter``, ``--oracle truth`` or ``--oracle difficulty`` (bench only) measure a
ceiling for the ZPD share: Tandem's policy chooses only among the candidate items truly in the
ZPD, or scores the candidates on the true P(right) in place of its prediction, or chooses the
standard as it does and only the difficulty on the truth (the baseline is untouched).

    .venv/bin/python bench/classroom.py [--quick] [--students 1000] [--items 150]
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import math
import os
import random
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

# One BLAS thread per worker process: the two cohorts are the parallelism.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))
sys.path.insert(0, str(REPO / "bench"))

from diagnostic import load_framework  # noqa: E402
from machine import machine  # noqa: E402
from tandem_engine.diagnostic import (  # noqa: E402
    PrerequisiteGraph,
    simulate_knowledge_states,
)

OUT = REPO / "var" / "bench" / "classroom.json"
WORK = REPO / "var" / "bench" / "classroom"
POLICIES = ("tandem", "baseline")
OWN_GRADES = (3, 4, 5, 6, 7, 8)
# Graded truth (see SimulatedStudent): log-odds of a right answer on a middle-difficulty item,
# before the guess floor and the slip ceiling. Each difficulty step away from the middle moves
# them by DIFFICULTY_STEP. A standard none of whose prerequisites is known sits at Z_UNREADY
# (right about 1 in 5); one whose prerequisites are all known at Z_UNREADY + Z_READY (about
# 0.56) before any teaching; what was known before the year at Z_KNOWN_START (about 0.9);
# practice lifts it to at most Z_MAX (about 0.95). Truly known: at least Z_KNOWN_AT (about
# 0.8 on a middle item), the line mastery precision and recall are measured against.
GUESS = 0.10
SLIP = 0.03  # times the student's slip factor (0.7-1.3)
DIFFICULTY_STEP = 0.6
Z_UNREADY = -2.2
Z_READY = 2.3
Z_KNOWN_START = 2.5
Z_KNOWN_AT = 1.4
Z_MAX = 3.5
ZPD = (0.6, 0.9)
NEW_STABILITY_DAYS = 20.0
PRIOR_STABILITY_DAYS = 180.0  # known before the year, at the own grade; doubles per grade below
TARGETS = {
    "mastery_precision": 0.95,
    "ece": 0.03,
    "zpd_share": 0.80,
    "mastered_per_100_items_ratio": 1.3,
    "contradictions": 0,
}


# ---------- the simulated students (no Django) ----------


@dataclasses.dataclass(frozen=True)
class Cohort:
    """Everything about the simulated students that both policies share."""

    codes: list[str]
    grades: np.ndarray  # per standard, K = 0
    prerequisites: list[np.ndarray]  # per standard, the indices of its direct prerequisites
    # Standards by depth in the prerequisite graph, each depth with the matrix that averages
    # its standards' direct prerequisites (None for the standards without any).
    levels: list[tuple[np.ndarray, Any]]
    own_grade: np.ndarray  # per student, 3-8
    truth: np.ndarray  # students x standards, known at the start
    learn_rate: np.ndarray  # log-odds gained per practice item
    slip_factor: np.ndarray
    active: np.ndarray  # per student, the chance of practising on a school day
    seeds: list[int]


def make_cohort(n_students: int, seed: int) -> Cohort:
    grades_by_code, edges = load_framework()
    graph = PrerequisiteGraph.build(grades_by_code, edges)
    codes = list(graph.nodes)
    index = {code: i for i, code in enumerate(codes)}
    parents: list[list[int]] = [[] for _ in codes]
    for before, after in edges:
        parents[index[after]].append(index[before])
    rng = np.random.default_rng(seed)
    own = rng.choice(OWN_GRADES, n_students)
    ability = np.clip(rng.normal(-0.3, 0.9, n_students), -2.5, 2.0)
    truth = simulate_knowledge_states(
        graph, centre=own + ability, width=0.5, flip_rate=0.0, random_state=rng
    )
    return Cohort(
        codes=codes,
        grades=np.array([grades_by_code[c] for c in codes]),
        prerequisites=[np.array(p, dtype=np.int64) for p in parents],
        levels=_levels(parents),
        own_grade=own,
        truth=truth,
        learn_rate=np.clip(0.25 + 0.08 * ability + rng.normal(0, 0.05, n_students), 0.08, 0.5),
        slip_factor=rng.uniform(0.7, 1.3, n_students),
        active=rng.uniform(0.35, 0.85, n_students),
        seeds=[seed * 10_000 + i for i in range(n_students)],
    )


def _levels(parents: list[list[int]]) -> list[tuple[np.ndarray, Any]]:
    import scipy.sparse as sp

    depth = [-1] * len(parents)

    def depth_of(j: int) -> int:
        if depth[j] < 0:
            depth[j] = 1 + max((depth_of(k) for k in parents[j]), default=-1)
        return depth[j]

    for j in range(len(parents)):
        depth_of(j)
    out: list[tuple[np.ndarray, Any]] = []
    for d in range(max(depth, default=-1) + 1):
        members = np.array([j for j in range(len(parents)) if depth[j] == d], dtype=np.int64)
        if d == 0:
            out.append((members, None))
            continue
        rows = [r for r, j in enumerate(members) for _ in parents[j]]
        cols = [k for j in members for k in parents[j]]
        values = [1.0 / len(parents[j]) for j in members for _ in parents[j]]
        matrix = sp.csr_matrix((values, (rows, cols)), shape=(len(members), len(parents)))
        out.append((members, matrix))
    return out


class SimulatedStudent:
    """One student's true, graded knowledge as it moves: readiness, learning, forgetting.

    On standard ``j`` an item of difficulty ``d`` is answered right with
    ``GUESS + (1 - GUESS - slip) * sigmoid(z_j - DIFFICULTY_STEP * (d - 2))``, where
    ``z_j = floor_j + learned_j * exp(-days since last practice / stability_j)``:
    ``floor_j`` rises from ``Z_UNREADY`` by ``Z_READY`` times the share of ``j``'s direct
    prerequisites truly known now (a standard whose prerequisites are known is within reach
    before it is taught), and ``learned_j`` grows by the student's learning rate with every
    practice item on ``j`` (a quarter of it while no prerequisite is known, all of it when
    all are), up to
    ``Z_MAX``, and fades towards the floor. Truly known: ``z_j`` at least ``Z_KNOWN_AT``.
    """

    def __init__(self, cohort: Cohort, i: int) -> None:
        self.cohort = cohort
        self.index = {code: j for j, code in enumerate(cohort.codes)}
        self.slip = SLIP * float(cohort.slip_factor[i])
        self.rate = float(cohort.learn_rate[i])
        self.seed = int(cohort.seeds[i])
        self.rng = np.random.default_rng([self.seed, 7])
        below = np.maximum(cohort.own_grade[i] - cohort.grades, 0.0)
        self.stability = PRIOR_STABILITY_DAYS * 2.0**below
        self.last = np.zeros(len(cohort.codes))  # days since the start of the year
        known = cohort.truth[i]
        # What was known before the year sits at Z_KNOWN_START (its prerequisites are known
        # too: the starting states are closed under prerequisites).
        self.learned = np.where(known, Z_KNOWN_START - (Z_UNREADY + Z_READY), 0.0)
        self._cached: tuple[float, np.ndarray] | None = None

    def _z(self, day: float) -> np.ndarray:
        """Every standard's log-odds on a middle item at ``day``, prerequisites first (kept
        until the day or what was learned changes)."""
        if self._cached is not None and self._cached[0] == day:
            return self._cached[1]
        cohort = self.cohort
        learned = self.learned * np.exp(-np.maximum(day - self.last, 0.0) / self.stability)
        z = np.empty(len(cohort.codes))
        for level, matrix in cohort.levels:
            share = matrix @ (z >= Z_KNOWN_AT) if matrix is not None else 1.0
            z[level] = Z_UNREADY + Z_READY * share + learned[level]
        self._cached = (day, z)
        return z

    def _p(self, z: float, difficulty: int) -> float:
        d = min(max(int(difficulty), 1), 3)
        return GUESS + (1.0 - GUESS - self.slip) / (
            1.0 + math.exp(-(z - DIFFICULTY_STEP * (d - 2)))
        )

    def p_correct(self, code: str, difficulty: int, day: float) -> float:
        j = self.index.get(code)
        if j is None:
            return self._p(Z_UNREADY, difficulty)
        return self._p(float(self._z(day)[j]), difficulty)

    def practised(self, code: str, correct: bool, day: float, gap: float) -> None:
        """After a practice item: what is left of the learning grows, and a right answer on
        something known makes it last longer (more after a longer gap)."""
        j = self.index.get(code)
        if j is None:
            return
        z = self._z(day)
        prerequisites = self.cohort.prerequisites[j]
        share = float((z[prerequisites] >= Z_KNOWN_AT).mean()) if len(prerequisites) else 1.0
        kept = self.learned[j] * math.exp(-max(day - self.last[j], 0.0) / self.stability[j])
        if kept == 0.0:
            self.stability[j] = NEW_STABILITY_DAYS
        if correct and z[j] >= Z_KNOWN_AT:
            s = self.stability[j]
            self.stability[j] = s * (1.5 + min(gap / s, 1.0))
        gain = self.rate * (0.25 + 0.75 * share)
        self.learned[j] = max(min(kept + gain, Z_MAX - (z[j] - kept)), kept)
        self.last[j] = day
        self._cached = None

    def ready_share(self, code: str, day: float) -> float:
        """The share of the standard's direct prerequisites truly known at ``day``."""
        j = self.index.get(code)
        prerequisites = self.cohort.prerequisites[j] if j is not None else ()
        if not len(prerequisites):
            return 1.0
        return float((self._z(day)[prerequisites] >= Z_KNOWN_AT).mean())

    def known_at(self, day: float) -> np.ndarray:
        """Which standards are truly known at ``day``."""
        return self._z(day) >= Z_KNOWN_AT


def schedule(rng: random.Random, active: float, items: int) -> list[tuple[int, int]]:
    """(day offset, items that day) over school days until ``items`` practice answers."""
    days, left, day = [], items, 1
    while left > 0:
        if day % 7 < 5 and rng.random() < active:
            n = min(rng.randint(10, 20), left)
            days.append((day, n))
            left -= n
        day += 1
    return days


# ---------- the ZPD ceiling (bench only, --oracle) ----------

# What the oracle needs about the item being chosen now: the simulated student, the day, and
# each competency id's code. Set before each ``practice_next`` of the tandem cohort, cleared
# otherwise, so the baseline and the diagnostic are never touched.
_ORACLE: dict[str, Any] = {}
ORACLE_MODES = ("off", "filter", "truth", "difficulty")


def _install_oracle(mode: str) -> None:
    """Replace ``tandem_engine.next_item`` (in this cohort's process) by an oracle that knows
    the simulated truth.

    ``filter``: the product's scoring (priorities, band, predicted success) chooses only among
    the candidate items whose true P(right) lies in the ZPD, when any of them (other than the
    item just given) does. ``truth``: the product's scoring on the true P(right) in place of
    the predicted one. ``difficulty``: the product's choice of standard, on its predictions,
    at the difficulty whose true P(right) is in the ZPD (nearest its middle; else nearest the
    ZPD). A ceiling for the ZPD share, not a policy: the product cannot know it.
    """
    import tandem_engine

    real = tandem_engine.next_item

    def next_item(competencies: Any, items: Any, **kwargs: Any) -> Any:
        if not _ORACLE:
            return real(competencies, items, **kwargs)
        sim, day, code_of = _ORACLE["sim"], _ORACLE["day"], _ORACLE["code_of"]

        def true_p(it: Any) -> float:
            cid, difficulty = it.item.rsplit("@", 1)
            return sim.p_correct(code_of[int(cid)], int(difficulty), day)

        if mode == "difficulty":
            pick = real(competencies, items, **kwargs)
            if pick is None:
                return None
            same = [
                it
                for it in items
                if it.competency == pick.competency and it.item != kwargs.get("last_item")
            ]

            def off_zpd(it: Any) -> tuple[float, float]:
                p = true_p(it)
                outside = max(ZPD[0] - p, 0.0) + max(p - ZPD[1], 0.0)
                return outside, abs(p - sum(ZPD) / 2)

            best = min(same, key=off_zpd)
            return dataclasses.replace(pick, item=best.item, p_success=best.p_success)
        if mode == "truth":
            items = [dataclasses.replace(it, p_success=true_p(it)) for it in items]
        else:
            inside = [
                it
                for it in items
                if it.item != kwargs.get("last_item") and ZPD[0] <= true_p(it) <= ZPD[1]
            ]
            items = inside or items
        return real(competencies, items, **kwargs)

    tandem_engine.next_item = next_item


# ---------- one cohort, in its own process and database ----------


def _django(database: Path) -> None:
    database.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    os.environ.setdefault("TANDEM_DATA_DIR", str(database.parent))
    (Path(os.environ["TANDEM_DATA_DIR"]) / "static").mkdir(parents=True, exist_ok=True)
    os.environ["DJANGO_SETTINGS_MODULE"] = "tandem.settings"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def _response(item: Any, right: bool) -> str | list[str]:
    """A well-formed response that the answer key scores as ``right``."""
    from tandem.content.answers import check_answer

    if right:
        candidates: list[str | list[str]] = [
            list(item.answer) if item.kind == "multiple_choice" else str(item.answer[0])
        ]
    elif item.kind in ("single_choice", "multiple_choice"):
        wrong = [str(i) for i in range(len(item.choices)) if str(i) not in item.answer]
        candidates = [[w] if item.kind == "multiple_choice" else w for w in wrong]
    elif item.kind == "numeric":
        candidates = ["987654321", "-987654321"]
    else:
        candidates = ["not the answer", "987654321"]
    for response in candidates:
        result = check_answer(
            kind=item.kind, answer=item.answer, tolerance=item.tolerance, response=response
        )
        if result.correct == right:
            return response
    raise RuntimeError(f"no {'right' if right else 'wrong'} response for item {item.pk}")


def _school(cohort: Cohort) -> list[Any]:
    """Classes of up to 30 per grade, a teacher each, a guardian for every second student."""
    from tandem.competencies.services import framework_load_coherence_map
    from tandem.roster.constants import EnrollmentRole, OrgType, Role
    from tandem.roster.models import Course
    from tandem.roster.services import (
        class_create,
        enrollment_create,
        guardian_link_create,
        org_create,
        user_create,
    )

    framework_load_coherence_map()
    org = org_create(sourced_id="bench-school", name="Bench Middle School", type=OrgType.SCHOOL)
    students, classes = [], {}
    for i, own in enumerate(cohort.own_grade.tolist()):
        grade = f"{own:02d}"
        student = user_create(
            sourced_id=f"bench-s-{i}",
            username=f"s{i:04d}",
            role=Role.STUDENT,
            first_name="Student",
            last_name=f"{i:04d}",
            grade=grade,
        )
        roster = classes.setdefault(own, [])
        if not roster or roster[-1][1] >= 30:
            n = len(roster)
            course = Course.objects.get_or_create(
                sourced_id=f"bench-course-{own}",
                defaults={"title": f"Math {own}", "org": org, "grades": [grade]},
            )[0]
            school_class = class_create(
                sourced_id=f"bench-class-{own}-{n}",
                title=f"Math {own} · {n + 1}",
                course=course,
                school=org,
            )
            teacher = user_create(
                sourced_id=f"bench-t-{own}-{n}",
                username=f"t{own}{n}",
                role=Role.TEACHER,
                first_name="Teacher",
                last_name=f"{own}-{n}",
            )
            enrollment_create(user=teacher, school_class=school_class, role=EnrollmentRole.TEACHER)
            roster.append([school_class, 0])
        enrollment_create(user=student, school_class=roster[-1][0], role=EnrollmentRole.STUDENT)
        roster[-1][1] += 1
        if i % 2 == 0:
            guardian = user_create(
                sourced_id=f"bench-g-{i}",
                username=f"g{i:04d}",
                role=Role.GUARDIAN,
                first_name="Guardian",
                last_name=f"{i:04d}",
            )
            guardian_link_create(guardian=guardian, student=student)
        students.append(student)
    return students


def _take_diagnostic(
    student: Any, sim: SimulatedStudent, now: dt.datetime, timings: list[float]
) -> int:
    """The whole diagnostic through the placement services; ``timings`` gets the server
    milliseconds of each question (putting it and taking its answer)."""
    from tandem.placement.services import (
        diagnostic_question_answer,
        diagnostic_question_next,
        diagnostic_session_start,
    )

    # Seeded from the student's own seed, so that a run repeats with the same --seed.
    seed = int(np.random.default_rng([sim.seed, 11]).integers(2**31 - 1))
    session = diagnostic_session_start(student=student, now=now, seed=seed)
    n = 0
    while True:
        t0 = time.perf_counter()
        question = diagnostic_question_next(session=session, now=now)
        spent = time.perf_counter() - t0
        if question is None:
            break
        p = sim.p_correct(question.competency.code, question.item.difficulty, 0.0)
        right = bool(sim.rng.random() < p)
        now += dt.timedelta(seconds=int(sim.rng.integers(20, 60)))
        response = _response(question.item, right)
        t0 = time.perf_counter()
        diagnostic_question_answer(
            student=student, question_id=question.pk, response=response, now=now
        )
        timings.append((spent + time.perf_counter() - t0) * 1000)
        n += 1
    return n


def _baseline_focus(student: Any, order: list[tuple[int, int]], now: dt.datetime) -> int | None:
    """The first standard at or below the own grade that Tandem does not call mastered."""
    from tandem.mastery.constants import Status
    from tandem.mastery.selectors import mastery_for_student
    from tandem.roster.constants import grade_rank

    own = grade_rank(student.grade)
    state = mastery_for_student(student_id=student.pk, now=now)
    for rank, cid in order:
        if rank > own:
            break
        view = state.get(cid)
        if view is None or view.status != Status.MASTERED:
            return cid
    return None


def run_cohort(task: dict[str, Any]) -> dict[str, Any]:
    """Run every student of the cohort under one policy; returns raw rows and end states."""
    policy: str = task["policy"]
    started = time.perf_counter()
    _django(Path(task["database"]))
    from django.utils import timezone

    from tandem.competencies.models import Competency
    from tandem.content.selectors import practisable_competencies
    from tandem.core.coherence import coherence_check
    from tandem.mastery.constants import Status
    from tandem.mastery.selectors import mastery_for_student
    from tandem.practice.services import attempt_answer, practice_next

    cohort: Cohort = task["cohort"]
    items: int = task["items"]
    oracle = task.get("oracle", "off")
    if policy == "tandem" and oracle != "off":
        _install_oracle(oracle)
    students = _school(cohort)
    order = sorted((c.grade_rank, c.list_order, c.pk) for c in practisable_competencies().values())
    order_ids = [(rank, cid) for rank, _, cid in order]
    code_of = dict(Competency.objects.values_list("pk", "human_coding_scheme"))
    today = timezone.now().replace(hour=0, minute=0, second=0, microsecond=0)

    rows: list[tuple[float, float, int, int]] = []  # predicted, true p, correct, student
    # Per row: the policy's reason, the item's difficulty, the share of the standard's direct
    # prerequisites truly known, whether the standard was known before the year.
    picks: list[tuple[str, int, float, bool]] = []
    # Per row (for --raw analysis): true P(right) at each difficulty, how many items on the
    # standard the student had before this one, the standard's grade minus the own grade, and
    # the standard's code.
    detail: list[tuple[float, float, float, int, int, str]] = []
    answer_ms: list[float] = []
    next_ms: list[float] = []
    diagnostic_ms: list[float] = []
    diagnostic_items: list[int] = []
    precision_pairs = [0, 0]  # mastered, of them truly known
    recall_pairs = [0, 0]  # truly known with a state, of them mastered
    gains: list[int] = []
    served: list[int] = []
    phases: list[int] = []  # per student, the calibrations run before their year
    setup_seconds = time.perf_counter() - started
    # The school calibrates its learner model on its own evidence each time another quarter
    # of the students have had their year (the service a school's administrator starts): the
    # students after the first are served with the fitted parameters and the live predictor
    # (each calibration adopts its set only when it is no worse on held-out students).
    calibrate_after = {max(len(students) * k // 4, 1) for k in (1, 2, 3)}
    calibrated_from_row: int | None = None
    calibration: list[dict[str, Any]] = []
    for i, student in enumerate(students):
        sim = SimulatedStudent(cohort, i)
        plan = schedule(random.Random(cohort.seeds[i]), float(cohort.active[i]), items)
        span = plan[-1][0] + 1
        start = today - dt.timedelta(days=span)
        now = start + dt.timedelta(hours=8, minutes=30)
        diagnostic_items.append(_take_diagnostic(student, sim, now, diagnostic_ms))
        last_day: dict[str, float] = {}
        seen: dict[str, int] = {}
        n = 0
        for day, count in plan:
            now = start + dt.timedelta(days=day, hours=9, minutes=int(sim.rng.integers(0, 300)))
            for _ in range(count):
                focus = _baseline_focus(student, order_ids, now) if policy == "baseline" else None
                if policy == "tandem" and oracle != "off":
                    _ORACLE.update(
                        sim=sim, day=(now - start).total_seconds() / 86400, code_of=code_of
                    )
                t0 = time.perf_counter()
                attempt = practice_next(student=student, now=now, focus_competency_id=focus)
                next_ms.append((time.perf_counter() - t0) * 1000)
                _ORACLE.clear()
                if attempt is None:
                    break
                code, item = attempt.competency.code, attempt.item
                t_day = (now - start).total_seconds() / 86400
                p = sim.p_correct(code, item.difficulty, t_day)
                j = sim.index.get(code)
                detail.append(
                    (
                        *(sim.p_correct(code, d, t_day) for d in (1, 2, 3)),
                        seen.get(code, 0),
                        int(cohort.grades[j] - cohort.own_grade[i]) if j is not None else 0,
                        code,
                    )
                )
                seen[code] = seen.get(code, 0) + 1
                right = bool(sim.rng.random() < p)
                now += dt.timedelta(seconds=int(sim.rng.integers(20, 90)))
                response = _response(item, right)
                t0 = time.perf_counter()
                attempt_answer(student=student, attempt_id=attempt.pk, response=response, now=now)
                answer_ms.append((time.perf_counter() - t0) * 1000)
                gap = t_day - last_day.get(code, t_day)
                last_day[code] = t_day
                # Before practising: the prerequisites' knowledge is the same either way, and
                # the student's log-odds are still cached for the day.
                ready = sim.ready_share(code, t_day)
                sim.practised(code, right, t_day, gap)
                rows.append((float(attempt.predicted_success), p, int(right), i))
                known_before = bool(cohort.truth[i][j]) if j is not None else False
                picks.append((attempt.reason, int(item.difficulty), ready, known_before))
                n += 1
                now += dt.timedelta(seconds=2)
        served.append(n)
        phases.append(len(calibration))
        end_day = (now - start).total_seconds() / 86400
        known_end = sim.known_at(end_day)
        own_grade = cohort.grades == cohort.own_grade[i]
        gains.append(int((known_end & ~cohort.truth[i] & own_grade).sum()))
        state = mastery_for_student(student_id=student.pk, now=now)
        for cid, view in state.items():
            j = sim.index.get(code_of[cid])
            truly = bool(known_end[j]) if j is not None else False
            if view.status == Status.MASTERED:
                precision_pairs[0] += 1
                precision_pairs[1] += truly
            if truly:
                recall_pairs[0] += 1
                recall_pairs[1] += view.status == Status.MASTERED
        if i + 1 in calibrate_after and i + 1 < len(students):
            from tandem.mastery.tasks import calibrate_and_record

            t0 = time.perf_counter()
            run = calibrate_and_record()
            if calibrated_from_row is None:
                calibrated_from_row = len(rows)
            calibration.append(
                {
                    "after_students": i + 1,
                    "status": str(run.status),
                    "message": run.message,
                    "seconds": round(time.perf_counter() - t0, 1),
                }
            )
        if task["progress"] and (i + 1) % max(len(students) // 10, 1) == 0:
            print(
                f"  {policy}: {i + 1}/{len(students)} students, "
                f"{time.perf_counter() - started:.0f} s",
                flush=True,
            )
    practice_seconds = time.perf_counter() - started - setup_seconds

    t0 = time.perf_counter()
    sample = students[:: max(len(students) // task["sample"], 1)][: task["sample"]]
    contradictions: list[str] = []
    failures: list[str] = []
    pages = claims = 0
    for student in sample:
        report = coherence_check(student=student, explain_limit=task["explain_limit"])
        contradictions += [str(c) for c in report.contradictions]
        failures += [f"{page}: {code}" for page, code in report.failures]
        pages += len(report.pages)
        claims += report.n_claims
    return {
        "policy": policy,
        "calibrated_from_row": calibrated_from_row,
        "calibration": calibration,
        "rows": rows,
        "picks": picks,
        "detail": detail,
        "answer_ms": answer_ms,
        "next_ms": next_ms,
        "diagnostic_ms": diagnostic_ms,
        "diagnostic_items": diagnostic_items,
        "served": served,
        "phases": phases,
        "gains": gains,
        "precision_pairs": precision_pairs,
        "recall_pairs": recall_pairs,
        "coherence": {
            "students": len(sample),
            "pages": pages,
            "claims": claims,
            "contradictions": contradictions,
            "failures": failures,
            "seconds": round(time.perf_counter() - t0, 1),
        },
        "setup_seconds": round(setup_seconds, 1),
        "practice_seconds": round(practice_seconds, 1),
    }


# ---------- metrics ----------


def expected_calibration_error(p: np.ndarray, y: np.ndarray, bins: int = 10) -> float:
    """Mean |observed - predicted| over equal-width bins, weighted by the bins' sizes."""
    which = np.minimum((p * bins).astype(np.int64), bins - 1)
    total = 0.0
    for b in range(bins):
        sel = which == b
        if sel.any():
            total += sel.sum() * abs(y[sel].mean() - p[sel].mean())
    return float(total / max(len(p), 1))


def reliability(p: np.ndarray, y: np.ndarray, bins: int = 10) -> list[list[float]]:
    """[low edge, items, mean predicted, observed] per non-empty equal-width bin."""
    which = np.minimum((p * bins).astype(np.int64), bins - 1)
    return [
        [b / bins, int(sel.sum()), round(float(p[sel].mean()), 3), round(float(y[sel].mean()), 3)]
        for b in range(bins)
        if (sel := which == b).any()
    ]


def by_pick(
    picks: list[tuple[str, int, float, bool]], p: np.ndarray, true_p: np.ndarray, y: np.ndarray
) -> dict[str, dict[str, float]]:
    """Per reason the policy gave, per item difficulty, by whether the standard's direct
    prerequisites were all truly known and by whether the student knew it before the year:
    items, ZPD share, share of true P(right) below and above it, mean predicted and
    observed."""
    out: dict[str, dict[str, float]] = {}
    groups: dict[str, list[int]] = {}
    for k, (reason, difficulty, ready, *before) in enumerate(picks):
        groups.setdefault(reason or "(none)", []).append(k)
        groups.setdefault(f"difficulty {difficulty}", []).append(k)
        groups.setdefault(
            "prerequisites all known" if ready == 1.0 else "a prerequisite unknown", []
        ).append(k)
        if before:
            groups.setdefault(
                "known before the year" if before[0] else "not known before the year", []
            ).append(k)
    for name, members in sorted(groups.items(), key=lambda kv: -len(kv[1])):
        sel = np.array(members)
        t = true_p[sel]
        out[name] = {
            "n": len(members),
            "zpd": round(float(((t >= ZPD[0]) & (t <= ZPD[1])).mean()), 3),
            "below": round(float((t < ZPD[0]).mean()), 3),
            "above": round(float((t > ZPD[1]).mean()), 3),
            "predicted": round(float(p[sel].mean()), 3),
            "observed": round(float(y[sel].mean()), 3),
        }
    return out


def by_phase(raw: dict[str, Any], rows: np.ndarray) -> list[dict[str, Any]]:
    """Per calibration phase (the students served after 0, 1, 2, 3 of the school's
    calibrations): students, own-grade standards learned per 100 items, band share, ECE."""
    phases = np.array(raw.get("phases", []), dtype=np.int64)
    out = []
    for phase in sorted(set(phases.tolist())):
        members = np.flatnonzero(phases == phase)
        sel = np.isin(rows[:, 3].astype(np.int64), members)
        part = rows[sel]
        items = int(sel.sum())
        true_p = part[:, 1]
        out.append(
            {
                "after_calibrations": phase,
                "students": len(members),
                "items": items,
                "learned_per_100_items": round(
                    100 * sum(raw["gains"][k] for k in members) / max(items, 1), 3
                ),
                "zpd_share": round(float(((true_p >= ZPD[0]) & (true_p <= ZPD[1])).mean()), 4)
                if items
                else None,
                "ece": round(expected_calibration_error(part[:, 0], part[:, 2]), 4)
                if items
                else None,
            }
        )
    return out


def _after(raw: dict[str, Any], rows: np.ndarray, metric: Any) -> float | None:
    start = raw.get("calibrated_from_row")
    if start is None or start >= len(rows):
        return None
    tail = rows[start:]
    return round(float(metric(tail[:, 0], tail[:, 2])), 4)


def summarise(raw: dict[str, Any]) -> dict[str, Any]:
    from tandem_engine.metrics import score

    rows = np.array(raw["rows"], dtype=np.float64).reshape(-1, 4)
    predicted, true_p, correct = rows[:, 0], rows[:, 1], rows[:, 2]
    n_items = len(rows)
    mastered, mastered_true = raw["precision_pairs"]
    known, known_mastered = raw["recall_pairs"]
    answer_ms, next_ms = np.array(raw["answer_ms"]), np.array(raw["next_ms"])
    coherence = raw["coherence"]
    return {
        "n_students": len(raw["served"]),
        "n_items": n_items,
        "items_per_student_min": int(min(raw["served"], default=0)),
        "diagnostic_items_median": float(np.median(raw["diagnostic_items"])),
        "mastery_precision": round(mastered_true / mastered, 4) if mastered else None,
        "mastery_recall": round(known_mastered / known, 4) if known else None,
        "n_mastered_pairs": int(mastered),
        "ece": round(expected_calibration_error(predicted, correct), 4),
        "auc": round(score(correct, predicted)["auc"], 4),
        # The same, for the items served after the school's calibration only.
        "ece_after_calibration": _after(raw, rows, expected_calibration_error),
        "auc_after_calibration": _after(raw, rows, lambda p, y: score(y, p)["auc"]),
        "calibration": raw.get("calibration", []),
        "mean_predicted": round(float(predicted.mean()), 4),
        "mean_correct": round(float(correct.mean()), 4),
        "zpd_share": round(float(((true_p >= ZPD[0]) & (true_p <= ZPD[1])).mean()), 4),
        "below_zpd_share": round(float((true_p < ZPD[0]).mean()), 4),
        "above_zpd_share": round(float((true_p > ZPD[1]).mean()), 4),
        "mean_true_p": round(float(true_p.mean()), 4),
        "reliability": reliability(predicted, correct),
        "by_pick": by_pick(raw["picks"], predicted, true_p, correct),
        "grade_level_learned": int(sum(raw["gains"])),
        "by_phase": by_phase(raw, rows),
        "mastered_per_100_items": round(100 * sum(raw["gains"]) / max(n_items, 1), 3),
        "answer_ms_p50": round(float(np.percentile(answer_ms, 50)), 1),
        "answer_ms_p95": round(float(np.percentile(answer_ms, 95)), 1),
        "next_ms_p50": round(float(np.percentile(next_ms, 50)), 1),
        "next_ms_p95": round(float(np.percentile(next_ms, 95)), 1),
        "diagnostic_question_ms_p50": round(float(np.percentile(raw["diagnostic_ms"], 50)), 1),
        "diagnostic_question_ms_p95": round(float(np.percentile(raw["diagnostic_ms"], 95)), 1),
        "contradictions": len(coherence["contradictions"]),
        "coherence": coherence,
        "setup_seconds": raw["setup_seconds"],
        "practice_seconds": raw["practice_seconds"],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=1000)
    parser.add_argument("--items", type=int, default=150, help="practice items per student")
    parser.add_argument("--quick", action="store_true", help="40 students (unless --students)")
    parser.add_argument("--sample", type=int, default=30, help="students the checker walks")
    parser.add_argument(
        "--explain-limit", type=int, default=20, help="'why' pages per sampled student"
    )
    parser.add_argument("--seed", type=int, default=20260901)
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--workdir", type=Path, default=WORK, help="the two SQLite databases")
    parser.add_argument(
        "--oracle",
        choices=ORACLE_MODES,
        default="off",
        help="bench only: Tandem's policy sees the simulated truth (a ceiling for the ZPD share)",
    )
    parser.add_argument(
        "--baseline-from",
        type=Path,
        help="bench only: run Tandem's policy alone and take the grade order's figures from an "
        "earlier run's JSON on the same students (same --seed, --students and --items)",
    )
    parser.add_argument("--raw", type=Path, help="also write every served item here (JSON)")
    args = parser.parse_args()
    students = 40 if args.quick and "--students" not in sys.argv else args.students
    stored_baseline = None
    if args.baseline_from is not None:
        earlier = json.loads(args.baseline_from.read_text())
        same = (
            earlier["settings"]["seed"] == args.seed
            and earlier["n_students"] == students
            and earlier["items_per_student"] == args.items
        )
        if not same:
            parser.error(f"{args.baseline_from} ran other students (seed, students or items)")
        stored_baseline = earlier["policies"]["baseline"]

    started = time.perf_counter()
    cohort = make_cohort(students, args.seed)
    tasks = [
        {
            "policy": policy,
            "database": str(args.workdir / f"{policy}.sqlite3"),
            "cohort": cohort,
            "items": args.items,
            "sample": min(args.sample, students),
            "explain_limit": args.explain_limit,
            "progress": True,
            "oracle": args.oracle,
        }
        for policy in POLICIES
        if stored_baseline is None or policy != "baseline"
    ]
    print(
        f"Simulated school year: {students} students (grades 3-8), diagnostic then "
        f"{args.items} practice items each, policies {', '.join(POLICIES)} in parallel"
    )
    with ProcessPoolExecutor(max_workers=len(tasks)) as pool:
        raws = list(pool.map(run_cohort, tasks))
    results = {r["policy"]: summarise(r) for r in raws}
    if args.raw is not None:
        # Every served item (predicted, true P(right), right, student; reason, difficulty,
        # prerequisites known; true P(right) per difficulty, items before on the standard, grade
        # offset, code) and the students' calibration phases, for analysis.
        keep = ("rows", "picks", "phases", "gains", "served", "detail")
        args.raw.write_text(json.dumps({r["policy"]: {k: r[k] for k in keep} for r in raws}))
    if stored_baseline is not None:
        results["baseline"] = stored_baseline
    seconds = time.perf_counter() - started
    tandem, baseline = results["tandem"], results["baseline"]
    ratio = (
        tandem["mastered_per_100_items"] / baseline["mastered_per_100_items"]
        if baseline["mastered_per_100_items"] > 0
        else None
    )
    contradictions = tandem["contradictions"] + baseline["contradictions"]

    rows = [
        ("mastery precision", "mastery_precision", ">= 0.95"),
        ("mastery recall", "mastery_recall", ""),
        ("ECE", "ece", "<= 0.03"),
        ("ECE after the school's calibration", "ece_after_calibration", ""),
        ("AUC", "auc", ""),
        ("AUC after the school's calibration", "auc_after_calibration", ""),
        ("ZPD share (0.6-0.9)", "zpd_share", ">= 0.80"),
        ("  true P(right) below 0.6", "below_zpd_share", ""),
        ("  true P(right) above 0.9", "above_zpd_share", ""),
        ("mean predicted", "mean_predicted", ""),
        ("mean right", "mean_correct", ""),
        ("own-grade learned /100 items", "mastered_per_100_items", ""),
        ("answer ms p50", "answer_ms_p50", ""),
        ("answer ms p95", "answer_ms_p95", ""),
        ("next item ms p50", "next_ms_p50", ""),
        ("next item ms p95", "next_ms_p95", ""),
        ("diagnostic question ms p50", "diagnostic_question_ms_p50", ""),
        ("diagnostic question ms p95", "diagnostic_question_ms_p95", ""),
        ("contradictions", "contradictions", "0"),
        ("practice items", "n_items", ""),
        ("diagnostic items (median)", "diagnostic_items_median", ""),
        ("seconds: setup", "setup_seconds", ""),
        ("seconds: students", "practice_seconds", ""),
    ]
    print(f"{'':30} {'tandem':>10} {'baseline':>10}  target")
    for label, key, target in rows:
        print(f"{label:30} {tandem[key]!s:>10} {baseline[key]!s:>10}  {target}")
    print(
        f"{'ratio tandem / baseline':30} {ratio if ratio is None else round(ratio, 2)!s:>10}"
        f" {'':>10}  >= 1.3"
    )
    for policy, result in results.items():
        for run in result["calibration"]:
            print(f"  {policy} calibration after {run['after_students']}: {run['message']}")
        for phase in result["by_phase"]:
            print(
                f"  {policy} after {phase['after_calibrations']} calibrations: "
                f"{phase['students']} students, learned/100 {phase['learned_per_100_items']}, "
                f"band {phase['zpd_share']}, ECE {phase['ece']}"
            )
        for line in result["coherence"]["contradictions"][:10]:
            print(f"  {policy} contradiction: {line}")
        for line in result["coherence"]["failures"][:10]:
            print(f"  {policy} page failed: {line}")

    met = {
        "mastery_precision": (tandem["mastery_precision"] or 0) >= TARGETS["mastery_precision"],
        "ece": tandem["ece"] <= TARGETS["ece"],
        "zpd_share": tandem["zpd_share"] >= TARGETS["zpd_share"],
        "mastered_per_100_items_ratio": ratio is not None
        and ratio >= TARGETS["mastered_per_100_items_ratio"],
        "contradictions": contradictions == 0,
    }
    result = {
        "n_students": students,
        "items_per_student": args.items,
        "mastery_precision": tandem["mastery_precision"],
        "mastery_recall": tandem["mastery_recall"],
        "ece": tandem["ece"],
        "auc": tandem["auc"],
        "zpd_share": tandem["zpd_share"],
        "mastered_per_100_items_ratio": None if ratio is None else round(ratio, 3),
        "contradictions": contradictions,
        "answer_ms_p50": tandem["answer_ms_p50"],
        "answer_ms_p95": tandem["answer_ms_p95"],
        "policies": results,
        "targets": TARGETS,
        "met": met,
        "settings": {
            "seed": args.seed,
            "quick": args.quick,
            "oracle": args.oracle,
            "baseline_from": None if args.baseline_from is None else str(args.baseline_from),
            "own_grades": "3-8 uniform",
            "truth": "K-8 standards known around own grade + ability (N(-0.3, 0.9)), width "
            "0.5 grade, closed under prerequisites; graded: P(right) = guess + (1 - guess - "
            "slip) * sigmoid(z - step * (difficulty - 2))",
            "guess": GUESS,
            "slip": f"{SLIP} x the student's slip factor (0.7-1.3)",
            "difficulty_step": DIFFICULTY_STEP,
            "z": {
                "unready": Z_UNREADY,
                "ready_bonus": Z_READY,
                "known_at_start": Z_KNOWN_START,
                "truly_known_at": Z_KNOWN_AT,
                "max": Z_MAX,
            },
            "learning": "log-odds per practice item 0.25 + 0.08 x ability (+- 0.05), a quarter "
            "of it without known prerequisites",
            "forgetting": f"learned log-odds x exp(-days/S); S {PRIOR_STABILITY_DAYS} days at own "
            f"grade for prior knowledge (x2 per grade below), {NEW_STABILITY_DAYS} days when "
            "newly learned, growing with right answers",
            "database": "SQLite, one fresh file per policy",
            "coherence_sample": min(args.sample, students),
            "explain_limit": args.explain_limit,
        },
        "machine": machine(),
        "seconds": round(seconds, 1),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2, default=str) + "\n")
    print(f"{seconds:.0f} s; wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
