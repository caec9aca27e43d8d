"""E-mail and webhooks leave from the outbox after the change commits: a real SMTP server (aiosmtpd) and
a real HTTP receiver on loopback, a real citykpi server, both databases.

The receiver refuses its first call, so the webhook is delivered by a retry; its signature is
checked as a receiving system would check it.
"""

from __future__ import annotations

import hashlib
import hmac
import html
import json
import re
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

import httpx
import pytest
from web_server import CITY, YEARS, csrf_of, draft_period, running, signed_in

from citykpi.platform import mail
from citykpi.store.db import Database
from citykpi.store.schema import OutboxItem
from live_server import free_port

aiosmtpd = pytest.importorskip("aiosmtpd.controller")


class Mailbox:
    """aiosmtpd's handler: keeps every message it is given."""

    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server: object, session: object, envelope: Any) -> str:
        self.messages.append(message_from_bytes(envelope.content))
        return "250 OK"


class Receiver(BaseHTTPRequestHandler):
    calls: ClassVar[list[tuple[dict[str, str], bytes]]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        Receiver.calls.append((dict(self.headers.items()), body))
        refused = len(Receiver.calls) == 1
        self.send_response(500 if refused else 204)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def outside(module_db_url: str) -> Iterator[tuple[Mailbox, str, int]]:
    """A mailbox and a receiver per database, so that each run counts only its own messages."""
    box = Mailbox()
    Receiver.calls.clear()
    smtp_port = free_port()
    controller = aiosmtpd.Controller(box, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    receiver = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    try:
        yield box, f"http://127.0.0.1:{receiver.server_address[1]}/hook", smtp_port
    finally:
        receiver.shutdown()
        controller.stop()


@pytest.fixture(scope="module")
def base(module_db_url: str, outside: tuple[Mailbox, str, int]) -> Iterator[str]:
    settings = {
        "mail": mail.MailSettings(host="127.0.0.1", port=outside[2], sender="citykpi@example.org"),
        "outbox_seconds": 0.2,
        "outbox_retry_seconds": 0.5,
        "public_url": "https://kpi.example.org",
    }
    with running(module_db_url, cities=1, settings=settings) as url:
        yield url


def user(base: str, name: str) -> httpx.Client:
    client = signed_in(base, name)
    client.timeout = httpx.Timeout(60)  # a first page on a machine shared by many test runs can take seconds
    return client


def until(done: Callable[[], bool], what: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not done():
        assert time.monotonic() < deadline, f"waited {seconds} s for {what}"
        time.sleep(0.1)


def test_a_state_change_is_mailed_and_posted_signed_with_a_retry(base: str, outside: tuple[Mailbox, str, int]) -> None:
    box, hook_url, _port = outside
    admin = user(base, "admin")
    form = admin.get("/admin/webhooks").text
    made = admin.post("/admin/webhooks", data={"csrf_token": csrf_of(form), "url": hook_url, "kinds": "period-state"})
    assert made.status_code == 201
    secret = re.search(r'<code class="secret">([^<]+)</code>', made.text)
    assert secret is not None
    verifier = user(base, "verifier")
    choices = csrf_of(verifier.get("/notifications/settings").text)
    saved = verifier.post(
        "/notifications/settings",
        data={
            "csrf_token": choices,
            "address": "vera@example.org",
            "in_app": ["period-state"],
            "email": ["period-state"],
        },
    )
    assert saved.status_code == 303

    editor = user(base, "editor")
    period = draft_period(editor)
    page = editor.get(period).text
    version = re.search(r'name="version" value="(\d+)"', page)
    assert version is not None
    data = {"csrf_token": csrf_of(page), "target": "submitted", "version": version.group(1)}
    assert editor.post(f"{period}/transition", data=data).status_code == 303

    until(lambda: any(m["To"] == "vera@example.org" for m in box.messages), "the e-mail")
    (sent,) = [m for m in box.messages if m["To"] == "vera@example.org"]
    assert sent["From"] == "citykpi@example.org" and sent["Subject"] == "citykpi: A reporting year changed state"
    text = sent.get_payload(decode=True).decode()  # type: ignore[union-attr]
    assert f"{CITY.capitalize()} {YEARS[-1]} is now submitted (by editor)" in text
    assert f"https://kpi.example.org{period}" in text  # the public address, not the server's own

    until(lambda: len(Receiver.calls) >= 2, "the webhook's retry")
    first, second = Receiver.calls[0], Receiver.calls[1]
    assert first[1] == second[1]  # the same delivery, retried
    headers, body = second
    stamp = headers["X-Citykpi-Timestamp"]
    expected = hmac.new(secret.group(1).encode(), f"{stamp}.".encode() + body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(headers["X-Citykpi-Signature"], f"sha256={expected}")
    assert abs(int(stamp) - time.time()) < 120
    event = json.loads(body)
    assert event["kind"] == headers["X-Citykpi-Event"] == "period-state"
    assert (event["city"], event["year"], event["state"], event["actor"]) == (
        CITY.capitalize(),
        YEARS[-1],
        "submitted",
        "editor",
    )
    assert event["link"] == period and str(event["delivery"]) == headers["X-Citykpi-Delivery"]

    listing = html.unescape(admin.get("/admin/webhooks").text)
    until(lambda: "sent" in html.unescape(admin.get("/admin/webhooks").text), "the delivery shown as sent")
    assert hook_url in listing
    off = admin.post(
        re.search(r'action="(/admin/webhooks/\d+/deactivate)"', listing).group(1),  # type: ignore[union-attr]
        data={"csrf_token": csrf_of(listing)},
    )
    assert off.status_code == 303
    assert user(base, "verifier").get("/admin/webhooks").status_code == 403


def test_an_invitation_is_mailed_and_its_link_forgotten(
    base: str, module_db_url: str, outside: tuple[Mailbox, str, int]
) -> None:
    box = outside[0]
    settings = mail.MailSettings(host="127.0.0.1", port=outside[2], sender="citykpi@example.org")
    db = Database(module_db_url)
    try:
        with db.write() as session:
            expires = datetime.now(UTC) + timedelta(days=7)
            queued = mail.send_invitation_email(
                session,
                settings,
                "new@example.org",
                "/invitations/s3cr3t",
                username="newbie",
                invited_by="admin",
                expires_at=expires,
            )
            assert queued
        until(lambda: any(m["To"] == "new@example.org" for m in box.messages), "the invitation")
        (sent,) = [m for m in box.messages if m["To"] == "new@example.org"]
        assert "https://kpi.example.org/invitations/s3cr3t" in sent.get_payload(decode=True).decode()  # type: ignore[union-attr]
        with db.read() as session:
            row = session.query(OutboxItem).filter(OutboxItem.destination == "new@example.org").one()
        until(lambda: _state(db, row.id) == "sent", "the outbox row marked sent")
        with db.read() as session:
            assert "s3cr3t" not in json.dumps(session.get(OutboxItem, row.id).payload)  # type: ignore[union-attr]
        with db.write() as session:
            assert not mail.send_invitation_email(
                session,
                mail.MailSettings(host="", sender=""),
                "x@example.org",
                "/i/x",
                username="x",
                invited_by="a",
                expires_at=expires,
            )
    finally:
        db.dispose()


def _state(db: Database, item_id: int) -> str:
    with db.read() as session:
        row = session.get(OutboxItem, item_id)
        return row.state if row else ""


def test_an_invitation_made_on_the_users_page_is_mailed_with_its_link(
    base: str, outside: tuple[Mailbox, str, int]
) -> None:
    box = outside[0]
    admin = user(base, "admin")
    form = {"username": "mailed-verifier", "role": "verifier", "cities": CITY, "email": "mailed@example.org"}
    shown = admin.post("/admin/users/new", data={**form, "csrf_token": csrf_of(admin.get("/admin/users/new").text)})
    assert shown.status_code == 200 and "An e-mail with the link is on its way to mailed@example.org." in shown.text
    link = re.search(r'id="invitation-link" class="secret" value="([^"]+)"', shown.text)
    assert link is not None and link.group(1).startswith("https://kpi.example.org/invitations/ci_")
    until(lambda: any(m["To"] == "mailed@example.org" for m in box.messages), "the invitation e-mail")
    (sent,) = [m for m in box.messages if m["To"] == "mailed@example.org"]
    assert link.group(1) in sent.get_payload(decode=True).decode()  # type: ignore[union-attr]
