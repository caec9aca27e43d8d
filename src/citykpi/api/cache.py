"""Work reused across requests until the data change: rendered JSON bodies and resolved callers.

Every transaction that changes audited data bumps the data revision (see `citykpi.store.db`), so a
cached item is served only while the revision it was made at is current: one primary-key read per
request replaces rebuilding a body (several queries and a serialisation) and resolving a credential
(a join and the user's scopes). Each server process keeps its own caches.
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
from citykpi.platform.roles import Principal
from citykpi.store.db import Database

T = TypeVar("T")
MAX_ENTRIES = 4096


class RevisionCache(Generic[T]):
    """Least-recently-used items, each valid at the data revision it was made at."""

    def __init__(self, size: int = MAX_ENTRIES) -> None:
        self._items: OrderedDict[Hashable, T] = OrderedDict()
        self._size = size
        self._lock = Lock()

    def get(self, session: Session, key: Hashable, make: Callable[[], T]) -> T:
        if not self._size:
            return make()
        full_key = (key, Database.revision(session))
        with self._lock:
            found = self._items.get(full_key)
            if found is not None:
                self._items.move_to_end(full_key)
                return found
        made = make()  # outside the lock: a lost race only computes the same item twice
        if made is None:
            return made
        with self._lock:
            self._items[full_key] = made
            while len(self._items) > self._size:
                self._items.popitem(last=False)
        return made


class ResponseCache(RevisionCache[bytes]):
    def respond(self, session: Session, key: Hashable, build: Callable[[], BaseModel]) -> Response:
        """`key` must name everything the body depends on besides the data, the caller's read scope included."""
        return Response(
            self.get(session, key, lambda: build().model_dump_json().encode()), media_type="application/json"
        )


class Caller(NamedTuple):
    principal: Principal
    csrf: str
    expires_at: datetime | None


class CallerCache(RevisionCache[Caller | None]):
    def resolve(self, session: Session, secret: str, kind: str) -> Caller | None:
        """The caller a token or session cookie stands for; revoking or deactivating changes the revision."""
        found = self.get(session, (kind, accounts.hash_secret(secret)), lambda: _lookup(session, secret, kind))
        if found is None or (found.expires_at is not None and found.expires_at < datetime.now(UTC)):
            return None
        return found


def _lookup(session: Session, secret: str, kind: str) -> Caller | None:
    found = accounts.resolve(session, secret, kind)
    if found is None:
        return None
    user, credential = found
    return Caller(accounts.principal(user), credential.csrf, accounts.expiry(credential))
