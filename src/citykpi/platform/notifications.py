"""A user's notifications and what they choose to receive.

Notifications are written by `citykpi.store.inbox` from the audit log; here they are read, counted
(the navigation of every page shows the unread count: one read of an index) and marked read, and
each user chooses per kind whether it reaches their inbox and their e-mail.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from citykpi.model.diagnostics import error
from citykpi.platform.errors import Invalid, NotFound, Unauthenticated
from citykpi.platform.roles import Principal
from citykpi.platform.texts import check_texts
from citykpi.store import audit
from citykpi.store.notice_rules import rules
from citykpi.store.schema import MailAddress, Notification, NotificationPreference, utcnow

# Deliberately loose (RFC 5321 allows far more than any pattern checks): one @, a dot in the domain, no spaces.
ADDRESS = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MAX_ADDRESS = 254
UNREAD_CAP = 100


@dataclass(frozen=True)
class Choice:
    kind: str
    in_app: bool
    email: bool


def _user(who: Principal) -> int:
    if who.is_public or who.user_id is None:
        raise Unauthenticated("sign in to see your notifications")
    return who.user_id


def unread_count(session: Session, user_id: int) -> int:
    """At most `UNREAD_CAP`: every page reads it, so its cost must not grow with a neglected inbox
    (the navigation then shows "99+"); counting 1,000 unread cost ~5x a bare SELECT in bench/notify_bench.py."""
    unread = (
        select(Notification.id)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
        .limit(UNREAD_CAP)
        .subquery()
    )
    return session.scalar(select(func.count()).select_from(unread)) or 0


def inbox(session: Session, who: Principal, start: int = 0, size: int = 50) -> tuple[int, list[Notification]]:
    """(how many there are, one page of them, newest first)."""
    user_id = _user(who)
    total = session.scalar(select(func.count()).where(Notification.user_id == user_id)) or 0
    rows = session.scalars(
        select(Notification)
        .where(Notification.user_id == user_id)
        .order_by(Notification.id.desc())
        .offset(start)
        .limit(size)
    ).all()
    return total, list(rows)


def mark_read(session: Session, who: Principal, ids: Sequence[int] | None = None) -> int:
    """Marks the visitor's own notifications (these ids, or all) read; how many were unread."""
    query = update(Notification).where(Notification.user_id == _user(who), Notification.read_at.is_(None))
    if ids is not None:
        query = query.where(Notification.id.in_(list(ids)))
    return session.execute(query.values(read_at=utcnow())).rowcount  # type: ignore[attr-defined]


def open_notification(session: Session, who: Principal, notification_id: int) -> str:
    """Marks one of the visitor's notifications read and answers where it points."""
    found = session.get(Notification, notification_id)
    if found is None or found.user_id != _user(who):
        raise NotFound.said("notification", "no notification {id}", id=notification_id)
    if found.read_at is None:
        found.read_at = utcnow()
    return found.link


def choices(session: Session, who: Principal) -> list[Choice]:
    """Every kind of the rules, with the visitor's choice or the rule's default."""
    stored = {
        p.kind: p
        for p in session.scalars(select(NotificationPreference).where(NotificationPreference.user_id == _user(who)))
    }
    out = []
    for name, kind in rules().kinds.items():
        row = stored.get(name)
        out.append(Choice(name, row.in_app if row else kind.in_app, row.email if row else kind.email))
    return out


def address(session: Session, who: Principal) -> str:
    found = session.get(MailAddress, _user(who))
    return found.address if found else ""


def choose(session: Session, who: Principal, wanted: Mapping[str, Choice], mail_to: str) -> None:
    """Stores the visitor's choice for every kind (a kind left out keeps its stored choice) and address."""
    user_id = _user(who)
    mail_to = mail_to.strip()
    check_texts({"address": mail_to})
    if mail_to and (len(mail_to) > MAX_ADDRESS or not ADDRESS.match(mail_to)):
        problem = error("invalid-address", f"{mail_to[:60]!r} is not an e-mail address", field="address")
        raise Invalid.of([problem], "invalid e-mail address")
    unknown = sorted(set(wanted) - set(rules().kinds))
    if unknown:
        problem = error("unknown-kind", f"no notification kind {unknown[0]!r}", field="kind")
        raise Invalid.of([problem], "unknown notification kind")
    before = {c.kind: c for c in choices(session, who)}
    stored = {
        p.kind: p
        for p in session.scalars(select(NotificationPreference).where(NotificationPreference.user_id == user_id))
    }
    for kind, choice in wanted.items():
        row = stored.get(kind) or NotificationPreference(user_id=user_id, kind=kind)
        row.in_app, row.email = choice.in_app, choice.email
        session.add(row)
    old_address = address(session, who)
    current = session.get(MailAddress, user_id)
    if mail_to and current is None:
        session.add(MailAddress(user_id=user_id, address=mail_to))
    elif mail_to and current is not None:
        current.address = mail_to
    elif current is not None:
        session.delete(current)
    changed = {k: (c.in_app, c.email) for k, c in wanted.items() if before[k] != c}
    if changed or old_address != mail_to:
        old = {"address": old_address, **{k: list((before[k].in_app, before[k].email)) for k in changed}}
        new = {"address": mail_to, **{k: list(v) for k, v in changed.items()}}
        # Shown on no cached page: no cache needs to notice it.
        audit.record(session, who.username, "choose-notifications", "user", user_id, old=old, new=new, shown=False)
