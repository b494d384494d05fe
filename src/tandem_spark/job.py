"""The Spark job: read the exported evidence, fit every competency's BKT on an executor, and
write the parameter-set document (``tandem spark-calibrate``).

Rows are grouped by competency (``groupBy().applyInPandas``); each group is fitted by
:func:`tandem_spark.fit.fit_competency` in the executor's Python worker, which imports only
numpy, scipy and the engine. Only the fitted parameters (a few numbers per competency) come
back to the driver.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from tandem_spark.fit import (
    PARAM_NAMES,
    SEED,
    CompetencyFit,
    fit_competency,
    is_heldout,
    parameter_document,
)

if TYPE_CHECKING:
    import pandas as pd
    from pyspark.sql import SparkSession

RESULT_SCHEMA = (
    "competency string, scope string, "
    + ", ".join(f"{name} double" for name in PARAM_NAMES)
    + ", n_answers long, n_students long, log_likelihood double, n_iter long, seconds double"
)


def _fit_group(pdf: pd.DataFrame, *, seed: int, holdout: bool) -> pd.DataFrame:
    """One competency's rows in, one result row per scope out (runs on an executor)."""
    import pandas as pd

    competency = str(pdf["competency"].iloc[0])
    student = pdf["student"].to_numpy(dtype=object).astype(str)
    correct = pdf["correct"].to_numpy(dtype=np.bool_)
    seq = pdf["seq"].to_numpy(dtype=np.int64)
    scopes: list[tuple[str, np.ndarray]] = [("all", np.ones(len(pdf), dtype=np.bool_))]
    if holdout:
        keys, codes = np.unique(student, return_inverse=True)
        train_key = np.fromiter((not is_heldout(k) for k in keys), np.bool_, len(keys))
        scopes.append(("train", train_key[codes]))
    rows = []
    for scope, mask in scopes:
        if not mask.any():
            continue
        fit = fit_competency(
            student[mask], correct[mask], seq[mask], competency=competency, seed=seed
        )
        rows.append(
            {
                "competency": competency,
                "scope": scope,
                **{name: float(getattr(fit.params, name)) for name in PARAM_NAMES},
                "n_answers": fit.n_answers,
                "n_students": fit.n_students,
                "log_likelihood": fit.log_likelihood,
                "n_iter": fit.n_iter,
                "seconds": fit.seconds,
            }
        )
    return pd.DataFrame(rows)


def _fits(rows: list[dict[str, Any]], scope: str) -> list[CompetencyFit]:
    from tandem_engine import BKTParams

    return [
        CompetencyFit(
            competency=row["competency"],
            params=BKTParams(*(row[name] for name in PARAM_NAMES)),
            n_answers=int(row["n_answers"]),
            n_students=int(row["n_students"]),
            log_likelihood=float(row["log_likelihood"]),
            n_iter=int(row["n_iter"]),
            seconds=float(row["seconds"]),
        )
        for row in rows
        if row["scope"] == scope
    ]


def session(master: str | None = None, *, app_name: str = "tandem-calibrate") -> SparkSession:
    """A Spark session: ``master`` as given (``local[4]``, ``spark://host:7077``), or what
    ``spark-submit`` or ``SPARK_MASTER`` says, or ``local[*]``."""
    from pyspark.sql import SparkSession

    # Executors on this machine run the driver's Python (its numpy, scipy and pyarrow).
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    builder = SparkSession.builder.appName(app_name)
    master = master or os.environ.get("SPARK_MASTER")
    if master:
        builder = builder.master(master)
    elif "SPARK_HOME" not in os.environ and "PYSPARK_SUBMIT_ARGS" not in os.environ:
        builder = builder.master("local[*]")
    spark = (
        builder.config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.ui.showConsoleProgress", "false")
        .getOrCreate()
    )
    if not str(spark.sparkContext.master).startswith("local"):
        _ship_packages(spark)
    return spark


def _ship_packages(spark: SparkSession) -> None:
    """Send the engine and this package to a cluster's executors (they need numpy and scipy
    installed, as the driver does)."""
    root = Path(__file__).resolve().parent.parent
    handle, path = tempfile.mkstemp(suffix=".zip", prefix="tandem-engine-")
    os.close(handle)
    with zipfile.ZipFile(path, "w") as archive:
        for package in ("tandem_engine", "tandem_spark"):
            for file in sorted((root / package).rglob("*.py")):
                archive.write(file, file.relative_to(root))
    spark.sparkContext.addPyFile(path)


@dataclass(frozen=True)
class JobResult:
    document: dict[str, Any]
    fits: list[CompetencyFit]  # every competency's own fit on every student (not pooled)
    n_rows: int
    n_competencies: int
    seconds: float  # reading, fitting and collecting (not starting Spark)
    workers: int


def calibrate(
    spark: SparkSession, evidence: str | os.PathLike[str], *, seed: int = SEED, holdout: bool = True
) -> JobResult:
    """Fit every competency in the Parquet evidence at ``evidence``; the document to import."""
    started = time.perf_counter()
    frame = spark.read.parquet(str(evidence)).select("student", "competency", "correct", "seq")

    def fit_group(pdf: pd.DataFrame) -> pd.DataFrame:
        return _fit_group(pdf, seed=seed, holdout=holdout)

    fitted = frame.groupBy("competency").applyInPandas(fit_group, schema=RESULT_SCHEMA)
    rows = [row.asDict() for row in fitted.collect()]
    everyone = _fits(rows, "all")
    document = parameter_document(
        everyone,
        _fits(rows, "train") if holdout else None,
        seed=seed,
        source={"evidence": str(evidence), "master": spark.sparkContext.master},
    )
    document["evidence"] = export_metadata(evidence)
    return JobResult(
        document=document,
        fits=everyone,
        n_rows=sum(f.n_answers for f in everyone),
        n_competencies=len(everyone),
        seconds=time.perf_counter() - started,
        workers=spark.sparkContext.defaultParallelism,
    )


def export_metadata(evidence: str | os.PathLike[str]) -> dict[str, Any]:
    """What the export wrote beside the partitions (``_tandem_export.json``), or nothing when
    the folder is not local or has none (the import then cannot compare on held-out students)."""
    try:
        data = json.loads((Path(evidence) / "_tandem_export.json").read_text())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def write_document(document: dict[str, Any], path: str | os.PathLike[str]) -> None:
    Path(path).write_text(json.dumps(document, indent=1, sort_keys=True) + "\n")


def main(
    *, evidence: str, out: str, master: str | None, seed: int = SEED, holdout: bool = True
) -> int:
    spark = session(master)
    try:
        result = calibrate(spark, evidence, seed=seed, holdout=holdout)
    finally:
        spark.stop()
    write_document(result.document, out)
    fit = result.document["params"]["fit"]
    print(
        f"Fitted {result.n_competencies} competencies ({fit['n_competencies_fitted']} with their "
        f"own parameters) on {result.n_rows} answers in {result.seconds:.1f} s "
        f"({result.workers} workers, {result.n_rows / max(result.seconds, 1e-9):,.0f} rows/s); "
        f"wrote {out}. Import it with: tandem import parameters {out}"
    )
    return 0
