"""Benchmarked share of the 112 data points for the demo cities, before and after leading-city targets.

Issue 16: with the public reference set alone most of the wheel says "no benchmark". The demo data
set has four cities, fewer than the ten a leading-city target needs, so the reference set is the
four demo cities plus `--synthetic` further fictional cities of the same generator, 2021-2024 each
(the same values `make demo` writes, assessed by the real engine). "Benchmarked" = a target
applies to the data point; "scored" = benchmarked and reported with a usable value.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

from citykpi.assess.engine import assess
from citykpi.demo.cities import CITIES, YEARS, synthetic_city
from citykpi.demo.generate import generate
from citykpi.framework.catalogue import Catalogue
from citykpi.model.assessment import Assessment
from citykpi.scoring.derive import derive
from citykpi.scoring.peers import screening_rule
from citykpi.scoring.scorecard import Standing, score
from citykpi.scoring.targetfiles import default_target_set
from citykpi.scoring.targets import TargetBook


def _counts(assessment: Assessment, book: TargetBook) -> tuple[int, int, int]:
    card = score(assessment, book)
    benchmarked = sum(1 for i in card.items if i.benchmark is not None)
    scored = sum(1 for i in card.items if i.standing is Standing.SCORED)
    return len(card.items), benchmarked, scored


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--synthetic", type=int, default=40, help="fictional cities added to the reference set")
    args = parser.parse_args()
    console = Console(width=110)
    catalogue = Catalogue.load()
    kpis = list(catalogue.kpis.values())
    specs = [*CITIES, *(synthetic_city(i) for i in range(args.synthetic))]
    assessments = [assess(generate(kpis, spec, year), catalogue) for spec in specs for year in YEARS]
    public = TargetBook([default_target_set()])
    started = time.perf_counter()
    derived = derive(
        assessments, catalogue.kpis, public, name=f"demo + {args.synthetic} synthetic", set_id="bench",
        rule=screening_rule(),
    )  # fmt: skip
    seconds = time.perf_counter() - started
    after = TargetBook([default_target_set(), derived.targets])
    table = Table(title="Data points benchmarked (a target applies) and scored, latest demo year")
    for column in ("city", "year", "data points", "benchmarked before", "after", "scored before", "after"):
        table.add_column(column, justify="left" if column == "city" else "right")
    for spec in CITIES:
        latest = next(a for a in reversed(assessments) if a.profile.city == spec.name)
        items, bench_before, scored_before = _counts(latest, public)
        _, bench_after, scored_after = _counts(latest, after)
        table.add_row(
            spec.name, str(latest.profile.year), str(items), f"{bench_before} ({bench_before / items:.0%})",
            f"{bench_after} ({bench_after / items:.0%})", str(scored_before), str(scored_after),
        )  # fmt: skip
    console.print(table)
    console.print(
        f"reference set: {len(specs)} cities x {len(YEARS)} years; {len(derived.targets.targets)} leading-city "
        f"targets, {len(derived.left_out)} data points left out; derive took {seconds:.2f} s; "
        f"load average {Path('/proc/loadavg').read_text().split()[0]}"
    )


if __name__ == "__main__":
    main()
