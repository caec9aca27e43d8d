"""Warnings kept with a period's values, and the city's explanation of each, for the verifier.

A file imported with warnings (a plausibility rule, an input a formula still lacks) used to say
only "imported": the verifier never learnt of them. The warnings of a period are now those its
last imported file gave; each may carry the editor's explanation, audited as `explain-warning`.
An explanation stays with a warning that the next import gives again at the same place (same
diagnostic key, same sheet and cell or row), and goes when the warning goes (the audit log keeps
its text). Warnings are derived from the file, like results, so replacing them is not audited;
explanations are the city's words, so they are.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from pydantic import BaseModel, ConfigDict
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from citykpi.model.diagnostics import Diagnostic, Location, reading_order
from citykpi.platform.cities import require
from citykpi.platform.errors import Conflict, Invalid, NotFound
from citykpi.platform.roles import Action, Principal
from citykpi.platform.texts import check_texts
from citykpi.platform.workflow import value_editable
from citykpi.store import audit
from citykpi.store.db import mark_changed
from citykpi.store.schema import Period, Review, ValueWarning, utcnow

PLACE_LENGTH = 300  # the column's width; a place is a key and a location, far shorter in practice
EXPLANATION_LENGTH = 4000


class WarningRecord(BaseModel):
    """One kept warning with the city's explanation (empty while none is given)."""

    model_config = ConfigDict(frozen=True)

    id: int
    period_id: int
    kpi: str | None
    diagnostic: Diagnostic
    file_name: str
    explanation: str
    explained_by: str
    explained_at: datetime | None
    version: int
    kept_at: datetime

    @property
    def type(self) -> str:
        return self.diagnostic.type

    @property
    def message(self) -> str:
        return self.diagnostic.message

    @property
    def location(self) -> Location:
        return self.diagnostic.location

    @property
    def cell(self) -> str | None:
        return self.diagnostic.location.cell


def place(d: Diagnostic) -> str:
    """What makes two warnings of two imports the same one: its key and where it is, not its numbers."""
    at = d.location
    parts = [d.key, at.sheet, at.cell, at.row, at.column, at.kpi, at.field]
    return "|".join("" if p is None else str(p) for p in parts)[:PLACE_LENGTH]


def _record(row: ValueWarning) -> WarningRecord:
    return WarningRecord(
        id=row.id,
        period_id=row.period_id,
        kpi=row.kpi,
        diagnostic=Diagnostic.model_validate(row.diagnostic),
        file_name=row.file_name,
        explanation=row.explanation,
        explained_by=row.explained_by,
        explained_at=row.explained_at,
        version=row.version,
        kept_at=row.created_at,
    )


def _in_reading_order(rows: Sequence[ValueWarning]) -> list[WarningRecord]:
    return sorted((_record(r) for r in rows), key=lambda w: (reading_order(w.diagnostic), w.id))


def replace(session: Session, period: Period, file_name: str, found: Sequence[Diagnostic]) -> None:
    """The period's warnings become those of the file just imported, explanations carried over by place."""
    old = session.scalars(select(ValueWarning).where(ValueWarning.period_id == period.id)).all()
    kept = {row.place: row for row in old if row.explanation}
    before = sorted(row.place for row in old)
    session.execute(delete(ValueWarning).where(ValueWarning.period_id == period.id))
    for d in found:
        where = place(d)
        earlier = kept.pop(where, None)
        session.add(
            ValueWarning(
                period_id=period.id,
                kpi=d.location.kpi,
                place=where,
                diagnostic=d.model_dump(mode="json"),
                file_name=file_name,
                explanation=earlier.explanation if earlier else "",
                explained_by=earlier.explained_by if earlier else "",
                explained_at=earlier.explained_at if earlier else None,
            )
        )
    if sorted(place(d) for d in found) != before:
        mark_changed(session, [period.id])  # the pages showing warnings are cached on the period's revision
    session.flush()


def period_warnings(session: Session, period: Period) -> list[WarningRecord]:
    """Every kept warning of the period in the workbook's reading order (sheet, then row and column)."""
    return _in_reading_order(session.scalars(select(ValueWarning).where(ValueWarning.period_id == period.id)).all())


def warnings_for(session: Session, period_id: int, kpi: str) -> list[WarningRecord]:
    """A KPI's kept warnings with the city's explanations; the caller has checked that its visitor may
    read the period (the verifier's review page, the KPI page)."""
    query = select(ValueWarning).where(ValueWarning.period_id == period_id, ValueWarning.kpi == kpi)
    return _in_reading_order(session.scalars(query).all())


def explain(
    session: Session, who: Principal, period: Period, warning_id: int, text: str, seen_version: int
) -> WarningRecord:
    """The editor's note on a warning, where the KPI's values may be changed (a draft, or a queried KPI)."""
    require(who, Action.EDIT, period)
    row = session.get(ValueWarning, warning_id)
    if row is None or row.period_id != period.id:
        raise NotFound.said("warning", "no warning {warning} in this period", warning=warning_id)
    text = text.strip()
    check_texts({"explanation": text}, multiline={"explanation"}, kpi=row.kpi)
    if len(text) > EXPLANATION_LENGTH:
        template = "the explanation is longer than {limit} characters; shorten it"
        raise Invalid.said("explanation-length", template, limit=EXPLANATION_LENGTH)
    state = session.scalar(select(Review.state).where(Review.period_id == period.id, Review.kpi == row.kpi))
    if not value_editable(period.status, state):
        template = "the warnings of {kpi} cannot be explained while the period is {status}"
        raise Conflict.said("not-editable", template, kpi=row.kpi or "", status=period.status)
    if seen_version != row.version:
        template = "the explanation was changed by {user} meanwhile; reload it, nothing was overwritten"
        raise Conflict.said("stale-explanation", template, user=row.explained_by)
    if text == row.explanation:
        return _record(row)
    old = {"explanation": row.explanation}
    row.explanation, row.explained_by, row.explained_at = text, who.username, utcnow()
    row.version += 1
    new = {"explanation": text, "kpi": row.kpi, **{k: row.diagnostic.get(k) for k in ("type", "message")}}
    audit.record(
        session, who.username, "explain-warning", "value-warning", row.id, period_id=period.id, old=old, new=new
    )
    session.flush()
    return _record(row)
