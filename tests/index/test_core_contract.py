"""The contract pieces end to end on the ASEM example: load, normalise, aggregate, rerun, scores."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from citykpi.index.config import parse_config
from citykpi.index.model import AGGREGATED
from citykpi.index.pipeline import rerun, run
from citykpi.index.results import scores
from citykpi.model.errors import DiagnosticError

ASEM = Path(__file__).resolve().parents[2] / "examples" / "asem"


def _config(steps: list[dict[str, object]], **extra: object) -> dict[str, object]:
    return {"data": {"units": "ASEM_iData.csv", "meta": "ASEM_iMeta.csv"}, "steps": steps, **extra}


def test_minmax_arithmetic_builds_every_level() -> None:
    cfg = parse_config(_config([{"step": "normalise"}, {"step": "aggregate"}]), ASEM)
    index = run(cfg)
    agg = index.datasets[AGGREGATED]
    cols = index.columns(AGGREGATED)
    assert agg.shape == (51, 49 + 8 + 2 + 1)
    norm = index.datasets["Normalised"]
    assert np.nanmin(norm) == 0 and np.nanmax(norm) == 100
    # the pillar "Physical" is the mean of its available children
    kids = [cols.index(c) for c in index.hierarchy.children("Physical")]
    expected = np.nanmean(agg[:, kids], axis=1)
    np.testing.assert_allclose(agg[:, cols.index("Physical")], expected)
    top = scores(index, level=4)
    assert list(top.columns) == ["unit", "time", "level", "code", "score", "rank"]
    assert top["rank"].min() == 1 and set(top["code"]) == {"Index"}


def test_rerun_changes_only_from_the_given_step() -> None:
    index = run(parse_config(_config([{"step": "normalise"}, {"step": "aggregate"}]), ASEM))
    again = rerun(index, "aggregate", {"aggregate": {"method": "geometric", "zeros": "shift"}})
    assert again.datasets["Normalised"] is index.datasets["Normalised"]
    assert again.log[-1].params["method"] == "geometric"
    assert not np.allclose(again.datasets[AGGREGATED][:, -1], index.datasets[AGGREGATED][:, -1])


def test_uncertain_parameter_of_absent_step_is_an_error() -> None:
    raw = _config([{"step": "normalise"}], uncertainty=[{"step": "aggregate", "param": "method", "values": ["a", "b"]}])
    with pytest.raises(DiagnosticError) as err:
        parse_config(raw, ASEM)
    assert err.value.diagnostics[0].location.field == "uncertainty[0].step"
    assert "not in the pipeline" in err.value.diagnostics[0].message


def test_rerun_through_screening_and_overrides_checked() -> None:
    index = run(parse_config(_config([{"step": "impute"}, {"step": "screen"}, {"step": "normalise"}]), ASEM))
    strict = rerun(index, "screen", {"screen": {"threshold": 1.0, "dataset": "Raw"}})
    assert 0 < len(strict.units) < len(index.units)
    assert strict.datasets["Normalised"].shape[0] == len(strict.units)
    assert strict.datasets["Imputed"].shape[0] == len(strict.units)
    assert strict.previous is not None and index.previous is not None
    assert strict.previous.previous is index.previous.previous  # the imputed state is reused, not rebuilt
    with pytest.raises(DiagnosticError, match="would be ignored"):
        rerun(index, "normalise", {"impute": {"method": "median"}})
    with pytest.raises(DiagnosticError) as err:
        rerun(index, "normalise", {"normalise": {"method": "cubic"}})
    assert err.value.diagnostics[0].location.field == "normalise.method"
