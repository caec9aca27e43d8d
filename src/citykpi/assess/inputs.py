"""Gathering what a formula needs from a submission, or deciding why it cannot be computed.

The order of the decisions follows what a verifier would write in the "KPIs not reported" section:
an input the city declared not applicable makes the data point not applicable, a declared gap makes
it not available, nothing at all is simply not reported, and a half-filled set of inputs is an
error that names what is missing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TypeVar

from citykpi.assess.values import Problem, as_number
from citykpi.collect.cells import in_range
from citykpi.framework.formula import Formula, FormulaError, parse
from citykpi.framework.model import PROFILE_FIELDS, Input
from citykpi.model.assessment import InputUse, ResultStatus
from citykpi.model.diagnostics import Location
from citykpi.model.submission import CityProfile, Entry, EntryKind, Status

K = TypeVar("K")


@dataclass(frozen=True)
class EntryIndex:
    """Entries by input name and by (KPI code, data point key); the first reported entry wins."""

    inputs: dict[str, Entry] = field(default_factory=dict)
    values: dict[tuple[str, str], Entry] = field(default_factory=dict)

    @classmethod
    def build(cls, entries: Iterable[Entry]) -> EntryIndex:
        index = cls()
        for entry in entries:
            if entry.kind is EntryKind.INPUT:
                _keep(index.inputs, entry.name, entry)
            else:
                _keep(index.values, (entry.kpi, entry.name), entry)
        return index

    def input(self, name: str) -> Entry | None:
        return self.inputs.get(name)

    def value(self, code: str, key: str) -> Entry | None:
        return self.values.get((code, key))


def _keep(table: dict[K, Entry], key: K, entry: Entry) -> None:
    held = table.get(key)
    if held is None or (held.status is not Status.REPORTED and entry.status is Status.REPORTED):
        table[key] = entry


@dataclass(frozen=True)
class NoValue:
    status: ResultStatus
    reason: str
    problem: str = ""
    missing: tuple[str, ...] = ()
    given: tuple[InputUse, ...] = ()


@dataclass(frozen=True)
class Gathered:
    """What a formula sees: the values it reads, the entries they came from and where each one is."""

    formula: Formula
    values: dict[str, float]
    entries: list[Entry]
    used: list[InputUse]

    def evaluate(self) -> object:
        """The formula's result, or a `Problem` saying which input made it impossible."""
        try:
            return self.formula.evaluate(self.values)
        except FormulaError as exc:
            return Problem(exc.message, exc.kind if exc.kind == "zero-denominator" else "formula-error")


@lru_cache(maxsize=4096)
def _parsed(expression: str) -> Formula | Problem:
    try:
        return parse(expression)
    except FormulaError as exc:
        return Problem(f"the catalogue formula {expression!r} cannot be read: {exc.message}", "formula-error")


def gather_inputs(
    expression: str,
    index: EntryIndex,
    inputs: dict[str, Input],
    profile: CityProfile,
    places: Mapping[str, Location] | None = None,
) -> Gathered | NoValue:
    """The one definition of what a formula sees; the validation checks read it from the results.

    `places` says where profile fields were typed (the Cover sheet's cells), for the provenance of each value.
    """
    formula = _parsed(expression)
    if isinstance(formula, Problem):
        return NoValue(ResultStatus.ERROR, formula.reason, formula.type)
    values: dict[str, float] = {}
    used: list[Entry] = []
    seen: list[InputUse] = []
    missing: list[str] = []
    gaps: dict[Status, list[str]] = {Status.NOT_APPLICABLE: [], Status.NOT_AVAILABLE: []}
    problems: list[Problem] = []
    no_profile: list[str] = []
    for name in sorted(formula.names):
        if name in PROFILE_FIELDS:
            held = getattr(profile, name)
            if held is None:
                no_profile.append(name)
            else:
                values[name] = float(held)
                seen.append(InputUse(name=name, value=values[name], location=(places or {}).get(name, Location())))
            continue
        entry = index.input(name)
        if entry is None or entry.status is Status.NOT_REPORTED:
            missing.append(name)
        elif entry.status in gaps:
            gaps[entry.status].append(name)
        else:
            number = _usable(entry, inputs.get(name))
            if isinstance(number, Problem):
                problems.append(number)
            else:
                values[name] = number
                used.append(entry)
                seen.append(InputUse(name=name, value=number, location=entry.location))
    if gaps[Status.NOT_APPLICABLE]:
        return NoValue(ResultStatus.NOT_APPLICABLE, f"{_names(gaps[Status.NOT_APPLICABLE])} not applicable")
    if gaps[Status.NOT_AVAILABLE]:
        return NoValue(ResultStatus.NOT_AVAILABLE, f"{_names(gaps[Status.NOT_AVAILABLE])} not available")
    if missing and not used and not problems:
        return NoValue(ResultStatus.NOT_REPORTED, f"needs {_names(missing)} (not reported)")
    reasons = [p.reason for p in problems]
    kinds = [p.type for p in problems]
    if missing:
        reasons.append(f"needs {_names(missing)} (not reported)")
        kinds.append("missing-input")
    if no_profile:
        reasons.append(f"needs {_names(no_profile)} (city profile, not given)")
        kinds.append("missing-profile")
    if reasons:
        return NoValue(ResultStatus.ERROR, "; ".join(reasons), kinds[0], (*missing, *no_profile), tuple(seen))
    return Gathered(formula, values, used, seen)


def _usable(entry: Entry, declared: Input | None) -> float | Problem:
    number = as_number(entry.value, entry.name)
    if isinstance(number, Problem) or declared is None:
        return number
    problem = in_range(number, declared.minimum, declared.maximum, declared.unit)
    return Problem(f"{entry.name} = {problem.message}", problem.type) if problem else number


def _names(names: Sequence[str]) -> str:
    return ", ".join(names)


def provenance_of(entries: Sequence[Entry]) -> dict[str, object]:
    """Worst data quality (highest level number) of the entries used; sources and origins combined."""
    qualities = [e.quality for e in entries if e.quality is not None]
    verified = [e.verified for e in entries]
    return {
        "quality": max(qualities) if qualities else None,
        "source": _joined(e.source for e in entries),
        "origin": _joined(e.origin for e in entries),
        "verified": False if False in verified else (True if verified and all(verified) else None),
    }


def _joined(texts: Iterable[str]) -> str:
    return "; ".join(dict.fromkeys(t.strip() for t in texts if t and t.strip()))
