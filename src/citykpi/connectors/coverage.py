"""Coverage rules: when a station's readings of a year are enough for that year's annual mean.

The rules are data (`data/coverage-rules.yaml`, or a file of the user's) so that a city reporting
under another regime can name its own and the note of every value says which rule was applied. A
rule gives, per pollutant, windows of calendar months that must each hold a minimum share of valid
periods; the shipped default is Directive 2008/50/EC's (docs/interoperability.md).
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from citykpi.connectors.pollutants import POLLUTANTS, pollutant_named
from citykpi.model.diagnostics import Diagnostic, error

EVERY_POLLUTANT = "*"
SHIPPED = "coverage-rules.yaml"


class Window(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    months: tuple[int, ...] = Field(min_length=1)
    minimum: float = Field(gt=0, le=1, description="share of the window's periods with a valid reading")

    @field_validator("months")
    @classmethod
    def _calendar_months(cls, months: tuple[int, ...]) -> tuple[int, ...]:
        if any(m < 1 or m > 12 for m in months) or len(set(months)) != len(months):
            raise ValueError("months are distinct numbers from 1 (January) to 12 (December)")
        return months


class CoverageRule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    title: str
    source: str
    interpretation: str = ""
    windows: dict[str, tuple[Window, ...]]

    @field_validator("windows")
    @classmethod
    def _pollutant_keys(cls, windows: dict[str, tuple[Window, ...]]) -> dict[str, tuple[Window, ...]]:
        keyed: dict[str, tuple[Window, ...]] = {}
        for name, listed in windows.items():
            pollutant = pollutant_named(name)
            if name != EVERY_POLLUTANT and pollutant is None:
                raise ValueError(f"{name!r} is neither '*' nor one of PM10, PM2.5, NO2, SO2, O3")
            if not listed:
                raise ValueError(f"{name!r} has no window")
            keyed[EVERY_POLLUTANT if pollutant is None else pollutant.key] = listed
        if EVERY_POLLUTANT not in keyed:
            raise ValueError("a rule needs a '*' entry for the pollutants without their own windows")
        return keyed

    def windows_for(self, pollutant: str) -> tuple[Window, ...]:
        return self.windows.get(pollutant, self.windows[EVERY_POLLUTANT])


class CoverageRules(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    default: str
    rules: dict[str, CoverageRule] = Field(min_length=1)

    @model_validator(mode="after")
    def _default_is_a_rule(self) -> CoverageRules:
        if self.default not in self.rules:
            raise ValueError(f"default {self.default!r} is not one of the rules {sorted(self.rules)}")
        return self


@dataclass(frozen=True)
class NamedRule:
    name: str
    rule: CoverageRule

    def describe(self) -> str:
        """'eu-2008-50 (Directive ...): year >= 90%; O3: summer (April-September) >= 75%, ...'."""
        parts = [
            ("" if key == EVERY_POLLUTANT else f"{POLLUTANTS[key].label}: ")
            + ", ".join(f"{w.name} >= {w.minimum:.0%}" for w in windows)
            for key, windows in self.rule.windows.items()
        ]
        return f"{self.name} ({self.rule.title}): " + "; ".join(parts)


@dataclass(frozen=True)
class WindowShare:
    window: Window
    valid: int
    expected: int

    @property
    def share(self) -> float:
        return self.valid / self.expected

    @property
    def met(self) -> bool:
        return self.share >= self.window.minimum


@dataclass(frozen=True)
class Coverage:
    """One station-year of one pollutant held against a rule."""

    rule: str
    windows: tuple[WindowShare, ...]
    valid: int  # valid readings in the calendar year
    expected: int  # periods of the calendar year

    @property
    def met(self) -> bool:
        return all(w.met for w in self.windows)

    @property
    def share(self) -> float:
        """Valid periods of the whole calendar year, whatever the windows."""
        return self.valid / self.expected

    def describe(self) -> str:
        """'year 83% (needs 90%)' or 'summer (April-September) 80% (needs 75%), winter ...'."""
        return ", ".join(f"{w.window.name} {w.share:.0%} (needs {w.window.minimum:.0%})" for w in self.windows)

    def brief(self) -> str:
        """'83%' or 'summer 80%, winter 40%': for a terminal table beside the rule stated once."""
        if len(self.windows) == 1:
            return f"{self.windows[0].share:.0%}"
        return ", ".join(f"{w.window.name.split(' (')[0]} {w.share:.0%}" for w in self.windows)


def coverage(rule: NamedRule, pollutant: str, year: int, hourly: bool, valid_by_month: Sequence[float]) -> Coverage:
    """`valid_by_month[i]` counts the valid readings of month i + 1 of `year`."""
    periods = [calendar.monthrange(year, m)[1] * (24 if hourly else 1) for m in range(1, 13)]
    shares = tuple(
        WindowShare(
            window,
            int(sum(valid_by_month[m - 1] for m in window.months)),
            sum(periods[m - 1] for m in window.months),
        )
        for window in rule.rule.windows_for(pollutant)
    )
    return Coverage(rule.name, shares, int(sum(valid_by_month)), sum(periods))


def load_rules(path: Path | None = None) -> CoverageRules | list[Diagnostic]:
    """The shipped rules, or those of `path`; problems name the file and the field."""
    file = str(path) if path else SHIPPED
    try:
        shipped = resources.files(__package__).joinpath("data", SHIPPED)
        text = path.read_text(encoding="utf-8") if path else shipped.read_text("utf-8")
        doc = yaml.safe_load(text)
    except OSError as exc:
        return [error("file-error", f"cannot read the coverage rules: {exc.strerror or exc}", file=file)]
    except yaml.YAMLError as exc:
        return [error("format-error", f"not valid YAML: {exc}", file=file)]
    try:
        return CoverageRules.model_validate(doc)
    except ValidationError as exc:
        return [
            error("rule-error", f"{e['msg']} (field '{'.'.join(str(p) for p in e['loc']) or 'rules'}')", file=file)
            for e in exc.errors()
        ]


def pick_rule(rules: CoverageRules, name: str | None) -> NamedRule | Diagnostic:
    chosen = name or rules.default
    if chosen not in rules.rules:
        return error("rule-error", f"no coverage rule {chosen!r}; rules: {', '.join(sorted(rules.rules))}")
    return NamedRule(chosen, rules.rules[chosen])
