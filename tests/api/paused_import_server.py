"""`citykpi serve` whose imports stop inside their transaction: the kill test's server, for tests only.

Run as `python paused_import_server.py MARKER serve ...`. Every import, once all its rows are written
to the database connection (entries, audit rows, results) and before its commit, creates the MARKER
file and waits forever, so the test's SIGKILL lands inside the transaction for certain, on SQLite
as on PostgreSQL. The hook lives here, not in the product, so a deployed server has nothing to
switch off.

On SQLite the page cache is made tiny so that the written pages spill into the WAL file before the
commit, as a large import's do: the kill then leaves uncommitted frames on disk, which the next
opener's WAL recovery must ignore (instead of a transaction that only ever lived in memory).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any, NoReturn

from sqlalchemy import event
from sqlalchemy.engine import Engine

from citykpi.platform import values

SPILL_KIB = 64


def pause_imports(marker: Path) -> None:
    real = values.import_submission

    def paused(session: Any, *args: Any, **kwargs: Any) -> NoReturn:
        real(session, *args, **kwargs)
        session.flush()
        marker.write_text("inside the import transaction\n", encoding="utf-8")
        while True:
            time.sleep(60)

    values.import_submission = paused


def spill_early(dbapi_connection: Any, _record: Any) -> None:
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA cache_size=-{SPILL_KIB}")
        cursor.close()


if __name__ == "__main__":
    pause_imports(Path(sys.argv.pop(1)))
    event.listen(Engine, "connect", spill_early)
    from citykpi.cli import app

    app()
