"""Input designs for uncertainty and sensitivity analysis.

Samples live on the unit hypercube and are mapped to parameter values afterwards, so the design
(quasi-random Sobol' points, Saltelli's A/B/AB_i blocks) stays independent of what is varied.
The reference draws plain uniform Monte Carlo points; low-discrepancy Sobol' points give the same
estimators a faster convergence at equal N, which is why we use them.

The uncertainty points are Sobol' points from the Joe-Kuo direction numbers SALib ships
(`SALib.sample.directions`), generated here in one vectorised pass (the same points as SALib's
`sobol_sequence.sample`, which loops in Python at ~11 us a point) and randomised by Matousek's
linear matrix scramble and a digital shift, the randomisation scipy's `qmc.Sobol(scramble=True)`
applies. scipy's engine is not used for them because importing
`scipy.stats` costs ~0.65 s of CPU, over 40 % of the 1.5 s an uncertainty command is allowed from
start to finish (issue 15); the Saltelli design still comes from SALib's `sobol.sample`.
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import sys
import types
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TypeVar

import numpy as np
from numpy.typing import NDArray

from citykpi.model.collector import collector_paused

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


BITS = 31  # the precision of SALib's generator: points are k / 2**31


def sobol_points(n: int, d: int, seed: int | None = None) -> FloatArray:
    """`n` scrambled Sobol' points in [0, 1)^d.

    Balance properties hold exactly only for powers of two; other `n` are still far more even than
    pseudo-random points, so users need not pick powers of two. The scramble keeps the net
    structure: for n = 2**m every coordinate has one point in each interval [k/n, (k+1)/n).
    """
    if n < 1 or d < 1:
        raise ValueError(f"need at least one point and one dimension, got n={n}, d={d}")
    points: FloatArray = _scrambled(sobol_digits(n, d), np.random.default_rng(seed)) / float(2**BITS)
    return points


def sobol_digits(n: int, d: int) -> NDArray[np.uint64]:
    """The first `n` unscrambled Sobol' points times 2**BITS, as integers (SALib's points exactly)."""
    directions = direction_numbers()
    if n > 2**BITS or d > len(directions) + 1:
        raise ValueError(f"Sobol' points are limited to {2**BITS} points and {len(directions) + 1} dimensions")
    bits = max(1, (n - 1).bit_length())
    gray = np.arange(n, dtype=np.uint64)
    gray ^= gray >> np.uint64(1)
    digits = np.zeros((n, d), dtype=np.uint64)
    for j in range(d):
        for k, v in enumerate(_direction_integers(directions[j - 1] if j else None, bits)):
            digits[:, j] ^= ((gray >> np.uint64(k)) & np.uint64(1)) * np.uint64(v)
    return digits


@cache
def direction_numbers() -> tuple[tuple[int, ...], ...]:
    """SALib's Joe-Kuo table (`SALib/sample/directions.py`), run from its file without importing the
    SALib package, whose `__init__` imports pathos, multiprocess, dill and parts of scipy (~50 ms of
    the 1.5 s a 10,000-run uncertainty command may take, for a table of numbers).

    The collector is paused while the table's 21,201 tuples are built: they hold no cycles, and the
    full collection they would set off walks the whole heap of a process that imported pandas
    (~50 ms).
    """
    name = "SALib.sample.directions"
    if name in sys.modules:  # a sensitivity analysis imports SALib anyway
        table: tuple[tuple[int, ...], ...] = sys.modules[name].directions
        return table
    package = importlib.util.find_spec("SALib")  # finds the package without running its __init__
    if package is None or package.origin is None:
        raise ModuleNotFoundError("SALib, whose Sobol' direction numbers the uncertainty points use, is not installed")
    loader = importlib.machinery.SourceFileLoader(name, str(Path(package.origin).parent / "sample" / "directions.py"))
    module = types.ModuleType(name)
    with collector_paused():
        loader.exec_module(module)
    table = module.directions
    return table


def _direction_integers(numbers: Sequence[int] | None, bits: int) -> list[int]:
    """The direction integers v_1..v_bits of one dimension, scaled to BITS bits (Bratley and Fox's
    recurrence; `numbers` = (a, m_1, ..., m_s) of the Joe-Kuo table; None for the first dimension,
    whose m are all 1). Point i is the XOR of the v_k for the bits k set in gray(i)."""
    if numbers is None:
        return [1 << (BITS - k) for k in range(1, bits + 1)]
    a, m = numbers[0], list(numbers[1:])
    s = len(m)
    v = [m[k - 1] << (BITS - k) for k in range(1, min(bits, s) + 1)]
    for k in range(s + 1, bits + 1):
        vk = v[k - s - 1] ^ (v[k - s - 1] >> s)
        for i in range(1, s):
            vk ^= ((a >> (s - 1 - i)) & 1) * v[k - i - 1]
        v.append(vk)
    return v


def _scrambled(digits: NDArray[np.uint64], rng: np.random.Generator) -> NDArray[np.uint64]:
    """Each column times a random lower-triangular binary matrix with unit diagonal (output digit k
    depends on input digits 1..k, most significant first), then XOR a random shift, over GF(2)."""
    out = np.zeros_like(digits)
    full = np.uint64(2**BITS - 1)
    for j in range(digits.shape[1]):
        column = digits[:, j]
        rows = rng.integers(0, 2**BITS, size=BITS, dtype=np.uint64)
        scrambled = np.zeros_like(column)
        for position in range(BITS):  # the bit position of one output digit
            bit = np.uint64(1) << np.uint64(position)
            above = full & ~((bit << np.uint64(1)) - np.uint64(1))
            mask = (rows[position] & above) | bit
            scrambled |= (np.bitwise_count(column & mask).astype(np.uint64) & np.uint64(1)) << np.uint64(position)
        out[:, j] = scrambled ^ rng.integers(0, 2**BITS, dtype=np.uint64)
    return out


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
