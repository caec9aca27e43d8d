"""From measurement files to one `Submission` per year carrying the KPI's values, with provenance.

The result is an ordinary submission, so the rest of the pipeline (assess, store, report, export)
treats ingested values like values typed into the workbook; only their notes and data-quality level
tell how they were obtained (an estimate from a partial year keeps quality 4 all the way to reports).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa

from citykpi.connectors.airquality import AnnualMean, MeanRules, annual_means
from citykpi.connectors.coverage import NamedRule, load_rules, pick_rule
from citykpi.connectors.files import source_label
from citykpi.connectors.layout import Layout, resolve_layout
from citykpi.connectors.pollutants import Pollutant, pollutant_named
from citykpi.connectors.stream import SINGLE_STATION, Tallies, read_columns, tally
from citykpi.framework.model import Kpi
from citykpi.model.diagnostics import Diagnostic, ValidationReport, error, warning
from citykpi.model.submission import CityProfile, Entry, EntryKind, Status, Submission

AIR_QUALITY_KPI = "EN: EN: AQ: 1C"
CONNECTORS = {AIR_QUALITY_KPI: "annual mean concentration of PM10, PM2.5, NO2, SO2 and O3 from station readings"}
ORIGIN = "measurement ingest (citykpi ingest measurements)"


@dataclass(frozen=True)
class YearValues:
    year: int
    submission: Submission
    means: tuple[AnnualMean, ...]


@dataclass(frozen=True)
class Ingest:
    report: ValidationReport
    years: tuple[YearValues, ...] = ()
    rule: NamedRule | None = None
    ignored: tuple[str, ...] = ()  # pollutant columns the KPI does not use


@dataclass(frozen=True)
class Options:
    units: Mapping[str, str] | None = None
    time_column: str | None = None
    station_column: str | None = None
    time_parts: Sequence[str] | None = None  # year, month, day[, hour] columns
    rule: str | None = None  # a coverage rule's name; the rules file's default when None
    rules_file: Path | None = None  # coverage rules of the user's instead of the shipped ones
    allow_partial: bool = False  # a year failing the rule gives an estimate instead of "not available"


def ingest_measurements(
    paths: Sequence[Path], kpi: Kpi, city: str, years: Sequence[int] = (), options: Options | None = None
) -> Ingest:
    """Every year of `years`, or every year with readings when it is empty."""
    options = options or Options()
    if kpi.code != AIR_QUALITY_KPI:
        known = "; ".join(f"{code}: {what}" for code, what in CONNECTORS.items())
        return _failed(error("unsupported-kpi", f"no measurement connector for KPI {kpi.code}; available: {known}"))
    targets = _targets(kpi)
    if isinstance(targets, Diagnostic):
        return _failed(targets)
    rules = load_rules(options.rules_file)
    if isinstance(rules, list):
        return Ingest(ValidationReport.from_diagnostics(rules))
    rule = pick_rule(rules, options.rule)
    if isinstance(rule, Diagnostic):
        return _failed(rule)
    read = _read(paths, city, years, options)
    if isinstance(read, list):
        return Ingest(ValidationReport.from_diagnostics(read))
    tallies, layouts = read
    problems = _coverage_problems(tallies, layouts, city, years)
    if any(p.severity == "error" for p in problems):
        return Ingest(ValidationReport.from_diagnostics(problems))
    source = source_label(paths)
    pollutants = _pollutants(layouts)
    found: list[YearValues] = []
    for year in sorted(years or tallies.years):
        means = annual_means(tallies, pollutants, year, MeanRules(rule, options.allow_partial), source)
        problems += _quality_warnings(means, source)
        entries = [_entry(kpi.code, targets[m.pollutant], m, source) for m in means if m.pollutant in targets]
        submission = Submission(profile=CityProfile(city=city, year=year), entries=entries, source_file=source)
        found.append(YearValues(year, submission, tuple(means)))
    ignored = tuple(dict.fromkeys(c for layout in layouts.values() for c in layout.ignored))
    return Ingest(ValidationReport.from_diagnostics(problems), tuple(found), rule, ignored)


def _failed(problem: Diagnostic) -> Ingest:
    return Ingest(ValidationReport.from_diagnostics([problem]))


def _read(
    paths: Sequence[Path], city: str, years: Sequence[int], options: Options
) -> tuple[Tallies, dict[Path, Layout]] | list[Diagnostic]:
    """Layouts of every file first (all header problems at once), then one pass over each file."""
    if not paths:
        return [error("file-error", "no measurement file given")]
    layouts: dict[Path, Layout] = {}
    problems: list[Diagnostic] = []
    for path in paths:
        try:
            layout = resolve_layout(
                read_columns(path),
                path.name,
                options.units,
                options.time_column,
                options.station_column,
                options.time_parts,
            )
        except FileNotFoundError:
            problems.append(error("file-error", "file not found", file=str(path)))
            continue
        except (pa.ArrowInvalid, OSError, EOFError) as exc:
            problems.append(error("format-error", f"cannot read the measurements: {exc}", file=path.name))
            continue
        if isinstance(layout, list):
            problems += layout
        else:
            layouts[path] = layout
    if problems:
        return problems
    tallies = Tallies()
    for path, layout in layouts.items():
        station = path.name if len(paths) > 1 else SINGLE_STATION
        try:
            tally(tallies, path, layout, years, city if layout.city else None, station)
        except (pa.ArrowInvalid, OSError, EOFError) as exc:
            problems.append(error("format-error", f"cannot read the measurements: {exc}", file=path.name))
    return problems or (tallies, layouts)


def _pollutants(layouts: Mapping[Path, Layout]) -> list[tuple[Pollutant, str]]:
    """Each pollutant of any file, with the conversions its readings went through."""
    conversions: dict[str, tuple[Pollutant, dict[str, None]]] = {}
    for layout in layouts.values():
        for s in layout.series:
            _pollutant, seen = conversions.setdefault(s.pollutant.key, (s.pollutant, {}))
            if s.factor != 1.0:
                seen[f"; converted from {s.unit} x{s.factor:g}"] = None
    return [(p, "".join(seen)) for p, seen in conversions.values()]


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


def _coverage_problems(
    tallies: Tallies, layouts: Mapping[Path, Layout], city: str, years: Sequence[int]
) -> list[Diagnostic]:
    problems: list[Diagnostic] = []
    if tallies.rows_without_time:
        problems.append(
            warning(
                "type-error",
                f"{tallies.rows_without_time} row(s) have no readable time (or an impossible date or hour) and were"
                " skipped",
            )
        )
    with_city = [path.name for path, layout in layouts.items() if layout.city]
    if with_city and not any(c.lower() == city.strip().lower() for c in tallies.cities):
        cities = ", ".join(sorted(tallies.cities)[:30]) or "none"
        problems.append(
            error("no-data", f"no row for city {city!r} in the city column; cities: {cities}", file=with_city[0])
        )
        return problems
    where = f" for {city}" if with_city else ""
    missing = [y for y in years if y not in tallies.seen]
    if tallies.rows_selected == 0 and not years:
        problems.append(error("no-data", f"no reading with a readable time{where} among {tallies.rows_read} rows"))
    problems += [error("no-data", f"no reading dated {y}{where} among {tallies.rows_read} rows") for y in missing]
    return problems


def _quality_warnings(means: list[AnnualMean], file: str) -> list[Diagnostic]:
    problems: list[Diagnostic] = []
    for m in means:
        negative = sum(s.negative for s in m.stations)
        if negative:
            problems.append(
                warning("constraint-error", f"{negative} negative {m.label} reading(s) in {m.year} ignored", file=file)
            )
        if not any(s.mean is not None for s in m.stations):
            problems.append(
                warning("no-data", f"no valid {m.label} reading in {m.year}: reported as not available", file=file)
            )
        elif not any(s.complete for s in m.stations):
            problems.append(warning("completeness", m.note, file=file))
        over = [s.station for s in m.stations if s.valid > s.expected]
        if over:
            problems.append(
                warning(
                    "duplicate-row",
                    f"{m.label} {m.year}: more readings than periods at {over}; duplicated rows?",
                    file=file,
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
        origin=ORIGIN,
        source=file,
        notes=mean.note,
    )
