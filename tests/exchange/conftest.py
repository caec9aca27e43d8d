"""Real assessments (catalogue + engine) with every kind of result an export must carry."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from citykpi.assess.engine import assess
from citykpi.framework.catalogue import Catalogue
from citykpi.model.assessment import Assessment, ResultStatus
from citykpi.model.submission import CityProfile, Entry, EntryKind, Status, Submission

AIR = "EN: EN: AQ: 1C"


@pytest.fixture(scope="session")
def catalogue() -> Catalogue:
    return Catalogue.load()


def submission(city: str, country: str, year: int, scale: float) -> Submission:
    def value(kpi: str, name: str, v: float | bool | str, **extra: object) -> Entry:
        return Entry(kpi=kpi, kind=EntryKind.VALUE, name=name, value=v, status=Status.REPORTED, **extra)

    entries = [
        value(AIR, "pm10", 21.3 * scale, quality=1, source='CETESB, "Qualar"\nannual report', verified=True),
        value(AIR, "pm2_5", 0.1 + 0.2, quality=2, origin="station network", verified=False),
        Entry(kpi=AIR, kind=EntryKind.VALUE, name="no2", status=Status.NOT_AVAILABLE, notes="no NO2 monitor"),
        Entry(kpi="EC: ICT: ICT: 1C", kind=EntryKind.INPUT, name="households_with_internet", value=3.0e5 * scale,
              status=Status.REPORTED, quality=3),
        value("SC: SH: SA: 3A", "value", True),
        value("EC: I: UP: 2A", "compact", "partial"),
        Entry(kpi="EC: ICT: ICT: 5A", kind=EntryKind.VALUE, name="value", status=Status.NOT_APPLICABLE),
    ]  # fmt: skip
    profile = CityProfile(city=city, country=country, year=year, population=1.2e6, households=4.0e5, currency="BRL")
    return Submission(profile=profile, entries=entries)


@pytest.fixture(scope="session")
def make_submission() -> Callable[[str, str, int, float], Submission]:
    return submission


@pytest.fixture(scope="session")
def assessments(catalogue: Catalogue) -> list[Assessment]:
    cities = [("São Paulo", "BR", 2021, 1.0), ("São Paulo", "BR", 2022, 0.9), ("Zürich, Kreis 1", "", 2022, 1.1)]
    found = [assess(submission(*c), catalogue) for c in cities]
    statuses = {r.status for a in found for r in a.results}
    assert {ResultStatus.COMPUTED, ResultStatus.REPORTED, ResultStatus.NOT_AVAILABLE} <= statuses
    assert ResultStatus.NOT_APPLICABLE in statuses and ResultStatus.NOT_REPORTED in statuses
    return found
