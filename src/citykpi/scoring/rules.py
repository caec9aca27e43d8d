"""The U4SSC point rule: a value's percentage of its target, and the four bands.

The published rule (Verification Reports, "Benchmarks and Scoring Methodology") only states
the bands for "% of target". How that percentage is computed for lower-is-better values, zero
targets, yes/no answers and two-sided targets is not published; the choices made here are
listed, with their reasons, in docs/methodology.md, and tested one by one.
"""

from __future__ import annotations

from enum import IntEnum

from citykpi.model.answers import PARTIAL_WORDS, yes_no
from citykpi.scoring.targets import Target, TargetDirection

# Lower edges of bands 2, 3 and 4 in % of target; an exact edge belongs to the upper band.
BAND_EDGES: tuple[float, float, float] = (33.0, 66.0, 95.0)
# Percentages are rounded before banding so that 19/20 = 95 % is not lost to 94.99999999.
PRECISION = 6
# Raised by any change here or in `scorecard` that gives other points or scores for the same results
# and targets: stored scores made under another version are computed again (citykpi.platform.scores),
# while a comment or a refactoring leaves them be. tests/scoring/test_rules_version.py fails until it is.
RULES_VERSION = 1


class Band(IntEnum):
    """The four U4SSC bands; the value is the number of points."""

    BELOW_33 = 1
    FROM_33_TO_66 = 2
    FROM_66_TO_95 = 3
    FROM_95 = 4


def band_of(percent: float) -> Band:
    """Band of a KPI's or a group's percentage of target (lower edges inclusive)."""
    p = round(percent, PRECISION)
    if p >= BAND_EDGES[2]:
        return Band.FROM_95
    if p >= BAND_EDGES[1]:
        return Band.FROM_66_TO_95
    if p >= BAND_EDGES[0]:
        return Band.FROM_33_TO_66
    return Band.BELOW_33


def group_percent(points: list[int]) -> float | None:
    """Points over the maximum (4 per scored item); None when nothing in the group is scored."""
    if not points:
        return None
    return 100.0 * sum(points) / (4 * len(points))


def as_answer(value: float | None, text: str | None) -> float | None:
    """A yes/no answer as the share of 'yes' it carries: 1 yes, 0.5 partial, 0 no; None if neither.

    'partial' is the middle level of the catalogue's yes/no/partial KPIs (urban planning aspects).
    """
    if text is not None:
        answer = yes_no(text)
        if answer is not None:
            return 1.0 if answer else 0.0
        return 0.5 if text.strip().lower() in PARTIAL_WORDS else None
    if value in (0.0, 1.0):
        return value
    return None


def percent_of_target(value: float | None, text: str | None, target: Target) -> float | None:
    """Performance against the target in %, not capped (100 = met); None when it cannot be judged.

    Values beyond the target score above 100 % (still 4 points); a goalpost percentage below the
    worst bound is floored at 0.
    """
    if target.direction is TargetDirection.YES:
        answer = as_answer(value, text)
        if answer is None:
            return None
        return 100.0 * (answer if target.value else 1.0 - answer)
    goal = target.numeric
    if value is None or goal is None:
        return None
    if target.worst is not None:
        return _goalposts(value, goal, target.worst, target.direction)
    if target.direction is TargetDirection.HIGHER:
        return _ratio(value, goal)
    if target.direction is TargetDirection.LOWER:
        return _ratio(goal, value)
    return _closeness(value, goal)


def _goalposts(value: float, goal: float, worst: float, direction: TargetDirection) -> float:
    if direction is TargetDirection.TARGET:
        return max(0.0, 100.0 * (1 - abs(value - goal) / abs(worst - goal)))
    return max(0.0, 100.0 * (value - worst) / (goal - worst))


def _ratio(achieved: float, required: float) -> float:
    """achieved/required in %, with the zero cases a plain ratio cannot handle.

    For higher-is-better, `achieved` is the value; for lower-is-better it is the target and
    `required` the value (target/value). A zero denominator means the value is zero: met when
    the other side is zero too or beyond, else (target 0, value > 0) 0 % of target.
    """
    if required <= 0:
        return 100.0 if achieved >= required else 0.0
    return max(0.0, 100.0 * achieved / required)


def _closeness(value: float, goal: float) -> float:
    """Two-sided target: 100 % at the target, minus the distance as a share of the target."""
    if goal == 0:
        return 100.0 if value == 0 else 0.0
    return max(0.0, 100.0 * (1 - abs(value - goal) / abs(goal)))
