"""Accounts in the pages: users and invitations (administrator, hub manager), the invitation link, own API tokens.

Secrets are shown once, on the page that answers the form that made them (an invitation link, a
token), never stored in clear and never put in an address that a redirect would log. The pages call
the services the API calls (`platform.users`, `platform.invitations`, `platform.accounts`).
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from citykpi.http.callers import set_session_cookie
from citykpi.http.deps import Db, Id, Reader
from citykpi.model.diagnostics import Location, said
from citykpi.platform import accounts, cities, hubs, invitations, mail, users
from citykpi.platform.accounts import UserFields
from citykpi.platform.errors import Invalid, PlatformError, Unauthenticated
from citykpi.platform.roles import Principal, Role
from citykpi.store.schema import Invitation, User
from citykpi.web import signin_csrf
from citykpi.web.admin_pages import manager
from citykpi.web.forms import Form, Posted, by_field, form_page
from citykpi.web.render import PageRoute, page
from citykpi.web.session import Current

router = APIRouter(route_class=PageRoute)

USER_FIELDS = ("username", "display_name", "role", "cities", "hubs", "email", "active", "reason")
ROLES: list[Role] = [r for r in Role if r is not Role.PUBLIC]


def _roles(who: Principal) -> list[Role]:
    return ROLES if who.role is Role.ADMIN else list(users.HUB_TEAM)


@router.get("/admin/users", response_class=HTMLResponse)
def user_list(request: Request, current: Current, session: Reader) -> HTMLResponse:
    who = manager(current)
    shown = users.visible(session, who)
    open_links = invitations.pending(session, [u.id for u in shown])
    return page(
        request,
        "admin_users.html",
        users=shown,
        pending=open_links,
        slugs={u.id: users.slugs_of(session, u) for u in shown},
    )


def _user_form(
    request: Request,
    session: Session,
    who: Principal,
    user: User | None,
    form: Posted,
    failure: PlatformError | None = None,
) -> HTMLResponse:
    return form_page(
        request,
        "admin_user.html",
        form,
        USER_FIELDS,
        failure,
        user=user,
        roles=_roles(who),
        cities=cities.managed(session, who),
        hubs=hubs.managed(session, who) if who.role is Role.ADMIN else [],
    )


def _record(form: Posted, username: str) -> UserFields:
    typed = form.text("role")
    if typed not in {r.value for r in ROLES}:
        template = "{role!r} is not a role; choose one of the list"
        problem = said(
            "role-not-allowed", template, {"role": typed[:40]}, variant="unknown", location=Location(field="role")
        )
        raise Invalid.of([problem], "the user is not valid", "user-form")
    cities, hubs = tuple(form.all("cities")), tuple(form.all("hubs"))
    return UserFields(
        username, Role(typed), cities, hubs, form.text("display_name").strip(), form.text("active") == "yes"
    )


@router.get("/admin/users/new", response_class=HTMLResponse)
def new_user(request: Request, current: Current, session: Reader) -> HTMLResponse:
    who = manager(current)
    return _user_form(request, session, who, None, Posted({"active": ["yes"]}))


def _invitation_page(
    request: Request, session: Session, who: Principal, user: User, made: tuple[str, Invitation]
) -> HTMLResponse:
    """The link to pass on, shown once; also queued by e-mail when SMTP is configured and an address given."""
    secret, invitation = made
    settings = request.app.state.settings
    link = settings.public_address(request, "accept_form", secret=secret)
    mailed = mail.send_invitation_email(
        session,
        settings.mail,
        invitation.email,
        invitations.PATH + secret,
        username=user.username,
        invited_by=who.username,
        expires_at=invitation.expires_at,
    )
    context = {"user": user, "link": link, "days": invitations.TTL.days, "mailed": invitation.email if mailed else ""}
    return page(request, "admin_invitation.html", **context)


@router.post("/admin/users/new", response_class=HTMLResponse)
def invite(request: Request, current: Current, db: Db, session: Reader, posted: Form) -> Response:
    who = manager(current)
    form = posted.checked(current)
    try:
        record = _record(form, form.text("username").strip())
        with db.write() as writing:
            secret, user, invitation = users.invite(writing, who, record, form.text("email"))
            shown = _invitation_page(request, writing, who, user, (secret, invitation))
    except PlatformError as exc:
        return _user_form(request, session, who, None, form, exc)
    return shown


def _as_form(session: Session, user: User) -> Posted:
    record = users.fields_of(session, user)
    values = {"role": [record.role.value], "cities": list(record.cities), "hubs": list(record.hubs)}
    values |= {"display_name": [record.display_name], "active": ["yes" if record.active else "no"]}
    return Posted(values | {"seen": [users.fingerprint(session, user)]})


@router.get("/admin/users/{user_id}", response_class=HTMLResponse)
def edit_user(request: Request, user_id: Id, current: Current, session: Reader) -> HTMLResponse:
    who = manager(current)
    user = users.get_user(session, who, user_id)
    return _user_form(request, session, who, user, _as_form(session, user))


@router.post("/admin/users/{user_id}", response_class=HTMLResponse)
def save_user(request: Request, user_id: Id, current: Current, db: Db, session: Reader, posted: Form) -> Response:
    who = manager(current)
    form = posted.checked(current)
    try:
        with db.write() as writing:
            user = users.get_user(writing, who, user_id)
            record = _record(form, user.username)
            users.update_user(writing, who, user, form.text("seen"), record, form.text("reason"))
    except PlatformError as exc:
        return _user_form(request, session, who, users.get_user(session, who, user_id), form, exc)
    return RedirectResponse("/admin/users?ok=admin-saved", status_code=303)


@router.post("/admin/users/{user_id}/invitation", response_class=HTMLResponse)
def reinvite(request: Request, user_id: Id, current: Current, db: Db, posted: Form) -> Response:
    who = manager(current)
    posted.checked(current)
    with db.write() as session:
        user = users.get_user(session, who, user_id)
        return _invitation_page(request, session, who, user, users.reinvite(session, who, user))


# The invitation link: the invited user sets their password and is signed in.


def _accept_page(
    request: Request, user: User, secret: str, errors: dict[str, list[str]], status: int = 200
) -> HTMLResponse:
    """The form with a login-CSRF token of its own (`signin_csrf`): nobody is signed in yet."""
    token = signin_csrf.token(request)
    shown = page(request, "invitation.html", status=status, user=user, secret=secret, errors=errors, csrf=token)
    signin_csrf.attach(request, shown, token)
    return shown


@router.get("/invitations/{secret}", response_class=HTMLResponse)
def accept_form(request: Request, secret: str, current: Current, session: Reader) -> HTMLResponse:
    return _accept_page(request, invitations.holder(session, secret[:200]), secret, {})


@router.post("/invitations/{secret}", response_class=HTMLResponse)
def accept(request: Request, secret: str, current: Current, db: Db, session: Reader, posted: Form) -> Response:
    signin_csrf.check(request, posted.text("csrf_token"))
    try:
        with db.write() as writing:
            user = invitations.accept(writing, secret[:200], posted.text("password"), posted.text("repeat"))
            cookie = accounts.issue(writing, user, "session", ttl=accounts.SESSION_TTL)[0]
    except Invalid as exc:
        errors = by_field(request, exc, ("password", "repeat"))
        return _accept_page(request, invitations.holder(session, secret[:200]), secret, errors, exc.status)
    response = RedirectResponse("/queue?ok=welcome", status_code=303)
    set_session_cookie(request, response, cookie)
    return response


# Own API tokens


def _signed_in(current_who: Principal) -> Principal:
    if current_who.is_public:
        raise Unauthenticated("sign in to manage your API tokens")
    return current_who


def _tokens_page(request: Request, session: Session, who: Principal, **context: object) -> HTMLResponse:
    failure = context.pop("failure", None)
    errors = by_field(request, failure, ("name",)) if isinstance(failure, PlatformError) else {}
    status = failure.status if isinstance(failure, PlatformError) else 200
    rows = accounts.list_tokens(session, who)
    return page(request, "tokens.html", status=status, tokens=rows, errors=errors, **context)


@router.get("/account/tokens", response_class=HTMLResponse)
def tokens(request: Request, current: Current, session: Reader) -> HTMLResponse:
    return _tokens_page(request, session, _signed_in(current.who), created=None, name="")


@router.post("/account/tokens", response_class=HTMLResponse)
def create_token(request: Request, current: Current, db: Db, posted: Form) -> Response:
    who = _signed_in(current.who)
    form = posted.checked(current)
    try:
        with db.write() as session:
            secret, _ = accounts.create_token(session, who, form.text("name"))
    except PlatformError as exc:
        with db.read() as session:
            return _tokens_page(request, session, who, created=None, name=form.text("name"), failure=exc)
    with db.read() as session:
        return _tokens_page(request, session, who, created=secret, name="")


@router.post("/account/tokens/{token_id}/revoke")
def revoke_token(token_id: Id, current: Current, db: Db, posted: Form) -> Response:
    who = _signed_in(current.who)
    posted.checked(current)
    with db.write() as session:
        accounts.revoke_token(session, who, token_id)
    return RedirectResponse("/account/tokens?ok=revoked", status_code=303)
