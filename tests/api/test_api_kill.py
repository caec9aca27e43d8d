"""A server killed (SIGKILL) in the middle of an import leaves the database as it was.

A real `citykpi serve` runs in a subprocess, started through `paused_import_server.py`, which stops
every import inside its transaction after all its rows are written and before the commit. The test
waits for that moment, checks from outside that the import's writes are really there uncommitted
(SQLite: frames past the last commit in the WAL file; PostgreSQL: the server's backend idle in its
transaction holding row locks on the entries), kills the server, and then asserts that a restarted
server (SQLite: WAL recovery on opening) shows none of the file and imports it again whole.
"""

from __future__ import annotations

import signal
import struct
import threading
from contextlib import suppress
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from citykpi.collect.tidy import write_csv
from citykpi.demo.cities import CITIES
from citykpi.demo.generate import generate
from citykpi.framework.catalogue import Catalogue
from citykpi.platform import accounts, cities
from citykpi.platform.roles import Principal, Role
from citykpi.platform.seed import ensure_framework
from citykpi.store.scratch import migrated
from live_server import serving, wait_until

pytestmark = pytest.mark.slow
LAUNCHER = Path(__file__).with_name("paused_import_server.py")


def _prepare(db_url: str, tmp_path: Path) -> tuple[str, Path, int]:
    """A city with an empty draft period, an editor token, and the city's full demo CSV to import."""
    spec = CITIES[0]
    submission = generate(list(Catalogue.load().kpis.values()), spec, 2023)
    csv = write_csv(submission, tmp_path / "import.csv")
    with migrated(db_url) as db, db.write() as s:
        framework = ensure_framework(s)
        admin = Principal("setup", Role.ADMIN)
        city = cities.create_city(s, admin, spec.name, population=submission.profile.population)
        cities.create_period(s, admin, city, 2023, framework)
        user = accounts.create_user(s, "editor", "editor-password", Role.ADMIN)
        token = accounts.issue(s, user, "token", name="kill test")[0]
    return token, csv, len(submission.entries)


def _upload(base: str, token: str, csv: Path) -> httpx.Response:
    with csv.open("rb") as f:
        return httpx.post(
            f"{base}/api/v1/periods/1/import",
            files={"file": (csv.name, f, "text/csv")},
            headers={"Authorization": f"Bearer {token}"},
            timeout=120,
        )


def _upload_until_killed(base: str, token: str, csv: Path) -> None:
    with suppress(httpx.HTTPError):  # the server dies under us, as intended
        _upload(base, token, csv)


def _counts(db_url: str) -> tuple[int, int]:
    engine = create_engine(db_url)
    with engine.connect() as conn:
        entries = conn.execute(text("SELECT count(*) FROM entries")).scalar_one()
        audited = conn.execute(text("SELECT count(*) FROM audit_log WHERE entity = 'entry'")).scalar_one()
    engine.dispose()
    return entries, audited


def uncommitted_wal_frames(wal: Path) -> int:
    """Frames of the current WAL generation written after its last commit frame.

    Format (sqlite.org/fileformat2.html#walformat): a 32-byte header with the page size at offset 8
    and the salts at 16; then frames, each a 24-byte header (page number, database size after commit
    or 0 for a non-commit frame, the two salts, checksums) and a page. Frames whose salts differ from
    the header's are left over from an earlier generation and ignored, as SQLite does.
    """
    data = wal.read_bytes()
    page_size = struct.unpack(">I", data[8:12])[0]
    salts = data[16:24]
    pending = 0
    for offset in range(32, len(data) - 24 - page_size + 1, 24 + page_size):
        if data[offset + 8 : offset + 16] != salts:
            break
        commit_size = struct.unpack(">I", data[offset + 4 : offset + 8])[0]
        pending = 0 if commit_size else pending + 1
    return pending


def _locks_held_mid_import(db_url: str) -> int:
    """Row locks on the entries held by a backend idle inside its transaction: the paused import."""
    engine = create_engine(db_url)
    with engine.connect() as conn:
        held = conn.execute(
            text(
                "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid"
                " WHERE l.relation = 'entries'::regclass AND l.mode = 'RowExclusiveLock' AND l.granted"
                " AND a.state = 'idle in transaction'"
            )
        ).scalar_one()
    engine.dispose()
    return int(held)


def _writes_in_flight(db_url: str) -> int:
    if db_url.startswith("sqlite"):
        database = make_url(db_url).database
        assert database is not None
        return uncommitted_wal_frames(Path(f"{database}-wal"))
    return _locks_held_mid_import(db_url)


def test_killed_server_leaves_database_as_it_was(db_url: str, tmp_path: Path) -> None:
    token, csv, total = _prepare(db_url, tmp_path)
    marker = tmp_path / "paused"
    with serving(db_url, launcher=[str(LAUNCHER), str(marker)]) as (process, base):
        upload = threading.Thread(target=_upload_until_killed, args=(base, token, csv))
        upload.start()
        wait_until(marker.exists, "the import never reached its pause", process)
        assert _writes_in_flight(db_url) > 0, "the import's writes should be in the database, uncommitted"
        assert _counts(db_url) == (0, 0), "nothing of the paused import is visible to other connections"
        process.send_signal(signal.SIGKILL)
        process.wait()
        upload.join()
    with serving(db_url) as (_process, base):  # opening the database recovers it (SQLite: from the WAL)
        assert _counts(db_url) == (0, 0), "the killed import left rows behind"
        answer = _upload(base, token, csv)
        assert answer.status_code == 200, answer.text
        assert _counts(db_url) == (total, total)
