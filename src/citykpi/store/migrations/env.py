"""Alembic environment: runs on the connection handed over by `citykpi.store.migrate`."""

from __future__ import annotations

from alembic import context

from citykpi.store.schema import Base

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through citykpi.store.migrate.upgrade(), which passes the connection")
context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
