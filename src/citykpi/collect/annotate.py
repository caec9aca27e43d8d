"""A validation report inside a copy of the workbook, for the city team who never opens a terminal.

Problems are highlighted where they are, with the message as a cell comment, and listed on a
Problems sheet with links; the filled workbook (`collect.fill`) gets the same Problems sheet.
The terminal and JSON forms of a report are the command line's (`citykpi.cli.report_view`).
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

from citykpi.collect.layout import PROBLEMS_SHEET
from citykpi.collect.safety import check_workbook_file
from citykpi.model.diagnostics import Diagnostic, Location, Severity, ValidationReport

FILL = {Severity.ERROR: "F8CBAD", Severity.WARNING: "FFE699"}
HEADER_COLOUR = "1F4E79"  # the template's header navy
PROBLEM_WIDTHS = (10, 18, 18, 12, 18, 90)


def annotate_workbook(source: Path | str, report: ValidationReport, out: Path | str) -> Path | Diagnostic:
    """A copy of `source` with problem cells highlighted and commented and a Problems sheet first.

    Returns a diagnostic instead when the file cannot safely be opened for writing (the same
    byte-level checks as the reader), so a hostile file is never parsed by a second code path.
    """
    from openpyxl import load_workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import PatternFill

    source, out = Path(source), Path(out)
    unsafe = [d for d in check_workbook_file(source, Location(file=source.name)) if d.severity is Severity.ERROR]
    if unsafe:
        return Diagnostic(
            type=unsafe[0].type, message=f"cannot annotate: {unsafe[0].message}", location=unsafe[0].location
        )
    try:
        wb = load_workbook(source, keep_links=False)
    except Exception as exc:
        return Diagnostic(type="source-error", message=f"cannot annotate: {exc}", location=Location(file=source.name))
    if PROBLEMS_SHEET in wb.sheetnames:
        del wb[PROBLEMS_SHEET]
    notes: dict[tuple[str, str], list[Diagnostic]] = defaultdict(list)
    for d in [*report.errors, *report.warnings]:
        sheet, ref = d.location.sheet, d.location.cell
        if sheet in wb.sheetnames and sheet is not None and ref:
            notes[(sheet, ref)].append(d)
    for (sheet, ref), items in notes.items():
        cell = wb[sheet][ref]
        worst = Severity.ERROR if any(d.severity is Severity.ERROR for d in items) else Severity.WARNING
        cell.fill = PatternFill("solid", fgColor=FILL[worst])
        text = "\n".join(f"{d.severity.value} ({d.type}): {d.message}" for d in items)
        cell.comment = Comment(text[:2000], "citykpi validate", width=320, height=140)
    add_problems_sheet(wb, [*report.errors, *report.warnings])
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        wb.save(out)
    except OSError as exc:
        message = f"cannot write the annotated copy: {exc.strerror or exc}"
        return Diagnostic(type="output-error", message=message, location=Location(file=str(out)))
    return out


def add_problems_sheet(wb: Any, diagnostics: list[Diagnostic]) -> None:
    """The Problems sheet, first and active so it is what the file opens on; readers skip it by name.

    Shared by the annotated copy and the filled workbook (`collect.fill`), so a city team meets one layout.
    """
    from openpyxl.styles import Font, PatternFill

    from citykpi.collect.printing import make_printable

    ws = wb.create_sheet(PROBLEMS_SHEET, 0)
    ws.append(["Severity", "Type", "Sheet", "Cell or row", "KPI", "Problem"])
    for cell in ws[1]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor=HEADER_COLOUR)
    for d in diagnostics:
        _problem_row(ws, d, wb.sheetnames)
    for letter, width in zip("ABCDEF", PROBLEM_WIDTHS, strict=True):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = "A2"
    make_printable(ws, header_row=1, landscape=True)
    wb.active = 0


def _problem_row(ws: Any, d: Diagnostic, sheets: list[str]) -> None:
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.worksheet.hyperlink import Hyperlink

    from citykpi.collect.printing import row_height

    at = d.location
    where = at.cell or (f"row {at.row}" if at.row is not None else "") + (f" {at.column}" if at.column else "")
    texts = [d.severity.value, d.type, at.sheet or "", where.strip(), at.kpi or "", d.message]
    ws.append([ILLEGAL_CHARACTERS_RE.sub("", text) for text in texts])  # messages quote what was typed
    row = ws.max_row
    ws.cell(row=row, column=1).fill = PatternFill("solid", fgColor=FILL[d.severity])
    for cell in ws[row]:
        cell.alignment = Alignment(wrap_text=cell.column == len(PROBLEM_WIDTHS), vertical="top")
    ws.row_dimensions[row].height = row_height([(d.message, PROBLEM_WIDTHS[-1])])
    if at.sheet in sheets and at.cell:
        link = ws.cell(row=row, column=4)
        link.hyperlink = Hyperlink(ref=link.coordinate, location=f"'{at.sheet}'!{at.cell}")  # internal, no relation
        link.font = Font(color="0563C1", underline="single")
