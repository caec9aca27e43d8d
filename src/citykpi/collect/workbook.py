"""Reading a filled collection workbook.

The file is checked byte-wise first (`safety`), then read without evaluating anything: a
formula's text is read, reported and never computed, and links are not followed. Which reader
gives the cell values (openpyxl, or python-calamine when the bytes show nothing only openpyxl
can report) is `sheets`'s business; this module sees rows of values either way.
Columns are found by their header text, so a city may reorder or add columns freely; rows are
identified by KPI code, row kind and component key, never by position.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from defusedxml import DefusedXmlException
from openpyxl.utils import get_column_letter

from citykpi.collect.catalogue import CatalogueLike
from citykpi.collect.cells import Raw, is_blank, text
from citykpi.collect.layout import (
    COVER_FIRST_ROW,
    COVER_SHEET,
    FORMAT_ID,
    INSTRUCTIONS_SHEET,
    LISTS_SHEET,
    META_SHEET,
    PROBLEMS_SHEET,
    PROFILE_ROWS,
    SHEET_COLUMNS,
    sheets_for,
)
from citykpi.collect.records import ProfileField, Record
from citykpi.collect.safety import DEFAULT_LIMITS, Limits, check_workbook_file, scan_cells
from citykpi.collect.sheets import CalamineSheets, Cell, Formula, OpenpyxlSheets, Sheets
from citykpi.collect.submission import assemble
from citykpi.model.diagnostics import Diagnostic, Location, Param, Severity, ValidationReport, said
from citykpi.model.submission import Submission

NOT_DATA = {COVER_SHEET, INSTRUCTIONS_SHEET, META_SHEET, LISTS_SHEET, PROBLEMS_SHEET}
HEADER_SCAN = 10
KEY_BY_HEADER = {c.header.casefold(): c.key for c in SHEET_COLUMNS}


def read_workbook(
    path: Path | str, catalogue: CatalogueLike, limits: Limits = DEFAULT_LIMITS
) -> tuple[Submission | None, ValidationReport]:
    path = Path(path)
    where = Location(file=path.name)
    problems = check_workbook_file(path, where, limits)
    if any(p.severity is Severity.ERROR for p in problems):
        return None, ValidationReport.from_diagnostics(problems)
    fast = scan_cells(path, limits) is None
    if fast:
        try:
            result = _read(CalamineSheets, path, where, catalogue, limits)
        except BaseException as exc:  # pyo3 turns a Rust panic into a BaseException
            if isinstance(exc, KeyboardInterrupt | SystemExit):
                raise
            fast = False  # calamine refused the file: openpyxl says what is wrong with it
    if not fast:
        # openpyxl parses lazily and, on a damaged part (bad XML, wrong CRC, missing relation), raises
        # whatever its parser raises; at this boundary any such failure means "damaged workbook".
        try:
            result = _read(OpenpyxlSheets, path, where, catalogue, limits)
        except Exception as exc:
            return None, ValidationReport.from_diagnostics([*problems, _damaged(exc, where)])
    submission, report = result
    if submission is not None:
        submission.source_file = path.name
    return submission, ValidationReport.from_diagnostics(problems).merged(report)


def _read(
    open_sheets: Callable[[Path], Sheets], path: Path, where: Location, catalogue: CatalogueLike, limits: Limits
) -> tuple[Submission | None, ValidationReport]:
    sheets = open_sheets(path)
    try:
        return _Reader(sheets, where, catalogue, limits).read()
    finally:
        sheets.close()


def _damaged(exc: Exception, where: Location) -> Diagnostic:
    if _caused_by_defusedxml(exc):  # openpyxl parses with defusedxml when it is installed
        return said(
            "hostile-file",
            "the workbook's XML declares entities or a DTD ({detail}), as XML bombs do; refused",
            {"detail": type(exc).__name__},
            variant="xml-entities",
            location=where,
        )
    detail = str(exc)[:200] or type(exc).__name__
    return said(
        "source-error",
        "the workbook is damaged and cannot be read ({detail}); open it in Excel and save it again",
        {"detail": detail},
        variant="damaged",
        location=where,
    )


def _caused_by_defusedxml(exc: BaseException | None) -> bool:
    """openpyxl re-raises parser errors as its own; the cause chain keeps defusedxml's refusal."""
    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, DefusedXmlException):
            return True
        exc, seen = exc.__cause__ or exc.__context__, seen + 1
    return False


class _Reader:
    def __init__(self, wb: Sheets, where: Location, catalogue: CatalogueLike, limits: Limits) -> None:
        self.wb = wb
        self.where = where
        self.catalogue = catalogue
        self.limits = limits
        self.problems: list[Diagnostic] = []

    def read(self) -> tuple[Submission | None, ValidationReport]:
        frameworks = self._meta()
        profile = self._cover()
        expected = list(sheets_for(self.catalogue.kpis.values()))
        records = [record for name in self._data_sheets(expected) for record in self._sheet(name, name in expected)]
        return assemble(profile, records, self.catalogue, self.where, frameworks, self.problems)

    def _found(
        self,
        type: str,
        template: str,
        severity: Severity = Severity.ERROR,
        *,
        variant: str = "",
        params: dict[str, Param] | None = None,
        **at: Any,
    ) -> None:
        """Records a problem whose message is `template` filled with `params` (see diagnostics.said)."""
        location = self.where.model_copy(update=at)
        self.problems.append(said(type, template, params or {}, variant=variant, severity=severity, location=location))

    def _meta(self) -> list[str]:
        """The frameworks the file says it was made for; warns when versions differ from the catalogue."""
        loaded = {f.id: f.version for f in self.catalogue.frameworks}
        if META_SHEET not in self.wb.sheetnames:
            self._found(
                "missing-sheet",
                "no Meta sheet: the file was not made with `citykpi template`, so its framework version is unknown",
                Severity.WARNING,
                variant="meta",
                sheet=META_SHEET,
            )
            return list(loaded)
        stated: dict[str, str] = {}
        file_format = ""
        for row in self.wb.rows(META_SHEET, max_row=200, max_col=3):
            key, value, version = (*row, None, None, None)[:3]
            if text(key) == "format":
                file_format = text(value)
            elif text(key) == "framework" and text(value):
                stated[text(value)] = text(version)
        if file_format and file_format != FORMAT_ID:
            self._found(
                "format-error",
                "the workbook layout is '{found}', this citykpi reads '{expected}'",
                Severity.WARNING,
                variant="layout",
                params={"found": file_format, "expected": FORMAT_ID},
                sheet=META_SHEET,
            )
        for framework_id, version in stated.items():
            if framework_id not in loaded:
                self._found(
                    "unknown-framework",
                    "the workbook was made for framework '{framework}', which is not loaded "
                    "(add it with --framework FILE)",
                    Severity.WARNING,
                    variant="workbook",
                    params={"framework": framework_id},
                    sheet=META_SHEET,
                )
            elif version and version != loaded[framework_id]:
                self._found(
                    "framework-mismatch",
                    "the workbook was made for {framework} {version}; the catalogue is {loaded}. "
                    "Rows whose KPI changed may be reported as unknown",
                    Severity.WARNING,
                    params={"framework": framework_id, "version": version, "loaded": loaded[framework_id]},
                    sheet=META_SHEET,
                )
        return [f for f in loaded if f in stated] or list(loaded)

    def _cover(self) -> dict[str, ProfileField]:
        if COVER_SHEET not in self.wb.sheetnames:
            self._found(
                "missing-sheet", "the Cover sheet with the city profile is missing", variant="cover", sheet=COVER_SHEET
            )
            return {}
        keys = {key for key, _, _ in PROFILE_ROWS}
        by_label = {label.casefold(): key for key, label, _ in PROFILE_ROWS}
        fields: dict[str, ProfileField] = {}
        rows = self.wb.rows(COVER_SHEET, min_row=COVER_FIRST_ROW, max_row=COVER_FIRST_ROW + 60, max_col=3)
        for number, row in enumerate(rows, start=COVER_FIRST_ROW):
            cells = (*row, None, None, None)[:3]
            label, key = cells[0], cells[2]
            field = text(key) if text(key) in keys else by_label.get(text(label).casefold())
            if field and field not in fields:
                fields[field] = ProfileField(
                    self._value(cells[1], COVER_SHEET, f"B{number}"),
                    self.where.model_copy(update={"sheet": COVER_SHEET, "cell": f"B{number}", "field": field}),
                )
        return fields

    def _value(self, value: Cell, sheet: str, ref: str, kpi: str | None = None) -> Raw:
        """A cell's value; formulas are reported and read as empty."""
        if isinstance(value, Formula) or (isinstance(value, str) and value.startswith("=")):
            self._found(
                "formula-in-cell",
                "the cell holds the formula '{formula}'; formulas are not evaluated on import, "
                "type the resulting number instead",
                params={"formula": str(value)[:80]},
                sheet=sheet,
                cell=ref,
                kpi=kpi,
            )
            return None
        if value is not None and not isinstance(value, str | int | float | bool):
            return text(value) if not hasattr(value, "isoformat") else value
        return value

    def _data_sheets(self, expected: list[str]) -> list[str]:
        """The expected dimension sheets that exist, then any sheet the city added (read if it has a header)."""
        present = set(self.wb.sheetnames)
        for name in expected:
            if name not in present:
                template = "the sheet '{sheet}' is missing; its KPIs cannot be read"
                self._found("missing-sheet", template, variant="data", params={"sheet": name}, sheet=name)
        extra = [n for n in self.wb.sheetnames if n not in NOT_DATA and n not in expected]
        return [n for n in expected if n in present] + extra

    def _sheet(self, name: str, expected: bool) -> Iterator[Record]:
        header_row, columns = self._header(name, expected)
        if header_row is None:
            return
        limit = header_row + self.limits.max_rows
        for number, row in enumerate(
            self.wb.rows(name, min_row=header_row + 1, max_col=max(columns.values())), start=header_row + 1
        ):
            if number > limit:
                template = "more than {limit} rows; the rest was not read"
                self._found(
                    "hostile-file", template, variant="rows", params={"limit": self.limits.max_rows}, sheet=name
                )
                return
            cells = row
            raw_kpi = cells[columns["kpi"] - 1] if columns["kpi"] <= len(cells) else None
            kpi = text(raw_kpi)[:60] or None
            fields: dict[str, Raw] = {}
            refs: dict[str, str] = {}
            for key, col in columns.items():
                ref = f"{get_column_letter(col)}{number}"
                refs[key] = ref
                fields[key] = self._value(cells[col - 1], name, ref, kpi) if col <= len(cells) else None
            if all(is_blank(v) for v in fields.values()):
                continue
            yield Record(fields, self.where.model_copy(update={"sheet": name, "row": number}), refs)

    def _header(self, name: str, expected: bool) -> tuple[int | None, dict[str, int]]:
        """Finds the header row by its 'KPI code' cell; reports missing, unknown and repeated labels."""
        for number, row in enumerate(self.wb.rows(name, max_row=HEADER_SCAN), start=1):
            labels = [text(v) for v in row]
            if "kpi code" not in (label.casefold() for label in labels):
                continue
            columns: dict[str, int] = {}
            for col, label in enumerate(labels, start=1):
                if not label:
                    continue
                key = KEY_BY_HEADER.get(label.casefold())
                ref = f"{get_column_letter(col)}{number}"
                if key is None:
                    self._found(
                        "extra-label",
                        "unknown column '{label}' is ignored",
                        Severity.WARNING,
                        params={"label": label[:40]},
                        sheet=name,
                        cell=ref,
                    )
                elif key in columns:
                    template = "the column '{label}' appears twice"
                    self._found("duplicate-label", template, params={"label": label}, sheet=name, cell=ref)
                else:
                    columns[key] = col
            for column in SHEET_COLUMNS:
                if column.key not in columns:
                    self._found(
                        "missing-label",
                        "the column '{label}' is missing"
                        + ("; the sheet cannot be read" if column.required else "; its data is taken as empty"),
                        Severity.ERROR if column.required else Severity.WARNING,
                        variant="required" if column.required else "optional",
                        params={"label": column.header},
                        sheet=name,
                        row=number,
                        column=column.header,
                    )
            if any(c.required and c.key not in columns for c in SHEET_COLUMNS):
                return None, {}
            return number, columns
        if expected:
            self._found(
                "missing-label",
                "no header row with a 'KPI code' column in the first {rows} rows; the sheet cannot be read",
                variant="header",
                params={"rows": HEADER_SCAN},
                sheet=name,
                column="KPI code",
            )
        else:
            self._found(
                "extra-sheet",
                "a sheet without a 'KPI code' column is not a data sheet; it was ignored",
                Severity.WARNING,
                sheet=name,
            )
        return None, {}
