"""The editable recommendations file of the SSC City Profile, and the choice of what to show.

A recommendation says when it applies, as conditions on the city's own scored data points, so
that the profile never advises on something the city did not report or already does well (a city
that reports 0 % of its waste burnt is not told to stop burning waste).
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from citykpi.model.diagnostics import ValidationReport, error
from citykpi.scoring.scorecard import ItemScore, Scorecard


class Condition(BaseModel):
    """One data point that makes a recommendation relevant when the city reported it and it scored weak."""

    model_config = ConfigDict(extra="forbid")

    kpi: str = Field(min_length=1, description="KPI code, e.g. 'EN: EN: WA: 1C'")
    data_point: str = Field(default="value", min_length=1)
    below_percent: float = Field(default=66.0, gt=0, le=100, description="Weak = scored below this % of its target")
    above: float | None = Field(
        default=None, description="...and its value is above this (e.g. 0: some waste is burnt)"
    )

    def holds(self, item: ItemScore) -> bool:
        if item.key != (self.kpi, self.data_point) or item.percent is None or not item.result.has_value:
            return False
        if self.above is not None and (item.result.value is None or item.result.value <= self.above):
            return False
        return item.percent < self.below_percent


class Recommendation(BaseModel):
    model_config = ConfigDict(extra="forbid")

    subdimension: str
    category: str | None = None
    theme: str
    text: str
    inspired_by: str = ""
    when: list[Condition] = Field(min_length=1, description="Applies when any of these holds for the city")

    def applies(self, card: Scorecard) -> bool:
        return any(c.holds(item) for item in card.items for c in self.when)


class RecommendationSet(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    name: str
    recommendations: list[Recommendation]


def read_recommendations(path: Path | None = None) -> tuple[RecommendationSet | None, ValidationReport]:
    """The given file, or the shipped seed set."""
    source = path or Path(str(resources.files("citykpi.report") / "data" / "recommendations.yaml"))
    where = str(source)
    try:
        doc = yaml.safe_load(source.read_text(encoding="utf-8"))
        return RecommendationSet.model_validate(doc), ValidationReport(valid=True)
    except OSError as exc:
        problem = error("file-error", f"cannot read recommendations: {exc.strerror or exc}", file=where)
    except yaml.YAMLError as exc:
        problem = error("format-error", f"not valid YAML: {exc}", file=where)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"])
        problem = error("format-error", f"{first['msg']} ({len(exc.errors())} problem(s))", file=where, field=field)
    return None, ValidationReport.from_diagnostics([problem])


def for_subdimension(recommendations: RecommendationSet, subdimension: str, card: Scorecard) -> list[Recommendation]:
    """The recommendations of a sub-dimension that apply to the city's scored data points; none else."""
    return [r for r in recommendations.recommendations if r.subdimension == subdimension and r.applies(card)]
