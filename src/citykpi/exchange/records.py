"""The flat record every tabular format shares: one KPI data point of one city and year.

Tabular exports (data package, SDMX-CSV, Open SDG) differ in column names and layout but not in
content, so they all go through these records; the conversions here are the one place where `None`,
booleans and floats are turned into text and back, which is what makes the round trips lossless.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from citykpi.model.assessment import Assessment, KpiResult, ResultStatus
from citykpi.model.submission import CityProfile, DataQuality

PROFILE_FIELDS = ("city", "country", "year", "population", "households", "area_km2", "gdp", "currency")
RESULT_FIELDS = tuple(KpiResult.model_fields)


def ascii_token(text: str, sep: str) -> str:
    """An identifier-safe spelling of a city or KPI code ('São Paulo' -> 'Sao-Paulo')."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Za-z0-9]+", sep, ascii_text).strip(sep) or "x"


class RecordError(ValueError):
    """A cell that cannot be read back; `field` names the column."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        super().__init__(message)


def text(value: Any) -> str:
    """Cell text: '' for None, repr for floats (shortest string that reads back to the same float)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, DataQuality):
        return str(int(value))
    return str(value.value if hasattr(value, "value") else value)


def number(field: str, cell: str) -> float | None:
    if cell == "":
        return None
    try:
        return float(cell)
    except ValueError:
        raise RecordError(field, f"{cell!r} is not a number") from None


def integer(field: str, cell: str) -> int | None:
    value = number(field, cell)
    if value is not None and not value.is_integer():
        raise RecordError(field, f"{cell!r} is not a whole number")
    return None if value is None else int(value)


def boolean(field: str, cell: str) -> bool | None:
    lowered = cell.strip().lower()
    if lowered == "":
        return None
    if lowered in ("true", "false"):
        return lowered == "true"
    raise RecordError(field, f"{cell!r} is not true or false")


def status(cell: str) -> ResultStatus:
    try:
        return ResultStatus(cell)
    except ValueError:
        known = ", ".join(s.value for s in ResultStatus)
        raise RecordError("status", f"{cell!r} is not a result status ({known})") from None


def quality(cell: str) -> DataQuality | None:
    level = integer("quality", cell)
    if level is None:
        return None
    try:
        return DataQuality(level)
    except ValueError:
        raise RecordError("quality", f"{cell!r} is not a data-quality level 1-6") from None


def result_rows(assessments: Iterable[Assessment]) -> Iterator[dict[str, str]]:
    """Cells of every result with the city and year it belongs to."""
    for a in assessments:
        key = {"city": a.profile.city, "country": a.profile.country, "year": str(a.profile.year)}
        for r in a.results:
            yield key | {f: text(getattr(r, f)) for f in RESULT_FIELDS}


def profile_row(profile: CityProfile, frameworks: list[str]) -> dict[str, str]:
    return {f: text(getattr(profile, f)) for f in PROFILE_FIELDS} | {"frameworks": ";".join(frameworks)}


def result_from_cells(cells: Mapping[str, str]) -> KpiResult:
    """Inverse of `result_rows` for one row; raises RecordError naming the bad column."""
    plain = {f: cells.get(f, "") for f in ("code", "data_point", "name", "dimension", "subdimension", "category")}
    return KpiResult(
        **plain,
        level=cells.get("level", ""),
        unit=cells.get("unit", ""),
        value=number("value", cells.get("value", "")),
        value_text=cells.get("value_text") or None,
        status=status(cells.get("status", "")),
        quality=quality(cells.get("quality", "")),
        source=cells.get("source", ""),
        origin=cells.get("origin", ""),
        verified=boolean("verified", cells.get("verified", "")),
        reason=cells.get("reason", ""),
    )


def year_of(field: str, cell: str) -> int:
    year = integer(field, cell)
    if year is None:
        raise RecordError(field, "the year is empty")
    return year


def renamed(cells: Mapping[str, str], columns: Mapping[str, str]) -> dict[str, str]:
    """Cells keyed by KpiResult field, from a format whose columns are named `columns[field]`."""
    return {field: cells.get(column, "") for field, column in columns.items()}


Place = tuple[str, str, int]  # city, country, year: two cities named London are two places


def keyed_result(cells: Mapping[str, str]) -> tuple[Place, KpiResult]:
    """(place, result) of a row that also names its city, country and year."""
    place = (cells.get("city", ""), cells.get("country", ""), year_of("year", cells.get("year", "")))
    return place, result_from_cells(cells)


def profile_from_cells(cells: Mapping[str, str]) -> tuple[CityProfile, list[str]]:
    profile = CityProfile(
        city=cells.get("city", ""),
        country=cells.get("country", ""),
        year=year_of("year", cells.get("year", "")),
        population=number("population", cells.get("population", "")),
        households=number("households", cells.get("households", "")),
        area_km2=number("area_km2", cells.get("area_km2", "")),
        gdp=number("gdp", cells.get("gdp", "")),
        currency=cells.get("currency", ""),
    )
    return profile, [f for f in cells.get("frameworks", "").split(";") if f]


def group(
    profiles: Iterable[tuple[CityProfile, list[str]]], results: Iterable[tuple[Place, KpiResult]]
) -> list[Assessment]:
    """Assessments in the order of `profiles`; results are attached by city, country and year.

    A result naming no country (a file written before results carried one) goes to the one profile
    of its city and year, when there is exactly one.
    """
    by_key: dict[Place, Assessment] = {}
    for profile, frameworks in profiles:
        by_key[(*profile.place, profile.year)] = Assessment(profile=profile, frameworks=frameworks, results=[])
    by_name: dict[tuple[str, int], list[Place]] = {}
    for city, country, year in by_key:
        by_name.setdefault((city, year), []).append((city, country, year))
    for place, result in results:
        city, country, year = place
        if place not in by_key and not country and len(by_name.get((city, year), [])) == 1:
            place = by_name[(city, year)][0]
        assessment = by_key.get(place)
        if assessment is None:
            assessment = by_key[place] = Assessment(
                profile=CityProfile(city=city, country=country, year=year), frameworks=[], results=[]
            )
        assessment.results.append(result)
    return list(by_key.values())
