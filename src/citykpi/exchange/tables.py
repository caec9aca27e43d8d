"""CSV files in and out, with read problems turned into located diagnostics."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from pydantic_core import from_json

from citykpi.model.diagnostics import Diagnostic, Location
from citykpi.model.errors import DiagnosticError


def fail(type: str, message: str, **location: str | int | None) -> DiagnosticError:
    # Location directly: `error`'s own keywords (variant, params) must not be reachable through **location.
    return DiagnosticError([Diagnostic(type=type, message=message, location=Location(**location))])


def read_json(path: Path) -> Any:
    """pydantic-core's parser: several times faster than `json` on the large NGSI-LD exports."""
    try:
        return from_json(path.read_bytes())
    except OSError as exc:
        raise fail("file-error", f"cannot read: {exc.strerror or exc}", file=str(path)) from None
    except ValueError as exc:
        raise json_error(str(exc), path.name) from None


def json_error(message: str, file: str) -> DiagnosticError:
    """A parser message such as '... at line 3 column 14' as a located diagnostic."""
    where = re.search(r"line (\d+) column (\d+)", message)
    row, column = (int(where[1]), where[2]) if where else (None, None)
    return fail("format-error", f"not valid JSON: {message}", file=file, row=row, column=column)


def write_csv(path: Path, header: Sequence[str], rows: Iterable[Mapping[str, str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(header), lineterminator="\n", extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)


def read_csv(path: Path, required: Sequence[str]) -> Iterator[tuple[int, dict[str, str]]]:
    """(row number as a spreadsheet shows it, cells) per data row; checks the header first."""
    try:
        f = path.open(encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise fail("file-error", f"cannot read: {exc.strerror or exc}", file=str(path)) from None
    with f:
        reader = csv.DictReader(f)
        try:
            header = reader.fieldnames or []
        except (UnicodeDecodeError, csv.Error) as exc:
            raise fail("format-error", f"not a UTF-8 CSV file: {exc}", file=path.name) from None
        missing = [c for c in required if c not in header]
        if missing:
            raise fail("missing-label", f"missing column(s) {missing}; found {header}", file=path.name)
        try:
            for number, row in enumerate(reader, start=2):
                yield number, {k: v or "" for k, v in row.items() if k is not None}
        except (UnicodeDecodeError, csv.Error) as exc:
            raise fail("format-error", f"unreadable CSV: {exc}", file=path.name) from None
