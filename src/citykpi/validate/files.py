"""One pass for every front end: read a file, assess it once, run every check on both.

`validate`, `assess`, `report`, `compare`, `export`, the API import and the web upload all call
`check_file`, so a file gets one verdict whatever asks: the warning `validate` prints about an empty
denominator is the reason the assessment gives for the KPI in error.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from citykpi.assess.engine import KpiCatalogue, assess
from citykpi.collect.catalogue import CatalogueLike
from citykpi.collect.readers import read_any
from citykpi.collect.records import dedupe
from citykpi.collect.safety import DEFAULT_LIMITS, Limits
from citykpi.model.assessment import Assessment
from citykpi.model.diagnostics import ValidationReport
from citykpi.model.submission import Submission
from citykpi.validate.checks import run_checks
from citykpi.validate.context import Context

if TYPE_CHECKING:
    import pandas as pd


class CheckCatalogue(KpiCatalogue, CatalogueLike, Protocol):
    """What reading (code normalisation, framework list), assessing and checking together need."""


@dataclass(frozen=True)
class Checked:
    """A file's submission (None when unreadable), its assessment and every problem found."""

    submission: Submission | None
    assessment: Assessment | None
    report: ValidationReport

    @property
    def accepted(self) -> Assessment | None:
        """The assessment of a file without errors (warnings allowed), else None."""
        return self.assessment if self.report.valid else None


class InvalidSubmissionError(ValueError):
    """A file with validation errors; its text is the report, one located problem a line."""

    def __init__(self, path: Path, report: ValidationReport) -> None:
        self.path = path
        self.report = report
        lines = [f"{path.name} has {len(report.errors)} error(s):", *(f"  {d}" for d in report.errors)]
        super().__init__("\n".join(lines))


def check_submission(submission: Submission, catalogue: CheckCatalogue, read: ValidationReport) -> Checked:
    """Assess a parsed submission once and add what the checks find to what reading found."""
    assessment = assess(submission, catalogue)
    found = run_checks(Context(submission, catalogue, assessment))
    report = ValidationReport.from_diagnostics(dedupe([*read.errors, *read.warnings, *found]))
    return Checked(submission, assessment, report)


def check_file(path: Path | str, catalogue: CheckCatalogue, limits: Limits = DEFAULT_LIMITS) -> Checked:
    submission, read = read_any(path, catalogue, limits)
    if submission is None:
        return Checked(None, None, read)
    return check_submission(submission, catalogue, read)


def assessed_or_raise(path: Path, catalogue: CheckCatalogue) -> Assessment:
    checked = check_file(path, catalogue)
    if checked.accepted is None:
        raise InvalidSubmissionError(path, checked.report)
    return checked.accepted


def assess_files(paths: Iterable[Path | str], catalogue: CheckCatalogue) -> pd.DataFrame:
    """Many cities and years stacked, with `city`, `country` and `year` in front (see `citykpi.assess.frame`).

    Raises `InvalidSubmissionError` (a ValueError whose text is the validation report) on the first
    file with errors: a notebook should stop rather than silently drop a city.
    """
    from citykpi.assess.frame import stack

    return stack(assessed_or_raise(Path(p), catalogue) for p in paths)
