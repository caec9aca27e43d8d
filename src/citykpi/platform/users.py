"""Administering accounts: who may invite whom, roles and scopes, deactivation.

An administrator manages every account. A hub manager manages the city teams of the hub's cities:
city editors and verifiers whose every city lies in one of their hubs; they cannot make
administrators, viewers (who read every city) or other hub managers. Every change is audited with
its old and new values; deactivating a user revokes their sessions and API tokens and ends their
open invitation links, so nothing of theirs keeps working, even after a later reactivation.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from citykpi.model.diagnostics import Diagnostic, Location, said
from citykpi.platform import invitations
from citykpi.platform.accounts import UserFields, new_user, scopes_of
from citykpi.platform.errors import Conflict, Forbidden, Invalid, NotFound
from citykpi.platform.roles import Principal, Role
from citykpi.store import audit
from citykpi.store.schema import City, Credential, Invitation, User

HUB_TEAM = (Role.CITY_EDITOR, Role.VERIFIER)  # the roles a hub manager gives


def _hubs_of(session: Session, slugs: Iterable[str]) -> set[str]:
    return set(session.scalars(select(City.hub).where(City.slug.in_(list(slugs)))).all())


def slugs_of(session: Session, user: User) -> list[str]:
    ids = [s.city_id for s in user.scopes if s.city_id is not None]
    return sorted(session.scalars(select(City.slug).where(City.id.in_(ids))).all()) if ids else []


def fields_of(session: Session, user: User) -> UserFields:
    hubs = tuple(sorted(s.hub for s in user.scopes if s.hub is not None))
    return UserFields(
        user.username, Role(user.role), tuple(slugs_of(session, user)), hubs, user.display_name, user.active
    )


def _may_give(session: Session, who: Principal, record: UserFields) -> list[Diagnostic]:
    """What of `record` the caller may not give: nothing for an administrator."""
    if who.role is Role.ADMIN:
        return []
    if who.role is not Role.HUB_MANAGER:
        raise Forbidden.said("may-not-administer", "only an administrator or a hub manager manages users")
    problems = []
    if record.role not in HUB_TEAM:
        template = "a hub manager gives the roles city editor and verifier, not {role}"
        problems.append(
            said(
                "role-not-allowed",
                template,
                {"role": record.role.value},
                variant="role",
                location=Location(field="role"),
            )
        )
    if record.hubs:
        problems.append(
            said("role-not-allowed", "a hub manager gives no hub", {}, variant="hubs", location=Location(field="hubs"))
        )
    if not record.cities:
        template = "give at least one city of your hubs"
        problems.append(said("role-not-allowed", template, {}, variant="no-city", location=Location(field="cities")))
    outside = sorted(_hubs_of(session, record.cities) - who.hubs)
    if outside:
        template = "the cities must belong to your hubs; these belong to {hubs}"
        params = {"hubs": ", ".join(h or "no hub" for h in outside)}
        problems.append(said("role-not-allowed", template, params, variant="cities", location=Location(field="cities")))
    return problems


def may_manage(session: Session, who: Principal, user: User) -> bool:
    return (
        not _may_give(session, who, fields_of(session, user)) if who.role in (Role.ADMIN, Role.HUB_MANAGER) else False
    )


def visible(session: Session, who: Principal) -> list[User]:
    """The accounts the caller manages, by user name."""
    if who.role not in (Role.ADMIN, Role.HUB_MANAGER):
        raise Forbidden.said("may-not-administer", "only an administrator or a hub manager manages users")
    users = session.scalars(select(User).order_by(User.username)).all()
    return [u for u in users if may_manage(session, who, u)]


def get_user(session: Session, who: Principal, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None or not may_manage(session, who, user):
        raise NotFound.said("user", "no user {user!r}", user=user_id)
    return user


def invite(session: Session, who: Principal, record: UserFields, email: str = "") -> tuple[str, User, Invitation]:
    """A new account without a password and the secret of its one-time link (shown once, to pass on)."""
    problems = _may_give(session, who, record)
    user = new_user(session, who.username, record, "", problems)  # "" is no argon2 hash: no password signs in
    secret, invitation = invitations.make(session, who.username, user, email)
    return secret, user, invitation


def fingerprint(session: Session, user: User) -> str:
    """Stands for the account's current fields in a form, so that a form loaded before a change is refused."""
    shown = json.dumps(_shown(fields_of(session, user)), sort_keys=True)
    return hashlib.sha256(shown.encode()).hexdigest()[:16]


def update_user(session: Session, who: Principal, user: User, seen: str, record: UserFields, reason: str = "") -> User:
    """Role, scopes, display name and active flag; `seen` is the `fingerprint` the form was loaded with."""
    before = fields_of(session, user)
    if fingerprint(session, user) != seen:
        raise Conflict.said(
            "stale-record", "someone changed this record since you loaded it; reload the page and try again"
        )
    if not may_manage(session, who, user):
        raise NotFound.said("user", "no user {user!r}", user=user.id)
    record = UserFields(user.username, record.role, record.cities, record.hubs, record.display_name, record.active)
    scopes, problems = scopes_of(session, record)
    problems += _may_give(session, who, record)
    if user.id == who.user_id and (record.role != before.role or not record.active):
        template = "you cannot change your own role or deactivate yourself; ask another administrator"
        problems.append(said("role-not-allowed", template, {}, variant="self", location=Location(field="role")))
    if problems:
        raise Invalid.of(problems, "cannot change user {user!r}", "user", user=user.username)
    old, new = _shown(before), _shown(record)
    if old == new:
        return user
    user.role, user.display_name, user.active = record.role.value, record.display_name or user.username, record.active
    user.scopes = scopes
    action = "update"
    if before.active and not record.active:
        action = "deactivate"
        _cut_off(session, user.id)
    elif record.active and not before.active:
        action = "activate"
    session.flush()
    changed = sorted(k for k in new if old[k] != new[k])
    audit.record(
        session,
        who.username,
        action,
        "user",
        user.id,
        old={k: old[k] for k in changed},
        new={k: new[k] for k in changed},
        reason=reason,
    )
    return user


def _shown(record: UserFields) -> dict[str, object]:
    return {
        "role": record.role.value,
        "cities": sorted(record.cities),
        "hubs": sorted(record.hubs),
        "display_name": record.display_name,
        "active": record.active,
    }


def _cut_off(session: Session, user_id: int) -> None:
    """Every session and token of the user revoked, every open link ended."""
    session.execute(
        update(Credential).where(Credential.user_id == user_id, Credential.revoked.is_(False)).values(revoked=True)
    )
    invitations.withdraw(session, user_id)


def reinvite(session: Session, who: Principal, user: User) -> tuple[str, Invitation]:
    """A fresh link for a user who lost theirs or let it expire (their older links end), to the same address."""
    if not may_manage(session, who, user):
        raise NotFound.said("user", "no user {user!r}", user=user.id)
    if not user.active:
        raise Conflict.said("inactive-user", "{user!r} is deactivated; activate the account first", user=user.username)
    earlier = session.scalar(
        select(Invitation.email).where(Invitation.user_id == user.id).order_by(Invitation.id.desc())
    )
    invitations.withdraw(session, user.id)
    return invitations.make(session, who.username, user, earlier or "")
