"""Diagnostic placement benchmark: the engine's adaptive diagnostic on simulated students over
the K-8 standards of the demo framework (Common Core math, Coherence Map prerequisites), and
(``--server``) the server time per question of the real pages on a seeded demo school.

Simulation. Each simulated student has an own grade (K-8, uniform) and a true knowledge state:
every standard of grade g is drawn mastered with sigmoid((centre - g) / width), the state is
closed under prerequisites, then a share of the standards is flipped at random. The student
answers with a slip and a guess. The diagnostic knows only the own grade, may ask any K-8
standard, and classifies every K-8 standard as mastered (posterior >= 0.5) or not. Profiles:

* ``prior-shaped``: centre uniform within two grades of the own grade, width 0.4, 5% flipped,
  slip 0.1, guess 0.2 (the prior's shape, see ``tandem_engine.diagnostic``; its centre and
  width are not the student's). Also reported by own grade.
* ``behind`` / ``ahead``: centre 2 grades below / 1.5 grades above the own grade (+-0.5).
* ``wide``: a frontier of width 1.0 (knowledge fades over two grades or more).
* ``careless``: slip 0.25 and guess 0.25 (beyond the diagnostic's assumed 0.1 and 0.2).
* ``random``: answers right with probability 0.25 whatever they know (clicking through a
  four-choice test); placement accuracy means nothing here, only the number of questions.

Also reported: the share of standards placed with posterior >= 0.95 (the product seeds those as
mastered) and how many of them the student had truly mastered. Writes
``var/bench/diagnostic.json``. Reads the framework with ``json`` (no Django).

    .venv/bin/python bench/diagnostic.py [--students 1000] [--profile-students 400] [--workers 2]

Server time (``--server``): runs whole diagnostics through the real views (Django's test
client, no network) for demo students on a copy of the database in ``TANDEM_DATA_DIR`` (seed
it first with ``tandem demo``), and reports the milliseconds per question, next question
(GET) plus answer (POST), and of the finishing request. Writes
``var/bench/diagnostic-server.json``.

    TANDEM_DATA_DIR=var/diag .venv/bin/python bench/diagnostic.py --server [--runs 6]
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

# One BLAS thread per worker process: the workers are the parallelism.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from machine import machine  # noqa: E402
from tandem_engine.diagnostic import (  # noqa: E402
    DEFAULT_DIAGNOSTIC,
    DiagnosticConfig,
    PrerequisiteGraph,
    diagnostic_answer,
    diagnostic_next,
    diagnostic_posterior,
    diagnostic_start,
    simulate_knowledge_states,
)

FRAMEWORK = REPO / "src/tandem/competencies/packs/ccss-math/coherence-map-math.json"
OUT = REPO / "var" / "bench" / "diagnostic.json"
GRADES = ("K", "1", "2", "3", "4", "5", "6", "7", "8")
TARGET_ACCURACY = 0.90
TARGET_ITEMS_MEDIAN = 25
TARGET_MS_PER_QUESTION = 150
CONFIDENT_AT = 0.95  # the mastery rule's threshold: the product seeds these as mastered


def load_framework(path: Path = FRAMEWORK) -> tuple[dict[str, float], list[tuple[str, str]]]:
    """The K-8 standards with their grade (K = 0), and the prerequisite edges among them."""
    data = json.loads(path.read_text())
    grades = {
        s["code"]: float(GRADES.index(s["grade"]))
        for s in data["standards"]
        if s["grade"] in GRADES
    }
    edges = [
        (e["from"], e["to"])
        for e in data["prerequisites"]
        if e["from"] in grades and e["to"] in grades
    ]
    return grades, edges


def load_graph(path: Path = FRAMEWORK) -> PrerequisiteGraph:
    return PrerequisiteGraph.build(*load_framework(path))


@dataclasses.dataclass(frozen=True)
class Profile:
    """Simulated students: centre = own grade + uniform(shift_low, shift_high); answers with
    slip and guess, or right with probability ``random_right`` whatever they know."""

    name: str
    shift_low: float = -2.0
    shift_high: float = 2.0
    width: float = 0.4
    flip_rate: float = 0.05
    p_slip: float = 0.1
    p_guess: float = 0.2
    random_right: float | None = None


PROFILES = (
    Profile("prior-shaped"),
    Profile("behind", shift_low=-2.5, shift_high=-1.5),
    Profile("ahead", shift_low=1.0, shift_high=2.0),
    Profile("wide", width=1.0),
    Profile("careless", p_slip=0.25, p_guess=0.25),
    Profile("random", random_right=0.25),
)


def diagnose(
    graph: PrerequisiteGraph,
    config: DiagnosticConfig,
    own_grade: int,
    truth: np.ndarray,
    seed: int,
    profile: Profile,
) -> tuple[int, float, int, int]:
    """Run one diagnostic against a simulated student: items asked, accuracy, standards placed
    at >= 0.95, and how many of those are truly mastered."""
    answer_rng = np.random.default_rng([seed, 1])
    state = diagnostic_start(graph, own_grade=own_grade, seed=seed, config=config)
    while (step := diagnostic_next(state)).node is not None:
        if profile.random_right is not None:
            p_right = profile.random_right
        else:
            mastered = truth[graph.index[step.node]]
            p_right = 1.0 - profile.p_slip if mastered else profile.p_guess
        state = diagnostic_answer(state, step.node, bool(answer_rng.random() < p_right))
    p = np.array(list(diagnostic_posterior(state).values()))
    confident = p >= CONFIDENT_AT
    return (
        state.n_answered,
        float(((p >= 0.5) == truth).mean()),
        int(confident.sum()),
        int((confident & truth).sum()),
    )


def _work(
    args: tuple[list[int], list[int], np.ndarray, dict[str, Any], Profile],
) -> list[tuple[int, float, int, int]]:
    seeds, grades, truths, config_fields, profile = args
    graph = load_graph()
    config = DiagnosticConfig(**config_fields)
    return [
        diagnose(graph, config, g, t, s, profile)
        for s, g, t in zip(seeds, grades, truths, strict=True)
    ]


def simulate(
    graph: PrerequisiteGraph,
    config: DiagnosticConfig,
    profile: Profile,
    *,
    students: int,
    seed: int,
    workers: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Own grades and per-student rows (items, accuracy, confident, confident and true)."""
    rng = np.random.default_rng(seed)
    own = rng.integers(0, len(GRADES), students)
    centre = own + rng.uniform(profile.shift_low, profile.shift_high, students)
    truth = simulate_knowledge_states(
        graph, centre=centre, width=profile.width, flip_rate=profile.flip_rate, random_state=rng
    )
    seeds = [seed * 10_000 + i for i in range(students)]
    fields = dataclasses.asdict(config)
    chunks = [
        (seeds[w::workers], own[w::workers].tolist(), truth[w::workers], fields, profile)
        for w in range(workers)
    ]
    rows = np.empty((students, 4))
    with ProcessPoolExecutor(max_workers=workers) as pool:
        for w, part in enumerate(pool.map(_work, chunks)):
            rows[w::workers] = part
    return own, rows


def _summary(profile: Profile, rows: np.ndarray, n_standards: int) -> dict[str, Any]:
    items, accuracy = rows[:, 0].astype(np.int64), rows[:, 1]
    confident, confident_true = rows[:, 2].sum(), rows[:, 3].sum()
    meaningful = profile.random_right is None
    return {
        "n_students": len(rows),
        "items_median": float(np.median(items)),
        "items_p90": float(np.percentile(items, 90)),
        "items_max": int(items.max()),
        "accuracy_mean": round(float(accuracy.mean()), 4) if meaningful else None,
        "accuracy_p10": round(float(np.percentile(accuracy, 10)), 4) if meaningful else None,
        "confident_share": round(float(confident / (len(rows) * n_standards)), 4),
        "confident_precision": round(float(confident_true / max(confident, 1)), 4)
        if meaningful
        else None,
        "profile": dataclasses.asdict(profile),
    }


# Demo students of grades 6, 7 and 8; every other run answers right on every standard up to
# two grades below the student's own and wrong above, the others right at random one in four.
SERVER_STUDENTS = ("s001", "s051", "s101", "s030", "s080", "s130")
_RIGHT, _WRONG = "right", "wrong"


def server_time(*, runs: int, out: Path) -> int:
    """Whole diagnostics through the real views on a copy of the seeded demo database."""
    import shutil
    import tempfile

    source = Path(os.environ.get("TANDEM_DATA_DIR", "var")).resolve()
    database = source / "tandem.sqlite3"
    if not database.exists():
        print(f"no demo database at {database}: run `tandem demo` with TANDEM_DATA_DIR first")
        return 1
    scratch = Path(tempfile.mkdtemp(prefix="tandem-bench-diagnostic-"))
    for name in ("tandem.sqlite3", "secret_key"):
        if (source / name).exists():
            shutil.copy(source / name, scratch / name)
    os.environ["TANDEM_DATA_DIR"] = str(scratch)
    os.environ["TANDEM_ALLOWED_HOSTS"] = "testserver"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tandem.settings")
    import django

    django.setup()
    from django.test import Client
    from django.test.utils import override_settings
    from django.urls import reverse

    from tandem.placement.models import DiagnosticQuestion
    from tandem.roster.constants import grade_rank
    from tandem.roster.models import User

    def response_for(question: DiagnosticQuestion, right: bool) -> str | list[str]:
        item = question.item
        if right:
            return list(item.answer) if item.kind == "multiple_choice" else str(item.answer[0])
        if item.kind in ("single_choice", "multiple_choice"):
            wrong = next(str(i) for i in range(len(item.choices)) if str(i) not in item.answer)
            return [wrong] if item.kind == "multiple_choice" else wrong
        return "987654321" if item.kind == "numeric" else "not the answer"

    per_question: list[float] = []
    get_ms: list[float] = []
    post_ms: list[float] = []
    finish_ms: list[float] = []
    questions: list[int] = []
    storage = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    rng = np.random.default_rng(7)
    started = time.perf_counter()
    with override_settings(STORAGES={"default": storage, "staticfiles": storage}):
        for run in range(runs):
            user = User.objects.get(username=SERVER_STUDENTS[run % len(SERVER_STUDENTS)])
            at_random = run % 2 == 1
            known_up_to = grade_rank(user.grade) - 2  # knows all up to two grades below own
            client = Client()
            client.force_login(user)
            client.post(reverse("placement:restart"))
            n = 0
            while True:
                t0 = time.perf_counter()
                page = client.get(reverse("placement:question"))
                t1 = time.perf_counter()
                if page.status_code == 302:
                    finish_ms.append((t1 - t0) * 1000)
                    break
                question = DiagnosticQuestion.objects.select_related("item", "competency").get(
                    session__student=user, answered_at__isnull=True
                )
                right = (
                    bool(rng.random() < 0.25)
                    if at_random
                    else question.competency.grade_rank <= known_up_to
                )
                t2 = time.perf_counter()
                answer = client.post(
                    reverse("placement:answer", args=[question.pk]),
                    {"response": response_for(question, right)},
                )
                t3 = time.perf_counter()
                assert answer.status_code == 302, answer.status_code
                get_ms.append((t1 - t0) * 1000)
                post_ms.append((t3 - t2) * 1000)
                per_question.append(get_ms[-1] + post_ms[-1])
                n += 1
            questions.append(n)
            print(
                f"{user.username} (grade {user.grade}, {'random' if at_random else 'by level'}): "
                f"{n} questions, median {np.median(per_question[-n:]):.0f} ms a question, "
                f"finish {finish_ms[-1]:.0f} ms"
            )
    shutil.rmtree(scratch, ignore_errors=True)
    result = {
        "runs": runs,
        "questions": questions,
        "ms_per_question_median": round(float(np.median(per_question)), 1),
        "ms_per_question_p90": round(float(np.percentile(per_question, 90)), 1),
        "ms_per_question_max": round(float(np.max(per_question)), 1),
        "ms_next_question_median": round(float(np.median(get_ms)), 1),
        "ms_answer_median": round(float(np.median(post_ms)), 1),
        "ms_finish_median": round(float(np.median(finish_ms)), 1),
        "target_ms_per_question": TARGET_MS_PER_QUESTION,
        "machine": machine(),
        "seconds": round(time.perf_counter() - started, 1),
    }
    print(
        f"server time per question (next + answer), {len(per_question)} questions: median "
        f"{result['ms_per_question_median']} ms, p90 {result['ms_per_question_p90']} ms, max "
        f"{result['ms_per_question_max']} ms (next {result['ms_next_question_median']} + answer "
        f"{result['ms_answer_median']}); finishing request median {result['ms_finish_median']} "
        f"ms; target <= {TARGET_MS_PER_QUESTION} ms"
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {out.relative_to(REPO) if out.is_relative_to(REPO) else out}")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=1000, help="prior-shaped students")
    parser.add_argument(
        "--profile-students", type=int, default=400, help="students of each other profile"
    )
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=20240901)
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--server", action="store_true", help="time the real pages instead")
    parser.add_argument("--runs", type=int, default=6, help="--server: whole diagnostics")
    args = parser.parse_args()
    if args.server:
        return server_time(runs=args.runs, out=args.out.with_name("diagnostic-server.json"))

    started = time.perf_counter()
    grades, edges = load_framework()
    graph = PrerequisiteGraph.build(grades, edges)
    config = DEFAULT_DIAGNOSTIC
    results: dict[str, dict[str, Any]] = {}
    own_main = rows_main = None
    for k, profile in enumerate(PROFILES):
        students = args.students if k == 0 else args.profile_students
        own, rows = simulate(
            graph, config, profile, students=students, seed=args.seed + k, workers=args.workers
        )
        results[profile.name] = _summary(profile, rows, len(graph))
        if k == 0:
            own_main, rows_main = own, rows
    seconds = time.perf_counter() - started
    assert own_main is not None and rows_main is not None
    main_result = results[PROFILES[0].name]

    print(f"Diagnostic placement in simulation over {len(graph)} K-8 standards")
    print(f"prior-shaped students by own grade ({args.students}):")
    print(f"{'own grade':>9} {'n':>5} {'items median':>12} {'items p90':>9} {'accuracy':>8}")
    items, accuracy = rows_main[:, 0], rows_main[:, 1]
    for g, name in enumerate(GRADES):
        sel = own_main == g
        if sel.any():
            print(
                f"{name:>9} {int(sel.sum()):>5} {np.median(items[sel]):>12.1f} "
                f"{np.percentile(items[sel], 90):>9.1f} {accuracy[sel].mean():>8.3f}"
            )
    print("by profile:")
    print(
        f"{'profile':>13} {'n':>5} {'items median':>12} {'items p90':>9} {'accuracy':>8} "
        f"{'placed >=0.95':>13} {'of them true':>12}"
    )
    for name, r in results.items():
        acc = "n/a" if r["accuracy_mean"] is None else f"{r['accuracy_mean']:.3f}"
        precision = "n/a" if r["confident_precision"] is None else f"{r['confident_precision']:.1%}"
        print(
            f"{name:>13} {r['n_students']:>5} {r['items_median']:>12.1f} {r['items_p90']:>9.1f} "
            f"{acc:>8} {r['confident_share']:>13.1%} {precision:>12}"
        )
    met = bool(
        main_result["accuracy_mean"] >= TARGET_ACCURACY
        and all(r["items_median"] <= TARGET_ITEMS_MEDIAN for r in results.values())
    )
    print(
        f"target: accuracy >= {TARGET_ACCURACY} (prior-shaped), items median <= "
        f"{TARGET_ITEMS_MEDIAN} (every profile): {'met' if met else 'NOT met'}; {seconds:.0f} s"
    )
    result = {
        **{k: v for k, v in main_result.items() if k != "profile"},
        "n_standards": len(graph),
        "n_prerequisite_edges": len(edges),
        "target": {"accuracy_mean": TARGET_ACCURACY, "items_median": TARGET_ITEMS_MEDIAN},
        "met": met,
        "profiles": results,
        "settings": {
            "own_grades": "K-8 uniform",
            "askable": "all K-8 standards",
            "seed": args.seed,
            "workers": args.workers,
            "diagnostic": dataclasses.asdict(config),
        },
        "machine": machine(),
        "seconds": round(seconds, 1),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {args.out.relative_to(REPO) if args.out.is_relative_to(REPO) else args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
