"""Erase students past the retention period (``tandem student purge-expired``); a dry run unless
``--apply``."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from tandem.studentdata.management.commands._common import operator_or_error
from tandem.studentdata.selectors import students_past_retention
from tandem.studentdata.services import students_purge_expired


class Command(BaseCommand):
    help = (
        "List (or with --apply, erase) students whose enrolments all ended more than "
        "TANDEM_RETENTION_YEARS years ago."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--apply", action="store_true", help="erase them (default: list)")
        parser.add_argument(
            "--by", metavar="USERNAME", help="the administrator erasing (needed with --apply)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        years = getattr(settings, "TANDEM_RETENTION_YEARS", None)
        if not years:
            self.stdout.write("TANDEM_RETENTION_YEARS is not set: records are kept until asked.")
            return
        if not options["apply"]:
            due = list(students_past_retention(years=years))
            for student in due:
                self.stdout.write(f"would erase {student.sourced_id}")
            self.stdout.write(
                f"{len(due)} student(s) past {years} years; run again with --apply to erase."
            )
            return
        if not options["by"]:
            raise CommandError("Say who erases with --by USERNAME.")
        erased = students_purge_expired(
            years=years, by=operator_or_error(options["by"]), apply=True
        )
        self.stdout.write(f"Erased {len(erased)} student(s) past {years} years.")
