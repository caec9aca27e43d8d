"""The `citykpi` command line.

Each package contributes its commands through a `register(app)` function in its own `cli`
module, so that this file stays a table of contents and heavy libraries (pandas, FastAPI,
WeasyPrint) are imported only by the command that needs them. A command line that names a
command imports only the module providing it (`citykpi index ...` does not load the assessment,
store or report packages); `--help` and anything unknown build the whole table.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterable
from functools import cache

import typer

# The module providing each top-level command; add a package's commands here when it gains some.
COMMAND_MODULES: dict[str, str] = {
    "kpis": "citykpi.framework.cli",
    "index": "citykpi.index.cli",
    "template": "citykpi.collect.cli",
    "validate": "citykpi.collect.cli",
    "errors": "citykpi.validate.cli",
    "fill": "citykpi.collect.cli",
    "assess": "citykpi.assess.cli",
    "export": "citykpi.exchange.cli",
    "import": "citykpi.exchange.cli",
    "ingest": "citykpi.connectors.cli",
    "db": "citykpi.store.cli",
    "serve": "citykpi.api.cli",
    "report": "citykpi.report.cli",
    "compare": "citykpi.report.cli",
}


def build(modules: Iterable[str]) -> typer.Typer:
    """The command table with the commands of `modules`."""
    app = typer.Typer(
        name="citykpi",
        help="Collect, validate, assess, score and publish U4SSC Smart Sustainable City KPIs.",
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
    )

    @app.callback()
    def _group() -> None:
        """A group even when one module's single command is registered (`citykpi assess FILE`)."""

    for module in dict.fromkeys(modules):
        importlib.import_module(module).register(app)
    return app


@cache
def _whole() -> typer.Typer:
    return build(COMMAND_MODULES.values())


def __getattr__(name: str) -> typer.Typer:
    """`citykpi.cli.app`: the whole command table, built on first use."""
    if name == "app":
        return _whole()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def main() -> None:
    """The `citykpi` entry point."""
    module = COMMAND_MODULES.get(sys.argv[1]) if len(sys.argv) > 1 else None
    (build([module]) if module else _whole())()


if __name__ == "__main__":
    main()
