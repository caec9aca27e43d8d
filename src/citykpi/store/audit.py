"""Appending to the audit log: the one place every change of the platform is written down."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from citykpi.store.db import CHANGED
from citykpi.store.schema import Audit


def record(
    session: Session,
    actor: str,
    action: str,
    entity: str,
    entity_id: int | None,
    *,
    period_id: int | None = None,
    old: dict[str, Any] | None = None,
    new: dict[str, Any] | None = None,
    reason: str = "",
) -> None:
    session.info[CHANGED] = True  # bumps the data revision at commit (citykpi.store.db)
    session.add(
        Audit(
            actor=actor,
            action=action,
            entity=entity,
            entity_id=entity_id,
            period_id=period_id,
            old=old,
            new=new,
            reason=reason,
        )
    )
