"""Checks made on a file's bytes before any parser sees it.

openpyxl inflates every XML part it reads, so a 40 kB zip bomb would cost gigabytes of memory;
the zip directory states each member's sizes, which lets us refuse such a file for the price of
reading the directory. External links and macros are reported, never followed or run.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from citykpi.model.diagnostics import Diagnostic, Location, Param, Severity, said


@dataclass(frozen=True)
class Limits:
    max_bytes: int = 50_000_000  # a full U4SSC workbook is about 100 kB
    max_uncompressed: int = 300 * 1024 * 1024
    max_ratio: float = 200.0  # XML compresses about 10-20x; bombs reach thousands
    max_members: int = 5_000
    max_rows: int = 100_000  # rows read per sheet or CSV file
    max_grid_cells: int = 2_000_000  # rows x columns a sheet may span to be read as one grid (sheets.py)


DEFAULT_LIMITS = Limits()

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Excel 97-2003 .xls


def _error(type: str, template: str, where: Location, variant: str, **params: Param) -> Diagnostic:
    return said(type, template, params, variant=variant, location=where)


def check_size(path: Path, where: Location, limits: Limits) -> list[Diagnostic]:
    try:
        size = path.stat().st_size
    except OSError as exc:
        return [
            _error(
                "source-error", "cannot read the file: {detail}", where, "unreadable", detail=str(exc.strerror or exc)
            )
        ]
    if size == 0:
        return [_error("format-error", "the file is empty", where, "empty")]
    if size > limits.max_bytes:
        return [
            _error(
                "hostile-file",
                "the file is {size} MB, above the limit of {limit} MB",
                where,
                "too-large",
                size=f"{size / 1e6:.1f}",
                limit=f"{limits.max_bytes / 1e6:.0f}",
            )
        ]
    return []


def sniff(head: bytes) -> str:
    """'zip', 'xls', 'text' or 'binary' from the first bytes; text in any 8-bit encoding counts as text."""
    if head.startswith(ZIP_MAGIC):
        return "zip"
    if head.startswith(OLE_MAGIC):
        return "xls"
    return "text" if b"\x00" not in head else "binary"


def check_workbook_file(path: Path, where: Location, limits: Limits = DEFAULT_LIMITS) -> list[Diagnostic]:
    """Everything that must hold before openpyxl may open `path`; an empty list means go ahead."""
    problems = check_size(path, where, limits)
    if problems:
        return problems
    with path.open("rb") as f:
        kind = sniff(f.read(4096))
    if kind == "xls":
        return [_error("format-error", "this is an old Excel 97-2003 (.xls) file; save it as .xlsx", where, "xls")]
    if kind == "text":
        return [
            _error(
                "format-error",
                "this is a text file (CSV?) not an Excel workbook; rename it to .csv or save it as .xlsx",
                where,
                "text",
            )
        ]
    if kind != "zip":
        return [_error("format-error", "this file is not an Excel workbook (.xlsx is a zip archive)", where, "binary")]
    try:
        with zipfile.ZipFile(path) as archive:
            return _check_members(archive.infolist(), where, limits)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError) as exc:
        template = "the workbook is damaged or truncated ({detail}); save it again"
        return [_error("compression-error", template, where, "", detail=str(exc))]


def _check_members(members: list[zipfile.ZipInfo], where: Location, limits: Limits) -> list[Diagnostic]:
    names = {m.filename for m in members}
    if len(members) > limits.max_members:
        template = "the workbook has {parts} parts (limit {limit})"
        return [_error("hostile-file", template, where, "parts", parts=len(members), limit=limits.max_members)]
    total = sum(m.file_size for m in members)
    if total > limits.max_uncompressed:
        return [
            _error(
                "hostile-file",
                "the workbook would expand to {size} MB (limit {limit} MB); it looks like a zip bomb",
                where,
                "expands",
                size=f"{total / 1e6:.0f}",
                limit=f"{limits.max_uncompressed / 1e6:.0f}",
            )
        ]
    for m in members:
        if m.file_size > 1_000_000 and m.file_size > limits.max_ratio * max(m.compress_size, 1):
            return [
                _error(
                    "hostile-file",
                    "part {part} expands {ratio} times (limit {limit}); it looks like a zip bomb",
                    where,
                    "ratio",
                    part=m.filename,
                    ratio=f"{m.file_size / max(m.compress_size, 1):.0f}",
                    limit=f"{limits.max_ratio:.0f}",
                )
            ]
    if "xl/workbook.xml" not in names:
        if {"mimetype", "content.xml"} <= names:  # LibreOffice's own format, its default on "Save"
            message = "this is an OpenDocument file (LibreOffice .ods), not an Excel workbook; save it as .xlsx"
            return [_error("format-error", message, where, "ods")]
        return [_error("format-error", "this zip archive is not an Excel workbook (no xl/workbook.xml)", where, "zip")]
    problems: list[Diagnostic] = []
    links = sorted(n for n in names if n.startswith("xl/externalLinks/") and n.endswith(".xml"))
    if links:
        problems.append(
            _error(
                "hostile-file",
                "the workbook links to {links} other file(s); values must be typed in, not linked. "
                "In Excel use Data > Edit Links > Break Link, then save",
                where,
                "links",
                links=len(links),
            )
        )
    if "xl/vbaProject.bin" in names:
        problems.append(
            said(
                "hostile-file",
                "the workbook contains macros; they were ignored (never run)",
                {},
                variant="macros",
                severity=Severity.WARNING,
                location=where,
            )
        )
    return problems


# A cell element with or without a namespace prefix (`<c `, `<x:c `), its reference, a formula element.
CELL = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?c[\s/>]")
CELL_REF = re.compile(rb'<(?:[A-Za-z_][\w.-]*:)?c\s[^>]*?\br="([A-Z]{1,3})([0-9]{1,7})"')
FORMULA = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?f[\s/>]")


def scan_cells(path: Path, limits: Limits = DEFAULT_LIMITS) -> str | None:
    """Why the file must be read cell by cell (by openpyxl), or None when a whole-sheet reader may read it.

    Call it after `check_workbook_file` found nothing wrong: sizes are bounded by then. Every XML
    part is inflated once (about 5 ms for a U4SSC
    workbook) and searched for what the fast reader cannot report or would be hurt by: formulas
    (it reads their cached result), a DTD (entity bombs: openpyxl's defusedxml refuses them with
    a clear message), cells without a reference, and cells so far apart that a dense grid of the
    sheet would not fit in memory.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            for name in archive.namelist():
                if not name.endswith((".xml", ".rels")):
                    continue
                data = archive.read(name)
                if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
                    return f"{name} declares a DTD"
                if name.startswith("xl/worksheets/"):
                    reason = _sheet_reason(data, limits)
                    if reason:
                        return f"{name}: {reason}"
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError, NotImplementedError) as exc:
        return f"the archive cannot be inflated ({type(exc).__name__})"
    return None


def _sheet_reason(xml: bytes, limits: Limits) -> str | None:
    if FORMULA.search(xml):
        return "formulas"
    refs = CELL_REF.findall(xml)
    if len(refs) != len(CELL.findall(xml)):
        return "cells without a reference"
    if not refs:
        return None
    rows = max(int(row) for _, row in refs)
    columns = max(_column_number(letters) for letters in {letters for letters, _ in refs})
    if rows * columns > limits.max_grid_cells:
        return f"cells span {rows} rows x {columns} columns"
    return None


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + letter - 64
    return number
