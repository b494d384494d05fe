"""Import QTI 3.0 assessment items (an item XML, or a content package zip/folder)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError, CommandParser

from tandem.interop.importing import EXIT_NOTHING_TAKEN, EXIT_PART_TAKEN, ImportCommand
from tandem.interop.qti.services import QtiPackageError, qti_import


class Command(ImportCommand):
    help = (
        "Import QTI 3.0 items (choice, text entry, inline choice, extended text) from an item "
        "XML file or a content package (zip or folder with imsmanifest.xml); items that cannot "
        "be imported are refused, with the reason, and the others are imported."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="qti-assessment-item XML, package zip or package folder")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = qti_import(path=options["path"])
        except (QtiPackageError, OSError) as exc:
            raise CommandError(str(exc), returncode=EXIT_NOTHING_TAKEN) from exc
        self.stdout.write(report.summary())
        refused = len(report.refused)
        if refused and refused == len(report.results):
            raise CommandError(
                f"all {refused} item(s) refused; nothing was imported.",
                returncode=EXIT_NOTHING_TAKEN,
            )
        if refused:
            raise CommandError(
                f"{refused} of {len(report.results)} item(s) refused; the others were imported.",
                returncode=EXIT_PART_TAKEN,
            )
