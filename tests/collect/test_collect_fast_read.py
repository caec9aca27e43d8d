"""The two workbook readers (python-calamine when the bytes allow, openpyxl otherwise) give the same result.

The importer's messages and locations were written against openpyxl; calamine is only a faster way
to the same values, so every file it reads must give what openpyxl gives, and every file it must
not read (formulas, DTDs, grids too large for memory, files it fails on) must go to openpyxl.
"""

from __future__ import annotations

import datetime
import zipfile
from pathlib import Path

import openpyxl
import pytest
from test_collect_bad_files import CASES
from workbook_helpers import cell, edit

from citykpi.collect.catalogue import CatalogueLike
from citykpi.collect.readers import read_any
from citykpi.collect.safety import DEFAULT_LIMITS, scan_cells
from citykpi.collect.sheets import CalamineSheets, OpenpyxlSheets
from citykpi.collect.workbook import _read
from citykpi.demo.cities import city
from citykpi.demo.generate import generate
from citykpi.demo.workbook import write_filled
from citykpi.framework.catalogue import Catalogue
from citykpi.model.diagnostics import Location

LIBREOFFICE = Path(__file__).parent / "data" / "vellmarsk-2024-libreoffice.xlsx"
ICT1 = "EC: ICT: ICT: 1C"


def both(path: Path, catalogue: CatalogueLike) -> tuple[dict[str, object], dict[str, object]]:
    results = []
    for sheets in (CalamineSheets, OpenpyxlSheets):
        submission, report = _read(sheets, path, Location(file=path.name), catalogue, DEFAULT_LIMITS)
        results.append({"submission": submission and submission.model_dump(), "report": report.model_dump()})
    return results[0], results[1]


@pytest.fixture(scope="module")
def u4ssc() -> Catalogue:
    return Catalogue.load()


def test_a_filled_u4ssc_workbook_and_a_libreoffice_saved_one_read_the_same(u4ssc: Catalogue, tmp_path: Path) -> None:
    filled = tmp_path / "filled.xlsx"
    write_filled(u4ssc, generate(list(u4ssc.kpis.values()), city("Vellmarsk"), 2024), filled)
    for path in (filled, LIBREOFFICE):
        assert scan_cells(path) is None, path.name
        fast, slow = both(path, u4ssc)
        assert fast["submission"] is not None
        assert fast == slow, path.name


@pytest.mark.parametrize("case", [name for name, (build, _) in CASES.items()])
def test_every_bad_workbook_the_fast_reader_may_read_reads_as_with_openpyxl(
    case: str, template_path: Path, catalogue: CatalogueLike, tmp_path: Path
) -> None:
    path, _ = CASES[case][0](template_path, tmp_path)
    if path.suffix != ".xlsx" or not zipfile.is_zipfile(path) or read_any(path, catalogue)[0] is None:
        pytest.skip("not read past the byte checks")
    if scan_cells(path) is not None:
        pytest.skip("read by openpyxl only")
    fast, slow = both(path, catalogue)
    assert fast == slow


def test_formulas_and_dtds_send_the_file_to_openpyxl(template_path: Path, tmp_path: Path) -> None:
    sheet, ref = cell(template_path, ICT1, "input", "households_with_internet")
    formula = edit(template_path, tmp_path / "formula.xlsx", {(sheet, ref): "=B2*2"})
    assert scan_cells(formula) == "xl/worksheets/sheet3.xml: formulas"
    entity = tmp_path / "entity.xlsx"
    with zipfile.ZipFile(template_path) as source, zipfile.ZipFile(entity, "w") as target:
        for name in source.namelist():
            data = source.read(name)
            target.writestr(name, b'<!DOCTYPE x [<!ENTITY a "b">]>' + data if name == "xl/styles.xml" else data)
    assert scan_cells(entity) == "xl/styles.xml declares a DTD"


def _with_sheet_xml(template: Path, target: Path, cells: str) -> Path:
    """The template with its first dimension sheet's data replaced by `cells` (raw sheetData XML)."""
    with zipfile.ZipFile(template) as source, zipfile.ZipFile(target, "w") as out:
        for name in source.namelist():
            data = source.read(name)
            if name == "xl/worksheets/sheet3.xml":
                head, rest = data.split(b"<sheetData>", 1)
                data = head + f"<sheetData>{cells}</sheetData>".encode() + rest.split(b"</sheetData>", 1)[1]
            out.writestr(name, data)
    return target


def test_cells_far_apart_are_read_by_openpyxl_without_building_the_grid(
    template_path: Path, catalogue: CatalogueLike, tmp_path: Path
) -> None:
    far = '<row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is></c></row>'
    far += '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
    path = _with_sheet_xml(template_path, tmp_path / "far.xlsx", far)
    assert scan_cells(path) == "xl/worksheets/sheet3.xml: cells span 1048576 rows x 16384 columns"
    _, report = read_any(path, catalogue)
    assert any(d.type == "missing-label" and d.location.sheet == "Economy" for d in report.errors)


def test_cells_without_a_reference_are_read_by_openpyxl(template_path: Path, tmp_path: Path) -> None:
    path = _with_sheet_xml(
        template_path, tmp_path / "noref.xlsx", '<row r="1"><c t="inlineStr"><is><t>x</t></is></c></row>'
    )
    assert scan_cells(path) == "xl/worksheets/sheet3.xml: cells without a reference"


def test_a_sheet_calamine_cannot_parse_is_reported_as_damaged_by_openpyxl(
    template_path: Path, catalogue: CatalogueLike, tmp_path: Path
) -> None:
    path = _with_sheet_xml(template_path, tmp_path / "broken.xlsx", '<row r="1"><c r="A1" t="s"><v>99999</v></c></row>')
    assert scan_cells(path) is None
    submission, report = read_any(path, catalogue)
    assert submission is None
    assert [d.type for d in report.errors] == ["source-error"]
    assert "damaged" in report.errors[0].message


def test_numbers_dates_and_blanks_come_as_openpyxl_gives_them(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "S"
    ws.append([5, 5.5, True, "  x ", None, datetime.time(3, 4), 2**60])
    wb.save(tmp_path / "v.xlsx")
    fast = next(CalamineSheets(tmp_path / "v.xlsx").rows("S"))
    assert fast == (5, 5.5, True, "  x ", None, datetime.time(3, 4), float(2**60))
    assert type(fast[0]) is int
    slow = next(OpenpyxlSheets(tmp_path / "v.xlsx").rows("S"))
    assert fast[:6] == slow[:6]
