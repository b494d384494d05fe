"""Reading a OneRoster CSV bundle (a folder or a zip) into rows that know their line numbers."""

from __future__ import annotations

import csv
import io
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from tandem.interop.importing import ImportPathError, import_path_kind, unreadable_zip
from tandem.interop.oneroster.report import ImportReport
from tandem.interop.oneroster.spec import (
    FILES,
    OPTIONAL_HEADERS,
    VERSIONS,
    files_for,
    headers_for,
)

# The CSV a OneRoster zip may expand to (20,000 students with their enrollments and
# demographics are about 10 MB).
MAX_EXPANDED_BYTES = 256 * 2**20


@dataclass
class Row:
    line: int
    values: dict[str, str]

    def get(self, key: str) -> str:
        return (self.values.get(key) or "").strip()


@dataclass
class Bundle:
    version: str = ""
    modes: dict[str, str] = field(default_factory=dict)  # file -> "bulk" | "delta"
    rows: dict[str, list[Row]] = field(default_factory=dict)
    headers: dict[str, list[str]] = field(default_factory=dict)  # file -> its header row


def _read_texts(path: Path) -> dict[str, str]:
    """File stem -> text, for every CSV in the folder or zip (subfolders of a zip included).

    Raises ImportPathError when the path is missing, not a folder or zip, or unreadable."""
    texts: dict[str, str] = {}
    kind = import_path_kind(path)
    if kind == "folder":
        for item in sorted(path.glob("*.csv")):
            texts[item.stem] = item.read_text(encoding="utf-8-sig")
    elif kind == "zip":
        try:
            with zipfile.ZipFile(path) as archive:
                left = MAX_EXPANDED_BYTES
                for info in archive.infolist():
                    name = info.filename
                    if not name.lower().endswith(".csv") or name.startswith("__MACOSX"):
                        continue
                    # Read at most what is left of the budget (+1 to notice more): a small zip
                    # that expands to gigabytes is refused before it fills the memory, whatever
                    # sizes its directory claims.
                    with archive.open(info) as member:
                        data = member.read(left + 1)
                    if len(data) > left:
                        raise ImportPathError(
                            f"{path} expands to more than {MAX_EXPANDED_BYTES / 2**20:g} MB of "
                            "CSV; refused (a district's roster is a few MB)"
                        )
                    left -= len(data)
                    texts[Path(name).stem] = data.decode("utf-8-sig")
        except (zipfile.BadZipFile, zlib.error) as exc:
            raise unreadable_zip(path, exc) from exc
    else:
        raise ImportPathError(f"{path} is not a folder of CSV files nor a zip file")
    return texts


def bundle_read(path: Path, report: ImportReport) -> Bundle:
    """Parse the manifest and the files it names; header problems go into ``report``."""
    texts = _read_texts(path)
    bundle = Bundle()
    if "manifest" not in texts:
        report.refuse("manifest", 0, "", "manifest.csv is missing")
        return bundle
    reader = csv.reader(io.StringIO(texts["manifest"]))
    for number, record in enumerate(reader, start=1):
        if number == 1 or len(record) < 2:
            continue
        key, value = record[0].strip(), record[1].strip()
        if key == "oneroster.version":
            bundle.version = value
        elif key.startswith("file."):
            bundle.modes[key.removeprefix("file.")] = value.lower()
    report.version = bundle.version
    if bundle.version not in VERSIONS:
        report.refuse("manifest", 0, "", f"unsupported oneroster.version {bundle.version!r}")
    files = files_for(bundle.version)
    for name, mode in bundle.modes.items():
        if mode not in {"bulk", "delta", "absent"}:
            report.refuse("manifest", 0, "", f"file.{name} is {mode!r}, not bulk/delta/absent")
        elif mode != "absent" and name in FILES and name not in files:
            report.refuse(
                "manifest", 0, "", f"{name}.csv is not part of OneRoster {bundle.version}"
            )
        elif mode != "absent" and name not in files:
            report.refuse("manifest", 0, "", f"{name}.csv is not supported by this import")
        elif mode != "absent" and name not in texts:
            report.refuse("manifest", 0, "", f"the manifest lists {name}.csv but it is missing")
    headers_of = headers_for(bundle.version)
    for name in files:
        if bundle.modes.get(name, "absent") == "absent" or name not in texts:
            continue
        reader_d = csv.DictReader(io.StringIO(texts[name]))
        headers = [h.strip() for h in reader_d.fieldnames or []]
        reader_d.fieldnames = headers
        bundle.headers[name] = headers
        required = [h for h in headers_of[name] if h not in OPTIONAL_HEADERS]
        missing = [h for h in required if h not in headers]
        if missing:
            report.refuse(name, 1, "", f"missing header(s): {', '.join(missing)}")
            continue
        rows = bundle.rows[name] = []
        for values in reader_d:
            rows.append(Row(reader_d.line_num, {k: v for k, v in values.items() if k}))
    return bundle
