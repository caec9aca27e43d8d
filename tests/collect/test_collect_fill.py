"""The workbook filled back: written by `collect.fill`, read by the importer, the same submission comes back."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from citykpi.cli import app
from citykpi.collect.fill import write_filled
from citykpi.collect.tidy import write_csv
from citykpi.collect.workbook import read_workbook
from citykpi.demo.cities import CITIES, SYNTHETIC_LABEL, YEARS, CitySpec
from citykpi.demo.generate import generate
from citykpi.demo.workbook import write_filled as write_demo
from citykpi.framework.catalogue import Catalogue
from citykpi.model.submission import CityProfile, DataQuality, Entry, EntryKind, Status, Submission

runner = CliRunner()


def comparable(submission: Submission) -> tuple[CityProfile, list[dict[str, object]]]:
    """What a round trip must keep: the profile and every entry that carries something, sorted by row key
    (where a value was read from is the only field a file changes; an entry with nothing is a blank row)."""
    entries = [e.model_dump(exclude={"location"}) for e in submission.entries]
    blank = Entry(kpi="", kind=EntryKind.INPUT, name="").model_dump(exclude={"location", "kpi", "kind", "name"})
    kept = [e for e in entries if {k: v for k, v in e.items() if k not in ("kpi", "kind", "name")} != blank]
    return submission.profile, sorted(kept, key=lambda e: (str(e["kpi"]), str(e["kind"]), str(e["name"])))


def round_trip(catalogue: Catalogue, submission: Submission, path: Path) -> Submission:
    report = write_filled(catalogue, submission, path)
    assert report.valid and not report.warnings, report
    back, read_report = read_workbook(path, catalogue)
    assert back is not None, read_report.errors
    return back


@pytest.mark.parametrize("spec", CITIES, ids=[c.name for c in CITIES])
def test_every_demo_city_and_year_round_trips(spec: CitySpec, tmp_path: Path) -> None:
    catalogue = Catalogue.load()
    for year in YEARS:
        submission = generate(list(catalogue.kpis.values()), spec, year)
        back = round_trip(catalogue, submission, tmp_path / f"{year}.xlsx")
        assert comparable(back) == comparable(submission), year
        assert back.frameworks == submission.frameworks


def every_kind_of_entry() -> list[Entry]:
    """Each status, quality level, verifier answer and value kind (number, integer, yes/no, level) of the
    fixture framework, in input and override rows, with sources, origins and notes."""
    q = list(DataQuality)
    return [
        Entry(kpi="EC: ICT: ICT: 1C", kind=EntryKind.INPUT, name="households_with_internet", value=7900.5,
              status=Status.REPORTED, quality=q[0], source="census", origin="OFS", notes="2023 survey", verified=True),
        Entry(kpi="EC: ICT: ICT: 1C", kind=EntryKind.VALUE, name="value", value=98.75, status=Status.REPORTED,
              quality=q[1], verified=False),
        Entry(kpi="EC: P: EM: 1C", kind=EntryKind.INPUT, name="unemployed_people", value=412.0,
              status=Status.REPORTED, quality=q[2], source="labour office"),
        Entry(kpi="EC: P: EM: 1C", kind=EntryKind.INPUT, name="labour_force", status=Status.NOT_AVAILABLE,
              quality=q[3], notes="survey discontinued"),
        Entry(kpi="EC: P: EM: 1C", kind=EntryKind.INPUT, name="total_population", status=Status.NOT_REPORTED,
              notes="asked the canton", quality=q[4]),
        Entry(kpi="EN: EN: AQ: 1C", kind=EntryKind.VALUE, name="pm25", value=9.1, status=Status.REPORTED,
              quality=q[5], origin="canton", verified=True),
        Entry(kpi="EN: EN: AQ: 1C", kind=EntryKind.VALUE, name="pm10", status=Status.NOT_APPLICABLE,
              notes="no station"),
        Entry(kpi="SC: SH: S: 1C", kind=EntryKind.VALUE, name="value", value=True, status=Status.REPORTED),
        Entry(kpi="SC: EH: ED: 9A", kind=EntryKind.VALUE, name="value", value="partial", status=Status.REPORTED,
              source="open data portal"),
    ]  # fmt: skip


def test_every_status_quality_kind_and_value_type_round_trips(
    catalogue: Catalogue, profile: CityProfile, tmp_path: Path
) -> None:
    submission = Submission(profile=profile, entries=every_kind_of_entry(), frameworks=["testkpis"])
    back = round_trip(catalogue, submission, tmp_path / "all.xlsx")
    assert comparable(back) == comparable(submission)
    assert {e.status for e in back.entries} == set(Status)
    assert {e.quality for e in back.entries} >= set(DataQuality)
    assert {e.verified for e in back.entries} == {True, False, None}
    assert back.frameworks == ["testkpis"]
    economy = openpyxl.load_workbook(tmp_path / "all.xlsx")["Economy"]
    typed = {(r[0], r[2], r[3]): r for r in economy.iter_rows(min_row=4, values_only=True)}
    row = typed[("EC: ICT: ICT: 1C", "input", "households_with_internet")]
    assert row[8:15] == (
        7900.5,
        "census",
        "1 - Based on accurate measurements",
        "OFS",
        "2023 survey",
        "reported",
        "YES",
    )


def test_an_entry_without_a_row_or_twice_is_reported_and_kept_on_the_problems_sheet(
    catalogue: Catalogue, profile: CityProfile, tmp_path: Path
) -> None:
    stray = [
        Entry(kpi="EC: ICT: ICT: 7Z", kind=EntryKind.INPUT, name="routers", value=12.0, status=Status.REPORTED,
              source="old survey"),
        Entry(kpi="EN: EN: AQ: 1C", kind=EntryKind.VALUE, name="no2", value=21.5, status=Status.REPORTED),
        Entry(kpi="SC: SH: S: 1C", kind=EntryKind.VALUE, name="value", value=False, notes="second answer"),
    ]  # fmt: skip
    submission = Submission(profile=profile, entries=[*every_kind_of_entry(), *stray])
    path = tmp_path / "stray.xlsx"
    report = write_filled(catalogue, submission, path)

    assert not report.valid
    assert [(d.type, d.location.kpi, d.location.field) for d in report.errors] == [
        ("duplicate-row", "SC: SH: S: 1C", "value"),
        ("unknown-kpi", "EC: ICT: ICT: 7Z", "routers"),
        ("unknown-component", "EN: EN: AQ: 1C", "no2"),
    ]
    assert "value no; notes second answer" in report.errors[0].message
    assert "value 12.0" in report.errors[1].message and "source old survey" in report.errors[1].message
    assert "testkpis 1.0" in report.errors[1].message
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames[0] == "Problems" and wb.active.title == "Problems"
    listed = list(wb["Problems"].iter_rows(min_row=2, values_only=True))
    assert [(r[0], r[1], r[4]) for r in listed] == [
        ("error", "duplicate-row", "SC: SH: S: 1C"),
        ("error", "unknown-kpi", "EC: ICT: ICT: 7Z"),
        ("error", "unknown-component", "EN: EN: AQ: 1C"),
    ]
    assert "value 21.5" in listed[2][5]
    back, read_report = read_workbook(path, catalogue)  # the rest of the workbook is importable as it is
    assert back is not None and read_report.valid, read_report.errors
    assert comparable(back) == comparable(Submission(profile=profile, entries=every_kind_of_entry()))


def test_text_that_looks_like_a_formula_is_written_as_text_and_warned(
    catalogue: Catalogue, profile: CityProfile, tmp_path: Path
) -> None:
    """Texts typed on the platform (notes, the city name, even a stray KPI code) end in an open-data
    download: none may become a formula a spreadsheet runs, and none may break the file."""
    formula, bell = '=HYPERLINK("http://x.example","x")', "bell\x07 register"
    entries = [
        Entry(kpi="EC: ICT: ICT: 1C", kind=EntryKind.INPUT, name="households_with_internet", value=10.0,
              status=Status.REPORTED, notes=formula, source=bell),
        Entry(kpi="=1+1", kind=EntryKind.INPUT, name="x\x01y", value=1.0, status=Status.REPORTED),
    ]  # fmt: skip
    strange = profile.model_copy(update={"city": "=Town", "country": "C\x02H"})
    path = tmp_path / "formula.xlsx"
    report = write_filled(catalogue, Submission(profile=strange, entries=entries), path)
    assert [d.type for d in report.errors] == ["unknown-kpi"]
    warned = sorted((d.type, d.location.field) for d in report.warnings)
    assert warned == [
        ("formula-in-cell", "city"),
        ("formula-in-cell", "households_with_internet"),
        ("illegal-character", "country"),
        ("illegal-character", "households_with_internet"),
    ]
    wb = openpyxl.load_workbook(path)
    formulas = [c.coordinate for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.data_type == "f"]
    assert formulas == []
    notes = next(r for r in wb["Economy"].iter_rows(min_row=4) if r[3].value == "households_with_internet")
    assert notes[12].value == formula and notes[9].value == "bell register"
    cover = {r[2].value: r[1].value for r in wb["Cover"].iter_rows(min_row=4)}
    assert (cover["city"], cover["country"]) == ("=Town", "CH")
    assert [r[4] for r in wb["Problems"].iter_rows(min_row=2, values_only=True)] == ["=1+1"]


def test_an_unwritable_path_is_an_output_error(catalogue: Catalogue, profile: CityProfile, tmp_path: Path) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    report = write_filled(catalogue, Submission(profile=profile), blocked / "out.xlsx")
    assert [d.type for d in report.errors] == ["output-error"]


def test_the_demo_workbook_is_the_filled_workbook_with_the_synthetic_label(tmp_path: Path) -> None:
    catalogue = Catalogue.load()
    submission = generate(list(catalogue.kpis.values()), CITIES[0], YEARS[0])
    path = write_demo(catalogue, submission, tmp_path / "demo.xlsx")
    wb = openpyxl.load_workbook(path)
    assert wb.properties.title.startswith(SYNTHETIC_LABEL)
    assert all(SYNTHETIC_LABEL in [c.value for c in ws[1]] for ws in wb.worksheets if ws.sheet_state == "visible")
    back, _ = read_workbook(path, catalogue)
    assert back is not None and comparable(back) == comparable(submission)


def demo_csv(tmp_path: Path) -> tuple[Catalogue, Submission, Path]:
    catalogue = Catalogue.load()
    submission = generate(list(catalogue.kpis.values()), CITIES[1], YEARS[-1])
    return catalogue, submission, write_csv(submission, tmp_path / "city.csv")


def test_fill_command_converts_a_tidy_csv(tmp_path: Path) -> None:
    catalogue, submission, csv = demo_csv(tmp_path)
    out = tmp_path / "filled.xlsx"
    result = runner.invoke(app, ["fill", str(csv), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert f"wrote {out}" in result.output
    back, report = read_workbook(out, catalogue)
    assert back is not None and report.valid and comparable(back) == comparable(submission)


def test_fill_command_refuses_bad_input_and_a_wrong_output(tmp_path: Path) -> None:
    _, submission, good = demo_csv(tmp_path)
    (tmp_path / "a-file").write_text("not a folder")
    unwritable = runner.invoke(app, ["fill", str(good), "-o", str(tmp_path / "a-file" / "out.xlsx")])
    assert unwritable.exit_code == 2 and "cannot write the workbook" in unwritable.output
    typo = [
        e.model_copy(update={"value": "12 345"}) if e.name == "households_with_internet" else e
        for e in submission.entries
    ]
    csv = write_csv(submission.model_copy(update={"entries": typo}), tmp_path / "typo.csv")
    out = tmp_path / "filled.xlsx"
    result = runner.invoke(app, ["fill", str(csv), "-o", str(out)])
    assert result.exit_code == 1, result.output
    assert "type-error" in result.output and "was not written" in result.output
    assert not out.exists()
    wrong = runner.invoke(app, ["fill", str(csv), "-o", str(tmp_path / "filled.ods")])
    assert wrong.exit_code == 2 and "must be an .xlsx file" in wrong.output
    missing = runner.invoke(app, ["fill", str(tmp_path / "nope.csv"), "-o", str(out)])
    assert missing.exit_code == 1 and "no such file" in missing.output
