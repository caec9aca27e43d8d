"""`citykpi export` / `citykpi import` end to end, and clear errors for broken exchange files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from citykpi.cli import app
from citykpi.collect.tidy import write_csv
from citykpi.exchange.formats import FORMATS, import_any
from citykpi.model.errors import DiagnosticError


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_export_from_submission_and_import_back(fmt: str, make_submission, tmp_path: Path) -> None:
    files = [
        write_csv(make_submission("São Paulo", "BR", year, 1.0), tmp_path / f"sp-{year}.csv") for year in (2021, 2022)
    ]
    runner = CliRunner()
    exported = runner.invoke(app, ["export", *map(str, files), "--format", fmt, "-o", str(tmp_path / "out")])
    assert exported.exit_code == 0, exported.output
    assert "2 city-year(s)" in exported.output
    imported = runner.invoke(app, ["import", str(tmp_path / "out"), "-o", str(tmp_path / "back")])
    assert imported.exit_code == 0, imported.output
    back = json.loads((tmp_path / "back" / "sao-paulo-2022" / "kpis.json").read_text(encoding="utf-8"))
    pm10 = next(r for r in back["results"] if r["code"] == "EN: EN: AQ: 1C" and r["data_point"] == "pm10")
    assert pm10["value"] == pytest.approx(21.3) and pm10["quality"] == 1 and pm10["verified"] is True


def test_export_of_a_missing_file_fails_cleanly(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["export", str(tmp_path / "nope.csv"), "-f", "sdmx-csv", "-o", str(tmp_path)])
    assert result.exit_code == 1 and "nope.csv" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_unknown_folder_is_not_guessed(tmp_path: Path) -> None:
    with pytest.raises(DiagnosticError, match="cannot tell the format"):
        import_any(tmp_path)


def corrupt(folder: Path, name: str, old: str, new: str) -> None:
    path = folder / name
    path.write_text(path.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")


@pytest.mark.parametrize(
    ("fmt", "file", "old", "new", "expected"),
    [
        ("frictionless", "results.csv", "21.3", "21.3x", "not a number"),
        ("frictionless", "results.csv", ",reported,", ",done,", "not a result status"),
        ("sdmx-csv", "data.csv", "SAO_PAULO", "PARIS", "'PARIS' is not in the structure's codelist for REF_AREA"),
        ("sdmx-csv", "data.csv", "DATA_QUALITY", "QUALITY", "missing column(s) ['DATA_QUALITY']"),
        ("ngsi-ld", "entities.jsonld", '"resultStatus":{"type":"Property","value":"reported"}',
         '"resultStatus":{"type":"Property","value":3}', "attribute 'resultStatus': Input should be"),
        ("ngsi-ld", "entities.jsonld", '"KeyPerformanceIndicator",', '"KeyPerformanceIndicator",,', "not valid JSON"),
        ("open-sdg", "data/indicator_en-en-aq-1c.csv", ",pm10,", ",pm1,", "'pm1' is not a data point of EN: EN"),
    ],
)  # fmt: skip
def test_broken_exports_give_located_errors(fmt, file, old, new, expected, assessments, catalogue, tmp_path) -> None:
    FORMATS[fmt].export(assessments, catalogue.kpis, tmp_path, None)
    corrupt(tmp_path, file, old, new)
    with pytest.raises(DiagnosticError) as caught:
        import_any(tmp_path)
    (problem,) = caught.value.diagnostics
    assert expected in problem.message
    assert problem.location.file == Path(file).name
    assert problem.location.row is not None or problem.location.column is not None or fmt == "sdmx-csv"


def test_the_format_choices_of_the_command_line_are_the_exchange_formats() -> None:
    from citykpi.cli.exchange import ExchangeFormat

    assert [f.value for f in ExchangeFormat] == list(FORMATS)
