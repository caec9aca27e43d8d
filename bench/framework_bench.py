"""Figures for the catalogue and formula evaluator: load time and evaluation throughput.

The end-to-end targets (one city under 1 s, 1,000 cities under 60 s) include loading the catalogue
once and evaluating every formula and check per city; this prints those two parts.
Usage: python bench/framework_bench.py [--cities N]
"""

from __future__ import annotations

import argparse
import random
import subprocess
import sys
import time
from pathlib import Path

from citykpi.framework.catalogue import Catalogue
from citykpi.framework.formula import FormulaError, parse
from citykpi.framework.model import PROFILE_FIELDS

ROOT = Path(__file__).resolve().parents[1]


def cold_load_seconds() -> float:
    """A fresh interpreter, as a CLI call pays it: import, parse YAML, validate, cross-check."""
    code = "import time; t=time.perf_counter(); from citykpi.framework.catalogue import Catalogue; "
    code += "Catalogue.load(); print(time.perf_counter()-t)"
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout
    return float(out)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cities", type=int, default=1000)
    args, _ = parser.parse_known_args()  # run_all passes its arguments to every benchmark

    print(f"catalogue cold load (new process, import + parse + validate): {cold_load_seconds():.3f} s")
    start = time.perf_counter()
    catalogue = Catalogue.load([ROOT / "examples" / "frameworks" / "pully-local.yaml"])
    print(f"catalogue warm load with one extra framework: {time.perf_counter() - start:.3f} s")

    points = [(k.code, d.key, parse(d.formula)) for k in catalogue.kpis.values() for d in k.data_points if d.formula]
    checks = [parse(c.expression) for k in catalogue.kpis.values() for c in k.checks]
    names = sorted({n for _, _, f in points for n in f.names} | {n for f in checks for n in f.names})
    rng = random.Random(42)
    cities = [{n: rng.uniform(1, 1e6) for n in [*names, *PROFILE_FIELDS]} for _ in range(args.cities)]

    start = time.perf_counter()
    errors = evaluations = 0
    for values in cities:
        results: dict[tuple[str, str], float] = {}
        for code, key, formula in points:
            try:
                results[code, key] = float(formula.evaluate(values))
            except FormulaError:
                errors += 1
            evaluations += 1
        for check in checks:
            try:
                check.evaluate(values, lambda c, dp, r=results: r.get((c, dp)))  # type: ignore[misc]
            except FormulaError:
                errors += 1
            evaluations += 1
    elapsed = time.perf_counter() - start
    print(
        f"{args.cities} cities x ({len(points)} formulas + {len(checks)} checks) = {evaluations} evaluations: "
        f"{elapsed:.2f} s ({elapsed / args.cities * 1000:.2f} ms per city, {evaluations / elapsed:,.0f}/s; "
        f"{errors} FormulaErrors)"
    )


if __name__ == "__main__":
    main()
