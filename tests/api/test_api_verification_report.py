"""The Verification Report made on the platform: decisions from the reviews, verifiers, the query log."""

from __future__ import annotations

import pytest
from apiworld import World

from citykpi.demo.cities import CITIES
from citykpi.platform import accounts, cities, verification
from citykpi.platform.demo import load_demo
from citykpi.platform.roles import Principal, Role
from citykpi.platform.workflow import PeriodState, ReviewAction
from citykpi.store.schema import Period

ADMIN = Principal("setup", Role.ADMIN)
QUESTION = "Which table of the statistics office gives the 2023 figure?"
ANSWER = "Table 4.2 of the 2023 yearbook, households surveyed in May."


@pytest.fixture
def verified(world: World) -> tuple[World, int, str]:
    """Lotusgate's draft year walked to verified, with one query answered before the verifier accepted."""
    spec = next(s for s in CITIES if s.name == "Lotusgate")
    db = world.app.state.db  # type: ignore[attr-defined]
    load_demo(db, [spec], (2022, 2023), accounts=False)
    with db.write() as s:
        vera = accounts.principal(
            accounts.create_user(
                s, "vera", "correct horse battery", Role.VERIFIER, cities=["lotusgate"], display_name="Vera Verifier"
            )
        )
        eddie = accounts.principal(
            accounts.create_user(
                s, "eddie", "correct horse battery", Role.CITY_EDITOR, cities=["lotusgate"], display_name="Eddie Editor"
            )
        )
    with db.write() as s:
        period = next(p for p in cities.get_city(s, "lotusgate").periods if p.year == 2023)
        verification.transition(s, ADMIN, period, PeriodState.SUBMITTED, period.version, "complete")
        verification.transition(s, vera, period, PeriodState.UNDER_VERIFICATION, period.version, "")
        first = verification.reviews(s, period)[0]
        queried = verification.act(s, vera, first, period, ReviewAction.QUERY, first.version, QUESTION)
        verification.act(s, eddie, queried, period, ReviewAction.ANSWER, queried.version, ANSWER)
        for review in verification.reviews(s, period):
            verification.act(s, vera, review, period, ReviewAction.ACCEPT, review.version, "")
        verification.transition(s, vera, period, PeriodState.VERIFIED, period.version, "all accepted")
        return world, period.id, first.kpi


def test_report_names_the_verifiers_and_logs_each_query_with_its_date_and_author(
    verified: tuple[World, int, str],
) -> None:
    world, period_id, kpi = verified
    with world.app.state.db.read() as s:  # type: ignore[attr-defined]
        period = s.get(Period, period_id)
        assert period is not None
        messages = [m for r in verification.reviews(s, period) if r.kpi == kpi for m in r.messages]
        dates = [m.created_at.strftime("%Y-%m-%d") for m in messages]
    page = world.client("admin").get(f"/api/v1/periods/{period_id}/reports/verification")
    assert page.status_code == 200
    text = page.text
    assert "decision recorded on the platform: accepted counts as verified" in text
    assert "verification column of the city" not in text
    assert "Verifiers: Vera Verifier." in text and "Declared verified by Vera Verifier on" in text
    log = text.split("Query log</h2>", 1)[1].split("Next steps", 1)[0]
    assert kpi in log and QUESTION in log and ANSWER in log and "Eddie Editor" in log and "Vera Verifier" in log
    assert all(d in log for d in dates)
    assert all(f">{action}<" in log for action in ("query", "answer", "accept"))
