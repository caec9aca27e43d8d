"""`citykpi serve --workers 2`: worker processes on one socket answer, and Ctrl-C ends them all; a
served app's start-up heap is set aside from the garbage collector."""

from __future__ import annotations

import gc
import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx

from citykpi.app import create_app
from citykpi.cli.serve import settled
from citykpi.http.settings import Settings
from live_server import free_port, wait_healthy


def test_a_served_app_leaves_what_start_up_built_out_of_the_collectors_passes(tmp_path: Path) -> None:
    app = create_app(Settings(database_url=f"sqlite:///{tmp_path / 'served.db'}"))
    assert gc.get_freeze_count() == 0
    try:
        assert settled(app) is app
        assert gc.get_freeze_count() > 10_000  # modules, routes, the catalogue, compiled templates
    finally:
        gc.unfreeze()  # this test process goes on to build other apps


def test_two_workers_serve_kept_alive_connections_and_stop_on_ctrl_c(tmp_path: Path) -> None:
    port = free_port()
    command = [sys.executable, "-m", "citykpi.cli", "serve", "--no-demo", "--workers", "2", "--port", str(port)]
    env = {**os.environ, "CITYKPI_DATABASE_URL": f"sqlite:///{tmp_path / 'w.db'}"}
    server = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        base = f"http://127.0.0.1:{port}"
        wait_healthy(base, server)
        with httpx.Client(base_url=base, timeout=5) as client:
            answers = [client.get("/api/v1/catalogue").status_code for _ in range(5)]  # one kept-alive connection
        assert answers == [200] * 5
    finally:
        server.send_signal(signal.SIGINT)
        output = server.communicate(timeout=30)[0].decode()
    assert server.returncode == 0, output
    assert "Traceback" not in output
