"""Writing an assessment to a folder: `kpis.csv`, `kpis.json` and `summary.json`.

The standard library's csv writer rather than pandas: `citykpi assess` on one city must stay well
under a second, and pandas alone takes a good part of that to import.
"""

from __future__ import annotations

import csv
import json
import re
import unicodedata
from pathlib import Path

from citykpi.assess.summary import summary
from citykpi.assess.table import COLUMNS, rows
from citykpi.model.assessment import Assessment

OUTPUT_FILES = ("kpis.csv", "kpis.json", "summary.json")


def write_assessment(assessment: Assessment, folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    csv_path, json_path, summary_path = (folder / name for name in OUTPUT_FILES)
    with csv_path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows({k: "" if v is None else v for k, v in row.items()} for row in rows(assessment))
    json_path.write_text(assessment.model_dump_json(indent=1), encoding="utf-8")
    summary_path.write_text(
        json.dumps(summary(assessment).model_dump(mode="json"), indent=1, ensure_ascii=False), encoding="utf-8"
    )
    return [csv_path, json_path, summary_path]


def folder_name(assessment: Assessment) -> str:
    """`<city>-<year>` in ASCII, so that the folder name works on every file system."""
    ascii_city = unicodedata.normalize("NFKD", assessment.profile.city).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_city.lower()).strip("-") or "city"
    return f"{slug}-{assessment.profile.year}"
