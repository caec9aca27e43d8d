"""`citykpi targets derive`: leading-city benchmarks from the results of many cities, as a target file."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Annotated

import typer

from citykpi.cli.failure import fail
from citykpi.cli.options import FrameworkOption, load_catalogue


def register(app: typer.Typer) -> None:
    targets = typer.Typer(help="Target files: derive leading-city benchmarks.", no_args_is_help=True)
    targets.command("derive")(derive_command)
    app.add_typer(targets, name="targets")


def derive_command(
    files: Annotated[
        list[Path],
        typer.Argument(help="Results of many cities: assessment folders (kpis.json), workbooks, CSV or data packages."),
    ],
    out: Annotated[Path, typer.Option("--out", "-o", help="The target file to write (.yaml).")],
    quantile: Annotated[
        float, typer.Option("--quantile", help="Quantile of the direction-adjusted values, between 0 and 1.")
    ] = 0.9,
    min_cities: Annotated[int, typer.Option("--min-cities", help="Fewest cities a data point needs.", min=1)] = 10,
    name: Annotated[str | None, typer.Option("--name", help="Name of the reference set (default: its size)")] = None,
    targets: Annotated[list[Path] | None, typer.Option("--targets", help="Target files that keep precedence.")] = None,
    no_default_targets: Annotated[
        bool, typer.Option("--no-default-targets", help="Derive also where the shipped public set has a target.")
    ] = False,
    framework: FrameworkOption = None,
) -> None:
    """Write a target for every data point without a better one: what the leading cities reach."""
    from citykpi.cli.report import load_book
    from citykpi.exchange.sources import load_assessment
    from citykpi.scoring.derive import BETTER, by_city, derive
    from citykpi.scoring.peers import screening_rule
    from citykpi.scoring.targetfiles import write_targets

    if out.suffix.lower() not in (".yaml", ".yml"):
        raise fail(f"{out}: a derived target file is YAML (.yaml or .yml); its derivations do not fit a CSV row.")
    if not 0 < quantile < 1:
        raise fail(f"--quantile {quantile}: give a number between 0 and 1, e.g. 0.9 for the 90th percentile.")
    catalogue = load_catalogue(framework)
    better = load_book(targets, not no_default_targets, catalogue)
    assessments, problems = [], []
    for path in files:
        assessment, found = load_assessment(path, catalogue)
        problems += [f"{path.name}: {d}" for d in found]
        if assessment is not None:
            assessments.append(assessment)
    if problems:
        raise fail(f"{len(files) - len(assessments)} of {len(files)} input(s) have errors; nothing written.", problems)
    cities = by_city(assessments)
    years = sorted({a.profile.year for a in assessments})
    span = f"{years[0]}" if len(years) == 1 else f"{years[0]}-{years[-1]}" if years else "no years"
    label = name or f"{len(cities)} cities, {span}"
    rule = screening_rule()
    derived = derive(
        assessments, catalogue.kpis, better, name=label, set_id=out.stem, rule=rule, q=quantile, min_cities=min_cities
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    write_targets(derived.targets, out)
    typer.echo(
        f"{out}: {len(derived.targets.targets)} leading-city targets from {len(cities)} cities "
        f"({label}); {len(derived.targets.peers)} data points with peer figures for screening"
    )
    why = Counter(item.why for item in derived.left_out)
    typer.echo("Left out: " + ", ".join(f"{n} {w}" for w, n in why.most_common()) if why else "Left out: none")
    for item in derived.left_out:
        if item.why != BETTER:
            typer.echo(f"  {item.kpi} [{item.data_point}]: {item.reason}")
