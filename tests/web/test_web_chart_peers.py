"""The KPI history's peer lines, kept per data revision and read scope (`web.charts.PEERS`): they follow
an edit of a peer city's value at once, and a reader sees only the peers' years it may see (both
databases)."""

from __future__ import annotations

from sqlalchemy import select

from citykpi.demo.cities import CITIES
from citykpi.platform import cities, values
from citykpi.platform.demo import load_demo
from citykpi.platform.roles import PUBLIC, Principal, Role
from citykpi.store.db import Database
from citykpi.store.schema import Entry
from citykpi.web.charts import Asked, build

ADMIN = Principal("root", Role.ADMIN)
KPI, POINT = "EC: ICT: ICT: 4C", "coverage_4g"
YEARS = (2022, 2023)  # the demo publishes the first, leaves the last a draft


def _peers(database: Database, who: Principal) -> list[tuple[str, int]]:
    with database.read() as session:
        chart = build("kpi-history", Asked(session, who, {"city": "lotusgate", "kpi": KPI, "point": POINT}, "en"))
    return [(str(row[0]), int(str(row[1]))) for row in chart.rows if row[0] != "Lotusgate"]


def test_peer_lines_follow_an_edit_and_the_readers_scope(database: Database) -> None:
    load_demo(database, CITIES[:4], YEARS, accounts=False)
    assert ("Puerto Quimera", 2023) in _peers(database, ADMIN)
    assert _peers(database, PUBLIC) == [("Puerto Quimera", 2022)]  # kept apart: the public sees no draft
    with database.write() as session:
        puerto = cities.get_city(session, "puerto-quimera")
        period = cities.list_periods(session, ADMIN, puerto)[-1]
        entry = session.scalars(
            select(Entry).where(Entry.period_id == period.id, Entry.name == "population_covered_4g")
        ).first()
        assert entry is not None
        edit = values.EntryEdit(kpi=KPI, kind=entry.kind, name=entry.name, value=None, status="not available")
        values.set_value(session, ADMIN, period, edit, entry.version, "withdrawn")
    assert _peers(database, ADMIN) == [("Puerto Quimera", 2022)]
