"""``tandem import parameters PATH``: record a parameter set fitted elsewhere (Spark)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tandem.mastery.calibration import ImportReport, ParameterDocumentError
from tandem.mastery.tasks import CalibrationBusyError, parameters_import_and_record


class Command(BaseCommand):
    help = (
        "Record a parameter-set document written by `tandem spark-calibrate`; activate it "
        "(recomputing every learner state) only if it scores at least as well as the active "
        "set on held-out students' evidence stored here, otherwise keep it inactive and say why."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="the JSON document")
        parser.add_argument(
            "--inactive", action="store_true", help="store it inactive without comparing"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            document = json.loads(Path(options["path"]).read_text())
        except (OSError, json.JSONDecodeError) as error:
            raise CommandError(f"Cannot read {options['path']}: {error}") from None
        try:
            run = parameters_import_and_record(document=document, activate=not options["inactive"])
        except ParameterDocumentError as refused:
            raise CommandError(f"Not imported: {refused}") from None
        except CalibrationBusyError as busy:
            raise CommandError(f"{busy} Wait for it to finish, then try again.") from None
        report = ImportReport(**run.report)
        self.stdout.write(report.summary())
        if not report.activated:
            self.stdout.write(
                f"An administrator can activate {report.version} deliberately: admin, Mastery › "
                f"Calibration runs › #{run.pk}, action “Activate the kept parameter set”."
            )
