"""The collection workbook filled back with a submission's data: the file a city gets when it exports.

Reading the written file with `citykpi.collect` (the importer's own reader) gives back the same
profile and entries, so a workbook can go out of the platform, be corrected in Excel and come back.
The values are typed into the template while it is still in memory, so the workbook is saved
once (the demo used to save the template, load it again, edit and save a second time).

Rows are found by (KPI code, row kind, component key) and columns by their header text, the keys
the reader uses, never by position. An entry with no row in the template (a KPI or component of
another framework version) is not dropped silently and does not stop the export either: the
workbook is written with every entry that has a row, and each one that has none is an error of
the returned report (`unknown-kpi` or `unknown-component`) and a line of a **Problems** sheet,
first in the file, that keeps all its fields; so is a second entry for one row (`duplicate-row`).
The reader skips that sheet by name, so those values are not imported back: someone has to decide
where they belong.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from citykpi.collect.annotate import add_problems_sheet
from citykpi.collect.catalogue import CatalogueLike
from citykpi.collect.layout import COVER_SHEET, QUALITY_CHOICES, SHEET_COLUMNS
from citykpi.collect.template import HEADER_ROW, template_workbook
from citykpi.model.diagnostics import Diagnostic, Location, Severity, ValidationReport
from citykpi.model.submission import Entry, Status, Submission

RowKey = tuple[str, str, str]  # (KPI code, row kind, component key)
Cells = Mapping[str, object]  # column key (see SHEET_COLUMNS) -> value to type
KEY_BY_HEADER = {c.header: c.key for c in SHEET_COLUMNS}
ROW_KEYS = ("kpi", "kind", "name")


@dataclass(frozen=True)
class Filled:
    workbook: Workbook
    report: ValidationReport  # an error per entry not written (no row, or twice), a warning per text changed


def filled_workbook(catalogue: CatalogueLike, submission: Submission) -> Filled:
    """The template for the submission's profile with every entry typed in, not yet saved."""
    problems: list[Diagnostic] = []
    texts = submission.profile.model_dump(include={"city", "country", "currency"})
    cleaned = {k: _text(v, k, Location(sheet=COVER_SHEET, field=k), problems) for k, v in texts.items()}
    wb = template_workbook(catalogue, submission.profile.model_copy(update=cleaned))
    changes: dict[RowKey, Cells] = {}
    firsts: list[Entry] = []
    unplaced: list[Diagnostic] = []
    for entry in submission.entries:
        if _key(entry) in changes:
            unplaced.append(_twice(entry))
            continue
        where = Location(kpi=entry.kpi, field=entry.name)
        changes[_key(entry)] = {k: _text(v, k, where, problems) for k, v in entry_cells(entry).items()}
        firsts.append(entry)
    missing = type_rows(wb, changes)
    unplaced += [_unplaced(entry, catalogue) for entry in firsts if _key(entry) in missing]
    if unplaced:
        add_problems_sheet(wb, unplaced)
    _no_formulas(wb)
    return Filled(wb, ValidationReport.from_diagnostics([*unplaced, *problems]))


def write_filled(catalogue: CatalogueLike, submission: Submission, path: Path | str) -> ValidationReport:
    """Write the filled workbook to `path`; an unwritable path is an `output-error`, not an exception."""
    path = Path(path)
    filled = filled_workbook(catalogue, submission)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        filled.workbook.save(path)
    except OSError as exc:
        message = f"cannot write the workbook {path}: {exc.strerror or exc}"
        failed = Diagnostic(type="output-error", message=message, location=Location(file=str(path)))
        return filled.report.merged(ValidationReport.from_diagnostics([failed]))
    return filled.report


def type_rows(wb: Workbook, changes: Mapping[RowKey, Cells]) -> set[RowKey]:
    """Type `changes` into the rows they name, on every visible data sheet; returns the keys with no row."""
    found: set[RowKey] = set()
    for ws in wb.worksheets:
        if ws.sheet_state == "hidden" or ws.title == COVER_SHEET:
            continue
        columns = {KEY_BY_HEADER[c.value]: c.column for c in ws[HEADER_ROW] if c.value in KEY_BY_HEADER}
        if not set(ROW_KEYS) <= columns.keys():
            continue
        for row in ws.iter_rows(min_row=HEADER_ROW + 1):
            kpi, kind, name = (str(row[columns[k] - 1].value or "") for k in ROW_KEYS)
            for column, value in changes.get((kpi, kind, name), {}).items():
                ws.cell(row=row[0].row, column=columns[column], value=value)
            found.add((kpi, kind, name))
    return set(changes) - found


def entry_cells(entry: Entry) -> dict[str, object]:
    """The city's columns of one entry, written the way the template's dropdowns spell them."""
    value: object = entry.value
    if isinstance(value, bool):
        value = "yes" if value else "no"
    return {
        "value": value,
        "status": None if entry.status is Status.NOT_REPORTED else entry.status.value,
        "quality": QUALITY_CHOICES[int(entry.quality) - 1] if entry.quality is not None else None,
        "source": entry.source or None,
        "origin": entry.origin or None,
        "notes": entry.notes or None,
        "verified": None if entry.verified is None else ("YES" if entry.verified else "NO"),
    }


def _text(value: object, column: str, where: Location, problems: list[Diagnostic]) -> object:
    """A text an .xlsx file can hold, with a warning when it will not read back as it was."""
    if not isinstance(value, str):
        return value
    text = ILLEGAL_CHARACTERS_RE.sub("", value)
    if text != value:
        message = f"control characters removed from the {column} text: Excel files cannot hold them"
        problems.append(
            Diagnostic(type="illegal-character", severity=Severity.WARNING, message=message, location=where)
        )
    if text.startswith("="):
        message = (
            f"the {column} text starts with '=': written as text, never as a formula, but the importer "
            "takes such a cell for a formula and refuses it; reword it before importing the file"
        )
        problems.append(Diagnostic(type="formula-in-cell", severity=Severity.WARNING, message=message, location=where))
    return text


def _no_formulas(wb: Workbook) -> None:
    """Text typed by people (strangers, in an open-data download) never becomes a formula a spreadsheet runs:
    the template writes none, so any formula cell holds a profile or entry text starting with '='."""
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    cell.data_type = "s"


def _key(entry: Entry) -> RowKey:
    return (entry.kpi, entry.kind.value, entry.name)


def _unplaced(entry: Entry, catalogue: CatalogueLike) -> Diagnostic:
    """The entry's every field in the message: the Problems sheet is the only place the data remain."""
    if entry.kpi in catalogue.kpis:
        type, why = "unknown-component", f"{entry.kpi} has no {entry.kind.value} '{entry.name}' in this framework"
    else:
        type, why = "unknown-kpi", f"{entry.kpi} is not a KPI of the framework(s) {_frameworks(catalogue)}"
    message = f"{entry.kind.value} '{entry.name}' has no row in this workbook ({why}); its data: {_data(entry)}"
    return Diagnostic(type=type, message=message, location=Location(kpi=entry.kpi, field=entry.name))


def _twice(entry: Entry) -> Diagnostic:
    message = (
        f"{entry.kind.value} '{entry.name}' of {entry.kpi} is in the data twice; its row holds the first, "
        f"this one was not written: {_data(entry)}"
    )
    return Diagnostic(type="duplicate-row", message=message, location=Location(kpi=entry.kpi, field=entry.name))


def _data(entry: Entry) -> str:
    return "; ".join(f"{k} {v}" for k, v in entry_cells(entry).items() if v is not None) or "none"


def _frameworks(catalogue: CatalogueLike) -> str:
    return ", ".join(f"{f.id} {f.version}" for f in catalogue.frameworks)
