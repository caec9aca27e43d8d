"""Figures for the composite-index engine: pipeline speed at city scale, uncertainty and sensitivity runs.

1. Full pipeline (impute, treat, normalise, aggregate) on synthetic data: 13,000 cities x 91
   indicators x 4 levels (91 indicators -> 22 categories -> 3 dimensions -> index). Target < 1 s.
2. Uncertainty analysis, 10,000 replications, on examples/asem-sensitivity.yaml (the reference's
   four assumptions), in this process. Compared with COINr (95 ms per replication, measured on
   this machine, issue 15) and with a naive loop rebuilding the whole pipeline per replication,
   measured here on a few hundred replications.
3. Sensitivity analysis with N = 1,000 (N(d+2) = 6,000 runs) on the same configuration.
4. The command end to end (`citykpi index sensitivity ... --type ua --runs R --no-static`, a new
   process each time, start-up, reading, charts as HTML and every output file included), for
   R = 1,000 and 10,000, in pairs run back to back: the cost of one replication is the extra time
   of 10,000 over 1,000 divided by 9,000 (target <= 30 us); the 10,000-run command target < 1.5 s.
   One more 10,000-run command with the default PNG charts shows what their rendering adds, and the
   CPU time of writing one self-contained HTML chart page (its inline scripts read once per process).
5. 1,000 uncertainty replications over 10,000 synthetic cities x 91 KPIs (seeded; the worked
   example's assumptions), in one process, on `--workers 2` local processes and on a two-worker
   Dask LocalCluster (its workers having imported the engine first, as a long-lived cluster's
   have; the scatter of the nominal index is timed), with the speed-ups over one process.
   Target < 30 s on 2 cores.
6. Peak memory of the process (getrusage maxrss). Target < 4 GiB.

The machine is shared: every figure is printed with the load average (/proc/loadavg) beside it.
Usage: python bench/index_bench.py [--units 13000] [--ua-runs 10000] [--sa-n 1000] [--naive 200]
       [--workers 2] [--repeat 3] [--city-units 10000] [--city-runs 1000] [--sections all]
"""

from __future__ import annotations

import argparse
import importlib
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from citykpi.index.config import load_config
from citykpi.index.model import Index
from citykpi.index.pipeline import apply, load, run
from citykpi.index.sensitivity.assumptions import Assumption, from_config, overrides
from citykpi.index.sensitivity.backend import Execution
from citykpi.index.sensitivity.sampling import sobol_points
from citykpi.index.sensitivity.study import sensitivity, uncertainty

ROOT = Path(__file__).resolve().parents[1]
ASEM_SA = ROOT / "examples" / "asem-sensitivity.yaml"
REFERENCE_SECONDS_PER_RUN = 0.095  # COINr, one ASEM replication, measured on this machine (issue 15)
SECTIONS = ("pipeline", "ua", "sa", "command", "city")


def loadavg() -> str:
    return "load average " + " ".join(Path("/proc/loadavg").read_text().split()[:3])


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
    config: dict[str, Any] = {
        "data": {"units": "units.csv", "meta": "meta.csv"},
        "steps": [
            {"step": "impute", "method": "mean"},
            {"step": "treat", "winmax": 5},
            {"step": "normalise", "method": "minmax", "range": [0, 100]},
            {"step": "aggregate", "method": "arithmetic"},
        ],
    }
    if uncertain:
        noisy = {"step": "weights", "method": "metadata", "noise": 0.25, "noise_levels": [2, 3]}
        config["steps"][2:3] = [{"step": "normalise", "method": "minmax", "range": [1, 100]}, noisy]
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


def command_seconds(runs: int, out: Path, static: bool = False) -> tuple[float, float]:
    """Wall and CPU (user + system) seconds of `citykpi index sensitivity` as a user runs it: a new
    interpreter, every output written. CPU time is what a shared machine's load disturbs least."""
    cmd = [sys.executable, "-m", "citykpi.cli", "index", "sensitivity", str(ASEM_SA), "--type", "ua",
           "--runs", str(runs), "-o", str(out)] + ([] if static else ["--no-static"])  # fmt: skip
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True, env={**os.environ, "COLUMNS": "80"})
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime


# In a new interpreter, as the command writes them: the two chart pages of an uncertainty run, the
# first of which reads the vendored scripts it carries inline.
PAGES = """
import sys, tempfile, time
from pathlib import Path
import pandas as pd
from citykpi.index import vegalite
ranks = pd.DataFrame({"unit": [f"U{i}" for i in range(51)], "nominal": range(1, 52), "median": range(1, 52),
                      "q05": range(1, 52), "q95": range(1, 52), "mean": range(1, 52)})
spec = vegalite.uncertainty_spec(ranks)
with tempfile.TemporaryDirectory() as tmp:
    times = []
    for name in ("first", "second"):
        t0 = time.process_time()
        page = vegalite.write(spec, Path(tmp) / f"{name}.html")
        times.append(time.process_time() - t0)
    print(times[0], times[1], page.stat().st_size)
"""


def html_pages() -> tuple[float, float, int]:
    """CPU seconds of the first and the second HTML chart page and a page's bytes."""
    done = subprocess.run([sys.executable, "-c", PAGES], check=True, capture_output=True, text=True)
    first, second, size = done.stdout.split()
    return float(first), float(second), int(size)


def _span(values: list[float], scale: float = 1.0, fmt: str = ".2f") -> str:
    return f"{min(values) * scale:{fmt}}-{max(values) * scale:{fmt}}"


def bench_command(repeat: int, naive: float) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        command_seconds(1_000, Path(tmp) / "warm")  # the first run also fills the OS file cache
        small, large = [], []
        for i in range(repeat):
            small.append(command_seconds(1_000, Path(tmp) / f"small{i}"))
            large.append(command_seconds(10_000, Path(tmp) / f"large{i}"))
            (ws, cs), (wl, cl) = small[-1], large[-1]
            print(f"  pair {i + 1}: 1,000 runs {ws:.2f} s wall ({cs:.2f} s CPU), 10,000 runs {wl:.2f} s wall "
                  f"({cl:.2f} s CPU) -> {(wl - ws) / 9e-3:.0f} us wall, {(cl - cs) / 9e-3:.0f} us CPU per "
                  f"replication; {loadavg()}", flush=True)  # fmt: skip
        png = command_seconds(10_000, Path(tmp) / "png", static=True)
    wall = [(wl - ws) / 9_000 for (ws, _), (wl, _) in zip(small, large, strict=True)]
    cpu = [(cl - cs) / 9_000 for (_, cs), (_, cl) in zip(small, large, strict=True)]
    worst = max(max(wall), max(cpu), 1e-9)
    print(f"command end to end (ASEM, --no-static), one replication: {_span(wall, 1e6, '.0f')} us wall, "
          f"{_span(cpu, 1e6, '.0f')} us CPU over {repeat} pairs, medians {np.median(wall) * 1e6:.0f} us wall and "
          f"{np.median(cpu) * 1e6:.0f} us CPU (target <= 30 us); at the worst of these "
          f"{REFERENCE_SECONDS_PER_RUN / worst:.0f}x faster than COINr ({REFERENCE_SECONDS_PER_RUN * 1e3:.0f} ms) "
          f"and {naive / worst:.0f}x faster than the naive rebuild ({naive * 1e3:.1f} ms)")  # fmt: skip
    print(f"  10,000-run command, start-up included: {_span([w for w, _ in large])} s wall, "
          f"{_span([c for _, c in large])} s CPU (target < 1.5 s); with the default PNG charts: {png[0]:.2f} s wall, "
          f"{png[1]:.2f} s CPU; {loadavg()}")  # fmt: skip
    first, second, size = html_pages()
    print(
        f"  one HTML chart page carrying the vendored vega, vega-lite and vega-embed ({size / 1e3:.0f} kB): "
        f"{first * 1e3:.1f} ms CPU the first (reading the scripts), {second * 1e3:.1f} ms the next; {loadavg()}"
    )


def _cpu_seconds(usage: resource.struct_rusage) -> float:
    return usage.ru_utime + usage.ru_stime


def _worker_cpu() -> float:
    """CPU seconds of the calling Dask worker process so far (run on each worker by `client.run`)."""
    return _cpu_seconds(resource.getrusage(resource.RUSAGE_SELF))


def bench_city(n_units: int, n_runs: int, workers: int) -> None:
    """Wall time, and the CPU time of every process that worked (this one, the local workers, the
    Dask workers), so that the backends can be compared on a machine other people are loading."""
    from dask.distributed import Client, LocalCluster

    with tempfile.TemporaryDirectory() as tmp:
        cfg = load_config(synthetic(Path(tmp), n_units, uncertain=True))
        nominal = run(cfg)
    assumptions = from_config(cfg)
    seconds, cpus = {}, {}
    for label, execution in (("1 process", None), (f"--workers {workers}", Execution(workers=workers))):
        before = _cpu_seconds(resource.getrusage(resource.RUSAGE_SELF)) + _cpu_seconds(
            resource.getrusage(resource.RUSAGE_CHILDREN)
        )
        study = uncertainty(nominal, assumptions, n_runs, seed=0, execution=execution)
        cpus[label] = (
            _cpu_seconds(resource.getrusage(resource.RUSAGE_SELF))
            + _cpu_seconds(resource.getrusage(resource.RUSAGE_CHILDREN))
            - before
        )
        seconds[label] = study.seconds
        print(f"  {label}: {study.seconds:.2f} s wall, {cpus[label]:.2f} s CPU (this process and its workers); "
              f"{study.states_built} upstream states, {study.failed} runs refused by the geometric mean; {loadavg()}",
              flush=True)  # fmt: skip
    cluster = LocalCluster(n_workers=workers, threads_per_worker=1, dashboard_address=None)
    with cluster, Client(cluster) as client:  # the workers import the engine first, as a long-lived cluster's have
        client.run(importlib.import_module, "citykpi.index.sensitivity.backend")
        before_workers = sum(client.run(_worker_cpu).values())
        before = time.process_time()
        dask = Execution(scheduler=cluster.scheduler_address)
        study = uncertainty(nominal, assumptions, n_runs, seed=0, execution=dask)
        cpus["dask"] = time.process_time() - before + sum(client.run(_worker_cpu).values()) - before_workers
        seconds["dask"] = study.seconds
    print(f"  Dask LocalCluster, {workers} workers: {seconds['dask']:.2f} s wall, {cpus['dask']:.2f} s CPU (this "
          f"process and the workers; the scheduler's left out); {study.states_built} upstream states; "
          f"{loadavg()}")  # fmt: skip
    one, local, remote = seconds["1 process"], seconds[f"--workers {workers}"], seconds["dask"]
    print(f"uncertainty analysis, {n_runs} replications over {n_units} cities x 91 KPIs: 1 process {one:.2f} s, "
          f"--workers {workers} {local:.2f} s (speed-up {one / local:.2f}), Dask LocalCluster with {workers} "
          f"workers {remote:.2f} s (speed-up {one / remote:.2f}); CPU: {cpus['1 process']:.2f}, "
          f"{cpus[f'--workers {workers}']:.2f} and {cpus['dask']:.2f} s; target < 30 s on 2 cores; "
          f"{loadavg()}")  # fmt: skip


def bench_engine_per_run(nominal: Index, assumptions: list[Assumption], repeat: int) -> None:
    """The engine alone (this process, no start-up): the extra time of 10,000 replications over 1,000,
    on the worked example (100 seeded weight sets: runs repeat) and with every run distinct (the
    weights noise drawn from U(0, 0.25)), wall and CPU, `repeat` pairs each."""
    drawn = [*assumptions[:2], Assumption.continuous("noise", "weights", "noise", 0.0, 0.25), assumptions[3]]
    for label, case in (("worked example", assumptions), ("every run distinct", drawn)):
        wall, cpu = [], []
        for _ in range(repeat):
            times = {}
            for n in (1_000, 10_000):
                c0, t0 = time.process_time(), time.perf_counter()
                uncertainty(nominal, case, n, seed=0)
                times[n] = (time.perf_counter() - t0, time.process_time() - c0)
            wall.append((times[10_000][0] - times[1_000][0]) / 9_000)
            cpu.append((times[10_000][1] - times[1_000][1]) / 9_000)
        print(f"  engine alone, {label}: one replication {_span(wall, 1e6, '.0f')} us wall, "
              f"{_span(cpu, 1e6, '.0f')} us CPU over {repeat} pairs; {loadavg()}", flush=True)  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--units", type=int, default=13_000)
    parser.add_argument("--ua-runs", type=int, default=10_000)
    parser.add_argument("--sa-n", type=int, default=1_000)
    parser.add_argument("--naive", type=int, default=200, help="replications of the naive rebuild loop")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3, help="pairs of 1,000/10,000-run commands")
    parser.add_argument("--city-units", type=int, default=10_000)
    parser.add_argument("--city-runs", type=int, default=1_000)
    parser.add_argument("--sections", default="all", help=f"comma-separated among {', '.join(SECTIONS)}")
    args, _ = parser.parse_known_args()
    sections = set(SECTIONS) if args.sections == "all" else set(args.sections.split(","))
    print(loadavg())

    if "pipeline" in sections:
        bench_pipeline(args.units)
    naive = naive_seconds_per_run(args.naive)
    print(f"naive rebuild of the whole pipeline per replication (ASEM), measured on {args.naive} runs: "
          f"{naive * 1000:.1f} ms/run; {loadavg()}")  # fmt: skip

    cfg = load_config(ASEM_SA)
    nominal = run(cfg)
    assumptions = from_config(cfg)
    if "ua" in sections:
        ua = uncertainty(nominal, assumptions, args.ua_runs, seed=0)
        reference = REFERENCE_SECONDS_PER_RUN * args.ua_runs
        print(f"uncertainty analysis, {args.ua_runs} replications (ASEM, 4 assumptions), 1 process: {ua.seconds:.2f} s "
              f"(target < 10 s); {ua.states_built} upstream states computed; {ua.failed} failed runs")  # fmt: skip
        print(f"  COINr {REFERENCE_SECONDS_PER_RUN} s/run -> {reference:.0f} s: {reference / ua.seconds:.0f}x faster")
        naive_total = naive * args.ua_runs
        print(f"  naive rebuild -> {naive_total:.0f} s for {args.ua_runs}: {naive_total / ua.seconds:.0f}x faster")
        if args.workers > 1:
            par = uncertainty(nominal, assumptions, args.ua_runs, seed=0, execution=Execution(workers=args.workers))
            print(f"  same with --workers {args.workers}: {par.seconds:.2f} s")
        bench_engine_per_run(nominal, assumptions, args.repeat)
    if "sa" in sections:
        sa = sensitivity(nominal, assumptions, args.sa_n, seed=0, n_boot=1000)
        assert sa.indices is not None
        total = ", ".join(f"{a.label} {v:.2f}" for a, v in zip(sa.assumptions, sa.indices.total, strict=True))
        print(f"sensitivity analysis, N={args.sa_n} ({len(sa.parameters)} runs, 1,000 bootstrap draws, per-unit "
              f"indices): {sa.seconds:.2f} s; total-order indices: {total}; {loadavg()}")  # fmt: skip
        reference_sa = REFERENCE_SECONDS_PER_RUN * len(sa.parameters)
        print(f"  COINr ~{reference_sa:.0f} s for the same runs: {reference_sa / sa.seconds:.0f}x faster")
    if "command" in sections:
        bench_command(args.repeat, naive)
    if "city" in sections:
        bench_city(args.city_units, args.city_runs, args.workers)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2  # KiB on Linux
    print(f"peak memory (maxrss of this process): {peak:.2f} GiB (target < 4 GiB)")


if __name__ == "__main__":
    sys.exit(main())
