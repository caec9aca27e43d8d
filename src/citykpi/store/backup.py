"""`citykpi db export` / `citykpi db import`: every row of every table, history included, as one JSON file.

The file is database-neutral (an SQLite export restores into PostgreSQL and back): rows keep their
ids so references and the audit trail stay intact, timestamps are written in UTC ISO 8601, and the
schema revision is recorded so an old backup is restored into the schema it was taken from and then
upgraded. Restoring requires an empty database and happens in one transaction. The file is standard
JSON: a non-finite number stored before the API refused them is written as the text "NaN",
"Infinity" or "-Infinity", read back as the number in a number column (inside a JSON column it
stays that text).
"""

from __future__ import annotations

import gzip
import json
import math
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Float, Table, func, insert, select, text
from sqlalchemy.engine import Connection

from citykpi.store.db import Database
from citykpi.store.schema import Base, DataRevision, OpenDataFile, UtcDateTime

FORMAT = "citykpi-backup"
FORMAT_VERSION = 1


class BackupError(Exception):
    """A backup that cannot be restored here; the message says why and nothing was written."""


def _tables() -> list[Table]:
    # The data revision counts commits of the database it lives in; a restored database keeps its own.
    # The open-data files are derived from the published periods and rebuilt when missing.
    derived = {DataRevision.__tablename__, OpenDataFile.__tablename__}
    return [t for t in Base.metadata.sorted_tables if t.name not in derived]


# Standard JSON has no NaN or infinity; a number stored before the API refused them is written as this text.
NON_FINITE = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}


def _encode(value: Any) -> Any:
    if isinstance(value, datetime):
        return (value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)).isoformat()
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    if isinstance(value, dict):
        return {k: _encode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_encode(v) for v in value]
    return value


def _revision(conn: Connection) -> str | None:
    return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def dump(db: Database) -> dict[str, Any]:
    with db.engine.connect() as conn, conn.begin():
        tables = {
            table.name: [
                {k: _encode(v) for k, v in row._mapping.items()}
                for row in conn.execute(select(table).order_by(*table.primary_key.columns))
            ]
            for table in _tables()
        }
        return {"format": FORMAT, "version": FORMAT_VERSION, "revision": _revision(conn), "tables": tables}


def export(db: Database, path: Path) -> dict[str, int]:
    document = dump(db)
    payload = json.dumps(document, ensure_ascii=False, sort_keys=True, allow_nan=False).encode()
    path.write_bytes(gzip.compress(payload) if path.suffix == ".gz" else payload)
    return {name: len(rows) for name, rows in document["tables"].items()}


def read(path: Path) -> dict[str, Any]:
    try:
        raw = path.read_bytes()
        document = json.loads(gzip.decompress(raw) if raw[:2] == b"\x1f\x8b" else raw)
    except (OSError, ValueError) as exc:
        raise BackupError(f"{path}: not a readable citykpi backup ({exc})") from exc
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise BackupError(f"{path}: not a citykpi backup (no 'format: {FORMAT}')")
    if document.get("version") != FORMAT_VERSION:
        raise BackupError(f"{path}: backup format version {document.get('version')} is not {FORMAT_VERSION}")
    return document


def _decode(table: Table, row: dict[str, Any]) -> dict[str, Any]:
    out = dict(row)
    for column in table.columns:
        if isinstance(column.type, UtcDateTime) and isinstance(out.get(column.name), str):
            out[column.name] = datetime.fromisoformat(out[column.name])
        elif isinstance(column.type, Float) and out.get(column.name) in NON_FINITE:
            out[column.name] = NON_FINITE[out[column.name]]
    return out


def restore(db: Database, document: dict[str, Any]) -> dict[str, int]:
    """Insert every row into an empty database at the backup's revision, in one transaction."""
    with db.engine.connect() as conn, conn.begin():
        revision = _revision(conn)
        if revision != document.get("revision"):
            raise BackupError(
                f"the backup is of schema revision {document.get('revision')}, the database is at {revision}"
            )
        for table in _tables():
            if conn.execute(select(func.count()).select_from(table)).scalar():
                raise BackupError(f"the database is not empty (table {table.name} has rows); restore into a new one")
        counts = {}
        for table in _tables():
            rows = [_decode(table, r) for r in document["tables"].get(table.name, [])]
            if rows:
                conn.execute(insert(table), rows)
            counts[table.name] = len(rows)
        if conn.dialect.name == "postgresql":
            _reset_sequences(conn)
        return counts


def _reset_sequences(conn: Connection) -> None:
    """Restored ids were given explicitly, so PostgreSQL's sequences must be moved past them (tables
    keyed by another table's id, such as `mail_addresses`, have no sequence of their own)."""
    for table in [t for t in _tables() if "id" in t.columns]:
        conn.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                f"COALESCE((SELECT MAX(id) FROM {table.name}), 0) + 1, false)"
            )
        )
