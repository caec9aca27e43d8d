"""From a submission to a value, or the reason for none, for every KPI data point of a catalogue.

The U4SSC collection template computes each KPI from its input components but lets a city type the
final value over the formula when it only has that (Verification Manual p.162-166); the verifier
then has to see that it was overridden. So a directly reported value wins and keeps the status
`reported`; everything else is computed, and a data point without a value always says why, in words
a city team can act on.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from citykpi.assess.inputs import EntryIndex, Gathered, NoValue, gather_inputs, provenance_of
from citykpi.assess.values import Outcome, Problem, check_range, interpret_computed, interpret_reported
from citykpi.framework.model import DataPoint, Input, Kpi
from citykpi.model.assessment import Assessment, InputUse, KpiResult, ResultStatus
from citykpi.model.submission import Entry, Status, Submission

_CARRIED: dict[Status, ResultStatus] = {
    Status.NOT_AVAILABLE: ResultStatus.NOT_AVAILABLE,
    Status.NOT_APPLICABLE: ResultStatus.NOT_APPLICABLE,
}


class KpiCatalogue(Protocol):
    """What the engine needs of a catalogue (`citykpi.framework.catalogue.Catalogue` fits)."""

    @property
    def kpis(self) -> Mapping[str, Kpi]: ...


def assess(submission: Submission, catalogue: KpiCatalogue) -> Assessment:
    index = EntryIndex.build(submission.entries)
    kpis = list(catalogue.kpis.values())
    inputs = {i.name: i for k in kpis for i in k.inputs}
    results = [_result(kpi, dp, index, inputs, submission) for kpi in kpis for dp in kpi.data_points]
    return Assessment(profile=submission.profile, frameworks=list(submission.frameworks), results=results)


def _result(kpi: Kpi, dp: DataPoint, index: EntryIndex, inputs: dict[str, Input], submission: Submission) -> KpiResult:
    base = KpiResult(
        code=kpi.code,
        data_point=dp.key,
        name=kpi.name if not kpi.is_multi else f"{kpi.name} ({dp.label or dp.key})",
        dimension=kpi.dimension,
        subdimension=kpi.subdimension,
        category=kpi.category,
        level=kpi.level.value,
        unit=dp.unit,
        status=ResultStatus.NOT_REPORTED,
    )
    override = index.value(kpi.code, dp.key)
    if override is not None and override.status is not Status.NOT_REPORTED:
        return _from_override(base, dp, override)
    if dp.formula is None:
        return base.model_copy(update={"reason": "reported directly only, and no value was given"})
    gathered = gather_inputs(dp.formula, index, inputs, submission.profile, submission.places)
    if isinstance(gathered, NoValue):
        update = {"status": gathered.status, "reason": gathered.reason, "problem": gathered.problem}
        return base.model_copy(update={**update, "missing": list(gathered.missing), "inputs": list(gathered.given)})
    return _computed(base, dp, gathered)


def _from_override(base: KpiResult, dp: DataPoint, entry: Entry) -> KpiResult:
    update = provenance_of([entry])
    if isinstance(entry.value, int | float) and not isinstance(entry.value, bool):
        update["inputs"] = [InputUse(name=dp.key, value=float(entry.value), location=entry.location)]
    if entry.status in _CARRIED:
        return base.model_copy(update={**update, "status": _CARRIED[entry.status], "reason": entry.notes})
    return _finish(base, dp, interpret_reported(entry.value, dp), ResultStatus.REPORTED, update)


def _computed(base: KpiResult, dp: DataPoint, gathered: Gathered) -> KpiResult:
    raw = gathered.evaluate()
    outcome = raw if isinstance(raw, Problem) else interpret_computed(raw, dp)
    update = {**provenance_of(gathered.entries), "inputs": gathered.used}
    return _finish(base, dp, outcome, ResultStatus.COMPUTED, update)


def _finish(
    base: KpiResult, dp: DataPoint, outcome: Outcome | Problem, status: ResultStatus, update: dict[str, object]
) -> KpiResult:
    if isinstance(outcome, Problem):
        failed = {"status": ResultStatus.ERROR, "reason": outcome.reason, "problem": outcome.type}
        return base.model_copy(update={**update, **failed})
    problem = check_range(outcome, dp, "reported value" if status is ResultStatus.REPORTED else "computed value")
    if problem:
        kind = "constraint-error.computed" if status is ResultStatus.COMPUTED else "constraint-error"
        failed = {"status": ResultStatus.ERROR, "reason": problem, "problem": kind}
        return base.model_copy(update={**update, **failed})
    return base.model_copy(update={**update, "status": status, "value": outcome.value, "value_text": outcome.text})
