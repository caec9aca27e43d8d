"""From raw rows (whatever file they came from) to a `Submission`, with a diagnostic per bad cell.

Every reader flattens its file into `Record`s (one per reported row, with the location of each of
its cells) and profile fields; this module owns the rules that do not depend on the file format:
what a cell may contain, how status and value must agree, which codes and components exist.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field

from citykpi.collect import cells
from citykpi.collect.catalogue import CatalogueLike
from citykpi.collect.cells import Problem, Raw
from citykpi.collect.layout import PROFILE_NUMBERS
from citykpi.framework.model import Kpi, ValueKind
from citykpi.model.diagnostics import Diagnostic, Location, Param, location_params, said
from citykpi.model.submission import CityProfile, Entry, EntryKind, Status

CITY_COLUMNS = ("value", "status", "quality", "origin", "source", "notes", "verified")


@dataclass(frozen=True)
class Record:
    """One row as read: raw cell values keyed by column key, and where the row is."""

    fields: Mapping[str, Raw]
    where: Location  # file, sheet and row
    cells: Mapping[str, str] = field(default_factory=dict)  # column key -> cell reference (workbooks)

    def at(self, column: str, kpi: str | None = None) -> Location:
        if column in self.cells:
            return self.where.model_copy(update={"cell": self.cells[column], "kpi": kpi})
        return self.where.model_copy(update={"column": column, "kpi": kpi})

    def get(self, column: str) -> Raw:
        return self.fields.get(column)

    @property
    def has_city_data(self) -> bool:
        return any(not cells.is_blank(self.fields.get(c)) for c in CITY_COLUMNS)


@dataclass(frozen=True)
class ProfileField:
    raw: Raw
    where: Location


def diagnostic(problem: Problem, where: Location) -> Diagnostic:
    return Diagnostic(
        type=problem.type, message=problem.message, variant=problem.variant, params=problem.params, location=where
    )


def parse_profile(
    fields: Mapping[str, ProfileField], anywhere: Location
) -> tuple[CityProfile | None, list[Diagnostic]]:
    """The city profile; None when the city or the year is missing (nothing can be filed without them)."""
    problems: list[Diagnostic] = []
    values: dict[str, object] = {}

    def where(key: str) -> Location:
        found = fields.get(key)
        return found.where if found else anywhere.model_copy(update={"field": key})

    def raw(key: str) -> Raw:
        found = fields.get(key)
        return found.raw if found else None

    for key in ("city", "year"):
        if cells.is_blank(raw(key)):
            problems.append(said("missing-profile", "the city profile has no {key}", {"key": key}, location=where(key)))
    year = cells.number(raw("year"), integer=True) if not cells.is_blank(raw("year")) else None
    if isinstance(year, Problem):
        problems.append(diagnostic(year, where("year")))
    elif year is not None and not 1900 <= year <= 2100:
        problems.append(
            said(
                "constraint-error",
                "year {year} is not between 1900 and 2100",
                {"year": f"{year:g}"},
                variant="year",
                location=where("year"),
            )
        )
    else:
        values["year"] = year
    for key in PROFILE_NUMBERS:
        if cells.is_blank(raw(key)):
            continue
        number = cells.number(raw(key))
        if isinstance(number, Problem):
            problems.append(diagnostic(number, where(key)))
        elif number == 0:
            problems.append(
                said(
                    "zero-denominator",
                    "{key} is 0; formulas divide by it, give the real figure or leave it empty",
                    {"key": key},
                    variant="profile",
                    location=where(key),
                )
            )
        elif number < 0:
            problems.append(
                said(
                    "constraint-error",
                    "{key} cannot be negative ({value})",
                    {"key": key, "value": f"{number:g}"},
                    variant="profile-negative",
                    location=where(key),
                )
            )
        else:
            values[key] = number
    for key in ("city", "country"):
        values[key] = cells.text(raw(key))
    values["currency"] = cells.text(raw("currency")).upper()
    if cells.is_blank(raw("city")) or values.get("year") is None:
        return None, problems
    return CityProfile.model_validate(values), problems


def parse_records(records: Iterable[Record], catalogue: CatalogueLike) -> tuple[list[Entry], list[Diagnostic]]:
    entries: list[Entry] = []
    problems: list[Diagnostic] = []
    first_seen: dict[tuple[str, str, str], Location] = {}
    for record in records:
        if not record.has_city_data:
            continue
        entry = _entry(record, catalogue, problems)
        if entry is None:
            continue
        key = (entry.kpi, entry.kind.value, entry.name)
        if key in first_seen:
            problems.append(
                said(
                    "duplicate-row",
                    "{kind} '{name}' of {kpi} is reported twice; the first is at {first}. Keep one row.",
                    {
                        "kind": entry.kind.value,
                        "name": entry.name,
                        "kpi": entry.kpi,
                        **location_params("first", first_seen[key]),
                    },
                    location=record.where.model_copy(update={"kpi": entry.kpi}),
                )
            )
            continue
        first_seen[key] = entry.location
        entries.append(entry)
    return entries, problems


def _entry(record: Record, catalogue: CatalogueLike, problems: list[Diagnostic]) -> Entry | None:
    kpi = _kpi(record, catalogue, problems)
    if kpi is None:
        return None
    code = kpi.code
    kind_text = cells.text(record.get("kind")).casefold()
    if kind_text not in ("input", "value"):
        problems.append(
            said(
                "constraint-error",
                "row kind must be 'input' or 'value', found '{found}'",
                {"found": cells.text(record.get("kind"))[:40]},
                variant="kind",
                location=record.at("kind", code),
            )
        )
        return None
    kind = EntryKind(kind_text)
    spec = _spec(record, kpi, kind, catalogue, problems)
    if spec is None:
        return None
    name, value_kind, minimum, maximum, unit, levels = spec
    value: cells.Value | None = None
    filled = not cells.is_blank(record.get("value"))
    if filled:
        typed = cells.typed(record.get("value"), value_kind, minimum, maximum, unit, levels)
        if isinstance(typed, Problem):
            problems.append(diagnostic(typed, record.at("value", code)))
        else:
            value = typed
    status = _status(record, code, filled, problems)
    quality = cells.quality(record.get("quality"))
    if isinstance(quality, Problem):
        problems.append(diagnostic(quality, record.at("quality", code)))
        quality = None
    verified = cells.verified(record.get("verified"))
    if isinstance(verified, Problem):
        problems.append(diagnostic(verified, record.at("verified", code)))
        verified = None
    if filled and value is None:
        return None  # the value was refused above; an entry without it would read as "not reported"
    return Entry(
        kpi=code,
        kind=kind,
        name=name,
        value=value,
        status=status,
        quality=quality,
        origin=cells.text(record.get("origin")),
        source=cells.text(record.get("source")),
        notes=cells.text(record.get("notes")),
        verified=verified,
        location=record.at("value", code),
    )


def _kpi(record: Record, catalogue: CatalogueLike, problems: list[Diagnostic]) -> Kpi | None:
    text = cells.text(record.get("kpi"))
    if not text:
        problems.append(
            said(
                "constraint-error", "this row has data but no KPI code", {}, variant="no-kpi", location=record.at("kpi")
            )
        )
        return None
    code = catalogue.normalise_code(text)
    if code is None or code not in catalogue.kpis:
        problems.append(
            said(
                "unknown-kpi",
                "'{code}' is not a KPI code of the loaded frameworks "
                "(check the spelling, or load the national/local framework with --framework)",
                {"code": text[:60]},
                variant="row",
                location=record.at("kpi", text[:60]),
            )
        )
        return None
    return catalogue.kpis[code]


Spec = tuple[str, ValueKind, float | None, float | None, str, tuple[str, ...]]


def _spec(
    record: Record, kpi: Kpi, kind: EntryKind, catalogue: CatalogueLike, problems: list[Diagnostic]
) -> Spec | None:
    name = cells.text(record.get("name"))
    if kind is EntryKind.INPUT:
        for item in kpi.inputs:
            if item.name == name:
                return name, item.kind, item.minimum, item.maximum, item.unit, ()
        owner = next((k.code for k in catalogue.kpis.values() if any(i.name == name for i in k.inputs)), None)
        params: dict[str, Param] = {"name": name[:60], "kpi": kpi.code, "known": ", ".join(i.name for i in kpi.inputs)}
        if owner:
            params["owner"] = owner
        variant = ("input-elsewhere" if owner else "input") + ("" if kpi.inputs else "-none")
        template = UNKNOWN_INPUT[variant]
    else:
        for point in kpi.data_points:
            if point.key == name:
                return name, point.kind, point.minimum, point.maximum, point.unit, tuple(point.levels or ())
        params = {"name": name[:60], "kpi": kpi.code, "known": ", ".join(p.key for p in kpi.data_points)}
        variant, template = "data-point", "'{name}' is not a data point of {kpi} (its data points: {known})"
    location = record.at("name", kpi.code)
    problems.append(said("unknown-component", template, params, variant=variant, location=location))
    return None


# An unknown input's message, by whether another KPI declares it and whether this KPI has inputs at all.
UNKNOWN_INPUT = {
    "input": "'{name}' is not an input of {kpi} (its inputs: {known})",
    "input-none": "'{name}' is not an input of {kpi} (its inputs: none: report the value directly)",
    "input-elsewhere": "'{name}' is not an input of {kpi}; it is declared under KPI {owner}, report it there "
    "(its inputs: {known})",
    "input-elsewhere-none": "'{name}' is not an input of {kpi}; it is declared under KPI {owner}, report it there "
    "(its inputs: none: report the value directly)",
}


def _status(record: Record, code: str, has_value: bool, problems: list[Diagnostic]) -> Status:
    """The status column and the value cell must tell the same story."""
    status = cells.status(record.get("status"))
    if isinstance(status, Problem):
        problems.append(diagnostic(status, record.at("status", code)))
        status = None
    if status is None:
        return Status.REPORTED if has_value else Status.NOT_REPORTED
    if has_value and status in (Status.NOT_AVAILABLE, Status.NOT_APPLICABLE, Status.NOT_REPORTED):
        problems.append(
            said(
                "status-conflict",
                "a value is given but the status says '{status}'; empty the value or set the status to 'reported'",
                {"status": status.value},
                variant="value-given",
                location=record.at("status", code),
            )
        )
    elif not has_value and status is Status.REPORTED:
        problems.append(
            said(
                "status-conflict",
                "the status says 'reported' but the value is empty",
                {},
                variant="value-missing",
                location=record.at("value", code),
            )
        )
        return Status.NOT_REPORTED
    return status


def dedupe(diagnostics: Iterable[Diagnostic]) -> Iterator[Diagnostic]:
    seen: set[tuple[str, Location]] = set()
    for d in diagnostics:
        if (d.type, d.location) not in seen:
            seen.add((d.type, d.location))
            yield d
