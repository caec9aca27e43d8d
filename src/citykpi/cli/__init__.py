"""The `citykpi` command line: one module per command group, the shared options in `options`.

Each module registers its commands on `app` and imports heavy libraries (pandas, FastAPI,
WeasyPrint) only inside the command that needs them, so that `citykpi --help` and `citykpi assess
FILE` stay fast (tests/test_cli_startup.py). The index commands stay in `citykpi.index.cli`.
"""

from __future__ import annotations

import typer

from citykpi.cli import assess, collect, connectors, db, errors, exchange, kpis, report, serve
from citykpi.index import cli as index

app = typer.Typer(
    name="citykpi",
    help="Collect, validate, assess, score and publish U4SSC Smart Sustainable City KPIs.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

for group in (kpis, index, collect, errors, assess, exchange, connectors, db, serve, report):
    group.register(app)
