"""``tandem export evidence --parquet DIR``: the evidence log for calibration over a state."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tandem.evidence.export import evidence_export_parquet


class Command(BaseCommand):
    help = (
        "Export every answered statement (pseudonymous student key, competency code, correct, "
        "timestamp, replay order, source, weight) as Parquet partitioned by month, "
        "for `tandem spark-calibrate`. The folder is replaced."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--parquet", required=True, metavar="DIR", help="folder to write")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            import pyarrow  # noqa: F401
        except ImportError:
            raise CommandError(
                "Parquet export needs pyarrow: pip install 'tandem[spark]'"
            ) from None
        report = evidence_export_parquet(path=options["parquet"])
        self.stdout.write(report.summary())
