"""Reading and assessing files: the edge between the collection readers and the pure engine."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from citykpi.assess.engine import KpiCatalogue, assess
from citykpi.assess.model import Assessment
from citykpi.collect.catalogue import CatalogueLike
from citykpi.collect.readers import read_or_report
from citykpi.diagnostics import ValidationReport


class KpiCatalogueWithFiles(KpiCatalogue, CatalogueLike, Protocol):
    """What reading (code normalisation, framework list) and assessing together need."""


class InvalidSubmissionError(ValueError):
    """A file with validation errors; its text is the report, one located problem a line."""

    def __init__(self, path: Path, report: ValidationReport) -> None:
        self.path = path
        self.report = report
        lines = [f"{path.name} has {len(report.errors)} error(s):", *(f"  {d}" for d in report.errors)]
        super().__init__("\n".join(lines))


def assess_path(path: Path, catalogue: KpiCatalogueWithFiles) -> tuple[Assessment | None, ValidationReport]:
    """The assessment of a valid file (warnings allowed), or None with the report saying why not."""
    submission, report = read_or_report(path, catalogue)
    if submission is None or not report.valid:
        return None, report
    return assess(submission, catalogue), report


def assess_path_or_raise(path: Path, catalogue: KpiCatalogueWithFiles) -> Assessment:
    assessment, report = assess_path(path, catalogue)
    if assessment is None:
        raise InvalidSubmissionError(path, report)
    return assessment
