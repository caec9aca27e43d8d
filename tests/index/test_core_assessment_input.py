"""Index input from citykpi assessment results: U4SSC hierarchy, directions, panel years, sub-index."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from citykpi.assess.frame import stack
from citykpi.framework.catalogue import Catalogue
from citykpi.index.config import parse_config
from citykpi.index.model import AGGREGATED
from citykpi.index.pipeline import run
from citykpi.index.results import scores
from citykpi.model.assessment import Assessment, KpiResult, ResultStatus
from citykpi.model.errors import DiagnosticError
from citykpi.model.submission import CityProfile


def _assessment(city: str, year: int, seed: int, catalogue: Catalogue) -> Assessment:
    rng = np.random.default_rng(seed)
    results = [
        KpiResult(
            code=kpi.code,
            data_point=dp.key,
            name=kpi.name,
            dimension=kpi.dimension,
            subdimension=kpi.subdimension,
            category=kpi.category,
            level=kpi.level.value,
            unit=dp.unit,
            value=float(rng.uniform(1, 100)),
            status=ResultStatus.COMPUTED,
        )
        for kpi in catalogue.kpis.values()
        for dp in kpi.data_points
    ]
    return Assessment(profile=CityProfile(city=city, year=year), frameworks=["u4ssc"], results=results)


@pytest.fixture(scope="module")
def assessment_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    catalogue = Catalogue.load()
    items = [_assessment(c, y, i, catalogue) for i, (c, y) in enumerate([(c, y) for c in "ABCD" for y in (2022, 2023)])]
    frame = stack(items)
    frame.loc[(frame["city"] == "B") & (frame["year"] == 2023), "value"] = None  # B did not report in 2023
    path = tmp_path_factory.mktemp("assess") / "kpis.csv"
    frame.to_csv(path, index=False)
    return path


def _config(path: Path, **data: object) -> dict[str, object]:
    return {
        "data": {"assessment": str(path), **data},
        "steps": [{"step": "normalise", "method": "minmax"}, {"step": "aggregate", "method": "arithmetic"}],
    }


def test_u4ssc_hierarchy_from_assessment(assessment_csv: Path) -> None:
    index = run(parse_config(_config(assessment_csv, year=2022)))
    h = index.hierarchy
    assert h.n_levels == 5 and h.codes(5) == ["Index"]
    assert set(h.codes(4)) == {"Economy", "Environment", "Society and Culture"}
    assert len(h.codes(3)) == 7
    # "Water and Sanitation" exists under several sub-dimensions: one aggregate per path
    water = [c for c in h.codes(2) if c.endswith("/Water and Sanitation")]
    assert len(water) >= 2
    assert sorted(index.units) == ["A", "B", "C", "D"]
    catalogue = Catalogue.load()
    lower = [
        (k.code if len(k.data_points) == 1 else f"{k.code}:{dp.key}")
        for k in catalogue.kpis.values()
        for dp in k.data_points
        if dp.direction.value == "lower"
    ]
    assert lower and all(h.direction(c) == -1 for c in lower)
    top = scores(index, level=5)
    assert top["rank"].notna().all()


def test_panel_years_and_sub_index(assessment_csv: Path) -> None:
    index = run(parse_config(_config(assessment_csv)))
    assert index.data.time is not None and len(index.units) == 8
    top = scores(index, level=5)
    assert top.groupby("time")["rank"].min().tolist() == [1, 1]
    assert top[(top["unit"] == "B") & (top["time"] == 2023)]["score"].isna().all()
    ict = [c for c in index.hierarchy.indicators if c.startswith("EC: ICT")]
    sub = run(parse_config(_config(assessment_csv, year=2022, indicators=ict)))
    assert sub.hierarchy.indicators == ict
    assert sub.hierarchy.codes(4) == ["Economy"]
    assert np.isfinite(sub.datasets[AGGREGATED][:, -1]).all()


def test_unknown_year_is_reported(assessment_csv: Path) -> None:
    with pytest.raises(DiagnosticError, match="no assessment rows for year 1999"):
        run(parse_config(_config(assessment_csv, year=1999)))
