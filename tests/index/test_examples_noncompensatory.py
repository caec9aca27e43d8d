"""The MPI and BoD examples build with `citykpi index build`, and their scores obey their definitions."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import linprog
from typer.testing import CliRunner

from citykpi.index.cli import index_app

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _build(name: str, out: Path) -> pd.DataFrame:
    result = CliRunner().invoke(index_app, ["build", str(EXAMPLES / name), "-o", str(out)])
    assert result.exit_code == 0, result.stderr
    return pd.read_csv(out / "aggregated.csv")


def _pillars(meta: pd.DataFrame, parent: str) -> list[str]:
    return meta.loc[meta["Parent"] == parent, "iCode"].tolist()


def test_mpi_example(tmp_path: Path) -> None:
    table = _build("asem-mpi.yaml", tmp_path)
    meta = pd.read_csv(EXAMPLES / "asem" / "ASEM_iMeta.csv")
    for node in ("Conn", "Sust"):
        x = table[_pillars(meta, node)].to_numpy()
        z = 100 + 10 * (x - x.mean(axis=0)) / x.std(axis=0)  # population sd over the units
        m, s = z.mean(axis=1), z.std(axis=1)
        np.testing.assert_allclose(table[node], m - s * s / m, rtol=1e-12)
    np.testing.assert_allclose(table["Index"], (table["Conn"] + table["Sust"]) / 2, rtol=1e-12)


def _bod_score(x: np.ndarray, unit: int, lo: float, hi: float) -> float:
    """The unit's LP written out: max x_u.w, X w <= 1, lo <= w_j x_uj / x_u.w <= hi, w >= 0."""
    xu = x[unit]
    share = [np.where(np.arange(x.shape[1]) == j, xu[j], 0.0) for j in range(x.shape[1])]
    a_ub = [*x, *(lo * xu - s for s in share), *(s - hi * xu for s in share)]
    b_ub = [1.0] * x.shape[0] + [0.0] * (2 * x.shape[1])
    return float(-linprog(-xu, A_ub=np.array(a_ub), b_ub=b_ub, bounds=(0, None)).fun)


def test_bod_example(tmp_path: Path) -> None:
    table = _build("asem-bod.yaml", tmp_path)
    meta = pd.read_csv(EXAMPLES / "asem" / "ASEM_iMeta.csv")
    for node in ("Conn", "Sust"):
        scores = table[node].to_numpy()
        assert abs(scores.max() - 1) < 1e-9 and scores.min() > 0  # someone is on the frontier
        x = table[_pillars(meta, node)].to_numpy()
        for unit in (int(np.argmin(scores)), int(np.argsort(scores)[len(scores) // 2])):
            assert scores[unit] == pytest.approx(_bod_score(x, unit, 0.05, 0.5), abs=1e-9)
