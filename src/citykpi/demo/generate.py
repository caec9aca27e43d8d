"""Synthetic submissions: one fictional city, one year, every KPI of the catalogue.

The demo starts from plausible KPI values rather than plausible raw inputs: each data point gets a
value inside its typical range (`data/ranges.yaml`), placed by the city's maturity, improving over
the years, with a per-KPI offset so that a city is not uniformly good or bad. Denominators start
at a magnitude derived from the city profile (`data/magnitudes.yaml`) and the first free input
of the formula (normally the numerator) is solved so that the formula returns the chosen value.
Working from the catalogue's own formulas keeps the demo right when a formula changes.

Everything is seeded by city and year, so the same catalogue always gives the same files.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml

from citykpi.demo.cities import YEARS, CitySpec
from citykpi.framework.formula import FormulaError, parse
from citykpi.framework.model import PROFILE_FIELDS, DataPoint, Input, Kpi, ValueKind
from citykpi.model.submission import CityProfile, DataQuality, Entry, EntryKind, Status, Submission

SOURCE = "citykpi demo generator (synthetic)"
COUNT_UNITS = frozenset(
    {
        "persons",
        "inhabitants",
        "children",
        "students",
        "households",
        "subscriptions",
        "meters",
        "customers",
        "births",
        "deaths",
        "vehicles",
        "bicycles",
        "stops",
        "sites",
        "intersections",
        "buildings",
        "enterprises",
        "datasets",
        "activities",
        "interruptions",
        "hotspots",
        "services",
        "places",
        "physicians",
        "patents",
        "institutions",
        "crimes",
        "beds",
    }
)


@dataclass(frozen=True)
class Typical:
    weak: float
    strong: float
    per_100k: bool = False


@cache
def _data(name: str) -> dict[str, Any]:
    text = (resources.files("citykpi.demo") / "data" / name).read_text(encoding="utf-8")
    loaded: dict[str, Any] = yaml.safe_load(text)
    return loaded


def typical(kpi: Kpi, dp: DataPoint) -> Typical:
    ranges = _data("ranges.yaml")
    raw = ranges.get(f"{kpi.code}/{dp.key}", ranges.get(kpi.code))
    if raw is None:  # a national or local KPI: stay inside its declared bounds
        low = dp.minimum if dp.minimum is not None else 0.0
        return Typical(low, dp.maximum if dp.maximum is not None else low + 100.0)
    if isinstance(raw, dict):
        weak, strong = raw["range"]
        return Typical(float(weak), float(strong), bool(raw.get("per_100k", False)))
    return Typical(float(raw[0]), float(raw[1]))


def profile_for(spec: CitySpec, year: int) -> CityProfile:
    t = year - YEARS[0]
    population = round(spec.population * (1 + spec.growth) ** t)
    return CityProfile(
        city=spec.name,
        country=spec.country,
        year=year,
        population=population,
        households=round(population / spec.household_size),
        area_km2=spec.area_km2,
        gdp=round(population * spec.gdp_per_capita * 1.02**t, -3),
        currency=spec.currency,
    )


def generate(catalogue_kpis: list[Kpi], spec: CitySpec, year: int) -> Submission:
    """The city's submission for `year`, with inputs, direct values and declared gaps."""
    profile = profile_for(spec, year)
    builder = _Builder(catalogue_kpis, spec, year, profile)
    for kpi in catalogue_kpis:
        builder.add(kpi)
    return Submission(profile=profile, entries=builder.entries, source_file="")


class _Builder:
    def __init__(self, kpis: list[Kpi], spec: CitySpec, year: int, profile: CityProfile) -> None:
        self.spec = spec
        self.year = year
        self.t = year - YEARS[0]
        self.rng = random.Random(f"{spec.seed}:{year}")
        self.owner: dict[str, tuple[Kpi, Input]] = {i.name: (k, i) for k in kpis for i in k.inputs}
        self.order = {name: n for n, name in enumerate(self.owner)}
        self.values: dict[str, float] = {}
        self.entries: list[Entry] = []
        population = float(profile.population or 0)
        self.bases = {name: float(getattr(profile, name) or 0) for name in PROFILE_FIELDS}
        self.bases["gdp_per_hour"] = self.bases["gdp"] / max(population, 1.0) / 1800
        self.profile_values = {name: v for name, v in self.bases.items() if name in PROFILE_FIELDS}

    def add(self, kpi: Kpi) -> None:
        gap = self._gap(kpi)
        targets = {dp.key: self._target(kpi, dp) for dp in kpi.data_points}
        if kpi.code in _data("ranges.yaml")["shares_of_100"]:
            whole = sum(targets.values())
            targets = {key: 100 * v / whole for key, v in targets.items()}
        for dp in kpi.data_points:
            if f"{kpi.code}/{dp.key}" in self.spec.blank:
                continue
            if gap is not None:
                self._declare(kpi, dp, gap)
            elif dp.formula is None or kpi.code in self.spec.overrides:
                self._value(kpi, dp, targets[dp.key])
            else:
                self._solve(kpi, dp, dp.formula, targets[dp.key])

    def _gap(self, kpi: Kpi) -> Status | None:
        if kpi.code in self.spec.not_applicable:
            return Status.NOT_APPLICABLE
        if kpi.code in self.spec.not_available[self.t :]:  # data gaps close one by one over the years
            return Status.NOT_AVAILABLE
        return None

    def _position(self, kpi: Kpi, dp: DataPoint) -> float:
        offset = random.Random(f"{self.spec.seed}:{kpi.code}:{dp.key}").gauss(0, 0.15)
        p = self.spec.maturity + offset + self.spec.improvement * self.t + self.rng.gauss(0, 0.02)
        return min(max(p, 0.02), 0.98)

    def _target(self, kpi: Kpi, dp: DataPoint) -> float:
        span = typical(kpi, dp)
        value = span.weak + (span.strong - span.weak) * self._position(kpi, dp)
        if span.per_100k:
            value *= self.bases["population"] / 100_000
        low = dp.minimum if dp.minimum is not None else value
        high = dp.maximum if dp.maximum is not None else value
        return min(max(value, low), high)

    def _quality(self) -> DataQuality:
        best = 1 if self.spec.maturity > 0.6 else 2
        return DataQuality(min(6, best + int(self.rng.random() * 3 * (1.1 - self.spec.maturity))))

    def _entry(self, kpi: Kpi, kind: EntryKind, name: str, value: object, status: Status) -> None:
        reported = status is Status.REPORTED
        self.entries.append(
            Entry(
                kpi=kpi.code,
                kind=kind,
                name=name,
                value=value,
                status=status,
                quality=self._quality() if reported else None,
                source=SOURCE if reported else "",
                notes="" if reported else f"synthetic: declared {status.value}",
            )
        )

    def _declare(self, kpi: Kpi, dp: DataPoint, status: Status) -> None:
        own = {i.name for i in kpi.inputs}
        names = sorted(parse(dp.formula).names & own) if dp.formula else []
        for name in names:
            if name not in self.values:
                self.values[name] = 0.0
                self._entry(kpi, EntryKind.INPUT, name, None, status)
        if not names:
            self._entry(kpi, EntryKind.VALUE, dp.key, None, status)

    def _value(self, kpi: Kpi, dp: DataPoint, target: float) -> None:
        if dp.kind is ValueKind.BOOLEAN:
            answer: object = self._position(kpi, dp) > 0.4
        elif dp.kind is ValueKind.LEVEL:
            levels = dp.levels or []
            answer = levels[min(len(levels) - 1, int(self._position(kpi, dp) * len(levels)))]
        else:
            answer = _rounded(target, integer=dp.kind is ValueKind.INTEGER)
        self._entry(kpi, EntryKind.VALUE, dp.key, answer, Status.REPORTED)

    def _solve(self, kpi: Kpi, dp: DataPoint, formula_text: str, target: float) -> None:
        formula = parse(formula_text)
        free = sorted(
            (n for n in formula.names if n in self.owner and n not in self.values), key=lambda n: self.order[n]
        )
        for name in free[1:]:
            self._set(name, self._base(name) * self.rng.lognormvariate(0, 0.1))
        if free:
            name = free[0]
            self._set(name, _invert(lambda x: self._evaluate(formula_text, name, x), target, self._base(name)))

    def _evaluate(self, formula_text: str, name: str, x: float) -> float:
        try:
            result = parse(formula_text).evaluate({**self.profile_values, **self.values, name: x})
        except FormulaError:
            return float("nan")
        return float(result)

    def _base(self, name: str) -> float:
        _, item = self.owner[name]
        field, factor = _data("magnitudes.yaml").get(item.unit, ["population", 0.01])
        return max(self.bases[field] * float(factor), 1.0)

    def _set(self, name: str, value: float) -> None:
        kpi, item = self.owner[name]
        if item.maximum is not None:
            value = min(value, item.maximum)
        value = _rounded(
            max(value, item.minimum or 0.0), integer=item.kind is ValueKind.INTEGER or item.unit in COUNT_UNITS
        )
        self.values[name] = value
        self._entry(kpi, EntryKind.INPUT, name, value, Status.REPORTED)


def _invert(f: Callable[[float], float], target: float, start: float) -> float:
    """x with f(x) ≈ target for f proportional or inversely proportional to x (a numerator or a denominator)."""
    x = start
    increasing = f(2 * start) > f(start)
    for _ in range(6):
        fx = f(x)
        if math.isnan(fx) or fx <= 0 or abs(fx - target) <= 1e-9 * abs(target):
            break
        x *= target / fx if increasing else fx / target
    return x


def _rounded(value: float, *, integer: bool) -> float:
    if integer or abs(value) >= 1000:
        return float(round(value))
    return float(f"{value:.4g}")
