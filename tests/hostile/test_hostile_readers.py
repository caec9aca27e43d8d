"""The two workbook readers (python-calamine and openpyxl) against each other on the hostile workbooks.

A file goes to calamine only when the byte scan finds nothing it cannot report, and falls back to
openpyxl when calamine fails; either way the user must get the same report, so every corpus
workbook calamine may read is read by both and the reports compared problem by problem.
"""

from __future__ import annotations

from pathlib import Path

from corpus import Case

from citykpi.collect.safety import check_workbook_file, scan_cells
from citykpi.collect.sheets import CalamineSheets, OpenpyxlSheets
from citykpi.collect.workbook import read_sheets
from citykpi.framework.catalogue import Catalogue
from citykpi.model.diagnostics import Location, ValidationReport


def problems(report: ValidationReport) -> list[tuple[str, str, str, str]]:
    return sorted((d.type, d.variant, str(d.location), d.message) for d in [*report.errors, *report.warnings])


def calamine_may_read(path: Path) -> bool:
    if check_workbook_file(path, Location(file=path.name)):
        return False
    try:
        return scan_cells(path) is None
    except Exception:
        return False  # refused before either reader opens it


def test_calamine_and_openpyxl_give_the_same_report_on_every_hostile_workbook_both_read(
    corpus: tuple[list[Case], Path, float],
) -> None:
    cases, _, _ = corpus
    catalogue = Catalogue.load()
    paired, differ = 0, {}
    for case in cases:
        if case.kind not in ("cell", "xml", "zip-structure") or not calamine_may_read(case.path):
            continue
        try:
            fast = read_sheets(CalamineSheets, case.path, catalogue)
        except BaseException as exc:  # a Rust panic: the file goes to openpyxl, as read_workbook does
            if isinstance(exc, KeyboardInterrupt):
                raise
            continue
        paired += 1
        try:
            slow = read_sheets(OpenpyxlSheets, case.path, catalogue)
        except Exception as exc:  # read_workbook would call the file damaged
            differ[case.name] = {"calamine": problems(fast[1])[:4], "openpyxl": f"{type(exc).__name__}: {exc}"}
            continue
        if (fast[0] is None, problems(fast[1])) != (slow[0] is None, problems(slow[1])):
            differ[case.name] = {"calamine": problems(fast[1])[:4], "openpyxl": problems(slow[1])[:4]}
    print(f"\nreaders paired on {paired} hostile workbooks; {len(differ)} disagree")
    assert paired >= 100
    assert differ == {}
