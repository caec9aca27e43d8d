"""Work reused across requests until the data change: rendered JSON bodies and resolved callers.

A cached item is served only while the stamp it was made at is current. Bodies about one period or
one city are stamped with that part's revision counters (`citykpi.store.stamps`), so an edit in one
city leaves every other city's cached bodies valid; callers are stamped with the data revision, which
every audited commit bumps (`citykpi.store.db`). Reading a stamp is one indexed query, against several
queries and a serialisation to rebuild a body, or a join and the user's scopes to resolve a token.
Each server process keeps its own caches.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable
from datetime import UTC, datetime
from threading import Lock
from typing import Generic, NamedTuple, TypeVar

from fastapi.responses import Response
from pydantic import BaseModel
from sqlalchemy.orm import Session

from citykpi.platform import accounts
from citykpi.platform.roles import Principal, read_scope
from citykpi.store.db import Database

T = TypeVar("T")
MAX_ENTRIES = 4096


class Memo(Generic[T]):
    """A least-recently-used cache shared by the server's threads; size 0 keeps nothing."""

    def __init__(self, size: int = MAX_ENTRIES) -> None:
        self._items: OrderedDict[Hashable, T] = OrderedDict()
        self._size = size
        self._lock = Lock()

    def get(self, key: Hashable, make: Callable[[], T]) -> T:
        """The item kept under `key`, else `make()`, kept unless it is None."""
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
                return found
        made = make()  # outside the lock: a lost race only computes the same item twice
        if made is None or not self._size:
            return made
        with self._lock:
            self._items[key] = made
            while len(self._items) > self._size:
                self._items.popitem(last=False)
        return made


def data_key(session: Session, who: Principal) -> tuple[object, ...]:
    """What decides the data `who` reads through `session`: its database, the data revision and the
    read scope. Work kept under it (with whatever else it depends on) is shared by every request
    that reads the same: the ten first views of the hub overview's filters read the same filter
    choices, each the cities its map draws, and every city's similar cities the same comparison."""
    return (session.get_bind().engine.url, Database.revision(session), read_scope(who))


class StampedCache(Memo[T]):
    """Items served only while the stamp they were made at is current."""

    def stamped(self, session: Session, key: Hashable, make: Callable[[], T], stamp: Hashable = None) -> T:
        """`stamp` versions the data `make` reads; by default the whole database's revision."""
        if not self._size:
            return make()
        return self.get((key, Database.revision(session) if stamp is None else stamp), make)


class ResponseCache(StampedCache[bytes]):
    def respond(self, session: Session, key: Hashable, build: Callable[[], BaseModel], stamp: Hashable) -> Response:
        """`key` names everything the body depends on besides the data `stamp` versions, read scope included."""
        body = self.stamped(session, key, lambda: build().model_dump_json().encode(), stamp)
        return Response(body, media_type="application/json")


class Identity(NamedTuple):
    """What a token or session cookie stands for, kept by `CallerCache`."""

    principal: Principal
    csrf: str
    expires_at: datetime | None


class CallerCache(StampedCache[Identity | None]):
    def resolve(self, session: Session, secret: str, kind: str) -> Identity | None:
        """The caller a token or session cookie stands for; revoking or deactivating changes the revision."""
        found = self.stamped(session, (kind, accounts.hash_secret(secret)), lambda: _lookup(session, secret, kind))
        if found is None or (found.expires_at is not None and found.expires_at < datetime.now(UTC)):
            return None
        return found


def _lookup(session: Session, secret: str, kind: str) -> Identity | None:
    found = accounts.resolve(session, secret, kind)
    if found is None:
        return None
    user, credential = found
    return Identity(accounts.principal(user), credential.csrf, credential.expires_at)
