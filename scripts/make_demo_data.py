"""Generate the synthetic demo data set (fictional cities, 2021-2024): python scripts/make_demo_data.py OUTDIR."""

from __future__ import annotations

import argparse
from pathlib import Path

from citykpi.demo.build import make_demo_data
from citykpi.framework.catalogue import Catalogue


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("out", type=Path, nargs="?", default=Path("demo-output/data"), help="output folder")
    args = parser.parse_args()
    data = make_demo_data(args.out, Catalogue.load(), progress=lambda name: print(f"  {name}"))
    print(f"{len(data.workbooks)} workbooks and {len(data.tidy)} tidy CSV files in {args.out}")
    print(f"workbook with deliberate errors: {data.broken}")


if __name__ == "__main__":
    main()
