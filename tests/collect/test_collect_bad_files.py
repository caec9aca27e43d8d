"""A corpus of bad inputs, generated here from the real template, each with its expected type and location."""

from __future__ import annotations

import json
import os
import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
from workbook_helpers import cell, edit

from citykpi.collect.readers import read_any
from citykpi.collect.safety import Limits
from citykpi.collect.workbook import read_workbook
from citykpi.framework.catalogue import Catalogue
from citykpi.model.diagnostics import Diagnostic, ValidationReport
from citykpi.validate.files import check_file

ICT1 = "EC: ICT: ICT: 1C"
ICT2 = "EC: ICT: ICT: 2C"
EMPLOYMENT = "EC: P: EM: 1C"


def find(report: ValidationReport, type: str, **where: object) -> Diagnostic:
    """The diagnostic of `type` whose location has every given field; fails listing what was found."""
    for d in [*report.errors, *report.warnings]:
        if d.type == type and all(getattr(d.location, k) == v for k, v in where.items()):
            assert d.message
            return d
    raise AssertionError(f"no {type} at {where}; found: {[str(d) for d in report.errors + report.warnings]}")


def cell_case(kpi: str, kind: str, name: str, value: object, column: str = "value"):
    def build(template: Path, tmp: Path) -> tuple[Path, dict[str, object]]:
        sheet, ref = cell(template, kpi, kind, name, column)
        return edit(template, tmp / "bad.xlsx", {(sheet, ref): value}), {"sheet": sheet, "cell": ref, "kpi": kpi}

    return build


def text_in_number(template: Path, tmp: Path):
    return cell_case(ICT1, "input", "households_with_internet", "twelve")(template, tmp)


def unit_in_cell(template: Path, tmp: Path):
    return cell_case(ICT1, "value", "value", "45 %")(template, tmp)


def percentage_140(template: Path, tmp: Path):
    return cell_case(ICT1, "value", "value", 140)(template, tmp)


def negative_count(template: Path, tmp: Path):
    return cell_case(EMPLOYMENT, "input", "unemployed_people", -3)(template, tmp)


def formula_in_value(template: Path, tmp: Path):
    return cell_case(ICT1, "input", "households_with_internet", "=B2*2")(template, tmp)


def zero_labour_force(template: Path, tmp: Path):
    sheet, unemployed = cell(template, EMPLOYMENT, "input", "unemployed_people")
    _, labour = cell(template, EMPLOYMENT, "input", "labour_force")
    path = edit(template, tmp / "bad.xlsx", {(sheet, unemployed): 10, (sheet, labour): 0})
    return path, {"sheet": sheet, "cell": labour, "kpi": EMPLOYMENT}


def zero_households(template: Path, tmp: Path):
    return edit(template, tmp / "bad.xlsx", {("Cover", "B8"): 0}), {"sheet": "Cover", "cell": "B8"}


def missing_city(template: Path, tmp: Path):
    return edit(template, tmp / "bad.xlsx", {("Cover", "B4"): None}), {"sheet": "Cover", "cell": "B4"}


def value_not_available(template: Path, tmp: Path):
    sheet, value = cell(template, ICT1, "input", "households_with_internet")
    _, status = cell(template, ICT1, "input", "households_with_internet", "status")
    path = edit(template, tmp / "bad.xlsx", {(sheet, value): 5, (sheet, status): "not available"})
    return path, {"sheet": sheet, "cell": status, "kpi": ICT1}


def unknown_code(template: Path, tmp: Path):
    wb = openpyxl.load_workbook(template)
    ws = wb["Economy"]
    row = ws.max_row + 1
    ws[f"A{row}"], ws[f"C{row}"], ws[f"D{row}"], ws[f"I{row}"] = "EC: XX: ZZ: 9C", "value", "value", 3
    wb.save(tmp / "bad.xlsx")
    return tmp / "bad.xlsx", {"sheet": "Economy", "cell": f"A{row}"}


def unknown_component(template: Path, tmp: Path):
    sheet, ref = cell(template, ICT1, "input", "households_with_internet", "name")
    path = edit(template, tmp / "bad.xlsx", {(sheet, ref): "fixed_broadband_subscriptions", (sheet, "I4"): 4})
    return path, {"sheet": sheet, "cell": ref, "kpi": ICT1}


def duplicate_row(template: Path, tmp: Path):
    wb = openpyxl.load_workbook(template)
    ws = wb["Economy"]
    ws["I4"] = 10
    row = ws.max_row + 1
    for col in range(1, 16):
        ws.cell(row=row, column=col, value=ws.cell(row=4, column=col).value)
    wb.save(tmp / "bad.xlsx")
    return tmp / "bad.xlsx", {"sheet": "Economy", "row": row}


def missing_sheet(template: Path, tmp: Path):
    wb = openpyxl.load_workbook(template)
    del wb["Environment"]
    wb.save(tmp / "bad.xlsx")
    return tmp / "bad.xlsx", {"sheet": "Environment"}


def renamed_column(template: Path, tmp: Path):
    return edit(template, tmp / "bad.xlsx", {("Economy", "I3"): "Val"}), {"sheet": "Economy", "column": "Value"}


def not_a_zip(template: Path, tmp: Path):
    (tmp / "bad.xlsx").write_bytes(bytes(range(256)) * 8)
    return tmp / "bad.xlsx", {"file": "bad.xlsx"}


def empty_file(template: Path, tmp: Path):
    (tmp / "bad.xlsx").write_bytes(b"")
    return tmp / "bad.xlsx", {"file": "bad.xlsx"}


def csv_as_xlsx(template: Path, tmp: Path):
    (tmp / "bad.xlsx").write_text("city,year\nTestville,2024\n")
    return tmp / "bad.xlsx", {"file": "bad.xlsx"}


def truncated_zip(template: Path, tmp: Path):
    data = template.read_bytes()
    (tmp / "bad.xlsx").write_bytes(data[: len(data) // 2])
    return tmp / "bad.xlsx", {"file": "bad.xlsx"}


def zip_not_workbook(template: Path, tmp: Path):
    with zipfile.ZipFile(tmp / "bad.xlsx", "w") as z:
        z.writestr("word/document.xml", "<w/>")
    return tmp / "bad.xlsx", {"file": "bad.xlsx"}


def zip_bomb(template: Path, tmp: Path):
    """A workbook whose one part inflates from about 5 kB to 5 MB."""
    shutil.copy(template, tmp / "bad.xlsx")
    with zipfile.ZipFile(tmp / "bad.xlsx", "a", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/media/padding.xml", b"\0" * 5_000_000)
    return tmp / "bad.xlsx", {"file": "bad.xlsx"}


def external_link(template: Path, tmp: Path):
    shutil.copy(template, tmp / "bad.xlsx")
    with zipfile.ZipFile(tmp / "bad.xlsx", "a") as z:
        z.writestr("xl/externalLinks/externalLink1.xml", "<externalLink/>")
    return tmp / "bad.xlsx", {"file": "bad.xlsx"}


def entity_bomb(template: Path, tmp: Path):
    """Billion laughs in the Cover sheet's XML: ten levels of ten references."""
    entities = '<!ENTITY a0 "lol">' + "".join(f'<!ENTITY a{i} "{f"&a{i - 1};" * 10}">' for i in range(1, 10))
    bomb = f'<?xml version="1.0"?><!DOCTYPE worksheet [{entities}]><worksheet>&a9;</worksheet>'.encode()
    with zipfile.ZipFile(template) as source, zipfile.ZipFile(tmp / "bad.xlsx", "w") as target:
        for name in source.namelist():
            target.writestr(name, bomb if name == "xl/worksheets/sheet1.xml" else source.read(name))
    return tmp / "bad.xlsx", {"file": "bad.xlsx"}


def latin1_csv(template: Path, tmp: Path):
    rows = "city,country,year,kpi,kind,name,value\nGenève,CH,2024,,profile,population,200000\n"
    (tmp / "bad.csv").write_bytes(rows.encode("latin-1"))
    return tmp / "bad.csv", {"file": "bad.csv", "row": 2}


def csv_missing_column(template: Path, tmp: Path):
    (tmp / "bad.csv").write_text("city,country,year,kpi,kind,value\nX,CH,2024,EC: ICT: ICT: 1C,value,3\n")
    return tmp / "bad.csv", {"file": "bad.csv", "row": 1, "column": "name"}


def csv_text_value(template: Path, tmp: Path):
    (tmp / "bad.csv").write_text("city,year,kpi,kind,name,value\nX,2024,EC: ICT: ICT: 1C,value,value,twelve\n")
    return tmp / "bad.csv", {"file": "bad.csv", "row": 2, "column": "value", "kpi": ICT1}


def csv_two_cities(template: Path, tmp: Path):
    body = (
        "city,year,kpi,kind,name,value\nX,2024,EC: ICT: ICT: 1C,value,value,3\nY,2024,EC: ICT: ICT: 2C,value,value,2\n"
    )
    (tmp / "bad.csv").write_text(body)
    return tmp / "bad.csv", {"file": "bad.csv", "row": 3, "column": "city"}


def package_malformed(template: Path, tmp: Path):
    (tmp / "pkg").mkdir()
    (tmp / "pkg" / "datapackage.json").write_text('{"resources": [\n{"path": "data.csv",}\n]}')
    return tmp / "pkg", {"file": "datapackage.json", "row": 2}


def package_outside(template: Path, tmp: Path):
    (tmp / "pkg").mkdir()
    (tmp / "secret.csv").write_text("city,year\n")
    (tmp / "pkg" / "datapackage.json").write_text(json.dumps({"resources": [{"path": "../secret.csv"}]}))
    return tmp / "pkg", {"file": "datapackage.json", "field": "resources[0].path"}


def package_blank_row(template: Path, tmp: Path):
    (tmp / "pkg").mkdir()
    (tmp / "pkg" / "data.csv").write_text(
        "city,country,year,kpi,kind,name,value,status,quality,origin,source,notes,verified\n"
        "X,,2024,EC: ICT: ICT: 1C,value,value,3,,,,,,\n,,,,,,,,,,,,\n"
    )
    (tmp / "pkg" / "datapackage.json").write_text(json.dumps({"resources": [{"path": "data.csv"}]}))
    return tmp / "pkg", {"file": "data.csv", "row": 3}


def package_without_name_column(template: Path, tmp: Path):
    (tmp / "pkg").mkdir()
    (tmp / "pkg" / "data.csv").write_text("city,year,kpi,kind,value\nX,2024,EC: ICT: ICT: 1C,value,3\n")
    (tmp / "pkg" / "datapackage.json").write_text(json.dumps({"resources": [{"path": "data.csv"}]}))
    return tmp / "pkg", {"file": "data.csv", "row": 1, "column": "name"}


def package_bad_year(template: Path, tmp: Path):
    (tmp / "pkg").mkdir()
    (tmp / "pkg" / "data.csv").write_text("city,year,kpi,kind,name,value\nX,20x4,EC: ICT: ICT: 1C,value,value,3\n")
    (tmp / "pkg" / "datapackage.json").write_text(json.dumps({"resources": [{"path": "data.csv"}]}))
    return tmp / "pkg", {"file": "data.csv", "row": 2, "column": "year"}


CASES: dict[str, tuple[Callable[[Path, Path], tuple[Path, dict[str, object]]], str]] = {
    "text in a number cell": (text_in_number, "type-error"),
    "unit typed into the value": (unit_in_cell, "type-error"),
    "percentage 140": (percentage_140, "constraint-error"),
    "negative count": (negative_count, "constraint-error"),
    "formula in a value cell": (formula_in_value, "formula-in-cell"),
    "zero labour force": (zero_labour_force, "zero-denominator"),
    "zero households": (zero_households, "zero-denominator"),
    "no city name": (missing_city, "missing-profile"),
    "value with status not available": (value_not_available, "status-conflict"),
    "unknown KPI code": (unknown_code, "unknown-kpi"),
    "unknown component": (unknown_component, "unknown-component"),
    "duplicate row": (duplicate_row, "duplicate-row"),
    "missing sheet": (missing_sheet, "missing-sheet"),
    "renamed column": (renamed_column, "missing-label"),
    "not a zip": (not_a_zip, "format-error"),
    "empty file": (empty_file, "format-error"),
    "CSV sent as .xlsx": (csv_as_xlsx, "format-error"),
    "truncated zip": (truncated_zip, "compression-error"),
    "zip that is not a workbook": (zip_not_workbook, "format-error"),
    "zip bomb": (zip_bomb, "hostile-file"),
    "external link": (external_link, "hostile-file"),
    "XML entity bomb": (entity_bomb, "hostile-file"),
    "CSV in Latin-1": (latin1_csv, "encoding-error"),
    "CSV without the name column": (csv_missing_column, "missing-label"),
    "CSV text value": (csv_text_value, "type-error"),
    "CSV with two cities": (csv_two_cities, "inconsistent-profile"),
    "datapackage.json malformed": (package_malformed, "package-error"),
    "datapackage pointing outside": (package_outside, "source-error"),
    "data package with a blank row": (package_blank_row, "blank-row"),
    "data package without the name column": (package_without_name_column, "missing-label"),
    "data package with a text year": (package_bad_year, "type-error"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_bad_input_gives_its_error_type_and_location(
    case: str, template_path: Path, catalogue: Catalogue, tmp_path: Path
) -> None:
    build, type = CASES[case]
    path, where = build(template_path, tmp_path)
    report = check_file(path, catalogue).report
    assert not report.valid
    find(report, type, **where)


def test_huge_file_is_refused_before_parsing(template_path: Path, catalogue: Catalogue) -> None:
    submission, report = read_workbook(template_path, catalogue, Limits(max_bytes=1_000))
    assert submission is None
    assert "above the limit" in find(report, "hostile-file", file=template_path.name).message


def test_zip_bomb_by_total_size(template_path: Path, catalogue: Catalogue) -> None:
    _, report = read_workbook(template_path, catalogue, Limits(max_uncompressed=10_000))
    assert "zip bomb" in find(report, "hostile-file").message


def test_computed_percentage_above_100_points_at_the_inputs(
    template_path: Path, catalogue: Catalogue, tmp_path: Path
) -> None:
    sheet, ref = cell(template_path, ICT1, "input", "households_with_internet")
    report = check_file(edit(template_path, tmp_path / "x.xlsx", {(sheet, ref): 9000}), catalogue).report
    message = find(report, "constraint-error", sheet=sheet, cell=ref, kpi=ICT1).message
    assert "112.5" in message and "households_with_internet = 9000" in message


def test_plausibility_and_screening_warnings_keep_the_file_valid(
    template_path: Path, catalogue: Catalogue, tmp_path: Path
) -> None:
    sheet, internet = cell(template_path, ICT1, "input", "households_with_internet")
    _, broadband = cell(template_path, ICT2, "input", "fixed_broadband_subscriptions")
    _, population = cell(template_path, EMPLOYMENT, "input", "total_population")
    changes = {(sheet, internet): 4000, (sheet, broadband): 6000, (sheet, population): 20000, ("Cover", "B11"): None}
    report = check_file(edit(template_path, tmp_path / "w.xlsx", changes), catalogue).report
    assert report.valid, report.errors
    assert "broadband" in find(report, "plausibility", sheet=sheet, cell=broadband, kpi=ICT2).message
    assert "11%" in find(report, "inconsistent-profile", sheet=sheet, cell=population).message
    sheet_money, money = cell(template_path, "EC: P: I: 1A", "value", "value")
    report = check_file(
        edit(template_path, tmp_path / "m.xlsx", {("Cover", "B11"): None, (sheet_money, money): 5}), catalogue
    ).report
    find(report, "missing-profile", sheet="Cover", cell="B11")


def test_empty_profile_denominator_is_pointed_at_on_the_cover(
    template_path: Path, catalogue: Catalogue, tmp_path: Path
) -> None:
    sheet, ref = cell(template_path, ICT1, "input", "households_with_internet")
    report = check_file(
        edit(template_path, tmp_path / "p.xlsx", {(sheet, ref): 10, ("Cover", "B8"): None}), catalogue
    ).report
    assert report.valid
    assert ICT1 in find(report, "missing-profile", sheet="Cover", cell="B8").message


def test_a_sheet_added_by_the_city_is_ignored_with_a_warning(
    template_path: Path, catalogue: Catalogue, tmp_path: Path
) -> None:
    wb = openpyxl.load_workbook(template_path)
    wb.create_sheet("Our notes")["A1"] = "call the utility in March"
    wb.save(tmp_path / "notes.xlsx")
    _, report = read_workbook(tmp_path / "notes.xlsx", catalogue)
    assert report.valid
    find(report, "extra-sheet", sheet="Our notes")


def test_framework_version_mismatch_is_a_warning(template_path: Path, catalogue: Catalogue, tmp_path: Path) -> None:
    wb = openpyxl.load_workbook(template_path)
    meta = wb["Meta"]
    for row in meta.iter_rows():
        if row[0].value == "framework":
            row[2].value = "0.9"
    wb.save(tmp_path / "old.xlsx")
    _, report = read_workbook(tmp_path / "old.xlsx", catalogue)
    assert report.valid
    assert "0.9" in find(report, "framework-mismatch", sheet="Meta").message


UNREADABLE = Path("/sys/bus/cpu/uevent")  # write-only sysfs attribute: reading it fails even for root


def _unreadable() -> bool:
    try:
        UNREADABLE.read_bytes()
    except OSError:
        return UNREADABLE.is_file()
    return False


@pytest.mark.skipif(not _unreadable(), reason="needs a real file that cannot be read (Linux sysfs)")
@pytest.mark.parametrize("suffix", [".xlsx", ".csv", ".json", ".dat"])
def test_a_file_without_read_permission_is_a_source_error(catalogue: Catalogue, tmp_path: Path, suffix: str) -> None:
    link = tmp_path / f"data{suffix}"
    link.symlink_to(UNREADABLE)
    submission, report = read_any(link, catalogue)
    assert submission is None
    assert find(report, "source-error", file=link.name).message == "cannot read the file: Permission denied"


def test_a_pipe_is_not_opened_but_reported(catalogue: Catalogue, tmp_path: Path) -> None:
    fifo = tmp_path / "data.csv"
    os.mkfifo(fifo)  # opening it would wait forever for a writer
    _, report = read_any(fifo, catalogue)
    assert "not a regular file" in find(report, "source-error").message


@pytest.mark.parametrize("name", ["vellmarsk-2024.ods", "vellmarsk-2024.xlsx"])
def test_a_libreoffice_ods_file_is_asked_to_be_saved_as_xlsx(catalogue: Catalogue, tmp_path: Path, name: str) -> None:
    """LibreOffice saves to .ods unless told otherwise; also when the city keeps the .xlsx name."""
    path = tmp_path / name
    shutil.copy(Path(__file__).parent / "data" / "vellmarsk-2024-libreoffice.ods", path)
    submission, report = read_any(path, catalogue)
    assert submission is None
    assert "OpenDocument" in find(report, "format-error", file=name).message
