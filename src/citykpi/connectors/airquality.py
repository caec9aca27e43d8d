"""Annual mean concentrations from station tallies: the reporting rules of KPI EN: EN: AQ: 1C.

Rules (docs/interoperability.md explains the choices):
- a station-year counts only when at least 75 % of the year's periods (hours, or days for daily
  data) carry a valid reading: the usual completeness criterion of air-quality reporting (EU
  Directive 2008/50/EC annex; WHO); the U4SSC sheet itself states no threshold;
- a valid reading is a finite, non-negative number; negative readings are counted and reported;
- readings are converted to µg/m³ with the sheet's factors, then each station's annual mean is the
  mean of its valid readings and the city value is the plain mean over complete stations (every
  station weighs the same; the sheet does not prescribe a weighting);
- when no station is complete the mean over the incomplete ones is still given, but as an estimate
  (data quality 4, "estimation based on certain assumptions") with a warning; with no valid reading
  at all the pollutant is "not available".
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass

from citykpi.connectors.layout import Series
from citykpi.connectors.stream import Tallies
from citykpi.model.submission import DataQuality

COMPLETENESS = 0.75


@dataclass(frozen=True)
class StationYear:
    station: str
    valid: int
    expected: int
    mean: float | None  # µg/m³

    @property
    def completeness(self) -> float:
        return self.valid / self.expected

    @property
    def complete(self) -> bool:
        return self.completeness >= COMPLETENESS


@dataclass(frozen=True)
class AnnualMean:
    pollutant: str  # Pollutant.key
    label: str
    value: float | None  # µg/m³
    quality: DataQuality | None
    stations: tuple[StationYear, ...]
    note: str

    @property
    def used(self) -> tuple[StationYear, ...]:
        complete = tuple(s for s in self.stations if s.complete)
        return complete or tuple(s for s in self.stations if s.mean is not None)


def periods_in_year(year: int, hourly: bool) -> int:
    days = 366 if calendar.isleap(year) else 365
    return days * 24 if hourly else days


def annual_means(tallies: Tallies, series: tuple[Series, ...], year: int, source: str) -> list[AnnualMean]:
    expected = periods_in_year(year, tallies.sub_daily)
    stations = sorted({station for station, _ in tallies.by_station})
    return [_annual_mean(tallies, s, stations, expected, year, source) for s in series]


def _annual_mean(
    tallies: Tallies, series: Series, stations: list[str], expected: int, year: int, source: str
) -> AnnualMean:
    key = series.pollutant.key
    years: list[StationYear] = []
    for station in stations:
        t = tallies.by_station.get((station, key))
        valid = t.valid if t else 0
        mean = t.total / t.valid * series.factor if t and t.valid else None
        years.append(StationYear(station, valid, expected, mean))
    complete = [s for s in years if s.complete]
    measured = [s for s in years if s.mean is not None]
    used = complete or measured
    value = sum(s.mean for s in used if s.mean is not None) / len(used) if used else None
    quality = (
        None if value is None else DataQuality.ACCURATE_MEASUREMENT if complete else DataQuality.ASSUMPTION_ESTIMATE
    )
    period = "hourly" if tallies.sub_daily else "daily"
    conversion = "" if series.factor == 1.0 else f"; converted from {series.unit} x{series.factor:g}"
    if value is None:
        note = f"no valid {series.pollutant.label} reading in {year} in {source}"
    else:
        listed = ", ".join(f"{s.station} {s.completeness:.0%}" for s in used)
        rule = (
            f"mean of {len(complete)} of {len(years)} station(s) with >= {COMPLETENESS:.0%} valid {period} readings"
            if complete
            else f"ESTIMATE: no station reaches {COMPLETENESS:.0%} valid {period} readings; mean of {len(measured)}"
            " incomplete station(s)"
        )
        note = f"{series.pollutant.label} {year} annual mean from {source}: {rule} ({listed}){conversion}"
    return AnnualMean(key, series.pollutant.label, value, quality, tuple(years), note)
