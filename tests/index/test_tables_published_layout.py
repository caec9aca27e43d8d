"""Tables as they are published: title and units rows around the header, unbalanced trees,
summarised repeated diagnostics and integer ranks and years in scores.csv.

The SDSN US Cities 2018 workbook is not among the shared data, so its DATA-sheet layout (a title
row above the header, a units row below it) is rebuilt here around the real 2019 values of
examples/sdsn-us-cities-2019, and the build from that workbook must equal the build from the CSV.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from core_helpers import make_index
from typer.testing import CliRunner

from citykpi.index import aggregate
from citykpi.index.cli import index_app
from citykpi.index.config import parse_config
from citykpi.index.model import AGGREGATED
from citykpi.index.pipeline import run
from citykpi.index.sensitivity.replicate import Replicator
from citykpi.index.terminal import summarised
from citykpi.model.errors import DiagnosticError

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
SDSN = EXAMPLES / "sdsn-us-cities-2019"


def _data_sheet(path: Path, frame: pd.DataFrame, units: dict[str, str]) -> None:
    """The SDSN DATA-sheet layout: title in row 1, column names in row 2, units in row 3."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "DATA"
    sheet.append(["2018 US Cities SDG Index - raw data (layout of the published DATA sheet)"])
    sheet.append(list(frame.columns))
    sheet.append([units.get(str(c), "") for c in frame.columns])
    for row in frame.itertuples(index=False):
        sheet.append([None if isinstance(v, float) and np.isnan(v) else v for v in row])
    book.save(path)


def _sdsn_config(units: str, **extra: object) -> dict[str, object]:
    data = {"units": units, "meta": str(SDSN / "sdsn_meta.csv"), "unit_code": "Cbsa", "unit_name": "maincity"}
    return {
        "data": {**data, **extra},
        "steps": [{"step": "normalise", "method": "goalposts", "range": [0, 100]}, {"step": "aggregate"}],
    }


def test_sdsn_data_sheet_builds_from_the_workbook(tmp_path: Path) -> None:
    meta = pd.read_csv(SDSN / "sdsn_meta.csv")
    codes = meta.loc[meta["Type"] == "Indicator", "iCode"].tolist()
    raw = pd.read_csv(SDSN / "2019USCitiesIndexResults_Results.csv")[["Cbsa", "maincity", *codes]]
    units = dict(zip(meta["iCode"], meta["Unit"].fillna(""), strict=True))
    _data_sheet(tmp_path / "sdsn.xlsx", raw, units)
    plain = run(parse_config(_sdsn_config(str(SDSN / "2019USCitiesIndexResults_Results.csv"))))
    sheet = run(
        parse_config(
            _sdsn_config(str(tmp_path / "sdsn.xlsx"), units_sheet="DATA", units_header_row=2, units_skip_rows=[3])
        )
    )
    assert sheet.units == plain.units
    np.testing.assert_allclose(sheet.datasets["Raw"], plain.datasets["Raw"], rtol=1e-15, equal_nan=True)
    np.testing.assert_allclose(sheet.datasets[AGGREGATED], plain.datasets[AGGREGATED], atol=1e-9, equal_nan=True)
    without = _sdsn_config(str(tmp_path / "sdsn.xlsx"), units_sheet="DATA")
    with pytest.raises(DiagnosticError, match=r"unit code column \('Cbsa'\)"):
        run(parse_config(without))  # the title row is taken for the header: no Cbsa column


def _two_tables(units: Path, meta: Path, **layout: object) -> dict[str, object]:
    return {"data": {"units": str(units), "meta": str(meta), **layout}, "steps": [{"step": "normalise"}]}


def test_errors_name_the_sheet_row(tmp_path: Path) -> None:
    frame = pd.DataFrame({"uCode": ["A", "B", "C"], "x": [1.0, "twelve", 3.0]})
    _data_sheet(tmp_path / "u.xlsx", frame, {"x": "%"})
    pd.DataFrame({"iCode": ["x"], "Type": ["Indicator"]}).to_csv(tmp_path / "m.csv", index=False)
    with pytest.raises(DiagnosticError) as caught:
        run(parse_config(_two_tables(tmp_path / "u.xlsx", tmp_path / "m.csv", units_header_row=2, units_skip_rows=[3])))
    assert [(d.type, d.location.row, d.location.column) for d in caught.value.diagnostics] == [("type-error", 5, "x")]


def test_meta_header_and_skip_rows_on_csv(tmp_path: Path) -> None:
    (tmp_path / "m.csv").write_text("Indicator metadata\niCode,Type\n(code),(kind)\nx,Indicator\n")
    pd.DataFrame({"uCode": ["A", "B"], "x": [1.0, 2.0]}).to_csv(tmp_path / "u.csv", index=False)
    config = _two_tables(tmp_path / "u.csv", tmp_path / "m.csv", meta_header_row=2, meta_skip_rows=[3])
    assert run(parse_config(config)).hierarchy.indicators == ["x"]
    with pytest.raises(DiagnosticError, match="must name rows below meta_header_row 2"):
        parse_config(_two_tables(tmp_path / "u.csv", tmp_path / "m.csv", meta_header_row=2, meta_skip_rows=[1]))


def test_unbalanced_tree_like_the_idhm() -> None:
    # IDHM = geometric mean of the education sub-index (itself geometric) and two direct inputs.
    e1, e2, income, longevity = [0.4, 0.9], [0.6, 0.4], [0.7, 0.8], [0.8, 0.5]
    index = make_index(
        {"e1": e1, "e2": e2, "income": income, "longevity": longevity},
        parents={"e1": "EDU", "e2": "EDU", "EDU": "IDHM", "income": "IDHM", "longevity": "IDHM", "IDHM": None},
    )
    h = index.hierarchy
    assert h.inputs(3) == ["income", "longevity", "EDU"] and not h.is_balanced(3)
    built = aggregate.run(index, aggregate.Params(method="geometric")).datasets[AGGREGATED]
    edu = np.sqrt(np.array(e1) * np.array(e2))
    idhm = np.cbrt(edu * np.array(income) * np.array(longevity))
    np.testing.assert_allclose(built[:, -1], idhm)
    np.testing.assert_allclose(built[:, h.all_codes.index("EDU")], edu)
    assert h.effective_weights()["income"] == 1 / 3 and h.effective_weights()["e1"] == 1 / 6
    # the batched kernel the uncertainty analysis uses agrees, with another weight for income
    replicator = Replicator(aggregate.run(index, aggregate.Params(method="geometric")))
    state, params = replicator.nominal_aggregation()
    scores = replicator.aggregate_with(state, params, [index.weights, {**index.weights, "income": 2.0}])
    np.testing.assert_allclose(scores[0], idhm)
    np.testing.assert_allclose(scores[1], (edu * np.array(income) ** 2 * np.array(longevity)) ** 0.25)


def _panel_files(tmp_path: Path) -> Path:
    years = [2015, 2016, 2017, 2018, 2019, 2020]
    units = pd.DataFrame({"uCode": [u for u in ("A", "B") for _ in years], "Year": years * 2, "x": np.arange(12.0)})
    units.to_csv(tmp_path / "u.csv", index=False)
    pd.DataFrame({"iCode": ["x"], "Type": ["Indicator"]}).to_csv(tmp_path / "m.csv", index=False)
    (tmp_path / "c.yaml").write_text("data: {units: u.csv, meta: m.csv}\nsteps: [{step: normalise}]\n")
    return tmp_path / "c.yaml"


def test_repeated_diagnostics_are_summarised_with_a_time_hint(tmp_path: Path) -> None:
    config = _panel_files(tmp_path)
    result = CliRunner().invoke(index_app, ["build", str(config), "-o", str(tmp_path / "o")])
    lines = result.stderr.strip().splitlines()
    assert result.exit_code == 1
    assert sum("[duplicate-row]" in line for line in lines) == 5
    assert "... and 5 more of the same kind (duplicate-row)" in lines
    assert any("[panel-without-time]" in line and "set data.time: Year" in line for line in lines)
    as_json = CliRunner().invoke(index_app, ["build", str(config), "-o", str(tmp_path / "o"), "--json"])
    report = json.loads(as_json.stdout)
    assert len(report["errors"]) == 10 and report["warnings"][0]["type"] == "panel-without-time"


def test_summarised_keeps_every_kind() -> None:
    with pytest.raises(DiagnosticError) as caught:
        run(parse_config({"data": {"units": "nope.csv", "meta": "nope.csv"}, "steps": [{"step": "normalise"}]}))
    assert summarised(caught.value.diagnostics) == [str(d) for d in caught.value.diagnostics]


def test_scores_csv_writes_ranks_and_years_as_integers(tmp_path: Path) -> None:
    config = _panel_files(tmp_path)
    config.write_text("data: {units: u.csv, meta: m.csv, time: Year}\nsteps: [{step: normalise}]\n")
    result = CliRunner().invoke(index_app, ["build", str(config), "-o", str(tmp_path / "o")])
    assert result.exit_code == 0, result.stderr
    lines = (tmp_path / "o" / "scores.csv").read_text().splitlines()
    assert lines[0] == "unit,time,level,code,score,rank"
    assert lines[1].startswith("A,2015,1,x,") and lines[1].endswith(",2")
    assert ".0," not in "".join(line.split(",")[1] for line in lines[1:])


def test_a_header_row_beyond_the_table_is_named(tmp_path: Path) -> None:
    pd.DataFrame({"uCode": ["A"], "x": [1.0]}).to_csv(tmp_path / "u.csv", index=False)
    pd.DataFrame({"iCode": ["x"], "Type": ["Indicator"]}).to_csv(tmp_path / "m.csv", index=False)
    with pytest.raises(DiagnosticError, match="no column names in row 9: the table ends before it"):
        run(parse_config(_two_tables(tmp_path / "u.csv", tmp_path / "m.csv", units_header_row=9)))
