"""Input designs for uncertainty and sensitivity analysis.

Samples live on the unit hypercube and are mapped to parameter values afterwards, so the design
(quasi-random Sobol' points, Saltelli's A/B/AB_i blocks) stays independent of what is varied.
The reference draws plain uniform Monte Carlo points; low-discrepancy Sobol' points give the same
estimators a faster convergence at equal N, which is why we use them.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVar

import numpy as np
from numpy.typing import NDArray
from scipy.stats import qmc

T = TypeVar("T")

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.intp]


@dataclass(frozen=True)
class SaltelliDesign:
    """The N(d+2) design: `a` and `b` are (N, d); `ab[i]` is `a` with column i taken from `b`.

    `stacked()` orders the runs as A, B, AB_1 ... AB_d (blocks of N rows), the layout the estimators
    and the rank statistics (which use only the A and B runs, as the reference does) rely on.
    """

    a: FloatArray
    b: FloatArray
    ab: FloatArray  # (d, N, d)

    @property
    def n(self) -> int:
        return int(self.a.shape[0])

    @property
    def d(self) -> int:
        return int(self.a.shape[1])

    def stacked(self) -> FloatArray:
        return np.concatenate([self.a, self.b, self.ab.reshape(-1, self.d)], axis=0)


def sobol_points(n: int, d: int, seed: int | None = None) -> FloatArray:
    """`n` scrambled Sobol' points in [0, 1)^d.

    Sobol' balance properties hold exactly only for powers of two; other `n` are still far more
    even than pseudo-random points, so scipy's warning about it is silenced rather than forcing
    users to pick powers of two.
    """
    if n < 1 or d < 1:
        raise ValueError(f"need at least one point and one dimension, got n={n}, d={d}")
    engine = qmc.Sobol(d=d, scramble=True, seed=seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return np.asarray(engine.random(n), dtype=np.float64)


def saltelli_design(n: int, d: int, seed: int | None = None) -> SaltelliDesign:
    """Saltelli's N(d+2) design built by SALib from a 2d-dimensional Sobol' sequence."""
    from SALib.sample import sobol as salib_sobol

    if d < 2:
        raise ValueError(f"a sensitivity analysis needs at least two uncertain inputs, got {d}")
    problem = {"num_vars": d, "names": [f"x{i}" for i in range(d)], "bounds": [[0.0, 1.0]] * d}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        rows = salib_sobol.sample(problem, n, calc_second_order=False, scramble=True, seed=seed)
    blocks = np.asarray(rows, dtype=np.float64).reshape(n, d + 2, d)
    return SaltelliDesign(
        a=blocks[:, 0, :].copy(), b=blocks[:, -1, :].copy(), ab=blocks[:, 1:-1, :].transpose(1, 0, 2).copy()
    )


def to_choice_index(u: FloatArray, n_alternatives: int) -> IntArray:
    """Map unit-interval samples to one of `n_alternatives` equally likely choices.

    [0, 1) is cut into equal bins; the reference's `cut(u, n)` instead cuts the observed range of
    the sample, which differs only when the sample does not reach 0 and 1.
    """
    if n_alternatives < 1:
        raise ValueError("at least one alternative is needed")
    idx = np.floor(np.asarray(u) * n_alternatives).astype(np.intp)
    return np.clip(idx, 0, n_alternatives - 1)


def to_choices(u: FloatArray, alternatives: Sequence[T]) -> list[T]:
    return [alternatives[i] for i in to_choice_index(u, len(alternatives))]


def to_range(u: FloatArray, low: float, high: float) -> FloatArray:
    """Uniform distribution on [low, high]."""
    if not high > low:
        raise ValueError(f"range upper bound {high} must exceed lower bound {low}")
    return low + np.asarray(u, dtype=np.float64) * (high - low)
