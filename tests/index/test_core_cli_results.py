"""CLI `citykpi index build`, result tables, sport ranks and input-table errors."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from citykpi.index import io
from citykpi.index.cli import index_app
from citykpi.index.ranks import sport_rank
from citykpi.model.errors import DiagnosticError

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


class _Result:
    def __init__(self, returncode: int, stdout: str, stderr: str) -> None:
        self.returncode, self.stdout, self.stderr = returncode, stdout, stderr


def _cli(*args: str) -> _Result:
    """The `citykpi index` sub-app in process (the top-level app imports every package's commands)."""
    result = CliRunner().invoke(index_app, list(args))
    return _Result(result.exit_code, result.stdout, result.stderr)


def test_index_commands_are_registered() -> None:
    from citykpi.cli import app

    result = CliRunner().invoke(app, ["index", "--help"])
    assert result.exit_code == 0 and all(name in result.output for name in ("build", "analyse", "sensitivity"))


def test_build_asem_writes_scores_and_step_tables(tmp_path: Path) -> None:
    result = _cli("build", str(EXAMPLES / "asem.yaml"), "-o", str(tmp_path))
    assert result.returncode == 0, result.stderr
    scores = pd.read_csv(tmp_path / "scores.csv")
    assert list(scores.columns) == ["unit", "time", "level", "code", "score", "rank"]
    top = scores[scores["code"] == "Index"]
    assert len(top) == 51 and top["rank"].min() == 1
    for name in ("raw", "denominated", "imputed", "screened", "treated", "normalised", "aggregated"):
        assert (tmp_path / f"{name}.csv").exists(), name
    log = json.loads((tmp_path / "log.json").read_text())
    assert [r["step"] for r in log["log"]] == ["denominate", "impute", "screen", "treat", "normalise", "aggregate"]
    assert log["log"][1]["summary"]["imputed_cells"] > 0


def test_bad_config_gives_message_not_traceback(tmp_path: Path) -> None:
    cfg = tmp_path / "bad.yaml"
    cfg.write_text("data: {units: nope.csv, meta: nope.csv}\nsteps: [{step: normalise, method: cubic}]\n")
    result = _cli("build", str(cfg), "-o", str(tmp_path / "out"))
    assert result.returncode == 1
    assert "steps[0].method" in result.stderr and "Traceback" not in result.stderr
    cfg.write_text("data: {units: nope.csv, meta: nope.csv}\nsteps: [{step: normalise}]\n")
    result = _cli("build", str(cfg), "-o", str(tmp_path / "out"))
    assert result.returncode == 1 and "does not exist" in result.stderr and "Traceback" not in result.stderr


def test_sport_rank_ties_share_best_rank_nan_kept_batched() -> None:
    x = np.array([[3.0, 1.0, 3.0, np.nan, 5.0], [1.0, 2.0, 3.0, 4.0, 5.0]])
    np.testing.assert_array_equal(sport_rank(x, axis=-1), [[2, 4, 2, np.nan, 1], [5, 4, 3, 2, 1]])


def test_metadata_errors_are_collected_with_rows() -> None:
    meta = pd.DataFrame(
        {
            "iCode": ["a", "a", "b", "P"],
            "Level": [1, 1, 1, 2],
            "Parent": ["P", "P", "Missing", None],
            "Type": ["Indicator", "Indicator", "Indicator", "Aggregate"],
            "Direction": [1, 1, 2, None],
        }
    )
    with pytest.raises(DiagnosticError) as err:
        io.build_hierarchy(meta, "meta.csv")
    found = {(d.type, d.location.row) for d in err.value.diagnostics}
    assert ("duplicate-label", 3) in found
    assert ("foreign-key", 4) in found
    assert ("constraint-error", 4) in found  # direction 2


def test_unit_data_errors_name_cell() -> None:
    meta = pd.DataFrame(
        {"iCode": ["a", "P"], "Level": [1, 2], "Parent": ["P", None], "Type": ["Indicator", "Aggregate"]}
    )
    hierarchy, _ = io.build_hierarchy(meta)
    units = pd.DataFrame({"uCode": ["X", "X", "Y"], "a": ["1", "two", "3"]})
    with pytest.raises(DiagnosticError) as err:
        io.build_data(units, hierarchy, meta, "units.csv")
    found = {(d.type, d.location.row, d.location.column) for d in err.value.diagnostics}
    assert ("duplicate-row", 3, "uCode") in found
    assert ("type-error", 3, "a") in found


def test_levels_inferred_and_flat_framework() -> None:
    meta = pd.DataFrame({"iCode": ["a", "b"], "Type": ["Indicator", "Indicator"]})
    hierarchy, _ = io.build_hierarchy(meta)
    assert hierarchy.n_levels == 1
    deep = pd.DataFrame(
        {"iCode": ["a", "b", "P", "T"], "Parent": ["P", "T", "T", None], "Type": ["Indicator"] * 2 + ["Aggregate"] * 2}
    )
    with pytest.raises(DiagnosticError, match="must be at level"):
        io.build_hierarchy(deep)  # b skips a level


def test_flat_framework_from_excel_builds_and_ranks(tmp_path: Path) -> None:
    units = pd.DataFrame({"uCode": ["A", "B", "C"], "x": [1.0, 3.0, 2.0], "y": [10.0, 30.0, 30.0]})
    meta = pd.DataFrame({"iCode": ["x", "y"], "Type": ["Indicator", "Indicator"], "Direction": [1, -1]})
    with pd.ExcelWriter(tmp_path / "data.xlsx") as writer:
        units.to_excel(writer, sheet_name="units", index=False)
        meta.to_excel(writer, sheet_name="meta", index=False)
    (tmp_path / "flat.yaml").write_text(
        "data: {units: data.xlsx, units_sheet: units, meta: data.xlsx, meta_sheet: meta}\n"
        "steps: [{step: normalise, method: minmax}, {step: aggregate}]\n"
    )
    result = _cli("build", str(tmp_path / "flat.yaml"), "-o", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    scores = pd.read_csv(tmp_path / "out" / "scores.csv")
    y = scores[scores["code"] == "y"].set_index("unit")
    assert y.loc["A", "score"] == 100 and y.loc["A", "rank"] == 1  # lower is better
    assert y.loc["B", "rank"] == y.loc["C", "rank"] == 2  # tie shares the best rank


def test_panel_tables_keep_one_time_point(tmp_path: Path) -> None:
    units = pd.DataFrame({"uCode": ["A", "A", "B", "B"], "Time": [2020, 2021, 2020, 2021], "x": [1.0, 2.0, 3.0, 4.0]})
    meta = pd.DataFrame({"iCode": ["x"], "Type": ["Indicator"]})
    units.to_csv(tmp_path / "u.csv", index=False)
    meta.to_csv(tmp_path / "m.csv", index=False)
    base = "data: {units: u.csv, meta: m.csv, year: %s}\nsteps: [{step: normalise}]\n"
    (tmp_path / "c.yaml").write_text(base % 2021)
    assert _cli("build", str(tmp_path / "c.yaml"), "-o", str(tmp_path / "o")).returncode == 0
    raw = pd.read_csv(tmp_path / "o" / "raw.csv")
    assert raw["x"].tolist() == [2.0, 4.0]
    (tmp_path / "c.yaml").write_text(base % 1999)
    result = _cli("build", str(tmp_path / "c.yaml"), "-o", str(tmp_path / "o"))
    assert result.returncode == 1 and "no unit data rows for time 1999" in result.stderr
