"""Colours shared by charts and the stylesheet, so that a band looks the same everywhere."""

from __future__ import annotations

from citykpi.scoring.progress import ProgressStatus
from citykpi.scoring.rules import Band

BAND_COLOURS: dict[Band, str] = {
    Band.BELOW_33: "#c8423b",
    Band.FROM_33_TO_66: "#f0a33a",
    Band.FROM_66_TO_95: "#9cc44f",
    Band.FROM_95: "#2e8b57",
}
NO_BENCHMARK = "#c9d3dd"  # reported, but nothing to score it against
NOT_REPORTED = "#9a9a9a"
# In the wheel a segment not reported is hatched, so that it cannot be taken for one without a
# benchmark (a pale solid fill) at a glance, in colour or in grey print. The pattern is defined once
# in each wheel's SVG; the legends draw the same hatch in CSS (`key-not-reported`).
HATCH_ID = "citykpi-not-reported"
NOT_REPORTED_FILL = f"url(#{HATCH_ID})"
HATCH_DEFS = (
    f'<defs><pattern id="{HATCH_ID}" patternUnits="userSpaceOnUse" width="6" height="6">'
    '<rect width="6" height="6" fill="#ffffff"/>'
    '<path d="M-1,1 l2,-2 M0,6 l6,-6 M5,7 l2,-2" stroke="#5f6b75" stroke-width="1.4"/>'
    "</pattern></defs>"
)
CENTRE = "#24405e"
# Text on a band colour: white on the dark ones.
TEXT_ON: dict[str, str] = {
    BAND_COLOURS[Band.BELOW_33]: "#ffffff",
    BAND_COLOURS[Band.FROM_95]: "#ffffff",
    NOT_REPORTED: "#ffffff",
    CENTRE: "#ffffff",
}

PROGRESS_COLOURS: dict[ProgressStatus, str] = {
    ProgressStatus.TARGET_ACHIEVED: "#1b6e43",
    ProgressStatus.SUBSTANTIAL: "#2e8b57",
    ProgressStatus.MODERATE: "#9cc44f",
    ProgressStatus.LIMITED: "#f0a33a",
    ProgressStatus.DETERIORATION: "#c8423b",
    ProgressStatus.NOT_AVAILABLE: "#9a9a9a",
}

PROGRESS_SYMBOLS: dict[ProgressStatus, str] = {
    ProgressStatus.TARGET_ACHIEVED: "★",
    ProgressStatus.SUBSTANTIAL: "↑",
    ProgressStatus.MODERATE: "↗",
    ProgressStatus.LIMITED: "→",
    ProgressStatus.DETERIORATION: "↓",
    ProgressStatus.NOT_AVAILABLE: "·",
}


def band_colour(band: Band | None, reported: bool = True) -> str:
    if band is not None:
        return BAND_COLOURS[band]
    return NO_BENCHMARK if reported else NOT_REPORTED


def text_colour(fill: str) -> str:
    return TEXT_ON.get(fill, "#1d2b36")
