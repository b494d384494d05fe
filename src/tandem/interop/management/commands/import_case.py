"""Import a CASE 1.0/1.1 CFPackage JSON file into a competency framework."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import CommandError, CommandParser

from tandem.interop.case.services import CaseImportRefusedError, case_import
from tandem.interop.case.validation import CaseSchemaMissingError
from tandem.interop.importing import EXIT_NOTHING_TAKEN, ImportCommand


class Command(ImportCommand):
    help = (
        "Import a CASE CFPackage JSON (1.1 validated against the official schema; 1.0 lenient); "
        "all or nothing: a package that breaks the schema is refused whole."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="CFPackage JSON file")
        parser.add_argument(
            "--prerequisites",
            metavar="GRAPH",
            help="Coherence-Map-shaped prerequisite graph JSON to join on standard codes",
        )
        parser.add_argument("--schema", help="CASE 1.1 CFPackage JSON Schema file")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        try:
            report = case_import(
                path_or_data=options["path"],
                prerequisites_from=options["prerequisites"],
                schema=options["schema"],
            )
        except CaseImportRefusedError as exc:
            raise CommandError(exc.report.summary(), returncode=EXIT_NOTHING_TAKEN) from exc
        except (CaseSchemaMissingError, OSError, ValueError) as exc:
            raise CommandError(str(exc), returncode=EXIT_NOTHING_TAKEN) from exc
        self.stdout.write(report.summary())
        self.stdout.write(f"  took {time.monotonic() - started:.1f} s")
