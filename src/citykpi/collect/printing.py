"""Page and row set-up shared by the sheets citykpi writes (the template and the annotated copy).

City teams print the workbook or save it as PDF to circulate it; without a page set-up a sheet
of fifteen columns comes out as dozens of pages a few columns wide.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from openpyxl.worksheet.worksheet import Worksheet

LINE_HEIGHT = 15.0  # points per line of 11-point text


def make_printable(ws: Worksheet, header_row: int, landscape: bool) -> None:
    """One page wide on A4, as many pages tall as needed, the header row repeated on every page."""
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"{header_row}:{header_row}"
    ws.page_margins.left = ws.page_margins.right = 0.4


def row_height(texts: Sequence[tuple[str, float]]) -> float:
    """Height of a row whose wrapped cells hold `texts` (text, column width in characters).

    Spreadsheet programs keep the default height of a row written without one, and wrapped text
    then overlaps the next row; one character per unit of width errs on the tall side.
    """
    lines = max((math.ceil(len(text) / width) for text, width in texts if text), default=1)
    return LINE_HEIGHT * max(lines, 1)
