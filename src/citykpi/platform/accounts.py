"""Users, passwords, API tokens, browser sessions and the sign-in rate limit.

Passwords are hashed with argon2id. Tokens and session ids are random secrets shown once; only
their SHA-256 is stored, so a copy of the database does not let anyone sign in. Failed sign-ins are
kept per user name and client in the database (not in process memory) so the throttle survives
restarts and holds across server workers, and each is audited.
"""

from __future__ import annotations

import hashlib
import math
import os
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from citykpi.model.diagnostics import Diagnostic, Location, said
from citykpi.model.textsafety import text_problems
from citykpi.platform import fields
from citykpi.platform import hubs as hub_records
from citykpi.platform.errors import Invalid, NotFound, RateLimited
from citykpi.platform.roles import Principal, Role
from citykpi.platform.signin_throttle import Throttle
from citykpi.platform.texts import check_texts
from citykpi.store import audit
from citykpi.store.schema import City, Credential, Scope, SignInAttempt, User

# RFC 9106's low-memory profile by default; tests name argon2's CHEAPEST profile, because a real hash
# costs ~0.5 s on a busy CI core and the suites create many users (verification reads the
# parameters stored in each hash, so hashes of either profile verify).
HASHER = PasswordHasher.from_parameters(
    getattr(profiles, os.environ.get("CITYKPI_ARGON2_PROFILE", "RFC_9106_LOW_MEMORY"), profiles.RFC_9106_LOW_MEMORY)
)
MIN_PASSWORD = 8
THROTTLE = Throttle()
SESSION_TTL = timedelta(hours=12)


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_user(
    session: Session,
    username: str,
    password: str,
    role: Role,
    *,
    cities: Sequence[str] = (),
    hubs: Sequence[str] = (),
    display_name: str = "",
    actor: str = "system",
) -> User:
    record = UserFields(username, role, tuple(cities), tuple(hubs), display_name)
    return new_user(session, actor, record, HASHER.hash(password), password_problems(password))


def password_problems(password: str) -> list[Diagnostic]:
    if len(password) >= MIN_PASSWORD:
        return []
    template = "the password needs at least {minimum} characters"
    return [said("weak-password", template, {"minimum": MIN_PASSWORD}, location=Location(field="password"))]


@dataclass(frozen=True)
class UserFields:
    """What an administrator (or, for their cities' teams, a hub manager) sets of an account."""

    username: str
    role: Role
    cities: tuple[str, ...] = ()
    hubs: tuple[str, ...] = ()
    display_name: str = ""
    active: bool = True


def scopes_of(session: Session, record: UserFields) -> tuple[list[Scope], list[Diagnostic]]:
    problems = fields.texts(
        {"username": (record.username, 100), "display_name": (record.display_name, 200)}, ("username",)
    )
    problems += text_problems({f"hubs.{i}": h for i, h in enumerate(record.hubs)})
    scopes = []
    for slug in record.cities:
        city_id = session.scalar(select(City.id).where(City.slug == slug))
        if city_id is None:
            problems.append(said("unknown-city", "no city {slug!r}", {"slug": slug}, location=Location(field="cities")))
        scopes.append(Scope(city_id=city_id))
    return scopes + [Scope(hub=h) for h in record.hubs], problems


def new_user(session: Session, actor: str, record: UserFields, password_hash: str, problems: list[Diagnostic]) -> User:
    """Checked (names, scopes, a name taken) together with the caller's `problems`, then created and audited."""
    scopes, found = scopes_of(session, record)
    problems = found + problems
    if session.scalar(select(User.id).where(User.username == record.username)) is not None:
        where = Location(field="username")
        problems.append(
            said("duplicate-user", "user {user!r} already exists", {"user": record.username}, location=where)
        )
    if problems:
        raise Invalid.of(problems, "cannot create user {user!r}", "user", user=record.username[:100])
    for key in record.hubs:
        hub_records.ensure(session, actor, key)
    user = User(
        username=record.username,
        display_name=record.display_name or record.username,
        password_hash=password_hash,
        role=record.role.value,
        scopes=scopes,
    )
    session.add(user)
    session.flush()
    new = {
        "username": record.username,
        "role": record.role.value,
        "cities": list(record.cities),
        "hubs": list(record.hubs),
    }
    audit.record(session, actor, "create", "user", user.id, new=new)
    return user


def principal(user: User) -> Principal:
    return Principal(
        username=user.username,
        role=Role(user.role),
        user_id=user.id,
        cities=frozenset(s.city_id for s in user.scopes if s.city_id is not None),
        hubs=frozenset(s.hub for s in user.scopes if s.hub is not None),
    )


def sign_in(session: Session, username: str, password: str, client: str, now: datetime | None = None) -> User | None:
    """The user whose password matches, None otherwise (audited); a client still waiting raises `RateLimited`.

    The wait grows with the client's failures for the name (`signin_throttle`); a correct password
    clears only this client's failures, so an attacker's lock-out stays in place for the attacker.
    """
    check_texts({"username": username})
    now = now or datetime.now(UTC)
    client = client[:100]
    rows = session.execute(
        select(SignInAttempt.client, SignInAttempt.at).where(
            SignInAttempt.username == username, SignInAttempt.at >= now - THROTTLE.window
        )
    ).all()
    wait = THROTTLE.wait([(c, at) for c, at in rows], client, now)
    if wait is not None:
        seconds = math.ceil(wait.total_seconds())
        template = "too many failed sign-ins for {user!r} from here; try again in {seconds} s"
        raise RateLimited.said("sign-in-wait", template, user=username, seconds=seconds)
    user = session.scalar(select(User).where(User.username == username, User.active.is_(True)))
    if user is not None and _verify(user.password_hash, password):
        session.execute(delete(SignInAttempt).where(SignInAttempt.username == username, SignInAttempt.client == client))
        return user
    session.add(SignInAttempt(username=username[:100], client=client, at=now))
    user_id = user.id if user else None
    audit.record(session, username[:100], "sign-in-failed", "user", user_id, new={"client": client}, shown=False)
    return None


def _verify(stored: str, password: str) -> bool:
    try:
        return HASHER.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def issue(
    session: Session, user: User, kind: str, name: str = "", ttl: timedelta | None = None
) -> tuple[str, Credential]:
    """A new secret for `user` (kind 'token' or 'session'); the plain secret is returned only here."""
    check_texts({"name": name})
    secret = ("ck_" if kind == "token" else "cs_") + secrets.token_urlsafe(32)
    credential = Credential(
        user_id=user.id,
        kind=kind,
        name=name,
        secret_hash=hash_secret(secret),
        csrf=secrets.token_urlsafe(24) if kind == "session" else "",
        expires_at=datetime.now(UTC) + ttl if ttl else None,
    )
    session.add(credential)
    session.flush()
    if kind == "token":
        audit.record(session, user.username, "create", "token", credential.id, new={"name": name})
    return secret, credential


def resolve(session: Session, secret: str, kind: str) -> tuple[User, Credential] | None:
    row = session.execute(
        select(User, Credential)
        .join(Credential, Credential.user_id == User.id)
        .where(Credential.secret_hash == hash_secret(secret), Credential.kind == kind)
    ).first()
    if row is None:
        return None
    user, credential = row
    expires = credential.expires_at  # aware UTC on both databases (store.schema.UtcDateTime)
    if credential.revoked or not user.active or (expires is not None and expires < datetime.now(UTC)):
        return None
    return user, credential


def revoke(session: Session, user: User, credential_id: int) -> None:
    credential = session.get(Credential, credential_id)
    if credential is None or credential.user_id != user.id:
        raise NotFound.said("token", "no token {token} of yours", token=credential_id)
    credential.revoked = True
    audit.record(session, user.username, "revoke", credential.kind, credential.id)


def sign_out(session: Session, secret: str) -> None:
    """Ends a browser session; audited like any revocation, which also invalidates cached callers."""
    found = resolve(session, secret, "session")
    if found is not None:
        revoke(session, found[0], found[1].id)


def list_tokens(session: Session, who: Principal) -> list[Credential]:
    """The caller's own API tokens, revoked ones included (shown as revoked), oldest first."""
    query = select(Credential).where(Credential.user_id == who.user_id, Credential.kind == "token")
    return list(session.scalars(query.order_by(Credential.id)).all())


def create_token(session: Session, who: Principal, name: str) -> tuple[str, Credential]:
    """A new API token of the caller, named so they can tell it apart; its secret is returned only here."""
    problems = fields.texts({"name": (name, 100)}, required=("name",))
    if problems:
        raise Invalid.of(problems, "the token is not valid", "token")
    return issue(session, _user(session, who), "token", name=name.strip())


def revoke_token(session: Session, who: Principal, token_id: int) -> None:
    revoke(session, _user(session, who), token_id)


def _user(session: Session, who: Principal) -> User:
    user = session.get(User, who.user_id) if who.user_id is not None else None
    if user is None:
        raise NotFound.said("user", "no user {user!r}", user=who.username)
    return user
