"""E-mail through an SMTP server, when one is configured: notifications and invitations.

Messages are not sent inside the request: they are rows of the outbox, written in the transaction
that wanted them and sent afterwards with retries (`citykpi.platform.outbox`). Without an SMTP host
nothing is queued for e-mail by the pages, and rows already queued are given up with that reason.
"""

from __future__ import annotations

import os
import smtplib
from datetime import datetime
from email.message import EmailMessage
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import insert
from sqlalchemy.orm import Session

from citykpi.store.notice_rules import SUMMARY_FIELDS, rules
from citykpi.store.schema import OutboxItem

INVITATION = "invitation"  # the outbox payload kind of an invitation, beside the notification kinds


def _env(name: str, default: str = "") -> Any:
    return Field(default_factory=lambda: os.environ.get(name, default), description=f"({name})")


class MailSettings(BaseModel):
    """SMTP settings, from CITYKPI_SMTP_* environment variables unless given."""

    host: str = _env("CITYKPI_SMTP_HOST")
    port: int = _env("CITYKPI_SMTP_PORT", "25")
    sender: str = _env("CITYKPI_SMTP_FROM")
    user: str = _env("CITYKPI_SMTP_USER")
    password: str = _env("CITYKPI_SMTP_PASSWORD")
    starttls: bool = Field(default_factory=lambda: os.environ.get("CITYKPI_SMTP_STARTTLS", "") == "1")
    timeout: float = 10.0

    @property
    def configured(self) -> bool:
        return bool(self.host and self.sender)


def compose(payload: dict[str, Any], destination: str, sender: str, public_url: str) -> EmailMessage:
    """The e-mail of an outbox row: a notification in the words of its kind, or an invitation."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = destination
    link = _absolute(str(payload.get("link", "")), public_url)
    if payload.get("kind") == INVITATION:
        message["Subject"] = "Your citykpi account"
        message.set_content(
            f"{payload.get('invited_by', 'An administrator')} invited you to citykpi as {payload.get('user', '')}.\n\n"
            f"Set your password here (the link works once, until {payload.get('expires_at', '')}):\n{link}\n"
        )
        return message
    kind = rules().kinds[str(payload["kind"])]
    values = {**dict.fromkeys(SUMMARY_FIELDS, ""), **payload["params"]}
    summary = kind.sentence(values) % values
    message["Subject"] = f"citykpi: {kind.title}"
    message.set_content(
        f"{summary}\n\n{link}\n\n"
        "You receive this because of your notification settings on citykpi; change them at "
        f"{_absolute('/notifications/settings', public_url)}\n"
    )
    return message


def _absolute(path: str, public_url: str) -> str:
    return public_url.rstrip("/") + path if path.startswith("/") and public_url else path


def send(settings: MailSettings, message: EmailMessage) -> None:
    """One SMTP conversation; raises on any refusal so that the outbox retries."""
    with smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout) as smtp:
        if settings.starttls:
            smtp.starttls()
        if settings.user:
            smtp.login(settings.user, settings.password)
        smtp.send_message(message)


def send_invitation_email(
    session: Session,
    settings: MailSettings,
    to: str,
    link: str,
    *,
    username: str,
    invited_by: str,
    expires_at: datetime,
) -> bool:
    """Queues the invitation e-mail in the caller's transaction; False (nothing queued) without SMTP.

    `link` may be a path (/invitations/...): it is made absolute with CITYKPI_PUBLIC_URL when sent.
    The outbox forgets the link once the message is sent or given up, so the one-time secret does
    not stay in the database.
    """
    if not settings.configured or not to.strip():
        return False
    payload = {
        "kind": INVITATION,
        "link": link,
        "user": username,
        "invited_by": invited_by,
        "expires_at": expires_at.isoformat(timespec="minutes"),
        "secret": True,
    }
    session.execute(insert(OutboxItem), [{"channel": "email", "destination": to.strip(), "payload": payload}])
    return True
