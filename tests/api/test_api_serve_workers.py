"""`citykpi serve --workers 2`: worker processes on one socket answer, and Ctrl-C ends them all."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx

from live_server import free_port, wait_healthy


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
