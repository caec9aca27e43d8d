"""A real uvicorn server on a free loopback port, on a scratch SQLite or PostgreSQL database with demo data."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import uvicorn
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from citykpi.api.app import create_app
from citykpi.api.settings import Settings
from citykpi.demo.cities import CITIES
from citykpi.platform.cities import slugify
from citykpi.platform.demo import load_demo

CITY = slugify(CITIES[0].name)
YEARS = (2023, 2024)  # the first is published by the demo loader, the second stays a draft
FAR_ZONE = "Pacific/Auckland"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def far_from_utc(database_url: str) -> None:
    """Put a PostgreSQL database in a time zone far from UTC, as a server set to local time would be.

    PostgreSQL hands timestamps back in the session's zone while SQLite hands back what was written
    (UTC), so only a non-UTC session shows whether pages convert the times they print.
    """
    url = make_url(database_url)
    if url.get_backend_name() != "postgresql":
        return
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text(f"ALTER DATABASE \"{url.database}\" SET timezone TO '{FAR_ZONE}'"))
    engine.dispose()


@contextmanager
def running(database_url: str, cities: int = 2) -> Iterator[str]:
    far_from_utc(database_url)
    app = create_app(Settings(database_url=database_url))
    load_demo(app.state.db, specs=CITIES[:cities], years=YEARS)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                break
        except httpx.TransportError:
            time.sleep(0.05)
    try:
        yield base
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        app.state.db.dispose()
