"""Audit tables, unit profiles and build comparison on the ASEM example pipeline."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from citykpi.index.analysis.compare import compare, mean_abs_rank_diff
from citykpi.index.analysis.profiles import unit_profile
from citykpi.index.analysis.report import audit
from citykpi.index.config import load_config
from citykpi.index.model import AGGREGATED, RAW, Index
from citykpi.index.pipeline import rerun, run
from citykpi.index.ranks import sport_rank
from citykpi.model.errors import DiagnosticError

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.fixture(scope="module")
def asem() -> Index:
    return run(load_config(EXAMPLES / "asem.yaml"))


def test_audit_tables(asem: Index) -> None:
    tables = audit(asem)
    assert {"stats_raw", "stats_treated", "correlations", "correlation_flags", "cronbach", "pca", "profiles"} <= set(
        tables
    )
    raw = tables["stats_raw"].set_index("code")
    assert raw.loc["LPI", "n_avail"] == 51
    assert raw.loc["LPI", "max"] == pytest.approx(np.nanmax(asem.datasets[RAW][:, 0]))
    corr = tables["correlations"]
    pair = corr[(corr.var1 == "LPI") & (corr.var2 == "Physical")].iloc[0]
    assert pair["relation"] == "ancestor" and pair["level1"] == 1 and pair["level2"] == 2
    assert corr[(corr.var1 == "Physical") & (corr.var2 == "LPI")].iloc[0]["relation"] == "descendant"
    assert corr[(corr.var1 == "LPI") & (corr.var2 == "Flights")].iloc[0]["relation"] == "sibling"
    assert len(corr) == 60 * 60
    alpha = tables["cronbach"].set_index("code")
    assert set(alpha.index) == set(asem.hierarchy.all_codes) - set(asem.hierarchy.indicators)
    assert 0 < alpha.loc["Physical", "alpha"] < 1
    pca = tables["pca"]
    physical = pca[pca.code == "Physical"]
    assert physical["explained"].sum() == pytest.approx(1.0) and len(physical) == 8
    loadings = tables["pca_loadings"]
    assert len(loadings[(loadings.parent == "Physical") & (loadings.component == 1)]) == 8
    flags = tables["correlation_flags"]
    assert set(flags["flag"]) <= {"collinear", "negative"}
    for row in flags.itertuples():
        assert asem.hierarchy.parent(row.var1) == asem.hierarchy.parent(row.var2) == row.group


def test_unit_profile_strengths_and_weaknesses(asem: Index) -> None:
    prof = unit_profile(asem, "AUT", top_n=3, bottom_n=3)
    assert prof.summary.iloc[0]["code"] == "Index"
    top = asem.datasets[AGGREGATED][:, -1]
    assert prof.summary.iloc[0]["rank"] == sport_rank(top)[asem.units.index("AUT")]
    adjusted = asem.datasets[RAW] * asem.hierarchy.directions(1)
    ranks = sport_rank(adjusted, axis=0)[asem.units.index("AUT")]
    assert list(prof.strengths["rank"]) == sorted(prof.strengths["rank"])
    assert prof.strengths["rank"].max() <= np.nanmin(prof.weaknesses["rank"])
    assert prof.weaknesses["rank"].max() == np.nanmax(ranks)
    for row in prof.strengths.itertuples():
        assert ranks[asem.hierarchy.indicators.index(row.code)] == row.rank
        assert asem.hierarchy.parent(row.code) == row.group  # report level 2 = the pillar
    with pytest.raises(DiagnosticError, match="no unit"):
        unit_profile(asem, "XXX")


def test_min_discard_drops_shared_worst_rank_from_strengths(asem: Index) -> None:
    worst_everywhere = unit_profile(asem, "AUT", top_n=49, bottom_n=0, min_discard=True)
    kept = unit_profile(asem, "AUT", top_n=49, bottom_n=0, min_discard=False)
    adjusted = sport_rank(asem.datasets[RAW] * asem.hierarchy.directions(1), axis=0)
    worst = np.nanmax(adjusted, axis=0)
    me = adjusted[asem.units.index("AUT")]
    n_worst = int(np.sum(me == worst))
    assert len(kept.strengths) - len(worst_everywhere.strengths) == n_worst


def test_compare_two_builds(asem: Index) -> None:
    same = compare(asem, asem)
    assert (same["abs_rank_diff"] == 0).all() and mean_abs_rank_diff(same) == 0
    geo = rerun(asem, "aggregate", {"aggregate": {"method": "geometric", "zeros": "shift"}})
    table = compare(asem, geo).set_index("unit")
    ra, rb = sport_rank(asem.datasets[AGGREGATED][:, -1]), sport_rank(geo.datasets[AGGREGATED][:, -1])
    i = asem.units.index("CHN")
    assert table.loc["CHN", "rank_diff"] == rb[i] - ra[i]
    assert mean_abs_rank_diff(table) == pytest.approx(np.mean(np.abs(rb - ra)))
    assert table["abs_rank_diff"].is_monotonic_decreasing
