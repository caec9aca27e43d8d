"""The shape shared by the workbook template, its reader and the tidy CSV.

Writer and readers import the same column table, so a column renamed here is renamed everywhere
and an old file with the previous name is reported as `missing-label` rather than misread.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

from citykpi.framework.formula import FormulaError, parse
from citykpi.framework.model import Input, Kpi, ValueKind
from citykpi.model.submission import DATA_QUALITY_LABELS, Status

FORMAT_ID = "citykpi-collection/1"

COVER_SHEET = "Cover"
INSTRUCTIONS_SHEET = "Instructions"
META_SHEET = "Meta"
LISTS_SHEET = "Lists"
PROBLEMS_SHEET = "Problems"

# The three U4SSC dimensions get a sheet each, in this order; a national or local framework's KPI
# with another dimension gets a sheet named after that dimension (see docs/collection.md).
U4SSC_DIMENSIONS = ("Economy", "Environment", "Society and Culture")


@dataclass(frozen=True)
class Column:
    key: str  # the tidy CSV column name and the field name readers use
    header: str  # the workbook header
    width: float
    required: bool = False
    for_city: bool = False  # filled in by the city team (highlighted, unlocked)


SHEET_COLUMNS: tuple[Column, ...] = (
    Column("kpi", "KPI code", 18, required=True),
    Column("kpi_name", "KPI name", 30),
    Column("kind", "Row kind", 9, required=True),
    Column("name", "Component key", 31, required=True),
    Column("label", "Label", 36),
    Column("definition", "Short definition", 44),
    Column("unit", "Unit", 14),
    Column("range", "Allowed range", 14),
    Column("value", "Value", 14, required=True, for_city=True),
    Column("source", "Data source", 24, for_city=True),
    Column("quality", "Data quality", 30, for_city=True),
    Column("origin", "Data origin", 20, for_city=True),
    Column("notes", "Notes", 30, for_city=True),
    Column("status", "Status", 16, for_city=True),
    Column("verified", "Verified", 10, for_city=True),
)

# One value per row; profile rows have kind=profile, an empty kpi and the profile field in `name`.
TIDY_COLUMNS: tuple[str, ...] = (
    "city",
    "country",
    "year",
    "kpi",
    "kind",
    "name",
    "value",
    "status",
    "quality",
    "origin",
    "source",
    "notes",
    "verified",
)
TIDY_REQUIRED: frozenset[str] = frozenset({"city", "year", "kpi", "kind", "name", "value"})
PROFILE_KIND = "profile"

# The cover sheet: (key, label, explanation). `city` and `year` are required.
PROFILE_ROWS: tuple[tuple[str, str, str], ...] = (
    ("city", "City", "Name of the city (required)"),
    ("country", "Country", "Country of the city"),
    ("year", "Reference year", "Year the data describe (required)"),
    ("population", "Population", "Inhabitants in the reference year; denominator of the per-capita KPIs"),
    ("households", "Households", "Number of households; denominator of the household KPIs"),
    ("area_km2", "Land area (km²)", "City land area; denominator of the density KPIs"),
    ("gdp", "City GDP", "City GDP at current prices, in the currency below"),
    ("currency", "Currency", "ISO 4217 code of every money amount in this workbook (e.g. EUR, CHF, USD)"),
)
PROFILE_NUMBERS = ("population", "households", "area_km2", "gdp")
COVER_FIRST_ROW = 4  # rows 1-3 hold the title and the header

STATUS_CHOICES: tuple[str, ...] = (Status.REPORTED, Status.NOT_AVAILABLE, Status.NOT_APPLICABLE)
YES_NO: tuple[str, ...] = ("YES", "NO")
QUALITY_CHOICES: tuple[str, ...] = tuple(f"{int(q)} - {label}" for q, label in DATA_QUALITY_LABELS.items())


@dataclass(frozen=True)
class RowSpec:
    """One reportable row of a dimension sheet: an input component or a directly reported value."""

    kpi: Kpi
    kind: str  # EntryKind value
    name: str
    label: str
    definition: str
    unit: str
    value_kind: ValueKind
    minimum: float | None
    maximum: float | None
    levels: tuple[str, ...] = ()

    @property
    def range_text(self) -> str:
        if self.value_kind is ValueKind.BOOLEAN:
            return "yes / no"
        if self.value_kind is ValueKind.LEVEL:
            return "one of the list"
        low = "" if self.minimum is None else number_text(self.minimum)
        high = "" if self.maximum is None else number_text(self.maximum)
        if not low and not high:
            return "any number"
        if not high:
            return f"≥ {low}"
        if not low:
            return f"≤ {high}"
        return f"{low} – {high}"


def number_text(x: float) -> str:
    """12.0 as '12', for headers, ranges and Excel validation formulas."""
    return str(int(x)) if float(x).is_integer() else str(x)


def shared_inputs(kpis: Iterable[Kpi]) -> dict[str, list[str]]:
    """Input name -> the other KPIs whose formulas use it: an input is declared (and typed) once."""
    kpis = list(kpis)
    owner = {item.name: kpi.code for kpi in kpis for item in kpi.inputs}
    users: dict[str, list[str]] = {}
    for kpi in kpis:
        for point in kpi.data_points:
            try:
                names = parse(point.formula).names if point.formula else frozenset()
            except FormulaError:
                continue
            for name in sorted(names):
                if name in owner and owner[name] != kpi.code and kpi.code not in users.get(name, []):
                    users.setdefault(name, []).append(kpi.code)
    return users


def input_spec(kpi: Kpi, item: Input, used_by: Sequence[str] = ()) -> RowSpec:
    also = f" Also used by {', '.join(used_by)}." if used_by else ""
    return RowSpec(
        kpi=kpi,
        kind="input",
        name=item.name,
        label=item.label,
        definition=(item.definition + also).strip(),
        unit=item.unit,
        value_kind=item.kind,
        minimum=item.minimum,
        maximum=item.maximum,
    )


def kpi_rows(kpi: Kpi, shared: Mapping[str, Sequence[str]] | None = None) -> Iterator[RowSpec]:
    """Inputs first (they feed the formulas), then one row per data point for a direct value."""
    for item in kpi.inputs:
        yield input_spec(kpi, item, (shared or {}).get(item.name, ()))
    for point in kpi.data_points:
        label = point.label or kpi.name
        how = "Reported value (overrides the calculation)" if point.formula else "Reported value"
        yield RowSpec(
            kpi=kpi,
            kind="value",
            name=point.key,
            label=f"{label} — {how}",
            definition=kpi.definition if not kpi.is_multi else point.label,
            unit=point.unit,
            value_kind=point.kind,
            minimum=point.minimum,
            maximum=point.maximum,
            levels=tuple(point.levels or ()),
        )


def sheet_name(dimension: str) -> str:
    """Excel limits sheet names to 31 characters without []:*?/\\."""
    cleaned = "".join("-" if ch in "[]:*?/\\" else ch for ch in dimension).strip() or "Other"
    return cleaned[:31]


def sheets_for(kpis: Iterable[Kpi]) -> dict[str, list[Kpi]]:
    """Dimension sheet name -> its KPIs, the U4SSC dimensions first, in catalogue order."""
    by_sheet: dict[str, list[Kpi]] = {sheet_name(d): [] for d in U4SSC_DIMENSIONS}
    for kpi in kpis:
        by_sheet.setdefault(sheet_name(kpi.dimension), []).append(kpi)
    return {name: items for name, items in by_sheet.items() if items}
