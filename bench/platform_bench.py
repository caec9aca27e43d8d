"""Platform latency: 150 cities x 5 years, p50/p95 of the city and values APIs and of the dashboard's city
and home pages at 1 and 20 concurrent clients on loopback, for SQLite and PostgreSQL. Target: p95 <
100 ms at 20 clients for the city page and the values API.

The data set is the synthetic demo cities varied into 150 (new names and seeds), loaded through the
platform's own import and workflow services into SQLite once (cached under --work), then copied into
PostgreSQL with `citykpi db export` / `db import`. The server is `citykpi serve --workers N` in a
subprocess. Each database is measured twice: with the API's response cache off
(CITYKPI_RESPONSE_CACHE=0: every body rebuilt, the cost of a first request) and with it on after every
path was requested once (warm). API clients are signed in with a viewer's API token; pages are read
as the public. Requests cycle through random cities and periods.

The load generator is `wrk` (Debian package) when installed: written in C, it leaves the CPU to the
server, while a Python client on the same two cores costs about as much CPU per request as the server
and adds its own queueing to the latencies. Without wrk, httpx async clients are used (--client).
PostgreSQL is a throw-away server started by scripts/with-postgres.sh, as in the test suite (the
benchmark re-runs itself under that script when CITYKPI_TEST_POSTGRES_URL is not set and PostgreSQL is
installed).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import os
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
PG_ENV = "CITYKPI_TEST_POSTGRES_URL"
TARGET_MS = 100.0
WRK_SCRIPT = Path(__file__).with_name("wrk_paths.lua")
PAGE_CITIES = 30  # cities whose dashboard pages are read (each first view scores five years)


def _args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cities", type=int, default=150)
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--requests", type=int, default=400, help="requests per row (httpx client)")
    parser.add_argument("--seconds", type=int, default=5, help="duration of a row (wrk client)")
    parser.add_argument("--client", choices=("wrk", "httpx"), default="wrk" if shutil.which("wrk") else "httpx")
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


def _serve(url: str, workers: int, cache: bool = True) -> tuple[subprocess.Popen[bytes], str]:
    # What the preparation wrote (a copied 170 MB SQLite file, a PostgreSQL import) is written back
    # now, not by the kernel during a cold server's first measured requests.
    os.sync()
    port = _port()
    env = {**os.environ, "CITYKPI_DATABASE_URL": url, "CITYKPI_RESPONSE_CACHE": "4096" if cache else "0"}
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


async def _measure(base: str, token: str, paths: list[str], clients: int, warm_up: bool = True) -> list[float]:
    queue = list(paths)
    latencies: list[float] = []
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with httpx.AsyncClient(base_url=base, headers=headers, limits=limits, timeout=300) as client:

        async def worker() -> None:
            while queue:
                path = queue.pop()
                started = time.perf_counter()
                response = await client.get(path)
                latencies.append((time.perf_counter() - started) * 1000)
                if response.status_code != 200:
                    raise SystemExit(f"GET {path}: {response.status_code} {response.text[:200]}")

        for path in paths[: clients * 2] if warm_up else []:  # warm up connections and caches
            await client.get(path)
        await asyncio.gather(*(worker() for _ in range(clients)))
    return latencies


def _percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def _wrk(base: str, token: str, paths: list[str], clients: int, seconds: int) -> tuple[int, float, float, float]:
    """Requests, seconds, p50 and p95 (ms) of one wrk run over `paths`."""
    with tempfile.NamedTemporaryFile("w", suffix=".txt") as listed:
        listed.write("\n".join(paths) + "\n")
        listed.flush()
        env = {**os.environ, "PATHS": listed.name, "AUTH": f"Bearer {token}" if token else ""}
        command = ["wrk", "-t1", f"-c{clients}", f"-d{seconds}s", "--timeout", "30s", "-s", str(WRK_SCRIPT), base]
        out = subprocess.run(command, env=env, capture_output=True, text=True, check=True).stdout
    found = re.search(r"RESULT requests=(\d+) seconds=([\d.]+) p50=([\d.]+) p95=([\d.]+) errors=(\d+)", out)
    if found is None or int(found[5]):
        raise SystemExit(f"wrk failed or saw errors (non-2xx answers included):\n{out}")
    return int(found[1]), float(found[2]), float(found[3]), float(found[4])


def _httpx(base: str, token: str, paths: list[str], clients: int) -> tuple[int, float, float, float]:
    started = time.perf_counter()
    latencies = asyncio.run(_measure(base, token, paths, clients))
    elapsed = time.perf_counter() - started
    return len(latencies), elapsed, _percentile(latencies, 50), _percentile(latencies, 95)


@dataclasses.dataclass(frozen=True)
class Load:
    client: str  # "wrk" or "httpx"
    seconds: int  # per row, wrk
    requests: int  # per row, httpx


def latency_rows(
    base: str, token: str, endpoints: dict[str, list[str]], label: str, load: Load
) -> list[tuple[str, ...]]:
    """One table row per endpoint and client count (1, then 20), printed as soon as it is measured.

    Endpoints whose name starts with "page" are read without the token, as the public.
    """
    rows: list[tuple[str, ...]] = []
    for name, paths in endpoints.items():
        who = "" if name.startswith("page") else token
        for clients in (1, 20):
            if load.client == "wrk":
                count, elapsed, p50, p95 = _wrk(base, who, paths, clients, load.seconds)
            else:
                count, elapsed, p50, p95 = _httpx(base, who, paths[: load.requests], clients)
            verdict = "" if clients == 1 else against(p95, TARGET_MS)
            row = (label, name, str(clients), str(count), f"{p50:.1f}", f"{p95:.1f}")
            rows.append((*row, f"{count / elapsed:.0f}", verdict))
            print("  ".join(rows[-1]), flush=True)
    return rows


def against(p95: float, target: float) -> str:
    """A row's verdict, naming its target: cold and warm rows of one table have different ones."""
    return ("meets" if p95 < target else "MISSES") + f" <{target:.0f} ms"


def _warm(base: str, token: str, endpoints: dict[str, list[str]]) -> None:
    """Requests every distinct path once; prints how long the first views of the dashboard's city pages took."""
    firsts: list[float] = []
    with httpx.Client(base_url=base, timeout=120) as client:
        for name, paths in endpoints.items():
            headers = {} if name.startswith("page") else {"Authorization": f"Bearer {token}"}
            for path in dict.fromkeys(paths):
                started = time.perf_counter()
                answer = client.get(path, headers=headers)
                if answer.status_code != 200:
                    raise SystemExit(f"GET {path}: {answer.status_code} {answer.text[:200]}")
                if name.startswith("page GET /cities"):
                    firsts.append((time.perf_counter() - started) * 1000)
    print(
        f"first view of a dashboard city page ({len(firsts)} cities, scoring and drawing every year): "
        f"median {statistics.median(firsts):.0f} ms, max {max(firsts):.0f} ms",
        flush=True,
    )


def _bench(label: str, url: str, args: argparse.Namespace) -> list[tuple[str, ...]]:
    token, slugs, periods = _token(url)
    rng = random.Random(7)
    count = 4 * max(args.requests, 100)
    api = {
        "city GET /api/v1/cities/{slug}": [f"/api/v1/cities/{rng.choice(slugs)}" for _ in range(count)],
        "values GET /api/v1/periods/{id}/values": [
            f"/api/v1/periods/{rng.choice(periods)}/values?limit=100" for _ in range(count)
        ],
    }
    shown = rng.sample(slugs, min(PAGE_CITIES, len(slugs)))
    pages = {
        "page GET /cities/{slug}": [f"/cities/{rng.choice(shown)}" for _ in range(count)],
        "page GET / (home)": ["/"] * count,
    }
    load = Load(args.client, args.seconds, args.requests)
    rows: list[tuple[str, ...]] = []
    for cache in (False, True):
        process, base = _serve(url, args.workers, cache)
        try:
            if cache:
                _warm(base, token, {**api, **pages})
            state = "cache warm" if cache else "cache off"
            rows += latency_rows(base, token, {**api, **pages} if cache else api, f"{label}, {state}", load)
        finally:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    return rows


def _table(rows: list[tuple[str, ...]]) -> None:
    header = ("database", "endpoint", "clients", "requests", "p50 ms", "p95 ms", "req/s", "p95 against its target")
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    print()
    for row in [header, tuple("-" * w for w in widths), *rows]:
        print(" | ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)))


def postgres_reexec(args: argparse.Namespace, script_file: str) -> int | None:
    """Runs the benchmark again under scripts/with-postgres.sh when PostgreSQL is installed but not
    started; its exit code, or None to go on in this process."""
    if not args.no_postgres and not os.environ.get(PG_ENV) and list(Path("/usr/lib/postgresql").glob("*/bin")):
        script = ROOT / "scripts" / "with-postgres.sh"
        return subprocess.call(["bash", str(script), sys.executable, script_file, *sys.argv[1:]])
    return None


def loaded(work: Path, cities: int, years: int) -> Path:
    """The SQLite file of `cities` x `years`, loaded once and kept under `work`."""
    work.mkdir(parents=True, exist_ok=True)
    sqlite_file = work / f"bench-{cities}x{years}.db"
    if not sqlite_file.exists():
        partial = work / "loading.db"
        for leftover in work.glob("loading.db*"):
            leftover.unlink()
        _load(f"sqlite:///{partial}", cities, years)
        partial.rename(sqlite_file)
    return sqlite_file


@contextlib.contextmanager
def copied_to_postgres(sqlite_url: str, work: Path, skip: bool) -> Iterator[str | None]:
    """A throw-away PostgreSQL database holding the SQLite one (`db export` / `db import`), or None."""
    server = os.environ.get(PG_ENV)
    if not server or skip:
        print("PostgreSQL skipped: not installed, or --no-postgres")
        yield None
        return
    from citykpi.store.scratch import postgres_database

    backup = work / f"{Path(sqlite_url).stem}-backup.json.gz"
    citykpi = [sys.executable, "-m", "citykpi.cli", "db"]
    subprocess.run([*citykpi, "export", str(backup), "--database", sqlite_url], check=True)
    with postgres_database(server) as pg_url:
        subprocess.run([*citykpi, "import", str(backup), "--database", pg_url], check=True)
        yield pg_url


Rows = list[tuple[str, ...]]


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def on_both_databases(
    args: argparse.Namespace,
    script_file: str,
    bench: Callable[[str, str], Rows],
    about: str,
    prepare: Callable[[Path], str] = sqlite_url,
    report: Callable[[Rows], None] | None = None,
) -> int:
    """The main sequence every bench/ script over the platform's data set shares, its exit code.

    Re-runs `script_file` under scripts/with-postgres.sh when PostgreSQL is installed but not started;
    loads (or reuses) the SQLite file of `args.cities` x `args.years` under `args.work`, hands it to
    `prepare` (which may change or copy it) for the URL to measure, calls `bench(label, url)` on it and
    on its copy in a throw-away PostgreSQL database (unless `args.no_postgres`), and prints the rows of
    both with `report` (default: the latency table) and the load average before and after, the machine
    being shared.
    """
    again = postgres_reexec(args, script_file)
    if again is not None:
        return again
    url = prepare(loaded(args.work, args.cities, args.years))
    print(f"{about}; client: {getattr(args, 'client', 'httpx')}; machine load average {os.getloadavg()[0]:.1f}")
    rows = bench("SQLite", url)
    with copied_to_postgres(url, args.work, args.no_postgres) as pg_url:
        if pg_url:
            rows += bench("PostgreSQL", pg_url)
    (report or _table)(rows)
    print(f"load average after the run: {os.getloadavg()[0]:.1f} (the machine is shared; figures vary with it)")
    return 0


def main() -> int:
    args = _args()
    return on_both_databases(
        args, __file__, lambda label, url: _bench(label, url, args), f"server: citykpi serve --workers {args.workers}"
    )


if __name__ == "__main__":
    sys.exit(main())
