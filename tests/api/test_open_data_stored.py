"""The bulk open-data files are built after a publication and stored, and a download reads them.

On both databases, with the demo's two cities (first year published, second a draft): the builder a
server process runs (`platform.open_data.Builder`) builds the files once per change of what is
published, a download serves the stored bytes (shown by altering them in the database), a missing
file is rebuilt by the download itself, a change of licence is a change, and backups leave the
derived files out. The migration (0011) that gave results their quality and source columns fills them
from the stored records.
"""

from __future__ import annotations

import io
import json
import threading
import time
import zipfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pandas as pd
import pytest
from alembic import command
from fastapi.testclient import TestClient
from sqlalchemy import delete, func, select, update

from citykpi.app import create_app
from citykpi.demo.cities import CITIES
from citykpi.exchange.open_data import licence
from citykpi.http.settings import Settings
from citykpi.platform import open_data, verification
from citykpi.platform.demo import LOADER, load_demo
from citykpi.platform.open_data import PACKAGE_FILE, Builder
from citykpi.platform.verification import Decision
from citykpi.platform.workflow import PeriodState, ReviewAction
from citykpi.store.backup import dump
from citykpi.store.db import Database
from citykpi.store.migrate import _config, upgrade
from citykpi.store.schema import OpenDataFile, Period, Result, utcnow

YEARS = (2022, 2023)
FILES = {"results.csv", "inputs.csv", "cities.csv", "results.parquet", "inputs.parquet", "cities.parquet",
         PACKAGE_FILE}  # fmt: skip


@pytest.fixture
def app(db_url: str) -> Iterator[TestClient]:
    made = create_app(Settings(database_url=db_url))
    load_demo(made.state.db, specs=CITIES[:2], years=YEARS)
    yield TestClient(made)
    made.state.db.dispose()


def _stored(db: Database) -> dict[str, tuple[str, bytes]]:
    with db.read() as s:
        return {name: (stamp, content) for name, stamp, content in s.execute(
            select(OpenDataFile.name, OpenDataFile.stamp, OpenDataFile.content))}  # fmt: skip


def _publish_draft(db: Database) -> None:
    with db.write() as s:
        draft = s.scalars(select(Period).where(Period.year == YEARS[1])).first()
        assert draft is not None
        for state in (PeriodState.SUBMITTED, PeriodState.UNDER_VERIFICATION):
            verification.transition(s, LOADER, draft, state, draft.version, "test")
        verification.decide(s, LOADER, draft, [Decision(r, ReviewAction.ACCEPT, r.version)
                                               for r in verification.reviews(s, draft)])  # fmt: skip
        for state in (PeriodState.VERIFIED, PeriodState.PUBLISHED):
            verification.transition(s, LOADER, draft, state, draft.version, "test")


def test_the_builder_stores_the_files_once_per_publication_and_downloads_read_them(app: TestClient) -> None:
    db: Database = app.app.state.db  # type: ignore[attr-defined]
    builder = Builder(db, licence("CC-BY-4.0"))
    assert _stored(db) == {}
    assert builder.run_once() is True and builder.run_once() is False  # built, then current
    stored = _stored(db)
    assert set(stored) == FILES and len({stamp for stamp, _ in stored.values()}) == 1
    answer = app.get("/api/v1/open-data", params={"format": "csv"})
    assert answer.content == stored["results.csv"][1]

    # What a download serves is the stored file, not a build of its own.
    with db.write() as s:
        s.execute(update(OpenDataFile).where(OpenDataFile.name == "results.csv").values(content=b"city\nstored\n"))
    assert app.get("/api/v1/open-data", params={"format": "csv"}).content == b"city\nstored\n"

    before = len(pd.read_csv(io.BytesIO(stored["results.csv"][1])))
    _publish_draft(db)
    assert builder.run_once() is True
    after = _stored(db)
    assert after["results.csv"][0] != stored["results.csv"][0]
    assert len(pd.read_csv(io.BytesIO(after["results.csv"][1]))) == before * 3 // 2  # the new year's rows
    with zipfile.ZipFile(io.BytesIO(app.get("/api/v1/open-data").content)) as archive:
        assert archive.read("results.csv") == after["results.csv"][1]
    assert "open_data_files" not in dump(db)["tables"]  # derived: rebuilt, never backed up


def test_one_process_builds_after_a_change_while_the_others_find_its_claim(
    app: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Worker processes each see the same publication; the first to claim the build makes the files."""
    db: Database = app.app.state.db  # type: ignore[attr-defined]
    licensed = licence("CC-BY-4.0")
    with db.read() as s:
        stamp = open_data.stamp_of(s, licensed)
    assert open_data._claimed(db, stamp) is True  # this process, first
    assert open_data._claimed(db, stamp) is False  # any other: the claim is live
    assert Builder(db, licensed).run_once() is False and FILES.isdisjoint(_stored(db))  # it left the build alone

    # A claim older than CLAIM_SECONDS was left by a process that stopped mid-build: taken over.
    with db.write() as s:
        s.execute(update(OpenDataFile).values(built_at=utcnow() - timedelta(seconds=open_data.CLAIM_SECONDS + 1)))
    assert Builder(db, licensed).run_once() is True
    assert set(_stored(db)) == FILES  # the claim went with the files stored

    # A build that fails gives its claim back, so the next tick (of any process) builds.
    _publish_draft(db)

    def broken(session: object, licensed: object) -> dict[str, bytes]:
        raise RuntimeError("disk full")

    monkeypatch.setattr(open_data, "build_files", broken)
    with pytest.raises(RuntimeError):
        Builder(db, licensed).run_once()
    assert open_data.CLAIM not in _stored(db)
    monkeypatch.undo()
    assert Builder(db, licensed).run_once() is True and set(_stored(db)) == FILES


def test_of_processes_claiming_at_the_same_moment_exactly_one_builds(app: TestClient) -> None:
    db: Database = app.app.state.db  # type: ignore[attr-defined]
    with db.read() as s:
        stamp = open_data.stamp_of(s, licence("CC-BY-4.0"))
    start = threading.Barrier(4)

    def claim() -> bool:
        start.wait()
        return open_data._claimed(db, stamp)

    with ThreadPoolExecutor(4) as pool:
        won = list(pool.map(lambda _: claim(), range(4)))
    assert sorted(won) == [False, False, False, True]


def test_a_missing_file_is_rebuilt_by_the_download_and_a_new_licence_is_a_change(app: TestClient) -> None:
    db: Database = app.app.state.db  # type: ignore[attr-defined]
    Builder(db, licence("CC-BY-4.0")).run_once()
    with db.write() as s:
        s.execute(delete(OpenDataFile).where(OpenDataFile.name == "inputs.parquet"))
    answer = app.get("/api/v1/open-data", params={"format": "parquet", "table": "inputs"})
    assert answer.status_code == 200 and pd.read_parquet(io.BytesIO(answer.content))["year"].tolist()
    assert set(_stored(db)) == FILES  # the download stored the whole build again
    other = Builder(db, licence("CC0-1.0"))
    assert other.run_once() is True
    descriptor = json.loads(zipfile.ZipFile(io.BytesIO(_stored(db)[PACKAGE_FILE][1])).read("datapackage.json"))
    assert descriptor["licenses"][0]["name"] == "CC0-1.0"


def test_migration_0011_fills_quality_and_source_from_the_stored_records(app: TestClient) -> None:
    db: Database = app.app.state.db  # type: ignore[attr-defined]
    with db.read() as s:
        expected = {(r.period_id, r.code, r.data_point): (r.quality, r.source) for r in s.scalars(select(Result))}
        records = {(r.period_id, r.code, r.data_point): r.record for r in s.scalars(select(Result))}
    assert any(q is not None for q, _ in expected.values()) and any(src for _, src in expected.values())
    assert all(
        (records[k].get("quality"), records[k].get("source") or "") == v for k, v in expected.items()
    )  # what the assessment wrote into both
    with db.engine.begin() as connection:
        command.downgrade(_config(connection), "0010")
    upgrade(db.engine)
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(Result)) == len(expected)
        again = {(r.period_id, r.code, r.data_point): (r.quality, r.source) for r in s.scalars(select(Result))}
    assert again == expected


def test_a_running_server_builds_the_files_without_a_download(db_url: str) -> None:
    made = create_app(Settings(database_url=db_url, open_data_seconds=0.05))
    try:
        load_demo(made.state.db, specs=CITIES[:1], years=YEARS[:1])
        with TestClient(made):  # runs the application's lifespan: the courier and the builder threads
            waited = 0.0
            while not _stored(made.state.db) and waited < 30:
                time.sleep(0.1)
                waited += 0.1
        assert set(_stored(made.state.db)) == FILES
    finally:
        made.state.db.dispose()
