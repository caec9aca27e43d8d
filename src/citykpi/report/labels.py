"""Words the reports show for codes (bands, standings, progress), marked for translation.

`N_` only marks a string for extraction; the template translates it when it is shown.
"""

from __future__ import annotations

from citykpi.scoring.progress import ProgressStatus
from citykpi.scoring.rules import Band
from citykpi.scoring.scorecard import Standing
from citykpi.scoring.targets import TargetKind


def N_(text: str) -> str:
    return text


BAND: dict[Band, str] = {
    Band.BELOW_33: N_("less than 33% of target"),
    Band.FROM_33_TO_66: N_("33-66% of target"),
    Band.FROM_66_TO_95: N_("66-95% of target"),
    Band.FROM_95: N_("95%+ of target"),
}
NO_BENCHMARK = N_("No benchmark")
NOT_REPORTED = N_("Not reported")

STANDING: dict[Standing, str] = {
    Standing.SCORED: N_("Scored"),
    Standing.NOT_REPORTED: NOT_REPORTED,
    Standing.NOT_APPLICABLE: N_("Not applicable"),
    Standing.NO_BENCHMARK: NO_BENCHMARK,
    Standing.UNSCORABLE: N_("Answer does not fit the target"),
}

PROGRESS: dict[ProgressStatus, str] = {
    ProgressStatus.TARGET_ACHIEVED: N_("Target achieved"),
    ProgressStatus.SUBSTANTIAL: N_("On track"),
    ProgressStatus.MODERATE: N_("Acceleration needed"),
    ProgressStatus.LIMITED: N_("Limited progress"),
    ProgressStatus.DETERIORATION: N_("Deterioration"),
    ProgressStatus.NOT_AVAILABLE: N_("No trend"),
}

LEVEL = {1: N_("international"), 2: N_("national"), 3: N_("local")}

TARGET_KIND: dict[TargetKind, str] = {
    TargetKind.PUBLIC: N_("public"),
    TargetKind.LEADING_CITIES: N_("leading cities"),
    TargetKind.OFFICIAL: N_("official"),
    TargetKind.LOCAL: N_("local"),
}

# The U4SSC structure, so that French reports do not mix languages in headings.
STRUCTURE = [
    N_("Economy"),
    N_("Environment"),
    N_("Society and Culture"),
    N_("ICT"),
    N_("Productivity"),
    N_("Infrastructure"),
    N_("Energy"),
    N_("Education, Health and Culture"),
    N_("Safety, Housing and Social Inclusion"),
    N_("ICT Infrastructure"),
    N_("Water and Sanitation"),
    N_("Drainage"),
    N_("Electricity Supply"),
    N_("Transport"),
    N_("Public Sector"),
    N_("Innovation"),
    N_("Employment"),
    N_("Waste"),
    N_("Buildings"),
    N_("Urban Planning"),
    N_("Air Quality"),
    N_("Environmental Quality"),
    N_("Public Space and Nature"),
    N_("Education"),
    N_("Health"),
    N_("Culture"),
    N_("Housing"),
    N_("Social Inclusion"),
    N_("Safety"),
    N_("Food Security"),
    N_("Total"),
]

# Result statuses as the tables show them (capitalised `ResultStatus` values).
RESULT_STATUS = [N_("Computed"), N_("Reported"), N_("Not available"), N_("Error")]

KINDS: dict[str, str] = {
    "snapshot": N_("City Snapshot"),
    "verification": N_("Verification Report"),
    "profile": N_("SSC City Profile"),
}
