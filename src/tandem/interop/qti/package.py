"""Reading QTI input: a single item file, or a content package (zip or folder) with a manifest.

Package member paths are resolved inside the package; a manifest ``href`` that escapes it
is refused.  Zip members are read in memory with a size cap.
"""

from __future__ import annotations

import posixpath
import xml.etree.ElementTree as ET
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from tandem.interop.importing import ImportPathError, import_path_kind, unreadable_zip
from tandem.interop.qti.xmlsafe import parse

MANIFEST = "imsmanifest.xml"
MAX_MEMBER_BYTES = 10 * 1024 * 1024
ITEM_RESOURCE_PREFIX = "imsqti_item_xmlv3p0"


class QtiPackageError(ValueError):
    """The input as a whole cannot be read (no manifest, bad zip, ...)."""


@dataclass
class ItemSource:
    """One item file to import, with the alignments its manifest resource declares."""

    name: str  # for messages: the path inside the package
    data: bytes | None
    error: str = ""  # set when the file cannot be read; data is then None
    alignments: list[tuple[str, str]] = field(default_factory=list)  # (code, guid)


def _alignments(resource: ET.Element) -> list[tuple[str, str]]:
    """(code, GUID) pairs from LOM classification taxa and curriculum standards metadata."""
    found: list[tuple[str, str]] = []
    metadata = resource.find("metadata")
    if metadata is None:
        return found
    for taxon in metadata.iter("taxon"):
        code = (taxon.findtext("id") or "").strip()
        entry = " ".join((s.text or "").strip() for s in taxon.iter("string")).strip()
        if code or entry:
            found.append((code or entry, ""))
    for labelled in metadata.iter("labelledGUID"):
        label = (labelled.findtext("label") or "").strip()
        guid = (labelled.findtext("GUID") or "").strip()
        if label or guid:
            found.append((label, guid))
    return list(dict.fromkeys(found))


class _Reader:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.zip = zipfile.ZipFile(path) if path.is_file() else None

    def read(self, member: str) -> bytes:
        clean = posixpath.normpath(member.replace("\\", "/"))
        if clean.startswith(("../", "/")) or clean == "..":
            raise QtiPackageError(f"{member}: the path leaves the package.")
        if self.zip is not None:
            try:
                info = self.zip.getinfo(clean)
            except KeyError:
                raise QtiPackageError(f"{member}: not in the package.") from None
            if info.file_size > MAX_MEMBER_BYTES:
                raise QtiPackageError(f"{member}: larger than {MAX_MEMBER_BYTES} bytes.")
            try:
                return self.zip.read(info)
            except (zipfile.BadZipFile, zlib.error) as exc:
                raise QtiPackageError(f"{member}: {unreadable_zip(self.path, exc)}") from exc
        target = (self.path / clean).resolve()
        if not target.is_relative_to(self.path.resolve()):
            raise QtiPackageError(f"{member}: the path leaves the package.")
        if not target.is_file():
            raise QtiPackageError(f"{member}: not in the package.")
        if target.stat().st_size > MAX_MEMBER_BYTES:
            raise QtiPackageError(f"{member}: larger than {MAX_MEMBER_BYTES} bytes.")
        return target.read_bytes()


def item_sources(path: Path) -> list[ItemSource]:
    """The item files at ``path``: one XML item, or the item resources of a package."""
    try:
        kind = import_path_kind(path)
    except ImportPathError as exc:
        raise QtiPackageError(str(exc)) from exc
    if kind == "file":
        return [ItemSource(name=path.name, data=path.read_bytes())]
    reader = _Reader(path)
    manifest = parse(reader.read(MANIFEST), name=MANIFEST)
    sources: list[ItemSource] = []
    for resource in manifest.iter("resource"):
        if not resource.get("type", "").startswith(ITEM_RESOURCE_PREFIX):
            continue
        href = resource.get("href") or ""
        if not href:
            file_ = resource.find("file")
            href = file_.get("href", "") if file_ is not None else ""
        name = href or resource.get("identifier", "?")
        source = ItemSource(name=name, data=None, alignments=_alignments(resource))
        try:
            source.data = reader.read(href)
        except QtiPackageError as exc:
            source.error = str(exc)
        sources.append(source)
    if not sources:
        raise QtiPackageError(f"{path}: the manifest lists no QTI 3.0 item resources.")
    return sources
