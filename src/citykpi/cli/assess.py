"""`citykpi assess FILE... -o OUTDIR`: KPI values, with the reason where there is none.

All files are read and validated before anything is written: a batch with one broken file writes
nothing, so that an output folder never mixes a new run with an old one.

One file writes `OUTDIR/kpis.csv`, `kpis.json` and `summary.json`; several files write the same
three files into one subfolder per city and year (`OUTDIR/<city>-<year>/`, or
`OUTDIR/<city>-<country>-<year>/` for a name that cities of several countries share), so that each
city's folder can be handed to that city as is. The analysts' stacked table of many cities is the Python
API (`citykpi.validate.files.assess_files`).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from citykpi.cli import options
from citykpi.cli.failure import fail
from citykpi.cli.options import FrameworkOption

if TYPE_CHECKING:
    from rich.console import Console

    from citykpi.model.assessment import Assessment
    from citykpi.model.diagnostics import ValidationReport
    from citykpi.validate.files import CheckCatalogue


def register(app: typer.Typer) -> None:
    app.command("assess")(assess_command)


def assess_command(
    files: Annotated[
        list[Path], typer.Argument(help="Filled collection workbooks (.xlsx), tidy CSV files or datapackage.json.")
    ],
    out: Annotated[Path, options.out("Folder for kpis.csv, kpis.json and summary.json.")],
    framework: FrameworkOption = None,
) -> None:
    """Compute every KPI the files allow and write the values, statuses and reasons."""
    from rich.console import Console

    from citykpi.assess.output import write_assessment
    from citykpi.assess.summary import summary

    console = Console(stderr=True)
    catalogue = options.load_catalogue(framework)
    outcomes = _read_all(files, catalogue, console)
    _stop_on_errors(outcomes, console)
    assessments = [(path, a) for path, a, _ in outcomes if a is not None]
    folders = _folders(assessments, out)
    for (path, assessment), folder in zip(assessments, folders, strict=True):
        try:
            written = write_assessment(assessment, folder)
        except OSError as exc:
            # An output folder that cannot be created or written is the user's to fix: say which and why.
            raise fail(f"[output-error] cannot write the results into {folder}: {exc.strerror or exc}") from None
        t = summary(assessment).total
        typer.echo(
            f"{path.name}: {assessment.profile.city} {assessment.profile.year} — {t.kpis_reported} of {t.kpis} KPIs "
            f"reported, {t.kpis_partial} partial, {t.data_points_error} data point(s) in error → {written[0]}"
        )


def _read_all(
    files: list[Path], catalogue: CheckCatalogue, console: Console
) -> list[tuple[Path, Assessment | None, ValidationReport]]:
    from rich.progress import Progress

    from citykpi.validate.files import check_file

    outcomes: list[tuple[Path, Assessment | None, ValidationReport]] = []
    with Progress(console=console, transient=True, disable=len(files) < 2) as progress:
        task = progress.add_task("Validating and assessing", total=len(files))
        for path in files:
            checked = check_file(path, catalogue)
            outcomes.append((path, checked.accepted, checked.report))
            progress.advance(task)
    return outcomes


def _stop_on_errors(outcomes: list[tuple[Path, Assessment | None, ValidationReport]], console: Console) -> None:
    from citykpi.cli.report_view import print_report

    bad = [(path, report) for path, assessment, report in outcomes if assessment is None]
    for path, report in bad:
        print_report(report, console, title=path.name)
    warned = sum(1 for _, a, r in outcomes if a is not None and r.warnings)
    if warned:
        console.print(f"{warned} file(s) valid with warnings; `citykpi validate FILE` lists them.")
    if bad:
        raise fail(f"Nothing written: {len(bad)} of {len(outcomes)} file(s) have errors.")


def _folders(assessments: list[tuple[Path, Assessment]], out: Path) -> list[Path]:
    from citykpi.assess.output import folder_names

    if len(assessments) == 1:
        return [out]
    seen: dict[str, Path] = {}
    for (path, assessment), name in zip(assessments, folder_names([a for _, a in assessments]), strict=True):
        if name in seen:
            raise fail(
                f"{seen[name].name} and {path.name} are both {assessment.profile.place_label} "
                f"{assessment.profile.year}; give each city and year once. Nothing written."
            )
        seen[name] = path
    return [out / name for name in seen]
