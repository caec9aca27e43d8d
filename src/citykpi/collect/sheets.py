"""The cell values of a workbook's sheets, from one of two readers behind one interface.

openpyxl (read-only, streaming) builds a Python object per cell and parses the XML in Python:
about 50 ms of a 70 ms import of a full U4SSC workbook. python-calamine parses it in Rust in
about 3 ms, but it has no formula text (a formula cell reads as its cached result, or not at
all) and builds each sheet as a dense grid. So calamine is used only for a file whose bytes
`safety.scan_cells` found free of formulas, DTDs and far-flung cell references; any other file,
and any file calamine fails on, is read by openpyxl, whose errors and locations the importer's
messages were written against.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol

from citykpi.collect.cells import Raw


class Formula(str):
    """The text of a formula cell (openpyxl gives it as the cell's value); never evaluated."""


Cell = Raw | Formula
Row = tuple[Cell, ...]
Rows = Iterator[Row]


class Sheets(Protocol):
    @property
    def sheetnames(self) -> list[str]: ...

    def rows(self, name: str, min_row: int = 1, max_row: int | None = None, max_col: int | None = None) -> Rows:
        """Rows from `min_row` on, numbered without gaps (an empty row is an empty or blank tuple)."""
        ...

    def close(self) -> None: ...


class OpenpyxlSheets:
    """openpyxl's read-only mode: streams the XML, so a sheet of any size costs little memory."""

    def __init__(self, path: Path) -> None:
        from openpyxl import load_workbook
        from openpyxl.worksheet import _reader

        _reader._cast_number = _cast_number
        self.wb = load_workbook(path, read_only=True, data_only=False, keep_links=False, keep_vba=False)

    @property
    def sheetnames(self) -> list[str]:
        return list(self.wb.sheetnames)

    def rows(self, name: str, min_row: int = 1, max_row: int | None = None, max_col: int | None = None) -> Rows:
        sheet = self.wb[name]
        # Read-only openpyxl stops at the sheet's stated <dimension>; a file stating too small a one
        # would hide its further rows from this reader and not from calamine.
        sheet.reset_dimensions()
        for row in sheet.iter_rows(min_row=min_row, max_row=max_row, max_col=max_col):
            yield tuple(_openpyxl_value(cell) for cell in row)

    def close(self) -> None:
        self.wb.close()


def _cast_number(value: str) -> int | float | str:
    """openpyxl's conversion of a number cell's text (`worksheet._reader._cast_number`), made total.

    Its own raises on a number of more than 4,300 digits (Python's limit on int conversions) or
    on text that is no number, which aborts the whole file and every cell location with it; here
    the first becomes a float (infinite, so refused at its cell as not finite, as calamine's reading
    is) and the second stays text (refused at its cell as text).
    """
    try:
        if "." in value or "e" in value or "E" in value or len(value) > 300:
            return float(value)
        return int(value)
    except ValueError:
        return value


def _openpyxl_value(cell: Any) -> Cell:
    value = getattr(cell, "value", None)
    if getattr(cell, "data_type", None) == "f":
        return Formula(value)
    if isinstance(value, str):
        from openpyxl.utils.escape import unescape

        # OOXML writes a control character in a text as `_x0001_` (and an underscore before such a
        # sequence as `_x005F_`); openpyxl leaves the escapes in, calamine decodes them.
        return str(unescape(value))
    return value


class CalamineSheets:
    """python-calamine: a whole sheet at once as a grid from A1, read only for files `scan_cells` passed."""

    def __init__(self, path: Path) -> None:
        from python_calamine import CalamineWorkbook

        self.wb = CalamineWorkbook.from_path(str(path))
        self.grids: dict[str, list[list[Any]]] = {}

    @property
    def sheetnames(self) -> list[str]:
        return list(self.wb.sheet_names)

    def rows(self, name: str, min_row: int = 1, max_row: int | None = None, max_col: int | None = None) -> Rows:
        if name not in self.grids:
            self.grids[name] = self.wb.get_sheet_by_name(name).to_python(skip_empty_area=False)
        for row in self.grids[name][min_row - 1 : max_row]:
            yield tuple(_calamine_value(v) for v in row[:max_col])

    def close(self) -> None:
        self.wb.close()


def _calamine_value(value: Any) -> Cell:
    """The value openpyxl would give: None for an empty cell, an int for a whole number.

    calamine gives '' for an empty cell and a float for every number; an .xlsx file stores 5 as
    "5", which openpyxl reads as the int 5. Dates come as `date` where openpyxl gives a midnight
    `datetime`, which only changes how a date typed into a number cell is quoted in its error.
    """
    if value == "":
        return None
    if type(value) is float and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value  # type: ignore[no-any-return]
