"""Knowledge-tracing benchmark on the Gervet ASSISTments 2009 split (train -> test).

Fits every engine model on the train file, scores it on the test file, does the same for pyBKT
in its own throwaway venv (it needs numpy<2 and scikit-learn<1.6), prints a table and writes
``var/bench/kt-assist2009.json``: a list of rows (model, auc, rmse, logloss, fit_seconds,
predict_per_second, online_updates_per_second, peak_memory_mib, n_train, n_test, machine, ...).

Each engine model runs in its own subprocess, so that ``peak_memory_mib`` (the peak resident
set size of that process: interpreter, libraries, data and model) is that model's alone, and
the models run one after another so that timings do not compete.

    .venv/bin/python bench/kt.py [--skip-pybkt] [--quick]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from machine import machine  # bench/machine.py: run as `python bench/kt.py`

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "var" / "bench" / "kt-assist2009.json"
PYBKT_VENV = REPO / "var" / "bench" / "pybkt-venv"
PYBKT_REQUIREMENTS = ("pyBKT==1.4.3", "numpy<2", "scikit-learn<1.6", "pandas<3")

# name -> (model constructor source, skills view, description)
MODELS: dict[str, tuple[str, str, str]] = {
    "BKT (skill combinations)": (
        "BKT()",
        "combination",
        "the product's default BKT (guess and slip capped at 0.3, one EM run), fed exactly "
        "like the pyBKT row: one skill per Gervet skill_id combination",
    ),
    "BKT (skill combinations, 5 fits)": (
        "BKT(n_init=5, random_state=42)",
        "combination",
        "as above with the best of 5 EM runs, as pyBKT's num_fits=5",
    ),
    "BKT (skill combinations, as pyBKT)": (
        "BKT(max_guess=1.0, max_slip=1.0, n_init=5, random_state=42)",
        "combination",
        "configured as pyBKT: guess and slip unbounded, best of 5 EM runs",
    ),
    "BKT+forgetting (skill combinations)": ("BKT(forgetting=True)", "combination", ""),
    "BKT (Q-matrix, mean)": (
        "BKT(combine='mean')",
        "q_matrix",
        "real item x skill Q-matrix; multi-skill items average their skills' predictions",
    ),
    "BKT+forgetting (Q-matrix, mean)": ("BKT(forgetting=True, combine='mean')", "q_matrix", ""),
    "Best-LR": ("LogisticKT(features='best_lr')", "q_matrix", "Gervet et al.'s feature set"),
    "LogisticKT (extended)": ("LogisticKT()", "q_matrix", "Best-LR + recency, residuals, patterns"),
    "BoostedKT": ("BoostedKT()", "q_matrix", "boosted trees on the same history summaries"),
}


# -- one engine model, in a worker process ---------------------------------------------------------


def worker(name: str, quick: bool) -> dict[str, Any]:
    sys.path.insert(0, str(REPO / "src"))
    import numpy as np

    from tandem_engine import BKT, BoostedKT, LogisticKT  # noqa: F401 (used by eval)
    from tandem_engine.loaders import load_gervet_split
    from tandem_engine.metrics import score

    source, skills, note = MODELS[name]
    train, test = load_gervet_split(skills=skills)  # type: ignore[arg-type]
    if quick:
        train = train.select(train.student < 400)
        test = test.select(test.student < 100)
    model = eval(source)  # a constructor from the fixed table above
    start = time.perf_counter()
    model.fit(train)
    fit_seconds = time.perf_counter() - start
    start = time.perf_counter()
    p = model.predict_proba(test)
    predict_seconds = time.perf_counter() - start
    # Online: every test answer through update(), one state per student, in log order.
    starts, _ = test.student_bounds()
    histories = [test.responses_of(int(test.student[lo])) for lo in starts]
    n_updates = sum(len(h) for h in histories)
    start = time.perf_counter()
    for history in histories:
        state = model.initial_state()
        for response in history:
            state = model.update(state, response)
    update_seconds = time.perf_counter() - start
    # Predicting one candidate item from a state, as the next-item policy does.
    state = model.initial_state()
    for response in histories[0][:20]:
        state = model.update(state, response)
    items = [int(i) for i in test.item[:200]]
    start = time.perf_counter()
    for item in items:
        model.predict_item(state, item)
    predict_item_seconds = time.perf_counter() - start
    row: dict[str, Any] = {
        "model": name,
        **score(test.correct, p),
        "fit_seconds": fit_seconds,
        "predict_per_second": test.n_responses / predict_seconds,
        "online_updates_per_second": n_updates / update_seconds,
        "online_predict_item_per_second": len(items) / predict_item_seconds,
        "peak_memory_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "n_train": train.n_responses,
        "n_test": test.n_responses,
        "skills": skills,
        "estimator": source,
        "note": note,
        "online_update_measure": (
            "pure update(state, response) in a Python loop over all test answers, one state "
            "per student, single thread"
        ),
        "mean_prediction": float(np.mean(p)),
    }
    if hasattr(model, "n_iter_"):
        row["n_iter"] = int(model.n_iter_)
    return row


def run_worker(name: str, quick: bool) -> dict[str, Any]:
    command = [sys.executable, str(Path(__file__).resolve()), "--worker", name]
    if quick:
        command.append("--quick")
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{name} failed:\n{done.stderr[-4000:]}")
    row: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return row


# -- pyBKT, in its own venv ------------------------------------------------------------------------


def ensure_pybkt_venv() -> Path:
    python = PYBKT_VENV / "bin" / "python"
    check = [str(python), "-c", "import pyBKT.models, pandas, sklearn"]
    if python.exists() and subprocess.run(check, capture_output=True, check=False).returncode == 0:
        return python
    print(f"creating {PYBKT_VENV} with {' '.join(PYBKT_REQUIREMENTS)} ...", flush=True)
    PYBKT_VENV.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(["python3", "-m", "venv", str(PYBKT_VENV)], check=True)
    subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", *PYBKT_REQUIREMENTS], check=True
    )
    return python


def run_pybkt(train: Path, test: Path) -> dict[str, Any]:
    python = ensure_pybkt_venv()
    runner = Path(__file__).resolve().parent / "pybkt_runner.py"
    print("fitting pyBKT (several minutes) ...", flush=True)
    done = subprocess.run(
        [str(python), str(runner), str(train), str(test)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"pyBKT failed:\n{done.stderr[-4000:]}")
    row: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    row["skills"] = "combination"
    row["note"] = "pyBKT defaults (num_fits=5, seed 42), skill_name = Gervet skill_id"
    row["online_updates_per_second"] = None
    return row


# -- report ----------------------------------------------------------------------------------------


def _fmt(value: Any, spec: str) -> str:
    return "-" if value is None else format(value, spec)


def table(rows: list[dict[str, Any]]) -> str:
    head = (
        f"{'model':38} {'AUC':>6} {'RMSE':>6} {'logloss':>7} {'fit s':>8} "
        f"{'pred/s':>10} {'upd/s':>9} {'MiB':>6}"
    )
    lines = [head, "-" * len(head)]
    for r in rows:
        lines.append(
            f"{r['model']:38} {r['auc']:6.4f} {r['rmse']:6.4f} {r['logloss']:7.4f} "
            f"{r['fit_seconds']:8.2f} {_fmt(r.get('predict_per_second'), '10,.0f')} "
            f"{_fmt(r.get('online_updates_per_second'), '9,.0f')} "
            f"{_fmt(r.get('peak_memory_mib'), '6.0f')}"
        )
    return "\n".join(lines)


def checks(rows: list[dict[str, Any]]) -> list[str]:
    by = {r["model"]: r for r in rows}
    engine = [r for r in rows if r["model"] != "pyBKT"]
    best = max(engine, key=lambda r: r["auc"])
    out = [f"best AUC {best['auc']:.4f} ({best['model']}) >= 0.79: {best['auc'] >= 0.79}"]
    out.append(
        "engine peak memory < 1 GiB: "
        f"{max(r['peak_memory_mib'] for r in engine) < 1024} "
        f"(max {max(r['peak_memory_mib'] for r in engine):.0f} MiB)"
    )
    bkt_updates = by["BKT (Q-matrix, mean)"]["online_updates_per_second"]
    out.append(f"BKT online updates >= 100,000/s: {bkt_updates >= 100_000} ({bkt_updates:,.0f}/s)")
    if "pyBKT" in by:
        py = by["pyBKT"]
        for name in (
            "BKT (skill combinations)",
            "BKT (skill combinations, 5 fits)",
            "BKT (skill combinations, as pyBKT)",
            "BKT+forgetting (skill combinations)",
        ):
            r = by[name]
            out.append(
                f"{name}: AUC {r['auc']:.4f} vs pyBKT {py['auc']:.4f} "
                f"(>=: {r['auc'] >= py['auc']}); fit {r['speedup_vs_pybkt']:.0f}x faster "
                f"(>= 100x: {r['speedup_vs_pybkt'] >= 100})"
            )
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--skip-pybkt", action="store_true", help="leave the pyBKT row out")
    parser.add_argument(
        "--quick", action="store_true", help="400 train / 100 test students, no pyBKT"
    )
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--only", action="append", help="run only this model (repeatable)")
    args = parser.parse_args(argv)
    if args.worker:
        print(json.dumps(worker(args.worker, args.quick)))
        return 0

    sys.path.insert(0, str(REPO / "src"))
    from tandem_engine.loaders import kt_data_dir

    gervet = kt_data_dir() / "assist2009" / "gervet"
    if not (gervet / "q_mat.npz").exists():
        print(f"no data at {gervet} (set TANDEM_SHARED_DIR)", file=sys.stderr)
        return 2
    import numpy
    import scipy
    import sklearn

    info = machine(
        **{
            "numpy": numpy.__version__,
            "scipy": scipy.__version__,
            "scikit-learn": sklearn.__version__,
        }
    )
    rows: list[dict[str, Any]] = []
    for name in MODELS:
        if args.only and name not in args.only:
            continue
        print(f"running {name} ...", flush=True)
        rows.append(run_worker(name, args.quick))
    if not (args.skip_pybkt or args.quick):
        rows.append(
            run_pybkt(gervet / "preprocessed_data_train.csv", gervet / "preprocessed_data_test.csv")
        )
        py_fit = rows[-1]["fit_seconds"]
        for r in rows[:-1]:
            r["speedup_vs_pybkt"] = py_fit / r["fit_seconds"]
    info["load_average_1min_at_end"] = round(os.getloadavg()[0], 2)
    for r in rows:
        r["machine"] = info
        r["dataset"] = "assist2009/gervet (train -> test)" + (
            " [quick subset]" if args.quick else ""
        )
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(rows, indent=2) + "\n")
    print()
    print(table(rows))
    print()
    if not args.quick and not args.only:
        for line in checks(rows):
            print(line)
    print(f"\nwrote {OUT.relative_to(REPO)}")
    if not args.only:
        mastery_rule(quick=args.quick)
    return 0


MASTERY_OUT = REPO / "var" / "bench" / "mastery-rule.json"


def mastery_rule(*, quick: bool) -> None:
    """Precision and recall of the mastery rule on simulated students whose truth is known."""
    sys.path.insert(0, str(REPO / "src"))
    from tandem_engine import DEFAULT_RULE, simulate_mastery_decisions

    n_students = 300 if quick else 2000
    rows = []
    for fit, label in ((True, "parameters fitted by EM"), (False, "true parameters")):
        report = simulate_mastery_decisions(n_students=n_students, fit=fit, random_state=2026)
        rows.append(
            {
                "parameters": label,
                "precision": report.precision,
                "recall": report.recall,
                "n_students": n_students,
                "n_decisions": report.n_decisions,
                "n_flagged": report.n_flagged,
                "n_truly_mastered": report.n_truly_mastered,
                "threshold": DEFAULT_RULE.threshold,
                "min_evidence": DEFAULT_RULE.min_evidence,
            }
        )
    print("\nmastery rule on simulated students (P >= 0.95 after >= 3 answers):")
    for r in rows:
        print(
            f"  {r['parameters']:<24} precision {r['precision']:.3f}  recall {r['recall']:.3f}"
            f"  ({r['n_flagged']:,} of {r['n_decisions']:,} decisions flagged mastered)"
        )
    MASTERY_OUT.write_text(json.dumps(rows, indent=2) + "\n")
    print(f"wrote {MASTERY_OUT.relative_to(REPO)}")


if __name__ == "__main__":
    sys.exit(main())
