"""Administration: hubs, cities and their reporting years, for an administrator and, in their hubs, a hub manager.

Every form posts to a `citykpi.platform` service (`hubs`, `cities`), which checks permissions,
fields and versions and audits the change with its reason; a refusal comes back as the form with
what was typed and each sentence beside its field (`web.forms`).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from citykpi.http.deps import Db, Id, Reader
from citykpi.platform import cities, fields, hubs
from citykpi.platform.cities import PEER_LABELS, CityFields
from citykpi.platform.errors import Forbidden, NotFound, PlatformError, Unauthenticated
from citykpi.platform.roles import Principal, Role, manages_hub
from citykpi.store.schema import City, Hub, Period
from citykpi.web.forms import Form, Posted, by_field, form_page, refuse
from citykpi.web.render import PageRoute, page
from citykpi.web.session import Current, Visitor

router = APIRouter(route_class=PageRoute)

HUB_FIELDS = ("key", "name", "country", "reason")
CITY_FIELDS = ("name", "country", "population", "area_km2", "hub", "peer", "latitude", "longitude", "reason")
YEAR_FIELDS = ("year", "framework", "reason")
NUMBERS = ("population", "area_km2", "latitude", "longitude")


def manager(current: Visitor) -> Principal:
    """The visitor, if an administrator or a hub manager (the public is sent to sign in)."""
    if current.who.is_public:
        raise Unauthenticated("sign in to administer")
    if current.who.role not in (Role.ADMIN, Role.HUB_MANAGER):
        raise Forbidden.said("may-not-administer", "only an administrator or a hub manager manages users")
    return current.who


@router.get("/admin", response_class=HTMLResponse)
def overview(request: Request, current: Current, session: Reader) -> HTMLResponse:
    who = manager(current)
    return page(request, "admin.html", hubs=hubs.managed(session, who), cities=cities.managed(session, who))


# Hubs


def _hub_form(
    request: Request, hub: Hub | None, form: dict[str, str], failure: PlatformError | None = None
) -> HTMLResponse:
    return form_page(request, "admin_hub.html", form, HUB_FIELDS, failure, hub=hub)


@router.get("/admin/hubs/new", response_class=HTMLResponse)
def new_hub(request: Request, current: Current) -> HTMLResponse:
    manager(current)
    return _hub_form(request, None, {})


@router.post("/admin/hubs/new", response_class=HTMLResponse)
def create_hub(request: Request, current: Current, db: Db, posted: Form) -> Response:
    form = _typed(posted.checked(current), HUB_FIELDS)
    try:
        with db.write() as session:
            hubs.create_hub(session, manager(current), form["key"], form["name"], form["country"], form["reason"])
    except PlatformError as exc:
        return _hub_form(request, None, form, exc)
    return RedirectResponse("/admin?ok=admin-saved", status_code=303)


def _hub(session: Session, hub_id: int) -> Hub:
    hub = session.get(Hub, hub_id)
    if hub is None:
        raise NotFound.said("hub", "no hub {hub!r}", hub=hub_id)
    return hub


@router.get("/admin/hubs/{hub_id}", response_class=HTMLResponse)
def edit_hub(request: Request, hub_id: Id, current: Current, session: Reader) -> HTMLResponse:
    manager(current)
    hub = _hub(session, hub_id)
    return _hub_form(
        request, hub, {"key": hub.key, "name": hub.name, "country": hub.country, "version": str(hub.version)}
    )


@router.post("/admin/hubs/{hub_id}", response_class=HTMLResponse)
def save_hub(request: Request, hub_id: Id, current: Current, db: Db, session: Reader, posted: Form) -> Response:
    form = _typed(posted.checked(current), (*HUB_FIELDS, "version"))
    try:
        with db.write() as writing:
            hub = _hub(writing, hub_id)
            hubs.update_hub(
                writing, manager(current), hub, _version(form), form["name"], form["country"], form["reason"]
            )
    except PlatformError as exc:
        return _hub_form(request, _hub(session, hub_id), form, exc)
    return RedirectResponse("/admin?ok=admin-saved", status_code=303)


# Cities


def _city_form(
    request: Request,
    session: Session,
    who: Principal,
    city: City | None,
    form: dict[str, str],
    failure: PlatformError | None = None,
    year_form: dict[str, str] | None = None,
    year_failure: PlatformError | None = None,
) -> HTMLResponse:
    failed = failure or year_failure
    status = failed.status if failed else 200
    return page(
        request,
        "admin_city.html",
        status=status,
        city=city,
        form=form,
        errors=by_field(request, failure, CITY_FIELDS) if failure else {},
        hubs=hubs.managed(session, who),
        peers=PEER_LABELS,
        derived=cities.peer_group(fields.number("population", form.get("population", ""))[0]),
        periods=cities.list_periods(session, who, city) if city else [],
        frameworks=cities.frameworks(session),
        year_form=year_form or {},
        year_errors=by_field(request, year_failure, YEAR_FIELDS) if year_failure else {},
    )


def _city_as_form(city: City) -> dict[str, str]:
    derived = city.peer_group == cities.peer_group(city.population)
    shown: dict[str, Any] = {k: getattr(city, k) for k in ("name", "country", "hub", *NUMBERS)}
    shown |= {"peer": "" if derived else city.peer_group, "version": city.version}
    return {k: "" if v is None else _plain(v) for k, v in shown.items()}


def _plain(value: object) -> str:
    """A stored number as typed: 250000, not 250000.0."""
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)


def _city_record(form: dict[str, str]) -> CityFields:
    parsed, problems = {}, []
    for name in NUMBERS:
        parsed[name], found = fields.number(name, form[name])
        problems += found
    record = CityFields(form["name"], form["country"], hub=form["hub"], peer=form["peer"], **parsed)
    refuse(problems + record.problems() if problems else [], "city")
    return record


@router.get("/admin/cities/new", response_class=HTMLResponse)
def new_city(request: Request, current: Current, session: Reader) -> HTMLResponse:
    who = manager(current)
    return _city_form(request, session, who, None, {})


@router.post("/admin/cities/new", response_class=HTMLResponse)
def create_city(request: Request, current: Current, db: Db, session: Reader, posted: Form) -> Response:
    who = manager(current)
    form = _typed(posted.checked(current), CITY_FIELDS)
    try:
        record = _city_record(form)
        with db.write() as writing:
            slug = cities.create_city(
                writing,
                who,
                record.name,
                country=record.country,
                population=record.population,
                area_km2=record.area_km2,
                hub=record.hub,
                latitude=record.latitude,
                longitude=record.longitude,
                peer=record.peer,
                reason=form["reason"],
            ).slug
    except PlatformError as exc:
        return _city_form(request, session, who, None, form, exc)
    return RedirectResponse(f"/admin/cities/{slug}?ok=admin-saved", status_code=303)


@router.get("/admin/cities/{slug}", response_class=HTMLResponse)
def edit_city(request: Request, slug: str, current: Current, session: Reader) -> HTMLResponse:
    who = manager(current)
    city = cities.get_city(session, slug)
    return _city_form(request, session, who, city, _city_as_form(city))


@router.post("/admin/cities/{slug}", response_class=HTMLResponse)
def save_city(request: Request, slug: str, current: Current, db: Db, session: Reader, posted: Form) -> Response:
    who = manager(current)
    form = _typed(posted.checked(current), (*CITY_FIELDS, "version"))
    try:
        record = _city_record(form)
        with db.write() as writing:
            city = cities.get_city(writing, slug)
            cities.update_city(writing, who, city, _version(form), record, form["reason"])
    except PlatformError as exc:
        return _city_form(request, session, who, cities.get_city(session, slug), form, exc)
    return RedirectResponse(f"/admin/cities/{slug}?ok=admin-saved", status_code=303)


# Reporting years


@router.post("/admin/cities/{slug}/years", response_class=HTMLResponse)
def add_year(request: Request, slug: str, current: Current, db: Db, session: Reader, posted: Form) -> Response:
    who = manager(current)
    form = _typed(posted.checked(current), YEAR_FIELDS)
    try:
        year = _whole("year", form["year"])
        with db.write() as writing:
            city = cities.get_city(writing, slug)
            if not manages_hub(who, city.hub):
                raise Forbidden.said(
                    "may-not-manage-city",
                    "{user!r} may not manage cities of the hub {hub!r}",
                    user=who.username,
                    hub=city.hub,
                )
            framework = cities.get_framework(writing, _whole("framework", form["framework"]))
            period_id = cities.create_period(writing, who, city, year, framework, form["reason"]).id
    except PlatformError as exc:
        city = cities.get_city(session, slug)
        return _city_form(request, session, who, city, _city_as_form(city), year_form=form, year_failure=exc)
    return RedirectResponse(f"/admin/periods/{period_id}?ok=admin-saved", status_code=303)


def _whole(name: str, text: str) -> int:
    value, problems = fields.whole(name, text)
    refuse(problems, "reporting year")
    assert value is not None
    return value


def _period_form(
    request: Request,
    session: Session,
    who: Principal,
    period: Period,
    form: dict[str, str],
    failure: PlatformError | None = None,
) -> HTMLResponse:
    return form_page(
        request, "admin_period.html", form, YEAR_FIELDS, failure, period=period, frameworks=cities.frameworks(session)
    )


@router.get("/admin/periods/{period_id}", response_class=HTMLResponse)
def edit_period(request: Request, period_id: Id, current: Current, session: Reader) -> HTMLResponse:
    who = manager(current)
    period = cities.get_period(session, who, period_id)
    form = {"framework": str(period.framework_id), "version": str(period.version)}
    return _period_form(request, session, who, period, form)


@router.post("/admin/periods/{period_id}", response_class=HTMLResponse)
def save_period(request: Request, period_id: Id, current: Current, db: Db, session: Reader, posted: Form) -> Response:
    who = manager(current)
    form = _typed(posted.checked(current), ("framework", "reason", "version"))
    try:
        with db.write() as writing:
            period = cities.get_period(writing, who, period_id)
            framework = cities.get_framework(writing, _whole("framework", form["framework"]))
            cities.change_framework(writing, who, period, framework, _version(form), form["reason"])
    except PlatformError as exc:
        return _period_form(request, session, who, cities.get_period(session, who, period_id), form, exc)
    return RedirectResponse(f"/admin/periods/{period_id}?ok=admin-saved", status_code=303)


def _typed(posted: Posted, names: tuple[str, ...]) -> dict[str, str]:
    return {name: posted.text(name) for name in names}


def _version(form: dict[str, str]) -> int:
    """The record's version the form was loaded with; a damaged one counts as stale (0 matches none)."""
    text = form.get("version", "")
    return int(text) if text.isdigit() and len(text) < 10 else 0
