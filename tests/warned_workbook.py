"""A demo city's workbook with two plausibility warnings and no error, as a city team sends one."""

from __future__ import annotations

from pathlib import Path

from citykpi.demo.cities import CITIES, CitySpec
from citykpi.demo.generate import generate
from citykpi.demo.workbook import edit_rows, write_filled
from citykpi.framework.catalogue import Catalogue
from citykpi.platform.cities import slugify

# More fixed broadband subscriptions than households on the Internet; mode shares adding up to 50 %:
# each breaks one plausibility rule of the catalogue (a warning), no value leaves its range (an error).
MODES = ("private_vehicle", "public_transport", "walking", "cycling", "para_transport")
IMPLAUSIBLE: dict[tuple[str, str, str], dict[str, object]] = {
    ("EC: ICT: ICT: 1C", "input", "households_with_internet"): {"value": 1000},
    ("EC: ICT: ICT: 2C", "input", "fixed_broadband_subscriptions"): {"value": 2000},
    ("EC: I: T: 4A", "input", "commuters"): {"value": 1000},
    **{("EC: I: T: 4A", "input", f"commuters_{mode}"): {"value": 100} for mode in MODES},
}
WARNED_KPIS = ("EC: ICT: ICT: 2C", "EC: I: T: 4A")


def workbook(folder: Path, year: int, city: CitySpec = CITIES[0], changes: dict | None = None) -> Path:  # type: ignore[type-arg]
    """The city's generated workbook for `year`, with `changes` typed in (rows as `edit_rows` names them)."""
    catalogue = Catalogue.load()
    submission = generate(list(catalogue.kpis.values()), city, year)
    path = write_filled(catalogue, submission, folder / f"{slugify(city.name)}-{year}.xlsx")
    if changes:
        edit_rows(path, changes)
    return path


def warned_workbook(folder: Path, year: int, city: CitySpec = CITIES[0]) -> Path:
    return workbook(folder, year, city, IMPLAUSIBLE)
