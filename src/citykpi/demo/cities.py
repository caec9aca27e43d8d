"""The fictional cities of the demo data set.

Names and countries are invented so that no figure can be mistaken for a real city's (their map
coordinates too: a plausible spot for the kind of city, not a real one); the
magnitudes (population, household size, area, GDP per head) are chosen to resemble the kind of
city named in the comment, so that per-capita and per-household KPIs come out plausible.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

SYNTHETIC_LABEL = "SYNTHETIC DEMO DATA — fictional city, invented figures, not real statistics"
YEARS: tuple[int, ...] = (2021, 2022, 2023, 2024)


@dataclass(frozen=True)
class CitySpec:
    name: str
    country: str
    currency: str
    population: float  # in the first demo year
    growth: float  # population growth per year
    household_size: float
    area_km2: float
    gdp_per_capita: float  # local currency
    maturity: float  # 0 = weak end of every typical range, 1 = strong end
    improvement: float  # maturity gained per year
    not_applicable: tuple[str, ...] = ()  # KPI codes the city declares not applicable
    not_available: tuple[str, ...] = ()  # KPI codes without data in the first year
    overrides: tuple[str, ...] = ()  # KPI codes reported as a final value instead of components
    blank: tuple[str, ...] = ()  # "CODE/data_point" left empty (a partially reported KPI)
    seed: int = 0
    archetype: str = field(default="", compare=False)
    # Where the fictional city is drawn on maps: a plausible spot for its kind of city, no real place.
    latitude: float | None = None
    longitude: float | None = None


CITIES: tuple[CitySpec, ...] = (
    CitySpec(
        name="Vellmarsk",
        country="Nordaland (fictional)",
        currency="EUR",
        population=20_400,
        growth=0.004,
        household_size=2.2,
        area_km2=38.0,
        gdp_per_capita=48_000,
        maturity=0.72,
        improvement=0.02,
        not_applicable=("EC: I: T: 7A", "SC: SH: HO: 1C", "EC: ICT: T: 3A"),
        not_available=("EC: P: IN: 2C", "SC: EH: ED: 3C", "EN: EN: EQ: 2A"),
        overrides=("EC: P: EM: 1C", "SC: EH: H: 1C"),
        seed=101,
        archetype="small European town",
        latitude=62.47,
        longitude=6.9,
    ),
    CitySpec(
        name="Lotusgate",
        country="Republic of Meridia (fictional)",
        currency="MRD",
        population=9_100_000,
        growth=0.012,
        household_size=2.9,
        area_km2=1_560.0,
        gdp_per_capita=310_000,
        maturity=0.6,
        improvement=0.03,
        not_applicable=("EN: E: E: 3C",),
        not_available=("SC: SH: SI: 2C", "EC: I: B: 1A", "SC: EH: C: 2A"),
        overrides=("EC: P: EM: 1C", "EN: EN: AQ: 2C", "SC: SH: SI: 3C"),
        seed=202,
        archetype="large Asian capital",
        latitude=14.2,
        longitude=101.1,
    ),
    CitySpec(
        name="Nyasoka",
        country="United Provinces of Karuma (fictional)",
        currency="KRS",
        population=820_000,
        growth=0.034,
        household_size=4.6,
        area_km2=290.0,
        gdp_per_capita=5_400,
        maturity=0.3,
        improvement=0.025,
        not_applicable=("EN: E: E: 3C", "EC: I: T: 6A"),
        not_available=("EC: ICT: D: 1A", "EN: E: E: 4A", "EC: I: B: 2A", "SC: EH: H: 6A", "EC: ICT: T: 3A"),
        overrides=("SC: EH: H: 1C", "EC: P: EM: 1C"),
        blank=("EN: EN: AQ: 1C/so2", "EN: EN: AQ: 1C/o3"),
        seed=303,
        archetype="mid-size African city",
        latitude=-6.4,
        longitude=36.8,
    ),
    CitySpec(
        name="Puerto Quimera",
        country="Estados de Solvaria (fictional)",
        currency="SLV",
        population=2_600_000,
        growth=0.011,
        household_size=3.4,
        area_km2=480.0,
        gdp_per_capita=96_000,
        maturity=0.48,
        improvement=0.02,
        not_applicable=("EN: E: E: 3C",),
        not_available=("EC: I: T: 5A", "SC: SH: SA: 5A", "EC: P: IN: 3A"),
        overrides=("SC: SH: SI: 2C", "EC: P: EM: 1C"),
        seed=404,
        archetype="Latin American city",
        latitude=-11.9,
        longitude=-76.6,
    ),
)


def city(name: str) -> CitySpec:
    for spec in CITIES:
        if spec.name == name:
            return spec
    raise KeyError(f"no demo city {name!r}; demo cities: {', '.join(c.name for c in CITIES)}")


def synthetic_city(index: int) -> CitySpec:
    """One of any number of further fictional cities, for batch benchmarks (seeded by `index`)."""
    rng = random.Random(f"synthetic-city:{index}")
    population = round(10 ** rng.uniform(4.0, 7.0))
    return CitySpec(
        name=f"Synthetic City {index:04d}",
        country="Benchmarkia (fictional)",
        currency="XBM",
        population=population,
        growth=rng.uniform(-0.005, 0.035),
        household_size=rng.uniform(2.0, 5.0),
        area_km2=round(population / rng.uniform(800, 12_000), 1),
        gdp_per_capita=round(10 ** rng.uniform(3.5, 5.0)),
        maturity=rng.uniform(0.1, 0.9),
        improvement=rng.uniform(0.0, 0.03),
        latitude=round(rng.uniform(-40.0, 60.0), 2),
        longitude=round(rng.uniform(-120.0, 140.0), 2),
        seed=10_000 + index,
        archetype="random synthetic city",
    )
