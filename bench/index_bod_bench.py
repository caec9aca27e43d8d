"""Benefit-of-the-Doubt: one block-diagonal HiGHS programme per node against one LP per unit.

Both on the same synthetic data in the same run (uniform achievements, seeded), the one-by-one
baseline being `noncompensatory._bod_one` in a loop, as the step solved it before. Robust BoD
(order-m, 100 draws of 20 units) likewise: per unit one joint programme against one LP per draw.
Prints seconds (best of `--repeat`), the ratio, the largest score difference and the load average.

Usage: python bench/index_bod_bench.py [--units 51] [--children 5] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Callable

import numpy as np

from citykpi.index import noncompensatory


def _best(action: Callable[[], object], repeat: int) -> tuple[float, np.ndarray]:
    best, out = float("inf"), np.empty(0)
    for _ in range(repeat):
        start = time.perf_counter()
        out = np.asarray(action())
        best = min(best, time.perf_counter() - start)
    return best, out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--units", type=int, default=51)
    parser.add_argument("--children", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    x = np.random.default_rng(0).uniform(0, 100, (args.units, args.children))
    print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    joint, scores = _best(lambda: noncompensatory.bod(x), args.repeat)
    single, baseline = _best(lambda: [noncompensatory._bod_one(x[i], x, None) for i in range(len(x))], args.repeat)
    print(
        f"bod {args.units} x {args.children}: joint {joint:.4f} s, one LP per unit {single:.4f} s, "
        f"ratio {single / joint:.1f}, max difference {np.abs(scores - baseline).max():.1e}"
    )
    draws = np.random.default_rng(1).choice(len(x), size=(100, 20))
    joint, _ = _best(
        lambda: noncompensatory._bod_many(np.tile(x[0], (100, 1)), [x[d] for d in draws], None), args.repeat
    )
    single, _ = _best(lambda: [noncompensatory._bod_one(x[0], x[d], None) for d in draws], args.repeat)
    print(
        f"robust_bod, one unit, 100 draws of 20: joint {joint:.4f} s, one LP per draw {single:.4f} s, "
        f"ratio {single / joint:.1f} (x {args.units} units for the node)"
    )
    print(f"load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
