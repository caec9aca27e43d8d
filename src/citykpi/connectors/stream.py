"""One streaming pass over a measurement file, keeping only running sums per station.

Memory is bounded by the batch size plus one small record per station and pollutant, whatever the
length of the file: hourly data of a large network for a decade does not fit in memory as a
DataFrame but its tallies do. Grouping runs in Arrow's compute kernels so that Python only loops over
batches, not readings.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from citykpi.connectors.layout import Layout

BLOCK_BYTES = 16 << 20
NULLS = ["", "NA", "N/A", "n/a", "NaN", "nan", "None", "null", "NULL", "-", "NoData", "None "]
TIME_FORMATS = [pacsv.ISO8601, "%d-%m-%Y %H:%M", "%d/%m/%Y %H:%M", "%d-%m-%Y", "%d/%m/%Y", "%Y/%m/%d %H:%M"]
SINGLE_STATION = "(all readings)"


@dataclass
class Tally:
    valid: int = 0  # finite, non-negative readings
    negative: int = 0
    total: float = 0.0


@dataclass
class Tallies:
    """Per (station, pollutant key) for the requested city and year, plus what is needed to explain gaps."""

    by_station: dict[tuple[str, str], Tally] = field(default_factory=dict)
    rows_read: int = 0
    rows_selected: int = 0
    rows_without_time: int = 0
    sub_daily: bool = False  # some timestamp carries a time of day: the series is hourly
    cities: set[str] = field(default_factory=set)


def read_columns(path: Path) -> list[str]:
    if path.suffix.lower() == ".parquet":
        return list(pq.read_schema(path).names)
    with pacsv.open_csv(path, read_options=pacsv.ReadOptions(block_size=1 << 16)) as reader:
        return list(reader.schema.names)


def _batches(path: Path, layout: Layout) -> Iterator[pa.RecordBatch]:
    wanted = [layout.time, *(c for c in (layout.station, layout.city) if c), *(s.column for s in layout.series)]
    if path.suffix.lower() == ".parquet":
        yield from pq.ParquetFile(path).iter_batches(batch_size=1 << 20, columns=wanted)
        return
    types: dict[str, pa.DataType] = {s.column: pa.float64() for s in layout.series}
    types[layout.time] = pa.timestamp("s")
    for column in (layout.station, layout.city):
        if column:
            types[column] = pa.string()
    convert = pacsv.ConvertOptions(
        include_columns=wanted,
        column_types=types,
        null_values=NULLS,
        strings_can_be_null=True,
        timestamp_parsers=TIME_FORMATS,
    )
    with pacsv.open_csv(path, read_options=pacsv.ReadOptions(block_size=BLOCK_BYTES), convert_options=convert) as r:
        yield from r


def _timestamps(column: pa.Array) -> pa.Array:
    if pa.types.is_timestamp(column.type):
        return column
    if pa.types.is_date(column.type):
        return pc.cast(column, pa.timestamp("s"))
    return pc.strptime(column, format="%Y-%m-%dT%H:%M:%S", unit="s", error_is_null=True)


def tally(path: Path, layout: Layout, year: int, city: str | None) -> Tallies:
    """Raises pyarrow.ArrowInvalid on unparseable cells; the caller turns it into a diagnostic."""
    result = Tallies()
    wanted_city = city.strip().lower() if city else None
    for batch in _batches(path, layout):
        result.rows_read += batch.num_rows
        ts = _timestamps(batch.column(layout.time))
        result.rows_without_time += ts.null_count
        keep = pc.equal(pc.year(ts), year)
        if layout.city:
            names = pc.utf8_trim_whitespace(batch.column(layout.city))
            result.cities.update(str(c) for c in pc.unique(names).to_pylist() if c)
            if wanted_city:
                keep = pc.and_(keep, pc.equal(pc.utf8_lower(names), wanted_city))
        keep = pc.fill_null(keep, False)
        selected = batch.filter(keep)
        if selected.num_rows == 0:
            continue
        result.rows_selected += selected.num_rows
        times = ts.filter(keep)
        if not result.sub_daily:
            result.sub_daily = bool(pc.any(pc.not_equal(pc.floor_temporal(times, unit="day"), times)).as_py())
        _add(result, selected, layout)
    return result


def _add(result: Tallies, batch: pa.RecordBatch, layout: Layout) -> None:
    if layout.station:
        stations = pc.fill_null(pc.cast(batch.column(layout.station), pa.string()), "(no station)")
    elif layout.city:
        stations = pc.fill_null(batch.column(layout.city), SINGLE_STATION)
    else:
        stations = pa.array([SINGLE_STATION] * batch.num_rows, pa.string())
    columns: dict[str, pa.Array] = {"station": stations}
    aggregations: list[tuple[str, str]] = []
    for s in layout.series:
        values = pc.cast(batch.column(s.column), pa.float64())
        valid = pc.fill_null(pc.and_(pc.is_finite(values), pc.greater_equal(values, 0.0)), False)
        columns[f"{s.column}|v"] = pc.if_else(valid, values, None)
        columns[f"{s.column}|n"] = pc.cast(pc.fill_null(pc.less(values, 0.0), False), pa.int64())
        aggregations += [(f"{s.column}|v", "sum"), (f"{s.column}|v", "count"), (f"{s.column}|n", "sum")]
    grouped = pa.table(columns).group_by("station").aggregate(aggregations).to_pydict()
    for i, station in enumerate(grouped["station"]):
        for s in layout.series:
            t = result.by_station.setdefault((station, s.pollutant.key), Tally())
            t.valid += grouped[f"{s.column}|v_count"][i]
            t.total += grouped[f"{s.column}|v_sum"][i] or 0.0
            t.negative += grouped[f"{s.column}|n_sum"][i] or 0
