"""The batched replication engine against one-by-one rebuilds on the ASEM example."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from citykpi.index.config import parse_config
from citykpi.index.model import AGGREGATED, Index
from citykpi.index.pipeline import rerun, run
from citykpi.index.ranks import sport_rank
from citykpi.index.sensitivity.assumptions import Assumption, overrides
from citykpi.index.sensitivity.backend import Execution, evaluate
from citykpi.index.sensitivity.importance import leave_one_out, leave_one_out_all
from citykpi.index.sensitivity.replicate import REFUSED_POWER_MEAN, Replicator
from citykpi.index.sensitivity.study import sensitivity, uncertainty
from citykpi.model.errors import DiagnosticError

ASEM = Path(__file__).resolve().parents[2] / "examples" / "asem"
ZSCORE = {"method": "zscore", "range": None, "mean": 10, "sd": 2}
ASSUMPTIONS = [
    Assumption.discrete("normalisation", "normalise", "method", [{"method": "minmax", "range": [1, 100]}, ZSCORE]),
    Assumption.discrete("aggregation", "aggregate", "method", ["arithmetic", "geometric"]),
]


@pytest.fixture(scope="module")
def nominal() -> Index:
    raw = {
        "data": {"units": "ASEM_iData.csv", "meta": "ASEM_iMeta.csv"},
        "weights": {"Alt": {"Conn": 3.0}},
        "steps": [{"step": "normalise", "range": [1, 100]}, {"step": "aggregate"}],
    }
    return run(parse_config(raw, ASEM))


def _top(index: Index) -> np.ndarray:
    return index.datasets[AGGREGATED][:, -1]


def test_replications_equal_one_by_one_rebuilds(nominal: Index) -> None:
    runs = [
        {},
        {"aggregate": {"method": "geometric"}},
        {"normalise": ZSCORE},
        {"normalise": ZSCORE, "aggregate": {"method": "harmonic"}},
        {"aggregate": {"weights": "Alt"}},
        {"normalise": {"range": [0, 100]}, "aggregate": {"method": "geometric"}},  # zeros: refused, NaN
    ]
    rep = Replicator(nominal)
    got = rep.evaluate(runs * 3)
    for i, over in enumerate(runs[:5]):
        expected = _top(rerun(nominal, "normalise", over)) if over else _top(nominal)
        for k in range(3):
            np.testing.assert_allclose(got[i + 6 * k], expected, rtol=1e-12)
    with pytest.raises(DiagnosticError, match="positive"):
        rerun(nominal, "normalise", runs[5])
    assert np.isnan(got[5]).all() and rep.failed == 3
    assert list(rep.failures) == [REFUSED_POWER_MEAN]
    # parameters a step refuses fail their runs with the step's message; the other runs go on
    broken = rep.evaluate([{"normalise": {"method": "goalposts"}}, {}])
    assert np.isnan(broken[0]).all() and np.isfinite(broken[1]).all()
    assert any("goalposts need" in reason for reason in rep.failures)
    # two normalised states were computed beyond the nominal one, each once
    assert rep.states_built == 2


def test_sampled_overrides_merge_joint_alternatives() -> None:
    runs, table = overrides(ASSUMPTIONS, np.array([[0.1, 0.9], [0.7, 0.2]]))
    assert runs[0] == {"normalise": {"method": "minmax", "range": [1, 100]}, "aggregate": {"method": "geometric"}}
    assert runs[1]["normalise"] == ZSCORE and table[1]["aggregation"] == "arithmetic"
    cont = Assumption.continuous("noise", "aggregate", "p", 1.0, 3.0)
    assert overrides([cont], np.array([[0.5]]))[0] == [{"aggregate": {"p": 2.0}}]


def test_uncertainty_rank_bands(nominal: Index) -> None:
    study = uncertainty(nominal, ASSUMPTIONS, runs=64, seed=3)
    assert study.target == "Index" and study.ranks.shape == (64, 51)
    np.testing.assert_array_equal(study.nominal_ranks, sport_rank(_top(nominal)))
    rs = study.rank_stats
    assert (rs.q05 <= rs.median).all() and (rs.median <= rs.q95).all()
    assert (rs.q95 - rs.q05).max() > 0  # the assumptions do move ranks
    # every run's parameters are recorded, and both alternatives were sampled evenly
    methods = [p["aggregation"] for p in study.parameters]
    assert methods.count("geometric") == 32
    assert study.failed == 0


def test_sensitivity_indices_identify_an_inert_assumption(nominal: Index) -> None:
    inert = Assumption.discrete("threshold", "aggregate", "threshold", [0.0, 0.0001])
    study = sensitivity(nominal, [*ASSUMPTIONS, inert], n=64, seed=1, n_boot=100)
    assert study.samples.shape == (64 * 5, 3)
    assert study.indices is not None and study.unit_indices is not None
    total = study.indices.total
    assert total[2] == 0.0  # ASEM has no missing children after normalisation: the threshold never bites
    assert total[0] > 0.05 and total[1] > 0.05
    assert (study.indices.total_low <= study.indices.total_high).all()
    assert study.unit_indices.total.shape == (3, 51)
    assert np.nanmax(study.unit_indices.total[2]) == 0.0
    with pytest.raises(DiagnosticError, match="at least two"):
        sensitivity(nominal, ASSUMPTIONS[:1], n=8)


def test_workers_give_the_same_scores_as_one_process(nominal: Index) -> None:
    runs, _ = overrides(ASSUMPTIONS, np.random.default_rng(0).random((40, 2)))
    serial = evaluate(nominal, runs)
    seen: list[int] = []
    parallel = evaluate(nominal, runs, execution=Execution(workers=2), progress=seen.append)
    np.testing.assert_array_equal(serial.scores, parallel.scores)
    assert sum(seen) == 40


def test_dask_local_cluster_gives_the_same_scores(nominal: Index) -> None:
    from dask.distributed import LocalCluster

    runs, _ = overrides(ASSUMPTIONS, np.random.default_rng(1).random((20, 2)))
    serial = evaluate(nominal, runs)
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None) as cluster:
        remote = evaluate(nominal, runs, execution=Execution(scheduler=cluster.scheduler_address))
    np.testing.assert_array_equal(serial.scores, remote.scores)
    with pytest.raises(DiagnosticError, match="cannot reach the Dask scheduler"):
        evaluate(nominal, runs, execution=Execution(scheduler="tcp://127.0.0.1:9"))


def test_leave_one_out_matches_zero_weight_rebuild(nominal: Index) -> None:
    table = leave_one_out(nominal, 2)
    assert list(table["code"]) == nominal.hierarchy.codes(2)
    zero = {**nominal.weights, "P2P": 0.0}
    rebuilt = run(
        parse_config(
            {
                "data": {"units": "ASEM_iData.csv", "meta": "ASEM_iMeta.csv"},
                "weights": {"NoP2P": zero},
                "steps": [{"step": "normalise", "range": [1, 100]}, {"step": "aggregate", "weights": "NoP2P"}],
            },
            ASEM,
        )
    )
    expected = np.mean(np.abs(sport_rank(_top(rebuilt)) - sport_rank(_top(nominal))))
    got = table.set_index("code").loc["P2P", "mean_abs_rank_shift"]
    assert got == pytest.approx(expected) and got > 0
    everything = leave_one_out_all(nominal)
    assert len(everything) == 49 + 8 + 2
    with pytest.raises(DiagnosticError, match="level must be"):
        leave_one_out(nominal, 4)


def test_panel_data_is_ranked_within_each_year(tmp_path: Path) -> None:
    import pandas as pd

    data = pd.read_csv(ASEM / "ASEM_iData.csv")
    later = data.copy()
    later["Time"] = 2019
    later["LPI"] = later["LPI"] * 1.1
    pd.concat([data, later]).to_csv(tmp_path / "panel.csv", index=False)
    raw = {
        "data": {"units": str(tmp_path / "panel.csv"), "meta": str(ASEM / "ASEM_iMeta.csv")},
        "steps": [{"step": "normalise", "range": [1, 100]}, {"step": "aggregate"}],
    }
    nominal = run(parse_config(raw, ASEM))
    study = uncertainty(nominal, ASSUMPTIONS, runs=8, seed=0)
    time = nominal.data.time
    assert time is not None
    for year in (2018, 2019):
        rows = time == year
        assert sorted(study.nominal_ranks[rows]) == list(range(1, 52))
        assert np.nanmax(study.ranks[:, rows]) == 51


def test_noisy_weights_fast_path_equals_the_weights_step() -> None:
    raw = {
        "data": {"units": "ASEM_iData.csv", "meta": "ASEM_iMeta.csv"},
        "steps": [
            {"step": "normalise", "range": [1, 100]},
            {"step": "weights", "method": "metadata", "noise_levels": [2, 3]},
            {"step": "aggregate"},
        ],
    }
    nominal = run(parse_config(raw, ASEM))
    runs = [{"weights": {"noise": n, "seed": s}} for n, s in ((0.25, 1), (0.1, 2), (0.25, 3))]
    got = Replicator(nominal).evaluate(runs)
    for i, over in enumerate(runs):
        np.testing.assert_allclose(got[i], _top(rerun(nominal, "weights", over)), rtol=1e-12)
    # a continuous noise range: every run its own weight set, still one aggregation call per group
    study = uncertainty(nominal, [Assumption.continuous("noise", "weights", "noise", 0.0, 0.25)], runs=500, seed=2)
    assert study.failed == 0 and study.states_built == 0
    assert (study.rank_stats.q95 - study.rank_stats.q05).max() > 0
