from __future__ import annotations

import pytest
from scoring_helpers import make_assessment, make_result

from citykpi.model.assessment import ResultStatus
from citykpi.scoring.rules import Band
from citykpi.scoring.scorecard import Coverage, GroupLevel, Standing, score
from citykpi.scoring.targets import Target, TargetBook, TargetDirection, TargetLevel, TargetSet


def book(*targets: Target) -> TargetBook:
    return TargetBook([TargetSet(id="t", name="t", targets=list(targets))])


def higher(kpi: str, value: float, **extra: object) -> Target:
    return Target.model_validate({"kpi": kpi, "value": value, "direction": "higher", "source": "test", **extra})


def test_education_example_pools_points_and_leaves_out_unreported_and_unbenchmarked() -> None:
    # values chosen to give 1, 3, 4, 1 points against a target of 100
    results = [make_result("ED1", 20), make_result("ED2", 70), make_result("ED3", 99), make_result("ED4", 10)]
    targets = book(*(higher(f"ED{i}", 100) for i in range(1, 5)))
    card = score(make_assessment(results), targets)
    assert [i.points for i in card.items] == [1, 3, 4, 1]
    education = card.group(GroupLevel.CATEGORY, "Society and Culture", "Education, Health and Culture", "Education")
    assert education is not None
    assert (education.points, education.max_points, education.percent, education.band) == (
        9,
        16,
        56.25,
        Band.FROM_33_TO_66,
    )

    # only three reported (3, 4, 2), plus one without a benchmark: 9/12 = 75 %
    results = [make_result("ED1"), make_result("ED2", 70), make_result("ED3", 99), make_result("ED4", 40)]
    results.append(make_result("ED5", 1234))
    card = score(make_assessment(results), targets)
    assert card.city.percent == 75.0 and card.city.band is Band.FROM_66_TO_95
    assert (card.city.items, card.city.reported, card.city.scored) == (5, 4, 3)
    assert [i.standing for i in card.items] == [
        Standing.NOT_REPORTED,
        Standing.SCORED,
        Standing.SCORED,
        Standing.SCORED,
        Standing.NO_BENCHMARK,
    ]


def test_data_points_score_separately_and_groups_nest() -> None:
    env = {"dimension": "Environment", "subdimension": "Environment", "category": "Air Quality"}
    results = [
        make_result("AQ", 5, data_point="pm2_5", **env),  # 4 points
        make_result("AQ", 20, data_point="pm10", **env),  # 15/20 = 75 % -> 3
        make_result("ICT", 30, dimension="Economy", subdimension="ICT", category="ICT Infrastructure"),  # 30 % -> 1
    ]
    lower = {"direction": "lower", "source": "WHO"}
    targets = book(
        Target.model_validate({"kpi": "AQ", "data_point": "pm2_5", "value": 5, **lower}),
        Target.model_validate({"kpi": "AQ", "data_point": "pm10", "value": 15, **lower}),
        higher("ICT", 100),
    )
    card = score(make_assessment(results), targets)
    assert [i.points for i in card.items] == [4, 3, 1]
    environment = card.group(GroupLevel.DIMENSION, "Environment")
    assert environment is not None and environment.points == 7 and environment.scored == 2
    assert card.city.points == 8 and card.city.percent == pytest.approx(200 / 3)
    assert [g.name for g in card.level(GroupLevel.DIMENSION)] == ["Environment", "Economy"]


def test_most_local_target_wins_and_later_files_override_at_the_same_level() -> None:
    sdg = higher("K", 100, level=TargetLevel.INTERNATIONAL, source="SDG")
    law = higher("K", 80, level=TargetLevel.NATIONAL, source="Swiss law")
    official = higher("K", 90, source="official table")
    both = TargetBook(
        [
            TargetSet(id="a", name="a", targets=[sdg, law]),
            TargetSet(id="b", name="b", targets=[official]),
        ]
    )
    assert both.benchmark("K", "value") == law
    assert both.targets("K", "value") == [law, official, sdg]
    sets = [TargetSet(id="a", name="a", targets=[sdg]), TargetSet(id="b", name="b", targets=[official])]
    only_international = TargetBook(sets)
    assert only_international.benchmark("K", "value") == official


def test_yes_no_kpi_is_scored_and_unfit_answer_is_flagged() -> None:
    yes = Target(kpi="PLAN", value=True, direction=TargetDirection.YES, source="Sendai")
    card = score(
        make_assessment([make_result("PLAN", text="yes"), make_result("PLAN2", text="maybe")]),
        book(yes, yes.model_copy(update={"kpi": "PLAN2"})),
    )
    assert card.items[0].points == 4
    assert card.items[1].standing is Standing.UNSCORABLE and card.items[1].points is None


def test_coverage_counts_scored_reported_and_framework_data_points_at_every_level() -> None:
    # one scored, one unbenchmarked, one unfit answer, one not reported, one not applicable
    yes = Target(kpi="PLAN", value=True, direction=TargetDirection.YES, source="Sendai")
    results = [
        make_result("ED1", 90),
        make_result("ED2", 5),
        make_result("PLAN", text="maybe", category="Health"),
        make_result("ED3"),
        make_result("ED4", status=ResultStatus.NOT_APPLICABLE),
    ]
    card = score(make_assessment(results), book(higher("ED1", 100), yes))
    assert card.city.coverage == Coverage(scored=1, reported=3, framework=5)
    assert card.city.percent == 75.0  # the U4SSC headline still counts the one scored data point only
    health = card.group(GroupLevel.CATEGORY, "Society and Culture", "Education, Health and Culture", "Health")
    assert health is not None and health.coverage == Coverage(scored=0, reported=1, framework=1)
    assert health.coverage.share_scored == 0.0 and card.city.coverage.share_scored == 0.2
