"""Annual mean concentrations from station tallies: the reporting rules of KPI EN: EN: AQ: 1C.

Rules (docs/interoperability.md explains the choices):
- a station-year counts only when it meets the coverage rule (`coverage.py`; by default Directive
  2008/50/EC: 90 % of the year's hours or days, for O3 75 % in summer and in winter), counted
  against the calendar year, not against the span the file happens to cover;
- a valid reading is a finite, non-negative number; negative readings are counted and reported;
- each station's annual mean is the mean of its valid readings (in µg/m³) and the city value is the
  plain mean over the stations that meet the rule (every station weighs the same; the sheet does
  not prescribe a weighting);
- when no station meets the rule the year has no value ("not available", the coverage as reason),
  unless partial years are allowed: then the mean over the stations with readings is given as an
  estimate (data quality 4, "estimation based on certain assumptions"), flagged in its note.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from citykpi.connectors.coverage import Coverage, NamedRule, coverage
from citykpi.connectors.pollutants import Pollutant
from citykpi.connectors.stream import MonthSums, Tallies
from citykpi.model.submission import DataQuality


@dataclass(frozen=True)
class StationYear:
    station: str
    coverage: Coverage
    mean: float | None  # µg/m³
    negative: int

    @property
    def complete(self) -> bool:
        return self.coverage.met

    @property
    def valid(self) -> int:
        return self.coverage.valid

    @property
    def expected(self) -> int:
        return self.coverage.expected


@dataclass(frozen=True)
class AnnualMean:
    pollutant: str  # Pollutant.key
    label: str
    year: int
    value: float | None  # µg/m³
    quality: DataQuality | None
    stations: tuple[StationYear, ...]
    note: str
    estimate: bool = False  # a partial year given as an estimate

    @property
    def used(self) -> tuple[StationYear, ...]:
        complete = tuple(s for s in self.stations if s.complete)
        if complete or not self.estimate:
            return complete
        return tuple(s for s in self.stations if s.mean is not None)


@dataclass(frozen=True)
class MeanRules:
    rule: NamedRule
    allow_partial: bool = False


def annual_means(
    tallies: Tallies,
    pollutants: Sequence[tuple[Pollutant, str]],
    year: int,
    rules: MeanRules,
    source: str,
) -> list[AnnualMean]:
    """`pollutants`: each with a note on how its readings were converted ('' when they were in µg/m³)."""
    stations = sorted(tallies.seen.get(year, set()), key=lambda i: tallies.stations[i])
    return [_annual_mean(tallies, p, conversion, year, stations, rules, source) for p, conversion in pollutants]


def _station_year(tallies: Tallies, sums: MonthSums, station: int, key: str, year: int, rule: NamedRule) -> StationYear:
    valid, total, negative = sums.row(station)
    count = float(valid.sum())
    found = coverage(rule, key, year, tallies.sub_daily, valid.tolist())
    return StationYear(
        tallies.stations[station], found, float(total.sum()) / count if count else None, int(negative.sum())
    )


def _annual_mean(
    tallies: Tallies,
    pollutant: Pollutant,
    conversion: str,
    year: int,
    stations: list[int],
    rules: MeanRules,
    source: str,
) -> AnnualMean:
    sums = tallies.sums.get((year, pollutant.key), MonthSums())
    years = tuple(_station_year(tallies, sums, s, pollutant.key, year, rules.rule) for s in stations)
    complete = [s for s in years if s.complete]
    measured = [s for s in years if s.mean is not None]
    estimate = not complete and bool(measured) and rules.allow_partial
    used = complete or (measured if estimate else [])
    value = sum(s.mean for s in used if s.mean is not None) / len(used) if used else None
    quality = (
        None if value is None else DataQuality.ASSUMPTION_ESTIMATE if estimate else DataQuality.ACCURATE_MEASUREMENT
    )
    period = "hourly" if tallies.sub_daily else "daily"
    rule = f"coverage rule {rules.rule.name} ({rules.rule.rule.title}, {period} readings)"
    label = f"{pollutant.label} {year}"
    if not measured:
        note = f"no valid {pollutant.label} reading in {year} in {source}"
    elif complete:
        note = (
            f"{label} annual mean from {source}: mean of {len(complete)} of {len(years)} station(s) meeting {rule}"
            f" ({_listed(complete)}){conversion}"
        )
    elif estimate:
        note = (
            f"ESTIMATE from a partial year: {label}: no station meets {rule}; mean of {len(measured)} station(s)"
            f" that do not ({_listed(measured)}), from {source}{conversion}"
        )
    else:
        note = f"not available: {label}: no station meets {rule}: {_listed(measured)}; readings in {source}"
    return AnnualMean(pollutant.key, pollutant.label, year, value, quality, years, note, estimate)


def _listed(stations: Sequence[StationYear]) -> str:
    return "; ".join(f"{s.station} {s.coverage.describe()}" for s in stations)
