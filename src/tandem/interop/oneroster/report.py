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


# A file with a systematic fault refuses every row: the first this many say why.
MAX_LISTED_REFUSALS = 200


@dataclass
class ImportReport:
    version: str = ""
    dry_run: bool = False
    applied: bool = False
    seconds: float = 0.0
    files: dict[str, FileCounts] = field(default_factory=dict)
    # The first MAX_LISTED_REFUSALS refusals; ``n_refused`` counts all of them.
    refused: list[Refusal] = field(default_factory=list)
    n_refused: int = 0
    # What was read and deliberately not kept or not applied (dropped passwords, ignored roles).
    notes: list[str] = field(default_factory=list)

    def counts(self, name: str) -> FileCounts:
        return self.files.setdefault(name, FileCounts())

    def note(self, text: str) -> None:
        self.notes.append(text)

    def refuse(self, file: str, line: int, sourced_id: str, reason: str) -> None:
        self.n_refused += 1
        if len(self.refused) < MAX_LISTED_REFUSALS:
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
            out.append(f"{self.n_refused} row(s) refused; nothing was imported:")
            out.extend(f"  {r}" for r in self.refused)
            if self.n_refused > len(self.refused):
                out.append(
                    f"  … and {self.n_refused - len(self.refused)} more "
                    f"(the first {len(self.refused)} are listed)"
                )
        elif self.dry_run:
            out.append(f"Dry run: {self.changed} changed would be made; nothing was saved.")
        else:
            out.append(f"{self.changed} changed in {self.seconds:.1f} s.")
        return out
