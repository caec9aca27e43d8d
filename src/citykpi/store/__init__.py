"""The platform's database: schema, migrations, audit log and backups (SQLite embedded or PostgreSQL)."""

from citykpi.store.db import Database, database_url

__all__ = ["Database", "database_url"]
