"""The demo's workbooks: the collection workbook filled back (`citykpi.collect.fill`), labelled as synthetic.

The label goes on every visible sheet and into the file's properties, so a demo figure copied out
of the file or shown in a file browser still says it is invented.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font

from citykpi.collect.catalogue import CatalogueLike
from citykpi.collect.fill import Cells, RowKey, filled_workbook, type_rows
from citykpi.collect.layout import SHEET_COLUMNS
from citykpi.demo.cities import SYNTHETIC_LABEL
from citykpi.model.submission import Submission

LABEL_FONT = Font(bold=True, color="C00000", size=12)


def write_filled(catalogue: CatalogueLike, submission: Submission, path: Path) -> Path:
    """The demo generates only rows of the catalogue it is given, so any unplaced entry is a bug here."""
    filled = filled_workbook(catalogue, submission)
    if not filled.report.valid:
        raise ValueError(f"demo data without a row in the template: {filled.report.errors[:3]}")
    _label(filled.workbook)
    path.parent.mkdir(parents=True, exist_ok=True)
    filled.workbook.save(path)
    return path


def edit_rows(path: Path, changes: Mapping[RowKey, Cells]) -> None:
    """Type `changes` into the rows they name in the workbook at `path` (the broken demo file's slips)."""
    wb = load_workbook(path)
    missing = type_rows(wb, changes)
    if missing:
        raise KeyError(f"rows not in the template of {path.name}: {sorted(missing)[:5]}")
    _label(wb)
    wb.save(path)


def _label(wb: Workbook) -> None:
    for ws in wb.worksheets:
        if ws.sheet_state != "hidden":
            ws.cell(row=1, column=len(SHEET_COLUMNS) + 2, value=SYNTHETIC_LABEL).font = LABEL_FONT
    if not (wb.properties.title or "").startswith(SYNTHETIC_LABEL):
        wb.properties.title = f"{SYNTHETIC_LABEL} — {wb.properties.title or ''}"
    wb.properties.description = SYNTHETIC_LABEL
