"""Words the reports show for codes (bands, standings, progress), marked for translation.

`N_` only marks a string for extraction; the template translates it when it is shown.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from citykpi.scoring.averaging import PERIODS, mismatch
from citykpi.scoring.progress import ProgressStatus
from citykpi.scoring.rules import Band
from citykpi.scoring.scorecard import Standing
from citykpi.scoring.targets import Target, TargetKind


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

# Without a target there is nothing to be on track towards: the Open SDG words for a series judged
# on its own growth (methods.md C2).
PROGRESS_WITHOUT_TARGET: dict[ProgressStatus, str] = {
    **PROGRESS,
    ProgressStatus.SUBSTANTIAL: N_("Substantial progress"),
    ProgressStatus.MODERATE: N_("Moderate progress"),
}

# What each word means, for the legend beside every table that shows them.
PROGRESS_MEANING: dict[ProgressStatus, str] = {
    ProgressStatus.TARGET_ACHIEVED: N_("the latest value meets the target"),
    ProgressStatus.SUBSTANTIAL: N_(
        "moving towards the target at 95 per cent or more of the pace that reaches it by its year"
        " (2030 when it has none)"
    ),
    ProgressStatus.MODERATE: N_("moving towards the target at 60 to 95 per cent of the pace it needs"),
    ProgressStatus.LIMITED: N_(
        "moving towards the target at less than 60 per cent of the pace it needs, or not moving"
    ),
    ProgressStatus.DETERIORATION: N_("moving away from the target, or missing a target it met in an earlier year"),
    ProgressStatus.NOT_AVAILABLE: N_("fewer than two years with a value, or no direction in which it should move"),
}
PROGRESS_MEANING_WITHOUT_TARGET: dict[ProgressStatus, str] = {
    **PROGRESS_MEANING,
    ProgressStatus.SUBSTANTIAL: N_("no target; improving by 1.5% a year or more"),
    ProgressStatus.MODERATE: N_("no target; improving by 0.5-1.5% a year"),
    ProgressStatus.LIMITED: N_("no target; improving by less than 0.5% a year, or not moving"),
    ProgressStatus.DETERIORATION: N_("no target; worsening"),
}
PROJECTED = N_(
    "target in YEAR: the year the target is reached if the pace since the base year goes on; given only while "
    "the value moves towards a target it has not reached"
)


def progress_word(status: ProgressStatus, with_target: bool) -> str:
    return (PROGRESS if with_target else PROGRESS_WITHOUT_TARGET)[status]


def progress_legend(shown: Iterable[tuple[ProgressStatus, bool]]) -> list[tuple[ProgressStatus, str, str]]:
    """(status, word, meaning) for each (status, judged against a target) shown, once, in status order."""
    seen = set(shown)
    rows: list[tuple[ProgressStatus, str, str]] = []
    for status in ProgressStatus:
        for with_target in (True, False):
            meaning = (PROGRESS_MEANING if with_target else PROGRESS_MEANING_WITHOUT_TARGET)[status]
            row = (status, progress_word(status, with_target), meaning)
            if (status, with_target) in seen and row not in rows:
                rows.append(row)
    return rows


LEVEL = {1: N_("international"), 2: N_("national"), 3: N_("local")}

TARGET_KIND: dict[TargetKind, str] = {
    TargetKind.PUBLIC: N_("public"),
    TargetKind.LEADING_CITIES: N_("leading cities"),
    TargetKind.OFFICIAL: N_("official"),
    TargetKind.LOCAL: N_("local"),
}

# Averaging periods (scoring/averaging.py), for the reason a target of another period is not used.
AVERAGING: dict[str, str] = {
    "peak-season mean": N_("peak-season mean"),
    "annual mean": N_("annual mean"),
    "24-hour": N_("24-hour"),
    "8-hour": N_("8-hour"),
    "1-hour": N_("1-hour"),
}
MISMATCH = N_("the target is a %(given)s value; the KPI asks for the %(asked)s")


def mismatch_reason(target: Target, _: Callable[[str], str]) -> str:
    """Why a target is not used, in the report's language where it is the averaging rule's own sentence.

    A reason a target file wrote in its own words is shown as written.
    """
    given = target.averaging
    for asked in PERIODS:
        if given in AVERAGING and target.mismatch == mismatch(given, asked):
            return _(MISMATCH) % {"given": _(AVERAGING[given]), "asked": _(AVERAGING[asked])}
    return target.mismatch


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
