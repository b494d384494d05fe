"""Import QTI 3.0 assessment items (an item XML, or a content package zip/folder)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tandem.interop.qti.services import QtiPackageError, qti_import


class Command(BaseCommand):
    help = (
        "Import QTI 3.0 items (choice, text entry, inline choice) from an item XML file or a "
        "content package (zip or folder with imsmanifest.xml); unsupported items are reported."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="qti-assessment-item XML, package zip or package folder")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = qti_import(path=options["path"])
        except (QtiPackageError, OSError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(report.summary())
