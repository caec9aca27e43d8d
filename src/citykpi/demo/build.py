"""Writing the whole demo data set: a workbook and a tidy CSV per city and year, and one broken workbook."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from citykpi.collect.tidy import write_csv
from citykpi.demo.cities import CITIES, SYNTHETIC_LABEL, YEARS, CitySpec, city
from citykpi.demo.errors import Slip, spoil
from citykpi.demo.generate import generate
from citykpi.demo.workbook import write_filled
from citykpi.framework.catalogue import Catalogue

BROKEN_CITY, BROKEN_YEAR = "Nyasoka", 2024


@dataclass
class DemoData:
    workbooks: list[Path] = field(default_factory=list)
    tidy: list[Path] = field(default_factory=list)
    broken: Path | None = None
    slips: tuple[Slip, ...] = ()


def slug(spec: CitySpec, year: int) -> str:
    return f"{spec.name.lower().replace(' ', '-')}-{year}"


def make_demo_data(
    out: Path,
    catalogue: Catalogue,
    cities: tuple[CitySpec, ...] = CITIES,
    years: tuple[int, ...] = YEARS,
    progress: Callable[[str], None] = lambda _: None,
) -> DemoData:
    kpis = list(catalogue.kpis.values())
    data = DemoData()
    (out / "workbooks").mkdir(parents=True, exist_ok=True)
    (out / "README.txt").write_text(
        f"{SYNTHETIC_LABEL}\n\nMade by `python scripts/make_demo_data.py`: fictional cities, invented values.\n"
        "workbooks/: filled collection workbooks; tidy/: the same data as tidy CSV;\n"
        f"workbooks/{slug(city(BROKEN_CITY), BROKEN_YEAR)}-with-errors.xlsx: deliberate mistakes for validation.\n",
        encoding="utf-8",
    )
    for spec in cities:
        for year in years:
            submission = generate(kpis, spec, year)
            name = slug(spec, year)
            data.workbooks.append(write_filled(catalogue, submission, out / "workbooks" / f"{name}.xlsx"))
            data.tidy.append(write_csv(submission, out / "tidy" / f"{name}.csv"))
            progress(name)
    broken_spec = city(BROKEN_CITY)
    broken = out / "workbooks" / f"{slug(broken_spec, BROKEN_YEAR)}-with-errors.xlsx"
    write_filled(catalogue, generate(kpis, broken_spec, BROKEN_YEAR), broken)
    data.broken, data.slips = broken, spoil(broken)
    return data
