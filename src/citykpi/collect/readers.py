"""One entry point for every input format: `read_any` picks the reader by extension, then content."""

from __future__ import annotations

from pathlib import Path

from citykpi.collect.catalogue import CatalogueLike
from citykpi.collect.datapackage import DESCRIPTOR, read_datapackage
from citykpi.collect.safety import DEFAULT_LIMITS, Limits, sniff
from citykpi.collect.tidy import read_csv
from citykpi.collect.workbook import read_workbook
from citykpi.model.diagnostics import Location, ValidationReport, error, said
from citykpi.model.submission import Submission

__all__ = ["read_any", "read_csv", "read_datapackage", "read_workbook"]

WORKBOOK_SUFFIXES = {".xlsx", ".xlsm", ".xltx", ".xls"}


def read_any(
    path: Path | str, catalogue: CatalogueLike, limits: Limits = DEFAULT_LIMITS
) -> tuple[Submission | None, ValidationReport]:
    path = Path(path)
    if path.is_dir():
        if (path / DESCRIPTOR).is_file():
            return read_datapackage(path, catalogue, limits)
        problem = error("source-error", f"the folder has no {DESCRIPTOR}", file=path.name)
        return None, ValidationReport.from_diagnostics([problem])
    if not path.is_file():
        message = "not a regular file (a device, pipe or socket)" if path.exists() else "no such file"
        return None, ValidationReport.from_diagnostics([error("source-error", message, file=str(path))])
    # Read once up front so that an unreadable file (permissions, I/O error) is one clear problem
    # whatever reader its extension picks, rather than an exception deep inside that reader.
    try:
        with path.open("rb") as f:
            head = f.read(4096)
    except OSError as exc:
        return None, ValidationReport.from_diagnostics(
            [
                said(
                    "source-error",
                    "cannot read the file: {detail}",
                    {"detail": str(exc.strerror or exc)},
                    variant="unreadable",
                    location=Location(file=path.name),
                )
            ]
        )
    suffix = path.suffix.lower()
    if suffix in WORKBOOK_SUFFIXES:
        return read_workbook(path, catalogue, limits)
    if suffix == ".csv" or suffix == ".tsv":
        return read_csv(path, catalogue, limits)
    if suffix == ".json":
        return read_datapackage(path, catalogue, limits)
    return _by_content(path, head, catalogue, limits)


def _by_content(
    path: Path, head: bytes, catalogue: CatalogueLike, limits: Limits
) -> tuple[Submission | None, ValidationReport]:
    kind = sniff(head)
    if kind in ("zip", "xls"):
        return read_workbook(path, catalogue, limits)
    if kind == "text" and head.lstrip().startswith(b"{"):
        return read_datapackage(path, catalogue, limits)
    if kind == "text" and head:
        return read_csv(path, catalogue, limits)
    where = Location(file=path.name)
    message = "the file is empty" if not head else "not a workbook (.xlsx), tidy CSV or datapackage.json"
    problem = said("format-error", message, {}, variant="empty" if not head else "unknown-format", location=where)
    return None, ValidationReport(valid=False, errors=[problem])
