"""A file uploaded into a period (API or page): size limit, then read, then one write transaction.

The file is read and validated before the write transaction opens: on SQLite the write transaction
holds the database's only write lock, and parsing a workbook takes longer than writing its rows.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from citykpi.framework.catalogue import Catalogue
from citykpi.model.diagnostics import Location, ValidationReport, error, said
from citykpi.platform import cities, isolated, values
from citykpi.platform.catalogues import catalogue_of
from citykpi.platform.errors import Invalid
from citykpi.platform.roles import Action, Principal
from citykpi.platform.texts import check_texts
from citykpi.store.db import Database

if TYPE_CHECKING:
    from citykpi.validate.files import Checked

# Most file systems hold names of up to 255 bytes; the upload is written under its name to be read.
MAX_NAME_BYTES = 255


def import_upload(
    db: Database, who: Principal, period_id: int, name: str, content: bytes, limit: int, seconds: float = 60
) -> values.ImportOutcome:
    """All or nothing, as `values.import_submission`; a file over `limit` bytes is refused unread, one
    not read within `seconds` (in a process of its own, `isolated`) is refused as well."""
    name = _file_name(name)
    if len(content) > limit:
        problem = error(
            "source-error",
            f"the file exceeds {limit} bytes",
            variant="upload-limit",
            params={"limit": limit},
            file=name,
        )
        raise Invalid.of([problem], "file too large", "too-large")
    with db.read() as session:
        period = cities.get_period(session, who, period_id)
        cities.require(who, Action.EDIT, period)
        catalogue = catalogue_of(period.framework)
    try:
        checked = isolated.run(_check, content, name, catalogue, seconds=seconds)
    except isolated.OutOfTime as exc:
        template = "the file was not read within {seconds} s; split it or remove what it does not need"
        where = Location(file=name)
        problem = said("source-error", template, {"seconds": seconds}, variant="upload-time", location=where)
        raise Invalid.of([problem], "the file took too long to read", "too-slow") from exc
    except isolated.WorkerDied as exc:
        template = "the file could not be read: the reader stopped ({reason})"
        where = Location(file=name)
        problem = said("source-error", template, {"reason": str(exc)}, variant="upload-died", location=where)
        raise Invalid.of([problem], "the file could not be read", "reader-died") from exc
    with db.write() as session:
        period = cities.get_period(session, who, period_id)
        return values.import_submission(session, who, period, checked.submission, checked.report)


def annotated(name: str, content: bytes, report: ValidationReport, seconds: float = 60) -> bytes | None:
    """The uploaded workbook with its problems marked, as `citykpi validate --annotate` writes it (cells
    highlighted and commented, a Problems sheet first), for the editor to correct and upload again.

    None when there is nothing to mark in a workbook: another format, no problem at a cell (a file
    that is not a workbook, or damaged, has only problems of the whole file), or a file that cannot
    be annotated (refused by the reader's byte-level checks, or not done within `seconds` in a
    process of its own, as the reading was).
    """
    at_cells = any(d.location.sheet and d.location.cell for d in [*report.errors, *report.warnings])
    if not name.lower().endswith(".xlsx") or not at_cells:
        return None
    try:
        return isolated.run(_annotate, content, report, seconds=seconds)
    except (isolated.OutOfTime, isolated.WorkerDied):
        return None


def _annotate(content: bytes, report: ValidationReport) -> bytes | None:
    from citykpi.collect.annotate import annotate_workbook

    with tempfile.TemporaryDirectory(prefix="citykpi-annotate-") as tmp:
        source = Path(tmp) / "upload.xlsx"
        source.write_bytes(content)
        marked = annotate_workbook(source, report, Path(tmp) / "marked.xlsx")
        return marked.read_bytes() if isinstance(marked, Path) else None


def base_name(sent: str) -> str:
    """The uploaded file's own name, without the folders a browser or a script may send."""
    return Path(sent.replace("\\", "/")).name or "upload"


def _file_name(sent: str) -> str:
    """The uploaded file's own name (no folders), which the report locates problems in; refused when
    it cannot be a file name here (it is written to a temporary folder to be read)."""
    name = base_name(sent)
    problem = None
    if name in (".", ".."):
        problem = error("source-error", "the file has no name", variant="upload-name", file=name)
    elif len(name.encode("utf-8", "surrogatepass")) > MAX_NAME_BYTES:
        template = "the file name is longer than {limit} bytes; rename the file"
        where = Location(file=name[:40] + "...")
        params = {"limit": MAX_NAME_BYTES}
        problem = said("source-error", template, params, variant="upload-name-length", location=where)
    if problem is None:
        check_texts({"file name": name})
        return name
    raise Invalid.of([problem], "the file name cannot be used", "upload-name")


def _check(content: bytes, name: str, catalogue: Catalogue) -> Checked:
    """The same verdict as `citykpi validate` on the file: its checks and the warnings they give."""
    from citykpi.validate.files import check_file

    with tempfile.TemporaryDirectory(prefix="citykpi-upload-") as tmp:
        path = Path(tmp) / name
        path.write_bytes(content)
        return check_file(path, catalogue)
