"""The demo's broken workbook: a good city's file with four slips a city team really makes.

Each slip names the row it spoils and the validation error type it must produce, so the demo can
show the located errors and the tests can check that each one is caught where it was made.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from citykpi.collect.fill import Cells, RowKey
from citykpi.demo.workbook import edit_rows


@dataclass(frozen=True)
class Slip:
    row: RowKey
    cells: Cells
    expected_type: str
    what: str


SLIPS: tuple[Slip, ...] = (
    Slip(
        ("EC: ICT: ICT: 1C", "input", "households_with_internet"),
        {"value": "about 150 000"},
        "type-error",
        "text typed in a number cell",
    ),
    Slip(
        ("EC: I: WS: 1C", "value", "value"),
        {"value": 112, "status": "reported"},
        "constraint-error",
        "a percentage above 100 reported directly",
    ),
    Slip(
        ("EC: ICT: WS: 1C", "input", "water_meters"),
        {"value": 0},
        "zero-denominator",
        "zero water meters, the denominator of the smart water meter share",
    ),
    Slip(
        ("EN: EN: EQ: 1C", "input", "antenna_sites_compliant"),
        {"kpi": "EN: EN: EQ: 9Z"},
        "unknown-kpi",
        "a KPI code mistyped",
    ),
)


def spoil(path: Path) -> tuple[Slip, ...]:
    """Make the slips in the filled workbook at `path` (in place); returns what was done."""
    edit_rows(path, {slip.row: slip.cells for slip in SLIPS})
    return SLIPS
