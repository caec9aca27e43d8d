"""The platform's database: schema, migrations, audit log and backups (SQLite embedded or PostgreSQL).

`Database` and `database_url` are loaded on first use: a command module that imports this package
at start-up (the `db` commands' once did) would otherwise pay for SQLAlchemy, which alone doubled the
start-up of commands that never open a database (`citykpi --help`, `citykpi assess`).
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from citykpi.store.db import Database, database_url

__all__ = ["Database", "database_url"]


def __getattr__(name: str) -> object:
    if name in __all__:
        return getattr(import_module("citykpi.store.db"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
