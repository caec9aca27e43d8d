"""Screening a submitted period: its numbers against the city's previous year and its peer group, and the checks.

What is flagged is decided by the rule book (`screening_rules`, with the hub's own thresholds); the
comparisons are pure functions of the figures, so they are tested without a database, and the
figures are read from the store once per period. Peers are the other cities of the same peer group
with a *published* year of the same year: a finding is read by the city's editor, who may not see
another city's unpublished figures.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import cast

from sqlalchemy import select
from sqlalchemy.orm import Session

from citykpi.model.diagnostics import Diagnostic, Location, Param, Severity, ValidationReport, said
from citykpi.platform import hub_screening
from citykpi.platform.catalogues import catalogue_of
from citykpi.platform.screening_rules import RuleBook, RuleKind, ScreeningRule, shipped_rules
from citykpi.platform.values import submission_of
from citykpi.platform.workflow import PeriodState
from citykpi.store.schema import City, Entry, Period, Result
from citykpi.validate.files import check_submission

RESULT, INPUT = "result", "input"
Key = tuple[str, str, str]  # (KPI code, RESULT or INPUT, data point key or input name)


@dataclass(frozen=True)
class Figure:
    """One number of a period that screening compares: a KPI data point's value or a reported input."""

    kpi: str
    kind: str
    name: str
    value: float

    @property
    def key(self) -> Key:
        return (self.kpi, self.kind, self.name)

    @property
    def what(self) -> str:
        """How a finding names it: `EC: I: T: 4A commuters`, or the KPI code alone for a one-valued KPI."""
        return self.kpi if self.kind == RESULT and self.name == "value" else f"{self.kpi} {self.name}"


def figures(session: Session, period_ids: Sequence[int], inputs: bool = True) -> dict[int, dict[Key, Figure]]:
    """The numbers of each period: KPI data points with a numeric value, and reported numeric inputs."""
    found: dict[int, dict[Key, Figure]] = {pid: {} for pid in period_ids}
    results = session.execute(
        select(Result.period_id, Result.code, Result.data_point, Result.value).where(
            Result.period_id.in_(period_ids), Result.value.is_not(None), Result.value_text.is_(None)
        )
    ).all()
    for pid, code, point, value in results:
        figure = Figure(code, RESULT, point, cast(float, value))  # not NULL: filtered above
        found[pid][figure.key] = figure
    if inputs:
        rows = session.execute(
            select(Entry.period_id, Entry.kpi, Entry.name, Entry.value_num).where(
                Entry.period_id.in_(period_ids),
                Entry.kind == INPUT,
                Entry.status == "reported",
                Entry.value_num.is_not(None),
            )
        ).all()
        for pid, kpi, name, value in rows:
            figure = Figure(kpi, INPUT, name, cast(float, value))
            found[pid][figure.key] = figure
    return found


WARNING = Severity.WARNING  # screening asks the verifier to look; it refuses nothing


def _where(figure: Figure) -> Location:
    return Location(kpi=figure.kpi, field=figure.name)


def _said_of(figure: Figure, year: int, threshold: float) -> dict[str, Param]:
    """What every finding's message says: which number, its value and year, and the threshold it broke."""
    return {"what": figure.what, "value": f"{figure.value:g}", "year": year, "threshold": f"{threshold:.0%}"}


def year_on_year(
    current: Mapping[Key, Figure], year: int, earlier: Mapping[Key, Figure], earlier_year: int, rule: ScreeningRule
) -> list[Diagnostic]:
    """A number that rose or fell by more than the rule's share since the earlier year (a zero is skipped)."""
    threshold = rule.threshold or 0.0
    found = []
    for key, figure in sorted(current.items()):
        old = earlier.get(key)
        if old is None or old.value == 0:
            continue
        change = (figure.value - old.value) / abs(old.value)
        if abs(change) > threshold:
            params = _said_of(figure, year, threshold) | {
                "earlier_year": earlier_year,
                "earlier": f"{old.value:g}",
                "change": f"{change:+.0%}",
            }
            found.append(said("year-on-year-change", rule.message, params, severity=WARNING, location=_where(figure)))
    return found


def peer_range(
    current: Mapping[Key, Figure], year: int, peers: Mapping[Key, Sequence[float]], peer_group: str, rule: ScreeningRule
) -> list[Diagnostic]:
    """A KPI value outside its peers' minimum-maximum by more than the rule's share of that range."""
    margin_share = rule.threshold or 0.0
    found = []
    for key, figure in sorted(current.items()):
        values = peers.get(key, ())
        if figure.kind != RESULT or len(values) < rule.min_peers:
            continue
        low, high = min(values), max(values)
        margin = margin_share * (high - low)
        if low - margin <= figure.value <= high + margin:
            continue
        params = _said_of(figure, year, margin_share) | {
            "peers": len(values),
            "peer_group": peer_group,
            "low": f"{low:g}",
            "high": f"{high:g}",
        }
        found.append(said("outside-peer-range", rule.message, params, severity=WARNING, location=_where(figure)))
    return found


def peer_periods(session: Session, period: Period, states: Iterable[str] = (PeriodState.PUBLISHED,)) -> list[Period]:
    """The same year of the other cities of the period's peer group, in the given states."""
    if not period.city.peer_group:
        return []
    return list(
        session.scalars(
            select(Period)
            .join(City, City.id == Period.city_id)
            .where(
                City.peer_group == period.city.peer_group,
                City.id != period.city_id,
                Period.year == period.year,
                Period.status.in_([str(s) for s in states]),
            )
            .order_by(Period.id)
        ).all()
    )


def peer_values(session: Session, periods: Sequence[Period]) -> dict[Key, list[float]]:
    """Each KPI data point's values over `periods` (inputs left out: counts scale with a city's size)."""
    found: dict[Key, list[float]] = defaultdict(list)
    for numbers in figures(session, [p.id for p in periods], inputs=False).values():
        for key, figure in numbers.items():
            found[key].append(figure.value)
    return found


def earlier_period(session: Session, period: Period) -> Period | None:
    """The city's latest reporting year before this one, whatever its state (the city's own figures)."""
    return session.scalar(
        select(Period)
        .where(Period.city_id == period.city_id, Period.year < period.year)
        .order_by(Period.year.desc())
        .limit(1)
    )


def rules_for(session: Session, period: Period) -> RuleBook:
    return shipped_rules().effective(hub_screening.overrides(session, period.city.hub))


def screen(session: Session, period: Period) -> dict[str, list[dict[str, object]]]:
    """Findings per KPI code, as stored on each review (diagnostics in their JSON form)."""
    rules = rules_for(session, period)
    found: list[Diagnostic] = []
    if rules.of_kind(RuleKind.CHECKS):
        catalogue = catalogue_of(period.framework)
        checked = check_submission(submission_of(session, period), catalogue, ValidationReport(valid=True))
        found += [*checked.report.errors, *checked.report.warnings]
    earlier = earlier_period(session, period)
    wanted = [period.id] + ([earlier.id] if earlier is not None else [])
    numbers = figures(session, wanted)
    if earlier is not None:
        for rule in rules.of_kind(RuleKind.YEAR_ON_YEAR):
            found += year_on_year(numbers[period.id], period.year, numbers[earlier.id], earlier.year, rule)
    peer_rules = rules.of_kind(RuleKind.PEER_RANGE)
    if peer_rules:
        peers = peer_values(session, peer_periods(session, period))
        for rule in peer_rules:
            found += peer_range(numbers[period.id], period.year, peers, period.city.peer_group, rule)
    by_kpi: dict[str, list[dict[str, object]]] = defaultdict(list)
    for diagnostic in found:
        by_kpi[diagnostic.location.kpi or ""].append(diagnostic.model_dump(mode="json"))
    return by_kpi
