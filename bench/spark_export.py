"""``tandem export evidence --parquet`` on a throwaway SQLite database of N answered statements:
rows/s and how much the process's peak memory grew while exporting (it streams, so it should
not grow with N). Run by ``bench/spark.py`` (``--export-rows``); prints one JSON line.

    TANDEM_DATA_DIR=var/bench/spark-export .venv/bin/python bench/spark_export.py 300000
"""

from __future__ import annotations

import datetime as dt
import json
import os
import resource
import sys
import time
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tandem.settings")

STUDENTS = 2_000
CODES = 50


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(n_rows: int) -> int:
    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    from tandem.competencies.models import Competency
    from tandem.competencies.services import framework_load_coherence_map
    from tandem.evidence.constants import Source, Verb
    from tandem.evidence.export import evidence_export_parquet
    from tandem.evidence.models import Statement
    from tandem.roster.constants import Role
    from tandem.roster.models import User

    call_command("migrate", interactive=False, verbosity=0)
    started = time.perf_counter()
    if Statement.objects.count() != n_rows:
        framework_load_coherence_map()
        competencies = list(Competency.objects.order_by("pk").values_list("pk", flat=True)[:CODES])
        User.objects.bulk_create(
            User(username=f"bench-{k}", sourced_id=f"bench-{k}", role=Role.STUDENT)
            for k in range(STUDENTS)
            if not User.objects.filter(username=f"bench-{k}").exists()
        )
        users = list(
            User.objects.filter(username__startswith="bench-").values_list("pk", flat=True)
        )
        start = timezone.now() - dt.timedelta(days=200)
        through = Statement.competencies.through
        batch = 20_000
        for first in range(0, n_rows, batch):
            statements, links = [], []
            for r in range(first, min(first + batch, n_rows)):
                student = users[r % len(users)]
                sid = uuid.uuid4()
                statements.append(
                    Statement(
                        id=sid,
                        actor_id=student,
                        verb=Verb.ANSWERED,
                        object_id=f"urn:bench:item-{r % 997}",
                        result_success=(r * 7919) % 3 != 0,
                        timestamp=start + dt.timedelta(seconds=r),
                        authority_id=student,
                        source=Source.PRACTICE,
                    )
                )
                links.append(through(statement_id=sid, competency_id=competencies[r % CODES]))
            Statement.objects.bulk_create(statements)
            through.objects.bulk_create(links)
    seeded = time.perf_counter() - started
    import pyarrow.parquet  # noqa: F401  (its own memory is not the export's)

    before = _peak_mib()
    report = evidence_export_parquet(path=REPO / "var" / "bench" / "spark-export-parquet")
    size = sum(f.stat().st_size for f in Path(report.path).rglob("*.parquet"))
    print(
        json.dumps(
            {
                "database": "sqlite",
                "rows": report.n_rows,
                "seconds": round(report.seconds, 2),
                "rows_per_second": round(report.n_rows / report.seconds),
                "peak_rss_mib_before_export": round(before, 1),
                "peak_rss_mib_after_export": round(_peak_mib(), 1),
                "parquet_bytes_per_row": round(size / max(report.n_rows, 1), 1),
                "seed_seconds": round(seeded, 1),
            }
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 300_000))
