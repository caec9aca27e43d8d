"""A hub's own screening thresholds: read for the screening, set by its hub manager or an administrator.

Each change is an audit row (`set-screening-threshold`) like a value's, so a verifier can see which
threshold was in force when a period was screened.
"""

from __future__ import annotations

from typing import NoReturn

from sqlalchemy import select
from sqlalchemy.orm import Session

from citykpi.model.diagnostics import Location, Param, said
from citykpi.platform.errors import Forbidden, Invalid
from citykpi.platform.roles import Action, Principal, Role, can
from citykpi.platform.screening_rules import RuleBook
from citykpi.platform.texts import check_texts
from citykpi.store import audit
from citykpi.store.schema import City, ScreeningOverride, utcnow


def overrides(session: Session, hub: str) -> dict[str, float]:
    if not hub:
        return {}
    rows = session.scalars(select(ScreeningOverride).where(ScreeningOverride.hub == hub)).all()
    return {row.rule: row.threshold for row in rows}


def may_set(who: Principal, hub: str) -> bool:
    return bool(hub) and can(who, Action.MANAGE) and (who.role is Role.ADMIN or hub in who.hubs)


def hubs_managed(session: Session, who: Principal) -> list[str]:
    """The hubs whose thresholds `who` may set: an administrator's are every hub a city names."""
    known = session.scalars(select(City.hub).where(City.hub != "").distinct().order_by(City.hub)).all()
    return [hub for hub in known if may_set(who, hub)]


def set_threshold(
    session: Session, who: Principal, rules: RuleBook, hub: str, rule_id: str, threshold: float | None, reason: str
) -> None:
    """Set `hub`'s threshold for `rule_id`, or go back to the shipped default with `None`; audited."""
    check_texts({"hub": hub, "reason": reason}, multiline={"reason"})
    if not may_set(who, hub):
        template = "{role} {user!r} may not set the screening thresholds of {hub}"
        raise Forbidden.said("may-not-screen", template, role=who.role.value, user=who.username, hub=hub)
    rule = rules.by_id().get(rule_id)
    if rule is None or rule.threshold is None:
        known = ", ".join(r.id for r in rules.adjustable())
        template = "no screening rule {rule!r} with a threshold (rules: {known})"
        _refuse(template, {"rule": rule_id, "known": known}, "screening-rule", "rule")
    if threshold is not None and not 0 <= threshold <= 100:
        template = "the threshold of {rule} must be between 0 and 100, not {threshold}"
        _refuse(template, {"rule": rule_id, "threshold": f"{threshold:g}"}, "screening-threshold", "threshold")
    row = session.scalar(
        select(ScreeningOverride).where(ScreeningOverride.hub == hub, ScreeningOverride.rule == rule_id)
    )
    before = row.threshold if row is not None else None
    if before == threshold:
        return
    if row is not None and threshold is None:
        session.delete(row)
    elif row is not None and threshold is not None:
        row.threshold, row.updated_by, row.updated_at = threshold, who.username, utcnow()
    elif threshold is not None:
        session.add(ScreeningOverride(hub=hub, rule=rule_id, threshold=threshold, updated_by=who.username))
    audit.record(
        session,
        who.username,
        "set-screening-threshold",
        "hub-screening",
        None,
        old={"hub": hub, "rule": rule_id, "threshold": before, "default": rule.threshold},
        new={"hub": hub, "rule": rule_id, "threshold": threshold, "default": rule.threshold},
        reason=reason,
    )


def _refuse(template: str, params: dict[str, Param], variant: str, field: str) -> NoReturn:
    found = said("invalid-parameter", template, params, variant=variant, location=Location(field=field))
    raise Invalid.of([found], found.message)
