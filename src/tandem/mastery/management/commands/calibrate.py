"""``tandem manage calibrate``: fit the learner model on this installation's evidence, now."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tandem.mastery.calibration import CalibrationReport
from tandem.mastery.constants import RunStatus
from tandem.mastery.tasks import CalibrationBusyError, calibrate_and_record


class Command(BaseCommand):
    help = (
        "Fit the learner model (BKT, by EM, and priors by grade gap) on this installation's "
        "evidence and store it as a new parameter set; activate it and recompute every learner "
        "state under it only if it scores at least as well as the active set on held-out "
        "students. Prints the comparison and the decision."
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

        try:
            run = calibrate_and_record(requested_by=None, echo=echo)
        except CalibrationBusyError as busy:
            raise CommandError(f"{busy} Wait for it to finish, then try again.") from None
        if run.status != RunStatus.SUCCEEDED:
            raise CommandError(run.error or run.message)
        report = CalibrationReport(**run.report)
        self.stdout.write(report.summary())
        if not report.activated:
            self.stdout.write(
                f"The active set stays {report.previous_version}. An administrator can still "
                f"activate {report.version} deliberately: admin, Mastery › Calibration runs › "
                f"#{run.pk}, action “Activate the kept parameter set”."
            )
