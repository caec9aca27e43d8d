"""Fixtures of the collection tests: the hand-built framework's catalogue, a city profile, its template."""

from __future__ import annotations

from pathlib import Path

import pytest
from collect_framework import FRAMEWORK

from citykpi.framework.catalogue import Catalogue
from citykpi.framework.model import Framework
from citykpi.framework.validation import Source
from citykpi.model.submission import CityProfile


@pytest.fixture(scope="session")
def catalogue() -> Catalogue:
    return Catalogue.of([Source(Framework.model_validate(FRAMEWORK), "testkpis.yaml")])


@pytest.fixture(scope="session")
def profile() -> CityProfile:
    return CityProfile(
        city="Testville", country="CH", year=2024, population=18000, households=8000, area_km2=7.5, currency="CHF"
    )


@pytest.fixture(scope="session")
def template_path(tmp_path_factory: pytest.TempPathFactory, catalogue: Catalogue, profile: CityProfile) -> Path:
    from citykpi.collect.template import write_template

    return write_template(catalogue, profile, tmp_path_factory.mktemp("template") / "testville.xlsx")
