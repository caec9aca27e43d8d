"""The tidy CSV: one value per row, the exchange format for scripts, databases and other tools.

Columns (see docs/collection.md): city,country,year,kpi,kind,name,value,status,quality,origin,
source,notes,verified. Profile figures are rows with kind=profile, an empty kpi and the field in
`name`. One file holds one city and one year, like one workbook. Row numbers count the header as
row 1, as spreadsheet programs and frictionless do.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from citykpi.collect.catalogue import CatalogueLike
from citykpi.collect.cells import Raw, is_blank, text
from citykpi.collect.layout import PROFILE_KIND, PROFILE_NUMBERS, PROFILE_ROWS, TIDY_COLUMNS, TIDY_REQUIRED
from citykpi.collect.records import ProfileField, Record
from citykpi.collect.safety import DEFAULT_LIMITS, Limits, check_size, sniff
from citykpi.collect.submission import assemble
from citykpi.model.diagnostics import Diagnostic, Location, Param, Severity, ValidationReport, location_params, said
from citykpi.model.submission import Entry, Submission

PROFILE_KEYS = {key for key, _, _ in PROFILE_ROWS} - {"city", "country", "year"}


@dataclass
class Parsed:
    """A tidy file flattened: profile fields, rows and the problems met; several files can be merged."""

    profile: dict[str, ProfileField] = field(default_factory=dict)
    records: list[Record] = field(default_factory=list)
    problems: list[Diagnostic] = field(default_factory=list)
    unreadable: bool = False  # a file or its header could not be read: no submission

    def found(
        self,
        type: str,
        template: str,
        where: Location,
        severity: Severity = Severity.ERROR,
        *,
        variant: str = "",
        quoting: Location | None = None,
        **params: Param,
    ) -> None:
        """Records a problem whose message is `template` filled with `params` (see diagnostics.said).

        `quoting` is a location the message quotes as `{first}` ("first at ..."), translated as a location.
        """
        if quoting is not None:
            params |= location_params("first", quoting)
        self.problems.append(said(type, template, params, variant=variant, severity=severity, location=where))


def read_csv(
    path: Path | str, catalogue: CatalogueLike, limits: Limits = DEFAULT_LIMITS
) -> tuple[Submission | None, ValidationReport]:
    path = Path(path)
    where = Location(file=path.name)
    parsed = Parsed()
    parse_file(path, where, parsed, limits)
    return finish(parsed, catalogue, where)


def finish(parsed: Parsed, catalogue: CatalogueLike, where: Location) -> tuple[Submission | None, ValidationReport]:
    if parsed.unreadable:
        return None, ValidationReport.from_diagnostics(parsed.problems)
    frameworks = [f.id for f in catalogue.frameworks]
    return assemble(parsed.profile, parsed.records, catalogue, where, frameworks, parsed.problems)


def decode(path: Path, where: Location, parsed: Parsed, limits: Limits) -> str | None:
    """The file's text, or None after reporting why it cannot be read as a UTF-8 CSV."""
    problems = check_size(path, where, limits)
    if problems:
        parsed.problems += problems
        return None
    data = path.read_bytes()
    kind = sniff(data[:4096])
    if kind in ("zip", "xls"):
        template = "this is an Excel workbook, not a CSV file; give it the .xlsx extension"
        parsed.found("format-error", template, where, variant="workbook-as-csv")
        return None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        if kind == "binary":
            parsed.found(
                "format-error",
                "this is a binary file, not a CSV text file (if it is UTF-16 text, save it as CSV UTF-8)",
                where,
                variant="binary-csv",
            )
            return None
        line = data[: exc.start].count(b"\n") + 1
        parsed.found(
            "encoding-error",
            "byte {byte} is not UTF-8; save the file as 'CSV UTF-8' (it was probably saved as Windows-1252 or Latin-1)",
            where.model_copy(update={"row": line}),
            variant="csv",
            byte=f"0x{data[exc.start]:02x}",
        )
        return None


def parse_file(path: Path, where: Location, parsed: Parsed, limits: Limits) -> None:
    content = decode(path, where, parsed, limits)
    if content is None:
        parsed.unreadable = True
    else:
        parse_text(content, where, parsed, limits)


def parse_text(content: str, where: Location, parsed: Parsed, limits: Limits) -> None:
    first_line = content.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first_line.count)
    try:
        rows = list(_rows(csv.reader(io.StringIO(content, newline=""), delimiter=delimiter), limits))
    except csv.Error as exc:
        parsed.found("format-error", "not a readable CSV file: {detail}", where, variant="csv", detail=str(exc))
        parsed.unreadable = True
        return
    if not rows or not any(cell.strip() for cell in rows[0][1]):
        parsed.found("format-error", "the file has no header row", where, variant="no-header")
        parsed.unreadable = True
        return
    columns = _header(rows[0][1], where, parsed)
    if columns is None:
        parsed.unreadable = True
        return
    for number, cells in rows[1:]:
        _row(number, cells, columns, where, parsed)
    if len(rows) > limits.max_rows:
        parsed.found(
            "hostile-file",
            "more than {limit} rows; the rest was not read",
            where,
            variant="rows",
            limit=limits.max_rows,
        )


def _rows(reader: Iterable[list[str]], limits: Limits) -> Iterator[tuple[int, list[str]]]:
    for number, row in enumerate(reader, start=1):
        yield number, row
        if number > limits.max_rows:
            return


def _header(labels: list[str], where: Location, parsed: Parsed) -> dict[str, int] | None:
    columns: dict[str, int] = {}
    for index, label in enumerate(labels):
        key = label.strip().casefold()
        at = where.model_copy(update={"row": 1, "column": label.strip()[:40] or f"#{index + 1}"})
        if key not in TIDY_COLUMNS:
            parsed.found(
                "extra-label", "unknown column '{label}' is ignored", at, Severity.WARNING, label=label.strip()[:40]
            )
        elif key in columns:
            parsed.found("duplicate-label", "the column '{label}' appears twice", at, label=key)
        else:
            columns[key] = index
    missing = [c for c in TIDY_COLUMNS if c not in columns]
    for column in missing:
        required = column in TIDY_REQUIRED
        parsed.found(
            "missing-label",
            "the column '{label}' is missing" + ("" if required else "; its data is taken as empty"),
            where.model_copy(update={"row": 1, "column": column}),
            Severity.ERROR if required else Severity.WARNING,
            variant="csv-required" if required else "optional",
            label=column,
        )
    return None if any(c in TIDY_REQUIRED for c in missing) else columns


def _row(number: int, cells: list[str], columns: dict[str, int], where: Location, parsed: Parsed) -> None:
    at = where.model_copy(update={"row": number})
    if not any(c.strip() for c in cells):
        parsed.found("blank-row", "row {row} is completely blank", at, Severity.WARNING, variant="csv", row=number)
        return
    width = max(columns.values()) + 1
    if len(cells) > width and any(c.strip() for c in cells[width:]):
        template = "row {row} has {cells} cells, the header {width}"
        parsed.found("extra-cell", template, at, row=number, cells=len(cells), width=width)
    fields: dict[str, Raw] = {key: cells[i].strip() if i < len(cells) else None for key, i in columns.items()}
    _same_city(fields, at, parsed)
    if text(fields.get("kind")).casefold() == PROFILE_KIND:
        _profile_row(fields, at, parsed)
    else:
        parsed.records.append(Record(fields, at))


def _same_city(fields: dict[str, Raw], at: Location, parsed: Parsed) -> None:
    """The first row names the city, country and year; a file holding another one is refused."""
    for key in ("city", "country", "year"):
        value = fields.get(key)
        if is_blank(value):
            continue
        held = parsed.profile.get(key)
        if held is None:
            parsed.profile[key] = ProfileField(value, at.model_copy(update={"column": key, "field": key}))
        elif text(held.raw) != text(value):
            parsed.found(
                "inconsistent-profile",
                "{key} is '{found}' here but '{held}' at {first}; a file holds one city and one year",
                at.model_copy(update={"column": key}),
                variant="csv",
                key=key,
                found=text(value)[:40],
                held=text(held.raw)[:40],
                quoting=held.where,
            )


def _profile_row(fields: dict[str, Raw], at: Location, parsed: Parsed) -> None:
    name = text(fields.get("name")).casefold()
    if name not in PROFILE_KEYS:
        allowed = ", ".join(sorted(PROFILE_KEYS))
        parsed.found(
            "unknown-component",
            "'{name}' is not a profile field ({allowed}; city, country and year have their own columns)",
            at.model_copy(update={"column": "name"}),
            variant="profile",
            name=name[:40],
            allowed=allowed,
        )
    elif name in parsed.profile:
        template = "the profile field '{name}' is given twice (first at {first})"
        first = parsed.profile[name].where
        parsed.found("duplicate-row", template, at, variant="profile", quoting=first, name=name)
    else:
        parsed.profile[name] = ProfileField(
            fields.get("value"), at.model_copy(update={"column": "value", "field": name})
        )


def tidy_rows(submission: Submission) -> Iterator[dict[str, str]]:
    """The rows of the tidy CSV for `submission`: profile rows first, then one row per entry."""
    profile = submission.profile
    common = {"city": profile.city, "country": profile.country, "year": str(profile.year)}
    for key in (*PROFILE_NUMBERS, "currency"):
        value = getattr(profile, key)
        if value not in (None, ""):
            yield _blank() | common | {"kind": PROFILE_KIND, "name": key, "value": _show(value)}
    for entry in submission.entries:
        yield _blank() | common | _entry_row(entry)


def _entry_row(entry: Entry) -> dict[str, str]:
    return {
        "kpi": entry.kpi,
        "kind": entry.kind.value,
        "name": entry.name,
        "value": "" if entry.value is None else _show(entry.value),
        "status": entry.status.value if entry.status.value != "not reported" else "",
        "quality": "" if entry.quality is None else str(int(entry.quality)),
        "origin": entry.origin,
        "source": entry.source,
        "notes": entry.notes,
        "verified": "" if entry.verified is None else ("YES" if entry.verified else "NO"),
    }


def _blank() -> dict[str, str]:
    return dict.fromkeys(TIDY_COLUMNS, "")


def _show(value: float | bool | str) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    return str(value)


def write_csv(submission: Submission, path: Path | str) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=TIDY_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(tidy_rows(submission))
    return path
