"""`tandem import …`: clear messages for unreadable input, and exit codes a script can act on.

0: everything was taken; 1: nothing was taken (every item refused, or the input unreadable);
3: part was taken and the rest refused (only QTI imports item by item; OneRoster and CASE are
all or nothing).
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from tests.interop.oneroster_bundles import write_bundle
from tests.interop.test_qti import CHOICE, DOCTYPE, MATCH, _manifest

from tandem.interop.management.commands import import_case, import_oneroster, import_qti

pytestmark = pytest.mark.django_db


def _run(name: str, *args: str) -> tuple[int, str]:
    """The exit status ``tandem import`` would give, and what it printed."""
    out = io.StringIO()
    try:
        call_command(name, *args, stdout=out)
    except CommandError as error:
        return error.returncode, f"{out.getvalue()}\n{error}"
    return 0, out.getvalue()


def _package(path: Path, items: dict[str, str]) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("imsmanifest.xml", _manifest(dict.fromkeys(items, "")))
        for name, xml in items.items():
            archive.writestr(name, xml)
    return path


def _truncated(path: Path, source: Path) -> Path:
    data = source.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


@pytest.mark.parametrize("command", ["import_qti", "import_oneroster", "import_case"])
def test_a_missing_path_is_named_as_missing(command: str, tmp_path: Path) -> None:
    missing = tmp_path / "nope.zip"
    code, output = _run(command, str(missing))
    assert code == 1
    assert f"no such file or folder: {missing}" in output
    assert "neither a folder nor a zip" not in output


def test_a_truncated_qti_package_is_an_unreadable_zip(tmp_path: Path) -> None:
    whole = _package(tmp_path / "whole.zip", {"a.xml": CHOICE})
    code, output = _run("import_qti", str(_truncated(tmp_path / "half.zip", whole)))
    assert code == 1
    assert "is not a readable zip file (" in output
    assert "neither a folder nor a zip" not in output


def test_a_truncated_oneroster_bundle_is_an_unreadable_zip(tmp_path: Path) -> None:
    folder = write_bundle(tmp_path / "bundle", "1.2")
    whole = tmp_path / "whole.zip"
    with zipfile.ZipFile(whole, "w") as archive:
        for csv in folder.glob("*.csv"):
            archive.write(csv, csv.name)
    code, output = _run("import_oneroster", str(_truncated(tmp_path / "half.zip", whole)))
    assert code == 1
    assert "is not a readable zip file (" in output
    assert "neither a folder nor a zip" not in output


def test_a_file_that_is_neither_csv_folder_nor_zip_is_named(tmp_path: Path) -> None:
    text = tmp_path / "roster.txt"
    text.write_text("hello")
    code, output = _run("import_oneroster", str(text))
    assert code == 1
    assert f"{text} is not a folder of CSV files nor a zip file" in output


def test_qti_exits_1_when_every_item_is_refused(tmp_path: Path) -> None:
    package = _package(tmp_path / "refused.zip", {"m.xml": MATCH, "d.xml": DOCTYPE})
    code, output = _run("import_qti", str(package))
    assert code == 1
    assert "2 refused" in output
    assert "nothing was imported" in output


def test_qti_exits_3_when_part_is_taken_and_lists_the_refusals(tmp_path: Path) -> None:
    package = _package(tmp_path / "mixed.zip", {"a.xml": CHOICE, "m.xml": MATCH})
    code, output = _run("import_qti", str(package))
    assert code == 3
    assert "1 imported" in output and "refused m.xml" in output


def test_qti_exits_0_when_everything_is_taken(tmp_path: Path) -> None:
    package = _package(tmp_path / "good.zip", {"a.xml": CHOICE})
    code, output = _run("import_qti", str(package))
    assert code == 0, output
    assert "1 imported" in output


def test_oneroster_exits_1_when_rows_are_refused(tmp_path: Path) -> None:
    folder = write_bundle(tmp_path / "bundle", "1.2")
    (folder / "users.csv").unlink()
    code, output = _run("import_oneroster", str(folder))
    assert code == 1
    assert "nothing was imported" in output


def test_case_exits_1_on_a_file_that_is_not_json(tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text('{"CFDocument": ')
    code, output = _run("import_case", str(broken))
    assert code == 1
    assert f"{broken} is not valid JSON" in output


@pytest.mark.parametrize("module", [import_qti, import_oneroster, import_case])
def test_help_documents_the_exit_codes(module: object) -> None:
    command = module.Command()  # type: ignore[attr-defined]
    text = command.create_parser("tandem", "import").format_help()
    assert "exit status" in text.lower()
    assert "0" in text and "1" in text
