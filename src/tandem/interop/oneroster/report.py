"""The outcome of a OneRoster import: counts per file and every refused row."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class FileCounts:
    created: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0

    @property
    def changed(self) -> int:
        return self.created + self.updated + self.removed


@dataclass(frozen=True)
class Refusal:
    file: str
    line: int
    sourced_id: str
    reason: str

    def __str__(self) -> str:
        where = f"{self.file}.csv line {self.line}" if self.line else f"{self.file}"
        ident = f" [{self.sourced_id}]" if self.sourced_id else ""
        return f"{where}{ident}: {self.reason}"


@dataclass
class ImportReport:
    version: str = ""
    dry_run: bool = False
    applied: bool = False
    seconds: float = 0.0
    files: dict[str, FileCounts] = field(default_factory=dict)
    refused: list[Refusal] = field(default_factory=list)
    # What was read and deliberately not kept or not applied (dropped passwords, ignored roles).
    notes: list[str] = field(default_factory=list)

    def counts(self, name: str) -> FileCounts:
        return self.files.setdefault(name, FileCounts())

    def note(self, text: str) -> None:
        self.notes.append(text)

    def refuse(self, file: str, line: int, sourced_id: str, reason: str) -> None:
        self.refused.append(Refusal(file, line, sourced_id, reason))

    @property
    def ok(self) -> bool:
        return not self.refused

    @property
    def changed(self) -> int:
        return sum(c.changed for c in self.files.values())

    def lines(self) -> list[str]:
        out = [f"OneRoster {self.version or '?'} bundle"]
        for name, c in self.files.items():
            out.append(
                f"  {name}: {c.created} created, {c.updated} updated, {c.removed} removed, "
                f"{c.unchanged} unchanged"
            )
        if self.notes:
            out.append("Notes:")
            out.extend(f"  {note}" for note in self.notes)
        if self.refused:
            out.append(f"{len(self.refused)} row(s) refused; nothing was imported:")
            out.extend(f"  {r}" for r in self.refused)
        elif self.dry_run:
            out.append(f"Dry run: {self.changed} changed would be made; nothing was saved.")
        else:
            out.append(f"{self.changed} changed in {self.seconds:.1f} s.")
        return out
