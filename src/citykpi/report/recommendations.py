"""The editable recommendations file of the SSC City Profile, and the choice of what to show.

A recommendation says when it applies, as conditions on the city's own scored data points, so
that the profile never advises on something the city did not report or already does well (a city
that reports 0 % of its waste burnt is not told to stop burning waste), and, by context tags, in
which cities it applies at all (an income group, the main source of air pollution): the U4SSC data
do not say these, so the file declares the tags and their values and the city's team gives its
own (`citykpi report --kind profile --context income-group=high`). A tag the city did not give
does not hide a recommendation; the profile shows the tags beside it, so the reader can judge.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from importlib import resources
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

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


class Words(BaseModel):
    """A tag's words in English and, where given, French; the English serves any other language."""

    model_config = ConfigDict(extra="forbid")

    en: str = Field(min_length=1)
    fr: str = ""

    def said(self, lang: str) -> str:
        return self.fr if lang == "fr" and self.fr else self.en


class ContextKind(BaseModel):
    """A kind of context tag (income group, main pollution source) and the values it may take."""

    model_config = ConfigDict(extra="forbid")

    name: Words
    values: dict[str, Words] = Field(min_length=1)
    source: str = Field(default="", description="Where a city finds its value (a classification, a study)")


class Recommendation(BaseModel):
    model_config = ConfigDict(extra="forbid")

    subdimension: str
    category: str | None = None
    theme: str
    text: str
    inspired_by: str = ""
    when: list[Condition] = Field(min_length=1, description="Applies when any of these holds for the city")
    context: dict[str, list[str]] = Field(
        default_factory=dict,
        description="Context kind -> the values of the cities it applies to, e.g. income-group: [low, lower-middle]",
    )

    def applies(self, card: Scorecard) -> bool:
        return any(c.holds(item) for item in card.items for c in self.when)

    def fits(self, city: Mapping[str, str]) -> bool:
        """False only where the city gave a tag and its value is not among the recommendation's."""
        return all(city[kind] in values for kind, values in self.context.items() if kind in city)


class RecommendationSet(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    name: str
    contexts: dict[str, ContextKind] = Field(default_factory=dict, description="The context tags the file uses")
    recommendations: list[Recommendation]

    @model_validator(mode="after")
    def _declared_tags(self) -> RecommendationSet:
        for i, r in enumerate(self.recommendations):
            for kind, values in r.context.items():
                where = f"recommendations.{i}.context.{kind} ({r.theme})"
                if kind not in self.contexts:
                    known = ", ".join(self.contexts) or "none"
                    raise ValueError(f"{where}: no context kind {kind!r} in 'contexts' (declared: {known})")
                unknown = [v for v in values if v not in self.contexts[kind].values]
                if not values or unknown:
                    known = ", ".join(self.contexts[kind].values)
                    raise ValueError(f"{where}: give one or more of {known}, not {unknown or 'none'}")
        return self

    def city_context(self, given: Sequence[str]) -> tuple[dict[str, str], list[str]]:
        """The city's tags from `kind=value` texts, and a sentence for each one the file does not declare."""
        city: dict[str, str] = {}
        problems = []
        for text in given:
            kind, _, value = (part.strip() for part in text.partition("="))
            if kind not in self.contexts:
                known = ", ".join(self.contexts) or "none"
                problems.append(
                    f"{text!r}: no context kind {kind!r} in {self.name} (it has: {known}); write KIND=VALUE"
                )
            elif value not in self.contexts[kind].values:
                known = ", ".join(self.contexts[kind].values)
                problems.append(f"{text!r}: {kind} is one of {known}")
            elif city.get(kind, value) != value:
                problems.append(f"{text!r}: {kind} is given twice ({city[kind]} and {value})")
            else:
                city[kind] = value
        return city, problems


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


def for_subdimension(
    recommendations: RecommendationSet, subdimension: str, card: Scorecard, city: Mapping[str, str]
) -> list[Recommendation]:
    """The recommendations of a sub-dimension that apply to the city's scored data points and its context."""
    return [
        r
        for r in recommendations.recommendations
        if r.subdimension == subdimension and r.applies(card) and r.fits(city)
    ]
