"""Benchmark of citykpi.exchange and citykpi.connectors against the targets of issue 6.

1. Export and import of 150 cities x 5 years in every format (target: each under 5 s). The
   assessments are real: synthetic submissions (every input and directly reported data point of
   the U4SSC catalogue filled with a random value) assessed by the engine.
2. Ingest of 10 million synthetic hourly readings (target: over 2 million readings per second, peak
   memory under 1 GiB). A reading is one station-hour row carrying all five pollutants. The file is
   generated first (CSV, and Parquet for comparison), then ingested in a child process whose peak
   resident memory (ru_maxrss) is measured, so that generating the data does not count.

Run: .venv/bin/python bench/exchange_bench.py [--cities 150 --years 5 --readings 10000000]
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from citykpi.assess.engine import assess
from citykpi.exchange.formats import FORMATS
from citykpi.framework.catalogue import Catalogue
from citykpi.framework.model import DataPoint, ValueKind
from citykpi.model.assessment import Assessment
from citykpi.model.submission import CityProfile, Entry, EntryKind, Status, Submission
from citykpi.scoring.targetfiles import default_target_set
from citykpi.scoring.targets import TargetBook
from timing import timed

TARGET_SECONDS = 5.0
TARGET_RATE = 2_000_000
TARGET_MEMORY = 1 << 30
HOURS = 8760  # 2021


def _direct_value(dp: DataPoint, rng: random.Random) -> float | bool | str:
    if dp.kind is ValueKind.BOOLEAN:
        return rng.random() < 0.5
    if dp.kind is ValueKind.LEVEL and dp.levels:
        return rng.choice(dp.levels)
    return round(rng.uniform(1, 100), 3)


def submissions(catalogue: Catalogue, cities: int, years: int) -> list[Submission]:
    rng = random.Random(6)
    out = []
    for c in range(cities):
        for y in range(2019, 2019 + years):
            entries = [
                Entry(kpi=k.code, kind=EntryKind.INPUT, name=i.name, value=round(rng.uniform(1, 1000), 3),
                      status=Status.REPORTED, quality=rng.randint(1, 6))
                for k in catalogue.kpis.values() for i in k.inputs
            ] + [
                Entry(kpi=k.code, kind=EntryKind.VALUE, name=d.key, value=_direct_value(d, rng), status=Status.REPORTED,
                      source="synthetic", verified=rng.random() < 0.5)
                for k in catalogue.kpis.values() for d in k.data_points if d.formula is None
            ]  # fmt: skip
            sizes = {"population": rng.uniform(5e4, 5e6), "households": rng.uniform(2e4, 2e6)}
            sizes |= {"area_km2": rng.uniform(10, 2000), "gdp": rng.uniform(1e9, 1e11)}
            profile = CityProfile(city=f"City {c:03d}", country="XX", year=y, **sizes)
            out.append(Submission(profile=profile, entries=entries))
    return out


def bench_formats(assessments: list[Assessment], catalogue: Catalogue, work: Path) -> bool:
    book = TargetBook([default_target_set()])
    rows = sum(len(a.results) for a in assessments)
    print(f"\nexport/import of {len(assessments)} city-years, {rows} KPI value rows", end="")
    print(f" (target < {TARGET_SECONDS:.0f} s each, wall clock)")
    print(f"{'format':<14}{'export s (cpu)':>18}{'import s (cpu)':>18}{'size MB':>10}  ok")
    ok = True
    for name, fmt in FORMATS.items():
        out = work / name
        exported, written = timed(lambda f=fmt, o=out: f.export(assessments, catalogue.kpis, o, book))
        imported, back = timed(lambda f=fmt, o=out: f.read(o))
        same = sum(len(a.results) for a in back) == rows
        size = sum(p.stat().st_size for p in written) / 1e6
        passed = same and exported.wall < TARGET_SECONDS and imported.wall < TARGET_SECONDS
        ok &= passed
        print(
            f"{name:<14}{exported.wall:>10.2f} ({exported.cpu:5.2f}){imported.wall:>10.2f} ({imported.cpu:5.2f})"
            f"{size:>10.1f}  {'yes' if passed else 'NO'}"
        )
    return ok


def generate_readings(path_csv: Path, path_parquet: Path, readings: int) -> None:
    """Hourly rows for ceil(readings / 8760) stations in 2021, written a block of stations at a time."""
    rng = np.random.default_rng(6)
    stations = -(-readings // HOURS)
    hours = np.arange(
        np.datetime64("2021-01-01T00:00:00"), np.datetime64("2022-01-01T00:00:00"), np.timedelta64(1, "h")
    )
    written = 0
    block = 50
    schema = None
    with pacsv.CSVWriter(path_csv, _schema()) as csv_writer, pq.ParquetWriter(path_parquet, _schema()) as pq_writer:
        for first in range(0, stations, block):
            n = min(block, stations - first) * HOURS
            n = min(n, readings - written)
            ids = np.repeat(np.arange(first, first + block), HOURS)[:n]
            columns = {
                "station": pa.array([f"ST{i:05d}" for i in range(first, first + block)]).take(pa.array(ids - first)),
                "datetime": pa.array(np.tile(hours, block)[:n]).cast(pa.timestamp("s")),
            }
            for name, scale in (("PM10", 40), ("PM2.5", 20), ("NO2 (ppb)", 15), ("SO2 (ppb)", 5), ("O3 (ppb)", 30)):
                values = np.round(rng.gamma(2.0, scale / 2, n), 1)
                values[rng.random(n) < 0.05] = np.nan  # 5 % missing readings
                columns[name] = pa.array(values, from_pandas=True)
            table = pa.table(columns, schema=schema or _schema())
            csv_writer.write_table(table)
            pq_writer.write_table(table)
            written += n


def _schema() -> pa.Schema:
    pollutants = [pa.field(n, pa.float64()) for n in ("PM10", "PM2.5", "NO2 (ppb)", "SO2 (ppb)", "O3 (ppb)")]
    return pa.schema([pa.field("station", pa.string()), pa.field("datetime", pa.timestamp("s")), *pollutants])


# The child reports its own peak RSS from /proc/self/status (VmHWM, reset by exec): ru_maxrss would
# include the parent's pages at fork time, which Linux carries over exec.
CHILD = """
import sys, time
from pathlib import Path
from citykpi.connectors.ingest import ingest_measurements
from citykpi.framework.catalogue import Catalogue
kpi = Catalogue.load().kpi("EN: EN: AQ: 1C")
t0, c0 = time.perf_counter(), time.process_time()
result = ingest_measurements(Path(sys.argv[1]), kpi, "Bench City", 2021)
wall, cpu = time.perf_counter() - t0, time.process_time() - c0
assert result.submission is not None, result.report
status = Path("/proc/self/status").read_text()
peak = int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM:"))) * 1024
print(wall, cpu, peak, len(result.means[0].stations), result.means[0].value)
"""


def bench_ingest(path: Path, readings: int) -> bool:
    done = subprocess.run([sys.executable, "-c", CHILD, str(path)], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        print(f"{path.suffix}: ingest failed\n{done.stderr}")
        return False
    wall, cpu, peak, stations, pm10 = (float(x) for x in done.stdout.split())
    rate = readings / wall
    passed = rate > TARGET_RATE and peak < TARGET_MEMORY
    print(
        f"{path.suffix[1:]:<8}{path.stat().st_size / 1e6:>7.0f} MB{wall:>8.2f} s ({cpu:5.2f} cpu){rate / 1e6:>7.2f} M/s"
        f" ({readings / cpu / 1e6:4.2f} per cpu-s){peak / 2**20:>7.0f} MiB  {stations:.0f} stations,"
        f" PM10 {pm10:.2f}  {'yes' if passed else 'NO'}"
    )
    return passed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cities", type=int, default=150)
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--readings", type=int, default=10_000_000)
    args = parser.parse_args()
    catalogue = Catalogue.load()
    t0 = time.perf_counter()
    subs = submissions(catalogue, args.cities, args.years)
    assessments = [assess(s, catalogue) for s in subs]
    built = time.perf_counter() - t0
    print(f"built and assessed {len(assessments)} synthetic submissions in {built:.1f} s (not a target)")
    with tempfile.TemporaryDirectory(prefix="citykpi-bench-") as tmp:
        work = Path(tmp)
        ok = bench_formats(assessments, catalogue, work)
        t0 = time.perf_counter()
        csv_path, parquet_path = work / "readings.csv", work / "readings.parquet"
        generate_readings(csv_path, parquet_path, args.readings)
        generated = time.perf_counter() - t0
        print(f"\ningest of {args.readings:,} hourly station rows x 5 pollutants (generated in {generated:.0f} s)")
        print(f"targets: > {TARGET_RATE / 1e6:.0f} M readings/s, peak memory < {TARGET_MEMORY / 2**30:.0f} GiB")
        print("input      size      wall (cpu)         rows/s wall (per cpu-s)  peak RSS")
        ok &= bench_ingest(parquet_path, args.readings)
        ok &= bench_ingest(csv_path, args.readings)
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"\nmachine: {os.cpu_count()} CPU(s), load average {load} (shared machine: figures vary with load)")
    print("all targets met" if ok else "some targets NOT met")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
