"""Write speed of the platform: seconds per period to import a submission and to run the demo cycle.

Three measurements, each on SQLite and PostgreSQL, on the synthetic demo cities varied into N
(new names and seeds, as bench/platform_bench.py does):

- import: one transaction that opens a draft period and imports a generated submission into it
  (`platform.values.import_submission`, what `POST /api/v1/periods/{id}/import` runs after parsing
  the file); generating the submission is not timed;
- re-import: the same submission imported again into the same period (nothing changes: the
  idempotent path a city takes when it uploads the same workbook twice);
- demo cycle: `platform.demo.load_demo`, what `citykpi serve` runs on an empty database: per period
  the import, then submit, under verification, every KPI accepted, verified, published (the last
  year stays a draft), including generating the data.

One city-year is loaded first and not counted, so the figures are the steady state rather than the
first parse of the catalogue. Besides wall-clock seconds, the CPU seconds of this process are shown:
on a shared machine they move less with the load than wall time (PostgreSQL's own work is in its
server process and not in them). The code measured is whichever `citykpi` Python imports: to measure
another checkout, run this file with `PYTHONPATH=<checkout>/src` (the figures of the code before the
speed-up in docs/platform.md were taken so, from a `git worktree` of the older commit).
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import statistics
import subprocess
import sys
import tempfile
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING

from timing import Took, measuring

if TYPE_CHECKING:
    from citykpi.demo.cities import CitySpec
    from citykpi.store.db import Database

ROOT = Path(__file__).resolve().parents[1]
PG_ENV = "CITYKPI_TEST_POSTGRES_URL"


def _args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cities", type=int, default=10)
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--no-postgres", action="store_true")
    return parser.parse_known_args()[0]


def _specs(tag: str, count: int) -> list[CitySpec]:
    from citykpi.demo.cities import CITIES

    return [
        dataclasses.replace(CITIES[i % len(CITIES)], name=f"{CITIES[i % len(CITIES)].name} {tag}{i:03d}", seed=1000 + i)
        for i in range(count)
    ]


@dataclasses.dataclass
class Timings:
    """Wall-clock and CPU seconds of this process (PostgreSQL's own work is in another process)."""

    took: list[Took] = dataclasses.field(default_factory=list)

    def measure(self) -> AbstractContextManager[None]:
        return measuring(self.took)

    def row(self, label: str, name: str, periods: int) -> tuple[str, ...]:
        walls = [t.wall for t in self.took]
        wall, cpu = sum(walls), sum(t.cpu for t in self.took)
        p95 = f"{statistics.quantiles(walls, n=20, method='inclusive')[-1]:.3f}" if len(walls) > 1 else ""
        return (label, name, str(periods), f"{wall / periods:.3f}", p95, f"{cpu / periods:.3f}", f"{wall:.1f}")


def _imports(db: Database, cities: int, years: tuple[int, ...]) -> tuple[Timings, Timings]:
    """Each first import and each identical re-import, one transaction each."""
    from citykpi.demo.generate import generate
    from citykpi.model.diagnostics import ValidationReport
    from citykpi.platform import cities as city_service
    from citykpi.platform.catalogues import catalogue_of
    from citykpi.platform.demo import LOADER
    from citykpi.platform.seed import ensure_framework
    from citykpi.platform.values import import_submission
    from citykpi.store.schema import City, Period

    first, again = Timings(), Timings()
    for spec in _specs("import ", cities):
        with db.write() as session:
            kpis = list(catalogue_of(ensure_framework(session)).kpis.values())
            city_id = city_service.create_city(session, LOADER, spec.name, country=spec.country).id
        for year in years:
            submission = generate(kpis, spec, year)
            submission.source_file = f"bench {year}"
            with first.measure(), db.write() as session:
                city = session.get_one(City, city_id)
                period = city_service.create_period(session, LOADER, city, year, ensure_framework(session))
                period_id = period.id
                import_submission(session, LOADER, period, submission, ValidationReport(valid=True))
            with again.measure(), db.write() as session:
                period = session.get_one(Period, period_id)
                outcome = import_submission(session, LOADER, period, submission, ValidationReport(valid=True))
            if outcome.created or outcome.updated:
                raise SystemExit(f"re-import changed {outcome.created + outcome.updated} rows: not idempotent")
    return first, again


def _load(db: Database, specs: list[CitySpec], years: tuple[int, ...]) -> Timings:
    from citykpi.platform.demo import load_demo

    timings = Timings()
    with timings.measure():
        load_demo(db, specs, years, accounts=False)
    return timings


def _rows(label: str, url: str, cities: int, years: tuple[int, ...]) -> list[tuple[str, ...]]:
    from citykpi.store.scratch import migrated

    periods = cities * len(years)
    with migrated(url) as db:
        rows = [_load(db, _specs("warm-up ", 1), (2019,)).row(label, "first city-year (cold, not counted)", 1)]
        first, again = _imports(db, cities, years)
        rows.append(first.row(label, "import", periods))
        rows.append(again.row(label, "re-import (unchanged)", periods))
        rows.append(_load(db, _specs("", cities), years).row(label, "demo cycle (load_demo)", periods))
    for row in rows:
        print("  ".join(row), flush=True)
    return rows


def _table(rows: list[tuple[str, ...]]) -> str:
    table = [("database", "measured", "periods", "s/period", "p95 s", "CPU s/period", "total s"), *rows]
    widths = [max(map(len, column)) for column in zip(*table, strict=True)]
    lines = [" | ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)) for row in table]
    return "\n".join([lines[0], "-|-".join("-" * width for width in widths), *lines[1:]])


def main() -> int:
    args = _args()
    if not args.no_postgres and not os.environ.get(PG_ENV) and list(Path("/usr/lib/postgresql").glob("*/bin")):
        script = ROOT / "scripts" / "with-postgres.sh"
        return subprocess.call(["bash", str(script), sys.executable, __file__, *sys.argv[1:]])
    import citykpi
    from citykpi.store.scratch import postgres_database, sqlite_url

    years = tuple(range(2020, 2020 + args.years))
    print(f"code measured: {Path(citykpi.__file__).parent}; load average {os.getloadavg()[0]:.1f}", flush=True)
    with tempfile.TemporaryDirectory() as folder:
        rows = _rows("sqlite", sqlite_url(Path(folder)), args.cities, years)
    server = os.environ.get(PG_ENV)
    if server and not args.no_postgres:
        with postgres_database(server) as url:
            rows += _rows("postgresql", url, args.cities, years)
    else:
        print("PostgreSQL skipped: not installed, or --no-postgres")
    print(f"\n{_table(rows)}")
    print(f"load average after the run: {os.getloadavg()[0]:.1f} (the machine is shared; figures vary with it)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
