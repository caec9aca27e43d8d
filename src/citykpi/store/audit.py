"""Appending to the audit log: the one place every change of the platform is written down.

Every audited change is also handed to `citykpi.store.inbox`, which notifies whom it concerns when
the transaction commits.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from citykpi.store import inbox
from citykpi.store.bulk import insert_rows
from citykpi.store.db import mark_changed
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
    shown: bool = True,
) -> None:
    """`shown=False` for an event that changes no data shown (a failed sign-in): no cache is invalidated."""
    if shown:
        mark_changed(session, [period_id])  # revisions bumped at commit (citykpi.store.db)
    inbox.collect(session, actor, [Change(action, entity, entity_id, period_id, old, new, reason)])
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


@dataclass(frozen=True)
class Change:
    """One audited change, with the fields `record` takes."""

    action: str
    entity: str
    entity_id: int | None
    period_id: int | None = None
    old: dict[str, Any] | None = None
    new: dict[str, Any] | None = None
    reason: str = ""


def record_many(session: Session, actor: str, changes: Sequence[Change]) -> None:
    """One audit row per change, as `record` writes them, in one batched INSERT.

    An import writes a row per value; through the ORM each row would be an object tracked until the
    flush, and SQLite inserts them one statement each. The statement runs at once, after the session
    has flushed what it holds pending, so the rows keep the order in which the changes were made.
    """
    if not changes:
        return
    mark_changed(session, {c.period_id for c in changes})
    inbox.collect(session, actor, changes)
    session.execute(
        insert_rows(Audit),
        [
            {
                "actor": actor,
                "action": c.action,
                "entity": c.entity,
                "entity_id": c.entity_id,
                "period_id": c.period_id,
                "old": c.old,
                "new": c.new,
                "reason": c.reason,
            }
            for c in changes
        ],
    )
