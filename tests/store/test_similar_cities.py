"""Similar cities on a real database: distances worked out by hand, directions, visibility, leads and lags."""

from __future__ import annotations

import math
import statistics

import pytest

from citykpi.framework.catalogue import Catalogue
from citykpi.framework.model import Direction
from citykpi.platform import cities
from citykpi.platform.roles import PUBLIC, Principal, Role
from citykpi.platform.seed import ensure_framework
from citykpi.platform.similar import similar_cities
from citykpi.platform.workflow import PeriodState
from citykpi.store.db import Database
from citykpi.store.schema import Result

ADMIN = Principal("setup", Role.ADMIN)
# Twelve numeric data points where higher is better, and one where lower is.
CATALOGUE = Catalogue.load()
HIGHER = [
    (k.code, d.key)
    for k in CATALOGUE.kpis.values()
    for d in k.data_points
    if d.direction is Direction.HIGHER and d.kind.value == "number"
][:12]
LOWER = next(
    (k.code, d.key)
    for k in CATALOGUE.kpis.values()
    for d in k.data_points
    if d.direction is Direction.LOWER and d.kind.value == "number"
)
BASE = [float(10 + 3 * i) for i in range(12)]


def _city(db: Database, name: str, country: str, population: float | None, values: list[float] | None,
          lower: float = 5.0, status: PeriodState = PeriodState.PUBLISHED) -> None:  # fmt: skip
    with db.write() as s:
        city = cities.create_city(s, ADMIN, name, country=country, population=population, area_km2=100.0)
        if values is None:
            return
        period = cities.create_period(s, ADMIN, city, 2024, ensure_framework(s))
        period.status = status.value
        for (code, point), value in [*zip(HIGHER, values, strict=True), (LOWER, lower)]:
            s.add(Result(period_id=period.id, code=code, data_point=point, dimension="d", level="core",
                         status="reported", value=value, record={}))  # fmt: skip


@pytest.fixture
def db(database: Database) -> Database:
    _city(database, "Alpha", "X", 100_000, BASE, lower=5.0)
    _city(database, "Beta", "X", 110_000, BASE, lower=5.0)  # the same KPI values
    _city(database, "Gamma", "X", 1_000_000, [v + (2 if i % 2 else -2) for i, v in enumerate(BASE)], lower=5.0)
    # Delta is Alpha's size abroad; its KPI values are Alpha's, but far worse on the lower-is-better one.
    _city(database, "Delta", "Y", 100_000, [*BASE[:11], 80.0], lower=50.0)
    _city(database, "Epsilon", "X", None, None)  # no profile figure, no period: never similar
    _city(database, "Zeta", "X", 105_000, BASE, status=PeriodState.DRAFT)  # seen by the admin only
    return database


def _z(values: list[float], x: float) -> float:
    return (x - statistics.fmean(values)) / statistics.pstdev(values)


def test_profile_distance_is_the_rms_of_log_gaps_with_one_sd_for_another_country(db: Database) -> None:
    with db.read() as s:
        result = similar_cities(s, PUBLIC, cities.get_city(s, "alpha"))
    logs = [math.log(p) for p in (100_000, 110_000, 1_000_000, 100_000, 105_000)]  # Zeta's city is public
    gap_beta = _z(logs, math.log(110_000)) - _z(logs, math.log(100_000))  # density has the same gaps (area 100)
    expected = {
        "beta": math.sqrt((2 * gap_beta**2 + 0) / 3),
        "zeta": math.sqrt((2 * (_z(logs, math.log(105_000)) - _z(logs, logs[0])) ** 2) / 3),
        "delta": math.sqrt((0 + 0 + 1) / 3),
        "gamma": math.sqrt((2 * (_z(logs, logs[2]) - _z(logs, logs[0])) ** 2 + 0) / 3),
    }
    got = {n.slug: n.distance for n in result.by_profile}
    assert list(got) == sorted(expected, key=expected.__getitem__)
    assert got == pytest.approx(expected)
    assert all(n.compared_on == 3 for n in result.by_profile)  # population, density, country
    assert "epsilon" not in got and result.cities_compared == 6


def test_kpi_distance_uses_directions_and_only_what_the_caller_may_see(db: Database) -> None:
    with db.read() as s:
        public = similar_cities(s, PUBLIC, cities.get_city(s, "alpha"))
        admin = similar_cities(s, ADMIN, cities.get_city(s, "alpha"))
    # Delta differs on two points by ~2.3 sd each, Gamma on eleven by 2.3 sd: Delta is the nearer.
    assert [n.slug for n in public.by_kpis] == ["beta", "delta", "gamma"]  # Zeta's year is a draft
    assert public.by_kpis[0].distance == 0.0 and public.by_kpis[0].compared_on == 13
    assert {n.slug for n in admin.by_kpis} == {"beta", "zeta", "gamma", "delta"}
    assert [n.year for n in public.by_kpis] == [2024, 2024, 2024]


def test_leads_and_lags_against_the_cities_alike_by_profile(db: Database) -> None:
    with db.read() as s:
        delta = similar_cities(s, PUBLIC, cities.get_city(s, "delta"))
    # Delta reports 80 on the last higher-is-better point (the others 43) and 50 on the lower one (others 5).
    lead, lag = delta.leads[0], delta.lags[0]
    assert (lead.code, lead.data_point) == HIGHER[-1] and lead.value == 80.0 and lead.peer_median == BASE[-1]
    assert (lag.code, lag.data_point) == LOWER and lag.value == 50.0 and lag.peer_median == 5.0
    assert lead.score > 0 > lag.score and lead.peers >= 2
    assert all(g.score > 0 for g in delta.leads) and all(g.score < 0 for g in delta.lags)
