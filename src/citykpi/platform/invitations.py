"""One-time links that let an invited user set their own password.

Nobody ever types or sends a password for someone else: the administrator (or hub manager) gets a
link to pass on, the notifications send it by e-mail where an address is known. Only the link's
SHA-256 is stored, with an expiry, and the first use ends it, as it ends every other link of the
user.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from citykpi.model.diagnostics import Location, said
from citykpi.platform import fields
from citykpi.platform.accounts import HASHER, hash_secret, password_problems
from citykpi.platform.errors import Invalid, NotFound
from citykpi.store import audit
from citykpi.store.schema import Invitation, User

TTL = timedelta(days=7)
PATH = "/invitations/"  # the page that takes the link's secret (citykpi.web.user_pages)


def make(session: Session, actor: str, user: User, email: str = "", ttl: timedelta = TTL) -> tuple[str, Invitation]:
    """A new link's secret (returned only here) and its record; audited as `invite`."""
    problems = fields.texts({"email": (email, 254)})
    if problems:
        raise Invalid.of(problems, "the invitation is not valid", "invitation")
    secret = "ci_" + secrets.token_urlsafe(32)
    expires = datetime.now(UTC) + ttl
    invitation = Invitation(
        user_id=user.id, secret_hash=hash_secret(secret), email=email.strip(), created_by=actor, expires_at=expires
    )
    session.add(invitation)
    session.flush()
    new = {"email": invitation.email, "expires_at": expires.isoformat(timespec="seconds")}
    audit.record(session, actor, "invite", "user", user.id, new=new)
    return secret, invitation


def pending(session: Session, user_ids: Iterable[int]) -> dict[int, Invitation]:
    """The newest open invitation of each user that has one."""
    rows = session.scalars(
        select(Invitation)
        .where(Invitation.user_id.in_(list(user_ids)), Invitation.used_at.is_(None))
        .where(Invitation.expires_at > datetime.now(UTC))
        .order_by(Invitation.id)
    ).all()
    return {row.user_id: row for row in rows}


def _open(session: Session, secret: str) -> tuple[Invitation, User] | None:
    found = session.execute(
        select(Invitation, User)
        .join(User, User.id == Invitation.user_id)
        .where(Invitation.secret_hash == hash_secret(secret))
    ).first()
    if found is None:
        return None
    invitation, user = found
    if invitation.used_at is not None or invitation.expires_at < datetime.now(UTC) or not user.active:
        return None
    return invitation, user


def holder(session: Session, secret: str) -> User:
    """The user the link invites; `NotFound` when it is unknown, used, expired or the user deactivated."""
    found = _open(session, secret)
    if found is None:
        raise _refused()
    return found[1]


def _refused() -> NotFound:
    return NotFound.said("invitation", "this invitation link is unknown, used or expired; ask for a new one")


def accept(session: Session, secret: str, password: str, repeated: str) -> User:
    """Sets the password the invited user chose and ends every open link of theirs (audited)."""
    found = _open(session, secret)
    if found is None:
        raise _refused()
    invitation, user = found
    problems = password_problems(password)
    if not problems and password != repeated:
        template = "the two passwords differ; type the same one twice"
        problems.append(said("weak-password", template, {}, variant="repeat", location=Location(field="repeat")))
    if problems:
        raise Invalid.of(problems, "the password was not set", "password")
    user.password_hash = HASHER.hash(password)
    withdraw(session, user.id)
    audit.record(session, user.username, "accept-invitation", "user", user.id, new={"invitation": invitation.id})
    return user


def withdraw(session: Session, user_id: int) -> None:
    """Ends every open link of the user (when one is used, or the user is deactivated)."""
    now = datetime.now(UTC)
    session.execute(
        update(Invitation).where(Invitation.user_id == user_id, Invitation.used_at.is_(None)).values(used_at=now)
    )
