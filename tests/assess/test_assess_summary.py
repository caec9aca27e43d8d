"""Reporting counts as a verifier would write them, on the hand-built framework."""

from __future__ import annotations

from citykpi.assess.engine import assess
from citykpi.assess.summary import KpiState, kpi_state, summary
from citykpi.framework.catalogue import Catalogue
from citykpi.model.submission import CityProfile, Entry, EntryKind, Status, Submission


def _entry(kpi: str, name: str, value: object, status: Status = Status.REPORTED, kind: str = "input") -> Entry:
    return Entry(kpi=kpi, kind=EntryKind(kind), name=name, value=value, status=status)  # type: ignore[arg-type]


def _submission() -> Submission:
    return Submission(
        profile=CityProfile(city="Testville", country="Nowhere", year=2023, population=20_000, households=8_000),
        entries=[
            _entry("EC: T: 1C", "households_with_internet", 6_000),  # reported
            _entry("EC: T: 3A", "value", "yes", kind="value"),  # reported (qualitative)
            _entry("EN: T: 1C", "pm25_mean", 11.0),  # air pollution: NO2 missing -> partial
            _entry("EN: T: 2C", "waste_total", 1_000),
            _entry("EN: T: 2C", "waste_landfill", 600),
            _entry("EN: T: 2C", "waste_recycled", 400),
            _entry("EN: T: 2C", "waste_incinerated", None, Status.NOT_APPLICABLE),  # still fully reported
            _entry("SC: T: 1C", "physicians", 40),  # reported
        ],
    )


def test_kpi_states_follow_their_data_points(mini: Catalogue) -> None:
    a = assess(_submission(), mini)
    by_code: dict[str, list] = {}
    for r in a.results:
        by_code.setdefault(r.code, []).append(r)
    assert {code: kpi_state(rows) for code, rows in by_code.items()} == {
        "EC: T: 1C": KpiState.REPORTED,
        "EC: T: 2C": KpiState.NOT_REPORTED,
        "EC: T: 3A": KpiState.REPORTED,
        "EC: T: 4A": KpiState.NOT_REPORTED,
        "EN: T: 1C": KpiState.PARTIAL,
        "EN: T: 2C": KpiState.REPORTED,
        "SC: T: 1C": KpiState.REPORTED,
    }


def test_summary_counts_per_dimension_subdimension_and_level(mini: Catalogue) -> None:
    s = summary(assess(_submission(), mini))
    assert (s.city, s.country, s.year) == ("Testville", "Nowhere", 2023)
    t = s.total
    assert (t.kpis, t.kpis_reported, t.kpis_partial, t.kpis_not_reported, t.kpis_not_applicable) == (7, 4, 1, 2, 0)
    assert (t.data_points, t.data_points_reported, t.data_points_not_applicable) == (10, 6, 1)
    dims = {d.dimension: (d.kpis, d.kpis_reported, d.kpis_partial, d.data_points_reported) for d in s.by_dimension}
    assert dims == {"Economy": (4, 2, 0, 2), "Environment": (2, 1, 1, 3), "Society and Culture": (1, 1, 0, 1)}
    subs = {(d.dimension, d.subdimension): d.kpis_reported for d in s.by_subdimension}
    assert subs == {
        ("Economy", "ICT"): 1,
        ("Economy", "Infrastructure"): 1,
        ("Environment", "Environment"): 1,
        ("Society and Culture", "Health"): 1,
    }
    levels = {lv.level: (lv.kpis, lv.kpis_reported) for lv in s.by_level}
    assert levels == {"core": (5, 3), "advanced": (2, 1)}
    assert s.not_reported == ["EC: T: 2C", "EC: T: 4A"]
    assert [(p.code, p.missing) for p in s.partial] == [("EN: T: 1C", ["no2"])]


def test_a_kpi_whose_data_points_are_all_not_applicable_is_counted_apart(mini: Catalogue) -> None:
    sub = _submission()
    sub.entries.append(_entry("EC: T: 4A", "value", None, Status.NOT_APPLICABLE, kind="value"))
    s = summary(assess(sub, mini))
    assert (s.total.kpis_not_applicable, s.total.kpis_not_reported) == (1, 1)


def test_the_package_exports_the_summary_function_even_after_its_module_is_imported() -> None:
    import importlib

    importlib.import_module("citykpi.assess.summary")
    from citykpi.assess import summary as exported

    assert exported is summary
