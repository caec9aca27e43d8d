"""A real `citykpi serve` in a subprocess on a free port, for the tests that kill it or try to crash it."""

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
CLI = ["-m", "citykpi.cli"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serving(
    db_url: str, launcher: Sequence[str] = CLI, env: Mapping[str, str] | None = None, demo: bool = False
) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    """`citykpi serve` (through `launcher`, e.g. one that pauses imports) until the block ends."""
    port = free_port()
    environment = {**os.environ, "CITYKPI_DATABASE_URL": db_url, **(env or {})}
    serve = ["serve", "--port", str(port), *([] if demo else ["--no-demo"])]
    quiet = subprocess.DEVNULL
    process = subprocess.Popen([sys.executable, *launcher, *serve], env=environment, stdout=quiet, stderr=quiet)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: healthy(base), process, "the server did not start")
        yield process, base
    finally:
        if process.poll() is None:
            process.kill()
        process.wait()


def wait_for(done: Callable[[], bool], process: subprocess.Popen[bytes], failure: str) -> None:
    deadline = time.monotonic() + START_SECONDS
    while not done():
        if time.monotonic() > deadline or process.poll() is not None:
            pytest.fail(failure)
        time.sleep(0.1)


def healthy(base: str) -> bool:
    try:
        return httpx.get(f"{base}/healthz", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False
