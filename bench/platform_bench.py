"""Platform latency: 150 cities x 5 years, p50/p95 of the city endpoint and the values API at 1 and 20
concurrent clients on loopback, for SQLite and PostgreSQL. Target: p95 < 100 ms at 20 clients.

The data set is the synthetic demo cities varied into 150 (new names and seeds), loaded through the
platform's own import and workflow services into SQLite once (cached under --work), then copied into
PostgreSQL with `citykpi db export` / `db import`. The server is `citykpi serve` (one uvicorn process)
in a subprocess; clients are httpx async clients signed in with a viewer's API token. PostgreSQL is a
throw-away server started by scripts/with-postgres.sh, as in the test suite (the benchmark re-runs
itself under that script when CITYKPI_TEST_POSTGRES_URL is not set and PostgreSQL is installed).
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
PG_ENV = "CITYKPI_TEST_POSTGRES_URL"
TARGET_MS = 100.0


def _args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cities", type=int, default=150)
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--requests", type=int, default=400, help="requests per endpoint and concurrency")
    parser.add_argument("--work", type=Path, default=Path("/tmp/citykpi-platform-bench"))
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--workers", type=int, default=1, help="server processes (`citykpi serve --workers`)")
    return parser.parse_known_args()[0]


def _load(url: str, cities: int, years: int) -> None:
    from citykpi.demo.cities import CITIES
    from citykpi.platform import accounts
    from citykpi.platform.demo import load_demo
    from citykpi.platform.roles import Role
    from citykpi.store.scratch import migrated

    specs = [
        dataclasses.replace(CITIES[i % len(CITIES)], name=f"{CITIES[i % len(CITIES)].name} {i:03d}", seed=1000 + i)
        for i in range(cities)
    ]
    started = time.perf_counter()
    with migrated(url) as db:
        load_demo(db, specs, tuple(range(2020, 2020 + years)), accounts=False)
        with db.write() as session:
            accounts.create_user(session, "bench", "bench-viewer-pass", Role.VIEWER)
    print(f"loaded {cities} cities x {years} years in {time.perf_counter() - started:.0f} s", flush=True)


def _token(url: str) -> tuple[str, list[str], list[int]]:
    from sqlalchemy import select

    from citykpi.platform import accounts
    from citykpi.store.db import Database
    from citykpi.store.schema import City, Period, User

    db = Database(url)
    with db.write() as session:
        user = session.scalar(select(User).where(User.username == "bench"))
        assert user is not None
        token = accounts.issue(session, user, "token", name="bench")[0]
        slugs = list(session.scalars(select(City.slug)))
        periods = list(session.scalars(select(Period.id)))
    db.dispose()
    return token, slugs, periods


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _serve(url: str, workers: int) -> tuple[subprocess.Popen[bytes], str]:
    port = _port()
    env = {**os.environ, "CITYKPI_DATABASE_URL": url}
    command = [
        sys.executable,
        "-m",
        "citykpi.cli",
        "serve",
        "--no-demo",
        "--port",
        str(port),
        "--workers",
        str(workers),
    ]
    # Own process group, so that killing it also ends the worker processes.
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    for _ in range(600):
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return process, base
        except httpx.HTTPError:
            time.sleep(0.1)
    os.killpg(process.pid, signal.SIGKILL)
    raise SystemExit("the server did not start")


async def _measure(base: str, token: str, paths: list[str], clients: int) -> list[float]:
    queue = list(paths)
    latencies: list[float] = []
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=base, headers=headers, limits=limits, timeout=30) as client:

        async def worker() -> None:
            while queue:
                path = queue.pop()
                started = time.perf_counter()
                response = await client.get(path)
                latencies.append((time.perf_counter() - started) * 1000)
                if response.status_code != 200:
                    raise SystemExit(f"GET {path}: {response.status_code} {response.text[:200]}")

        for path in paths[: clients * 2]:  # warm up connections and caches
            await client.get(path)
        await asyncio.gather(*(worker() for _ in range(clients)))
    return latencies


def _percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def latency_rows(base: str, token: str, endpoints: dict[str, list[str]], label: str) -> list[tuple[str, ...]]:
    """One table row per endpoint and client count (1, then 20), printed as soon as it is measured."""
    rows: list[tuple[str, ...]] = []
    for name, paths in endpoints.items():
        for clients in (1, 20):
            started = time.perf_counter()
            latencies = asyncio.run(_measure(base, token, paths, clients))
            elapsed = time.perf_counter() - started
            p50, p95 = _percentile(latencies, 50), _percentile(latencies, 95)
            verdict = "" if clients == 1 else ("meets" if p95 < TARGET_MS else "MISSES")
            row = (label, name, str(clients), str(len(latencies)), f"{p50:.1f}", f"{p95:.1f}")
            rows.append((*row, f"{len(latencies) / elapsed:.0f}", verdict))
            print("  ".join(rows[-1]), flush=True)
    return rows


def _bench(label: str, url: str, requests: int, workers: int) -> list[tuple[str, ...]]:
    token, slugs, periods = _token(url)
    rng = random.Random(7)
    endpoints = {
        "city  GET /cities/{slug}": [f"/api/v1/cities/{rng.choice(slugs)}" for _ in range(requests)],
        "values GET /periods/{id}/values": [
            f"/api/v1/periods/{rng.choice(periods)}/values?limit=100" for _ in range(requests)
        ],
    }
    process, base = _serve(url, workers)
    try:
        rows = latency_rows(base, token, endpoints, label)
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    return rows


def _table(rows: list[tuple[str, ...]]) -> None:
    header = ("database", "endpoint", "clients", "requests", "p50 ms", "p95 ms", "req/s", f"p95<{TARGET_MS:.0f}ms")
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    print()
    for row in [header, tuple("-" * w for w in widths), *rows]:
        print(" | ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)))


def main() -> int:
    args = _args()
    if not args.no_postgres and not os.environ.get(PG_ENV) and list(Path("/usr/lib/postgresql").glob("*/bin")):
        script = ROOT / "scripts" / "with-postgres.sh"
        return subprocess.call(["bash", str(script), sys.executable, __file__, *sys.argv[1:]])
    args.work.mkdir(parents=True, exist_ok=True)
    sqlite_file = args.work / f"bench-{args.cities}x{args.years}.db"
    sqlite_url = f"sqlite:///{sqlite_file}"
    if not sqlite_file.exists():
        partial = args.work / "loading.db"
        for leftover in args.work.glob("loading.db*"):
            leftover.unlink()
        _load(f"sqlite:///{partial}", args.cities, args.years)
        partial.rename(sqlite_file)
    print(f"server: citykpi serve --workers {args.workers}; machine load average {os.getloadavg()[0]:.1f}")
    rows = _bench("sqlite", sqlite_url, args.requests, args.workers)
    server = os.environ.get(PG_ENV)
    if server and not args.no_postgres:
        from citykpi.store.scratch import postgres_database

        backup = args.work / "bench-backup.json.gz"
        citykpi = [sys.executable, "-m", "citykpi.cli", "db"]
        subprocess.run([*citykpi, "export", str(backup), "--database", sqlite_url], check=True)
        with postgres_database(server) as pg_url:
            subprocess.run([*citykpi, "import", str(backup), "--database", pg_url], check=True)
            rows += _bench("postgresql", pg_url, args.requests, args.workers)
    else:
        print("PostgreSQL skipped: not installed, or --no-postgres")
    _table(rows)
    print(f"load average after the run: {os.getloadavg()[0]:.1f} (the machine is shared; figures vary with it)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
