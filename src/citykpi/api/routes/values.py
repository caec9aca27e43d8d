"""Values of a period: read, write with optimistic concurrency, history, bulk import, results, scores, audit."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, UploadFile
from fastapi.responses import Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from citykpi.api.routes.cities import Limit, Offset
from citykpi.api.schemas import AuditOut, ImportOut, PageOut, ResultOut, ScoreOut, ValueIn, ValueOut
from citykpi.http.callers import Caller, SignedIn, resolve_caller
from citykpi.http.deps import Db, Id, Reader, read_in_thread
from citykpi.platform import cities, uploads, values
from citykpi.platform.roles import Action, read_scope
from citykpi.platform.scores import groups_of
from citykpi.store.schema import Audit, Entry, Result
from citykpi.store.stamps import period_stamp

router = APIRouter(tags=["values"])


def value_out(row: Entry) -> ValueOut:
    return ValueOut(
        id=row.id,
        period_id=row.period_id,
        kpi=row.kpi,
        kind=row.kind,
        name=row.name,
        version=row.version,
        updated_at=row.updated_at,
        updated_by=row.updated_by,
        **values.row_snapshot(row),
    )


@router.get("/periods/{period_id}/values", response_model=PageOut[ValueOut])
async def list_values(
    period_id: Id,
    request: Request,
    limit: Limit = 100,
    offset: Offset = 0,
    kpi: str | None = None,
    kind: str | None = None,
) -> Response:
    def answer(session: Session) -> Response:
        who = resolve_caller(request, session)

        def build() -> PageOut[ValueOut]:
            # Callers of one read scope see the same periods, so a body cached for the scope passed this check.
            query = values.entries_query(cities.get_period(session, who, period_id), kpi, kind)
            total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
            rows = session.scalars(query.limit(limit).offset(offset)).all()
            return PageOut(total=total, limit=limit, offset=offset, items=[value_out(r) for r in rows])

        key = ("values", period_id, limit, offset, kpi, kind, read_scope(who))
        return request.app.state.cache.respond(session, key, build, period_stamp(session, period_id))

    return await read_in_thread(request, answer)


@router.put("/periods/{period_id}/values", response_model=ValueOut)
def put_value(period_id: Id, body: ValueIn, who: SignedIn, db: Db) -> ValueOut:
    """Create (version 0) or change a value; a stale version answers 409 and nothing is written."""
    edit = values.EntryEdit.model_validate(body.model_dump(exclude={"version", "reason"}))
    with db.write() as session:
        period = cities.get_period(session, who, period_id)
        row = values.set_value(session, who, period, edit, body.version, body.reason)
        return value_out(row)


@router.get("/values/{value_id}", response_model=ValueOut)
def get_value(value_id: Id, who: Caller, session: Reader) -> ValueOut:
    row, _period = values.get_entry(session, who, value_id)
    return value_out(row)


@router.get("/values/{value_id}/history", response_model=list[AuditOut])
def value_history(value_id: Id, who: Caller, session: Reader) -> list[Audit]:
    _row, period = values.get_entry(session, who, value_id)
    cities.require(who, Action.READ, period)
    return values.history(session, value_id)


@router.post("/periods/{period_id}/import", response_model=ImportOut)
def import_file(period_id: Id, file: UploadFile, who: SignedIn, db: Db, request: Request) -> ImportOut:
    """Workbook (.xlsx), tidy CSV or datapackage JSON; all or nothing, answered with the validation report."""
    limit = request.app.state.settings.max_upload_bytes
    content = file.file.read(limit + 1)
    seconds = request.app.state.settings.upload_seconds
    outcome = uploads.import_upload(db, who, period_id, file.filename or "upload", content, limit, seconds)
    return ImportOut(
        report=outcome.report,
        created=outcome.created,
        updated=outcome.updated,
        unchanged=outcome.unchanged,
        overwritten=outcome.overwritten,
    )


@router.get("/periods/{period_id}/results", response_model=PageOut[ResultOut])
def results(
    period_id: Id,
    who: Caller,
    session: Reader,
    limit: Limit = 200,
    offset: Offset = 0,
    dimension: str | None = None,
    level: str | None = None,
    status: str | None = None,
    code: Annotated[str | None, Query(max_length=40)] = None,
) -> PageOut[ResultOut]:
    period = cities.get_period(session, who, period_id)
    query = select(Result).where(Result.period_id == period.id)
    for column, wanted in (
        (Result.dimension, dimension),
        (Result.level, level),
        (Result.status, status),
        (Result.code, code),
    ):
        if wanted:
            query = query.where(column == wanted)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.order_by(Result.id).limit(limit).offset(offset)).all()
    items = [ResultOut.model_validate(r, from_attributes=True) for r in rows]
    return PageOut(total=total, limit=limit, offset=offset, items=items)


@router.get("/periods/{period_id}/scores", response_model=list[ScoreOut])
def scores(period_id: Id, who: Caller, session: Reader) -> list[ScoreOut]:
    """Scores against the public reference targets, city first, then dimensions, sub-dimensions, categories."""
    period = cities.get_period(session, who, period_id)
    return [ScoreOut.of(g) for g in groups_of(session, [period])[period.id]]


@router.get("/periods/{period_id}/audit", response_model=PageOut[AuditOut])
def period_audit(
    period_id: Id, who: SignedIn, session: Reader, limit: Limit = 100, offset: Offset = 0
) -> PageOut[AuditOut]:
    period = cities.get_period(session, who, period_id)
    cities.require(who, Action.READ, period)
    query = select(Audit).where(Audit.period_id == period.id)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.order_by(Audit.id).limit(limit).offset(offset)).all()
    return PageOut(total=total, limit=limit, offset=offset, items=[AuditOut.model_validate(r) for r in rows])
