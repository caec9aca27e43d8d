"""The editable recommendations file of the SSC City Profile, and the choice of what to show."""

from __future__ import annotations

from collections.abc import Sequence
from importlib import resources
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from citykpi.model.diagnostics import ValidationReport, error


class Recommendation(BaseModel):
    model_config = ConfigDict(extra="forbid")

    subdimension: str
    category: str | None = None
    theme: str
    text: str
    inspired_by: str = ""


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


def for_subdimension(
    recommendations: RecommendationSet, subdimension: str, weak_categories: Sequence[str]
) -> list[Recommendation]:
    """Recommendations of a sub-dimension; category-bound ones only where that category is weak,
    unless that would leave nothing to say."""
    mine = [r for r in recommendations.recommendations if r.subdimension == subdimension]
    return [r for r in mine if r.category is None or r.category in weak_categories] or mine
