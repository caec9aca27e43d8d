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
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from citykpi.collect.formula_guard import neutralised

_BOOLEAN = {"type": "boolean", "trueValues": ["true"], "falseValues": ["false"]}


@dataclass(frozen=True)
class Column:
    """One column of an open-data table: name, Table Schema type and what it means."""

    name: str
    type: str  # string | integer | number | boolean | json (a list or object, as JSON text)
    description: str


@dataclass(frozen=True)
class Table:
    name: str
    title: str
    columns: Sequence[Column]
    rows: Sequence[Mapping[str, Any]]
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
    """A CSV cell: '' for None, true/false, the shortest float that reads back, texts that run nothing."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, str):
        return str(neutralised(value))
    if isinstance(value, int):
        return str(value)
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _text(value: str | None) -> str | None:
    return None if value is None else str(neutralised(value))


def _truth(value: bool | None) -> str | None:
    return None if value is None else ("true" if value else "false")


# The csv module writes None as '' and a number as str(), the shortest text that reads back; only
# texts (formula-like ones made inert) and booleans need a converter, so numbers cost no call.
_CONVERT: dict[str, Callable[[Any], str | None]] = {"string": _text, "boolean": _truth, "json": cell}


def csv_bytes(names: Sequence[str], rows: Iterable[Mapping[str, Any]], types: Sequence[str] | None = None) -> bytes:
    """`types` (Table Schema types, or 'json') by column lets numbers pass unconverted; without, every cell goes
    through `cell`."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(names)
    if types is None:
        writer.writerows([cell(row.get(n)) for n in names] for row in rows)
    else:
        converters = [(n, _CONVERT.get(t)) for n, t in zip(names, types, strict=True)]
        writer.writerows([row.get(n) if f is None else f(row.get(n)) for n, f in converters] for row in rows)
    return out.getvalue().encode("utf-8")


def parquet_bytes(table: Table) -> bytes:
    import pyarrow as pa
    import pyarrow.parquet as pq

    types = {"string": pa.string(), "integer": pa.int64(), "number": pa.float64(), "boolean": pa.bool_()}
    schema = pa.schema(
        [pa.field(c.name, types[c.type], metadata={"description": c.description}) for c in table.columns]
    )
    arrays = [pa.array([row.get(c.name) for row in table.rows], type=types[c.type]) for c in table.columns]
    buffer = io.BytesIO()
    pq.write_table(pa.Table.from_arrays(arrays, schema=schema), buffer)
    return buffer.getvalue()


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


def table_csv(table: Table) -> bytes:
    return csv_bytes([c.name for c in table.columns], table.rows, [c.type for c in table.columns])


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
