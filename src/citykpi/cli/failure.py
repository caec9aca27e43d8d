"""The one way a command stops on a problem the user can fix: the message on stderr and an exit code.

Exit codes: 1 when the input has errors (a data file, a target file, a backup), 2 when the command
cannot run as asked (a broken framework file, an output it cannot write, a bad setting).
"""

from __future__ import annotations

from collections.abc import Iterable

import typer

INPUT_ERROR_EXIT = 1
USAGE_ERROR_EXIT = 2


def fail(message: str, details: Iterable[object] = (), code: int = INPUT_ERROR_EXIT) -> typer.Exit:
    """Prints `Error: message` and each detail indented; the caller raises what is returned."""
    typer.echo(f"Error: {message}", err=True)
    for line in details:
        typer.echo(f"  {line}", err=True)
    return typer.Exit(code)
