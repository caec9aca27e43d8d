"""Every U4SSC formula against values worked out by hand (tests/framework/data/kpi_cases.yaml)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from citykpi.framework.catalogue import Catalogue
from citykpi.framework.formula import parse
from citykpi.framework.model import PROFILE_FIELDS

CASES_FILE = Path(__file__).parent / "data" / "kpi_cases.yaml"
DATA: dict[str, Any] = yaml.safe_load(CASES_FILE.read_text(encoding="utf-8"))
PROFILE: dict[str, float] = DATA["profile"]
CASES: dict[str, Any] = DATA["cases"]


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return Catalogue.load()


def test_every_kpi_has_a_hand_checked_case(catalogue: Catalogue) -> None:
    assert list(CASES) == list(catalogue.kpis)


@pytest.mark.parametrize("code", list(CASES))
def test_formula_gives_the_hand_computed_value(catalogue: Catalogue, code: str) -> None:
    kpi = catalogue.kpi(code)
    case = CASES[code]
    assert [d.key for d in kpi.data_points] == list(case["expected"])
    used: set[str] = set()
    for point in kpi.data_points:
        expected = case["expected"][point.key]
        if expected is None:
            assert point.formula is None, f"{code}/{point.key} should be reported directly"
            continue
        assert point.formula is not None
        formula = parse(point.formula)
        used |= formula.names
        got = formula.evaluate({**PROFILE, **case["inputs"]})
        assert got == pytest.approx(expected, rel=1e-12), f"{code}/{point.key}: {point.formula}"
    assert set(case["inputs"]) == used - set(PROFILE_FIELDS), "the case lists exactly the inputs the formulas use"


def _all_values(catalogue: Catalogue) -> tuple[dict[str, float], dict[tuple[str, str], float]]:
    inputs: dict[str, float] = dict(PROFILE)
    for code, case in CASES.items():
        for name, number in case["inputs"].items():
            assert inputs.setdefault(name, number) == number, f"{name} differs between cases ({code})"
    results = {}
    for kpi in catalogue.kpis.values():
        for point in kpi.data_points:
            if point.formula is not None:
                results[(kpi.code, point.key)] = float(parse(point.formula).evaluate(inputs))
    return inputs, results


def test_plausible_city_passes_every_check(catalogue: Catalogue) -> None:
    inputs, results = _all_values(catalogue)
    checks = [(kpi.code, check) for kpi in catalogue.kpis.values() for check in kpi.checks]
    assert len(checks) >= 78
    for code, check in checks:
        outcome = parse(check.expression).evaluate(inputs, lambda c, dp: results.get((c, dp)))
        assert outcome is True, f"{code} {check.id}: {check.expression}"


@pytest.mark.parametrize(
    ("check_id", "change", "outcome"),
    [
        ("fixed-broadband-below-internet-access", {"fixed_broadband_subscriptions": 18001}, False),
        ("fixed-broadband-below-internet-access", {"fixed_broadband_subscriptions": 18000}, True),
        ("potable-below-basic-water", {"households_potable_water": 19801}, False),
        ("smart-electricity-meters-above-water", {"smart_electricity_meters": 5999}, False),
        ("smart-electricity-meters-above-water", {"smart_electricity_meters": 6000}, True),
        ("mode-shares-not-above-100", {"commuters_walking": 3200}, False),
        ("mode-shares-near-100", {"commuters_walking": 1000}, False),
        ("disposal-shares-near-100", {"waste_other_t": 0}, False),
        ("households-with-internet-not-above-households", {"households_with_internet": 20001}, False),
        ("rd-below-5-percent", {"rd_expenditure": 200_000_000}, False),
    ],
)
def test_checks_flag_implausible_values(
    catalogue: Catalogue, check_id: str, change: dict[str, float], outcome: bool
) -> None:
    inputs, _ = _all_values(catalogue)
    inputs.update(change)
    results = {
        (k.code, d.key): float(parse(d.formula).evaluate(inputs))
        for k in catalogue.kpis.values()
        for d in k.data_points
        if d.formula is not None
    }
    [check] = [c for k in catalogue.kpis.values() for c in k.checks if c.id == check_id]
    assert parse(check.expression).evaluate(inputs, lambda c, dp: results.get((c, dp))) is outcome
