"""Open-data files of flat tables: CSV, Parquet, and a Frictionless data package (zip) with its dictionary.

The tables (results, inputs, city profiles) come from the platform; this module only knows columns
and rows, so the same writer serves the bulk download and the query API's CSV. Every column is
described once (`Column`): the description is the data dictionary, written into the package's Table
Schemas and as `dictionary.csv` beside the data, and its type is the Table Schema type, the Parquet
type and how a cell is spelled in CSV.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import orjson

from citykpi.collect.formula_guard import neutralised
from citykpi.exchange.records import text
from citykpi.model.collector import collector_paused

_BOOLEAN = {"type": "boolean", "trueValues": ["true"], "falseValues": ["false"]}


@dataclass(frozen=True)
class Column:
    """One column of an open-data table: name, Table Schema type and what it means."""

    name: str
    type: str  # string | integer | number | boolean | json (a list or object, as JSON text)
    description: str


@dataclass(frozen=True)
class Table:
    """Rows as tuples in the order of `columns`: what a database read gives, turned into Arrow
    columns in C (a dict per row, read back field by field, cost more than the rest of the build)."""

    name: str
    title: str
    columns: Sequence[Column]
    rows: Sequence[Sequence[Any]]
    primary_key: Sequence[str] = ()


@dataclass(frozen=True)
class Licence:
    """A licence as the Data Package standard names it: an SPDX-style id, a title and its address."""

    name: str
    title: str
    path: str = ""


KNOWN_LICENCES = {
    "CC-BY-4.0": Licence("CC-BY-4.0", "Creative Commons Attribution 4.0", "https://creativecommons.org/licenses/by/4.0/"),
    "CC0-1.0": Licence("CC0-1.0", "CC0 1.0 Universal", "https://creativecommons.org/publicdomain/zero/1.0/"),
    "ODbL-1.0": Licence("ODbL-1.0", "Open Data Commons Open Database License 1.0",
                        "https://opendatacommons.org/licenses/odbl/1-0/"),
    "CC-BY-SA-4.0": Licence("CC-BY-SA-4.0", "Creative Commons Attribution-ShareAlike 4.0",
                            "https://creativecommons.org/licenses/by-sa/4.0/"),
}  # fmt: skip


def licence(name: str) -> Licence:
    """A known id with its title and address; any other text is taken as the licence's own name."""
    return KNOWN_LICENCES.get(name, Licence(name, name))


def cell(value: Any) -> str:
    """A CSV cell: the exchange formats' spelling (`records.text`), texts that run nothing, lists as
    JSON by orjson, as the JSON answers write them (the standard library's encoder took 0.36 s of the
    1.8 s of the query API's CSV with its 84 000 `inputs` cells)."""
    if isinstance(value, list | dict):
        return orjson.dumps(value).decode()
    return str(neutralised(value)) if isinstance(value, str) else text(value)


def csv_bytes(names: Sequence[str], rows: Iterable[Mapping[str, Any]]) -> bytes:
    """Any rows, every cell through `cell` (the small tables: dictionary, SDMX observations)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(names)
    writer.writerows([cell(row.get(n)) for n in names] for row in rows)
    return out.getvalue().encode("utf-8")


def typed_csv(columns: Sequence[Column], rows: Sequence[Sequence[Any]]) -> bytes:
    """Rows of known columns (tuples in column order), written by Arrow's CSV writer: several times
    faster than the csv module on the 84 000 rows of 150 cities x 5 years."""
    return arrow_csv(arrow_table(columns, rows))


def arrow_csv(table: Any) -> bytes:
    """An Arrow table as CSV: texts are quoted, booleans are true/false, an empty cell is a missing
    value, and formula-like texts are made inert as `neutralised` does."""
    import pyarrow.csv as arrow_csv

    buffer = io.BytesIO()
    arrow_csv.write_csv(_inert(table), buffer, arrow_csv.WriteOptions(quoting_style="needed"))
    return buffer.getvalue()


def warm() -> None:
    """Import Arrow and write one row as CSV now: Arrow's first conversion of Python values also imports
    pandas (to recognise its objects), ~0.35 s of CPU the server's first CSV answer paid, with the cyclic
    collector's passes over that answer's rows during the imports."""
    arrow_csv(arrow_table((Column("warm", "string", ""),), [("=1+1",)]))


def arrow_parquet(table: Any) -> bytes:
    import pyarrow.parquet as pq

    buffer = io.BytesIO()
    pq.write_table(table, buffer)
    return buffer.getvalue()


# Texts a spreadsheet would run (TRIGGER of collect.formula_guard) that are not plain numbers (NUMBER).
_TRIGGER = r"^'*[=+\-@\t\r]"
_NUMBER = r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?$"


def arrow_table(columns: Sequence[Column], rows: Sequence[Sequence[Any]]) -> Any:
    """The rows as an Arrow table typed by `columns`, each field carrying its description."""
    import pyarrow as pa

    types = {"string": pa.string(), "integer": pa.int64(), "number": pa.float64(), "boolean": pa.bool_(),
             "json": pa.string()}  # fmt: skip
    arrays = []
    with collector_paused():  # a JSON text (and its encoder's lists) per row of a json column
        for c, values in zip(columns, zip(*rows, strict=True) if rows else [()] * len(columns), strict=True):
            # Arrow converts a list several times faster than a tuple of the same values.
            listed = [None if v is None else cell(v) for v in values] if c.type == "json" else list(values)
            arrays.append(pa.array(listed, type=types[c.type]))
    fields = [pa.field(c.name, types[c.type], metadata={"description": c.description}) for c in columns]
    return pa.Table.from_arrays(arrays, schema=pa.schema(fields))


def _inert(table: Any) -> Any:
    """The table with each text a spreadsheet would run as a formula prefixed with an apostrophe."""
    import pyarrow as pa
    import pyarrow.compute as pc

    arrays = []
    for array in table.columns:
        if array.type == pa.string():
            trigger = pc.match_substring_regex(array, _TRIGGER)
            if pc.any(trigger).as_py():  # most columns have no such text: one scan, nothing to change
                formula = pc.and_(trigger, pc.invert(pc.match_substring_regex(array, _NUMBER)))
                array = pc.if_else(formula, pc.binary_join_element_wise("'", array, ""), array)
        arrays.append(array)
    return pa.Table.from_arrays(arrays, schema=table.schema)


def _schema(table: Table) -> dict[str, Any]:
    fields = [
        {"name": c.name, "description": c.description, **(_BOOLEAN if c.type == "boolean" else {"type": c.type})}
        for c in table.columns
    ]
    return {"fields": fields, **({"primaryKey": list(table.primary_key)} if table.primary_key else {})}


def descriptor(tables: Sequence[Table], licensed: Licence, title: str, description: str) -> dict[str, Any]:
    return {
        "profile": "tabular-data-package",
        "name": "citykpi-open-data",
        "title": title,
        "description": description,
        "licenses": [{k: v for k, v in vars(licensed).items() if v}],
        "resources": [
            {
                "name": t.name,
                "title": t.title,
                "path": f"{t.name}.csv",
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "schema": _schema(t),
            }
            for t in tables
        ],
    }


def dictionary_rows(tables: Sequence[Table]) -> list[dict[str, str]]:
    return [{"table": t.name, "column": c.name, "type": c.type, "description": c.description}
            for t in tables for c in t.columns]  # fmt: skip


def package_zip(
    tables: Sequence[Table], licensed: Licence, title: str, description: str, rendered: Mapping[str, bytes]
) -> bytes:
    """datapackage.json, one CSV per table (`rendered`, by table name) and dictionary.csv, in one zip archive."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        described = descriptor(tables, licensed, title, description)
        archive.writestr("datapackage.json", json.dumps(described, indent=1, ensure_ascii=False))
        for t in tables:
            archive.writestr(f"{t.name}.csv", rendered[t.name])
        archive.writestr("dictionary.csv", csv_bytes(("table", "column", "type", "description"),
                                                     dictionary_rows(tables)))  # fmt: skip
    return buffer.getvalue()
