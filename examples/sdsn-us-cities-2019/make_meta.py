"""Derive the index metadata table (iMeta layout) from the SDSN codebook: run once, output committed.

Goalposts are the codebook's `Worst Value` and `Target Value`; the direction is -1 where the
codebook sorts descending (lower is better). Six codebook names carry an `RWJ` suffix that the
Results sheet does not: they are mapped to the Results column names here.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

HERE = Path(__file__).parent
RENAMED = {
    "sdg10v7_segregationRWJ": "sdg10v7_segregation",
    "sdg2v4_obesityRWJ": "sdg2v4_obesity",
    "sdg3v6_mentalhealthRWJ": "sdg3v6_mentalhealth",
    "sdg3v7_overdoseRWJ": "sdg3v7_overdose",
    "sdg3v8_leRWJ": "sdg3v8_lifeExpectancy",
    "sdg4v4_HSgradRWJ": "sdg4v4_HSgrad",
}


def main() -> None:
    cb = pd.read_csv(HERE / "Codebook.csv")
    cb = cb.assign(sdg=cb["SDG"].astype(int)).sort_values(["sdg", "Indicator"], kind="stable")
    rows = [
        {
            "Level": 1,
            "iCode": RENAMED.get(r["Indicator"], r["Indicator"]),
            "iName": r["Indicator name"],
            "Direction": -1 if r["Sort Order"] == "descending" else 1,
            "Weight": 1,
            "Parent": f"SDG{r['sdg']}",
            "Type": "Indicator",
            "Unit": r["Units"],
            "goalpost_lower": min(r["Target Value"], r["Worst Value"]),
            "goalpost_upper": max(r["Target Value"], r["Worst Value"]),
        }
        for r in cb.to_dict("records")
    ]
    goals = sorted(cb["sdg"].unique())
    rows += [
        {"Level": 2, "iCode": f"SDG{g}", "iName": f"SDG {g}", "Weight": 1, "Parent": "Index", "Type": "Aggregate"}
        for g in goals
    ]
    rows.append({"Level": 3, "iCode": "Index", "iName": "SDG Index", "Weight": 1, "Type": "Aggregate"})
    pd.DataFrame(rows).to_csv(HERE / "sdsn_meta.csv", index=False)


if __name__ == "__main__":
    main()
