"""Audited events delivered to the inboxes, e-mail outbox and webhooks of those they concern.

`citykpi.store.audit` hands every audited change to `collect`, which keeps (in the session) those a
notification rule names; just before the transaction commits `deliver` writes their notifications
and outbox rows, so an event is told exactly when its change is committed, and never when it is
rolled back. Sending the outbox happens later, outside the transaction (`citykpi.platform.outbox`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, exists, insert, or_, select
from sqlalchemy.orm import Session

from citykpi.store.notice_rules import Kind, rules
from citykpi.store.schema import (
    City,
    MailAddress,
    Notification,
    NotificationPreference,
    OutboxItem,
    Period,
    Review,
    Scope,
    User,
    Webhook,
    utcnow,
)

if TYPE_CHECKING:
    from citykpi.store.audit import Change

EVENTS = "citykpi.events"  # session.info: the audited changes a rule names, delivered at commit
EXCERPT = 200
SCOPED_BY_CITY = ("city_editor", "verifier")


@dataclass(frozen=True)
class Event:
    actor: str
    kind: str
    change: Change


def collect(session: Session, actor: str, changes: Iterable[Change]) -> None:
    """Keeps the changes some notification rule names; a value import's hundreds of rows cost a lookup each."""
    found = rules()
    wanted = [Event(actor, kind, c) for c in changes if (kind := found.kind_of(c.action, c.entity))]
    if wanted:
        session.info.setdefault(EVENTS, []).extend(wanted)


def discard(session: Session) -> None:
    """Forgets the events collected so far in this transaction: they will notify no one."""
    session.info.pop(EVENTS, None)


@dataclass(frozen=True)
class Recipient:
    user_id: int
    username: str
    in_app: bool
    address: str | None  # None: no e-mail for this kind


def deliver(session: Session) -> None:
    """Before commit: the notifications and outbox rows of the events collected in this transaction."""
    events: list[Event] | None = session.info.pop(EVENTS, None)
    if not events:
        return
    context = _Context(session, events)
    notices: list[dict[str, Any]] = []
    outgoing: list[dict[str, Any]] = []
    for event in events:
        kind = rules().kinds[event.kind]
        change = event.change
        city = context.city_of(change)
        params = context.params(event, city)
        link = kind.link.format(entity_id=change.entity_id or "", period_id=change.period_id or "")
        fields: dict[str, Any] = {
            "kind": event.kind,
            "action": change.action,
            "actor": event.actor,
            "entity": change.entity,
            "entity_id": change.entity_id,
            "period_id": change.period_id,
            "city_id": city.id if city else None,
            "params": params,
            "link": link,
        }
        for person in context.recipients(event, kind, city):
            if person.in_app:
                notices.append({**fields, "user_id": person.user_id})
            if person.address:
                payload = {"kind": event.kind, "params": params, "link": link, "user": person.username}
                outgoing.append({"channel": "email", "destination": person.address, "payload": payload})
        for hook_id in context.webhooks(event.kind):
            payload = {**{k: v for k, v in fields.items() if k != "params"}, **params, "at": utcnow().isoformat()}
            outgoing.append({"channel": "webhook", "destination": str(hook_id), "payload": payload})
    if notices:
        session.execute(insert(Notification), notices)
    if outgoing:
        session.execute(insert(OutboxItem), outgoing)


class _Context:
    """What the events of one transaction need, read once each: their periods, cities, reviewed KPIs,
    the recipients of each city and kind, and the webhooks."""

    def __init__(self, session: Session, events: Sequence[Event]) -> None:
        self.session = session
        changes = [e.change for e in events]
        period_ids = {c.period_id for c in changes if c.period_id is not None}
        named = {int(c.new["city_id"]) for c in changes if c.new and isinstance(c.new.get("city_id"), int)}
        self.periods: dict[int, tuple[int, int]] = {}
        self.cities: dict[int, City] = {}
        if period_ids:  # the periods with their cities, in one query
            for period_id, year, city in session.execute(
                select(Period.id, Period.year, City)
                .join(City, City.id == Period.city_id)
                .where(Period.id.in_(period_ids))
            ):
                self.periods[period_id] = (city.id, year)
                self.cities[city.id] = city
        if named - set(self.cities):
            self.cities.update({c.id: c for c in session.scalars(select(City).where(City.id.in_(named)))})
        review_ids = {c.entity_id for c in changes if c.entity == "review" and c.entity_id is not None}
        self.kpis: dict[int, str] = {}
        if review_ids:
            self.kpis = dict(session.execute(select(Review.id, Review.kpi).where(Review.id.in_(review_ids))).all())
        self._recipients: dict[tuple[str, int | None], list[Recipient]] = {}
        self._hooks: list[tuple[int, list[Any]]] | None = None

    def city_of(self, change: Change) -> City | None:
        if change.period_id in self.periods:
            return self.cities.get(self.periods[change.period_id][0])
        city_id = (change.new or {}).get("city_id")
        return self.cities.get(city_id) if isinstance(city_id, int) else None

    def params(self, event: Event, city: City | None) -> dict[str, Any]:
        change = event.change
        new, old = change.new or {}, change.old or {}
        kpi = new.get("kpi") or old.get("kpi") or self.kpis.get(change.entity_id or 0, "")
        year = self.periods[change.period_id][1] if change.period_id in self.periods else new.get("year", "")
        return {
            "actor": event.actor,
            "city": city.name if city else "",
            "city_slug": city.slug if city else "",
            "year": year,
            "kpi": kpi or "",
            "state": new.get("status") or new.get("state") or "",
            "excerpt": " ".join(change.reason.split())[:EXCERPT],
        }

    def recipients(self, event: Event, kind: Kind, city: City | None) -> list[Recipient]:
        key = (event.kind, city.id if city else None)
        if key not in self._recipients:
            self._recipients[key] = self._find(event.kind, kind, city)
        return [r for r in self._recipients[key] if r.username != event.actor]

    def _find(self, name: str, kind: Kind, city: City | None) -> list[Recipient]:
        roles = set(kind.recipients)
        reach = [User.role == "admin"] if "admin" in roles else []
        if city is not None:
            by_city = exists().where(Scope.user_id == User.id, Scope.city_id == city.id)
            by_hub = exists().where(Scope.user_id == User.id, Scope.hub == city.hub)
            scoped = [r for r in SCOPED_BY_CITY if r in roles]
            if scoped:
                reach.append(and_(User.role.in_(scoped), by_city))
            if "hub_manager" in roles and city.hub:
                reach.append(and_(User.role == "hub_manager", by_hub))
        if not reach:
            return []
        people = self.session.execute(
            select(
                User.id, User.username, NotificationPreference.in_app, NotificationPreference.email, MailAddress.address
            )
            .outerjoin(
                NotificationPreference,
                and_(NotificationPreference.user_id == User.id, NotificationPreference.kind == name),
            )
            .outerjoin(MailAddress, MailAddress.user_id == User.id)
            .where(User.active.is_(True), or_(*reach))
            .order_by(User.id)
        ).all()
        found = []
        for user_id, username, in_app, email, address in people:
            wants_mail = kind.email if email is None else email
            found.append(
                Recipient(user_id, username, kind.in_app if in_app is None else in_app, address if wants_mail else None)
            )
        return found

    def webhooks(self, kind: str) -> list[int]:
        if self._hooks is None:
            self._hooks = list(self.session.execute(select(Webhook.id, Webhook.kinds).where(Webhook.active.is_(True))))
        return [hook_id for hook_id, kinds in self._hooks if not kinds or kind in kinds]
