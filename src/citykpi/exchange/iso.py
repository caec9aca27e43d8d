"""Collect once, report to many: ISO 37120/37122/37123 indicators and an SDG view from U4SSC results.

The crosswalk (data/iso/, copied from the reference material and attributed in its SOURCE.md) says
for each U4SSC KPI which ISO or SDG indicator it matches and how well. An exact match is computed
(the U4SSC value times the unit factor); a close match is computed when `conversions.yaml` gives a
factor (the quantity agrees, the definition differs as the crosswalk's note says, and that note goes
with the value); related matches, close ones that do not convert, and KPIs with no ISO counterpart are
listed apart with the reason. One-way formats (`formats.ONE_WAY`): nothing is imported from them.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field

from citykpi.exchange.tables import write_csv
from citykpi.framework.model import Kpi
from citykpi.model.assessment import Assessment, KpiResult
from citykpi.scoring.targets import TargetBook

STANDARDS = {"iso37120": "ISO 37120:2018", "iso37122": "ISO 37122:2019", "iso37123": "ISO 37123:2019"}
SDG_PREFIX = "UN SDG global indicator framework"
LEFT_OUT_FILE = "left-out.csv"
SDG_FILE = "sdg-indicators.csv"
INDICATOR_COLUMNS = (
    "city", "country", "year", "iso_standard", "iso_number", "iso_name", "iso_unit", "value", "status", "match",
    "difference", "u4ssc_code", "u4ssc_data_point", "u4ssc_value", "u4ssc_unit", "factor", "conversion",
    "iso_confidence", "source",
)  # fmt: skip
LEFT_OUT_COLUMNS = ("iso_standard", "iso_number", "iso_name", "u4ssc_code", "u4ssc_name", "match", "reason")
SDG_COLUMNS = (
    "city", "country", "year", "sdg_goal", "sdg_code", "sdg_level", "u4ssc_code", "u4ssc_name", "u4ssc_data_point",
    "value", "value_text", "unit", "status", "match", "note",
)  # fmt: skip


Match = Literal["exact", "close", "related", "none"]


class CrosswalkRow(BaseModel):
    """One row of iso-crosswalk.csv, as the reference material has it."""

    model_config = ConfigDict(frozen=True)

    u4ssc_code: str
    u4ssc_name: str
    iso_standard: str
    iso_number: str
    iso_name: str
    iso_unit: str
    match: Match
    note: str
    source: str


class Conversion(BaseModel):
    """One entry of conversions.yaml: data points and unit factor of one crosswalk row."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kpi: str
    iso: str
    number: str = ""
    name: str = ""
    data_points: list[str] | None = None
    factor: float | None = Field(default=None, gt=0)
    conversion: str = ""

    def names(self, row: CrosswalkRow) -> bool:
        return (
            row.u4ssc_code == self.kpi
            and row.iso_standard == self.iso
            and (row.iso_number == self.number if self.number else row.iso_name == self.name)
        )


@dataclass(frozen=True)
class Link:
    """A crosswalk row resolved against the catalogue: computed when `factor` is set."""

    row: CrosswalkRow
    data_points: tuple[str, ...]
    factor: float | None
    conversion: str
    confidence: str

    @property
    def reason(self) -> str:
        """Why the row is not computed (empty when it is)."""
        if self.factor is not None:
            return ""
        if self.row.match == "none":
            return f"no ISO or SDG indicator corresponds: {self.row.note}"
        if self.row.match == "related":
            return f"related only, a different quantity: {self.row.note}"
        return f"close, but the U4SSC value does not convert to the ISO unit ({self.row.iso_unit}): {self.row.note}"


def _text(name: str) -> str:
    return (resources.files("citykpi.exchange") / "data" / "iso" / name).read_text(encoding="utf-8")


@cache
def crosswalk() -> tuple[CrosswalkRow, ...]:
    return tuple(CrosswalkRow.model_validate(r) for r in csv.DictReader(io.StringIO(_text("iso-crosswalk.csv"))))


@cache
def _confidences() -> dict[tuple[str, str], str]:
    found: dict[tuple[str, str], str] = {}
    for r in csv.DictReader(io.StringIO(_text("iso-indicators.csv"))):
        found[(r["standard"], r["number"] or r["name"])] = r["confidence"]
    return found


@cache
def _conversions() -> tuple[Conversion, ...]:
    return tuple(Conversion.model_validate(c) for c in yaml.safe_load(_text("conversions.yaml")))


def links(kpis: Mapping[str, Kpi]) -> list[Link]:
    """Every crosswalk row of a KPI the catalogue has, with its data points and factor.

    Raises ValueError for a conversion that names no row or an unknown data point, or an exact
    match of a multi-valued KPI without its data point: the shipped data are checked by a test.
    """
    conversions = _conversions()
    rows = crosswalk()
    for c in conversions:
        if sum(1 for r in rows if c.names(r)) != 1:
            raise ValueError(f"conversions.yaml: {c.kpi} {c.iso} {c.number or c.name} names no single crosswalk row")
    found = []
    for row in rows:
        kpi = kpis.get(row.u4ssc_code)
        if kpi is None:
            continue
        given = next((c for c in conversions if c.names(row)), None)
        keys = [d.key for d in kpi.data_points]
        points = tuple(given.data_points) if given and given.data_points else tuple(keys[:1] if len(keys) == 1 else ())
        factor = _factor(row, given)
        if not set(points) <= set(keys) or (factor is not None and not points):
            raise ValueError(f"crosswalk {row.u4ssc_code} -> {row.iso_standard} {row.iso_number}: data points {points}")
        confidence = _confidences().get((row.iso_standard, row.iso_number or row.iso_name), "")
        found.append(Link(row, points, factor, given.conversion if given else "", confidence))
    return found


def _factor(row: CrosswalkRow, given: Conversion | None) -> float | None:
    """Exact ISO matches convert by 1 unless stated; close ones only by a stated factor; others never.

    SDG rows get none: the SDG view shows the U4SSC values as they are.
    """
    if row.iso_standard not in STANDARDS.values() or row.match in ("related", "none"):
        return None
    if given is not None and given.factor is not None:
        return given.factor
    return 1.0 if row.match == "exact" else None


def _number(value: float) -> str:
    return f"{value:.10g}"


def _results(assessment: Assessment) -> dict[tuple[str, str], KpiResult]:
    return {(r.code, r.data_point): r for r in assessment.results}


def iso_rows(assessment: Assessment, standard: str, found: Sequence[Link]) -> list[dict[str, str]]:
    """The ISO indicators of one city-year: one row per computed link and data point, reported or not."""
    results = _results(assessment)
    rows = []
    for link in found:
        if link.row.iso_standard != standard or link.factor is None:
            continue
        for point in link.data_points:
            r = results.get((link.row.u4ssc_code, point))
            usable = r is not None and r.has_value and r.value is not None
            rows.append(
                {
                    "city": assessment.profile.city,
                    "country": assessment.profile.country,
                    "year": str(assessment.profile.year),
                    "iso_standard": standard,
                    "iso_number": link.row.iso_number,
                    "iso_name": link.row.iso_name + (f" ({point})" if len(link.data_points) > 1 else ""),
                    "iso_unit": link.row.iso_unit,
                    "value": _number(r.value * link.factor) if usable and r and r.value is not None else "",
                    "status": r.status.value if r else "not reported",
                    "match": link.row.match,
                    "difference": link.row.note if link.row.match == "close" else "",
                    "u4ssc_code": link.row.u4ssc_code,
                    "u4ssc_data_point": point,
                    "u4ssc_value": _number(r.value) if usable and r and r.value is not None else "",
                    "u4ssc_unit": r.unit if r else "",
                    "factor": _number(link.factor),
                    "conversion": link.conversion,
                    "iso_confidence": link.confidence,
                    "source": link.row.source,
                }
            )
    return rows


def left_out(standard: str, found: Sequence[Link]) -> list[dict[str, str]]:
    """Rows of the standard (and the KPIs with no counterpart at all) that are not computed, with why."""
    return [
        {
            "iso_standard": link.row.iso_standard,
            "iso_number": link.row.iso_number,
            "iso_name": link.row.iso_name,
            "u4ssc_code": link.row.u4ssc_code,
            "u4ssc_name": link.row.u4ssc_name,
            "match": link.row.match,
            "reason": link.reason,
        }
        for link in found
        if link.factor is None and (link.row.iso_standard == standard or link.row.match == "none")
    ]


def export_iso(
    name: str, assessments: Sequence[Assessment], kpis: Mapping[str, Kpi], out: Path, _book: TargetBook | None
) -> list[Path]:
    standard = STANDARDS[name]
    found = links(kpis)
    indicators, skipped = out / f"{name}.csv", out / LEFT_OUT_FILE
    write_csv(indicators, INDICATOR_COLUMNS, [row for a in assessments for row in iso_rows(a, standard, found)])
    write_csv(skipped, LEFT_OUT_COLUMNS, left_out(standard, found))
    return [indicators, skipped]


def sdg_rows(assessment: Assessment, kpis: Mapping[str, Kpi]) -> list[dict[str, str]]:
    """One city-year by SDG indicator (or target, or goal where the catalogue names no target)."""
    matches = {
        (k.row.u4ssc_code, k.row.iso_number): k
        for k in links(kpis)
        if k.row.iso_standard.startswith(SDG_PREFIX) and k.row.iso_number
    }
    rows = []
    for r in assessment.results:
        kpi = kpis.get(r.code)
        if kpi is None:
            continue
        codes = [(c.split(".")[0], c) for c in kpi.sdg_targets] or [(str(g), "") for g in kpi.sdg_goals]
        for goal, code in codes:
            link = matches.get((r.code, code))
            if link and link.data_points and r.data_point not in link.data_points:
                continue  # the SDG indicator covers other data points of the KPI (PM, not NO2, for 11.6.2)
            known = link.row if link else None
            rows.append(
                {
                    "city": assessment.profile.city,
                    "country": assessment.profile.country,
                    "year": str(assessment.profile.year),
                    "sdg_goal": goal,
                    "sdg_code": code,
                    "sdg_level": {0: "goal", 1: "target"}.get(code.count("."), "indicator"),
                    "u4ssc_code": r.code,
                    "u4ssc_name": r.name,
                    "u4ssc_data_point": r.data_point,
                    "value": _number(r.value) if r.has_value and r.value is not None else "",
                    "value_text": r.value_text or "",
                    "unit": r.unit,
                    "status": r.status.value,
                    "match": known.match if known else "",
                    "note": known.note if known else "",
                }
            )
    rows.sort(key=lambda row: (row["city"], row["year"], int(row["sdg_goal"]), row["sdg_code"]))
    return rows


def export_sdg(
    assessments: Sequence[Assessment], kpis: Mapping[str, Kpi], out: Path, _book: TargetBook | None
) -> list[Path]:
    path = out / SDG_FILE
    write_csv(path, SDG_COLUMNS, [row for a in assessments for row in sdg_rows(a, kpis)])
    return [path]
