"""From a measurement file to a `Submission` carrying the KPI's values, with provenance.

The result is an ordinary submission, so the rest of the pipeline (assess, store, report, export)
treats ingested values like values typed into the workbook; only their notes and data-quality level
tell how they were obtained.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa

from citykpi.connectors.airquality import AnnualMean, annual_means
from citykpi.connectors.layout import Layout, resolve_layout
from citykpi.connectors.pollutants import pollutant_named
from citykpi.connectors.stream import Tallies, read_columns, tally
from citykpi.framework.model import Kpi
from citykpi.model.diagnostics import Diagnostic, ValidationReport, error, warning
from citykpi.model.submission import CityProfile, Entry, EntryKind, Status, Submission

AIR_QUALITY_KPI = "EN: EN: AQ: 1C"
CONNECTORS = {AIR_QUALITY_KPI: "annual mean concentration of PM10, PM2.5, NO2, SO2 and O3 from station readings"}


@dataclass(frozen=True)
class Ingest:
    submission: Submission | None
    report: ValidationReport
    means: tuple[AnnualMean, ...] = ()


@dataclass(frozen=True)
class Options:
    units: Mapping[str, str] | None = None
    time_column: str | None = None
    station_column: str | None = None


def ingest_measurements(path: Path, kpi: Kpi, city: str, year: int, options: Options | None = None) -> Ingest:
    options = options or Options()
    name = path.name
    if kpi.code != AIR_QUALITY_KPI:
        known = "; ".join(f"{code}: {what}" for code, what in CONNECTORS.items())
        return _failed(error("unsupported-kpi", f"no measurement connector for KPI {kpi.code}; available: {known}"))
    targets = _targets(kpi)
    if isinstance(targets, Diagnostic):
        return _failed(targets)
    try:
        layout = resolve_layout(read_columns(path), name, options.units, options.time_column, options.station_column)
        if isinstance(layout, list):
            return Ingest(None, ValidationReport.from_diagnostics(layout))
        tallies = tally(path, layout, year, city if layout.city else None)
    except FileNotFoundError:
        return _failed(error("file-error", "file not found", file=str(path)))
    except (pa.ArrowInvalid, OSError) as exc:
        return _failed(error("format-error", f"cannot read the measurements: {exc}", file=name))
    problems = _coverage_problems(tallies, layout, city, year, name)
    if any(p.severity == "error" for p in problems):
        return Ingest(None, ValidationReport.from_diagnostics(problems))
    means = annual_means(tallies, layout.series, year, name)
    problems += _quality_warnings(means, tallies, name)
    entries = [_entry(kpi.code, targets[m.pollutant], m, name) for m in means if m.pollutant in targets]
    submission = Submission(profile=CityProfile(city=city, year=year), entries=entries, source_file=name)
    return Ingest(submission, ValidationReport.from_diagnostics(problems), tuple(means))


def _failed(problem: Diagnostic) -> Ingest:
    return Ingest(None, ValidationReport.from_diagnostics([problem]))


def _targets(kpi: Kpi) -> dict[str, tuple[EntryKind, str]] | Diagnostic:
    """Where each pollutant goes in the catalogue's KPI: a directly reported data point, else an input."""
    found: dict[str, tuple[EntryKind, str]] = {}
    for point in kpi.data_points:
        pollutant = pollutant_named(point.key) or pollutant_named(point.label)
        if pollutant and point.formula is None:
            found.setdefault(pollutant.key, (EntryKind.VALUE, point.key))
    for item in kpi.inputs:
        pollutant = pollutant_named(item.name) or pollutant_named(item.label)
        if pollutant:
            found.setdefault(pollutant.key, (EntryKind.INPUT, item.name))
    if not found:
        return error(
            "catalogue-error", "the catalogue names no pollutant data point or input for this KPI", kpi=kpi.code
        )
    return found


def _coverage_problems(tallies: Tallies, layout: Layout, city: str, year: int, file: str) -> list[Diagnostic]:
    problems: list[Diagnostic] = []
    if tallies.rows_without_time:
        problems.append(
            warning(
                "type-error", f"{tallies.rows_without_time} row(s) have no readable time and were skipped", file=file
            )
        )
    if tallies.rows_selected:
        return problems
    if layout.city and not any(c.lower() == city.strip().lower() for c in tallies.cities):
        cities = ", ".join(sorted(tallies.cities)[:30]) or "none"
        problems.append(
            error("no-data", f"no row for city {city!r} in column '{layout.city}'; cities: {cities}", file=file)
        )
    else:
        where = f" for {city}" if layout.city else ""
        problems.append(error("no-data", f"no reading dated {year}{where} among {tallies.rows_read} rows", file=file))
    return problems


def _quality_warnings(means: list[AnnualMean], tallies: Tallies, file: str) -> list[Diagnostic]:
    problems: list[Diagnostic] = []
    for m in means:
        negative = sum(t.negative for (_, key), t in tallies.by_station.items() if key == m.pollutant)
        if negative:
            problems.append(warning("constraint-error", f"{negative} negative {m.label} reading(s) ignored", file=file))
        if m.value is None:
            problems.append(warning("no-data", f"no valid {m.label} reading: reported as not available", file=file))
        elif not any(s.complete for s in m.stations):
            problems.append(warning("completeness", m.note, file=file))
        over = [s.station for s in m.stations if s.valid > s.expected]
        if over:
            problems.append(
                warning(
                    "duplicate-row", f"{m.label}: more readings than periods at {over}; duplicated rows?", file=file
                )
            )
    return problems


def _entry(code: str, target: tuple[EntryKind, str], mean: AnnualMean, file: str) -> Entry:
    kind, name = target
    return Entry(
        kpi=code,
        kind=kind,
        name=name,
        value=mean.value,
        status=Status.REPORTED if mean.value is not None else Status.NOT_AVAILABLE,
        quality=mean.quality,
        origin="measurement ingest (citykpi ingest measurements)",
        source=file,
        notes=mean.note,
    )
