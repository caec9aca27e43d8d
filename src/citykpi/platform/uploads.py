"""A file uploaded into a period (API or page): size limit, then read, then one write transaction.

The file is read and validated before the write transaction opens: on SQLite the write transaction
holds the database's only write lock, and parsing a workbook takes longer than writing its rows.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from citykpi.framework.catalogue import Catalogue
from citykpi.model.diagnostics import error
from citykpi.platform import cities, values
from citykpi.platform.catalogues import catalogue_of
from citykpi.platform.errors import Invalid
from citykpi.platform.roles import Action, Principal
from citykpi.store.db import Database

if TYPE_CHECKING:
    from citykpi.validate.files import Checked


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
    checked = _check(content, name, catalogue)
    with db.write() as session:
        period = cities.get_period(session, who, period_id)
        return values.import_submission(session, who, period, checked.submission, checked.report)


def _check(content: bytes, name: str, catalogue: Catalogue) -> Checked:
    """The same verdict as `citykpi validate` on the file: its checks and the warnings they give."""
    from citykpi.validate.files import check_file

    with tempfile.TemporaryDirectory(prefix="citykpi-upload-") as tmp:
        path = Path(tmp) / name
        path.write_bytes(content)
        return check_file(path, catalogue)
