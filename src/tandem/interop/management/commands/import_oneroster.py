"""tandem manage import_oneroster PATH [--dry-run]: import a OneRoster CSV bundle."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError, CommandParser

from tandem.interop.importing import EXIT_NOTHING_TAKEN, ImportCommand
from tandem.interop.oneroster.importer import oneroster_import


class Command(ImportCommand):
    help = (
        "Import a OneRoster 1.1 or 1.2 CSV bundle (folder or zip); all or nothing: one refused "
        "row and nothing is imported."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="bundle folder or zip, with manifest.csv")
        parser.add_argument("--dry-run", action="store_true", help="check and count, save nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = oneroster_import(path=options["path"], dry_run=options["dry_run"])
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(str(error), returncode=EXIT_NOTHING_TAKEN) from error
        self.stdout.write("\n".join(report.lines()))
        if report.refused:
            raise CommandError(
                f"{report.n_refused} row(s) refused; nothing was imported.",
                returncode=EXIT_NOTHING_TAKEN,
            )
