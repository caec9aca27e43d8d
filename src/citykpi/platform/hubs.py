"""Country hubs: the records that group cities, created by an administrator, kept up by their managers.

Cities name their hub by its key (`City.hub`), as they did when a hub was only a string, so a
city created through the API with a hub nobody registered gets that hub's record (`ensure`).
"""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from citykpi.platform import fields
from citykpi.platform.errors import Conflict, Forbidden, Invalid, NotFound
from citykpi.platform.roles import Principal, Role, manages_hub
from citykpi.store import audit
from citykpi.store.schema import Hub


def list_hubs(session: Session) -> list[Hub]:
    return list(session.scalars(select(Hub).order_by(Hub.name, Hub.key)).all())


def get_hub(session: Session, key: str) -> Hub:
    hub = session.scalar(select(Hub).where(Hub.key == key))
    if hub is None:
        raise NotFound.said("hub", "no hub {hub!r}", hub=key)
    return hub


def _checked(key: str, name: str, country: str) -> None:
    problems = fields.texts(
        {"key": (key, 100), "name": (name, 200), "country": (country, 100)}, required=("key", "name")
    )
    if problems:
        raise Invalid.of(problems, "the hub is not valid", "hub")


def create_hub(session: Session, who: Principal, key: str, name: str, country: str = "", reason: str = "") -> Hub:
    if who.role is not Role.ADMIN:
        raise Forbidden.said("may-not-create-hub", "only an administrator creates hubs")
    key, name, country = key.strip(), name.strip(), country.strip()
    _checked(key, name, country)
    if session.scalar(select(Hub.id).where(Hub.key == key)) is not None:
        raise Invalid.of([fields.duplicate("key", "hub", key)], "the hub is not valid", "hub")
    return _insert(session, who.username, key, name, country, reason)


def _insert(session: Session, actor: str, key: str, name: str, country: str, reason: str) -> Hub:
    hub = Hub(key=key, name=name, country=country)
    session.add(hub)
    session.flush()
    audit.record(
        session, actor, "create", "hub", hub.id, new={"key": key, "name": name, "country": country}, reason=reason
    )
    return hub


def ensure(session: Session, actor: str, key: str) -> None:
    """The hub's record, created (audited, named by its key) when a city or user names a new hub."""
    if key and session.scalar(select(Hub.id).where(Hub.key == key)) is None:
        _insert(session, actor, key, key, "", "named by a city")


def update_hub(
    session: Session, who: Principal, hub: Hub, version: int, name: str, country: str, reason: str = ""
) -> Hub:
    """Its name and country; the key stays, since cities and scopes name the hub by it."""
    if not manages_hub(who, hub.key):
        raise Forbidden.said(
            "may-not-manage-hub", "{user!r} may not change the hub {hub!r}", user=who.username, hub=hub.key
        )
    name, country = name.strip(), country.strip()
    _checked(hub.key, name, country)
    old = {"name": hub.name, "country": hub.country}
    new = {"name": name, "country": country}
    changed = session.execute(
        update(Hub)
        .where(Hub.id == hub.id, Hub.version == version)
        .values(name=name, country=country, version=version + 1)
    )
    if changed.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict.said(
            "stale-record", "someone changed this record since you loaded it; reload the page and try again"
        )
    session.refresh(hub)
    if old != new:
        audit.record(session, who.username, "update", "hub", hub.id, old=old, new=new, reason=reason)
    return hub


def managed(session: Session, who: Principal) -> list[Hub]:
    """The hubs `who` administers: every hub for an administrator, a hub manager's own."""
    return [h for h in list_hubs(session) if manages_hub(who, h.key)]
