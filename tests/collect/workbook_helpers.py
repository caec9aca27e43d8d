"""Filling the template programmatically, as a city team would by hand."""

from __future__ import annotations

from pathlib import Path

import openpyxl

from citykpi.collect.layout import SHEET_COLUMNS
from citykpi.framework.model import ValueKind

COLUMN_LETTER = {c.key: openpyxl.utils.get_column_letter(i + 1) for i, c in enumerate(SHEET_COLUMNS)}


def row_index(path: Path) -> dict[tuple[str, str, str], tuple[str, int]]:
    """(kpi, kind, name) -> (sheet, row) of every reportable row of a template."""
    wb = openpyxl.load_workbook(path, read_only=True)
    found: dict[tuple[str, str, str], tuple[str, int]] = {}
    for ws in wb.worksheets:
        for number, row in enumerate(ws.iter_rows(min_row=4, max_col=4, values_only=True), start=4):
            if row and row[0] and len(row) >= 4 and row[2] in ("input", "value"):
                found[(row[0], row[2], row[3])] = (ws.title, number)
    wb.close()
    return found


def cell(path: Path, kpi: str, kind: str, name: str, column: str = "value") -> tuple[str, str]:
    sheet, row = row_index(path)[(kpi, kind, name)]
    return sheet, f"{COLUMN_LETTER[column]}{row}"


def edit(source: Path, target: Path, changes: dict[tuple[str, str], object]) -> Path:
    """A copy of `source` with cells set: {(sheet, 'I7'): value}."""
    wb = openpyxl.load_workbook(source)
    for (sheet, ref), value in changes.items():
        wb[sheet][ref] = value
    wb.save(target)
    return target


def sample_value(kind: ValueKind, minimum: float | None, maximum: float | None, levels: tuple[str, ...], seed: int):
    """A valid value for a row, different from row to row."""
    if kind is ValueKind.BOOLEAN:
        return "yes" if seed % 2 else "no"
    if kind is ValueKind.LEVEL:
        return levels[seed % len(levels)]
    low = 0.0 if minimum is None else minimum
    high = low + 1000 if maximum is None else maximum
    value = low + (seed * 7.25) % (high - low)
    return float(int(value)) if kind is ValueKind.INTEGER else value
