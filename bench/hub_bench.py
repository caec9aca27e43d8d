"""Hub overview and KPI page latency: 150 cities x 5 years, SQLite and PostgreSQL, 1 and 20 clients.

Target (issue 14): p95 under 100 ms warm and 300 ms cold at 20 clients for the hub overview and a
city's KPI page. Reuses bench/platform_bench.py: the same synthetic data set (the demo cities varied
into 150, loaded through the platform's services, cached under --work, copied into PostgreSQL with
`citykpi db export` / `db import`), the same server (`citykpi serve`) and load generators (wrk when
installed, else httpx). The varied cities share their model city's coordinates, so each is moved by
up to 3 degrees (seeded) to spread them on the map.

Pages are read as the public. Besides the pages, the two chart specs their browsers fetch next
(`/charts/map.json`, `/charts/kpi-history.json`) are measured. Two kinds of figures:

- cold: a fresh server process (nothing scored, drawn or rendered in memory); every distinct path
  requested once by 20 concurrent clients, p50/p95 of those first answers;
- warm: the same paths again and again after each was requested once (wrk or httpx, 1 and 20 clients).

The home page, kept rendered the same way (per visitor and data revision), is measured beside them
as the baseline of the same run: on a shared machine its figures show what the load alone costs.
The machine's load average is printed beside the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import signal
from pathlib import Path
from urllib.parse import quote, urlencode

from platform_bench import (
    Load,
    _measure,
    _percentile,
    _serve,
    against,
    latency_rows,
    on_both_databases,
    sqlite_url,
)

TARGET_WARM_MS, TARGET_COLD_MS = 100.0, 300.0
KPIS = ("EC: ICT: ICT: 4C", "EN: EN: AQ: 1C", "SC: EH: H: 1C", "EC: I: WS: 1C", "EN: E: E: 1C", "SC: SH: SA: 1C")


def _args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cities", type=int, default=150)
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--requests", type=int, default=400, help="requests per row (httpx client)")
    parser.add_argument("--seconds", type=int, default=8, help="seconds per row (wrk)")
    parser.add_argument("--client", choices=("wrk", "httpx"), default="wrk" if _has_wrk() else "httpx")
    parser.add_argument("--work", type=Path, default=Path("/tmp/citykpi-hub-bench"))
    parser.add_argument("--no-postgres", action="store_true")
    return parser.parse_known_args()[0]


def _has_wrk() -> bool:
    from shutil import which

    return which("wrk") is not None


def _spread(path: Path) -> str:
    """Moves each city of the SQLite file up to 3 degrees from its model city's spot, so that the map
    shows 150 points (once: a data set whose cities already stand apart is left as it is); its URL."""
    from sqlalchemy import select

    from citykpi.store.db import Database
    from citykpi.store.schema import City

    url = sqlite_url(path)
    db = Database(url)
    rng = random.Random(14)
    with db.write() as session:
        found = list(session.scalars(select(City).order_by(City.id)))
        apart = len({(c.latitude, c.longitude) for c in found}) == len(found)
        for city in [] if apart else found:
            if city.latitude is not None and city.longitude is not None:
                city.latitude = max(-85.0, min(85.0, city.latitude + rng.uniform(-3, 3)))
                city.longitude = city.longitude + rng.uniform(-3, 3)
    db.dispose()
    return url


def _paths(url: str) -> dict[str, list[str]]:
    from sqlalchemy import select

    from citykpi.platform.cities import PEER_GROUPS
    from citykpi.store.db import Database
    from citykpi.store.schema import City

    db = Database(url)
    with db.read() as session:
        slugs = list(session.scalars(select(City.slug).order_by(City.id)))
        hubs = sorted({h for h in session.scalars(select(City.hub)) if h})
    db.dispose()
    rng = random.Random(7)
    filters = [{}, {"sort": "score"}, {"dimension": "Economy", "sort": "score"}, *({"hub": h} for h in hubs)]
    filters += [{"peer": label} for _floor, label in PEER_GROUPS]
    hub = [f"/hub?{urlencode(f)}" for f in filters]
    chosen = [(rng.choice(slugs), rng.choice(KPIS)) for _ in range(40)]
    kpi_pages = [f"/cities/{slug}/kpis/{quote(code)}" for slug, code in chosen]
    return {
        "page GET / (home, baseline: an existing kept page)": ["/"],
        "page GET /hub (10 filter sets)": hub,
        "page GET /cities/{slug}/kpis/{code}": kpi_pages,
        "page GET /charts/map.json": [p.replace("/hub", "/charts/map.json") for p in hub],
        "page GET /charts/kpi-history.json": [
            f"/charts/kpi-history.json?{urlencode({'city': slug, 'kpi': code})}" for slug, code in chosen
        ],
    }


def _bench(label: str, url: str, args: argparse.Namespace) -> list[tuple[str, ...]]:
    endpoints = _paths(url)
    rows: list[tuple[str, ...]] = []
    process, base = _serve(url, workers=1)
    try:
        for name, paths in endpoints.items():
            first = asyncio.run(_measure(base, "", list(dict.fromkeys(paths)), 20, warm_up=False))  # each once
            p50, p95 = (_percentile(first, 50), _percentile(first, 95)) if len(first) > 1 else (first[0], first[0])
            verdict = against(p95, TARGET_COLD_MS)
            load = os.getloadavg()[0]
            rows.append(
                (f"{label}, cold", name, "20", str(len(first)), f"{p50:.1f}", f"{p95:.1f}", f"load {load:.1f}", verdict)
            )
            print("  ".join(rows[-1]), flush=True)
        rng = random.Random(11)
        count = 4 * max(args.requests, 100)
        drawn = {name: [rng.choice(paths) for _ in range(count)] for name, paths in endpoints.items()}
        warm = latency_rows(base, "", drawn, f"{label}, warm", Load(args.client, args.seconds, args.requests))
        rows += [(*r[:-1], r[-1] + f" (load {os.getloadavg()[0]:.1f})") for r in warm]
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    return rows


def main() -> int:
    args = _args()
    return on_both_databases(
        args, __file__, lambda label, url: _bench(label, url, args), "server: citykpi serve", _spread
    )


if __name__ == "__main__":
    raise SystemExit(main())
