"""The SDSN US Cities SDG Index 2019 rebuilt from raw inputs matches every published score and rank."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from citykpi.index.config import load_config
from citykpi.index.model import Index
from citykpi.index.pipeline import run
from citykpi.index.results import scores, wide

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
PUBLISHED = EXAMPLES / "sdsn-us-cities-2019" / "2019USCitiesIndexResults_Results.csv"


@pytest.fixture(scope="module")
def index() -> Index:
    return run(load_config(EXAMPLES / "sdsn-us-cities-2019.yaml"))


@pytest.fixture(scope="module")
def published() -> pd.DataFrame:
    return pd.read_csv(PUBLISHED)


def test_units_and_framework(index: Index) -> None:
    assert len(index.units) == 105
    assert len(index.hierarchy.indicators) == 57
    assert len(index.hierarchy.codes(2)) == 15


def test_normalised_indicators_match(index: Index, published: pd.DataFrame) -> None:
    norm = wide(index, "Normalised")
    for code in index.hierarchy.indicators:
        np.testing.assert_allclose(norm[code], published[f"n_{code}"], atol=1e-4, err_msg=code)


def test_goal_scores_and_index_match(index: Index, published: pd.DataFrame) -> None:
    agg = wide(index)
    assert [str(u) for u in agg["unit"]] == [str(c) for c in published["Cbsa"]]
    for goal in index.hierarchy.codes(2):
        np.testing.assert_allclose(agg[goal], published[f"score_sdg{goal[3:]}"], atol=1e-4, err_msg=goal)
    np.testing.assert_allclose(agg["Index"], published["score_sdgi"], atol=1e-4)


def test_every_rank_matches(index: Index, published: pd.DataFrame) -> None:
    top = scores(index, level=3)
    np.testing.assert_array_equal(top["rank"].to_numpy(), published["rank_sdgIndex"].to_numpy())


def test_region_ranks_restart_at_one(index: Index) -> None:
    by_region = scores(index, level=3, group="Region")
    assert (by_region.groupby("Region")["rank"].min() == 1).all()
