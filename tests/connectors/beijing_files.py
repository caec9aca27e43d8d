"""Seeded station files shaped like Beijing's PRSA exports (one file per station, separate year,
month, day and hour columns, NA for gaps, CO in µg/m³ beside the five KPI pollutants), and the
annual means computed from them by plain Python, independently of the ingest's numpy path."""

from __future__ import annotations

import gzip
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

HEADER = ["No", "year", "month", "day", "hour", "PM2.5", "PM10", "SO2", "NO2", "CO", "O3", "TEMP", "PRES", "DEWP",
          "RAIN", "wd", "WSPM", "station"]  # fmt: skip
POLLUTANTS = {"pm2_5": "PM2.5", "pm10": "PM10", "so2": "SO2", "no2": "NO2", "o3": "O3"}


@dataclass
class Station:
    name: str
    rows: list[dict[str, object]] = field(default_factory=list)

    def mean(self, pollutant: str, year: int) -> float:
        found = [r[POLLUTANTS[pollutant]] for r in self.rows if r["year"] == year]
        values = [float(v) for v in found if v != "NA"]
        return sum(values) / len(values)


def station_file(
    folder: Path,
    name: str,
    start: datetime,
    end: datetime,
    seed: int,
    missing: Callable[[datetime], bool] = lambda _: False,
) -> tuple[Path, Station]:
    """Hourly rows from `start` to `end` (exclusive); each reading is NA with 2 % chance, and every
    pollutant is NA at the hours where `missing` says so."""
    rng = random.Random(seed)
    station = Station(name)
    lines = [",".join(f'"{h}"' for h in HEADER)]
    t, number = start, 1
    while t < end:
        gap = missing(t)
        cell = {p: "NA" if gap or rng.random() < 0.02 else f"{rng.uniform(3, 300):.1f}" for p in POLLUTANTS.values()}
        row = {"No": number, "year": t.year, "month": t.month, "day": t.day, "hour": t.hour, **cell}
        row |= {"CO": f"{rng.uniform(200, 3000):.0f}", "TEMP": "1.2", "PRES": "1020", "DEWP": "-18", "RAIN": "0"}
        row |= {"wd": "NNW", "WSPM": "4.4", "station": name}
        station.rows.append(row)
        lines.append(",".join(str(row[h]) for h in HEADER))
        t += timedelta(hours=1)
        number += 1
    path = folder / f"PRSA_Data_{name}_{start:%Y%m%d}-{end:%Y%m%d}.csv.gz"
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        fh.write("\n".join(lines) + "\n")
    return path, station
