"""Figures for the composite-index engine: pipeline speed at city scale, uncertainty and sensitivity runs.

1. Full pipeline (impute, treat, normalise, aggregate) on synthetic data: 13,000 cities x 91
   indicators x 4 levels (91 indicators -> 22 categories -> 3 dimensions -> index). Target < 1 s.
2. Uncertainty analysis, 10,000 replications, on examples/asem-sensitivity.yaml (the reference's
   four assumptions). Target < 10 s. Compared with the reference (about 0.12 s per replication on a
   2-core machine, i.e. 1,200 s) and with a naive loop rebuilding the whole pipeline per
   replication, measured here on a few hundred replications.
3. Sensitivity analysis with N = 1,000 (N(d+2) = 6,000 runs) on the same configuration.
4. Peak memory of the process (getrusage maxrss). Target < 4 GiB.

Usage: python bench/index_bench.py [--units 13000] [--ua-runs 10000] [--sa-n 1000] [--naive 200] [--workers 2]
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from citykpi.index.config import load_config
from citykpi.index.pipeline import apply, load, run
from citykpi.index.sensitivity.assumptions import from_config, overrides
from citykpi.index.sensitivity.backend import Execution
from citykpi.index.sensitivity.sampling import sobol_points
from citykpi.index.sensitivity.study import sensitivity, uncertainty

ROOT = Path(__file__).resolve().parents[1]
ASEM_SA = ROOT / "examples" / "asem-sensitivity.yaml"
REFERENCE_SECONDS_PER_RUN = 0.12


# The worked example's four assumptions (examples/asem-sensitivity.yaml), for the synthetic cities.
CITY_UNCERTAINTY = [
    {"name": "winmax", "step": "treat", "param": "winmax", "values": [1, 2, 3, 4, 5]},
    {"name": "normalisation", "step": "normalise", "param": "method", "values": ["minmax", "zscore"]},
    {"name": "normalisation", "step": "normalise", "param": "range", "values": [[1, 100], None]},
    {"name": "normalisation", "step": "normalise", "param": "mean", "values": [0, 10]},
    {"name": "normalisation", "step": "normalise", "param": "sd", "values": [1, 2]},
    {"name": "weights", "step": "weights", "param": "seed", "values": list(range(1, 101))},
    {"name": "aggregation", "step": "aggregate", "param": "method", "values": ["arithmetic", "geometric"]},
]  # fmt: skip


def synthetic(folder: Path, n_units: int, seed: int = 0, uncertain: bool = False) -> Path:
    """Unit data and metadata tables for 91 indicators in 22 categories and 3 dimensions; 5 % missing.

    `uncertain`: the pipeline gets a noisy weights step (levels 2 and 3, +/-25 %) and the four
    assumptions of the worked example, for uncertainty runs at city scale.
    """
    rng = np.random.default_rng(seed)
    n_ind, n_cat, n_dim = 91, 22, 3
    cats = [f"C{j:02d}" for j in range(n_cat)]
    meta = [{"Level": 1, "iCode": f"K{i:02d}", "Parent": cats[i % n_cat], "Direction": 1 if i % 4 else -1,
             "Weight": 1, "Type": "Indicator"} for i in range(n_ind)]  # fmt: skip
    meta += [
        {"Level": 2, "iCode": c, "Parent": f"D{j % n_dim}", "Weight": 1, "Type": "Aggregate"}
        for j, c in enumerate(cats)
    ]
    meta += [{"Level": 3, "iCode": f"D{k}", "Parent": "Index", "Weight": 1, "Type": "Aggregate"} for k in range(n_dim)]
    meta += [{"Level": 4, "iCode": "Index", "Weight": 1, "Type": "Aggregate"}]
    values = rng.lognormal(mean=2.0, sigma=0.8, size=(n_units, n_ind))  # skewed, so treatment has work
    values[rng.random(values.shape) < 0.05] = np.nan
    units = pd.DataFrame(values, columns=[m["iCode"] for m in meta[:n_ind]])
    units.insert(0, "uCode", [f"U{i:05d}" for i in range(n_units)])
    units.insert(1, "uName", units["uCode"])
    units.to_csv(folder / "units.csv", index=False)
    pd.DataFrame(meta).to_csv(folder / "meta.csv", index=False)
    config = {
        "data": {"units": "units.csv", "meta": "meta.csv"},
        "steps": [
            {"step": "impute", "method": "mean"},
            {"step": "treat", "winmax": 5},
            {"step": "normalise", "method": "minmax", "range": [0, 100]},
            {"step": "aggregate", "method": "arithmetic"},
        ],
    }
    if uncertain:
        config["steps"][2:3] = [{"step": "normalise", "method": "minmax", "range": [1, 100]},
                                {"step": "weights", "method": "metadata", "noise": 0.25, "noise_levels": [2, 3]}]  # fmt: skip
        config["uncertainty"] = CITY_UNCERTAINTY
    path = folder / "synthetic.yaml"
    path.write_text(yaml.safe_dump(config))
    return path


def bench_pipeline(n_units: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        cfg = load_config(synthetic(Path(tmp), n_units))
        t0 = time.perf_counter()
        index = load(cfg)
        t1 = time.perf_counter()
        for params in cfg.steps:
            index = apply(index, params)
        t2 = time.perf_counter()
    print(f"pipeline, {n_units} units x 91 indicators x 4 levels: {t2 - t1:.3f} s (target < 1 s); "
          f"reading the CSV tables: {t1 - t0:.3f} s")  # fmt: skip


def naive_seconds_per_run(n: int) -> float:
    """Rebuild the whole pipeline from the raw tables' Index for each sampled parameter set."""
    cfg = load_config(ASEM_SA)
    assumptions = from_config(cfg)
    runs, _ = overrides(assumptions, sobol_points(n, len(assumptions), seed=7))
    raw = load(cfg)
    t0 = time.perf_counter()
    for over in runs:
        index = raw
        for params in cfg.steps:
            changed = over.get(params.step)
            step = type(params).model_validate({**params.model_dump(), **changed}) if changed else params
            index = apply(index, step)
    return (time.perf_counter() - t0) / n


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--units", type=int, default=13_000)
    parser.add_argument("--ua-runs", type=int, default=10_000)
    parser.add_argument("--sa-n", type=int, default=1_000)
    parser.add_argument("--naive", type=int, default=200, help="replications of the naive rebuild loop")
    parser.add_argument("--workers", type=int, default=2)
    args, _ = parser.parse_known_args()

    bench_pipeline(args.units)

    cfg = load_config(ASEM_SA)
    nominal = run(cfg)
    assumptions = from_config(cfg)
    ua = uncertainty(nominal, assumptions, args.ua_runs, seed=0)
    reference = REFERENCE_SECONDS_PER_RUN * args.ua_runs
    naive = naive_seconds_per_run(args.naive)
    print(f"uncertainty analysis, {args.ua_runs} replications (ASEM, 4 assumptions), 1 process: {ua.seconds:.2f} s "
          f"(target < 10 s); {ua.states_built} upstream states computed; {ua.failed} failed runs")  # fmt: skip
    print(f"  reference ~{REFERENCE_SECONDS_PER_RUN} s/run -> {reference:.0f} s: {reference / ua.seconds:.0f}x faster")
    naive_total = naive * args.ua_runs
    print(f"  naive rebuild loop measured on {args.naive} runs: {naive * 1000:.1f} ms/run -> "
          f"{naive_total:.0f} s for {args.ua_runs}: {naive_total / ua.seconds:.0f}x faster")  # fmt: skip
    if args.workers > 1:
        par = uncertainty(nominal, assumptions, args.ua_runs, seed=0, execution=Execution(workers=args.workers))
        print(f"  same with --workers {args.workers}: {par.seconds:.2f} s")
    sa = sensitivity(nominal, assumptions, args.sa_n, seed=0, n_boot=1000)
    assert sa.indices is not None
    total = ", ".join(f"{a.label} {v:.2f}" for a, v in zip(sa.assumptions, sa.indices.total, strict=True))
    print(f"sensitivity analysis, N={args.sa_n} ({len(sa.parameters)} runs, 1,000 bootstrap draws, per-unit "
          f"indices): {sa.seconds:.2f} s; total-order indices: {total}")  # fmt: skip
    reference_sa = REFERENCE_SECONDS_PER_RUN * len(sa.parameters)
    print(f"  reference ~{reference_sa:.0f} s for the same runs: {reference_sa / sa.seconds:.0f}x faster")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2  # KiB on Linux
    print(f"peak memory (maxrss of this process): {peak:.2f} GiB (target < 4 GiB)")


if __name__ == "__main__":
    sys.exit(main())
