"""A real uvicorn server on a free loopback port, on a scratch SQLite or PostgreSQL database with demo data."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import httpx
import uvicorn

from citykpi.app import create_app
from citykpi.demo.cities import CITIES
from citykpi.http.settings import Settings
from citykpi.platform.cities import slugify
from citykpi.platform.demo import load_demo
from citykpi.store.db import Database
from database_urls import far_from_utc
from live_server import free_port, wait_healthy

CITY = slugify(CITIES[0].name)
YEARS = (2023, 2024)  # the first is published by the demo loader, the second stays a draft


@contextmanager
def running(
    database_url: str,
    cities: int = 2,
    prepare: Callable[[Database], object] | None = None,
    settings: Mapping[str, Any] | None = None,
) -> Iterator[str]:
    """The demo cities, then whatever `prepare` adds to the database, served until the block ends."""
    app = create_app(Settings(database_url=far_from_utc(database_url), **(settings or {})))
    load_demo(app.state.db, specs=CITIES[:cities], years=YEARS)
    if prepare is not None:
        prepare(app.state.db)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(base)
        yield base
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        app.state.db.dispose()


def signed_in(base: str, user: str, lang: str = "en") -> httpx.Client:
    """A browser-like client signed in as a demo account (password `<name>-demo-pass`), pages in `lang`."""
    # An upload's answer reads, checks and marks a whole workbook: seconds on a loaded shared machine.
    client = httpx.Client(base_url=base, cookies={"lang": lang}, timeout=120)
    form = {"username": user, "password": f"{user}-demo-pass", "next": "/queue"}
    answer = client.post("/signin", data={**form, "csrf_token": csrf_of(client.get("/signin").text)})
    assert answer.status_code == 303 and answer.headers["location"] == "/queue"
    return client


def csrf_of(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found is not None
    return found.group(1)


def draft_period(client: httpx.Client) -> str:
    """The page address of the first demo city's last year, which the demo leaves a draft."""
    found = re.search(r'href="(/periods/\d+)"', client.get(f"/cities/{CITY}?year={YEARS[-1]}").text)
    assert found is not None
    return found.group(1)
