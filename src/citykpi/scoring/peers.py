"""Peer statistics of a reference set of cities, and the verifiers' screening against them.

The same latest values that give leading-city benchmarks also say what is unusual: a value
outside the reference set's 1st-99th percentile, or a change from one year to the next larger
than most cities see, is worth a question from the verifier. The quantiles are a screening rule,
kept as data (`data/peer-screening.yaml`); the figures travel with the derived target file, so a
report can screen a city without the reference set at hand.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from importlib import resources

from pydantic import BaseModel, ConfigDict, Field, model_validator

from citykpi.model.assessment import Assessment, KpiResult
from citykpi.model.diagnostics import Diagnostic, Location, Param, Severity, said

SCREENING_FILE = "peer-screening.yaml"


class ScreeningRule(BaseModel):
    """Which peer quantiles bound the usual values and changes (see docs/methodology.md)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    low_quantile: float = Field(ge=0, lt=0.5)
    high_quantile: float = Field(gt=0.5, le=1)
    change_quantile: float = Field(gt=0, le=1)
    source: str = Field(min_length=1)


class PeerFigures(BaseModel):
    """What the reference set's cities report for one data point, latest year each."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kpi: str
    data_point: str = "value"
    cities: int = Field(ge=1)
    low: float = Field(description="Value at the screening rule's low quantile")
    high: float = Field(description="Value at the screening rule's high quantile")
    changes: int = Field(default=0, ge=0, description="Cities with two reported years")
    change: float | None = Field(default=None, ge=0, description="Yearly change at the rule's change quantile")

    @model_validator(mode="after")
    def _ordered(self) -> PeerFigures:
        if self.low > self.high:
            raise ValueError(f"low {self.low} is above high {self.high}")
        if (self.change is None) != (self.changes == 0):
            raise ValueError("a change threshold needs the number of cities it comes from, and only then")
        return self


def screening_rule() -> ScreeningRule:
    """The shipped rule; a broken file is a packaging fault, not a user's."""
    import yaml

    text = (resources.files("citykpi.scoring") / "data" / SCREENING_FILE).read_text(encoding="utf-8")
    return ScreeningRule.model_validate(yaml.safe_load(text))


def yearly_change(older: tuple[int, float], newer: tuple[int, float]) -> float:
    """Change per year between two reported years (the later minus the earlier, over the gap)."""
    (y0, v0), (y1, v1) = older, newer
    return (v1 - v0) / (y1 - y0)


# A city's years, oldest first, each with its results by (KPI, data point): looked up once per data point.
Years = list[tuple[int, dict[tuple[str, str], KpiResult]]]


def indexed(history: Iterable[Assessment]) -> Years:
    found = [(a.profile.year, {(r.code, r.data_point): r for r in a.results}) for a in history]
    return sorted(found, key=lambda year: year[0])


def numeric_series(years: Years, kpi: str, data_point: str) -> list[tuple[int, float]]:
    """(year, value) of one data point over a city's years, oldest first, where it has a number."""
    found = []
    for year, results in years:
        result = results.get((kpi, data_point))
        if result is not None and result.has_value and result.value is not None and result.value_text is None:
            found.append((year, result.value))
    return found


def screen(history: Sequence[Assessment], peers: Iterable[PeerFigures], rule: ScreeningRule) -> list[Diagnostic]:
    """Warnings for the latest year of one city whose values or changes lie outside its peers'."""
    found: list[Diagnostic] = []
    years = indexed(history)
    for figures in peers:
        series = numeric_series(years, figures.kpi, figures.data_point)
        if not series:
            continue
        year, value = series[-1]
        where = Location(kpi=figures.kpi, field=figures.data_point)
        if not figures.low <= value <= figures.high:
            params: dict[str, Param] = {
                "value": f"{value:g}",
                "year": year,
                "low": f"{figures.low:g}",
                "high": f"{figures.high:g}",
                "lq": f"{rule.low_quantile:.0%}",
                "hq": f"{rule.high_quantile:.0%}",
                "cities": figures.cities,
            }
            found.append(
                said(
                    "peer-outlier",
                    "{value} ({year}) lies outside the {lq}-{hq} range of the reference cities "
                    "({low} to {high}, {cities} cities); please confirm it",
                    params,
                    variant="value",
                    severity=Severity.WARNING,
                    location=where,
                )
            )
        if figures.change is not None and len(series) > 1:
            step = yearly_change(series[-2], series[-1])
            if abs(step) > figures.change:
                change_params: dict[str, Param] = {
                    "step": f"{step:+g}",
                    "first": series[-2][0],
                    "year": year,
                    "change": f"{figures.change:g}",
                    "cq": f"{rule.change_quantile:.0%}",
                    "cities": figures.changes,
                }
                found.append(
                    said(
                        "peer-outlier",
                        "a change of {step} a year from {first} to {year} exceeds what {cq} of the reference "
                        "cities see ({change} a year, {cities} cities); please confirm it",
                        change_params,
                        variant="change",
                        severity=Severity.WARNING,
                        location=where,
                    )
                )
    return found
