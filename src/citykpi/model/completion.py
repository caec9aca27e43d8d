"""Completion figures and the certificate rule.

U4SSC publishes no threshold for its certificate (the Verification Manual describes the process but
no minimum share of KPIs; see docs/platform.md). The rule is therefore a configurable project
assumption whose default is "every core KPI reported or justified not applicable, and verified".
A KPI counts as reported when at least one of its data points has a value, and as not applicable
when every data point was declared not applicable.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from pydantic import BaseModel, Field


@dataclass(frozen=True)
class KpiState:
    code: str
    dimension: str
    level: str
    reported: bool
    not_applicable: bool
    verified: bool


@dataclass
class Tally:
    total: int = 0
    reported: int = 0
    not_applicable: int = 0
    verified: int = 0

    @property
    def share_reported(self) -> float:
        return (self.reported + self.not_applicable) / self.total if self.total else 0.0

    def add(self, kpi: KpiState) -> None:
        self.total += 1
        self.reported += kpi.reported
        self.not_applicable += kpi.not_applicable
        self.verified += kpi.verified


class Completion(BaseModel):
    overall: Tally
    by_dimension: dict[str, dict[str, Tally]] = Field(description="dimension -> level (core/advanced) -> tally")


class CertificateRule(BaseModel):
    """Which KPIs must be complete, what counts as complete, and how large a share is enough."""

    levels: list[str] = Field(default_factory=lambda: ["core"])
    not_applicable_counts: bool = True
    require_verified: bool = True
    min_share: float = Field(default=1.0, ge=0.0, le=1.0)

    @classmethod
    def from_env(cls) -> CertificateRule:
        """`CITYKPI_CERTIFICATE_RULE` may hold the rule as JSON, e.g. {"min_share": 0.9}."""
        raw = os.environ.get("CITYKPI_CERTIFICATE_RULE")
        return cls.model_validate_json(raw) if raw else cls()


class CertificateDecision(BaseModel):
    eligible: bool
    rule: CertificateRule
    considered: int
    complete: int
    missing: list[str] = Field(description="KPIs of the rule's levels that are not complete")
    unverified: int = Field(
        default=0,
        description="Of the missing, KPIs reported (or justified not applicable) that wait only for verification",
    )


def kpi_states(
    kpis: Iterable[tuple[str, str, str]], statuses: Mapping[str, list[str]], accepted: Iterable[str]
) -> list[KpiState]:
    """Join the catalogue (code, dimension, level), result statuses per KPI and accepted KPIs."""
    accepted_set = set(accepted)
    states = []
    for code, dimension, level in kpis:
        points = statuses.get(code, [])
        reported = any(s in ("computed", "reported") for s in points)
        not_applicable = bool(points) and all(s == "not applicable" for s in points)
        states.append(KpiState(code, dimension, level, reported, not_applicable, code in accepted_set))
    return states


def completion(states: Iterable[KpiState]) -> Completion:
    overall = Tally()
    by_dimension: dict[str, dict[str, Tally]] = {}
    for kpi in states:
        overall.add(kpi)
        by_dimension.setdefault(kpi.dimension, {}).setdefault(kpi.level, Tally()).add(kpi)
    return Completion(overall=overall, by_dimension=by_dimension)


def certificate(states: Iterable[KpiState], rule: CertificateRule) -> CertificateDecision:
    considered = [k for k in states if k.level in rule.levels]
    missing = []
    unverified = 0
    for kpi in considered:
        done = kpi.reported or (rule.not_applicable_counts and kpi.not_applicable)
        if not done or (rule.require_verified and not kpi.verified):
            missing.append(kpi.code)
            unverified += done
    complete = len(considered) - len(missing)
    share = complete / len(considered) if considered else 0.0
    return CertificateDecision(
        eligible=bool(considered) and share >= rule.min_share,
        rule=rule,
        considered=len(considered),
        complete=complete,
        missing=missing,
        unverified=unverified,
    )
