"""Indicator statistics table with the reference's audit flags.

Thresholds default to the reference (availability 0.65, non-zero 0.5, unique 0.5, |skew| > 2 AND
kurtosis > 3.5 flags possible outliers). Skew and kurtosis are the bias-corrected type-2 sample
estimators (Excel SKEW/KURT, e1071 type 2), the same the outlier treatment tests. As in the
reference the non-zero and unique flags divide by all units, while the `frc_*` columns divide by
the available values.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy import stats as sps


@dataclass(frozen=True)
class StatThresholds:
    avail: float = 0.65
    zero: float = 0.5
    unique: float = 0.5
    skew: float = 2.0
    kurt: float = 3.5


def _column_stats(x: NDArray[np.float64], n: int, t: StatThresholds) -> dict[str, float | int | str]:
    v = x[~np.isnan(x)]
    n_avail = int(v.size)
    if n_avail == 0:
        return {"n_avail": 0, "frc_avail": 0.0, "flag_avail": "LOW"}
    uniq, counts = np.unique(v, return_counts=True)
    nonzero = int(np.count_nonzero(v))
    skew = float(sps.skew(v, bias=False)) if n_avail > 2 and uniq.size > 1 else np.nan
    kurt = float(sps.kurtosis(v, bias=False)) if n_avail > 3 and uniq.size > 1 else np.nan
    return {
        "min": float(v.min()),
        "max": float(v.max()),
        "mean": float(v.mean()),
        "median": float(np.median(v)),
        "sd": float(v.std(ddof=1)) if n_avail > 1 else np.nan,
        "skew": skew,
        "kurt": kurt,
        "n_avail": n_avail,
        "n_nonzero": nonzero,
        "n_zero": n_avail - nonzero,
        "n_unique": int(uniq.size),
        "n_same": int(counts.max()),
        "frc_avail": n_avail / n,
        "frc_nonzero": nonzero / n_avail,
        "frc_unique": uniq.size / n_avail,
        "frc_same": counts.max() / n_avail,
        "flag_avail": "ok" if n_avail / n >= t.avail else "LOW",
        "flag_nonzero": "ok" if nonzero / n >= t.zero else "LOW",
        "flag_unique": "ok" if uniq.size / n >= t.unique else "LOW",
        "flag_skewkurt": "OUT" if abs(skew) > t.skew and kurt > t.kurt else "ok",
    }


COLUMNS = [
    "code", "min", "max", "mean", "median", "sd", "skew", "kurt", "n_avail", "n_nonzero", "n_zero", "n_unique",
    "n_same", "frc_avail", "frc_nonzero", "frc_unique", "frc_same", "flag_avail", "flag_nonzero", "flag_unique",
    "flag_skewkurt",
]  # fmt: skip


def indicator_stats(
    values: NDArray[np.float64], codes: Sequence[str], thresholds: StatThresholds | None = None
) -> pd.DataFrame:
    """One row per column of `values` (units x indicators, NaN = missing)."""
    t = thresholds or StatThresholds()
    values = np.asarray(values, dtype=np.float64)
    if values.ndim != 2 or values.shape[1] != len(codes):
        raise ValueError(f"values must be units x {len(codes)} columns, got shape {values.shape}")
    rows = [{"code": c, **_column_stats(values[:, j], values.shape[0], t)} for j, c in enumerate(codes)]
    return pd.DataFrame(rows, columns=COLUMNS)
