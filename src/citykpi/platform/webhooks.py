"""Outgoing webhooks: other systems told of every notification event by a signed POST.

An administrator registers a URL and the kinds it wants; the platform makes a secret shown once.
Each delivery is a JSON body with three headers: `X-Citykpi-Event` (the kind), `X-Citykpi-Timestamp`
(Unix seconds) and `X-Citykpi-Signature: sha256=<hex>`, the HMAC-SHA256 with the secret of
`<timestamp>.<body>`. A receiver recomputes it and refuses old timestamps, so a captured call
cannot be replayed later (the scheme of Stripe's and GitHub's webhooks). Deliveries leave from the
outbox with retries (`citykpi.platform.outbox`).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import urllib.request
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from citykpi.model.diagnostics import error
from citykpi.platform.errors import Forbidden, Invalid, NotFound, Unauthenticated
from citykpi.platform.roles import Action, Principal, can
from citykpi.platform.texts import check_texts
from citykpi.store import audit
from citykpi.store.notice_rules import rules
from citykpi.store.schema import OutboxItem, Webhook

SIGNATURE = "X-Citykpi-Signature"
TIMESTAMP = "X-Citykpi-Timestamp"
EVENT = "X-Citykpi-Event"
DELIVERY = "X-Citykpi-Delivery"
MAX_URL = 500


def signature(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"sha256={mac.hexdigest()}"


def post(url: str, secret: str, body: bytes, *, kind: str, delivery: int, timestamp: int, timeout: float) -> None:
    """One POST; raises on a refusal (any status but 2xx) or a network error, so the outbox retries."""
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "citykpi-webhooks",
        EVENT: kind,
        DELIVERY: str(delivery),
        TIMESTAMP: str(timestamp),
        SIGNATURE: signature(secret, timestamp, body),
    }
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    with urllib.request.urlopen(request, timeout=timeout) as answer:  # http(s) only: checked at creation
        answer.read()


def _administrator(who: Principal) -> None:
    if who.is_public:
        raise Unauthenticated("sign in to manage webhooks")
    if not can(who, Action.ADMINISTER):
        template = "{role} {user!r} may not manage webhooks"
        raise Forbidden.said("may-not-manage-webhooks", template, role=who.role.value, user=who.username)


def create(session: Session, who: Principal, url: str, kinds: list[str]) -> tuple[Webhook, str]:
    """(the webhook, its secret: shown once to the administrator, who gives it to the receiver)."""
    _administrator(who)
    url = url.strip()
    check_texts({"url": url})
    parts = urlsplit(url)
    problems = []
    if parts.scheme not in ("http", "https") or not parts.netloc or len(url) > MAX_URL:
        problems.append(error("invalid-webhook", f"{url[:80]!r} is not an http(s) address", field="url"))
    unknown = sorted(set(kinds) - set(rules().kinds))
    if unknown:
        problems.append(error("unknown-kind", f"no notification kind {unknown[0]!r}", field="kinds"))
    if problems:
        raise Invalid.of(problems, "invalid webhook")
    secret = secrets.token_urlsafe(32)
    hook = Webhook(url=url, secret=secret, kinds=sorted(kinds), created_by=who.username)
    session.add(hook)
    session.flush()
    audit.record(session, who.username, "create", "webhook", hook.id, new={"url": url, "kinds": hook.kinds})
    return hook, secret


def deactivate(session: Session, who: Principal, webhook_id: int) -> None:
    _administrator(who)
    hook = session.get(Webhook, webhook_id)
    if hook is None:
        raise NotFound.said("webhook", "no webhook {id}", id=webhook_id)
    if hook.active:
        hook.active = False
        audit.record(
            session, who.username, "deactivate", "webhook", hook.id, old={"active": True}, new={"active": False}
        )


def listed(session: Session, who: Principal) -> list[tuple[Webhook, list[OutboxItem]]]:
    """Every webhook with its latest deliveries (newest first), for the administrator's page."""
    _administrator(who)
    hooks = session.scalars(select(Webhook).order_by(Webhook.id)).all()
    out = []
    for hook in hooks:
        recent = session.scalars(
            select(OutboxItem)
            .where(OutboxItem.channel == "webhook", OutboxItem.destination == str(hook.id))
            .order_by(OutboxItem.id.desc())
            .limit(10)
        ).all()
        out.append((hook, list(recent)))
    return out
