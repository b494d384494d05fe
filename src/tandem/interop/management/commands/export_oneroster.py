"""tandem manage export_oneroster PATH: write the roster as a OneRoster 1.1 CSV bundle."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from tandem.interop.oneroster.exporter import oneroster_export


class Command(BaseCommand):
    help = "Export the roster as a OneRoster 1.1 CSV bundle (a folder, or a zip if PATH ends .zip)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path")

    def handle(self, *args: Any, **options: Any) -> None:
        counts = oneroster_export(path=options["path"])
        for name, count in counts.items():
            self.stdout.write(f"{name}: {count} rows")
