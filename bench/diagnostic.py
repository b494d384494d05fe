"""Diagnostic placement benchmark: the engine's adaptive diagnostic on simulated students over
the K-8 standards of the demo framework (Common Core math, Coherence Map prerequisites).

Each simulated student has an own grade (K-8, uniform) and a true knowledge state centred
uniformly within two grades of it: every standard of grade g is drawn mastered with
sigmoid((centre - g) / width), the state is closed under prerequisites, then 5% of the
standards are flipped at random. The student answers with slip 0.1 and guess 0.2. The
diagnostic knows only the own grade, may ask any K-8 standard, and classifies every K-8
standard as mastered (posterior >= 0.5) or not. The prior's shape matches this simulation (see
``tandem_engine.diagnostic``); its centre and width are not the student's. Also reported: the
share of standards placed with posterior >= 0.95 (the product seeds those as mastered) and how
many of them the student had truly mastered.

Prints a table by own grade and writes ``var/bench/diagnostic.json`` (n_students,
items_median, items_p90, accuracy_mean, the settings, seconds). Reads the framework with
``json`` (no Django).

    .venv/bin/python bench/diagnostic.py [--students 1000] [--workers 2] [--width 0.4]
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


def diagnose(
    graph: PrerequisiteGraph,
    config: DiagnosticConfig,
    own_grade: int,
    truth: np.ndarray,
    seed: int,
    p_slip: float,
    p_guess: float,
) -> tuple[int, float, int, int]:
    """Run one diagnostic against a simulated student: items asked, accuracy, standards placed
    at >= 0.95, and how many of those are truly mastered."""
    answer_rng = np.random.default_rng([seed, 1])
    state = diagnostic_start(graph, own_grade=own_grade, seed=seed, config=config)
    while (step := diagnostic_next(state)).node is not None:
        mastered = truth[graph.index[step.node]]
        correct = answer_rng.random() < (1.0 - p_slip if mastered else p_guess)
        state = diagnostic_answer(state, step.node, bool(correct))
    p = np.array(list(diagnostic_posterior(state).values()))
    confident = p >= CONFIDENT_AT
    return (
        state.n_answered,
        float(((p >= 0.5) == truth).mean()),
        int(confident.sum()),
        int((confident & truth).sum()),
    )


def _work(
    args: tuple[list[int], list[int], np.ndarray, dict[str, Any]],
) -> list[tuple[int, float, int, int]]:
    seeds, grades, truths, settings = args
    graph = load_graph()
    config = DiagnosticConfig(**settings["config"])
    return [
        diagnose(graph, config, g, t, s, settings["p_slip"], settings["p_guess"])
        for s, g, t in zip(seeds, grades, truths, strict=True)
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=20240901)
    parser.add_argument("--width", type=float, default=0.4, help="frontier width, in grades")
    parser.add_argument("--offset", type=float, default=2.0, help="centre within +- grades")
    parser.add_argument("--flip-rate", type=float, default=0.05)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    p_slip, p_guess = 0.1, 0.2

    started = time.perf_counter()
    grades, edges = load_framework()
    graph = PrerequisiteGraph.build(grades, edges)
    rng = np.random.default_rng(args.seed)
    own = rng.integers(0, len(GRADES), args.students)
    centre = own + rng.uniform(-args.offset, args.offset, args.students)
    truth = simulate_knowledge_states(
        graph, centre=centre, width=args.width, flip_rate=args.flip_rate, random_state=rng
    )
    config = DEFAULT_DIAGNOSTIC
    settings = {"p_slip": p_slip, "p_guess": p_guess, "config": dataclasses.asdict(config)}
    seeds = [args.seed * 10_000 + i for i in range(args.students)]
    chunks = [
        (
            seeds[w :: args.workers],
            own[w :: args.workers].tolist(),
            truth[w :: args.workers],
            settings,
        )
        for w in range(args.workers)
    ]
    rows = np.empty((args.students, 4))
    with ProcessPoolExecutor(max_workers=args.workers) as pool:
        for w, part in enumerate(pool.map(_work, chunks)):
            rows[w :: args.workers] = part
    items, accuracy = rows[:, 0].astype(np.int64), rows[:, 1]
    confident, confident_true = rows[:, 2].sum(), rows[:, 3].sum()
    seconds = time.perf_counter() - started

    print(f"Diagnostic placement, {args.students} simulated students, {len(graph)} K-8 standards")
    print(f"{'own grade':>9} {'n':>5} {'items median':>12} {'items p90':>9} {'accuracy':>8}")
    for g, name in enumerate(GRADES):
        sel = own == g
        if sel.any():
            print(
                f"{name:>9} {int(sel.sum()):>5} {np.median(items[sel]):>12.1f} "
                f"{np.percentile(items[sel], 90):>9.1f} {accuracy[sel].mean():>8.3f}"
            )
    result = {
        "n_students": int(args.students),
        "items_median": float(np.median(items)),
        "items_p90": float(np.percentile(items, 90)),
        "items_max": int(items.max()),
        "accuracy_mean": round(float(accuracy.mean()), 4),
        "accuracy_p10": round(float(np.percentile(accuracy, 10)), 4),
        "confident_share": round(float(confident / (args.students * len(graph))), 4),
        "confident_precision": round(float(confident_true / max(confident, 1)), 4),
        "n_standards": len(graph),
        "n_prerequisite_edges": len(edges),
        "target": {"accuracy_mean": TARGET_ACCURACY, "items_median": TARGET_ITEMS_MEDIAN},
        "met": bool(accuracy.mean() >= TARGET_ACCURACY and np.median(items) <= TARGET_ITEMS_MEDIAN),
        "settings": {
            "own_grades": "K-8 uniform",
            "centre_offset": f"uniform within +-{args.offset} grades of the own grade",
            "frontier_width": args.width,
            "flip_rate": args.flip_rate,
            "p_slip": p_slip,
            "p_guess": p_guess,
            "askable": "all K-8 standards",
            "seed": args.seed,
            "workers": args.workers,
            "diagnostic": settings["config"],
        },
        "seconds": round(seconds, 1),
    }
    print(
        f"{'all':>9} {args.students:>5} {result['items_median']:>12.1f} "
        f"{result['items_p90']:>9.1f} {result['accuracy_mean']:>8.3f}   "
        f"(target: accuracy >= {TARGET_ACCURACY}, items median <= {TARGET_ITEMS_MEDIAN}; "
        f"{'met' if result['met'] else 'NOT met'}; {seconds:.0f} s)"
    )
    print(
        f"placed at >= {CONFIDENT_AT} (seeded as mastered): {result['confident_share']:.1%} of "
        f"standards, {result['confident_precision']:.1%} of them truly mastered"
    )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {args.out.relative_to(REPO) if args.out.is_relative_to(REPO) else args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
