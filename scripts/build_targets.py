"""Build the shipped public reference targets from the reference CSV and the catalogue.

The CSV (`src/citykpi/scoring/data/reference/public-targets.csv`, copied unchanged from the
project's reference material, see data/SOURCE.md) cites primary documents only. This script is the
only place that turns it into `public-reference-targets.yaml`, and a test asserts the shipped file
equals its output, so a corrected row changes the shipped targets by running it:

* rows without a target value are left out (those KPIs have "no benchmark");
* `yes` becomes a yes/no target with direction `yes`;
* a data point named in brackets (`Air Pollution [PM2.5]`) becomes the catalogue's key (`pm2_5`);
* the averaging period the CSV's unit names (`µg/m3 24-hour (99th percentile)`) is kept, and where
  it differs from the one the KPI's data point asks for (`SO2 annual mean concentration`) the target
  carries the mismatch: it is shown, never used for points (WHO 2021 has no annual SO2 or O3
  guideline, so an annual mean is not scored against a 24-hour or peak-season value).

Usage: python scripts/build_targets.py [--check]
"""

from __future__ import annotations

import csv
import re
import sys
from pathlib import Path
from typing import Any

import yaml

from citykpi.framework.catalogue import Catalogue
from citykpi.framework.model import Kpi
from citykpi.scoring.averaging import asked_period, mismatch, period_in

DATA = Path(__file__).resolve().parents[1] / "src" / "citykpi" / "scoring" / "data"
CSV_PATH = DATA / "reference" / "public-targets.csv"
OUTPUT_PATH = DATA / "public-reference-targets.yaml"
HEADER: dict[str, Any] = {
    "id": "public-reference-targets",
    "name": "Public reference targets (citykpi, not the official U4SSC benchmark table)",
    "description": "Candidate targets taken only from cited public sources (SDG, WHO, EU, ITU, OECD, UN-Habitat, "
    "UNEP/ISWA, CBD), each citing the primary document. The official U4SSC benchmark values sit in a locked tab of "
    "the collection template and are not public; these targets are NOT them, and scores computed with them are not "
    "U4SSC scores. KPIs without a sound public target have none here and are shown as 'no benchmark'; a target whose "
    "averaging period differs from the KPI's is shown with the mismatch and not used for points. Several values are "
    "statistics (OECD averages) or alert lines, not aspirations; see each note. Built from "
    "reference/public-targets.csv by scripts/build_targets.py, see data/SOURCE.md.",
    "publisher": "citykpi project",
    "licence": "Values and citations are facts from the sources named; compilation CC BY 4.0",
}


def data_point_key(name: str, kpi: Kpi) -> str | None:
    """The catalogue key of the data point named in brackets, None for the whole KPI."""
    found = re.search(r"\[(.+)\]", name)
    if found is None:
        return None
    wanted = re.sub(r"[^a-z0-9]+", "_", found.group(1).lower()).strip("_")
    keys = [d.key for d in kpi.data_points if d.key == wanted or d.key.endswith(f"_{wanted}")]
    if len(keys) != 1:
        raise ValueError(
            f"{kpi.code}: no single data point for [{found.group(1)}] among {[d.key for d in kpi.data_points]}"
        )
    return keys[0]


def target(row: dict[str, str], kpi: Kpi) -> dict[str, Any]:
    key = data_point_key(row["name"], kpi)
    yes = row["target_value"].strip().lower() == "yes"
    out: dict[str, Any] = {"kpi": row["code"]}
    if key is not None:
        out["data_point"] = key
    out.update(
        level="international",
        value=True if yes else float(row["target_value"]),
        direction="yes" if yes else row["direction"],
    )
    if row["target_year"]:
        out["year"] = int(row["target_year"])
    out.update(source=row["source"], source_type=row["source_type"], note=row["note"], confidence=row["confidence"])
    given = period_in(row["unit"])
    if given is not None:
        out["averaging"] = given
        point = next(d for d in kpi.data_points if key is None or d.key == key)
        why = mismatch(given, asked_period(kpi, point))
        if why:
            out["mismatch"] = why
    return out


def build() -> str:
    kpis = Catalogue.load().kpis
    with CSV_PATH.open(encoding="utf-8", newline="") as fh:
        rows = [r for r in csv.DictReader(fh) if r["target_value"].strip()]
    doc = {**HEADER, "targets": [target(r, kpis[r["code"]]) for r in rows]}
    return yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=120)


def main(argv: list[str]) -> int:
    text = build()
    stale = not OUTPUT_PATH.exists() or OUTPUT_PATH.read_text(encoding="utf-8") != text
    if "--check" in argv:
        print(f"stale: {OUTPUT_PATH}" if stale else "the shipped targets are up to date")
        return 1 if stale else 0
    OUTPUT_PATH.write_text(text, encoding="utf-8")
    print(f"wrote {OUTPUT_PATH}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
