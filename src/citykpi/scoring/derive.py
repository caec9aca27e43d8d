"""Leading-city benchmarks: a target for every data point that has none, from what peer cities reach.

U4SSC sets some benchmarks from "leading city performance globally" (Verification Reports,
"Benchmarks and Scoring Methodology"). Given the results of many cities, the target of a data
point is the value at a high quantile of the direction-adjusted latest values: the 90th
percentile of a higher-is-better value, the 10th of a lower-is-better one. The rules for
two-sided and yes/no data points, and for the minimum sample, are in docs/methodology.md.
Pure: assessments in, a `TargetSet` and the reasons for every data point left out.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from citykpi.framework.model import DataPoint, Direction, Kpi, ValueKind
from citykpi.model.assessment import Assessment
from citykpi.scoring.peers import PeerFigures, ScreeningRule, Years, indexed, numeric_series, yearly_change
from citykpi.scoring.rules import as_answer
from citykpi.scoring.targets import Derivation, Target, TargetBook, TargetDirection, TargetKind, TargetSet

DEFAULT_QUANTILE = 0.9
DEFAULT_MIN_CITIES = 10
SOURCE = "Leading cities of the reference set '{name}': {rule}, latest year of each city (citykpi derivation)"
RULE_TEXT = {
    "higher": "{q:.0%} quantile of the values",
    "lower": "{q:.0%} quantile of the values negated (the {lq:.0%} quantile of the values)",
    "two-sided": "the catalogue's reference value {ref:g}; the leading cities stay within {gap:g} of it",
    "yes-no": "'yes', answered by {share:.0%} of the cities (at least {lq:.0%} needed)",
}


def quantile(values: Sequence[float], q: float) -> float:
    """Linear interpolation between order statistics (Hyndman-Fan type 7, numpy's default)."""
    return float(np.quantile(np.asarray(values, dtype=float), q))


def peer_figures(
    kpi: str,
    data_point: str,
    latest: Sequence[float],
    changes: Sequence[float],
    rule: ScreeningRule,
) -> PeerFigures:
    """Figures of one data point from each city's latest value and latest yearly change."""
    steps = [abs(c) for c in changes]
    return PeerFigures(
        kpi=kpi,
        data_point=data_point,
        cities=len(latest),
        low=_round(quantile(latest, rule.low_quantile)),
        high=_round(quantile(latest, rule.high_quantile)),
        changes=len(steps),
        change=_round(quantile(steps, rule.change_quantile)) if steps else None,
    )


def _round(x: float) -> float:
    """Six significant digits: the figures are statistics, not measurements to copy to the last bit."""
    return float(f"{x:.6g}")


BETTER = "with a better target"
NO_DIRECTION = "without a direction"
TOO_FEW = "reported by too few cities"
NOT_REACHED = "'yes' too rare"


@dataclass(frozen=True)
class LeftOut:
    kpi: str
    data_point: str
    why: str  # one of the four constants above, for counting
    reason: str  # the sentence for this data point


@dataclass
class Derived:
    targets: TargetSet
    left_out: list[LeftOut] = field(default_factory=list)


@dataclass(frozen=True)
class Sample:
    """Each city's latest reported value of one data point (a yes/no answer as 1, 0.5 or 0)."""

    values: list[float]
    years: Counter[int]
    changes: list[float]

    @property
    def cities(self) -> int:
        return len(self.values)


def by_city(assessments: Sequence[Assessment]) -> dict[tuple[str, str], list[Assessment]]:
    """Each city's assessments, oldest first (a city is its name and its country: 14 WHO towns share names)."""
    found: dict[tuple[str, str], list[Assessment]] = {}
    for a in sorted(assessments, key=lambda a: a.profile.year):
        found.setdefault(a.profile.place, []).append(a)
    return found


def _answer_sample(cities: Mapping[tuple[str, str], Years], kpi: str, point: str) -> Sample:
    values: list[float] = []
    years: Counter[int] = Counter()
    for history in cities.values():
        for year, results in reversed(history):
            r = results.get((kpi, point))
            answer = as_answer(r.value, r.value_text) if r is not None and r.has_value else None
            if answer is not None:
                values.append(answer)
                years[year] += 1
                break
    return Sample(values, years, [])


def _numeric_sample(cities: Mapping[tuple[str, str], Years], kpi: str, point: str) -> Sample:
    values: list[float] = []
    years: Counter[int] = Counter()
    changes: list[float] = []
    for history in cities.values():
        series = numeric_series(history, kpi, point)
        if series:
            values.append(series[-1][1])
            years[series[-1][0]] += 1
        if len(series) > 1:
            changes.append(yearly_change(series[-2], series[-1]))
    return Sample(values, years, changes)


def _is_answer(point: DataPoint) -> bool:
    return point.direction is Direction.YES or point.kind in (ValueKind.BOOLEAN, ValueKind.LEVEL)


def _target(kpi: Kpi, point: DataPoint, sample: Sample, q: float, name: str) -> tuple[Target | None, str]:
    """The leading-cities target of one data point, or None with the reason."""
    params = {"q": q, "lq": 1 - q, "ref": point.target or 0.0}
    value: float | bool
    if _is_answer(point):
        share = sum(1 for v in sample.values if v == 1.0) / sample.cities
        if share < 1 - q:
            return None, f"only {share:.0%} of the cities answer 'yes'; the leading {1 - q:.0%} do not reach it"
        rule, value, direction = "yes-no", True, TargetDirection.YES
        params["share"] = share
    elif point.direction is Direction.TARGET:
        assert point.target is not None  # the framework model requires it for direction 'target'
        gaps = [abs(v - point.target) for v in sample.values]
        rule, value, direction = "two-sided", point.target, TargetDirection.TARGET
        params["gap"] = _round(quantile(gaps, 1 - q))
    elif point.direction is Direction.HIGHER:
        rule, value, direction = "higher", quantile(sample.values, q), TargetDirection.HIGHER
    else:
        rule, value, direction = "lower", quantile(sample.values, 1 - q), TargetDirection.LOWER
    text = RULE_TEXT[rule].format(**params)
    derivation = Derivation(
        reference_set=name, quantile=q, cities=sample.cities, years=dict(sorted(sample.years.items())), rule=rule
    )
    target = Target(
        kpi=kpi.code,
        data_point=point.key if kpi.is_multi else None,
        value=value if isinstance(value, bool) else _round(value),
        direction=direction,
        source=SOURCE.format(name=name, rule=text),
        source_type="leading-cities",
        note=f"{sample.cities} cities; years {', '.join(f'{y} ({n})' for y, n in sorted(sample.years.items()))}",
        kind=TargetKind.LEADING_CITIES,
        derivation=derivation,
    )
    return target, ""


def derive(
    assessments: Sequence[Assessment],
    kpis: Mapping[str, Kpi],
    better: TargetBook,
    *,
    name: str,
    set_id: str,
    rule: ScreeningRule,
    q: float = DEFAULT_QUANTILE,
    min_cities: int = DEFAULT_MIN_CITIES,
) -> Derived:
    """Targets for the catalogue's data points that `better` leaves without one, and peer figures for all.

    `better` holds the targets that keep precedence (the public set, official or local files):
    a data point with any of them gets no leading-cities target.
    """
    if not 0 < q < 1:
        raise ValueError(f"the quantile must lie between 0 and 1, not {q}")
    if min_cities < 1:
        raise ValueError(f"at least one city is needed, not {min_cities}")
    cities = {name: indexed(history) for name, history in by_city(assessments).items()}
    targets: list[Target] = []
    peers: list[PeerFigures] = []
    left_out: list[LeftOut] = []
    for kpi in kpis.values():
        for point in kpi.data_points:
            answer = _is_answer(point)
            sample = (_answer_sample if answer else _numeric_sample)(cities, kpi.code, point.key)
            if not answer and sample.cities >= min_cities:
                changes = sample.changes if len(sample.changes) >= min_cities else []
                peers.append(peer_figures(kpi.code, point.key, sample.values, changes, rule))
            why, reason = _skip_reason(kpi, point, sample, better, min_cities)
            if not why:
                target, reason = _target(kpi, point, sample, q, name)
                if target is not None:
                    targets.append(target)
                why = "" if target is not None else NOT_REACHED
            if why:
                left_out.append(LeftOut(kpi.code, point.key, why, reason))
    target_set = TargetSet(
        id=set_id,
        name=f"Leading-city benchmarks ({name})",
        description=(
            f"Derived by `citykpi targets derive` from {len(cities)} cities: the {q:.0%} quantile of the "
            f"direction-adjusted latest values, for data points without a public, official or local target and "
            f"reported by at least {min_cities} cities. Statistics of the reference set, not aspirations."
        ),
        publisher="citykpi (computed)",
        targets=targets,
        peers=peers,
        screening=rule if peers else None,
    )
    return Derived(target_set, left_out)


def _skip_reason(kpi: Kpi, point: DataPoint, sample: Sample, better: TargetBook, min_cities: int) -> tuple[str, str]:
    found = better.benchmark(kpi.code, point.key)
    if found is not None:
        return BETTER, f"has a {found.source_kind.value} target"
    if point.direction is Direction.NONE:
        return NO_DIRECTION, "no desirable direction (context only)"
    if sample.cities < min_cities:
        return TOO_FEW, f"reported by {sample.cities} cities, fewer than the {min_cities} needed"
    return "", ""
