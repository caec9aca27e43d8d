"""Checks made on a file's bytes before any parser sees it.

openpyxl inflates every XML part it reads, so a 40 kB zip bomb would cost gigabytes of memory;
the zip directory states each member's sizes, which lets us refuse such a file for the price of
reading the directory. External links and macros are reported, never followed or run.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path

from citykpi.diagnostics import Diagnostic, Location, Severity


@dataclass(frozen=True)
class Limits:
    max_bytes: int = 50_000_000  # a full U4SSC workbook is about 100 kB
    max_uncompressed: int = 300 * 1024 * 1024
    max_ratio: float = 200.0  # XML compresses about 10-20x; bombs reach thousands
    max_members: int = 5_000
    max_rows: int = 100_000  # rows read per sheet or CSV file


DEFAULT_LIMITS = Limits()

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Excel 97-2003 .xls


def _error(type: str, message: str, where: Location) -> Diagnostic:
    return Diagnostic(type=type, message=message, location=where)


def check_size(path: Path, where: Location, limits: Limits) -> list[Diagnostic]:
    try:
        size = path.stat().st_size
    except OSError as exc:
        return [_error("source-error", f"cannot read the file: {exc.strerror or exc}", where)]
    if size == 0:
        return [_error("format-error", "the file is empty", where)]
    if size > limits.max_bytes:
        return [
            _error(
                "hostile-file",
                f"the file is {size / 1e6:.1f} MB, above the limit of {limits.max_bytes / 1e6:.0f} MB",
                where,
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
        return [_error("format-error", "this is an old Excel 97-2003 (.xls) file; save it as .xlsx", where)]
    if kind == "text":
        return [
            _error(
                "format-error",
                "this is a text file (CSV?) not an Excel workbook; rename it to .csv or save it as .xlsx",
                where,
            )
        ]
    if kind != "zip":
        return [_error("format-error", "this file is not an Excel workbook (.xlsx is a zip archive)", where)]
    try:
        with zipfile.ZipFile(path) as archive:
            return _check_members(archive.infolist(), where, limits)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError) as exc:
        return [_error("compression-error", f"the workbook is damaged or truncated ({exc}); save it again", where)]


def _check_members(members: list[zipfile.ZipInfo], where: Location, limits: Limits) -> list[Diagnostic]:
    names = {m.filename for m in members}
    if len(members) > limits.max_members:
        return [_error("hostile-file", f"the workbook has {len(members)} parts (limit {limits.max_members})", where)]
    total = sum(m.file_size for m in members)
    if total > limits.max_uncompressed:
        return [
            _error(
                "hostile-file",
                f"the workbook would expand to {total / 1e6:.0f} MB (limit {limits.max_uncompressed / 1e6:.0f} MB); "
                "it looks like a zip bomb",
                where,
            )
        ]
    for m in members:
        if m.file_size > 1_000_000 and m.file_size > limits.max_ratio * max(m.compress_size, 1):
            return [
                _error(
                    "hostile-file",
                    f"part {m.filename} expands {m.file_size / max(m.compress_size, 1):.0f} times "
                    f"(limit {limits.max_ratio:.0f}); it looks like a zip bomb",
                    where,
                )
            ]
    if "xl/workbook.xml" not in names:
        if {"mimetype", "content.xml"} <= names:  # LibreOffice's own format, its default on "Save"
            message = "this is an OpenDocument file (LibreOffice .ods), not an Excel workbook; save it as .xlsx"
            return [_error("format-error", message, where)]
        return [_error("format-error", "this zip archive is not an Excel workbook (no xl/workbook.xml)", where)]
    problems: list[Diagnostic] = []
    links = sorted(n for n in names if n.startswith("xl/externalLinks/") and n.endswith(".xml"))
    if links:
        problems.append(
            _error(
                "hostile-file",
                f"the workbook links to {len(links)} other file(s); values must be typed in, not linked. "
                "In Excel use Data > Edit Links > Break Link, then save",
                where,
            )
        )
    if "xl/vbaProject.bin" in names:
        problems.append(
            Diagnostic(
                type="hostile-file",
                severity=Severity.WARNING,
                message="the workbook contains macros; they were ignored (never run)",
                location=where,
            )
        )
    return problems
