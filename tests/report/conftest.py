"""A fictional city over three years, assessed by the real engine from the real catalogue.

Values are drawn around each data point's public target (when it has one) so that every band
occurs; a few data points are left unreported or marked not verified, as real submissions are.
"""

from __future__ import annotations

import random
from collections.abc import Callable

import pytest

from citykpi.assess.engine import assess
from citykpi.framework.catalogue import Catalogue
from citykpi.framework.model import ValueKind
from citykpi.model.assessment import Assessment
from citykpi.model.submission import CityProfile, Entry, EntryKind, Status, Submission
from citykpi.scoring.targetfiles import default_target_set
from citykpi.scoring.targets import TargetBook

UNREPORTED_SHARE = 0.12


@pytest.fixture(scope="session")
def catalogue() -> Catalogue:
    return Catalogue.load()


@pytest.fixture(scope="session")
def book() -> TargetBook:
    return TargetBook([default_target_set()])


def _value(kind: ValueKind, base: float, year_step: int, rng: random.Random) -> float | str | bool:
    if kind is ValueKind.LEVEL:
        return rng.choice(["yes", "partial", "no"])
    if kind is ValueKind.BOOLEAN:
        return rng.random() < 0.6
    grown = base * (1 + 0.04 * year_step) * rng.uniform(0.97, 1.03)
    return round(grown) if kind is ValueKind.INTEGER else round(grown, 2)


def city_submissions(
    catalogue: Catalogue,
    book: TargetBook,
    city: str = "Lakeside",
    years: tuple[int, ...] = (2019, 2021, 2023),
    seed: int = 7,
) -> list[Submission]:
    rng = random.Random(seed)
    bases: dict[tuple[str, str], float] = {}
    skipped: set[tuple[str, str]] = set()
    for code, kpi in catalogue.kpis.items():
        for dp in kpi.data_points:
            target = book.benchmark(code, dp.key)
            reference = target.numeric if target is not None and target.numeric else rng.uniform(5, 500)
            bases[(code, dp.key)] = reference * rng.choice([0.2, 0.5, 0.8, 0.97, 1.1])
            if rng.random() < UNREPORTED_SHARE:
                skipped.add((code, dp.key))
    submissions = []
    for step, year in enumerate(years):
        entries = [
            Entry(
                kpi=code,
                kind=EntryKind.VALUE,
                name=dp.key,
                value=_value(dp.kind, bases[(code, dp.key)], step, rng),
                status=Status.REPORTED,
                source=f"{city} statistics office",
                verified=rng.random() > 0.1,
            )
            for code, kpi in catalogue.kpis.items()
            for dp in kpi.data_points
            if (code, dp.key) not in skipped
        ]
        profile = CityProfile(
            city=city, country="Utopia", year=year, population=250_000, households=110_000, area_km2=180
        )
        submissions.append(Submission(profile=profile, entries=entries))
    return submissions


@pytest.fixture(scope="session")
def history(catalogue: Catalogue, book: TargetBook) -> list[Assessment]:
    return [assess(s, catalogue) for s in city_submissions(catalogue, book)]


@pytest.fixture(scope="session")
def make_history(catalogue: Catalogue, book: TargetBook) -> Callable[..., list[Assessment]]:
    def make(city: str, years: tuple[int, ...] = (2023,), seed: int = 1) -> list[Assessment]:
        return [assess(s, catalogue) for s in city_submissions(catalogue, book, city, years, seed)]

    return make
