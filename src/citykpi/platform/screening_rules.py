"""The screening rules run when a period is submitted, kept as data (`data/screening-rules.yaml`).

A rule names its kind (which comparison it makes), its default threshold and the English message
of a finding. Hubs may set their own threshold (`citykpi.platform.hub_screening`); `effective`
applies those over the shipped defaults, so the screening itself never reads the database for them.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from functools import lru_cache
from importlib import resources

from pydantic import BaseModel, ConfigDict, Field, model_validator

RULES_FILE = "screening-rules.yaml"


class RuleKind(StrEnum):
    YEAR_ON_YEAR = "year-on-year"  # a number against the city's previous reporting year
    PEER_RANGE = "peer-range"  # a KPI value against its peer group's published values of the same year
    CHECKS = "checks"  # the validation checks (formulas, plausibility, the manual's rules)


class ScreeningRule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z][a-z0-9-]*$", max_length=40)
    kind: RuleKind
    threshold: float | None = Field(default=None, ge=0, le=100)
    min_peers: int = Field(default=3, ge=1)
    description: str = Field(min_length=1)
    message: str = ""

    @model_validator(mode="after")
    def _complete(self) -> ScreeningRule:
        compares = self.kind is not RuleKind.CHECKS
        if compares and (self.threshold is None or not self.message):
            raise ValueError(f"rule {self.id!r} of kind {self.kind.value} needs a threshold and a message")
        if not compares and self.threshold is not None:
            raise ValueError(f"rule {self.id!r} runs the validation checks and takes no threshold")
        return self


class RuleBook(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    source: str = Field(min_length=1)
    rules: list[ScreeningRule] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> RuleBook:
        ids = [r.id for r in self.rules]
        if len(set(ids)) != len(ids):
            raise ValueError(f"rule ids must be unique, found {sorted(ids)}")
        return self

    def by_id(self) -> dict[str, ScreeningRule]:
        return {r.id: r for r in self.rules}

    def adjustable(self) -> list[ScreeningRule]:
        """The rules a hub may set a threshold for."""
        return [r for r in self.rules if r.threshold is not None]

    def effective(self, overrides: Mapping[str, float]) -> RuleBook:
        """The rules with a hub's thresholds in place of the defaults; unknown rule ids are ignored."""
        rules = [
            r.model_copy(update={"threshold": overrides[r.id]}) if r.threshold is not None and r.id in overrides else r
            for r in self.rules
        ]
        return self.model_copy(update={"rules": rules})

    def of_kind(self, kind: RuleKind) -> list[ScreeningRule]:
        return [r for r in self.rules if r.kind is kind]


@lru_cache(maxsize=1)
def shipped_rules() -> RuleBook:
    """The packaged rule book; a broken file is a packaging fault (the test suite loads it), not a user's."""
    import yaml

    text = (resources.files("citykpi.platform") / "data" / RULES_FILE).read_text(encoding="utf-8")
    return RuleBook.model_validate(yaml.safe_load(text))
