"""Write a zip of everything Tandem holds about one student (``tandem student export``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from tandem.studentdata.management.commands._common import operator_or_error, student_or_error
from tandem.studentdata.services import student_export


class Command(BaseCommand):
    help = "Export everything held about one student as a zip (JSON files and a summary page)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("sourced_id", help="the student's OneRoster sourcedId")
        parser.add_argument(
            "--out", type=Path, help="the zip to write (default: ./<pseudonym>.zip)"
        )
        parser.add_argument(
            "--by",
            required=True,
            metavar="USERNAME",
            help="the administrator handing the data over (recorded in the audit log)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        student = student_or_error(options["sourced_id"])
        by = operator_or_error(options["by"])
        out = options["out"] or Path(f"tandem-export-{student.pseudonym}.zip")
        out.write_bytes(student_export(student=student, by=by))
        self.stdout.write(f"Wrote {out}")
