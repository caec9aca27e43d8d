"""The import answer names the values edited through the API since their last import that the file replaced."""

from __future__ import annotations

from pathlib import Path

from apiworld import World
from test_api_flow import KPI, _csv, _edit, _upload


def test_an_import_answers_which_edits_it_replaced(world: World, tmp_path: Path) -> None:
    editor = world.client("editor")
    period = world.periods["alpha"]
    assert _upload(editor, period, _csv(tmp_path, 80_000)).json()["overwritten"] == []
    value = editor.get(f"/api/v1/periods/{period}/values", params={"kpi": KPI}).json()["items"][0]
    edited = editor.put(f"/api/v1/periods/{period}/values", json={**_edit(82_000), "version": value["version"]})
    assert edited.status_code == 200
    answer = _upload(editor, period, _csv(tmp_path, 80_000)).json()
    (replaced,) = answer["overwritten"]
    assert (replaced["kpi"], replaced["name"], replaced["edited_by"]) == (KPI, "households_with_internet", "editor")
    assert (replaced["old"]["value"], replaced["new"]["value"]) == (82_000, 80_000)
    assert _upload(editor, period, _csv(tmp_path, 80_000)).json()["overwritten"] == []
