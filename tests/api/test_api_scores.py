"""Scores through the HTTP API say what they cover: scored, reported and framework data points."""

from __future__ import annotations

from pathlib import Path

from apiworld import World
from test_api_flow import _csv, _upload


def test_scores_answer_gives_each_group_its_coverage_beside_the_percentage(world: World, tmp_path: Path) -> None:
    editor = world.client("editor")
    period = world.periods["alpha"]
    assert _upload(editor, period, _csv(tmp_path, 82_000)).status_code == 200
    framework = editor.get(f"/api/v1/periods/{period}/results", params={"limit": 1}).json()["total"]

    answer = editor.get(f"/api/v1/periods/{period}/scores")
    assert answer.status_code == 200, answer.text
    groups = answer.json()
    city = groups[0]
    assert city["level"] == "city" and city["path"] == []
    assert city["coverage"] == {"scored": 1, "reported": 1, "framework": framework}
    assert framework > 100  # the whole framework stays in the count although one data point was reported
    assert city["percent"] is not None and city["max_points"] == 4  # the headline counts the scored point only
    economy = next(g for g in groups if g["level"] == "dimension" and g["path"] == ["Economy"])
    assert economy["coverage"]["reported"] == 1 and economy["percent"] == city["percent"]
    environment = next(g for g in groups if g["level"] == "dimension" and g["path"] == ["Environment"])
    assert environment["coverage"]["reported"] == 0 and environment["percent"] is None
    assert sum(g["coverage"]["framework"] for g in groups if g["level"] == "dimension") == framework

    assert world.client().get(f"/api/v1/periods/{period}/scores").status_code == 404  # a draft is not public
