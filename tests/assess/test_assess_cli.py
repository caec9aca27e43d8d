"""`citykpi assess` on real files, and the pandas API on the same files."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from citykpi.assess import summary_frame, to_frame
from citykpi.assess.table import COLUMNS
from citykpi.cli import app
from citykpi.collect.tidy import write_csv
from citykpi.demo.cities import city
from citykpi.demo.errors import spoil
from citykpi.demo.generate import generate
from citykpi.demo.workbook import write_filled
from citykpi.framework.catalogue import Catalogue
from citykpi.validate.files import InvalidSubmissionError, assess_files

runner = CliRunner(env={"COLUMNS": "200"})  # wide enough that rich does not fold locations


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return Catalogue.load()


@pytest.fixture(scope="module")
def files(catalogue: Catalogue, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("inputs")
    kpis = list(catalogue.kpis.values())
    broken = write_filled(catalogue, generate(kpis, city("Nyasoka"), 2024), folder / "broken.xlsx")
    spoil(broken)
    return {
        "town": write_csv(generate(kpis, city("Vellmarsk"), 2023), folder / "vellmarsk-2023.csv"),
        "town_workbook": write_filled(catalogue, generate(kpis, city("Vellmarsk"), 2024), folder / "v2024.xlsx"),
        "capital": write_csv(generate(kpis, city("Lotusgate"), 2023), folder / "lotusgate-2023.csv"),
        "broken": broken,
    }


def test_one_file_writes_the_three_files_with_the_documented_columns(files: dict[str, Path], tmp_path: Path) -> None:
    result = runner.invoke(app, ["assess", str(files["town"]), "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kpis.csv", "kpis.json", "summary.json"]
    with (tmp_path / "kpis.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert tuple(rows[0]) == COLUMNS
    assert len(rows) == 112  # one row per U4SSC data point
    internet = next(r for r in rows if r["code"] == "EC: ICT: ICT: 1C")
    assert internet["data_point"] == "" and internet["status"] == "computed" and float(internet["value"]) > 0
    assert {r["data_point"] for r in rows if r["code"] == "EN: EN: AQ: 1C"} == {"pm10", "pm2_5", "no2", "so2", "o3"}
    not_available = next(r for r in rows if r["code"] == "EN: EN: EQ: 2A")  # a gap the demo town declares
    assert not_available["status"] == "not available" and not_available["value"] == ""
    kpis = json.loads((tmp_path / "kpis.json").read_text(encoding="utf-8"))
    assert kpis["profile"]["city"] == "Vellmarsk" and len(kpis["results"]) == 112
    summary = json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))
    assert summary["total"]["kpis"] == 91
    assert [d["dimension"] for d in summary["by_dimension"]] == ["Economy", "Environment", "Society and Culture"]
    assert {lv["level"] for lv in summary["by_level"]} == {"core", "advanced"}
    assert "Vellmarsk 2023" in result.output


def test_several_files_write_one_folder_per_city_and_year(files: dict[str, Path], tmp_path: Path) -> None:
    args = ["assess", str(files["town"]), str(files["town_workbook"]), str(files["capital"]), "-o", str(tmp_path)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["lotusgate-2023", "vellmarsk-2023", "vellmarsk-2024"]
    assert (tmp_path / "vellmarsk-2024" / "summary.json").is_file()


def test_a_file_with_errors_prints_the_report_and_writes_nothing(files: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = runner.invoke(app, ["assess", str(files["town"]), str(files["broken"]), "-o", str(out)])
    assert result.exit_code == 1
    assert "zero-denominator" in result.output and "cell I17" in result.output
    assert "Nothing written" in result.output
    assert not out.exists()


def test_the_same_city_and_year_twice_is_refused(files: dict[str, Path], tmp_path: Path) -> None:
    result = runner.invoke(app, ["assess", str(files["town"]), str(files["town"]), "-o", str(tmp_path / "o")])
    assert result.exit_code == 1
    assert "both Vellmarsk, Nordaland (fictional) 2023" in result.output
    assert not (tmp_path / "o").exists()


def test_a_missing_file_is_a_located_error_not_a_traceback(tmp_path: Path) -> None:
    result = runner.invoke(app, ["assess", str(tmp_path / "nope.xlsx"), "-o", str(tmp_path / "o")])
    assert (result.exit_code == 1 and result.exception is None) or isinstance(result.exception, SystemExit)
    assert "no such file" in result.output


def test_frames_stack_cities_with_city_and_year(files: dict[str, Path], catalogue: Catalogue) -> None:
    frame = assess_files([files["town"], files["capital"]], catalogue)
    assert list(frame.columns[:3]) == ["city", "country", "year"]
    assert list(frame.columns[3:]) == list(COLUMNS)
    assert frame.groupby(["city", "year"]).size().to_dict() == {("Lotusgate", 2023): 112, ("Vellmarsk", 2023): 112}
    assert str(frame["quality"].dtype) == "Int64"


def test_summary_frame_has_a_row_per_city_and_group(files: dict[str, Path], catalogue: Catalogue) -> None:
    from citykpi.validate.files import assessed_or_raise

    assessments = [assessed_or_raise(files[k], catalogue) for k in ("town", "capital")]
    by_dimension = summary_frame(assessments)
    assert by_dimension.shape[0] == 6
    assert set(by_dimension["dimension"]) == {"Economy", "Environment", "Society and Culture"}
    total = summary_frame(assessments[0], by="total")
    assert total.loc[0, "kpis"] == 91
    single = to_frame(assessments[0])
    assert (single["data_point"] == "").sum() == 91 - 7  # seven multi-data-point KPIs label their rows


def test_assess_files_stops_at_an_invalid_file(files: dict[str, Path], catalogue: Catalogue) -> None:
    with pytest.raises(InvalidSubmissionError, match="zero-denominator"):
        assess_files([files["town"], files["broken"]], catalogue)


def test_an_output_folder_that_cannot_be_created_is_a_message_not_a_traceback(
    files: dict[str, Path], tmp_path: Path
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    result = runner.invoke(app, ["assess", str(files["town"]), "-o", str(blocker / "out")])
    assert result.exit_code == 1
    assert "output-error" in result.output and str(blocker / "out") in result.output
    assert not isinstance(result.exception, OSError)


def test_formula_like_texts_are_quoted_in_kpis_csv(catalogue: Catalogue, tmp_path: Path) -> None:
    """A source typed as '=HYPERLINK(...)' opens as text, not as a formula, in a spreadsheet (OWASP)."""
    submission = generate(list(catalogue.kpis.values()), city("Vellmarsk"), 2023)
    formula = '=HYPERLINK("http://evil.example","x")'
    entries = [e.model_copy(update={"source": formula}) for e in submission.entries]
    source = write_csv(submission.model_copy(update={"entries": entries}), tmp_path / "city.csv")
    result = runner.invoke(app, ["assess", str(source), "-o", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader((tmp_path / "out" / "kpis.csv").open(encoding="utf-8")))
    sources = {r["source"] for r in rows if r["source"]}
    assert sources == {"'" + formula}
    assert all(not r["value"].startswith("'") for r in rows)  # numbers, negative ones too, stay numbers
    assert json.loads((tmp_path / "out" / "kpis.json").read_text())["results"][0]["source"] in ("", formula)
