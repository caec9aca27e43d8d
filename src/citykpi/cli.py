"""The `citykpi` command line.

Each package contributes its commands through a `register(app)` function in its own `cli`
module, so that this file stays a table of contents and heavy libraries (pandas, FastAPI,
WeasyPrint) are imported only by the command that needs them.
"""

from __future__ import annotations

import importlib

import typer

app = typer.Typer(
    name="citykpi",
    help="Collect, validate, assess, score and publish U4SSC Smart Sustainable City KPIs.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

# Append a package's cli module here when it gains commands.
COMMAND_MODULES: list[str] = [
    "citykpi.framework.cli",
    "citykpi.index.cli",
    "citykpi.collect.cli",
    "citykpi.validate.cli",
    "citykpi.assess.cli",
    "citykpi.exchange.cli",
    "citykpi.connectors.cli",
    "citykpi.store.cli",
    "citykpi.api.cli",
    "citykpi.report.cli",
]

for _module in COMMAND_MODULES:
    importlib.import_module(_module).register(app)


if __name__ == "__main__":
    app()
