"""`citykpi index analyse` and `citykpi index sensitivity`, added to the `index` sub-app.

Heavy imports stay inside the commands so that `citykpi --help` remains fast. Every problem the
user can cause (configuration, data, options) is printed as diagnostics and exits with code 1.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

if TYPE_CHECKING:
    from citykpi.index.model import Index
    from citykpi.index.sensitivity.study import Study


def _guard(action: Callable[[], None]) -> None:
    """Run `action`; configuration and data problems become printed diagnostics, not tracebacks."""
    from citykpi.index.terminal import summarised
    from citykpi.model.errors import DiagnosticError

    try:
        action()
    except DiagnosticError as exc:
        for line in summarised(exc.diagnostics):
            typer.echo(line, err=True)
        raise typer.Exit(code=1) from None


def _build(config: Path) -> tuple[Index, Any]:
    from citykpi.index.config import load_config
    from citykpi.index.pipeline import run

    cfg = load_config(config)
    return run(cfg), cfg


def _write_charts(specs: dict[str, dict[str, Any]], out: Path, static: bool) -> list[Path]:
    from citykpi.index.vegalite import write

    written = []
    for name, spec in specs.items():
        written.append(write(spec, out / f"{name}.html"))
        if static:
            written.append(write(spec, out / f"{name}.png"))
    return written


def analyse(
    config: Path = typer.Argument(..., help="YAML configuration"),
    out: Path = typer.Option(..., "-o", "--out", help="Output directory"),
    method: str = typer.Option("pearson", help="Correlation: pearson, spearman or kendall"),
    pval: float = typer.Option(0.05, help="Correlations with a larger p-value are masked in r_masked"),
    compare_with: Path | None = typer.Option(None, "--compare", help="Second configuration to compare ranks with"),
    static: bool = typer.Option(True, help="Also render charts as PNG"),
) -> None:
    """Statistical audit: indicator statistics, correlations, alpha, PCA, profiles, importance, charts, Excel."""
    if method not in ("pearson", "spearman", "kendall"):
        typer.echo(f"[invalid-option] --method: {method!r} is not pearson, spearman or kendall", err=True)
        raise typer.Exit(code=1)

    def action() -> None:
        from citykpi.index import charts, export
        from citykpi.index.analysis.compare import compare
        from citykpi.index.analysis.correlation import correlate, tidy
        from citykpi.index.analysis.report import audit
        from citykpi.index.model import AGGREGATED
        from citykpi.index.sensitivity.importance import leave_one_out_all

        index, _ = _build(config)
        tables = audit(index, method, pval)  # type: ignore[arg-type]
        figures: dict[str, Any] = {}
        if AGGREGATED in index.datasets:
            tables["importance"] = leave_one_out_all(index)
            figures["bar"] = charts.bar_chart(index)
            ind = index.hierarchy.indicators
            cols = [index.columns(AGGREGATED).index(c) for c in ind]
            heat = tidy(correlate(index.datasets[AGGREGATED][:, cols], method=method), ind, ind, pval)  # type: ignore[arg-type]
            figures["correlations"] = charts.correlation_heatmap(heat)
        figures["framework"] = charts.sunburst(index.hierarchy, index.weights)
        if compare_with is not None:
            other, _ = _build(compare_with)
            tables["comparison"] = compare(index, other)
        written = export.write_csv(index, out, tables)
        book = dict(tables)
        if "correlations" in book:  # the long table is slow to write as cells: the workbook gets the matrix
            long = book.pop("correlations")
            book["correlation matrix"] = long.pivot(index="var1", columns="var2", values="r").reset_index()
        written.append(export.write_excel(index, out / "index.xlsx", book))
        written.append(export.write_json(index, out / "index.json", tables))
        written += _write_charts({name: chart.to_dict() for name, chart in figures.items()}, out, static)
        typer.echo(f"wrote {len(written)} files to {out}")

    _guard(action)


def _study_tables(study: Study) -> dict[str, Any]:
    import numpy as np
    import pandas as pd

    rs = study.rank_stats
    tables: dict[str, Any] = {
        "rank_stats": pd.DataFrame(
            {"unit": study.units, "nominal": rs.nominal, "median": rs.median, "q05": rs.q05, "q95": rs.q95,
             "mean": rs.mean}
        ),
    }  # fmt: skip
    runs = pd.DataFrame(study.parameters)
    n = study.n
    block = ["A"] * n + ["B"] * n + [f"AB:{a.label}" for a in study.assumptions for _ in range(n)]
    runs.insert(0, "run", np.arange(1, len(runs) + 1))
    if study.indices is not None:
        runs.insert(1, "block", block[: len(runs)])
    runs["mean_abs_rank_shift"] = study.shift
    runs["failed"] = np.asarray(np.isnan(study.scores).all(axis=1))
    tables["runs"] = runs
    if study.indices is not None and study.unit_indices is not None:
        labels = [a.label for a in study.assumptions]
        s, u = study.indices, study.unit_indices
        tables["sensitivity"] = pd.DataFrame(
            {"assumption": labels, "first_order": s.first_order, "total": s.total,
             "first_order_low": s.first_order_low, "first_order_high": s.first_order_high,
             "total_low": s.total_low, "total_high": s.total_high}
        )  # fmt: skip
        d, n_units = u.total.shape
        tables["sensitivity_units"] = pd.DataFrame(
            {"unit": np.tile(study.units, d), "assumption": np.repeat(labels, n_units),
             "first_order": u.first_order.ravel(), "total": u.total.ravel(),
             "total_low": u.total_low.ravel(), "total_high": u.total_high.ravel()}
        )  # fmt: skip
    return tables


def sensitivity(
    config: Path = typer.Argument(..., help="YAML configuration with an 'uncertainty' list"),
    out: Path = typer.Option(..., "-o", "--out", help="Output directory"),
    runs: int = typer.Option(..., "--runs", help="UA: number of runs; SA: base sample N (N(d+2) runs)"),
    kind: str = typer.Option("ua", "--type", help="ua (rank bands) or sa (rank bands and Sobol indices)"),
    workers: int = typer.Option(1, "--workers", help="Local worker processes"),
    scheduler: str | None = typer.Option(None, "--scheduler", help="Address of a dask.distributed scheduler"),
    seed: int = typer.Option(0, help="Seed of the scrambled Sobol' sequence and the bootstrap"),
    boot: int = typer.Option(1000, help="Bootstrap draws for the intervals of the Sobol indices"),
    target: str | None = typer.Option(None, help="Code whose ranks are analysed; default the top aggregate"),
    static: bool = typer.Option(True, help="Also render charts as PNG"),
) -> None:
    """Uncertainty (rank bands) or sensitivity (Sobol indices) analysis over the declared assumptions."""
    problems = []
    if kind not in ("ua", "sa"):
        problems.append(f"[invalid-option] --type: {kind!r} is neither ua nor sa")
    if runs < 2:
        problems.append(f"[invalid-option] --runs: need at least 2, got {runs}")
    if workers < 1:
        problems.append(f"[invalid-option] --workers: need at least 1, got {workers}")
    if problems:
        typer.echo("\n".join(problems), err=True)
        raise typer.Exit(code=1)

    def action() -> None:
        import json

        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        from citykpi.index import vegalite
        from citykpi.index.sensitivity import study as studies
        from citykpi.index.sensitivity.assumptions import from_config
        from citykpi.index.sensitivity.backend import Execution
        from citykpi.index.sensitivity.importance import leave_one_out_all

        index, cfg = _build(config)
        assumptions = from_config(cfg)
        execution = Execution(workers=workers, scheduler=scheduler)
        total = studies.total_runs(kind, runs, len(assumptions))
        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        with Progress(*columns, transient=False) as bar:
            task = bar.add_task(f"{kind.upper()} runs", total=total)

            def tick(k: int) -> None:
                bar.advance(task, k)

            if kind == "sa":
                result = studies.sensitivity(index, assumptions, runs, seed, boot, target, execution, tick)
            else:
                result = studies.uncertainty(index, assumptions, runs, seed, target, execution, tick)
        out.mkdir(parents=True, exist_ok=True)
        tables = _study_tables(result)
        tables["importance"] = leave_one_out_all(index, result.target)
        for name, table in tables.items():
            table.to_csv(out / f"{name}.csv", index=False)
        figures = {"uncertainty": vegalite.uncertainty_spec(tables["rank_stats"])}
        if "sensitivity" in tables:
            figures["sensitivity"] = vegalite.sensitivity_spec(tables["sensitivity"])
        _write_charts(figures, out, static)
        summary = {
            "type": kind, "target": result.target, "runs": len(result.parameters), "base_n": result.n,
            "assumptions": [a.label for a in result.assumptions], "failed_runs": result.failed,
            "failures": result.failures,
            "upstream_states_computed": result.states_built, "seconds": round(result.seconds, 3),
        }  # fmt: skip
        (out / "summary.json").write_text(json.dumps(summary, indent=2), encoding="utf-8")
        typer.echo(f"{summary['runs']} runs in {summary['seconds']} s ({result.failed} failed); results in {out}")

    _guard(action)


def register_analysis(index_app: typer.Typer) -> None:
    index_app.command("analyse")(analyse)
    index_app.command("sensitivity")(sensitivity)
