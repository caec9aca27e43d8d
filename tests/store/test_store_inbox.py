"""Notifications are delivered from the audit log, in its transaction, to whom the rules name (both databases)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from citykpi.platform import accounts, cities, notifications, verification
from citykpi.platform.notifications import Choice
from citykpi.platform.roles import Principal, Role
from citykpi.platform.seed import ensure_framework
from citykpi.platform.workflow import PeriodState, ReviewAction
from citykpi.store.db import Database
from citykpi.store.notice_rules import Recipient, rules
from citykpi.store.schema import Notification, OutboxItem, Review, User

ADMIN = Principal("root", Role.ADMIN)
PASSWORD = "long-enough-pass"


def _world(database: Database) -> dict[str, Principal]:
    """Two cities of two hubs; an editor and a verifier of each, a hub manager of each, one more admin."""
    with database.write() as s:
        framework = ensure_framework(s)
        north = cities.create_city(s, ADMIN, "Northam", population=120_000, hub="north")
        cities.create_city(s, ADMIN, "Southam", population=120_000, hub="south")
        cities.create_period(s, ADMIN, north, 2024, framework)
        people = {
            "ed": (Role.CITY_EDITOR, ["northam"], []),
            "vera": (Role.VERIFIER, ["northam"], []),
            "hub": (Role.HUB_MANAGER, [], ["north"]),
            "other-ed": (Role.CITY_EDITOR, ["southam"], []),
            "other-hub": (Role.HUB_MANAGER, [], ["south"]),
            "boss": (Role.ADMIN, [], []),
            "viewer": (Role.VIEWER, [], []),
        }
        for name, (role, scoped, hubs) in people.items():
            accounts.create_user(s, name, PASSWORD, role, cities=scoped, hubs=hubs)
        s.flush()
        users = s.scalars(select(User)).all()
        return {u.username: accounts.principal(u) for u in users}


def _inboxes(database: Database) -> dict[str, list[tuple[str, str]]]:
    with database.read() as s:
        rows = s.execute(
            select(User.username, Notification.kind, Notification.link)
            .join(User, User.id == Notification.user_id)
            .order_by(Notification.id)
        ).all()
    found: dict[str, list[tuple[str, str]]] = {}
    for user, kind, link in rows:
        found.setdefault(user, []).append((kind, link))
    return found


def _period_id(database: Database) -> int:
    with database.read() as s:
        return cities.list_periods(s, ADMIN, cities.get_city(s, "northam"))[0].id


def _submit(database: Database, who: dict[str, Principal], period_id: int) -> None:
    """The city's editor submits the period."""
    with database.write() as s:
        period = cities.get_period(s, ADMIN, period_id)
        verification.transition(s, who["ed"], period, PeriodState.SUBMITTED, period.version, "")


def test_a_state_change_reaches_the_city_team_its_hub_and_admins_but_not_the_actor(database: Database) -> None:
    who = _world(database)
    period_id = _period_id(database)
    _submit(database, who, period_id)
    told = _inboxes(database)
    link = f"/periods/{period_id}"
    assert sorted(told) == ["boss", "hub", "vera"]  # not ed (the actor), not Southam's team, not the viewer
    assert all(kinds == [("period-state", link)] for kinds in told.values())
    with database.read() as s:
        (notice,) = s.scalars(select(Notification).where(Notification.user_id == who["vera"].user_id)).all()
    assert notice.params["city"] == "Northam" and notice.params["year"] == 2024
    assert notice.params["state"] == "submitted" and notice.actor == "ed" and notice.read_at is None


def test_a_query_reaches_the_editor_and_the_answer_the_verifier(database: Database) -> None:
    who = _world(database)
    period_id = _period_id(database)
    _submit(database, who, period_id)
    with database.write() as s:
        period = cities.get_period(s, ADMIN, period_id)
        verification.transition(s, who["vera"], period, PeriodState.UNDER_VERIFICATION, period.version, "")
    with database.write() as s:
        period = cities.get_period(s, ADMIN, period_id)
        review = s.scalars(select(Review).where(Review.period_id == period_id).order_by(Review.kpi)).first()
        assert review is not None
        verification.act(s, who["vera"], review, period, ReviewAction.QUERY, review.version, "Source?")
        review_id, kpi = review.id, review.kpi
    assert _inboxes(database)["ed"] == [
        ("period-state", f"/periods/{period_id}"),
        ("query-raised", f"/reviews/{review_id}"),
    ]
    with database.write() as s:
        review, period = verification.get_review(s, who["ed"], review_id)
        verification.act(s, who["ed"], review, period, ReviewAction.ANSWER, review.version, "The 2024 census.")
    assert _inboxes(database)["vera"][-1] == ("query-answered", f"/reviews/{review_id}")
    with database.write() as s:
        notifications.mark_read(s, who["ed"], [n.id for n in notifications.inbox(s, who["ed"])[1][1:]])
    with database.read() as s:
        assert notifications.unread_count(s, who["ed"].user_id or 0) == 1
        total, (raised, _state) = notifications.inbox(s, who["ed"])
    assert total == 2 and raised.params["kpi"] == kpi and raised.params["excerpt"] == "Source?"


def test_nothing_is_told_of_a_change_rolled_back(database: Database) -> None:
    who = _world(database)
    period_id = _period_id(database)
    with pytest.raises(RuntimeError), database.write() as s:
        period = cities.get_period(s, ADMIN, period_id)
        verification.transition(s, who["ed"], period, PeriodState.SUBMITTED, period.version, "")
        raise RuntimeError("the request failed after the change")
    assert _inboxes(database) == {}


def test_choices_decide_inbox_and_e_mail(database: Database) -> None:
    who = _world(database)
    period_id = _period_id(database)
    with database.write() as s:
        notifications.choose(s, who["vera"], {"period-state": Choice("period-state", False, True)}, "vera@example.org")
        notifications.choose(s, who["hub"], {"period-state": Choice("period-state", True, False)}, "hub@example.org")
    _submit(database, who, period_id)
    assert sorted(_inboxes(database)) == ["boss", "hub"]  # vera turned the inbox off for state changes
    with database.read() as s:
        mails = s.scalars(select(OutboxItem).where(OutboxItem.channel == "email")).all()
        assert [m.destination for m in mails] == ["vera@example.org"]  # hub turned e-mail off; boss has no address
        assert mails[0].payload["params"]["state"] == "submitted" and mails[0].state == "pending"
        assert {c.kind: (c.in_app, c.email) for c in notifications.choices(s, who["vera"])}["period-state"] == (
            False,
            True,
        )


def test_marking_read_touches_only_ones_own(database: Database) -> None:
    who = _world(database)
    period_id = _period_id(database)
    _submit(database, who, period_id)
    with database.write() as s:
        assert notifications.mark_read(s, who["vera"]) == 1
    with database.read() as s:
        assert notifications.unread_count(s, who["vera"].user_id or 0) == 0
        assert notifications.unread_count(s, who["hub"].user_id or 0) == 1


def test_the_rules_name_real_roles_and_every_kind_has_words() -> None:
    assert set(Recipient.__args__) <= {r.value for r in Role}  # type: ignore[attr-defined]
    assert rules().kind_of("transition", "period") == "period-state"
    # The workflow's kebab-case names since issue 13 (citykpi.platform.workflow), beside the older ones.
    assert rules().kind_of("submit-period", "period") == rules().kind_of("publish-period", "period") == "period-state"
    assert rules().kind_of("raise-query", "review") == "query-raised"
    assert rules().kind_of("reject-kpi", "review") == rules().kind_of("reject", "review") == "kpi-rejected"
    assert rules().kind_of("accept-kpi", "review") is None  # an accepted KPI asks nothing of anyone
    assert rules().kind_of("update", "entry") is None  # value edits are not notified
    for kind in rules().kinds.values():
        assert kind.title and kind.summary
