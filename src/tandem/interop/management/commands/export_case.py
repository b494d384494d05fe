"""Export a competency framework as a CASE 1.1 CFPackage JSON file."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tandem.competencies.models import Framework
from tandem.interop.case.selectors import case_export
from tandem.interop.case.validation import CaseSchemaMissingError, case_validate


class Command(BaseCommand):
    help = "Export a framework (by CFDocument identifier) as a CASE 1.1 CFPackage JSON file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("framework_identifier", help="the framework's CFDocument UUID")
        parser.add_argument("path", help="where to write the CFPackage JSON")
        parser.add_argument("--schema", help="CASE 1.1 schema to check the export against")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            identifier = uuid.UUID(options["framework_identifier"])
        except ValueError as exc:
            raise CommandError("The framework identifier must be a UUID.") from exc
        framework = Framework.objects.filter(identifier=identifier).first()
        if framework is None:
            raise CommandError(f"No framework with identifier {identifier}.")
        package = case_export(framework=framework)
        Path(options["path"]).write_text(json.dumps(package, indent=2), encoding="utf-8")
        self.stdout.write(
            f"Exported {framework.title}: {len(package['CFItems'])} items, "
            f"{len(package['CFAssociations'])} associations to {options['path']}"
        )
        try:
            violations = case_validate(package, schema=options["schema"])
        except CaseSchemaMissingError as exc:
            self.stdout.write(f"  not validated: {exc}")
            return
        if violations:
            raise CommandError(
                "The export does not validate against CASE 1.1:\n"
                + "\n".join(f"  {v}" for v in violations[:20])
            )
        self.stdout.write("  validates against the CASE 1.1 schema")
