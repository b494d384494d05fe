"""The evidence log as partitioned Parquet, for calibration over a whole state's evidence
(``tandem export evidence --parquet DIR``, read by ``tandem spark-calibrate``).

One row per answered statement and competency it names, in the columns of
:data:`tandem_spark.fit.EVIDENCE_COLUMNS`. Students appear only as a keyed hash of their
internal id (:func:`student_key`), never by name or username. Rows are streamed from one
database cursor in timestamp order and partitioned by month (``month=2026-09/part-0.parquet``):
only the current month's file is open and only one row group is buffered, so memory stays
bounded whatever the log's size.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings

from tandem.evidence.models import Statement

# Rows buffered before they are written as one row group (about 10 MB of Python objects).
ROW_GROUP_ROWS = 50_000
# Rows fetched from the database per round trip (a server-side cursor on PostgreSQL).
FETCH_ROWS = 20_000


#: Written beside the partitions (Spark and pyarrow skip names that start with "_").
METADATA_FILE = "_tandem_export.json"
EXPORT_FORMAT = "tandem.evidence/1"


def _keyed(message: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), message.encode(), hashlib.sha256).hexdigest()[:20]


def student_key(student_id: int) -> str:
    """A pseudonymous, stable key for a student: HMAC-SHA256 of the internal id under the
    installation's secret key (so an export cannot be joined back to ids without it)."""
    return _keyed(f"tandem.evidence.student:{student_id}")


def key_check() -> str:
    """Names the key that made the student keys, without revealing it: an import compares it
    with its own to know that it can tell which of its students were held out."""
    return _keyed("tandem.evidence.key-check")


@dataclass(frozen=True)
class ExportReport:
    path: str
    n_rows: int
    n_statements: int
    n_files: int
    seconds: float

    def summary(self) -> str:
        return (
            f"Exported {self.n_rows} evidence rows ({self.n_statements} answered statements) "
            f"as Parquet in {self.n_files} monthly partitions to {self.path} in "
            f"{self.seconds:.1f} s"
        )


def _schema() -> Any:
    import pyarrow as pa

    return pa.schema(
        [
            ("student", pa.string()),
            ("competency", pa.string()),
            ("correct", pa.bool_()),
            ("timestamp", pa.timestamp("us", tz="UTC")),
            ("seq", pa.int64()),
            ("source", pa.string()),
            ("weight", pa.float64()),
        ]
    )


class _MonthlyFiles:
    """One Parquet file per month (``month=YYYY-MM/part-0.parquet``) for rows that arrive in
    time order: one file open and one row group buffered at a time."""

    def __init__(self, root: Path, row_group_rows: int) -> None:
        self.root = root
        self.row_group_rows = row_group_rows
        self.schema = _schema()
        self.columns: list[list[Any]] = [[] for _ in self.schema.names]
        self.month = ""
        self.writer: Any = None
        self.n_files = 0

    def add(self, month: str, row: tuple[Any, ...]) -> None:
        if month != self.month:
            self.close()
            self.month = month
        for column, value in zip(self.columns, row, strict=True):
            column.append(value)
        if len(self.columns[0]) >= self.row_group_rows:
            self.flush()

    def flush(self) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        if not self.columns[0]:
            return
        if self.writer is None:
            folder = self.root / f"month={self.month}"
            folder.mkdir(parents=True, exist_ok=True)
            self.writer = pq.ParquetWriter(
                folder / "part-0.parquet", self.schema, compression="zstd"
            )
            self.n_files += 1
        self.writer.write_table(pa.Table.from_arrays(self.columns, schema=self.schema))
        self.columns = [[] for _ in self.schema.names]

    def close(self) -> None:
        self.flush()
        if self.writer is not None:
            self.writer.close()
            self.writer = None


def evidence_export_parquet(
    *,
    path: str | Path,
    row_group_rows: int = ROW_GROUP_ROWS,
    fetch_rows: int = FETCH_ROWS,
) -> ExportReport:
    """Write every answered, unvoided statement linked to a competency to ``path`` (replaced).

    The statements and their order are those calibration reads (``tandem.mastery.calibration``):
    ``seq`` numbers them by timestamp, then arrival; a statement on several competencies gives
    one row per competency, all with its ``seq``.
    """
    started = time.perf_counter()
    root = Path(path)
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    through = Statement.competencies.through
    rows = (
        through.objects.filter(
            statement__result_success__isnull=False, statement__voided_by__isnull=True
        )
        .order_by("statement__timestamp", "statement__stored", "statement_id", "competency_id")
        .values_list(
            "statement_id",
            "statement__actor_id",
            "competency__human_coding_scheme",
            "statement__result_success",
            "statement__timestamp",
            "statement__source",
            "statement__weight",
        )
        .iterator(chunk_size=fetch_rows)
    )
    files = _MonthlyFiles(root, row_group_rows)
    keys: dict[int, str] = {}
    seq = -1
    last_statement = None
    n_rows = 0
    for statement_id, actor_id, code, success, timestamp, source, weight in rows:
        if statement_id != last_statement:
            seq += 1
            last_statement = statement_id
        key = keys.get(actor_id)
        if key is None:
            key = keys[actor_id] = student_key(actor_id)
        month = f"{timestamp.year:04d}-{timestamp.month:02d}"  # stored in UTC
        files.add(month, (key, code, bool(success), timestamp, seq, source, float(weight)))
        n_rows += 1
    files.close()
    n_files = files.n_files
    metadata = {
        "format": EXPORT_FORMAT,
        "key_check": key_check(),
        "n_rows": n_rows,
        "n_statements": seq + 1,
    }
    (root / METADATA_FILE).write_text(json.dumps(metadata, indent=1) + "\n")
    return ExportReport(
        path=str(root),
        n_rows=n_rows,
        n_statements=seq + 1,
        n_files=n_files,
        seconds=time.perf_counter() - started,
    )
