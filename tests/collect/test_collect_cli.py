"""`citykpi template` and `citykpi validate` as a city team runs them: files in, report and exit code out."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import openpyxl
from typer.testing import CliRunner
from workbook_helpers import cell, edit

from citykpi.cli import app

runner = CliRunner()


def test_template_then_validate_a_blank_workbook(tmp_path: Path) -> None:
    out = tmp_path / "pully.xlsx"
    result = runner.invoke(
        app,
        ["template", "--city", "Pully", "--year", "2024", "--population", "18000", "--currency", "chf", "-o", str(out)],
    )
    assert result.exit_code == 0, result.output
    assert "91 KPIs" in result.output
    cover = {r[2]: r[1] for r in openpyxl.load_workbook(out)["Cover"].iter_rows(min_row=4, values_only=True)}
    assert cover["city"] == "Pully" and cover["population"] == 18000 and cover["currency"] == "CHF"
    result = runner.invoke(app, ["validate", str(out), "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == {"valid": True, "errors": [], "warnings": []}


def test_validate_reports_errors_as_json_and_exits_1(tmp_path: Path) -> None:
    template = tmp_path / "t.xlsx"
    assert runner.invoke(app, ["template", "--city", "X", "--year", "2023", "-o", str(template)]).exit_code == 0
    sheet, ref = cell(template, "EC: ICT: ICT: 1C", "value", "value")
    bad = edit(template, tmp_path / "bad.xlsx", {(sheet, ref): "45 %"})
    result = runner.invoke(app, ["validate", str(bad), "--format", "json"])
    assert result.exit_code == 1
    report = json.loads(result.output)
    assert report["valid"] is False
    [problem] = report["errors"]
    assert problem["type"] == "type-error"
    assert problem["location"]["sheet"] == "Economy" and problem["location"]["cell"] == ref
    assert problem["location"]["kpi"] == "EC: ICT: ICT: 1C" and problem["location"]["file"] == "bad.xlsx"


def test_annotated_copy_highlights_and_lists_problems(tmp_path: Path) -> None:
    template = tmp_path / "t.xlsx"
    runner.invoke(app, ["template", "--city", "X", "--year", "2023", "-o", str(template)])
    sheet, ref = cell(template, "EC: ICT: ICT: 1C", "value", "value")
    bad = edit(template, tmp_path / "bad.xlsx", {(sheet, ref): 140})
    result = runner.invoke(app, ["validate", str(bad), "--annotate", str(tmp_path / "checked.xlsx")])
    assert result.exit_code == 1
    assert "constraint-error" in result.output and "above the maximum 100" in result.output
    wb = openpyxl.load_workbook(tmp_path / "checked.xlsx")
    assert wb.sheetnames[0] == "Problems"
    problems = list(wb["Problems"].iter_rows(min_row=2, values_only=True))
    assert problems[0][:5] == ("error", "constraint-error", "Economy", ref, "EC: ICT: ICT: 1C")
    assert wb["Problems"]["D2"].hyperlink.location == f"'Economy'!{ref}"
    assert wb["Problems"]["F2"].alignment.wrap_text and wb["Problems"].page_setup.fitToWidth == 1
    flagged = wb[sheet][ref]
    assert flagged.fill.fgColor.rgb.endswith("F8CBAD")
    assert "above the maximum" in flagged.comment.text
    again = runner.invoke(app, ["validate", str(tmp_path / "checked.xlsx"), "--format", "json"])
    assert [e["type"] for e in json.loads(again.output)["errors"]] == ["constraint-error"]  # Problems sheet skipped
    blocked = tmp_path / "a-file"
    blocked.write_text("")
    result = runner.invoke(app, ["validate", str(bad), "--annotate", str(blocked / "checked.xlsx")])
    assert result.exit_code == 1 and not isinstance(result.exception, OSError)
    assert "cannot write the annotated copy" in result.stderr


def test_garbage_and_missing_files_give_a_report_not_a_traceback(tmp_path: Path) -> None:
    garbage = tmp_path / "data.xlsx"
    garbage.write_bytes(b"\x00\x01garbage" * 100)
    for target in (garbage, tmp_path / "missing.csv", tmp_path):
        result = runner.invoke(app, ["validate", str(target)])
        assert result.exit_code == 1, result.output
        assert result.exception is None or isinstance(result.exception, SystemExit)
        assert "Traceback" not in result.output


def test_size_limit_is_configurable(tmp_path: Path) -> None:
    template = tmp_path / "t.xlsx"
    runner.invoke(app, ["template", "--city", "X", "--year", "2023", "-o", str(template)])
    result = runner.invoke(app, ["validate", str(template), "--max-mb", "0.01", "--format", "json"])
    assert result.exit_code == 1
    assert json.loads(result.output)["errors"][0]["type"] == "hostile-file"


def test_bad_framework_file_and_bad_output_name_exit_2(tmp_path: Path) -> None:
    broken = tmp_path / "local.yaml"
    broken.write_text("id: local\nkpis: [")
    result = runner.invoke(
        app, ["template", "--city", "X", "--year", "2023", "--framework", str(broken), "-o", str(tmp_path / "t.xlsx")]
    )
    assert result.exit_code == 2
    result = runner.invoke(app, ["template", "--city", "X", "--year", "2023", "-o", str(tmp_path / "t.csv")])
    assert result.exit_code == 2 and ".xlsx" in result.output


def test_installed_command_runs_end_to_end(tmp_path: Path) -> None:
    """The real entry point in a fresh process: what `make demo` and a city team run."""
    bad = tmp_path / "sent-as.xlsx"
    bad.write_text("city,year\nX,2024\n")
    done = subprocess.run(
        [sys.executable, "-m", "citykpi.cli", "validate", str(bad), "--format", "json"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1, done.stderr
    assert json.loads(done.stdout)["errors"][0]["type"] == "format-error"
    assert "Traceback" not in done.stderr
