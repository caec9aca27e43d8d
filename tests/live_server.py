"""A server under test on a free loopback port: pick the port, then wait until /healthz answers.

Shared by the tests that start a real server (in a thread or as `citykpi serve` in a subprocess).
"""

from __future__ import annotations

import socket
import subprocess
import time
from collections.abc import Callable

import httpx
import pytest

START_SECONDS = 180  # a loaded CI machine can take long to import the app


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def healthy(base: str) -> bool:
    try:
        return httpx.get(f"{base}/healthz", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def wait_until(done: Callable[[], bool], failure: str, process: subprocess.Popen[bytes] | None = None) -> None:
    """Polls `done()` until true; fails the test after START_SECONDS or when `process` has ended."""
    deadline = time.monotonic() + START_SECONDS
    while not done():
        if time.monotonic() > deadline or (process is not None and process.poll() is not None):
            pytest.fail(failure)
        time.sleep(0.05)


def wait_healthy(base: str, process: subprocess.Popen[bytes] | None = None) -> None:
    wait_until(lambda: healthy(base), f"the server at {base} did not start", process)
