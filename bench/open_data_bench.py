"""Open data at scale: the query API returning every value of 150 cities x 5 years in one call, and the
bulk download, on SQLite and PostgreSQL. Targets: the query under 1 s, the bulk export under 5 s.

The data set is the one of platform_bench.py (the synthetic demo cities varied into 150, loaded
through the platform's import and workflow services; cached under --work), brought to the newest
schema with its stored scores. The demo loader leaves each city's last year a draft; this benchmark
then marks every period published with one UPDATE in its own copy (a shortcut of the benchmark, not
of the product: those years' KPIs carry no verifier decision), so that the public reads 150 x 5
periods. The server is `citykpi serve` in a subprocess, with its open-data builder thread held off
(CITYKPI_OPEN_DATA_SECONDS=3600), so that no build runs beside a measured request; the client is
httpx, reading each answer whole, as the public (no token).

Each figure is one request on loopback: "first" is the first request after the server started
(nothing cached: the query is run and serialised; the first bulk request finds no stored file, so it
builds every bulk file and stores them, as the builder does after a publication), "again" the median
of the next three (query answers kept until something published changes; bulk files read from the
database). "server CPU s" is the CPU time the server process spent on the first request (from
/proc), the figure the shared machine's load moves least. The baseline, measured in the same run
just before each database's rows, is a plain SELECT of four columns of the results table through the
same driver: the machine's speed at that moment. The load average is printed beside the figures.
"""

from __future__ import annotations

import argparse
import io
import os
import shutil
import signal
import statistics
import sys
import time
import zipfile
from pathlib import Path

import httpx

from platform_bench import Rows, _serve, on_both_databases, sqlite_url

QUERY_TARGET_S = 1.0
BULK_TARGET_S = 5.0
ASKED = {
    "query JSON (every value)": ("/api/v1/results?limit=200000", QUERY_TARGET_S),
    "query CSV (every value)": ("/api/v1/results?limit=200000&format=csv", QUERY_TARGET_S),
    "query CSV with inputs": ("/api/v1/results?limit=200000&format=csv&inputs=true", None),
    "bulk data package (zip); first builds every file": ("/api/v1/open-data?format=zip", BULK_TARGET_S),
    "bulk results CSV": ("/api/v1/open-data?format=csv", BULK_TARGET_S),
    "bulk results Parquet": ("/api/v1/open-data?format=parquet", BULK_TARGET_S),
}


def _args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cities", type=int, default=150)
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--work", type=Path, default=Path("/tmp/citykpi-open-data-bench"))
    parser.add_argument("--no-postgres", action="store_true")
    return parser.parse_known_args()[0]


def _load_average() -> str:
    return Path("/proc/loadavg").read_text().split(" ", 1)[0] if Path("/proc/loadavg").exists() else "?"


def _published_copy(loaded_file: Path) -> str:
    """A copy of the loaded data set at the newest schema, with stored scores, every period published."""
    from sqlalchemy import update

    from citykpi.app import create_app
    from citykpi.http.settings import Settings
    from citykpi.store.schema import Period

    published = loaded_file.with_name(f"published-{loaded_file.name}")
    for journal in ("-wal", "-shm"):  # an earlier run's write-ahead log would be replayed onto the new copy
        published.with_name(published.name + journal).unlink(missing_ok=True)
    shutil.copyfile(loaded_file, published)
    url = sqlite_url(published)
    db = create_app(Settings(database_url=url)).state.db  # migrations, stored scores of older files
    with db.write() as session:
        changed = session.execute(update(Period).where(Period.status != "published").values(status="published"))
        count = int(getattr(changed, "rowcount", 0) or 0)
    db.dispose()
    print(f"{count} draft periods marked published; load average {_load_average()}")
    return url


def _cpu(group: int) -> float:
    """CPU seconds (user and system) of the processes of one process group so far."""
    ticks = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # the process ended meanwhile
            continue
        if int(fields[2]) == group:  # pgrp; utime and stime follow at 11 and 12
            ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def _get(client: httpx.Client, path: str) -> tuple[float, httpx.Response]:
    started = time.perf_counter()
    answer = client.get(path)
    took = time.perf_counter() - started
    if answer.status_code != 200:
        raise SystemExit(f"GET {path}: {answer.status_code} {answer.text[:300]}")
    return took, answer


def _rows(label: str, answer: httpx.Response) -> int:
    if "zip" in label:
        with zipfile.ZipFile(io.BytesIO(answer.content)) as archive:
            return archive.read("results.csv").count(b"\n") - 1
    if "Parquet" in label:
        import pyarrow.parquet as pq

        return int(pq.read_table(io.BytesIO(answer.content)).num_rows)
    if "JSON" in label:
        return len(answer.json()["items"])
    return answer.content.count(b"\n") - 1


def _baseline(url: str) -> float:
    """Seconds to read the results table's 84 000 rows (four plain columns) through the same driver, now:
    the machine's speed at the moment, which the load of the other users moves a lot."""
    from sqlalchemy import text

    from citykpi.store.db import Database

    db = Database(url)
    with db.engine.connect() as connection:
        took = []
        for _ in range(3):
            started = time.perf_counter()
            connection.execute(text("SELECT code, data_point, value, status FROM results")).all()
            took.append(time.perf_counter() - started)
    db.dispose()
    return statistics.median(took)


def _bench(database: str, url: str) -> Rows:
    baseline = _baseline(url)
    print(f"{database} baseline: plain SELECT of the results table {baseline:.3f} s; load average {_load_average()}")
    print(" | ".join(HEADER))
    os.environ["CITYKPI_OPEN_DATA_SECONDS"] = "3600"  # the builder thread stays idle: the first download builds
    process, base = _serve(url, workers=1)
    rows: Rows = [(database, "baseline: SELECT 4 columns of results", "", "", f"{baseline:.3f}", "", "", "1", "",
             _load_average())]  # fmt: skip
    try:
        with httpx.Client(base_url=base, timeout=120) as client:
            for label, (path, target) in ASKED.items():
                before = _cpu(process.pid)
                first, answer = _get(client, path)
                cpu = _cpu(process.pid) - before
                again = statistics.median(_get(client, path)[0] for _ in range(3))
                verdict = "" if target is None else ("meets" if first < target and again < target else "**misses**")
                rows.append((database, label, str(_rows(label, answer)), f"{len(answer.content) / 1e6:.1f}",
                             f"{first:.2f}", f"{again:.2f}", f"{cpu:.2f}", f"{first / baseline:.0f}", verdict,
                             _load_average()))  # fmt: skip
                print(" | ".join(rows[-1]), flush=True)
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
    return rows


HEADER = ("database", "answer", "rows", "MB", "first s", "again s", "server CPU s (first)", "first / baseline",
          "target", "load average")  # fmt: skip


def markdown(header: tuple[str, ...], rows: Rows) -> None:
    """The rows as a Markdown table, as the docs quote them."""
    print("\n| " + " | ".join(header) + " |")
    print("|" + " --- |" * len(header))
    for row in rows:
        print("| " + " | ".join(row) + " |")


def _report(rows: Rows) -> None:
    markdown(HEADER, rows)


def main() -> int:
    args = _args()
    return on_both_databases(args, __file__, _bench, "server: citykpi serve, 1 worker", _published_copy, _report)


if __name__ == "__main__":
    sys.exit(main())
