"""Bringing a database to life: the built-in framework, and the demo accounts of `citykpi serve`.

Demo passwords are printed by `citykpi serve` and documented; they exist only in databases created
with demo data and are meant for a laptop, never for a server reachable by others.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, defer

from citykpi.framework.catalogue import Catalogue
from citykpi.platform import accounts, catalogues
from citykpi.platform.roles import Role
from citykpi.store.schema import Framework, User


def ensure_framework(session: Session) -> Framework:
    """The built-in framework's row, stored on first use.

    Looked up without its document (some 200 kB of JSON): callers get the parsed catalogue from the
    per-process cache of `catalogues.catalogue_of`, and the demo loader asks for the row per period.
    """
    framework = Catalogue.load().frameworks[0]
    row = session.scalar(
        select(Framework)
        .options(defer(Framework.document))
        .where(Framework.key == framework.id, Framework.version == framework.version)
    )
    return row if row is not None else catalogues.register(session, framework)


@dataclass(frozen=True)
class DemoAccount:
    username: str
    password: str
    role: Role
    cities: tuple[str, ...] = ()
    hubs: tuple[str, ...] = ()


def demo_accounts(first_city: str, hub: str) -> list[DemoAccount]:
    return [
        DemoAccount("admin", "admin-demo-pass", Role.ADMIN),
        DemoAccount("hub", "hub-demo-pass", Role.HUB_MANAGER, hubs=(hub,)),
        DemoAccount("editor", "editor-demo-pass", Role.CITY_EDITOR, cities=(first_city,)),
        DemoAccount("verifier", "verifier-demo-pass", Role.VERIFIER, cities=(first_city,)),
        DemoAccount("viewer", "viewer-demo-pass", Role.VIEWER),
    ]


def ensure_accounts(session: Session, wanted: list[DemoAccount]) -> list[DemoAccount]:
    """Create the accounts that do not exist yet; returns those created."""
    created = []
    for account in wanted:
        if session.scalar(select(User.id).where(User.username == account.username)) is None:
            accounts.create_user(
                session,
                account.username,
                account.password,
                account.role,
                cities=account.cities,
                hubs=account.hubs,
            )
            created.append(account)
    return created
