"""Work a server process repeats in a thread of its own while it runs: sending the outbox, keeping
the open-data files current. Each is a dataclass with the fields below and a `run_once`."""

from __future__ import annotations

import logging
import threading

log = logging.getLogger(__name__)


class Periodic:
    """Calls `run_once` every `interval` seconds in a daemon thread until `stop`; a failure (the
    database away for a moment) is logged and the work tried again at the next tick."""

    thread_name = "citykpi-periodic"
    interval: float
    _stop: threading.Event
    _thread: threading.Thread | None

    @property
    def join_seconds(self) -> float:
        """How long `stop` waits for a tick under way to end."""
        return 30.0

    def run_once(self) -> object:
        raise NotImplementedError

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name=self.thread_name, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=self.join_seconds)

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.run_once()
            except Exception:
                log.exception("%s failed; trying again in %s s", self.thread_name, self.interval)
