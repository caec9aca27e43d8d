"""CSV, JSON and Excel exports hold one table per step and per level, with the same numbers."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from citykpi.index.config import load_config
from citykpi.index.export import sheet_name, tables, write_csv, write_excel, write_json
from citykpi.index.model import AGGREGATED, Index
from citykpi.index.pipeline import run

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.fixture(scope="module")
def asem() -> Index:
    return run(load_config(EXAMPLES / "asem.yaml"))


def test_tables_cover_steps_levels_and_log(asem: Index) -> None:
    t = tables(asem)
    assert list(t)[:2] == ["Raw", "Denominated"]
    assert {"Treated", "Normalised", AGGREGATED, "Level 1", "Level 4", "Log"} <= set(t)
    assert list(t["Level 4"].columns) == ["unit", "time", "Index"]
    assert len(t["Level 2"].columns) == 2 + 8
    assert list(t["Log"]["step"]) == [r.step for r in asem.log]


def test_three_formats_agree(asem: Index, tmp_path: Path) -> None:
    extra = {"my analysis": pd.DataFrame({"a": [1.0, np.nan]})}
    csvs = write_csv(asem, tmp_path / "csv", extra)
    assert (tmp_path / "csv" / "level_3.csv").exists() and (tmp_path / "csv" / "my_analysis.csv").exists()
    assert len(csvs) == len(tables(asem)) + 1
    top_csv = pd.read_csv(tmp_path / "csv" / "level_4.csv")
    np.testing.assert_allclose(top_csv["Index"], asem.datasets[AGGREGATED][:, -1])

    doc = json.loads(write_json(asem, tmp_path / "index.json", extra).read_text())
    assert doc["tables"]["my analysis"][1]["a"] is None  # NaN -> null
    assert doc["tables"]["Level 4"][0]["Index"] == pytest.approx(asem.datasets[AGGREGATED][0, -1])
    assert len(doc["framework"]) == 60

    book = openpyxl.load_workbook(write_excel(asem, tmp_path / "index.xlsx", extra), read_only=True)
    assert {"Raw", "Treated", "Aggregated", "Level 1", "Level 4", "Log", "my analysis"} <= set(book.sheetnames)
    rows = list(book["Level 4"].iter_rows(values_only=True))
    assert rows[0] == ("unit", "time", "Index")
    assert rows[1][2] == pytest.approx(asem.datasets[AGGREGATED][0, -1])


def test_sheet_names_are_valid_and_unique() -> None:
    taken: set[str] = set()
    a = sheet_name("correlations/within:levels [all] of the index", taken)
    b = sheet_name("correlations/within:levels [all] of the index", taken)
    assert len(a) <= 31 and len(b) <= 31 and a != b
    assert not set("[]:*?/\\") & set(a + b)
