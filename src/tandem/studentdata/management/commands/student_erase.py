"""Erase one student's personal data, keeping pseudonymous learning records (``tandem student
erase``)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from tandem.studentdata.management.commands._common import operator_or_error, student_or_error
from tandem.studentdata.services import student_erase


class Command(BaseCommand):
    help = "Erase one student's names, identifiers, writing and files (cannot be undone)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("sourced_id", help="the student's OneRoster sourcedId")
        parser.add_argument("--reason", required=True, help="why (kept in the tombstone)")
        parser.add_argument(
            "--by", required=True, metavar="USERNAME", help="the administrator erasing"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        student = student_or_error(options["sourced_id"])
        by = operator_or_error(options["by"])
        erasure, erased = student_erase(student=student, by=by, reason=options["reason"])
        if not erased:
            self.stdout.write("Already erased; nothing done.")
            return
        self.stdout.write(
            f"Erased; the record is now {student.username} (tombstone #{erasure.pk})."
        )
