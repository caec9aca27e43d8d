"""The KPI catalogue of a period, rebuilt from the framework document stored with it.

A period keeps the framework version it was assessed against, so a later catalogue release cannot
change an old period's KPIs; parsed catalogues are cached per stored framework row.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from citykpi.framework.catalogue import Catalogue
from citykpi.framework.model import Framework
from citykpi.framework.validation import Source
from citykpi.store import audit
from citykpi.store.schema import Framework as FrameworkRow

_CACHE: dict[tuple[str, str], Catalogue] = {}


def catalogue_of(row: FrameworkRow) -> Catalogue:
    """Framework rows are never updated, so (id, version) names one document for the process's life."""
    key = (row.key, row.version)
    if key not in _CACHE:
        framework = Framework.model_validate(row.document)
        _CACHE[key] = Catalogue.of([Source(framework, f"{framework.id}-{framework.version}.yaml")])
    return _CACHE[key]


def framework_of(row: FrameworkRow) -> Framework:
    return catalogue_of(row).frameworks[0]


def register(session: Session, framework: Framework, actor: str = "system") -> FrameworkRow:
    """Store a framework version once; registering the same id and version again returns the stored row."""
    row = session.scalar(
        select(FrameworkRow).where(FrameworkRow.key == framework.id, FrameworkRow.version == framework.version)
    )
    if row is not None:
        return row
    row = FrameworkRow(
        key=framework.id, version=framework.version, name=framework.name, document=framework.model_dump(mode="json")
    )
    session.add(row)
    session.flush()
    audit.record(session, actor, "create", "framework", row.id, new={"key": framework.id, "version": framework.version})
    return row
