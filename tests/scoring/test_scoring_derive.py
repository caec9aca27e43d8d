"""Leading-city targets: hand-computed quantiles, the minimum sample, the rules per kind, precedence, screening."""

from __future__ import annotations

from pathlib import Path

import pytest
from scoring_helpers import make_assessment, make_result

from citykpi.framework.model import Confidence, DataPoint, Direction, Kpi, Level, Provenance, ValueKind
from citykpi.model.assessment import Assessment
from citykpi.scoring.derive import BETTER, NO_DIRECTION, NOT_REACHED, TOO_FEW, derive
from citykpi.scoring.peers import ScreeningRule, screen, screening_rule
from citykpi.scoring.scorecard import score
from citykpi.scoring.targetfiles import read_targets, write_targets
from citykpi.scoring.targets import Target, TargetBook, TargetDirection, TargetKind, TargetLevel, TargetSet

RULE = ScreeningRule(low_quantile=0.01, high_quantile=0.99, change_quantile=0.95, source="test")


def kpi(code: str, *points: DataPoint) -> Kpi:
    return Kpi(
        code=code,
        name=f"KPI {code}",
        dimension="Society and Culture",
        subdimension="Education, Health and Culture",
        category="Education",
        level=Level.CORE,
        unit="%",
        data_points=list(points) or [DataPoint(unit="%")],
        provenance=Provenance(confidence=Confidence.HIGH, basis="test"),
    )


def cities(code: str, values: list[float | str], year: int = 2024, data_point: str = "value") -> list[Assessment]:
    """One assessment per value, each a different city (a string is a yes/no answer)."""
    found = []
    for i, v in enumerate(values):
        number, text = (None, v) if isinstance(v, str) else (v, None)
        result = make_result(code, number, text=text, data_point=data_point)
        found.append(make_assessment([result], year=year, city=f"City {i}"))
    return found


def run(assessments: list[Assessment], *kpis: Kpi, better: TargetBook | None = None, **options: float) -> TargetSet:
    derived = derive(
        assessments, {k.code: k for k in kpis}, better or TargetBook([]), name="peers", set_id="lead", rule=RULE,
        **options,  # type: ignore[arg-type]
    )  # fmt: skip
    return derived.targets


ONE_TO_TEN = [float(v) for v in range(1, 11)]


def test_higher_is_better_takes_the_90th_percentile_by_linear_interpolation() -> None:
    # Ten values 1..10: position (10 - 1) * 0.9 = 8.1 between the 9th (9) and 10th (10) value -> 9.1.
    (target,) = run(cities("A", ONE_TO_TEN), kpi("A")).targets
    assert target.value == pytest.approx(9.1)
    assert target.direction is TargetDirection.HIGHER and target.kind is TargetKind.LEADING_CITIES
    assert target.derivation is not None
    assert (target.derivation.quantile, target.derivation.cities, target.derivation.years) == (0.9, 10, {2024: 10})
    assert target.derivation.reference_set == "peers"
    # --quantile 0.5: position 4.5 between 5 and 6.
    (median,) = run(cities("A", ONE_TO_TEN), kpi("A"), q=0.5).targets
    assert median.value == pytest.approx(5.5)


def test_lower_is_better_is_the_same_quantile_of_the_negated_values() -> None:
    # The 90th percentile of -1..-10 is -1.9, i.e. the 10th percentile 1 + 0.9 * (2 - 1) = 1.9.
    lower = kpi("L", DataPoint(unit="%", direction=Direction.LOWER))
    (target,) = run(cities("L", ONE_TO_TEN[::-1]), lower).targets
    assert target.value == pytest.approx(1.9) and target.direction is TargetDirection.LOWER


def test_fewer_cities_than_the_minimum_give_no_target() -> None:
    nine = cities("A", ONE_TO_TEN[:9])
    derived = derive(nine, {"A": kpi("A")}, TargetBook([]), name="peers", set_id="x", rule=RULE)
    assert derived.targets.targets == []
    (left,) = derived.left_out
    assert left.why == TOO_FEW and "9 cities, fewer than the 10 needed" in left.reason
    # Nine values 1..9 with --min-cities 9: position 8 * 0.9 = 7.2 -> 8 + 0.2 = 8.2.
    (target,) = run(nine, kpi("A"), min_cities=9).targets
    assert target.value == pytest.approx(8.2)


def test_the_latest_year_of_each_city_counts() -> None:
    older = [
        a.model_copy(update={"profile": a.profile.model_copy(update={"year": 2020})}) for a in cities("A", [100.0] * 10)
    ]
    newer = cities("A", ONE_TO_TEN[:5], year=2023)  # cities 0-4 report again in 2023, 5-9 only in 2020
    (target,) = run(older + newer, kpi("A")).targets
    # Latest values: 1, 2, 3, 4, 5 and 100 five times -> the 90th percentile is 100.
    assert target.value == 100.0
    assert target.derivation is not None and target.derivation.years == {2020: 5, 2023: 5}


def test_yes_no_target_is_yes_when_the_leading_share_answers_yes() -> None:
    answer = kpi("Y", DataPoint(unit="yes/no", kind=ValueKind.BOOLEAN, direction=Direction.YES))
    (target,) = run(cities("Y", ["yes"] + ["no"] * 9), answer).targets  # 10 % say yes: the leading 10 %
    assert target.value is True and target.direction is TargetDirection.YES
    derived = derive(
        cities("Y", ["partial"] + ["no"] * 9), {"Y": answer}, TargetBook([]), name="p", set_id="x", rule=RULE
    )
    assert derived.targets.targets == [] and derived.left_out[0].why == NOT_REACHED


def test_two_sided_target_is_the_catalogue_reference_value() -> None:
    ratio = kpi("R", DataPoint(unit="ratio", direction=Direction.TARGET, target=1.0))
    (target,) = run(cities("R", [0.5 + v / 20 for v in ONE_TO_TEN]), ratio).targets
    assert target.value == 1.0 and target.direction is TargetDirection.TARGET
    assert target.derivation is not None and target.derivation.rule == "two-sided"


def test_no_direction_and_better_targets_are_left_out() -> None:
    context = kpi("N", DataPoint(unit="%", direction=Direction.NONE))
    public = TargetSet(id="pub", name="pub", targets=[Target(kpi="A", value=50, direction="higher", source="SDG")])
    derived = derive(
        cities("A", ONE_TO_TEN) + cities("N", ONE_TO_TEN), {"A": kpi("A"), "N": context}, TargetBook([public]),
        name="p", set_id="x", rule=RULE,
    )  # fmt: skip
    assert derived.targets.targets == []
    assert {(x.kpi, x.why) for x in derived.left_out} == {("A", BETTER), ("N", NO_DIRECTION)}
    assert {p.kpi for p in derived.targets.peers} == {"A", "N"}  # screening figures for every numeric data point


def test_public_beats_leading_cities_and_local_beats_both() -> None:
    multi = kpi("M", DataPoint(key="a", unit="%"), DataPoint(key="b", unit="%"))
    public = TargetSet(id="pub", name="pub", targets=[Target(kpi="M", value=50, direction="higher", source="SDG")])
    lead = run(cities("M", ONE_TO_TEN, data_point="a"), multi)
    assert lead.targets[0].data_point == "a"
    # The leading-cities file comes last and names the data point; the public KPI-wide target still wins.
    book = TargetBook([public, lead])
    assert book.benchmark("M", "a").source == "SDG"  # type: ignore[union-attr]
    assert [t.source_kind for t in book.targets("M", "a")] == [TargetKind.PUBLIC, TargetKind.LEADING_CITIES]
    local = TargetSet(
        id="city",
        name="city",
        targets=[Target(kpi="M", level=TargetLevel.LOCAL, value=70, direction="higher", source="plan")],
    )
    national = Target(kpi="M", level=TargetLevel.NATIONAL, value=60, direction="higher", source="law")
    book = TargetBook([local, public, lead, TargetSet(id="n", name="n", targets=[national])])
    assert [t.source for t in book.targets("M", "a")][:3] == ["plan", "law", "SDG"]
    assert national.source_kind is TargetKind.OFFICIAL
    # Without a public target the leading-cities one scores.
    card = score(make_assessment([make_result("M", 9.1, data_point="a")]), TargetBook([lead]))
    assert card.items[0].benchmark is not None and card.items[0].percent == pytest.approx(100.0)


def test_a_leading_cities_target_needs_its_derivation() -> None:
    with pytest.raises(ValueError, match="derivation"):
        Target(kpi="A", value=1.0, direction="higher", source="x", kind=TargetKind.LEADING_CITIES)


def test_written_file_reads_back_the_same(tmp_path: Path) -> None:
    history = cities("A", ONE_TO_TEN, year=2023) + cities("A", [v + 1 for v in ONE_TO_TEN])
    derived = derive(history, {"A": kpi("A")}, TargetBook([]), name="peers", set_id="lead", rule=screening_rule())
    path = write_targets(derived.targets, tmp_path / "lead.yaml")
    again, report = read_targets(path)
    assert report.valid, report.errors
    assert again == derived.targets
    assert not list(tmp_path.glob(".*partial"))


def test_screening_flags_values_and_changes_beyond_the_peers() -> None:
    # Latest values 2..11, yearly changes all +1: the 1-99 % range is 2.09..10.91, the change bound 1.
    history = cities("A", ONE_TO_TEN, year=2023) + cities("A", [v + 1 for v in ONE_TO_TEN])
    peers = run(history, kpi("A")).peers
    (figures,) = peers
    assert (figures.low, figures.high, figures.change, figures.changes) == (
        pytest.approx(2.09),
        pytest.approx(10.91),
        1.0,
        10,
    )
    odd = [make_assessment([make_result("A", 5.0)], year=2023), make_assessment([make_result("A", 11.5)], year=2024)]
    found = screen(odd, peers, RULE)
    assert [d.variant for d in found] == ["value", "change"]
    assert (
        "11.5 (2024) lies outside the 1%-99% range of the reference cities (2.09 to 10.91, 10 cities)"
        in found[0].message
    )
    assert "+6.5 a year from 2023 to 2024" in found[1].message
    usual = [make_assessment([make_result("A", 5.0)], year=2023), make_assessment([make_result("A", 6.0)], year=2024)]
    assert screen(usual, peers, RULE) == []
