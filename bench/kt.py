"""Knowledge-tracing benchmark on public data: ASSISTments 2009 and KDD Cup algebra05.

ASSISTments 2009 (Gervet et al.'s split): fits every engine model on the train file, scores it
on the test file, does the same for pyBKT in its own throwaway venv (it needs numpy<2 and
scikit-learn<1.6), prints a table and writes ``var/bench/kt-assist2009.json``: a list of rows
(model, auc, rmse, logloss, n_nan, fit_seconds, predict_per_second, online_updates_per_second,
peak_memory_mib, n_train, n_test, machine, ...).

algebra05 (long sequences, real timestamps; only the authors' test file is shared): split by
student, 80% to fit and 20% to score (seed 2026), every engine model, written to
``var/bench/kt-algebra05.json``; then BKT's forgetting per elapsed day fitted by maximum
likelihood (``tandem_engine.fit_daily_forgetting``) on the 80%, printed and written to
``var/bench/forgetting-algebra05.json``. ``n_nan`` counts NaN predictions (must be 0).

Each engine model runs in its own subprocess, so that ``peak_memory_mib`` (the peak resident
set size of that process: interpreter, libraries, data and model) is that model's alone, and
the models run one after another so that timings do not compete.

    .venv/bin/python bench/kt.py [--skip-pybkt] [--quick] [--dataset assist2009|algebra05]
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
OUT_ALGEBRA = REPO / "var" / "bench" / "kt-algebra05.json"
FORGETTING_OUT = REPO / "var" / "bench" / "forgetting-algebra05.json"
DATASETS = ("assist2009", "algebra05")
SPLIT_SEED = 2026
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
    "BoostedKT": (
        "BoostedKT()",
        "q_matrix",
        "boosted trees on the same history summaries, fitted on 1 thread (the default)",
    ),
    "BoostedKT (all threads)": (
        "BoostedKT(n_threads=None)",
        "q_matrix",
        "the same model with OpenMP's default thread count (every core): fit time only",
    ),
    "LivePredictor": (
        "LivePredictor",
        "q_matrix",
        "the web layer's live model: logistic on stored per-competency and per-student "
        "summaries plus the BKT (Q-matrix, mean) estimate; fit time includes that BKT's",
    ),
}


# -- one engine model, in a worker process ---------------------------------------------------------


def load_split(dataset: str, skills: str, quick: bool) -> tuple[Any, Any]:
    """(train, test) logs of a dataset, in one vocabulary."""
    import numpy as np

    from tandem_engine.loaders import kt_data_dir, load_gervet, load_gervet_split

    if dataset == "assist2009":
        train, test = load_gervet_split(skills=skills)  # type: ignore[arg-type]
        if quick:
            train = train.select(train.student < 400)
            test = test.select(test.student < 100)
        return train, test
    path = kt_data_dir() / "algebra05_test" / "preprocessed_data_test.csv"
    log = load_gervet(path, skills=skills)  # type: ignore[arg-type]
    rng = np.random.default_rng(SPLIT_SEED)
    n_test = round(0.2 * log.n_students)
    in_test = np.zeros(log.n_students, dtype=np.bool_)
    in_test[rng.permutation(log.n_students)[:n_test]] = True
    if quick:
        keep = np.zeros(log.n_students, dtype=np.bool_)
        keep[rng.permutation(log.n_students)[:40]] = True
        in_test &= keep
        return log.select(keep[log.student] & ~in_test[log.student]), log.select(
            in_test[log.student]
        )
    return log.select(~in_test[log.student]), log.select(in_test[log.student])


class _Live:
    """LivePredictor with the BKT that feeds it, behind the bench's fit/predict interface."""

    def __init__(self) -> None:
        from tandem_engine import BKT

        self.bkt = BKT(combine="mean")

    def fit(self, log: Any) -> _Live:
        from tandem_engine import LivePredictor

        self.bkt.fit(log)
        self.live = LivePredictor.fit(log, bkt=self.bkt)
        return self

    def predict_proba(self, log: Any) -> Any:
        return self.live.predict_log(log, bkt=self.bkt)


def worker(name: str, quick: bool, dataset: str = "assist2009") -> dict[str, Any]:
    sys.path.insert(0, str(REPO / "src"))
    import numpy as np

    from tandem_engine import BKT, BoostedKT, LogisticKT  # noqa: F401 (used by eval)
    from tandem_engine.metrics import score

    source, skills, note = MODELS[name]
    train, test = load_split(dataset, skills, quick)
    model = _Live() if source == "LivePredictor" else eval(source)  # from the table above
    load_at_fit = round(os.getloadavg()[0], 2)
    start = time.perf_counter()
    model.fit(train)
    fit_seconds = time.perf_counter() - start
    start = time.perf_counter()
    p = model.predict_proba(test)
    predict_seconds = time.perf_counter() - start
    n_nan = int(np.isnan(p).sum())
    n_outside = int(((p <= 0.0) | (p >= 1.0)).sum())
    if isinstance(model, _Live):
        return {
            "model": name,
            **score(test.correct, np.nan_to_num(p, nan=0.5)),
            "n_nan": n_nan,
            "n_outside_open_unit_interval": n_outside,
            "fit_seconds": fit_seconds,
            "predict_per_second": test.n_responses / predict_seconds,
            "online_updates_per_second": None,
            "online_predict_item_per_second": _live_candidates_per_second(model),
            "peak_memory_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "n_train": train.n_responses,
            "n_test": test.n_responses,
            "skills": skills,
            "estimator": "LivePredictor.fit(train, bkt=BKT(combine='mean').fit(train))",
            "note": note,
            "online_update_measure": (
                "none: the web layer updates stored counts; online_predict_item_per_second "
                "is candidates scored per second in calls of 10 candidates"
            ),
            "mean_prediction": float(np.mean(p)),
            "load_average_1min_at_fit": load_at_fit,
            "live_coef": dict(zip(model.live.to_dict()["features"], model.live.coef, strict=True)),
        }
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
        **score(test.correct, np.nan_to_num(p, nan=0.5)),
        "n_nan": n_nan,
        "n_outside_open_unit_interval": n_outside,
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
        "load_average_1min_at_fit": load_at_fit,
    }
    if hasattr(model, "n_iter_"):
        row["n_iter"] = int(model.n_iter_)
    return row


def _live_candidates_per_second(model: _Live) -> float:
    """Candidates scored per second by LivePredictor.predict, 10 candidates a call."""
    import numpy as np

    live = model.live
    skills = list(live.skill_ids[:10]) or ["x"] * 10
    k = len(skills)
    args = (np.arange(k, dtype=float), np.ones(k), np.full(k, 2.0), np.full(k, 0.6), 40.0, 12.0)
    calls = 2000
    start = time.perf_counter()
    for _ in range(calls):
        live.predict(skills, *args)
    return calls * k / (time.perf_counter() - start)


def run_worker(name: str, quick: bool, dataset: str = "assist2009") -> dict[str, Any]:
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--worker",
        name,
        "--dataset",
        dataset,
    ]
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
        f"{'model':38} {'AUC':>6} {'RMSE':>6} {'logloss':>7} {'NaN':>4} {'fit s':>8} "
        f"{'pred/s':>10} {'upd/s':>9} {'MiB':>6}"
    )
    lines = [head, "-" * len(head)]
    for r in rows:
        lines.append(
            f"{r['model']:38} {r['auc']:6.4f} {r['rmse']:6.4f} {r['logloss']:7.4f} "
            f"{_fmt(r.get('n_nan'), '4d')} "
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
    out.append(f"NaN predictions, all models: {sum(r.get('n_nan') or 0 for r in engine)}")
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


def threads_line(rows: list[dict[str, Any]]) -> str | None:
    """BoostedKT's fit on 1 thread against OpenMP's default, and their AUCs."""
    by = {r["model"]: r for r in rows}
    one, every = by.get("BoostedKT"), by.get("BoostedKT (all threads)")
    if one is None or every is None:
        return None
    return (
        f"BoostedKT fit: 1 thread {one['fit_seconds']:.1f} s (AUC {one['auc']:.4f}) vs default "
        f"threads {every['fit_seconds']:.1f} s (AUC {every['auc']:.4f}): "
        f"{every['fit_seconds'] / one['fit_seconds']:.2f}x the time "
        f"(1-min load at fit {one['load_average_1min_at_fit']} / "
        f"{every['load_average_1min_at_fit']}, {os.cpu_count()} cores)"
    )


def forgetting(*, quick: bool) -> dict[str, Any]:
    """BKT's forgetting per elapsed day fitted on algebra05's 80%, and what it does to AUC."""
    sys.path.insert(0, str(REPO / "src"))
    from dataclasses import asdict

    from tandem_engine import BKT, fit_daily_forgetting
    from tandem_engine.metrics import score

    train, test = load_split("algebra05", "q_matrix", quick)
    model = BKT(combine="mean").fit(train)
    start = time.perf_counter()
    fitted = fit_daily_forgetting(train, model)
    seconds = time.perf_counter() - start
    plain = score(test.correct, model.predict_proba(test))
    timed = score(test.correct, model.predict_proba(test, p_forget_per_day=fitted.p_forget_per_day))
    result = {
        "function": "tandem_engine.fit_daily_forgetting",
        "model": "BKT(combine='mean') fitted on the 80%, other parameters held",
        **asdict(fitted),
        "fit_seconds": seconds,
        "test_auc_without": plain["auc"],
        "test_auc_with": timed["auc"],
        "test_logloss_without": plain["logloss"],
        "test_logloss_with": timed["logloss"],
    }
    print(
        f"\nforgetting per elapsed day (algebra05, ML on the 80%): p_forget_per_day "
        f"{fitted.p_forget_per_day:.5f} (half-life {fitted.half_life_days:.0f} days; "
        f"{fitted.n_gaps:,} gaps, median {fitted.median_gap_days * 1440:.1f} min); "
        f"log-likelihood {fitted.log_likelihood:.1f} vs {fitted.log_likelihood_without:.1f} "
        f"without; test AUC {timed['auc']:.4f} vs {plain['auc']:.4f} without"
    )
    FORGETTING_OUT.write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {FORGETTING_OUT.relative_to(REPO)}")
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--skip-pybkt", action="store_true", help="leave the pyBKT row out")
    parser.add_argument(
        "--quick",
        action="store_true",
        help="assist2009: 400 train / 100 test students; algebra05: 40 students; no pyBKT",
    )
    parser.add_argument(
        "--dataset", action="append", choices=DATASETS, help="only this dataset (repeatable)"
    )
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--only", action="append", help="run only this model (repeatable)")
    args = parser.parse_args(argv)
    if args.worker:
        dataset = args.dataset[0] if args.dataset else "assist2009"
        print(json.dumps(worker(args.worker, args.quick, dataset)))
        return 0

    sys.path.insert(0, str(REPO / "src"))
    from tandem_engine.loaders import kt_data_dir

    gervet = kt_data_dir() / "assist2009" / "gervet"
    algebra = kt_data_dir() / "algebra05_test"
    if not (gervet / "q_mat.npz").exists() or not (algebra / "q_mat.npz").exists():
        print(f"no data at {kt_data_dir()} (set TANDEM_SHARED_DIR)", file=sys.stderr)
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
    for dataset in args.dataset or DATASETS:
        print(f"\n== {dataset} ==", flush=True)
        rows: list[dict[str, Any]] = []
        for name in MODELS:
            if args.only and name not in args.only:
                continue
            print(f"running {name} ...", flush=True)
            rows.append(run_worker(name, args.quick, dataset))
        if dataset == "assist2009" and not (args.skip_pybkt or args.quick):
            rows.append(
                run_pybkt(
                    gervet / "preprocessed_data_train.csv", gervet / "preprocessed_data_test.csv"
                )
            )
            py_fit = rows[-1]["fit_seconds"]
            for r in rows[:-1]:
                r["speedup_vs_pybkt"] = py_fit / r["fit_seconds"]
        info["load_average_1min_at_end"] = round(os.getloadavg()[0], 2)
        label = (
            "assist2009/gervet (train -> test)"
            if dataset == "assist2009"
            else f"algebra05_test (students split 80/20, seed {SPLIT_SEED})"
        )
        for r in rows:
            r["machine"] = info
            r["dataset"] = label + (" [quick subset]" if args.quick else "")
        out = OUT if dataset == "assist2009" else OUT_ALGEBRA
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(rows, indent=2) + "\n")
        print()
        print(table(rows))
        print()
        if dataset == "assist2009" and not args.quick and not args.only:
            for line in checks(rows):
                print(line)
        elif rows:
            print(f"NaN predictions, all models: {sum(r.get('n_nan') or 0 for r in rows)}")
        line = threads_line(rows)
        if line:
            print(line)
        print(f"\nwrote {out.relative_to(REPO)}")
        if dataset == "algebra05" and not args.only:
            forgetting(quick=args.quick)
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
