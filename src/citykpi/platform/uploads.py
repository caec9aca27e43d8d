"""A file uploaded into a period (API or page): size limit, then read, then one write transaction.

The file is read and validated before the write transaction opens: on SQLite the write transaction
holds the database's only write lock, and parsing a workbook takes longer than writing its rows.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from citykpi.framework.catalogue import Catalogue
from citykpi.model.diagnostics import ValidationReport, error
from citykpi.model.submission import Submission
from citykpi.platform import cities, values
from citykpi.platform.catalogues import catalogue_of
from citykpi.platform.errors import Invalid
from citykpi.platform.roles import Action, Principal
from citykpi.store.db import Database


def import_upload(
    db: Database, who: Principal, period_id: int, name: str, content: bytes, limit: int
) -> values.ImportOutcome:
    """All or nothing, as `values.import_submission`; a file over `limit` bytes is refused unread."""
    name = Path(name).name or "upload"
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
    submission, report = _read(content, name, catalogue)
    with db.write() as session:
        period = cities.get_period(session, who, period_id)
        return values.import_submission(session, who, period, submission, report)


def _read(content: bytes, name: str, catalogue: Catalogue) -> tuple[Submission | None, ValidationReport]:
    from citykpi.collect.readers import read_any

    with tempfile.TemporaryDirectory(prefix="citykpi-upload-") as tmp:
        path = Path(tmp) / name
        path.write_bytes(content)
        return read_any(path, catalogue)
