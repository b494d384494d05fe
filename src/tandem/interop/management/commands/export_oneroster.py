"""tandem export oneroster PATH [--version 1.2]: write the roster as a OneRoster CSV bundle."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from tandem.interop.oneroster.exporter import oneroster_export
from tandem.interop.oneroster.spec import VERSIONS


class Command(BaseCommand):
    help = "Export the roster as a OneRoster CSV bundle (a folder, or a zip if PATH ends .zip)."

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        # --version here names the OneRoster version; Django's own --version (its release
        # number) gives way.
        return super().create_parser(prog_name, subcommand, conflict_handler="resolve", **kwargs)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path")
        parser.add_argument(
            "--version",
            dest="oneroster_version",
            choices=VERSIONS,
            default="1.1",
            help="OneRoster version to write (default 1.1)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        counts = oneroster_export(path=options["path"], version=options["oneroster_version"])
        for name, count in counts.items():
            self.stdout.write(f"{name}: {count} rows")
