"""Who may do what.

The role set follows the issue: administrator, hub manager (the cities of a hub), city editor (own
city), verifier (assigned cities), viewer (reads every city, changes nothing) and the anonymous
public (published periods only). Rules are a pure function of a `Principal` and a city, so that the
API, the pages and the tests ask the same question the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"
    HUB_MANAGER = "hub_manager"
    CITY_EDITOR = "city_editor"
    VERIFIER = "verifier"
    VIEWER = "viewer"
    PUBLIC = "public"


class Action(StrEnum):
    READ = "read"  # unpublished periods, values, threads, audit
    EDIT = "edit"  # values, imports, submitting a period and answering queries
    VERIFY = "verify"  # start verification, raise queries, accept or reject
    MANAGE = "manage"  # create cities and periods, targets, publish
    ADMINISTER = "administer"  # users and every city


ALLOWED: dict[Role, frozenset[Action]] = {
    Role.ADMIN: frozenset(Action),
    Role.HUB_MANAGER: frozenset({Action.READ, Action.MANAGE}),
    Role.CITY_EDITOR: frozenset({Action.READ, Action.EDIT}),
    Role.VERIFIER: frozenset({Action.READ, Action.VERIFY}),
    Role.VIEWER: frozenset({Action.READ}),
    Role.PUBLIC: frozenset(),
}


@dataclass(frozen=True)
class Principal:
    """The caller of a request, with the cities (by id) and hubs its role is limited to."""

    username: str
    role: Role
    user_id: int | None = None
    cities: frozenset[int] = field(default_factory=frozenset)
    hubs: frozenset[str] = field(default_factory=frozenset)

    @property
    def is_public(self) -> bool:
        return self.role is Role.PUBLIC


PUBLIC = Principal(username="public", role=Role.PUBLIC)


def read_scope(who: Principal) -> tuple[object, ...]:
    """What decides which periods `who` sees: callers with equal scopes see exactly the same data.

    Shared caches of rendered responses key on it (see `in_scope` and `can`, which it must follow).
    """
    if Action.READ not in ALLOWED[who.role]:
        return ("published",)
    if who.role in (Role.ADMIN, Role.VIEWER):
        return ("all",)
    if who.role is Role.HUB_MANAGER:
        return ("hubs", who.hubs)
    return ("cities", who.cities)


def in_scope(who: Principal, city_id: int, hub: str) -> bool:
    if who.role in (Role.ADMIN, Role.VIEWER):
        return True
    if who.role is Role.HUB_MANAGER:
        return hub in who.hubs
    if who.role in (Role.CITY_EDITOR, Role.VERIFIER):
        return city_id in who.cities
    return False


def can(who: Principal, action: Action, city_id: int | None = None, hub: str = "") -> bool:
    """May `who` do `action`, on the given city when the action concerns one?"""
    if action not in ALLOWED[who.role]:
        return False
    return city_id is None or in_scope(who, city_id, hub)


def manages_hub(who: Principal, hub: str) -> bool:
    """May `who` administer the hub's records (its cities, reporting years and city users)?

    An administrator manages every hub; a hub manager only the hubs of their scope, never "no hub".
    """
    if who.role is Role.ADMIN:
        return True
    return who.role is Role.HUB_MANAGER and bool(hub) and hub in who.hubs
