"""A city's own targets per KPI data point and year, set by its editor or hub manager, with history.

They are the city's targets; the public reference targets used for scoring live in citykpi.scoring.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from citykpi.framework.catalogue import Catalogue
from citykpi.model.diagnostics import Location, error, said
from citykpi.platform.errors import Forbidden, Invalid
from citykpi.platform.roles import Action, Principal, can
from citykpi.platform.texts import check_texts
from citykpi.store import audit
from citykpi.store.schema import City, Target


def list_targets(session: Session, city: City) -> list[Target]:
    query = select(Target).where(Target.city_id == city.id).order_by(Target.kpi, Target.data_point, Target.year)
    return list(session.scalars(query).all())


def set_target(
    session: Session,
    who: Principal,
    city: City,
    catalogue: Catalogue,
    kpi: str,
    data_point: str,
    year: int,
    value: float,
    note: str = "",
) -> Target:
    if not (can(who, Action.MANAGE, city.id, city.hub) or can(who, Action.EDIT, city.id, city.hub)):
        template = "{role} {user!r} may not set targets of {city}"
        raise Forbidden.said("targets", template, role=who.role.value, user=who.username, city=city.name)
    check_texts({"kpi": kpi, "data_point": data_point, "note": note}, multiline={"note"})
    code = catalogue.normalise_code(kpi)
    if code is None:
        raise Invalid.of([error("unknown-kpi", catalogue.unknown_code_message(kpi), field="kpi")], "unknown KPI")
    keys = [d.key for d in catalogue.kpis[code].data_points]
    if data_point not in keys:
        template = "{kpi} has no data point {found!r} (it has {known})"
        params = {"kpi": code, "found": data_point, "known": ", ".join(keys)}
        problem = said(
            "unknown-data-point", template, params, variant="target", location=Location(kpi=code, field="data_point")
        )
        raise Invalid.of([problem], "unknown data point", "data-point")
    target = session.scalar(
        select(Target).where(
            Target.city_id == city.id, Target.kpi == code, Target.data_point == data_point, Target.year == year
        )
    )
    new = {"kpi": code, "data_point": data_point, "year": year, "value": value, "note": note}
    if target is None:
        target = Target(city_id=city.id, kpi=code, data_point=data_point, year=year, value=value, note=note)
        session.add(target)
        session.flush()
        audit.record(session, who.username, "create", "target", target.id, new=new)
        return target
    old = {"kpi": code, "data_point": data_point, "year": year, "value": target.value, "note": target.note}
    if old != new:
        target.value, target.note = value, note
        audit.record(session, who.username, "update", "target", target.id, old=old, new=new)
    return target
