"""The time of each reading as seconds since the epoch, from one date/time column or from separate
year, month, day (and hour) columns, as station exports such as Beijing's PRSA files write them.

An unreadable or impossible time (month 13, 30 February, hour 24) becomes a sentinel below any real
year, so that the row is counted and skipped rather than crashing the pass or landing in another year.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

MISSING_TIME = np.iinfo(np.int64).min
DAY = 86400


def seconds_of(column: pa.Array) -> np.ndarray:
    """From a timestamp, date or ISO 8601 text column; anything else raises ArrowInvalid."""
    if pa.types.is_timestamp(column.type) or pa.types.is_date(column.type):
        ts = pc.cast(column, pa.timestamp("s"), safe=False)
    else:  # ISO 8601 text in a Parquet file; anything else raises ArrowInvalid, reported as a format error
        ts = pc.cast(pc.cast(column, pa.string()), pa.timestamp("s"))
    ints = pc.cast(ts, pa.int64())
    return np.asarray((pc.fill_null(ints, MISSING_TIME) if ints.null_count else ints).to_numpy(zero_copy_only=False))


def _numbers(column: pa.Array) -> np.ndarray:
    values = pc.cast(column, pa.float64())
    if values.null_count:
        values = pc.fill_null(values, float("nan"))
    return np.asarray(values.to_numpy(zero_copy_only=False))


def seconds_from_parts(year: pa.Array, month: pa.Array, day: pa.Array, hour: pa.Array | None) -> np.ndarray:
    """From calendar parts; an hour of 0-23 (the hour a reading starts), midnight without an hour column."""
    y, m, d = _numbers(year), _numbers(month), _numbers(day)
    h = _numbers(hour) if hour is not None else np.zeros(len(y))
    with np.errstate(invalid="ignore"):
        ok = (y == np.floor(y)) & (m == np.floor(m)) & (d == np.floor(d)) & (h == np.floor(h))
        ok &= (y >= 1) & (y <= 9999) & (m >= 1) & (m <= 12) & (d >= 1) & (h >= 0) & (h <= 23)
    months = np.where(ok, (y - 1970) * 12 + m - 1, 0).astype(np.int64)
    first = months.astype("datetime64[M]").astype("datetime64[D]").astype(np.int64)
    length = (months + 1).astype("datetime64[M]").astype("datetime64[D]").astype(np.int64) - first
    ok &= np.where(ok, d, 1) <= length
    seconds = (first + np.where(ok, d, 1).astype(np.int64) - 1) * DAY + np.where(ok, h, 0).astype(np.int64) * 3600
    return np.where(ok, seconds, MISSING_TIME)


def months_since_epoch(seconds: np.ndarray) -> np.ndarray:
    """Calendar month of each (valid) time, counted from January 1970.

    numpy's calendar conversion of every element costs twice a binary search among the starts of
    the few months a batch spans, which gives the same months.
    """
    if seconds.size == 0:
        return seconds.copy()
    first, last = (_month_of(int(seconds.min())), _month_of(int(seconds.max())))
    starts = np.arange(first + 1, last + 1).astype("datetime64[M]").astype("datetime64[s]").astype(np.int64)
    return np.asarray(first + np.searchsorted(starts, seconds, side="right"))


def _month_of(second: int) -> int:
    return int(np.int64(second).astype("datetime64[s]").astype("datetime64[M]").astype(np.int64))
