"""Which column of a measurement file holds what.

Station exports differ in column names and in where the unit is written (in the header, or known to
the operator); the layout is resolved once from the header so that the streaming pass needs no
guessing, and every problem is reported before any data is read.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from citykpi.connectors.pollutants import UGM3, Pollutant, factor_to_ugm3, parse_header, pollutant_named
from citykpi.model.diagnostics import Diagnostic, error

TIME_NAMES = ("datetime", "timestamp", "date", "time", "date_time", "from date", "from_date")
STATION_NAMES = ("station", "stationid", "station_id", "station id", "site", "site_id", "location", "meter")
CITY_NAMES = ("city", "municipality", "town")


@dataclass(frozen=True)
class Series:
    column: str
    pollutant: Pollutant
    unit: str
    factor: float  # to µg/m³


@dataclass(frozen=True)
class Layout:
    time: str
    station: str | None
    city: str | None
    series: tuple[Series, ...]


def _find(columns: Sequence[str], wanted: str | None, names: Sequence[str]) -> str | None:
    if wanted is not None:
        return wanted if wanted in columns else None
    lowered = {c.strip().lower(): c for c in columns}
    return next((lowered[n] for n in names if n in lowered), None)


def resolve_layout(
    columns: Sequence[str],
    file: str,
    units: Mapping[str, str] | None = None,
    time_column: str | None = None,
    station_column: str | None = None,
) -> Layout | list[Diagnostic]:
    """`units` maps a pollutant (any spelling) to the unit of its readings and overrides the header."""
    problems: list[Diagnostic] = []
    overrides: dict[str, str] = {}
    for name, unit in (units or {}).items():
        pollutant = pollutant_named(name)
        if pollutant is None:
            problems.append(error("unknown-pollutant", f"--unit names {name!r}, not one of PM10, PM2.5, NO2, SO2, O3"))
        else:
            overrides[pollutant.key] = unit
    time = _find(columns, time_column, TIME_NAMES)
    if time is None:
        wanted = repr(time_column) if time_column else "a date/time column (" + ", ".join(TIME_NAMES) + ")"
        problems.append(error("missing-label", f"no {wanted} among the columns {list(columns)}", file=file))
    station = _find(columns, station_column, STATION_NAMES)
    if station_column is not None and station is None:
        problems.append(error("missing-label", f"station column {station_column!r} is not in the file", file=file))
    series: list[Series] = []
    for column in columns:
        parsed = parse_header(column)
        if parsed is None:
            continue
        pollutant, header_unit = parsed
        unit = overrides.get(pollutant.key, header_unit or UGM3)
        factor = factor_to_ugm3(pollutant, unit)
        if isinstance(factor, str):
            problems.append(error("unit-error", factor, file=file, column=column))
        else:
            series.append(Series(column, pollutant, unit, factor))
    if not series and not problems:
        problems.append(
            error("missing-label", f"no pollutant column (PM10, PM2.5, NO2, SO2, O3) among {list(columns)}", file=file)
        )
    keys = [s.pollutant.key for s in series]
    for key in sorted({k for k in keys if keys.count(k) > 1}):
        columns_of = [s.column for s in series if s.pollutant.key == key]
        problems.append(error("duplicate-label", f"several columns hold the same pollutant: {columns_of}", file=file))
    if problems or time is None:
        return problems
    return Layout(time, station, _find(columns, None, CITY_NAMES), tuple(series))
