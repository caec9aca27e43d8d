"""Bulk files after a change with several server processes: how many build them, and at what CPU.

Each worker process of `citykpi serve --workers N` runs the builder thread that rebuilds the bulk
open-data files after what is published changes. This starts N workers (default 2) on
open_data_bench.py's copy (150 cities x 5 years, every period published), with the builder ticking
every second, waits until the files are stored, then changes what is published (one city's version
raised by SQL: the stamp counts cities' versions) and measures, from that change until the files of
the new stamp are stored and three more ticks have passed, the CPU seconds of every process of the
server (from /proc) and the wall time. The same run reports one worker, the baseline: its CPU is one
build. With N workers each building, the figure is about N builds; with one building, about one.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from open_data_bench import _cpu, _load_average, _published_copy, markdown
from platform_bench import Rows, _serve, on_both_databases

if TYPE_CHECKING:
    from citykpi.store.db import Database

TICK_SECONDS = "1"


def _args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cities", type=int, default=150)
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--work", type=Path, default=Path("/tmp/citykpi-open-data-bench"))
    parser.add_argument("--no-postgres", action="store_true")
    return parser.parse_known_args()[0]


def _stamp(db: Database) -> str | None:
    """The stamp of the stored results file, if any."""
    from sqlalchemy import select

    from citykpi.store.schema import OpenDataFile

    with db.read() as session:
        return session.scalar(select(OpenDataFile.stamp).where(OpenDataFile.name == "results.csv"))


def _change(db: Database) -> None:
    from sqlalchemy import update

    from citykpi.store.schema import City

    with db.write() as session:
        session.execute(update(City).where(City.id == 1).values(version=City.version + 1))


def _wait_stored(db: Database, unlike: str | None, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 300
    while (found := _stamp(db)) is None or found == unlike:
        if time.monotonic() > deadline or process.poll() is not None:
            raise SystemExit("the bulk files were not built")
        time.sleep(0.05)


def _after_change(url: str, workers: int) -> tuple[float, float]:
    """(CPU s of the server's processes, wall s) from a change to its files stored and three ticks more."""
    from citykpi.store.db import Database

    os.environ["CITYKPI_OPEN_DATA_SECONDS"] = TICK_SECONDS
    process, _base = _serve(url, workers)
    db = Database(url)  # one pool for the polls, not an engine every 50 ms
    try:
        _wait_stored(db, None, process)
        _wait_idle(process.pid)  # every worker started, and its first ticks done
        first = _stamp(db)
        before, started = _cpu(process.pid), time.perf_counter()
        _change(db)
        _wait_stored(db, first, process)
        wall = time.perf_counter() - started
        time.sleep(3 * float(TICK_SECONDS))  # a second builder would have finished or started by now
        return _cpu(process.pid) - before, wall
    finally:
        db.dispose()
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=60)


def _wait_idle(group: int) -> None:
    """Until the group spends (almost) no CPU over two ticks."""
    while True:
        was = _cpu(group)
        time.sleep(2 * float(TICK_SECONDS))
        if _cpu(group) - was < 0.05:
            return


def _bench(database: str, url: str, workers: int) -> Rows:
    rows: Rows = []
    for count in dict.fromkeys((1, workers)):
        cpu, wall = _after_change(url, count)
        rows.append((database, str(count), f"{wall:.2f}", f"{cpu:.2f}", _load_average()))
        print(" | ".join(rows[-1]), flush=True)
    return rows


HEADER = ("database", "workers", "change to files stored, s", "server CPU s, change + 3 ticks", "load average")


def _report(rows: Rows) -> None:
    markdown(HEADER, rows)


def main() -> int:
    args = _args()
    return on_both_databases(
        args,
        __file__,
        lambda database, url: _bench(database, url, args.workers),
        f"server: citykpi serve --workers 1 and {args.workers}, builder every {TICK_SECONDS} s",
        _published_copy,
        _report,
    )


if __name__ == "__main__":
    sys.exit(main())
