"""Similar cities on 150 cities x 5 years: computed afresh on each request against the comparison kept.

`citykpi.http.similar` keeps the comparison of all cities (every city's latest visible results,
standardised) per data revision and read scope; what is left per request is one city against the
others. Read as the public, in one process (no server: the work itself), on the data set of
bench/platform_bench.py (cached under --work). The baseline, measured in the same run, is
`platform.similar.similar_cities` without a kept comparison, what each request cost before.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TypeVar

from platform_bench import loaded, sqlite_url

T = TypeVar("T")


def _args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cities", type=int, default=150)
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--asked", type=int, default=10, help="cities whose similar cities are asked for")
    parser.add_argument("--work", type=Path, default=Path("/tmp/citykpi-hub-bench"))
    return parser.parse_known_args()[0]


def _ms(work: Callable[[], T]) -> tuple[float, T]:
    started = time.perf_counter()
    answer = work()
    return (time.perf_counter() - started) * 1000, answer


def main() -> int:
    from sqlalchemy import select

    from citykpi.http.similar import similar_cities
    from citykpi.platform import similar
    from citykpi.platform.roles import PUBLIC
    from citykpi.store.db import Database
    from citykpi.store.migrate import upgrade
    from citykpi.store.schema import City

    args = _args()
    copy = args.work / f"similar-{args.cities}x{args.years}.db"
    shutil.copyfile(loaded(args.work, args.cities, args.years), copy)
    db = Database(sqlite_url(copy))
    upgrade(db.engine)
    with db.read() as session:
        chosen = random.Random(5).sample(list(session.scalars(select(City).order_by(City.id))), args.asked)
        fresh, kept = [], []
        for city in chosen:
            took, answer = _ms(partial(similar.similar_cities, session, PUBLIC, city))
            fresh.append(took)
            took, same = _ms(partial(similar_cities, session, PUBLIC, city))
            kept.append(took)
            if same != answer:
                raise SystemExit(f"{city.slug}: the kept comparison answered differently")
    db.dispose()
    load = os.getloadavg()[0]
    print(f"similar cities of {args.asked} of {args.cities} x {args.years} years, as the public (load {load:.1f})")
    print(f"  baseline, computed afresh: median {statistics.median(fresh):.1f} ms, max {max(fresh):.1f}")
    print(f"  kept comparison: first {kept[0]:.1f} ms (builds it), then median {statistics.median(kept[1:]):.1f} ms")
    print(f"  ratio kept/afresh (median after the first): {statistics.median(kept[1:]) / statistics.median(fresh):.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
