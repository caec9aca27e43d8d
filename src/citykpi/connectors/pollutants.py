"""The five pollutants of KPI EN: EN: AQ: 1C and how their readings convert to µg/m³.

The conversion factors are those printed on the U4SSC KPI sheet (NO2 ppb x1.9, SO2 ppb x2.62,
O3 ppb x1.96; ppm is 1000 ppb). They correspond to about 20-25 °C and 1 atm; the sheet does not say
which reference temperature it assumes, so neither can we. Particulate matter is a mass concentration
and has no ppb form.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Pollutant:
    key: str  # lower_snake_case, as a KPI data point key would spell it
    label: str
    ppb_factor: float | None  # µg/m³ per ppb; None where a mixing ratio makes no sense


POLLUTANTS: dict[str, Pollutant] = {
    p.key: p
    for p in (
        Pollutant("pm10", "PM10", None),
        Pollutant("pm2_5", "PM2.5", None),
        Pollutant("no2", "NO2", 1.9),
        Pollutant("so2", "SO2", 2.62),
        Pollutant("o3", "O3", 1.96),
    )
}

UGM3 = "ug/m3"
_UNIT_ALIASES = {
    "ug/m3": UGM3,
    "ugm3": UGM3,
    "ug/m³": UGM3,
    "µg/m3": UGM3,
    "µg/m³": UGM3,
    "μg/m3": UGM3,
    "μg/m³": UGM3,
    "mg/m3": "mg/m3",
    "mg/m³": "mg/m3",
    "ppb": "ppb",
    "ppm": "ppm",
}
UNITS = sorted(set(_UNIT_ALIASES.values()))

_HEADER = re.compile(r"^\s*(pm\s*2[._]?5|pm\s*10|no2|so2|o3)\s*(?:[(\[_ ]\s*([^)\]]+?)\s*[)\]]?)?\s*$", re.IGNORECASE)


# Pollutants that station exports carry beside the five (CPCB: NO, NOx, NH3, CO, BTX; Beijing PRSA: CO):
# recognised only to be named as ignored, so that a user sees the column was not silently dropped.
# "NO" only in capitals: Beijing's files number their rows in a column "No".
_OTHER = re.compile(
    r"^\s*(co|no|nox|nh3|benzene|toluene|xylene|o-?xylene|pm1|pm1\.0|ch4|h2s|bc|c6h6)\s*([(\[_ ].*)?$", re.IGNORECASE
)


def is_other_pollutant(column: str) -> bool:
    match = _OTHER.match(column)
    return match is not None and (match.group(1).lower() != "no" or match.group(1) == "NO")


def normalise_unit(text: str) -> str | None:
    return _UNIT_ALIASES.get(text.strip().lower().replace(" ", ""))


def pollutant_named(text: str) -> Pollutant | None:
    """Accepts the spellings met in station exports: PM2.5, pm2_5, PM25, NO2, ..."""
    token = re.sub(r"[^a-z0-9]", "", text.lower())
    return next((p for p in POLLUTANTS.values() if re.sub(r"[^a-z0-9]", "", p.key) == token), None)


def parse_header(column: str) -> tuple[Pollutant, str | None] | None:
    """(pollutant, unit text or None) for a column such as 'NO2 (ppb)' or 'PM2.5'; None for other columns."""
    match = _HEADER.match(column)
    if not match:
        return None
    pollutant = pollutant_named(match.group(1))
    return (pollutant, match.group(2)) if pollutant else None


def factor_to_ugm3(pollutant: Pollutant, unit: str) -> float | str:
    """The multiplier to µg/m³, or the reason why this unit cannot be converted."""
    normalised = normalise_unit(unit)
    if normalised is None:
        return f"unknown unit {unit!r} (expected one of {', '.join(UNITS)})"
    if normalised == UGM3:
        return 1.0
    if normalised == "mg/m3":
        return 1000.0
    if pollutant.ppb_factor is None:
        return f"{pollutant.label} is a mass concentration; {unit!r} cannot be converted to µg/m³"
    return pollutant.ppb_factor * (1000.0 if normalised == "ppm" else 1.0)
