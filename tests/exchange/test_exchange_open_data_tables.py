"""The open-data table writer (`exchange.open_data`): rows as tuples in column order, to CSV and Parquet.

A text a spreadsheet would run as a formula is made inert in CSV (an apostrophe before it), a
negative number written as text is not, and Parquet keeps every text as it was; columns with no such
text are left alone.
"""

from __future__ import annotations

import csv
import io

import pyarrow.parquet as pq

from citykpi.exchange.open_data import Column, arrow_parquet, arrow_table, typed_csv

COLUMNS = (
    Column("source", "string", "free text"),
    Column("city", "string", "a slug"),
    Column("value", "number", "a number"),
    Column("verified", "boolean", "a decision"),
    Column("inputs", "json", "a list"),
)
ROWS = [
    ('=HYPERLINK("x")', "lotusgate", 1.5, True, [{"name": "households", "value": 3}]),
    ("-5", "lotusgate", None, False, None),
    ("@SUM(A1)", "north", -2.0, None, []),
    ("plain", "north", 0.0, True, None),
    (None, "north", 3.0, None, None),
]


def test_csv_makes_formula_texts_inert_and_keeps_the_rest() -> None:
    rows = list(csv.reader(io.StringIO(typed_csv(COLUMNS, ROWS).decode())))
    assert rows[0] == [c.name for c in COLUMNS]
    assert [r[0] for r in rows[1:]] == ['\'=HYPERLINK("x")', "-5", "'@SUM(A1)", "plain", ""]
    assert [r[1] for r in rows[1:]] == ["lotusgate", "lotusgate", "north", "north", "north"]
    assert [r[3] for r in rows[1:]] == ["true", "false", "", "true", ""]
    assert rows[1][4] == '[{"name":"households","value":3}]' and rows[3][4] == "[]"


def test_parquet_keeps_the_texts_and_types_with_descriptions() -> None:
    table = pq.read_table(io.BytesIO(arrow_parquet(arrow_table(COLUMNS, ROWS))))
    assert table.column("source").to_pylist() == [r[0] for r in ROWS]
    assert table.column("value").to_pylist() == [r[2] for r in ROWS]
    assert table.schema.field("city").metadata == {b"description": b"a slug"}


def test_no_rows_give_the_header_alone() -> None:
    assert typed_csv(COLUMNS, []).decode().splitlines() == ['"source","city","value","verified","inputs"']
