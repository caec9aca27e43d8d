"""The `--framework FILE` option and the catalogue it loads, shared by every command that reads KPIs.

One definition, so that `kpis`, `template`, `validate`, `assess` and `report` accept the same option
with the same help and treat a broken framework file the same way: its problems are printed, each
with file, KPI and field, and the command stops with exit code 2 ("could not run as asked"), which
`validate` keeps apart from exit code 1 ("the data file has errors").

Kept free of heavy imports: every command module imports this at start-up.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from citykpi.framework.catalogue import Catalogue

FRAMEWORK_ERROR_EXIT = 2

FrameworkOption = Annotated[
    list[Path] | None,
    typer.Option(
        "--framework",
        help="An extra framework file (YAML or JSON) of national or local KPIs loaded beside U4SSC; "
        "repeat for several.",
    ),
]


def load_catalogue(extra: list[Path] | None) -> Catalogue:
    """The U4SSC catalogue plus the `--framework` files, or every problem of those files on stderr and exit 2."""
    from citykpi.framework.catalogue import Catalogue
    from citykpi.model.errors import DiagnosticError

    try:
        return Catalogue.load(extra or ())
    except DiagnosticError as exc:
        typer.echo("Error: the KPI framework files have problems:", err=True)
        for diagnostic in exc.diagnostics:
            typer.echo(f"  {diagnostic}", err=True)
        raise typer.Exit(FRAMEWORK_ERROR_EXIT) from None
