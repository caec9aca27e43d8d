"""`citykpi errors`: every diagnostic type the program reports, with its title and message template."""

from __future__ import annotations

from typing import Annotated

import typer


def register(app: typer.Typer) -> None:
    app.command("errors")(errors_command)


def errors_command(
    markdown: Annotated[
        bool, typer.Option("--markdown", help="Print the reference as docs/errors.md holds it.")
    ] = False,
) -> None:
    """List every diagnostic type (code, title, description), grouped by where it is reported."""
    from citykpi.validate import reference

    typer.echo(reference.markdown() if markdown else reference.text(), nl=not markdown)
