from citykpi.model.diagnostics import Diagnostic, Location, ValidationReport, error, reading_order, warning


def test_report_splits_errors_and_warnings_and_is_invalid_with_an_error() -> None:
    report = ValidationReport.from_diagnostics(
        [
            error("type-error", "not a number", file="a.xlsx", sheet="Economy", cell="D7"),
            warning("plausibility", "broadband above internet access", kpi="EC: ICT: ICT: 2C"),
        ]
    )
    assert not report.valid
    assert [d.type for d in report.errors] == ["type-error"]
    assert [d.type for d in report.warnings] == ["plausibility"]
    assert str(report.errors[0]) == "[type-error] a.xlsx, sheet 'Economy', cell D7: not a number"


def test_location_without_cell_names_row_and_column() -> None:
    assert str(Location(file="x.csv", row=3, column="value")) == "x.csv, row 3, column 'value'"
    assert str(Location()) == "(whole input)"


def test_warnings_alone_keep_a_report_valid() -> None:
    report = ValidationReport.from_diagnostics([warning("plausibility", "odd")])
    assert report.valid
    assert report.merged(ValidationReport(valid=True)).warnings == report.warnings


def test_reading_order_goes_sheet_by_sheet_down_the_rows_then_across() -> None:
    def at(sheet: str, cell: str) -> Diagnostic:
        return Diagnostic(type="plausibility", message="m", location=Location(sheet=sheet, cell=cell))

    expected = [("Cover", "B95"), ("Economy", "B9"), ("Economy", "C10"), ("Economy", "AA10"), ("Economy", "I100")]
    found = [at(*expected[i]) for i in (3, 1, 2, 0, 4)]
    assert [(d.location.sheet, d.location.cell) for d in sorted(found, key=reading_order)] == expected
