"""``tandem manage calibrate``: fit the learner model on this installation's evidence, now."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tandem.mastery.calibration import CalibrationReport
from tandem.mastery.constants import RunStatus
from tandem.mastery.tasks import (
    CalibrationBusyError,
    calibration_run_create,
    calibration_run_execute,
)


class Command(BaseCommand):
    help = (
        "Fit the learner model (BKT, by EM) on this installation's evidence, store it as a new "
        "active parameter set, recompute every learner state under it, and print a report."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--quiet", action="store_true", help="print only the report, not the progress"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        quiet = bool(options["quiet"])

        def echo(percent: int, message: str) -> None:
            if not quiet:
                self.stdout.write(f"[{percent:3d}%] {message}")

        # Recorded as a run like the admin's, so the history is in one place and two
        # calibrations never overlap.
        try:
            run = calibration_run_create(requested_by=None)
        except CalibrationBusyError as busy:
            raise CommandError(f"{busy} Wait for it to finish, then try again.") from None
        run = calibration_run_execute(run.pk, echo=echo)
        if run.status != RunStatus.SUCCEEDED:
            raise CommandError(run.error or run.message)
        self.stdout.write(CalibrationReport(**run.report).summary())
