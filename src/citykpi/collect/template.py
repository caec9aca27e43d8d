"""The collection workbook a city team fills in.

Built from the catalogue alone, so a national or local framework loaded with `--framework` gets
its rows without code changes. Excel's data validation guides typing but is bypassed by paste,
which is why the importer re-checks every cell.
"""

from __future__ import annotations

import copyreg
import io
import pickle
import threading
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.utils.bound_dictionary import BoundDictionary
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.dimensions import DimensionHolder
from openpyxl.worksheet.worksheet import Worksheet

from citykpi import __version__ as citykpi_version
from citykpi.collect.catalogue import CatalogueLike
from citykpi.collect.instructions import INSTRUCTIONS
from citykpi.collect.layout import (
    COVER_FIRST_ROW,
    COVER_SHEET,
    FORMAT_ID,
    INSTRUCTIONS_SHEET,
    LISTS_SHEET,
    META_SHEET,
    PROFILE_ROWS,
    QUALITY_CHOICES,
    SHEET_COLUMNS,
    STATUS_CHOICES,
    YES_NO,
    RowSpec,
    kpi_rows,
    number_text,
    shared_inputs,
    sheets_for,
)
from citykpi.collect.printing import make_printable, row_height
from citykpi.framework.model import ValueKind
from citykpi.model.submission import CityProfile

HEADER_ROW = 3
NAVY = "1F4E79"
HEADER_FILL = PatternFill("solid", fgColor=NAVY)
CITY_FILL = PatternFill("solid", fgColor="FFF2CC")
OVERRIDE_FILL = PatternFill("solid", fgColor="E2EFDA")
BAND_FILL = PatternFill("solid", fgColor="F2F2F2")
WHITE_BOLD = Font(bold=True, color="FFFFFF")
TITLE_FONT = Font(bold=True, size=14, color=NAVY)
HINT_FONT = Font(italic=True, color="595959")
GROUP_TOP = Border(top=Side(style="thin", color="808080"))
WRAP = Alignment(wrap_text=True, vertical="top")
TOP = Alignment(vertical="top")
ROLE_FILLS = {"city": CITY_FILL, "override": OVERRIDE_FILL}
COLUMN = {c.key: i + 1 for i, c in enumerate(SHEET_COLUMNS)}
WIDTH = {c.key: c.width for c in SHEET_COLUMNS}
WRAPPED = ("kpi_name", "label", "definition", "unit")
INSTRUCTIONS_WIDTH = 72  # fits a portrait A4 page unscaled (LibreOffice does not apply fit-to-width here)


def write_template(catalogue: CatalogueLike, profile: CityProfile, path: Path | str) -> Path:
    """Write the workbook for `profile`'s city and year; returns the path written."""
    path = Path(path)
    wb = template_workbook(catalogue, profile)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def template_workbook(catalogue: CatalogueLike, profile: CityProfile) -> Workbook:
    """The workbook in memory, so the filler (`collect.fill`) types values in before the one save."""
    sheets = _dimension_rows(catalogue)
    wb = _copy_of_skeleton(sheets)
    _cover(wb[COVER_SHEET], profile, catalogue)
    for name, _ in sheets:
        wb[name]["A1"] = _sheet_title(name, profile)
    _meta(wb[META_SHEET], catalogue, profile)
    wb.properties.title = f"U4SSC KPI data collection — {profile.city} {profile.year}"
    wb.properties.creator = f"citykpi {citykpi_version}"
    wb.properties.keywords = FORMAT_ID
    return wb


SheetRows = tuple[tuple[str, tuple[RowSpec, ...]], ...]


def _dimension_rows(catalogue: CatalogueLike) -> SheetRows:
    shared = shared_inputs(catalogue.kpis.values())
    return tuple(
        (name, tuple(row for kpi in kpis for row in kpi_rows(kpi, shared)))
        for name, kpis in sheets_for(catalogue.kpis.values()).items()
    )


def _copy_of_skeleton(sheets: SheetRows) -> Workbook:
    copy: Workbook = pickle.loads(_skeleton(sheets))
    return copy


def _skeleton(sheets: SheetRows) -> bytes:
    """Everything of the workbook that does not depend on the city, pickled.

    Building the dimension sheets took about 30 of the 47 ms of a U4SSC workbook in memory (a
    cell object and a named style per cell, a data validation per value cell); unpickling them
    and writing the city's cover, titles and Meta sheet takes 18 ms. A process that
    writes templates for many cities builds each catalogue's skeleton once, and every workbook
    is a fresh copy that callers (the filler) may change freely. Keyed by the rows' content, not
    by the catalogue object, so a catalogue loaded again or edited gets the right skeleton.
    """
    key = tuple((name, tuple(_row_key(spec) for spec in rows)) for name, rows in sheets)
    with _SKELETONS_LOCK:  # the API writes templates from several threads
        if key not in _SKELETONS:
            if len(_SKELETONS) >= _SKELETONS_KEPT:
                _SKELETONS.pop(next(iter(_SKELETONS)))
            _SKELETONS[key] = _pickled(_build_skeleton(sheets))
        return _SKELETONS[key]


def _pickled(wb: Workbook) -> bytes:
    """openpyxl keeps row and column dimensions in defaultdict subclasses whose default pickling
    loses the factory (a later `ws.row_dimensions[n]` then raises KeyError): this pickler keeps it."""
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = {**copyreg.dispatch_table, BoundDictionary: _reduce_bound, DimensionHolder: _reduce_bound}
    pickler.dump(wb)
    return buffer.getvalue()


def _reduce_bound(
    mapping: Any,
) -> tuple[Callable[[type[Any]], Any], tuple[type[Any]], object, None, Iterator[tuple[Any, Any]]]:
    # The state is restored after the object exists, so the worksheet it points back to can be pickled.
    state = (mapping.__dict__, {"default_factory": mapping.default_factory})
    return (_empty, (type(mapping),), state, None, iter(mapping.items()))


def _empty(cls: type[Any]) -> Any:
    return dict.__new__(cls)


_SKELETONS: dict[tuple[object, ...], bytes] = {}
_SKELETONS_KEPT = 4
_SKELETONS_LOCK = threading.Lock()


def _row_key(spec: RowSpec) -> tuple[object, ...]:
    """Everything the sheet shows or validates of a row."""
    return (spec.kpi.code, spec.kpi.name, *(getattr(spec, f.name) for f in fields(spec) if f.name != "kpi"))


def _build_skeleton(sheets: SheetRows) -> Workbook:
    wb = Workbook()
    cover = wb.active
    assert cover is not None  # a new Workbook always has one sheet
    cover.title = COVER_SHEET
    lists = _Lists(wb.create_sheet(LISTS_SHEET))
    styles = _Styles(wb)
    _instructions(wb.create_sheet(INSTRUCTIONS_SHEET))
    for name, rows in sheets:
        _dimension_sheet(wb.create_sheet(name), list(rows), lists, styles)
    wb.create_sheet(META_SHEET).sheet_state = "hidden"
    wb.move_sheet(LISTS_SHEET, offset=len(wb.sheetnames))
    wb[LISTS_SHEET].sheet_state = "hidden"
    return wb


def _sheet_title(name: str, profile: CityProfile) -> str:
    return f"{name} — {profile.city}, {profile.year}"


def _title(ws: Worksheet, title: str | None, hint: str) -> None:
    ws["A1"] = title
    ws["A1"].font = TITLE_FONT
    ws["A2"] = hint
    ws["A2"].font = HINT_FONT


def _header(ws: Worksheet, headers: Sequence[tuple[str, float]]) -> None:
    for col, (text, width) in enumerate(headers, start=1):
        cell = ws.cell(row=HEADER_ROW, column=col, value=text)
        cell.fill = HEADER_FILL
        cell.font = WHITE_BOLD
        cell.alignment = Alignment(vertical="center", wrap_text=True)
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.row_dimensions[HEADER_ROW].height = 30


def _cover(ws: Worksheet, profile: CityProfile, catalogue: CatalogueLike) -> None:
    names = ", ".join(f"{f.name} {f.version}" for f in catalogue.frameworks)
    _title(ws, f"U4SSC KPI data collection — {profile.city}, {profile.year}", f"Frameworks: {names}")
    _header(ws, [("Field", 22), ("Value", 26), ("Key", 12), ("Explanation", 70)])
    values = profile.model_dump()
    positive = DataValidation(type="decimal", operator="greaterThan", formula1="0", allow_blank=True)
    positive.error = "Give a positive number without unit or thousands separators."
    years = DataValidation(type="whole", operator="between", formula1="1900", formula2="2100", allow_blank=False)
    ws.add_data_validation(positive)
    ws.add_data_validation(years)
    for row, (key, label, explanation) in enumerate(PROFILE_ROWS, start=COVER_FIRST_ROW):
        ws.cell(row=row, column=1, value=label).font = Font(bold=True)
        value = values.get(key)
        cell = ws.cell(row=row, column=2, value=value if value not in ("", None) else None)
        cell.fill = CITY_FILL
        ws.cell(row=row, column=3, value=key).font = HINT_FONT
        ws.cell(row=row, column=4, value=explanation).alignment = WRAP
        if key == "year":
            years.add(cell.coordinate)
        elif key in ("population", "households", "area_km2", "gdp"):
            positive.add(cell.coordinate)
    ws.freeze_panes = f"A{COVER_FIRST_ROW}"
    make_printable(ws, HEADER_ROW, landscape=False)


def _instructions(ws: Worksheet) -> None:
    _title(ws, "How to fill in this workbook", "Read once; the importer (citykpi validate) checks everything below.")
    ws.column_dimensions["A"].width = INSTRUCTIONS_WIDTH
    for row, line in enumerate(INSTRUCTIONS, start=HEADER_ROW + 1):
        cell = ws.cell(row=row, column=1, value=line)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        if line and not line.startswith(("-", " ")) and line.endswith(":"):
            cell.font = Font(bold=True, color=NAVY)
        ws.row_dimensions[row].height = row_height([(line, INSTRUCTIONS_WIDTH)])
    make_printable(ws, HEADER_ROW, landscape=False)


class _Styles:
    """Named cell styles: assigning one is an index lookup, where setting fill, alignment and border
    cell by cell hashes style objects (two thirds of the template's time before)."""

    def __init__(self, wb: Workbook) -> None:
        self.wb = wb
        self.names: set[str] = set()

    def get(self, role: str, band: bool, first: bool) -> str:
        name = f"citykpi-{role}{'-band' if band else ''}{'-first' if first else ''}"
        if name not in self.names:
            style = NamedStyle(name=name, alignment=WRAP if role == "wrap" else TOP)
            fill = BAND_FILL if band else ROLE_FILLS.get(role)
            if fill is not None:
                style.fill = fill
            if first:
                style.border = GROUP_TOP
            self.wb.add_named_style(style)
            self.names.add(name)
        return name


class _Lists:
    """A hidden sheet holding the dropdown choices: list validations over 255 characters must use a range."""

    def __init__(self, ws: Worksheet) -> None:
        self.ws = ws
        self.ranges: dict[tuple[str, ...], str] = {}
        for choices in (STATUS_CHOICES, QUALITY_CHOICES, YES_NO, ("yes", "no")):
            self.range(choices)

    def range(self, choices: tuple[str, ...]) -> str:
        if choices not in self.ranges:
            col = get_column_letter(len(self.ranges) + 1)
            for row, choice in enumerate(choices, start=1):
                self.ws[f"{col}{row}"] = choice
            self.ranges[choices] = f"{quote_sheetname(LISTS_SHEET)}!${col}$1:${col}${len(choices)}"
        return self.ranges[choices]


def _validation_key(spec: RowSpec) -> tuple[object, ...]:
    if spec.value_kind is ValueKind.BOOLEAN:
        return ("list", ("yes", "no"))
    if spec.value_kind is ValueKind.LEVEL:
        return ("list", spec.levels)
    kind = "whole" if spec.value_kind is ValueKind.INTEGER else "decimal"
    return (kind, spec.minimum, spec.maximum)


def _validation(key: tuple[object, ...], lists: _Lists) -> DataValidation:
    kind = str(key[0])
    if kind == "list":
        choices = key[1]
        assert isinstance(choices, tuple)
        dv = DataValidation(type="list", formula1=lists.range(choices), allow_blank=True)
        dv.error = "Choose one of the answers in the list."
        return dv
    low, high = (None if v is None else number_text(float(str(v))) for v in key[1:3])
    if low is not None and high is not None:
        dv = DataValidation(type=kind, operator="between", formula1=f"{low}", formula2=f"{high}", allow_blank=True)
        dv.error = f"Give a number from {low} to {high}, without unit."
    elif low is not None:
        dv = DataValidation(type=kind, operator="greaterThanOrEqual", formula1=f"{low}", allow_blank=True)
        dv.error = f"Give a number of at least {low}, without unit."
    elif high is not None:
        dv = DataValidation(type=kind, operator="lessThanOrEqual", formula1=f"{high}", allow_blank=True)
        dv.error = f"Give a number of at most {high}, without unit."
    else:
        dv = DataValidation(type=kind, operator="between", formula1="-1E+300", formula2="1E+300", allow_blank=True)
        dv.error = "Give a number only, without unit."
    dv.errorTitle = "Value not accepted"
    return dv


def _dimension_sheet(ws: Worksheet, rows: list[RowSpec], lists: _Lists, styles: _Styles) -> None:
    """The sheet without its title (the city's, written per workbook in A1)."""
    _title(
        ws,
        None,
        "Fill the yellow columns. An 'input' row feeds the KPI formula; a 'value' row (green) reports the final "
        "value directly and overrides the calculation.",
    )
    _header(ws, [(c.header, c.width) for c in SHEET_COLUMNS])
    value_cells: dict[tuple[object, ...], list[str]] = defaultdict(list)
    band = False
    previous = None
    for row, spec in enumerate(rows, start=HEADER_ROW + 1):
        if spec.kpi.code != previous:
            band = not band
        descriptive = {
            "kpi": spec.kpi.code,
            "kpi_name": spec.kpi.name,
            "kind": spec.kind,
            "name": spec.name,
            "label": spec.label,
            "definition": spec.definition,
            "unit": spec.unit,
            "range": spec.range_text,
        }
        first = spec.kpi.code != previous
        for key, value in descriptive.items():
            cell = ws.cell(row=row, column=COLUMN[key], value=value or None)
            cell.style = styles.get("wrap" if key in WRAPPED else "text", band, first)
        for column in SHEET_COLUMNS:
            if column.for_city:
                role = "override" if spec.kind == "value" and column.key == "value" else "city"
                ws.cell(row=row, column=COLUMN[column.key]).style = styles.get(role, False, first)
        ws.row_dimensions[row].height = row_height([(str(descriptive[key] or ""), WIDTH[key]) for key in WRAPPED])
        previous = spec.kpi.code
        value_cells[_validation_key(spec)].append(f"{get_column_letter(COLUMN['value'])}{row}")
    last = HEADER_ROW + len(rows)
    for validation, refs in value_cells.items():
        dv = _validation(validation, lists)
        ws.add_data_validation(dv)
        for ref in refs:
            dv.add(ref)
    if rows:
        for column_key, choices in (("status", STATUS_CHOICES), ("quality", QUALITY_CHOICES), ("verified", YES_NO)):
            letter = get_column_letter(COLUMN[column_key])
            dv = DataValidation(type="list", formula1=lists.range(choices), allow_blank=True)
            ws.add_data_validation(dv)
            dv.add(f"{letter}{HEADER_ROW + 1}:{letter}{last}")
    ws.freeze_panes = ws.cell(row=HEADER_ROW + 1, column=3)
    make_printable(ws, HEADER_ROW, landscape=True)
    ws.auto_filter.ref = f"A{HEADER_ROW}:{get_column_letter(len(SHEET_COLUMNS))}{max(last, HEADER_ROW)}"


def _meta(ws: Worksheet, catalogue: CatalogueLike, profile: CityProfile) -> None:
    """What the file was made for, so an import can warn when the catalogue changed since."""
    ws.append(["key", "value", "version"])
    ws.append(["format", FORMAT_ID, None])
    ws.append(["generator", f"citykpi {citykpi_version}", None])
    ws.append(["generated", datetime.now(UTC).isoformat(timespec="seconds"), None])
    ws.append(["city", profile.city, None])
    ws.append(["year", profile.year, None])
    for framework in catalogue.frameworks:
        ws.append(["framework", framework.id, framework.version])
