"""A server killed (SIGKILL) in the middle of an import leaves the database as it was.

A real `citykpi serve` runs in a subprocess. On PostgreSQL the test makes the kill land mid-import
for certain: it locks the results table, so the import blocks after writing entries and audit rows,
waits until the server's backend is seen waiting on that lock, then kills the server. SQLite has no
such hook (WAL writers cannot be paused from outside), so there the server is killed at several
moments across the import's duration and each time the database must hold all of it or none of it.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, text

from citykpi.collect.tidy import write_csv
from citykpi.demo.cities import CITIES
from citykpi.demo.generate import generate
from citykpi.framework.catalogue import Catalogue
from citykpi.platform import accounts, cities
from citykpi.platform.roles import Principal, Role
from citykpi.platform.seed import ensure_framework
from citykpi.store.scratch import migrated

pytestmark = pytest.mark.slow


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


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


@contextmanager
def _server(db_url: str) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    port = _port()
    env = {**os.environ, "CITYKPI_DATABASE_URL": db_url}
    command = [sys.executable, "-m", "citykpi.cli", "serve", "--port", str(port), "--no-demo"]
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180  # a loaded CI machine can take long to import the app
        while not _healthy(base):
            if time.monotonic() > deadline or process.poll() is not None:
                pytest.fail("the server did not start")
            time.sleep(0.2)
        yield process, base
    finally:
        if process.poll() is None:
            process.kill()
        process.wait()


def _healthy(base: str) -> bool:
    try:
        return httpx.get(f"{base}/healthz", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def _upload(base: str, token: str, csv: Path) -> None:
    try:
        with csv.open("rb") as f:
            httpx.post(
                f"{base}/api/v1/periods/1/import",
                files={"file": (csv.name, f, "text/csv")},
                headers={"Authorization": f"Bearer {token}"},
                timeout=60,
            )
    except httpx.HTTPError:
        pass  # the server died under us, as intended


def _counts(db_url: str) -> tuple[int, int]:
    engine = create_engine(db_url)
    with engine.connect() as conn:
        entries = conn.execute(text("SELECT count(*) FROM entries")).scalar_one()
        audited = conn.execute(text("SELECT count(*) FROM audit_log WHERE entity = 'entry'")).scalar_one()
    engine.dispose()
    return entries, audited


def test_killed_server_leaves_database_as_it_was(db_url: str, tmp_path: Path) -> None:
    token, csv, total = _prepare(db_url, tmp_path)
    if db_url.startswith("postgresql"):
        _kill_while_blocked(db_url, token, csv)
    else:
        _kill_at_several_moments(db_url, token, csv, total)


def _kill_while_blocked(db_url: str, token: str, csv: Path) -> None:
    import threading

    engine = create_engine(db_url)
    with engine.connect() as lock, _server(db_url) as (process, base):
        lock.execute(text("BEGIN"))
        lock.execute(text("LOCK TABLE results IN ACCESS EXCLUSIVE MODE"))
        upload = threading.Thread(target=_upload, args=(base, token, csv))
        upload.start()
        waiting_query = text("SELECT count(*) FROM pg_locks WHERE NOT granted AND relation = 'results'::regclass")
        with engine.connect() as probe:
            for _ in range(300):
                if probe.execute(waiting_query).scalar_one():
                    break
                time.sleep(0.1)
            else:
                pytest.fail("the import never reached the results table")
        process.send_signal(signal.SIGKILL)
        process.wait()
        lock.execute(text("ROLLBACK"))
        upload.join()
    # The dead server's backend is terminated by PostgreSQL when its socket closes; wait for that.
    with engine.connect() as conn:
        for _ in range(100):
            if not conn.execute(text("SELECT count(*) FROM pg_locks WHERE relation = 'entries'::regclass")).scalar():
                break
            time.sleep(0.1)
    engine.dispose()
    assert _counts(db_url) == (0, 0)


def _kill_at_several_moments(db_url: str, token: str, csv: Path, total: int) -> None:
    import threading

    for delay in (0.1, 0.4):
        with _server(db_url) as (process, base):
            upload = threading.Thread(target=_upload, args=(base, token, csv))
            upload.start()
            time.sleep(delay)
            process.send_signal(signal.SIGKILL)
            process.wait()
            upload.join()
        entries, audited = _counts(db_url)
        assert entries in (0, total), f"partial import after a kill at {delay} s: {entries} of {total} entries"
        assert audited == entries, "entries and their audit rows are written together or not at all"
