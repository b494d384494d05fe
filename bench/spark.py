"""Calibration as a Spark job (``tandem spark-calibrate``): the same parameters as one machine,
and how it scales with local workers.

(a) ASSISTments 2009 (Gervet et al.'s split, ``../shared/data/kt``): the train file as exported
evidence (one row per answer and skill), fitted by the Spark job in local mode, against the
single-machine fit calibration makes (the engine's BKT over every competency at once, EM
stopping per competency); both scored on the test students (AUC) and compared parameter by
parameter; also against EM stopping for all competencies at once (calibration before).
(b) Scaling: simulated BKT students (``tandem_engine.simulate``) written as Parquet, fitted
with ``local[1]``, ``local[2]`` and ``local[4]``; rows/s and rows/s per worker, Spark's start
excluded (reported apart).

Writes ``var/bench/spark.json``. Run ``make bench-spark`` (or ``.venv/bin/python bench/spark.py
--rows 10000000`` for the documented 10M-row run; the default is 1M rows on a small machine).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "src"))

import tandem_engine  # noqa: E402
from tandem_engine.loaders import load_gervet_split  # noqa: E402
from tandem_engine.simulate import simulate_bkt  # noqa: E402
from tandem_spark import fit  # noqa: E402
from tandem_spark.job import calibrate, session  # noqa: E402

OUT = REPO / "var" / "bench" / "spark.json"
WORK = REPO / "var" / "bench" / "spark-evidence"
N_COMPETENCIES = 200
N_STEPS = 10  # answers per student and competency in the simulation
STUDENTS_PER_CHUNK = 2_000


def _write_log(log: tandem_engine.ResponseLog, folder: Path, *, key_prefix: str = "") -> int:
    """A log as exported evidence: one row per (answer, skill), ``seq`` the log's order."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    rows, skills = log.row_skills()
    table = pa.table(
        {
            "student": [f"{key_prefix}{log.student_ids[s]}" for s in log.student[rows]],
            "competency": [log.skill_ids[k] for k in skills],
            "correct": log.correct[rows],
            "seq": log.order[rows].astype(np.int64),
        }
    )
    folder.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, folder / f"part-{len(list(folder.iterdir())):05d}.parquet")
    return table.num_rows


def _engine_only(folder: Path) -> dict[str, Any]:
    """The job's per-competency work (both fits) in this one process, without Spark: what one
    worker's Python does, for the share of the time that is Spark's own."""
    import pyarrow.parquet as pq

    from tandem_spark.job import _fit_group

    columns = ["student", "competency", "correct", "seq"]
    frame = pq.read_table(folder, columns=columns).to_pandas()
    started = time.perf_counter()
    for _, group in frame.groupby("competency"):
        _fit_group(group, seed=fit.SEED, holdout=True)
    seconds = time.perf_counter() - started
    return {"seconds": round(seconds, 2), "rows_per_second": round(len(frame) / seconds)}


def _spark_session(workers: int) -> tuple[Any, float]:
    started = time.perf_counter()
    spark = session(f"local[{workers}]", app_name=f"tandem-bench-{workers}")
    spark.sparkContext.setLogLevel("ERROR")
    return spark, time.perf_counter() - started


def same_parameters(quick: bool) -> dict[str, Any]:
    train, test = load_gervet_split()
    if quick:
        train = train.select(train.student < 400)
        test = test.select(test.student < 100)
    folder = WORK / "assist2009"
    shutil.rmtree(folder, ignore_errors=True)
    n_rows = _write_log(train, folder)
    started = time.perf_counter()
    single = fit.model().fit(train)
    single_seconds = time.perf_counter() - started
    spark, start_seconds = _spark_session(2)
    try:
        result = calibrate(spark, folder)
    finally:
        spark.stop()
    by_code = {f.competency: f.params for f in result.fits}
    d = single.default_params
    spark_params = [by_code.get(code, d) for code in train.skill_ids]
    distributed = tandem_engine.BKT.from_params(
        spark_params,
        train.q_matrix,
        item_ids=train.item_ids,
        skill_ids=train.skill_ids,
        base_rate=single.base_rate_,
    )
    auc_single = tandem_engine.score(test.correct, single.predict_proba(test))["auc"]
    auc_spark = tandem_engine.score(test.correct, distributed.predict_proba(test))["auc"]
    fitted = [k for k, code in enumerate(train.skill_ids) if code in by_code]
    diff = np.abs(
        distributed.params_array_[:, fitted] - single.params_array_[:, fitted]
    )  # rows: init, learn, guess, slip, forget
    worst = np.unravel_index(int(np.argmax(diff)), diff.shape)
    counts = np.bincount(train.row_skills()[1], minlength=train.n_skills)
    big = [k for k in fitted if counts[k] >= fit.MIN_COMPETENCY_ANSWERS]
    # Before this work calibration stopped EM for every competency at once (one tolerance on
    # the whole log): the same held-out AUC to within a few 1e-4, not the same parameters.
    joint = tandem_engine.BKT(
        max_guess=fit.MAX_GUESS, max_slip=fit.MAX_SLIP, convergence="joint", random_state=fit.SEED
    ).fit(train)
    auc_joint = tandem_engine.score(test.correct, joint.predict_proba(test))["auc"]
    engine_only = _engine_only(folder)
    return {
        "data": "assist2009/gervet train -> test" + (" (quick subset)" if quick else ""),
        "n_rows_exported": n_rows,
        "n_train_answers": train.n_responses,
        "n_test_answers": test.n_responses,
        "n_competencies": len(fitted),
        "auc_single_machine": round(auc_single, 5),
        "auc_spark": round(auc_spark, 5),
        "auc_difference": round(abs(auc_spark - auc_single), 6),
        "auc_within_0.001": abs(auc_spark - auc_single) <= 0.001,
        "max_parameter_difference": float(diff.max()),
        "max_parameter_difference_at": {
            "parameter": fit.PARAM_NAMES[worst[0]],
            "competency": train.skill_ids[fitted[worst[1]]],
        },
        "max_parameter_difference_competencies_with_30_plus_answers": float(
            np.abs(distributed.params_array_[:, big] - single.params_array_[:, big]).max()
        ),
        "auc_single_machine_joint_stopping": round(auc_joint, 5),
        "max_parameter_difference_vs_joint_stopping": float(
            np.abs(distributed.params_array_[:, fitted] - joint.params_array_[:, fitted]).max()
        ),
        "single_machine_seconds": round(single_seconds, 2),
        "spark_seconds": round(result.seconds, 2),
        "spark_start_seconds": round(start_seconds, 2),
        "spark_workers": 2,
        # Real answers need more EM sweeps than simulated ones: the rate to extrapolate from.
        "engine_only_one_core": engine_only,
    }


def generate(rows: int, seed: int = 2026) -> tuple[Path, int]:
    """About ``rows`` simulated answers as exported evidence, written in chunks of students."""
    rng = np.random.default_rng(seed)
    params = [
        tandem_engine.BKTParams(
            p_init=float(rng.uniform(0.1, 0.6)),
            p_learn=float(rng.uniform(0.05, 0.3)),
            p_guess=float(rng.uniform(0.05, 0.28)),
            p_slip=float(rng.uniform(0.03, 0.2)),
        )
        for _ in range(N_COMPETENCIES)
    ]
    n_students = max(1, rows // (N_COMPETENCIES * N_STEPS))
    folder = WORK / f"simulated-{rows}"
    marker = folder / "_ROWS"
    if marker.exists():
        return folder, int(marker.read_text())
    shutil.rmtree(folder, ignore_errors=True)
    written = 0
    for chunk, first in enumerate(range(0, n_students, STUDENTS_PER_CHUNK)):
        n = min(STUDENTS_PER_CHUNK, n_students - first)
        sim = simulate_bkt(params, n_students=n, n_steps=N_STEPS, random_state=seed + chunk)
        written += _write_log(sim.log, folder, key_prefix=f"c{chunk}-")
    marker.write_text(str(written))
    return folder, written


def scaling(rows: int, workers: list[int]) -> dict[str, Any]:
    started = time.perf_counter()
    folder, n_rows = generate(rows)
    generate_seconds = time.perf_counter() - started
    engine_only = _engine_only(folder)
    print(json.dumps({"engine_only_one_core": engine_only}), flush=True)
    runs = []
    for w in workers:
        spark, start_seconds = _spark_session(w)
        try:
            result = calibrate(spark, folder)
        finally:
            spark.stop()
        rate = n_rows / result.seconds
        runs.append(
            {
                "master": f"local[{w}]",
                "workers": w,
                "seconds": round(result.seconds, 2),
                "spark_start_seconds": round(start_seconds, 2),
                "rows_per_second": round(rate),
                "rows_per_second_per_worker": round(rate / w),
                "load_average_1min_after": round(os.getloadavg()[0], 2),
            }
        )
        print(json.dumps(runs[-1]), flush=True)
    return {
        "rows": n_rows,
        "competencies": N_COMPETENCIES,
        "answers_per_student_and_competency": N_STEPS,
        "fits_per_competency": 2,  # every student, and all but the held-out students
        "generate_seconds": round(generate_seconds, 1),
        "engine_only_one_core": engine_only,
        "runs": runs,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="simulated rows (b)")
    parser.add_argument("--workers", default="1,2,4", help="local workers to try (b)")
    parser.add_argument("--quick", action="store_true", help="400 ASSIST09 students; 100k rows")
    parser.add_argument("--skip-assist", action="store_true")
    args = parser.parse_args(argv)
    rows = 100_000 if args.quick else args.rows
    machine = {
        "cpu_count": os.cpu_count(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "load_average_1min_at_start": round(os.getloadavg()[0], 2),
    }
    out: dict[str, Any] = {"machine": machine}
    if not args.skip_assist:
        out["same_parameters"] = same_parameters(args.quick)
        print(json.dumps(out["same_parameters"], indent=1), flush=True)
    out["scaling"] = scaling(rows, [int(w) for w in args.workers.split(",")])
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(out, indent=1) + "\n")
    print(f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
