"""Request dependencies shared by the API and the pages: the database, a read session, path ids.

The app keeps its database, caches and settings on `app.state` (`citykpi.app.create_app`), one set
per app, so that two apps in one process (tests, workers) never share a database or a cached answer.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Annotated, TypeVar

import anyio
import anyio.to_thread
from fastapi import Depends, Path, Request
from sqlalchemy.orm import Session

from citykpi.store.db import Database

T = TypeVar("T")


async def database(request: Request) -> Database:
    # async: no I/O here, and a sync dependency would cost a hop to the thread pool on every request.
    db: Database = request.app.state.db
    return db


def reader(db: Annotated[Database, Depends(database)]) -> Iterator[Session]:
    with db.read() as session:
        yield session


async def read_in_thread(request: Request, work: Callable[[Session], T]) -> T:
    """`work(session)` in one worker thread with a read session, for the most read pages and endpoints.

    Each sync dependency or endpoint costs FastAPI a trip to the thread pool and back; `Reader` plus
    `Caller` plus a sync endpoint make four per request, which on a cached answer cost more than the
    answer itself (measured: one trip serves ~40 % more cached requests per second). These reads run
    on a few threads of their own (`Settings.read_threads`): building uncached answers is Python work
    that holds the GIL, and the default pool's 40 threads taking turns at it served fewer requests
    than 4 did, while
    slow work elsewhere (PDFs, imports) keeps the default pool and cannot hold these reads up.
    `work` resolves the caller itself (`citykpi.http.callers.resolve_caller`); what it raises is mapped as usual.
    """

    def run() -> T:
        with request.app.state.db.read() as session:
            return work(session)

    limiter: anyio.CapacityLimiter = request.app.state.read_limiter
    return await anyio.to_thread.run_sync(run, limiter=limiter)


Reader = Annotated[Session, Depends(reader)]
Db = Annotated[Database, Depends(database)]

# Row ids are 32-bit integers in both databases; larger path values are refused as invalid (422)
# rather than reaching the driver, which cannot bind them.
Id = Annotated[int, Path(ge=1, le=2_147_483_647)]
