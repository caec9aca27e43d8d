"""Filling the collection workbook the way a city team would: typing into the template's cells.

Rows are found by KPI code, row kind and component key, and columns by their header text (the
same table the reader uses), so the demo keeps working when the template's layout moves.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.styles import Font

from citykpi.collect.catalogue import CatalogueLike
from citykpi.collect.layout import COVER_SHEET, QUALITY_CHOICES, SHEET_COLUMNS
from citykpi.collect.model import Entry, Status, Submission
from citykpi.collect.template import HEADER_ROW, write_template
from citykpi.demo.cities import SYNTHETIC_LABEL

RowKey = tuple[str, str, str]  # (KPI code, row kind, component key)
Cells = Mapping[str, object]  # column key (see SHEET_COLUMNS) -> value to type
LABEL_FONT = Font(bold=True, color="C00000", size=12)


def write_filled(catalogue: CatalogueLike, submission: Submission, path: Path) -> Path:
    write_template(catalogue, submission.profile, path)
    edit_rows(path, {(e.kpi, e.kind.value, e.name): cells(e) for e in submission.entries})
    return path


def edit_rows(path: Path, changes: Mapping[RowKey, Cells]) -> None:
    """Type `changes` into the rows they name; every sheet gets the synthetic-data label."""
    wb = load_workbook(path)
    header_to_key = {c.header: c.key for c in SHEET_COLUMNS}
    found: set[RowKey] = set()
    for ws in wb.worksheets:
        if ws.sheet_state == "hidden":
            continue
        ws.cell(row=1, column=len(SHEET_COLUMNS) + 2, value=SYNTHETIC_LABEL).font = LABEL_FONT
        columns = {header_to_key[c.value]: c.column for c in ws[HEADER_ROW] if c.value in header_to_key}
        if ws.title == COVER_SHEET or not {"kpi", "kind", "name"} <= columns.keys():
            continue
        for row in range(HEADER_ROW + 1, ws.max_row + 1):
            kpi, kind, name = (str(ws.cell(row=row, column=columns[k]).value or "") for k in ("kpi", "kind", "name"))
            for column, value in changes.get((kpi, kind, name), {}).items():
                ws.cell(row=row, column=columns[column], value=value)
            found.add((kpi, kind, name))
    missing = sorted(set(changes) - found)
    if missing:
        raise KeyError(f"rows not in the template of {path.name}: {missing[:5]}")
    wb.properties.title = f"{SYNTHETIC_LABEL} — {wb.properties.title or ''}"
    wb.properties.description = SYNTHETIC_LABEL
    wb.save(path)


def cells(entry: Entry) -> dict[str, object]:
    value: object = entry.value
    if isinstance(value, bool):
        value = "yes" if value else "no"
    return {
        "value": value,
        "status": "" if entry.status is Status.NOT_REPORTED else entry.status.value,
        "quality": QUALITY_CHOICES[int(entry.quality) - 1] if entry.quality is not None else None,
        "source": entry.source or None,
        "origin": entry.origin or None,
        "notes": entry.notes or None,
        "verified": None if entry.verified is None else ("YES" if entry.verified else "NO"),
    }
