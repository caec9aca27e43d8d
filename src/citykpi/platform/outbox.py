"""Sending the outbox: e-mails and webhook calls, after the transaction that queued them, with retries.

Rows are written by the transaction that wanted them (`citykpi.store.inbox`, `mail.send_invitation_email`),
so a message exists exactly when its change was committed. A courier thread in each server process
claims due rows one at a time (a conditional UPDATE, so two processes never send one row), sends it
with no transaction open, and records the outcome: sent, or retried after 1, 2, 4 ... times
`retry_seconds`, and given up ("failed", with the last error kept) after `max_attempts`.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update

from citykpi.platform import mail, webhooks
from citykpi.platform.periodic import Periodic
from citykpi.store.db import Database
from citykpi.store.schema import OutboxItem, Webhook, utcnow

BATCH = 50
LEASE = timedelta(minutes=2)  # a claimed row waits this long before another process may try it
MAX_BACKOFF = timedelta(hours=6)
MAX_ERROR = 500


class GiveUp(Exception):
    """A row that no retry can send (its webhook was removed, no SMTP server is configured)."""


@dataclass
class Courier(Periodic):
    thread_name = "citykpi-outbox"
    db: Database
    mail: mail.MailSettings
    public_url: str = ""
    interval: float = 2.0
    retry_seconds: float = 30.0
    max_attempts: int = 8
    timeout: float = 10.0
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    @property
    def join_seconds(self) -> float:
        return self.timeout + 5

    def run_once(self, now: datetime | None = None) -> int:
        """Sends every row due at `now`; how many were tried."""
        now = now or utcnow()
        with self.db.read() as session:
            due = session.scalars(
                select(OutboxItem.id)
                .where(OutboxItem.state == "pending", OutboxItem.next_at <= now)
                .order_by(OutboxItem.id)
                .limit(BATCH)
            ).all()
        tried = 0
        for item_id in due:
            claimed = self._claim(item_id, now)
            if claimed is None:
                continue
            tried += 1
            try:
                self._send(*claimed)
            except GiveUp as exc:
                self._settle(item_id, "failed", str(exc), claimed[4])
            except Exception as exc:  # every failure of a send is retried: network, refusal, timeout
                attempts = claimed[3]
                if attempts >= self.max_attempts:
                    self._settle(item_id, "failed", _said(exc), claimed[4])
                else:
                    self._retry(item_id, _said(exc), now + self.backoff(attempts))
            else:
                self._settle(item_id, "sent", "", claimed[4])
        return tried

    def backoff(self, attempts: int) -> timedelta:
        return min(timedelta(seconds=self.retry_seconds * 2 ** (attempts - 1)), MAX_BACKOFF)

    def _claim(self, item_id: int, now: datetime) -> tuple[int, str, str, int, dict[str, Any]] | None:
        with self.db.write() as session:
            taken = session.execute(
                update(OutboxItem)
                .where(OutboxItem.id == item_id, OutboxItem.state == "pending", OutboxItem.next_at <= now)
                .values(attempts=OutboxItem.attempts + 1, next_at=now + LEASE)
            )
            if taken.rowcount != 1:  # type: ignore[attr-defined]
                return None  # another process took it
            row = session.get(OutboxItem, item_id)
            assert row is not None
            return row.id, row.channel, row.destination, row.attempts, dict(row.payload)

    def _send(self, item_id: int, channel: str, destination: str, _attempts: int, payload: dict[str, Any]) -> None:
        if channel == "email":
            if not self.mail.configured:
                raise GiveUp("no SMTP server is configured (CITYKPI_SMTP_HOST, CITYKPI_SMTP_FROM)")
            mail.send(self.mail, mail.compose(payload, destination, self.mail.sender, self.public_url))
            return
        with self.db.read() as session:
            hook = session.get(Webhook, int(destination))
            url, secret, active = (hook.url, hook.secret, hook.active) if hook else ("", "", False)
        if not active:
            raise GiveUp("the webhook was deactivated")
        body = json.dumps({"delivery": item_id, **payload}, sort_keys=True).encode()
        kind = str(payload.get("kind", ""))
        webhooks.post(url, secret, body, kind=kind, delivery=item_id, timestamp=int(time.time()), timeout=self.timeout)

    def _settle(self, item_id: int, state: str, problem: str, payload: dict[str, Any]) -> None:
        values: dict[str, Any] = {"state": state, "last_error": problem[:MAX_ERROR]}
        if state == "sent":
            values["sent_at"] = utcnow()
        if payload.get("secret"):  # an invitation's one-time link is not kept once it is out of our hands
            values["payload"] = {"kind": payload.get("kind"), "user": payload.get("user"), "link": "(removed)"}
        with self.db.write() as session:
            session.execute(update(OutboxItem).where(OutboxItem.id == item_id).values(**values))

    def _retry(self, item_id: int, problem: str, at: datetime) -> None:
        with self.db.write() as session:
            retry = (
                update(OutboxItem).where(OutboxItem.id == item_id).values(next_at=at, last_error=problem[:MAX_ERROR])
            )
            session.execute(retry)


def _said(exc: Exception) -> str:
    return f"{type(exc).__name__}: {exc}"
