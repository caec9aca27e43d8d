"""`citykpi index ...` commands: build an index from a YAML configuration."""

from __future__ import annotations

from pathlib import Path

import typer

from citykpi.index.terminal import summarised
from citykpi.model.diagnostics import ValidationReport

index_app = typer.Typer(help="Build composite indices (OECD/JRC method) from KPI data.", no_args_is_help=True)


@index_app.callback()
def _group() -> None:
    """Composite indices following the OECD/JRC Handbook: build, analyse, sensitivity."""


@index_app.command("build")
def build(
    config: Path = typer.Argument(..., help="YAML configuration"),
    out: Path = typer.Option(..., "-o", "--out", help="Output directory"),
    json_out: bool = typer.Option(False, "--json", help="On failure print every diagnostic as JSON on stdout"),
) -> None:
    """Run the configured pipeline; write scores.csv and one CSV per step."""
    from citykpi.index.config import load_config
    from citykpi.index.export import write_outputs
    from citykpi.index.pipeline import run
    from citykpi.model.errors import DiagnosticError

    try:
        index = run(load_config(config))
    except DiagnosticError as exc:
        if json_out:
            typer.echo(ValidationReport.from_diagnostics(exc.diagnostics).model_dump_json(indent=2))
        else:
            for line in summarised(exc.diagnostics):
                typer.echo(line, err=True)
        raise typer.Exit(code=1) from None
    written = write_outputs(index, out)
    typer.echo(f"wrote {len(written)} files to {out}")


def register(app: typer.Typer) -> None:
    from citykpi.index.analysis.cli import register_analysis  # `index analyse` and `index sensitivity`

    register_analysis(index_app)
    app.add_typer(index_app, name="index")
