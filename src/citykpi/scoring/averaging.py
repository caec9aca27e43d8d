"""The averaging period of a target and of the KPI data point it scores, and whether they match.

WHO 2021 has no annual SO2 or O3 guideline: its 24-hour and peak-season values are not targets for
an annual mean, and a city scored against them reads "95 %+" where its mean is twice the guideline.
The shipped targets are built with this rule (scripts/build_targets.py); a target file a user loads
with `--targets` is held to the same rule (`check_averaging`).
"""

from __future__ import annotations

from collections.abc import Mapping

from citykpi.framework.model import DataPoint, Kpi
from citykpi.model.diagnostics import Diagnostic, Location
from citykpi.scoring.targets import Target

# As the reference CSV and the catalogue write them, most specific first ("peak-season mean" before
# "annual mean"), so that the first one found in a text is the one it names.
PERIODS = ("peak-season mean", "annual mean", "24-hour", "8-hour", "1-hour")


def period_in(text: str) -> str | None:
    """The averaging period a text names (a unit such as `µg/m3 24-hour (99th percentile)`), if any."""
    lowered = text.lower()
    return next((p for p in PERIODS if p in lowered), None)


def asked_period(kpi: Kpi, point: DataPoint) -> str | None:
    """The averaging period the KPI's data point is defined for (`SO2 annual mean concentration`)."""
    return period_in(f"{point.label} {point.unit} {kpi.unit} {kpi.definition}")


def mismatch(given: str, asked: str | None) -> str:
    """Why a target of period `given` does not fit, or "" when it does (or the KPI names no period)."""
    return f"the target is a {given} value; the KPI asks for the {asked}" if asked not in (None, given) else ""


def check_averaging(targets: list[tuple[int, Target]], kpis: Mapping[str, Kpi], file: str) -> list[Diagnostic]:
    """Errors for the (row, target)s of a loaded file whose averaging period is not the KPI's.

    A target that says it does not fit (`mismatch`) is shown only, never scored, so it passes; so
    does one that names no period, which is taken to be of the KPI's own.
    """
    found = []
    for row, t in targets:
        if t.averaging is None or t.mismatch or t.kpi not in kpis:
            continue
        kpi = kpis[t.kpi]
        where = Location(file=file, row=row, kpi=t.kpi, field="averaging")
        if period_in(t.averaging) != t.averaging.strip().lower():
            message = f"unknown averaging period {t.averaging!r}; use one of {', '.join(PERIODS)}"
            found.append(Diagnostic(type="target-error", message=message, location=where))
            continue
        for point in kpi.data_points:
            if t.data_point not in (None, point.key):
                continue
            why = mismatch(period_in(t.averaging) or "", asked_period(kpi, point))
            if why:
                name = f"{t.kpi}, data point {point.key}" if kpi.is_multi else t.kpi
                message = (
                    f"{why} ({name}): a value is not scored against a target of another averaging period; give the "
                    "target of the KPI's period, or add a 'mismatch' saying why, so that it is shown and never used"
                )
                found.append(Diagnostic(type="target-error", message=message, location=where))
    return found
