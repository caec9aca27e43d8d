"""Writing an assessment to a folder: `kpis.csv`, `kpis.json` and `summary.json`.

The standard library's csv writer rather than pandas: `citykpi assess` on one city must stay well
under a second, and pandas alone takes a good part of that to import.
"""

from __future__ import annotations

import csv
import json
import re
import unicodedata
from collections.abc import Sequence
from pathlib import Path

from citykpi.assess.summary import summary
from citykpi.assess.table import COLUMNS, rows
from citykpi.collect.formula_guard import neutralised
from citykpi.model.assessment import Assessment

OUTPUT_FILES = ("kpis.csv", "kpis.json", "summary.json")


def write_assessment(assessment: Assessment, folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    csv_path, json_path, summary_path = (folder / name for name in OUTPUT_FILES)
    with csv_path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows({k: "" if v is None else neutralised(v) for k, v in row.items()} for row in rows(assessment))
    json_path.write_text(assessment.model_dump_json(indent=1), encoding="utf-8")
    summary_path.write_text(
        json.dumps(summary(assessment).model_dump(mode="json"), indent=1, ensure_ascii=False), encoding="utf-8"
    )
    return [csv_path, json_path, summary_path]


def folder_names(assessments: Sequence[Assessment]) -> list[str]:
    """`<city>-<year>` per assessment, or `<city>-<country>-<year>` for every year of a name that cities
    of several countries share in this run (two Londons), so that one city's years stay side by side.

    In ASCII, so that the folder name works on every file system.
    """
    countries: dict[str, set[str]] = {}
    for a in assessments:
        countries.setdefault(_slug(a.profile.city), set()).add(a.profile.country)
    names = []
    for a in assessments:
        parts = [_slug(a.profile.city)]
        if len(countries[parts[0]]) > 1:
            parts.append(_slug(a.profile.country, "no-country"))
        names.append("-".join([*parts, str(a.profile.year)]))
    return names


def _slug(text: str, empty: str = "city") -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or empty
