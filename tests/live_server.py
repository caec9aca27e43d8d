"""A server under test on a free loopback port: pick the port, then wait until /healthz answers.

Shared by the tests that start a real server (in a thread or as `citykpi serve` in a subprocess).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager

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


@contextmanager
def serving(
    db_url: str,
    launcher: Sequence[str] = ("-m", "citykpi.cli"),
    env: Mapping[str, str] | None = None,
    demo: bool = False,
) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    """`citykpi serve` in a subprocess (through `launcher`, e.g. one that pauses imports) until the block ends."""
    port = free_port()
    environment = {**os.environ, "CITYKPI_DATABASE_URL": db_url, **(env or {})}
    serve = ["serve", "--port", str(port), *([] if demo else ["--no-demo"])]
    quiet = subprocess.DEVNULL
    process = subprocess.Popen([sys.executable, *launcher, *serve], env=environment, stdout=quiet, stderr=quiet)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(base, process)
        yield process, base
    finally:
        if process.poll() is None:
            process.kill()
        process.wait()
