"""`citykpi index sensitivity` and `citykpi index analyse` end to end on the ASEM example files."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
import typer
from typer.testing import CliRunner

from citykpi.index.cli import register

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.fixture(scope="module")
def app() -> typer.Typer:
    root = typer.Typer()
    register(root)
    return root


def test_sensitivity_sa_writes_rank_stats_and_indices(app: typer.Typer, tmp_path: Path) -> None:
    out = tmp_path / "sa"
    args = ["index", "sensitivity", str(EXAMPLES / "asem-sensitivity.yaml"), "--runs", "32", "--type", "sa"]
    result = CliRunner().invoke(app, [*args, "--boot", "100", "--no-static", "-o", str(out)])
    assert result.exit_code == 0, result.output
    ranks = pd.read_csv(out / "rank_stats.csv")
    assert list(ranks.columns[:5]) == ["unit", "nominal", "median", "q05", "q95"] and len(ranks) == 51
    assert (ranks["q05"] <= ranks["q95"]).all()
    sens = pd.read_csv(out / "sensitivity.csv")
    assert list(sens["assumption"]) == ["winmax", "normalisation", "weights", "aggregation"]
    assert list(sens.columns) == [
        "assumption", "first_order", "total", "first_order_low", "first_order_high", "total_low", "total_high",
    ]  # fmt: skip
    # the reference finds aggregation the most influential and winmax the least
    top = sens.set_index("assumption")["total"]
    assert top.idxmax() == "aggregation" and top.idxmin() == "winmax"
    runs = pd.read_csv(out / "runs.csv")
    assert len(runs) == 32 * 6 and set(runs["block"]) >= {"A", "B", "AB:winmax"}
    assert set(runs["aggregation"]) == {"arithmetic", "geometric"}
    importance = pd.read_csv(out / "importance.csv")
    assert len(importance) == 49 + 8 + 2 and importance["mean_abs_rank_shift"].max() > 0
    units = pd.read_csv(out / "sensitivity_units.csv")
    assert len(units) == 51 * 4
    summary = json.loads((out / "summary.json").read_text())
    assert summary["runs"] == 192 and summary["failed_runs"] == 0
    assert (out / "uncertainty.html").exists() and (out / "sensitivity.html").exists()


def test_sensitivity_ua_with_workers(app: typer.Typer, tmp_path: Path) -> None:
    args = ["index", "sensitivity", str(EXAMPLES / "asem-sensitivity.yaml"), "--runs", "40", "--workers", "2"]
    result = CliRunner().invoke(app, [*args, "-o", str(tmp_path), "--no-static"])
    assert result.exit_code == 0, result.output
    assert len(pd.read_csv(tmp_path / "rank_stats.csv")) == 51
    assert not (tmp_path / "sensitivity.csv").exists()


def _sensitivity_errors(app: typer.Typer, folder: Path, uncertainty: str, *options: str) -> str:
    """Run `index sensitivity` on the ASEM data with this `uncertainty` YAML; expect exit 1, return the output."""
    data = EXAMPLES / "asem"
    config = folder / "config.yaml"
    config.write_text(
        f"data: {{units: {data / 'ASEM_iData.csv'}, meta: {data / 'ASEM_iMeta.csv'}}}\n"
        f"steps: [{{step: normalise}}, {{step: aggregate}}]\nuncertainty:\n{uncertainty}"
    )
    res = CliRunner().invoke(app, ["index", "sensitivity", str(config), *options, "-o", str(folder / "out")])
    assert res.exit_code == 1 and "Traceback" not in res.output
    return res.output


@pytest.mark.parametrize(
    ("uncertainty", "options", "expected"),
    [
        ("  - {step: treat, param: winmax, values: [1, 2]}\n", ["--runs", "8"], ["not in the pipeline"]),
        ("  - {step: aggregate, param: method, values: [arithmetic, geometric]}\n", ["--runs", "1", "--type", "xx"],
         ["--type", "--runs"]),
        ("  - {name: n, step: normalise, param: method, values: [minmax, zscore]}\n"
         "  - {name: n, step: normalise, param: range, values: [[1, 100], null, [0, 1]]}\n", ["--runs", "8"],
         ["linked", "uncertainty[1]"]),
        ("  - {name: a, step: aggregate, param: method, values: [arithmetic, genmean]}\n"
         "  - {name: a, step: aggregate, param: p, values: [2, 0]}\n", ["--runs", "8"],
         ["alternative 2 of 'a'", "geometric"]),
        ("  - {step: aggregate, param: method, values: [arithmetic, geometric]}\n", ["--runs", "8", "--type", "sa"],
         ["at least two assumptions"]),
    ],
)  # fmt: skip
def test_bad_input_gives_messages_not_tracebacks(
    app: typer.Typer, tmp_path: Path, uncertainty: str, options: list[str], expected: list[str]
) -> None:
    output = _sensitivity_errors(app, tmp_path, uncertainty, *options)
    for text in expected:
        assert text in output


@pytest.mark.slow
def test_analyse_writes_audit_export_and_charts(app: typer.Typer, tmp_path: Path) -> None:
    res = CliRunner().invoke(
        app,
        ["index", "analyse", str(EXAMPLES / "asem.yaml"), "-o", str(tmp_path), "--compare",
         str(EXAMPLES / "asem-sensitivity.yaml"), "--no-static"],
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    expected = ["stats_raw.csv", "correlations.csv", "cronbach.csv", "pca.csv", "profiles.csv", "importance.csv"]
    expected += ["comparison.csv", "index.xlsx", "index.json", "bar.html", "framework.html", "level_2.csv"]
    for name in expected:
        assert (tmp_path / name).exists(), name
    comparison = pd.read_csv(tmp_path / "comparison.csv")
    assert (comparison["abs_rank_diff"] == 0).all()  # same nominal pipeline, unperturbed weights
    res = CliRunner().invoke(app, ["index", "analyse", str(tmp_path / "missing.yaml"), "-o", str(tmp_path)])
    assert res.exit_code == 1 and "does not exist" in res.output
