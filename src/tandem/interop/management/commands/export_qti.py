"""Export Tandem items as a QTI 3.0 content package folder."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tandem.competencies.models import Competency
from tandem.content.models import Item
from tandem.interop.qti.services import qti_export


class Command(BaseCommand):
    help = "Export items as a QTI 3.0 content package (imsmanifest.xml + one XML per item)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="folder to write the package into")
        parser.add_argument(
            "--competency",
            action="append",
            default=[],
            metavar="CODE",
            help="only items aligned to this standard code (repeatable)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        items = Item.objects.order_by("pk")
        codes = options["competency"]
        if codes:
            known = set(
                Competency.objects.filter(human_coding_scheme__in=codes).values_list(
                    "human_coding_scheme", flat=True
                )
            )
            missing = sorted(set(codes) - known)
            if missing:
                raise CommandError(f"Unknown competency code(s): {', '.join(missing)}")
            items = items.filter(competencies__human_coding_scheme__in=codes).distinct()
        count = qti_export(items=items, path=options["path"])
        self.stdout.write(f"Exported {count} item(s) as QTI 3.0 to {options['path']}")
