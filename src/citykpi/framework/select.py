"""Choosing indicators: the KPIs that fit a city's goals (SDGs, themes) and the data it already holds.

The practitioner's question is which indicators to start with and how many. The proposal ranks
the KPIs matching any goal given by how much of their data the city already reports (all, part,
none), core before advanced, and adds the KPIs whose inputs the proposed formulas reuse (an input
is declared once, under one KPI), so that a workbook of the selection can be filled and read back
against the full catalogue. Themes are data (`data/themes.yaml`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import IntEnum
from functools import cache
from importlib import resources
from typing import Protocol

from pydantic import BaseModel, ConfigDict, Field

from citykpi.framework.formula import FormulaError, parse
from citykpi.framework.levels import Level
from citykpi.framework.model import PROFILE_FIELDS, Framework, Kpi
from citykpi.model.submission import EntryKind, Status, Submission


class Theme(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    description: str
    categories: list[str] = Field(default_factory=list)
    keywords: list[str] = Field(default_factory=list)

    def matches(self, kpi: Kpi) -> bool:
        if kpi.category in self.categories:
            return True
        text = f"{kpi.name} {kpi.definition}"
        return any(_keyword(k).search(text) for k in self.keywords)


class Themes(BaseModel):
    model_config = ConfigDict(extra="forbid")

    themes: dict[str, Theme]


@cache
def themes() -> dict[str, Theme]:
    import yaml

    text = (resources.files("citykpi.framework") / "data" / "themes.yaml").read_text(encoding="utf-8")
    return Themes.model_validate(yaml.safe_load(text)).themes


def _keyword(word: str) -> re.Pattern[str]:
    stem = re.escape(word.removesuffix("*"))
    tail = r"\w*" if word.endswith("*") else ""
    return re.compile(rf"\b{stem}{tail}\b", re.IGNORECASE)


class Readiness(IntEnum):
    """How much of a KPI's data the city already holds; the lower, the sooner it can report."""

    HELD = 0  # every data point reported, or all its formula inputs
    PARTLY = 1
    NONE = 2
    UNKNOWN = 3  # no --have file given


@dataclass(frozen=True)
class Held:
    """What a city already reports: input names, (KPI, data point) values, profile fields."""

    inputs: frozenset[str]
    values: frozenset[tuple[str, str]]
    profile: frozenset[str]

    @classmethod
    def of(cls, submission: Submission) -> Held:
        given = [e for e in submission.entries if e.status is Status.REPORTED and e.value is not None]
        return cls(
            inputs=frozenset(e.name for e in given if e.kind is EntryKind.INPUT),
            values=frozenset((e.kpi, e.name) for e in given if e.kind is EntryKind.VALUE),
            profile=frozenset(f for f in PROFILE_FIELDS if getattr(submission.profile, f) is not None),
        )


@dataclass(frozen=True)
class Proposal:
    kpi: Kpi
    reasons: tuple[str, ...]  # "SDG 11", "theme mobility", or "inputs for CODE" for a supporting KPI
    readiness: Readiness
    held: int  # of `needed` figures (inputs, or direct values for KPIs without a formula)
    needed: int

    @property
    def supporting(self) -> bool:
        return all(r.startswith("inputs for ") for r in self.reasons)


def needs(kpi: Kpi) -> set[str]:
    """Input names and profile fields the KPI's formulas use."""
    found: set[str] = set()
    for point in kpi.data_points:
        try:
            found |= parse(point.formula).names if point.formula else set()
        except FormulaError:
            continue
    return found


def readiness(kpi: Kpi, held: Held | None) -> tuple[Readiness, int, int]:
    if held is None:
        return Readiness.UNKNOWN, 0, 0
    direct = sum(1 for p in kpi.data_points if (kpi.code, p.key) in held.values)
    names = needs(kpi)
    have = sum(1 for n in names if n in held.inputs or n in held.profile)
    if direct == len(kpi.data_points) or (names and have == len(names)):
        return Readiness.HELD, max(have, direct), max(len(names), direct)
    count, of = (have, len(names)) if names else (direct, len(kpi.data_points))
    return (Readiness.PARTLY if count else Readiness.NONE), count, of


def _reasons(kpi: Kpi, sdgs: Sequence[int], wanted: Mapping[str, Theme]) -> list[str]:
    goals = set(kpi.sdg_goals) | {int(t.split(".")[0]) for t in kpi.sdg_targets if t.split(".")[0].isdigit()}
    found = [f"SDG {g}" for g in sdgs if g in goals]
    return found + [f"theme {name}" for name, theme in wanted.items() if theme.matches(kpi)]


def select(
    kpis: Mapping[str, Kpi],
    sdgs: Sequence[int] = (),
    theme_names: Sequence[str] = (),
    held: Held | None = None,
    level: Level | None = None,
    match_all: bool = False,
) -> list[Proposal]:
    """KPIs matching any (or, with `match_all`, every) SDG and theme given, or all KPIs when none is given.

    Ordered by the number of goals matched, then by the data held, then core before advanced.

    Raises KeyError naming the known themes for an unknown theme.
    """
    known = themes()
    unknown = [t for t in theme_names if t not in known]
    if unknown:
        raise KeyError(f"unknown theme(s) {', '.join(unknown)}; themes: {', '.join(known)}")
    wanted = {t: known[t] for t in theme_names}
    chosen: list[tuple[Kpi, list[str]]] = []
    for kpi in kpis.values():
        if level is not None and kpi.level is not level:
            continue
        reasons = _reasons(kpi, sdgs, wanted)
        goals = len(sdgs) + len(theme_names)
        if len(reasons) == goals or (reasons and not match_all):
            chosen.append((kpi, reasons))
    proposals = [Proposal(k, tuple(r), *readiness(k, held)) for k, r in chosen]
    proposals.sort(key=lambda p: (-len(p.reasons), p.readiness, p.kpi.level is not Level.CORE))
    return proposals + _supporting(kpis, [p.kpi for p in proposals], held)


def _supporting(kpis: Mapping[str, Kpi], chosen: Sequence[Kpi], held: Held | None) -> list[Proposal]:
    """KPIs outside the selection that declare inputs the selected formulas use."""
    owner = {item.name: kpi for kpi in kpis.values() for item in kpi.inputs}
    codes = {k.code for k in chosen}
    found: dict[str, list[str]] = {}
    for kpi in chosen:
        for name in sorted(needs(kpi) - set(PROFILE_FIELDS)):
            source = owner.get(name)
            if source is not None and source.code not in codes and kpi.code not in found.get(source.code, []):
                found.setdefault(source.code, []).append(kpi.code)
    return [
        Proposal(kpis[code], tuple(f"inputs for {c}" for c in users), *readiness(kpis[code], held))
        for code, users in found.items()
    ]


class Codes(Protocol):
    def normalise_code(self, text: str) -> str | None: ...


@dataclass(frozen=True)
class Subset:
    """A catalogue of the selected KPIs only (catalogue order), for writing their workbook."""

    kpis: dict[str, Kpi]
    frameworks: Sequence[Framework]
    full: Codes  # the catalogue the workbook is read back with

    def normalise_code(self, text: str) -> str | None:
        code = self.full.normalise_code(text)
        return code if code in self.kpis else None


def subset(kpis: Mapping[str, Kpi], frameworks: Sequence[Framework], codes: Iterable[str], full: Codes) -> Subset:
    wanted = set(codes)
    return Subset({c: k for c, k in kpis.items() if c in wanted}, frameworks, full)
