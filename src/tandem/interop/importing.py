"""What every ``tandem import`` command shares: how it reads the path it is given, and the exit
statuses it ends with, so that a script can tell a full import from a partial or failed one."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any, Literal

from django.core.management.base import BaseCommand, CommandParser

# Everything was taken (warnings may be printed).
EXIT_ALL_TAKEN = 0
# Nothing was taken: the input could not be read, or every record in it was refused.
EXIT_NOTHING_TAKEN = 1
# (2 is a wrong command line, as for every command.)
# Part was taken and the rest refused (imports that take records one by one: QTI items).
EXIT_PART_TAKEN = 3

EXIT_STATUS_HELP = (
    "Exit status: 0 when everything was imported; 1 when nothing was (the input is unreadable, "
    "or every record in it was refused); 2 for a wrong command line; 3 when part was imported "
    "and the rest refused (each refusal is listed)."
)

_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")


class ImportPathError(OSError):
    """The path given to an import is missing or unreadable as what it claims to be."""


def import_path_kind(path: Path) -> Literal["folder", "zip", "file"]:
    """What ``path`` is: a folder, a zip file (by its name or its first bytes), or another file.

    Raises ImportPathError when nothing is there, or when a zip cannot be opened (truncated,
    corrupt), with a message that says which.
    """
    if not path.exists():
        raise ImportPathError(f"no such file or folder: {path}")
    if path.is_dir():
        return "folder"
    with path.open("rb") as handle:
        head = handle.read(4)
    if path.suffix.lower() != ".zip" and head not in _ZIP_MAGIC:
        return "file"
    try:
        with zipfile.ZipFile(path):
            pass
    except zipfile.BadZipFile as exc:
        raise unreadable_zip(path, exc) from exc
    return "zip"


def unreadable_zip(path: Path, exc: Exception) -> ImportPathError:
    return ImportPathError(f"{path} is not a readable zip file ({exc})")


class ImportCommand(BaseCommand):
    """A management command that imports a file: its --help ends with the exit statuses."""

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parser.epilog = EXIT_STATUS_HELP
        return parser
