"""Sign-in (session cookie + CSRF token), sign-out, the caller, API tokens and user administration."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from sqlalchemy import select

from citykpi.api.schemas import LoginIn, Me, TokenIn, TokenOut, UserIn, UserOut, error_answer
from citykpi.http.callers import Caller, SignedIn, end_session, session_identity, set_session_cookie
from citykpi.http.deps import Db, Id, Reader
from citykpi.platform import accounts
from citykpi.platform.errors import Forbidden, Unauthenticated
from citykpi.platform.roles import Action, Principal, can
from citykpi.store.schema import User

router = APIRouter(tags=["auth"])


def _me(who: Principal, csrf: str | None = None) -> Me:
    return Me(username=who.username, role=who.role, cities=sorted(who.cities), hubs=sorted(who.hubs), csrf_token=csrf)


@router.post(
    "/auth/login",
    response_model=Me,
    responses={429: error_answer("Too many failed sign-ins for this name from this client: wait Retry-After seconds")},
)
def login(body: LoginIn, request: Request, response: Response, db: Db) -> Me:
    client = request.client.host if request.client else "unknown"
    with db.write() as session:
        user = accounts.sign_in(session, body.username, body.password, client)
        if user is not None:
            secret, credential = accounts.issue(session, user, "session", ttl=accounts.SESSION_TTL)
            who, csrf = accounts.principal(user), credential.csrf
    if user is None:
        raise Unauthenticated("wrong user name or password")
    set_session_cookie(request, response, secret)
    return _me(who, csrf)


@router.post("/auth/logout", status_code=204)
def logout(request: Request, response: Response, db: Db, who: Caller) -> None:
    end_session(request, response, db)


@router.get("/auth/me", response_model=Me)
def me(request: Request, who: Caller, session: Reader) -> Me:
    found = None if who.is_public else session_identity(request, session)
    return _me(who, found.csrf if found else None)


@router.get("/tokens", response_model=list[TokenOut])
def list_tokens(who: SignedIn, session: Reader) -> list[TokenOut]:
    rows = accounts.list_tokens(session, who)
    return [TokenOut(id=r.id, name=r.name, created_at=r.created_at, revoked=r.revoked) for r in rows]


@router.post("/tokens", response_model=TokenOut, status_code=201)
def create_token(body: TokenIn, who: SignedIn, db: Db) -> TokenOut:
    with db.write() as session:
        secret, c = accounts.create_token(session, who, body.name)
        return TokenOut(id=c.id, name=c.name, created_at=c.created_at, revoked=False, token=secret)


@router.delete("/tokens/{token_id}", status_code=204)
def revoke_token(token_id: Id, who: SignedIn, db: Db) -> None:
    with db.write() as session:
        accounts.revoke_token(session, who, token_id)


def _admin(who: Principal) -> None:
    if not can(who, Action.ADMINISTER):
        raise Forbidden("only an administrator manages users")


@router.get("/users", response_model=list[UserOut])
def list_users(who: SignedIn, session: Reader) -> list[User]:
    _admin(who)
    return list(session.scalars(select(User).order_by(User.username)).all())


@router.post("/users", response_model=UserOut, status_code=201)
def create_user(body: UserIn, who: SignedIn, db: Db) -> User:
    _admin(who)
    with db.write() as session:
        return accounts.create_user(
            session,
            body.username,
            body.password,
            body.role,
            cities=body.cities,
            hubs=body.hubs,
            display_name=body.display_name,
            actor=who.username,
        )
