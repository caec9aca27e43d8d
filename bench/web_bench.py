"""Dashboard page latency on the platform benchmark's database (150 cities x 5 years, SQLite): the public
city page and the home page, p50/p95 at 1 and 20 concurrent clients on loopback.

A city page scores every visible year and draws the selected year's wheel; both are cached per
period state in the server process (citykpi.web.views), so the first view of a city is slow and later
views are fast. The benchmark therefore reports the first (cold) views separately, then measures with
warm caches over `--sample` cities. It reuses the database, server start and client loop of
bench/platform_bench.py (run that first to build the database).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from platform_bench import _serve, _table, _token, latency_rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=Path("/tmp/citykpi-platform-bench/bench-150x5.db"))
    parser.add_argument("--sample", type=int, default=30, help="cities whose pages are requested")
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--workers", type=int, default=1, help="server processes (`citykpi serve --workers`)")
    args = parser.parse_args()
    if not args.db.exists():
        raise SystemExit(f"{args.db} does not exist: run bench/platform_bench.py --no-postgres first")
    url = f"sqlite:///{args.db}"
    token, slugs, _periods = _token(url)
    rng = random.Random(11)
    sample = rng.sample(slugs, min(args.sample, len(slugs)))
    process, base = _serve(url, args.workers)
    try:
        cold = []
        with httpx.Client(base_url=base, timeout=60) as client:
            for slug in sample:
                started = time.perf_counter()
                assert client.get(f"/cities/{slug}").status_code == 200
                cold.append((time.perf_counter() - started) * 1000)
        print(f"first view of a city page (cold caches), {len(cold)} cities: median {statistics.median(cold):.0f} ms")
        endpoints = {
            "page GET /cities/{slug}": [f"/cities/{rng.choice(sample)}" for _ in range(args.requests)],
            "page GET / (home, 24 cities)": ["/" for _ in range(args.requests)],
        }
        rows = latency_rows(base, token, endpoints, "sqlite")
    finally:
        process.kill()
        process.wait()
    _table(rows)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
