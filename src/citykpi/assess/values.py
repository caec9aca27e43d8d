"""Turning a raw reported or computed value into what a data point holds, or a plain reason why not.

Qualitative answers are first-class: a yes/no data point keeps its answer as text and 1/0 as value,
so that counts and scores can use it; a level keeps the catalogue's own spelling of the level.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from citykpi.collect.cells import in_range
from citykpi.framework.model import DataPoint, ValueKind
from citykpi.model.answers import yes_no


@dataclass(frozen=True)
class Outcome:
    value: float | None
    text: str | None = None


@dataclass(frozen=True)
class Problem:
    reason: str
    type: str = "type-error"  # the diagnostic type a check reports it under (see citykpi.model.diagnostics)


def as_number(raw: object, what: str) -> float | Problem:
    """Why lenient on numeric text: hand-built submissions (API, notebooks) may carry '12.5'."""
    if isinstance(raw, bool):
        return float(raw)
    if isinstance(raw, int | float):
        number = float(raw)
    elif isinstance(raw, str):
        try:
            number = float(raw.strip())
        except ValueError:
            return Problem(f"{what} is not a number ({raw!r})")
    else:
        return Problem(f"{what} has no value")
    if not math.isfinite(number):
        return Problem(f"{what} is not a finite number ({number})")
    return number


def interpret_reported(raw: object, dp: DataPoint) -> Outcome | Problem:
    if dp.kind is ValueKind.BOOLEAN:
        return _yes_no(raw)
    if dp.kind is ValueKind.LEVEL:
        return _level(raw, dp)
    number = as_number(raw, "the reported value")
    return number if isinstance(number, Problem) else Outcome(number)


def interpret_computed(raw: object, dp: DataPoint) -> Outcome | Problem:
    if dp.kind is ValueKind.BOOLEAN:
        return _yes_no(bool(raw)) if isinstance(raw, bool | int | float) else _yes_no(raw)
    if dp.kind is ValueKind.LEVEL:
        return _level(raw, dp)
    number = as_number(raw, "the computed value")
    return number if isinstance(number, Problem) else Outcome(number)


def check_range(outcome: Outcome, dp: DataPoint, what: str) -> str:
    """The data point's own bounds (a percentage above 100, a negative rate) make the value an error.

    The same rule, and words, as a typed cell (`citykpi.collect.cells.in_range`).
    """
    if outcome.value is None or dp.kind in (ValueKind.BOOLEAN, ValueKind.LEVEL):
        return ""
    problem = in_range(outcome.value, dp.minimum, dp.maximum, dp.unit)
    return f"{what} {problem.message}" if problem else ""


def _yes_no(raw: object) -> Outcome | Problem:
    if isinstance(raw, bool):
        answer = raw
    elif isinstance(raw, int | float) and raw in (0, 1):
        answer = bool(raw)
    elif isinstance(raw, str) and (said := yes_no(raw)) is not None:
        answer = said
    else:
        return Problem(f"expected yes or no, got {raw!r}")
    return Outcome(1.0 if answer else 0.0, "yes" if answer else "no")


def _level(raw: object, dp: DataPoint) -> Outcome | Problem:
    levels = dp.levels or []
    wanted = str(raw).strip().casefold() if raw is not None else ""
    for level in levels:
        if level.casefold() == wanted:
            return Outcome(None, level)
    return Problem(f"expected one of {', '.join(levels)}; got {raw!r}")
