"""The answer to an upload: what was written, every problem at its sheet and cell, the file marked back.

Problems are listed in reading order (sheet, then row and column of the cell) and grouped by type,
so twenty plausibility warnings read as one group and not as noise around the one error. The
marked workbook travels inside the page as a `data:` address of a download link: the page keeps
no copy of the upload, so nothing of a refused file is stored, and the link works without script.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field

from citykpi.model.diagnostics import Diagnostic, ValidationReport, by_type, reading_order
from citykpi.model.errors import registry
from citykpi.platform.values import ImportOutcome, Overwritten

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class ProblemGroup:
    type: str
    title: str
    found: list[Diagnostic]


@dataclass(frozen=True)
class UploadAnswer:
    file_name: str
    outcome: ImportOutcome | None  # None: nothing was imported
    errors: list[ProblemGroup] = field(default_factory=list)
    warnings: list[ProblemGroup] = field(default_factory=list)
    marked: str | None = None  # the marked workbook as a data: address
    marked_name: str = ""

    @property
    def overwritten(self) -> list[Overwritten]:
        return self.outcome.overwritten if self.outcome else []

    @property
    def error_count(self) -> int:
        return sum(len(g.found) for g in self.errors)

    @property
    def warning_count(self) -> int:
        return sum(len(g.found) for g in self.warnings)


def grouped(found: list[Diagnostic]) -> list[ProblemGroup]:
    """By type, the largest group first; each group in reading order."""
    titles = registry().by_code()
    groups = by_type(sorted(found, key=reading_order))
    ordered = sorted(groups.items(), key=lambda item: (-len(item[1]), item[0]))
    return [ProblemGroup(t, titles[t].title if t in titles else t, items) for t, items in ordered]


def answer(name: str, report: ValidationReport, outcome: ImportOutcome | None, marked: bytes | None) -> UploadAnswer:
    stem = name.rsplit(".", 1)[0]
    return UploadAnswer(
        file_name=name,
        outcome=outcome,
        errors=grouped(report.errors),
        warnings=grouped(report.warnings),
        marked=f"data:{XLSX};base64,{base64.b64encode(marked).decode('ascii')}" if marked else None,
        marked_name=f"{stem}-checked.xlsx",
    )
