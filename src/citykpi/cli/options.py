"""Options shared by several commands, each defined once with one help text and one meaning.

`--framework` loads extra KPI framework files beside U4SSC (`kpis`, `template`, `validate`, `fill`,
`assess`, `export`, `ingest`, `report`, `compare`); a broken framework file is printed problem by
problem (file, KPI, field) and stops the command with exit code 2 ("could not run as asked"), which
`validate` keeps apart from exit code 1 ("the data file has errors").

Kept free of heavy imports: every command module imports this at start-up.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from citykpi.cli.failure import USAGE_ERROR_EXIT, fail

if TYPE_CHECKING:
    from citykpi.framework.catalogue import Catalogue


class Lang(StrEnum):
    EN = "en"
    FR = "fr"


FrameworkOption = Annotated[
    list[Path] | None,
    typer.Option(
        "--framework",
        help="An extra framework file (YAML or JSON) of national or local KPIs loaded beside U4SSC; "
        "repeat for several.",
    ),
]
TargetsOption = Annotated[
    list[Path] | None,
    typer.Option(
        "--targets",
        help="A target file (YAML or CSV) used beside the public reference set; repeat for several; "
        "later files win at the same level.",
    ),
]
NoDefaultTargetsOption = Annotated[
    bool, typer.Option("--no-default-targets", help="Do not load the shipped public reference targets.")
]
LangOption = Annotated[Lang, typer.Option("--lang", help="Language of the report text.")]
PdfOption = Annotated[Path | None, typer.Option("--pdf", help="Also write the report as PDF to this path.")]
DatabaseOption = Annotated[
    str | None,
    typer.Option("--database", help="SQLAlchemy URL; default $CITYKPI_DATABASE_URL, else ./citykpi.db (SQLite)."),
]


def out(help: str) -> Any:
    """`--out`/`-o`, the file or folder a command writes; `help` says which."""
    return typer.Option("--out", "-o", help=help)


def load_catalogue(extra: list[Path] | None) -> Catalogue:
    """The U4SSC catalogue plus the `--framework` files, or every problem of those files on stderr and exit 2."""
    from citykpi.framework.catalogue import Catalogue
    from citykpi.model.errors import DiagnosticError

    try:
        return Catalogue.load(extra or ())
    except DiagnosticError as exc:
        raise fail("the KPI framework files have problems:", exc.diagnostics, USAGE_ERROR_EXIT) from None
