"""Template -> filled by a program -> import gives back every value; the same through CSV and data package."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from workbook_helpers import COLUMN_LETTER, row_index, sample_value

from citykpi.collect.datapackage import read_datapackage, write_datapackage
from citykpi.collect.layout import COVER_SHEET, LISTS_SHEET, META_SHEET, SHEET_COLUMNS, kpi_rows
from citykpi.collect.readers import read_any
from citykpi.collect.template import write_template
from citykpi.collect.tidy import read_csv, write_csv
from citykpi.collect.workbook import read_workbook
from citykpi.framework.catalogue import Catalogue
from citykpi.framework.model import ValueKind
from citykpi.model.submission import CityProfile, DataQuality, EntryKind, Status


def fill_all(template: Path, target: Path, catalogue) -> dict[tuple[str, str, str], object]:
    """Fills every reportable row with a valid value, a source, a quality level and a verifier's YES."""
    wb = openpyxl.load_workbook(template)
    rows = row_index(template)
    expected: dict[tuple[str, str, str], object] = {}
    seed = 1
    for kpi in catalogue.kpis.values():
        for spec in kpi_rows(kpi):
            sheet, row = rows[(kpi.code, spec.kind, spec.name)]
            value = sample_value(spec.value_kind, spec.minimum, spec.maximum, spec.levels, seed)
            ws = wb[sheet]
            ws[f"{COLUMN_LETTER['value']}{row}"] = value
            ws[f"{COLUMN_LETTER['source']}{row}"] = f"register {seed}"
            ws[f"{COLUMN_LETTER['quality']}{row}"] = "2 - Extrapolated based on survey of inhabitants"
            ws[f"{COLUMN_LETTER['verified']}{row}"] = "YES"
            boolean = spec.value_kind is ValueKind.BOOLEAN
            expected[(kpi.code, spec.kind, spec.name)] = value == "yes" if boolean else value
            seed += 1
    wb.save(target)
    return expected


def check_entries(submission, expected) -> None:
    got = {(e.kpi, e.kind.value, e.name): e for e in submission.entries}
    assert set(got) == set(expected)
    for key, value in expected.items():
        entry = got[key]
        assert entry.value == pytest.approx(value) if isinstance(value, float) else entry.value == value, key
        assert entry.status is Status.REPORTED
        assert entry.quality is DataQuality.SURVEY_EXTRAPOLATION
        assert entry.verified is True
        assert entry.source.startswith("register ")


@pytest.mark.parametrize("which", ["fixture", "u4ssc"])
def test_every_row_round_trips_through_workbook_csv_and_data_package(
    which: str, catalogue: Catalogue, profile: CityProfile, tmp_path: Path
) -> None:
    cat = catalogue if which == "fixture" else Catalogue.load()
    template = write_template(cat, profile, tmp_path / "template.xlsx")
    expected = fill_all(template, tmp_path / "filled.xlsx", cat)

    submission, report = read_workbook(tmp_path / "filled.xlsx", cat)
    assert submission is not None, report.errors
    assert not [e for e in report.errors if e.type not in ("constraint-error", "zero-denominator")], report.errors
    assert submission.profile == profile
    check_entries(submission, expected)

    again, _ = read_csv(write_csv(submission, tmp_path / "city.csv"), cat)
    assert again is not None and again.profile == profile
    check_entries(again, expected)

    packaged, package_report = read_datapackage(write_datapackage(submission, tmp_path / "package"), cat)
    assert packaged is not None, package_report.errors
    check_entries(packaged, expected)


def test_template_layout(template_path: Path, catalogue: Catalogue) -> None:
    wb = openpyxl.load_workbook(template_path)
    assert wb.sheetnames[:2] == [COVER_SHEET, "Instructions"]
    assert {"Economy", "Environment", "Society and Culture"} <= set(wb.sheetnames)
    assert wb[META_SHEET].sheet_state == "hidden" and wb[LISTS_SHEET].sheet_state == "hidden"
    economy = wb["Economy"]
    assert [c.value for c in economy[3]] == [c.header for c in SHEET_COLUMNS]
    assert economy.freeze_panes == "C4"
    # 3 Economy KPIs of the fixture: 1+1, 1+1, 3+1 rows, and 1 row for the directly reported money KPI
    reportable = [r for r in economy.iter_rows(min_row=4, values_only=True) if r[0]]
    assert len(reportable) == 2 + 2 + 4 + 1
    validations = {str(dv.sqref): dv for dv in economy.data_validations.dataValidation}
    percent = next(dv for ref, dv in validations.items() if ref == "I5 I7 I11")  # override rows with 0-100
    assert (percent.type, percent.formula1, percent.formula2) == ("decimal", "0", "100")
    assert any(dv.type == "list" and "Lists" in dv.formula1 for dv in validations.values())
    meta = {row[0]: row[1:] for row in wb[META_SHEET].iter_rows(values_only=True)}
    assert meta["framework"] == ("testkpis", "1.0")
    cover = {row[2]: row[1] for row in wb[COVER_SHEET].iter_rows(min_row=4, values_only=True)}
    assert cover["city"] == "Testville" and cover["households"] == 8000 and cover["currency"] == "CHF"


def test_template_prints_one_page_wide_with_rows_tall_enough(template_path: Path) -> None:
    """Saved as PDF or printed, a sheet is one page wide with its header on every page, and wrapped
    definitions get a row height (spreadsheet programs keep the default height otherwise: overlapping text)."""
    wb = openpyxl.load_workbook(template_path)
    economy = wb["Economy"]
    setup = economy.page_setup
    assert (setup.orientation, setup.fitToWidth, setup.fitToHeight) == ("landscape", 1, 0)
    assert economy.sheet_properties.pageSetUpPr.fitToPage
    assert economy.print_title_rows == "$3:$3"
    column = [c.key for c in SHEET_COLUMNS].index("label")
    for row in range(4, economy.max_row + 1):
        text = economy.cell(row=row, column=column + 1).value or ""
        lines_needed = -(-len(text) // int(SHEET_COLUMNS[column].width))
        assert economy.row_dimensions[row].height >= 15 * lines_needed, (row, text)
    assert wb[COVER_SHEET].page_setup.fitToWidth == 1


def test_an_input_shared_by_two_kpis_is_asked_once_and_says_so(profile: CityProfile, tmp_path: Path) -> None:
    """`employed` is declared by EC: P: EM: 3A and divides in EC: P: EM: 4A's formula too."""
    cat = Catalogue.load()
    template = write_template(cat, profile, tmp_path / "t.xlsx")
    rows = [key for key in row_index(template) if key[2] == "employed"]
    assert rows == [("EC: P: EM: 3A", "input", "employed")]
    sheet, row = row_index(template)[rows[0]]
    definition = openpyxl.load_workbook(template)[sheet][f"{COLUMN_LETTER['definition']}{row}"].value
    assert definition.endswith("Also used by EC: P: EM: 4A.")


def test_extra_dimension_gets_its_own_sheet(profile: CityProfile, tmp_path: Path) -> None:
    from collect_framework import FRAMEWORK

    from citykpi.framework.model import Framework
    from citykpi.framework.validation import Source

    local = dict(FRAMEWORK, id="local", kpis=[dict(FRAMEWORK["kpis"][3], code="PU: 1", dimension="Governance")])
    cat = Catalogue.of([Source(Framework.model_validate(local), "local.yaml")])
    wb = openpyxl.load_workbook(write_template(cat, profile, tmp_path / "t.xlsx"))
    assert "Governance" in wb.sheetnames and "Economy" not in wb.sheetnames


def test_blank_template_is_valid_and_reports_nothing(template_path: Path, catalogue: Catalogue) -> None:
    submission, report = read_any(template_path, catalogue)
    assert report.valid and not report.warnings
    assert submission is not None and submission.entries == []


def test_status_only_rows_are_kept(template_path: Path, catalogue: Catalogue, tmp_path: Path) -> None:
    from workbook_helpers import cell, edit

    sheet, ref = cell(template_path, "EN: EN: AQ: 1C", "value", "pm25", "status")
    submission, report = read_workbook(
        edit(template_path, tmp_path / "s.xlsx", {(sheet, ref): "not applicable"}), catalogue
    )
    assert report.valid and submission is not None
    [entry] = submission.entries
    assert (entry.kind, entry.name, entry.status, entry.value) == (EntryKind.VALUE, "pm25", Status.NOT_APPLICABLE, None)


def test_a_workbook_saved_by_libreoffice_calc_imports_with_the_same_values(tmp_path: Path) -> None:
    """LibreOffice rewrites every part of the file (styles, shared strings, validations); the data must survive."""
    cat = Catalogue.load()
    profile = CityProfile(city="Vellmarsk", year=2024, population=20650, households=9390, area_km2=38, currency="EUR")
    expected = fill_all(write_template(cat, profile, tmp_path / "template.xlsx"), tmp_path / "filled.xlsx", cat)
    saved = Path(__file__).parent / "data" / "vellmarsk-2024-libreoffice.xlsx"
    submission, report = read_workbook(saved, cat)
    assert submission is not None and report.valid, report.errors
    assert submission.profile == profile
    check_entries(submission, expected)
