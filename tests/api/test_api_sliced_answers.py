"""Large answers leave the server a slice at a time and arrive whole, with their length announced.

A real uvicorn server on loopback (the path whose transport copied whole answers), with parts of
every shape a caller hands over: empty, smaller than a slice, several slices and a remainder.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

import httpx
import pytest
import uvicorn
from fastapi import FastAPI

from citykpi.http.sliced import SLICE, sliced
from live_server import free_port, wait_until

PARTS = (b'{"items":[', b"", b"x" * (SLICE // 3), bytes(range(256)) * (SLICE // 64 + 7), b"]}")


@pytest.fixture(scope="module")
def base() -> Iterator[str]:
    app = FastAPI()

    @app.get("/healthz")
    def healthz() -> dict[str, bool]:
        return {"ok": True}

    @app.get("/big")
    def big() -> object:
        return sliced(PARTS, "application/json", {"X-Next-Cursor": "abc"})

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    wait_until(lambda: server.started, "the test server did not start")
    yield url
    server.should_exit = True
    thread.join(timeout=10)


def test_an_answer_of_several_slices_arrives_whole_with_its_length_and_headers(base: str) -> None:
    expected = b"".join(PARTS)
    assert len(expected) > 4 * SLICE  # several slices and a remainder
    with httpx.Client(base_url=base, timeout=30) as client, client.stream("GET", "/big") as answer:
        received = [chunk for chunk in answer.iter_raw()]
        assert answer.headers["content-length"] == str(len(expected))
        assert "transfer-encoding" not in answer.headers  # a plain Content-Length answer, not chunked
        assert answer.headers["x-next-cursor"] == "abc" and answer.headers["content-type"] == "application/json"
    assert b"".join(received) == expected
