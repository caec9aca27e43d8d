"""The KPI history's peer lines, the hub map, the hub filters' choices and the comparison behind similar
cities, kept per data revision and read scope (`web.charts.PEERS`, `web.charts.MAPS`,
`web.hub_view.CHOICES`, `http.similar.COMPARED`): they follow an edit of a city's value at once, and a
reader sees only the years it may see (both databases)."""

from __future__ import annotations

from sqlalchemy import select

from citykpi.demo.cities import CITIES
from citykpi.http.similar import similar_cities
from citykpi.platform import cities, similar, values
from citykpi.platform.demo import load_demo
from citykpi.platform.roles import PUBLIC, Principal, Role
from citykpi.report import labels
from citykpi.report.i18n import number
from citykpi.store.db import Database
from citykpi.store.schema import Entry
from citykpi.web.charts import Asked, build
from citykpi.web.hub_view import choices
from citykpi.web.views import point_scores

ADMIN = Principal("root", Role.ADMIN)
KPI, POINT = "EC: ICT: ICT: 4C", "coverage_4g"
YEARS = (2022, 2023)  # the demo publishes the first, leaves the last a draft


def _peers(database: Database, who: Principal) -> list[tuple[str, int]]:
    with database.read() as session:
        chart = build("kpi-history", Asked(session, who, {"city": "lotusgate", "kpi": KPI, "point": POINT}, "en"))
    own, *peers = chart.rows  # one row a city, one column a year, the city first
    assert own[0] == "Lotusgate"
    years = [int(str(year)) for year in chart.columns[1:]]
    cells = [(str(row[0]), year, value) for row in peers for year, value in zip(years, row[1:], strict=True)]
    return [(name, year) for name, year, value in cells if value is not None]


def _map(database: Database, who: Principal) -> dict[str, tuple[int, str]]:
    """Each city of the map's table: the year shown and what its score covers."""
    with database.read() as session:
        chart = build("map", Asked(session, who, {}, "en"))
    return {str(row[0]): (int(str(row[2])), str(row[5])) for row in chart.rows}


def _withdraw_a_value_of_puerto_quimera(database: Database) -> None:
    with database.write() as session:
        puerto = cities.get_city(session, "puerto-quimera")
        period = cities.list_periods(session, ADMIN, puerto)[-1]
        entry = session.scalars(
            select(Entry).where(Entry.period_id == period.id, Entry.name == "population_covered_4g")
        ).first()
        assert entry is not None
        edit = values.EntryEdit(kpi=KPI, kind=entry.kind, name=entry.name, value=None, status="not available")
        values.set_value(session, ADMIN, period, edit, entry.version, "withdrawn")


def test_peer_lines_follow_an_edit_and_the_readers_scope(database: Database) -> None:
    load_demo(database, CITIES[:4], YEARS, accounts=False)
    assert ("Puerto Quimera", 2023) in _peers(database, ADMIN)
    assert _peers(database, PUBLIC) == [("Puerto Quimera", 2022)]  # kept apart: the public sees no draft
    _withdraw_a_value_of_puerto_quimera(database)
    assert _peers(database, ADMIN) == [("Puerto Quimera", 2022)]


def test_the_hub_map_and_its_choices_follow_an_edit_and_the_readers_scope(database: Database) -> None:
    load_demo(database, CITIES[:4], YEARS, accounts=False)
    team, public = _map(database, ADMIN), _map(database, PUBLIC)
    assert {year for year, _covers in team.values()} == {2023}
    assert {year for year, _covers in public.values()} == {2022}  # kept apart: the public sees no draft
    with database.read() as session:
        assert (choices(session, ADMIN).years, choices(session, PUBLIC).years) == ([2022, 2023], [2022])
    _withdraw_a_value_of_puerto_quimera(database)
    edited = _map(database, ADMIN)
    assert edited["Puerto Quimera"] != team["Puerto Quimera"]  # one data point fewer reported
    assert {k: v for k, v in edited.items() if k != "Puerto Quimera"} == {
        k: v for k, v in team.items() if k != "Puerto Quimera"
    }
    assert _map(database, PUBLIC) == public


def test_the_history_table_has_a_row_a_city_its_own_values_with_their_band(database: Database) -> None:
    load_demo(database, CITIES[:4], YEARS, accounts=False)
    with database.read() as session:
        chart = build("kpi-history", Asked(session, ADMIN, {"city": "lotusgate", "kpi": KPI, "point": POINT}, "en"))
        periods = cities.list_periods(session, ADMIN, cities.get_city(session, "lotusgate"))
        scored = [point_scores(session, [p.id], KPI, POINT)[p.id] for p in periods]
    assert chart.columns[1:] == [str(p.year) for p in periods] == [str(y) for y in YEARS]
    assert all(item.band is not None and item.result.value is not None for item in scored)
    written = [f"{number(i.result.value, 'en', 2)} ({labels.BAND[i.band]})" for i in scored]  # type: ignore[index,arg-type]
    assert chart.rows[0] == ["Lotusgate", *written]
    assert len({row[0] for row in chart.rows}) == len(chart.rows) > 1  # each city of the group once


def _similar(database: Database, who: Principal) -> tuple[similar.Similarity, similar.Similarity]:
    """Puerto Quimera's similar cities, kept and computed afresh."""
    with database.read() as session:
        city = cities.get_city(session, "puerto-quimera")
        return similar_cities(session, who, city), similar.similar_cities(session, who, city)


def test_the_kept_comparison_of_similar_cities_follows_an_edit_and_the_readers_scope(database: Database) -> None:
    load_demo(database, CITIES[:4], YEARS, accounts=False)
    kept, fresh = _similar(database, ADMIN)
    assert kept == fresh and kept.year == YEARS[1] and kept.by_kpis
    public, fresh_public = _similar(database, PUBLIC)
    assert public == fresh_public and public.year == YEARS[0]  # kept apart: the public sees no draft
    _withdraw_a_value_of_puerto_quimera(database)
    edited, fresh = _similar(database, ADMIN)
    assert edited == fresh != kept  # one data point fewer compared
    assert _similar(database, PUBLIC)[0] == public
