"""CPU of the hub overview's and KPI pages' first and kept views in one process, with cProfile on demand.

What bench/hub_bench.py measures through a server and 20 clients, taken apart: the app runs in this
process (httpx's ASGI transport) and its reads run in the calling thread, so that process CPU time
and cProfile see the whole answer. Per kind of page: the median and max CPU ms of each distinct
path's first view (nothing of it kept yet) and their total (20 concurrent clients asking them all at once
wait for about that much CPU of the one server process), then of 100 views of kept pages. `--profile first` or
`--profile kept` prints cProfile's top functions of those views (by `--sort`). The data set is the
one of platform_bench.py (cached under --work); the load average is printed with the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import os
import pstats
import random
import shutil
import statistics
import time
from pathlib import Path

from hub_bench import _paths
from platform_bench import loaded, sqlite_url


def _args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cities", type=int, default=150)
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--work", type=Path, default=Path("/tmp/citykpi-hub-bench"))
    parser.add_argument("--profile", choices=("first", "kept"), default=None)
    parser.add_argument("--sort", default="cumulative", help="cProfile sort key (cumulative, tottime, ...)")
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--only", default="", help="profile only the endpoints whose name holds this (all run)")
    return parser.parse_args()


async def _views(client: object, paths: list[str], profile: cProfile.Profile | None) -> list[float]:
    took = []
    for path in paths:
        started = time.process_time()
        if profile:
            profile.enable()
        answer = await client.get(path)  # type: ignore[attr-defined]
        if profile:
            profile.disable()
        took.append((time.process_time() - started) * 1000)
        if answer.status_code != 200:
            raise SystemExit(f"GET {path}: {answer.status_code}")
    return took


async def _run(args: argparse.Namespace, url: str) -> None:
    import httpx

    import citykpi.http.deps as deps
    from citykpi.app import create_app
    from citykpi.cli.serve import settled

    async def inline(work, *given, limiter=None):  # type: ignore[no-untyped-def]
        return work(*given)

    deps.anyio.to_thread.run_sync = inline  # the reads in this thread, where process_time and cProfile see them
    os.environ["CITYKPI_DATABASE_URL"] = url
    app = settled(create_app())  # as `citykpi serve` does
    endpoints = {k: v for k, v in _paths(url).items() if "baseline" not in k}
    profile = cProfile.Profile() if args.profile else None
    rng = random.Random(3)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench") as client:
        for name, paths in endpoints.items():
            distinct = list(dict.fromkeys(paths))
            chosen = profile if args.only in name else None
            first = await _views(client, distinct, chosen if args.profile == "first" else None)
            drawn = [rng.choice(distinct) for _ in range(100)]
            kept = await _views(client, drawn, chosen if args.profile == "kept" else None)
            print(
                f"{name}: first views ({len(first)}) CPU ms total {sum(first):.0f} "
                f"median {statistics.median(first):.1f} max {max(first):.1f}; "
                f"kept median {statistics.median(kept):.2f}; load {os.getloadavg()[0]:.1f}",
                flush=True,
            )
    if profile:
        pstats.Stats(profile).sort_stats(args.sort).print_stats(args.top)


def main() -> int:
    args = _args()
    copy = args.work / f"profile-{args.cities}x{args.years}.db"
    shutil.copyfile(loaded(args.work, args.cities, args.years), copy)  # a fresh copy: upgrades stay in it
    asyncio.run(_run(args, sqlite_url(copy)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
