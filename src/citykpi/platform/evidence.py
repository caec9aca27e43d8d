"""What a verifier needs beside one KPI of a period to decide it: the evidence panel of the review page.

Everything here is read from the store; nothing is derived that the city did not report. An input's
provenance is where its stored value was last written (the workbook's sheet and cell, the CSV row,
or the web form with who and when, `Entry.location`); values stored before that column existed fall
back to their last audit row (the imported file's name, or a web edit). The formula's inputs and
the profile figures it divides by come from assessing the stored values again, which records what
each formula read (`KpiResult.inputs`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from statistics import median

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from citykpi.assess.engine import assess
from citykpi.framework.model import PROFILE_FIELDS, Kpi
from citykpi.model.assessment import KpiResult
from citykpi.platform.catalogues import catalogue_of
from citykpi.platform.cities import may_see
from citykpi.platform.roles import Principal
from citykpi.platform.screening import RESULT, earlier_period, peer_periods, peer_values
from citykpi.platform.values import submission_of
from citykpi.platform.warnings import WarningRecord, warnings_for
from citykpi.platform.workflow import PeriodState
from citykpi.store.schema import Audit, Entry, Period, Result, Review

IMPORT_REASON = "import of "


@dataclass(frozen=True)
class Origin:
    """Where a stored value came from: `how` is workbook, csv, form, import (file known, cell not) or unknown."""

    how: str
    file: str = ""
    sheet: str = ""
    cell: str = ""
    row: int | None = None
    by: str = ""
    at: datetime | None = None


@dataclass(frozen=True)
class InputLine:
    name: str
    label: str
    unit: str
    value: float | str | None
    entry: Entry | None
    origin: Origin
    earlier: float | None = None  # the same input in the city's previous reporting year

    @property
    def change(self) -> float | None:
        if not isinstance(self.value, int | float) or not self.earlier:
            return None
        return (self.value - self.earlier) / abs(self.earlier)


@dataclass(frozen=True)
class YearValue:
    year: int
    status: str
    value: float | None
    text: str | None
    change: float | None  # against the year listed before it, as a share (-0.36 for -36 %)


@dataclass(frozen=True)
class PeerFigures:
    data_point: str
    cities: int
    low: float
    median: float
    high: float


@dataclass(frozen=True)
class Evidence:
    kpi: Kpi
    results: list[KpiResult]
    inputs: list[InputLine]
    earlier_year: int | None
    denominators: list[InputLine]
    entries: list[Entry]
    years: dict[str, list[YearValue]]  # per data point, oldest first, this period's year last
    peers: list[PeerFigures]
    peer_group: str
    history: list[Audit]
    warnings: list[WarningRecord]  # the checks' warnings on the uploaded file, with the city's explanations


def evidence(session: Session, who: Principal, period: Period, review: Review) -> Evidence:
    kpi = catalogue_of(period.framework).kpis[review.kpi]
    entries = list(
        session.scalars(select(Entry).where(Entry.period_id == period.id).order_by(Entry.kpi, Entry.kind, Entry.name))
    )
    own = [e for e in entries if e.kpi == kpi.code]
    results = [
        r for r in assess(submission_of(session, period), catalogue_of(period.framework)).results if r.code == kpi.code
    ]
    read = {use.name: use.value for r in results for use in r.inputs}
    inputs_by_name = {e.name: e for e in entries if e.kind == "input"} | {e.name: e for e in own if e.kind == "input"}
    audits = _last_audits(session, [e.id for e in entries])
    before = earlier_period(session, period)
    if before is not None and not may_see(who, before):
        before = None
    earlier = _earlier_inputs(session, before, [i.name for i in kpi.inputs])
    inputs = [
        InputLine(
            i.name,
            i.label,
            i.unit,
            _value(inputs_by_name.get(i.name), read.get(i.name)),
            inputs_by_name.get(i.name),
            _origin(inputs_by_name.get(i.name), audits),
            earlier.get(i.name),
        )
        for i in kpi.inputs
    ]
    profile_origin = _profile_origin(session, period)
    denominators = [
        InputLine(name, PROFILE_FIELDS[name], "", period.profile.get(name), None, profile_origin)
        for name in dict.fromkeys(n for r in results for n in [*(u.name for u in r.inputs), *r.missing])
        if name in PROFILE_FIELDS
    ]
    return Evidence(
        kpi=kpi,
        results=results,
        inputs=inputs,
        earlier_year=before.year if before is not None else None,
        denominators=denominators,
        entries=own,
        years=_years(session, who, period, kpi),
        peers=_peers(session, who, period, kpi),
        peer_group=period.city.peer_group,
        history=_history(session, review, [e.id for e in own]),
        warnings=warnings_for(session, period.id, kpi.code),
    )


def _earlier_inputs(session: Session, period: Period | None, names: list[str]) -> dict[str, float]:
    if period is None or not names:
        return {}
    rows = session.execute(
        select(Entry.name, Entry.value_num).where(
            Entry.period_id == period.id, Entry.kind == "input", Entry.name.in_(names), Entry.value_num.is_not(None)
        )
    ).all()
    return {name: value for name, value in rows if value is not None}


def _value(entry: Entry | None, read: float | None) -> float | str | None:
    if read is not None:
        return read
    if entry is None:
        return None
    return entry.value_num if entry.value_num is not None else entry.value_text


def _last_audits(session: Session, entry_ids: list[int]) -> dict[int, Audit]:
    rows = session.scalars(
        select(Audit).where(Audit.entity == "entry", Audit.entity_id.in_(entry_ids)).order_by(Audit.id)
    ).all()
    return {row.entity_id: row for row in rows if row.entity_id is not None}


def _origin(entry: Entry | None, audits: dict[int, Audit]) -> Origin:
    if entry is None:
        return Origin("unknown")
    where = entry.location or {}
    by, at = entry.updated_by, entry.updated_at
    if where.get("file") == "form":
        return Origin("form", by=by, at=at)
    if where.get("cell"):
        return Origin("workbook", where.get("file", ""), where.get("sheet", ""), where["cell"], by=by, at=at)
    if where.get("row") is not None:
        return Origin("csv", where.get("file", ""), row=where["row"], by=by, at=at)
    last = audits.get(entry.id)
    if last is None:
        return Origin("unknown", by=by, at=at)
    if last.reason.startswith(IMPORT_REASON):
        return Origin("import", last.reason.removeprefix(IMPORT_REASON), by=last.actor, at=last.at)
    return Origin("form", by=last.actor, at=last.at)


def _profile_origin(session: Session, period: Period) -> Origin:
    last = session.scalar(
        select(Audit).where(Audit.entity == "profile", Audit.entity_id == period.id).order_by(Audit.id.desc()).limit(1)
    )
    if last is None:
        return Origin("city")  # the city's record, copied when the period was opened
    if last.reason.startswith(IMPORT_REASON):
        return Origin("import", last.reason.removeprefix(IMPORT_REASON), by=last.actor, at=last.at)
    return Origin("unknown", by=last.actor, at=last.at)  # imports audited it without the file's name before


def _years(session: Session, who: Principal, period: Period, kpi: Kpi) -> dict[str, list[YearValue]]:
    periods = [
        p
        for p in session.scalars(
            select(Period).where(Period.city_id == period.city_id, Period.year <= period.year).order_by(Period.year)
        )
        if p.id == period.id or may_see(who, p)
    ]
    rows = session.scalars(
        select(Result).where(Result.period_id.in_([p.id for p in periods]), Result.code == kpi.code)
    ).all()
    found = {(r.period_id, r.data_point): r for r in rows}
    years: dict[str, list[YearValue]] = {}
    for point in kpi.data_points:
        line: list[YearValue] = []
        for p in periods:
            row = found.get((p.id, point.key))
            if row is None:
                continue
            before = next((y.value for y in reversed(line) if y.value is not None), None)
            change = (row.value - before) / abs(before) if row.value is not None and before else None
            line.append(YearValue(p.year, row.status, row.value, row.value_text, change))
        years[point.key] = line
    return years


def _peers(session: Session, who: Principal, period: Period, kpi: Kpi) -> list[PeerFigures]:
    """The peer group's same-year values of this KPI, over the periods the visitor may see."""
    visible = [p for p in peer_periods(session, period, states=list(PeriodState)) if may_see(who, p)]
    values = peer_values(session, visible)
    found = []
    for point in kpi.data_points:
        numbers = sorted(values.get((kpi.code, RESULT, point.key), []))
        if numbers:
            found.append(PeerFigures(point.key, len(numbers), numbers[0], median(numbers), numbers[-1]))
    return found


def _history(session: Session, review: Review, entry_ids: list[int]) -> list[Audit]:
    """Every audited change of the KPI's values and of its review, oldest first."""
    return list(
        session.scalars(
            select(Audit)
            .where(
                or_(
                    (Audit.entity == "entry") & Audit.entity_id.in_(entry_ids),
                    (Audit.entity == "review") & (Audit.entity_id == review.id),
                )
            )
            .order_by(Audit.id)
        )
    )
