"""The `citykpi` command line: one module per command group, the shared options in `options`.

Each module registers its commands with `register(app)` and imports heavy libraries (pandas,
FastAPI, WeasyPrint) only inside the command that needs them, so that `citykpi --help` and
`citykpi assess FILE` stay fast (tests/test_cli_startup.py). A command line that names a command
imports only the module providing it (`citykpi index ...` does not load the assessment, store or
report packages); `--help` and anything unknown build the whole table. The index commands stay in
`citykpi.index.cli`.
"""

from __future__ import annotations

import atexit
import gc
import importlib
import sys
from collections.abc import Iterable
from functools import cache

import typer

# The module providing each top-level command; add a group's commands here when it gains some.
COMMAND_MODULES: dict[str, str] = {
    "kpis": "citykpi.cli.kpis",
    "index": "citykpi.index.cli",
    "template": "citykpi.cli.collect",
    "validate": "citykpi.cli.collect",
    "fill": "citykpi.cli.collect",
    "errors": "citykpi.cli.errors",
    "assess": "citykpi.cli.assess",
    "export": "citykpi.cli.exchange",
    "import": "citykpi.cli.exchange",
    "ingest": "citykpi.cli.connectors",
    "db": "citykpi.cli.db",
    "serve": "citykpi.cli.serve",
    "report": "citykpi.cli.report",
    "compare": "citykpi.cli.report",
    "targets": "citykpi.cli.targets",
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
    """The `citykpi` entry point.

    At exit the interpreter runs a full collection over every object the command's libraries left,
    only to free memory the process is handing back: ~55 ms once pandas is imported, a twentieth of
    what a 10,000-run uncertainty command may take (issue 15). The heap is frozen at exit instead,
    so that collection has nothing to walk; Python does not promise to finalise what is still alive
    at exit either way, and the commands close their files themselves.
    """
    atexit.register(gc.freeze)
    module = COMMAND_MODULES.get(sys.argv[1]) if len(sys.argv) > 1 else None
    (build([module]) if module else _whole())()
