"""The outbox courier: retries with a doubling wait, gives up with the reason kept, and never sends a row twice
(both databases; the webhook's receiver is a closed loopback port, so every call fails for real)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import insert, select

from citykpi.platform.mail import MailSettings
from citykpi.platform.outbox import Courier
from citykpi.store.db import Database
from citykpi.store.schema import OutboxItem, Webhook, utcnow
from live_server import free_port

NO_MAIL = MailSettings(host="", sender="")


def _queued(database: Database, channel: str, destination: str) -> int:
    with database.write() as s:
        s.execute(insert(OutboxItem), [{"channel": channel, "destination": destination, "payload": {"kind": "x"}}])
        return int(s.scalar(select(OutboxItem.id).order_by(OutboxItem.id.desc()).limit(1)) or 0)


def _row(database: Database, item_id: int) -> OutboxItem:
    with database.read() as s:
        found = s.get(OutboxItem, item_id)
        assert found is not None
        return found


def test_a_failing_webhook_is_retried_with_doubling_waits_then_given_up(database: Database) -> None:
    with database.write() as s:
        hook = Webhook(url=f"http://127.0.0.1:{free_port()}/closed", secret="s", kinds=[])
        s.add(hook)
        s.flush()
        hook_id = hook.id
    item = _queued(database, "webhook", str(hook_id))
    courier = Courier(database, NO_MAIL, retry_seconds=10, max_attempts=3, timeout=2)
    now = utcnow() + timedelta(seconds=1)
    waits = []
    for _ in range(3):
        assert courier.run_once(now) == 1
        row = _row(database, item)
        waits.append(row.next_at - now)
        assert courier.run_once(now) == 0  # not due again yet
        now = row.next_at
    row = _row(database, item)
    assert waits[:2] == [timedelta(seconds=10), timedelta(seconds=20)]
    assert (row.state, row.attempts, row.sent_at) == ("failed", 3, None)
    assert "URLError" in row.last_error and "refused" in row.last_error.lower()


def test_e_mail_without_an_smtp_server_is_given_up_at_once_with_the_reason(database: Database) -> None:
    item = _queued(database, "email", "someone@example.org")
    Courier(database, NO_MAIL).run_once(utcnow() + timedelta(seconds=1))
    row = _row(database, item)
    assert (row.state, row.attempts) == ("failed", 1)
    assert "no SMTP server is configured" in row.last_error


def test_a_row_is_claimed_by_one_courier_only(database: Database) -> None:
    item = _queued(database, "email", "someone@example.org")
    first, second = Courier(database, NO_MAIL), Courier(database, NO_MAIL)
    now = utcnow() + timedelta(seconds=1)
    assert first._claim(item, now) is not None
    assert second._claim(item, now) is None  # the lease moved next_at past now
