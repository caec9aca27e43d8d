"""Open-data exports of a period: tidy CSV, JSON (submission and results), the workbook, and ISO/SDG views."""

from __future__ import annotations

import tempfile
from enum import StrEnum
from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import JSONResponse, Response

from citykpi.http.callers import Caller
from citykpi.http.deps import Id, Reader
from citykpi.platform import cities, reports
from citykpi.platform.catalogues import catalogue_of
from citykpi.store.schema import Result

router = APIRouter(tags=["exports"])


class Format(StrEnum):
    CSV = "csv"
    JSON = "json"
    XLSX = "xlsx"
    ISO37120 = "iso37120"  # the one-way formats of citykpi.exchange.formats.ONE_WAY, as a zip of CSV files
    ISO37122 = "iso37122"
    ISO37123 = "iso37123"
    SDG = "sdg-indicators"


ONE_WAY = {Format.ISO37120, Format.ISO37122, Format.ISO37123, Format.SDG}


MEDIA = {
    Format.CSV: "text/csv; charset=utf-8",
    Format.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@router.get(
    "/periods/{period_id}/export",
    response_class=Response,
    responses={200: {"content": {"application/json": {}, "application/zip": {}, **{m: {} for m in MEDIA.values()}}}},
)
def export(period_id: Id, who: Caller, session: Reader, format: Format = Format.JSON) -> Response:
    period = cities.get_period(session, who, period_id)
    submission = reports.verified_submission(session, period)
    stem = f"{period.city.slug}-{period.year}"
    if format is Format.JSON:
        results = [r.record for r in session.query(Result).filter_by(period_id=period.id).order_by(Result.id)]
        return JSONResponse({"submission": submission.model_dump(mode="json"), "results": results})
    if format in ONE_WAY:
        from citykpi.exchange.formats import export_zip

        kpis = catalogue_of(period.framework).kpis
        content = export_zip([reports.assessment_of(session, period)], kpis, format.value)
        headers = {"Content-Disposition": f'attachment; filename="{stem}-{format.value}.zip"'}
        return Response(content, media_type="application/zip", headers=headers)
    if format is Format.XLSX:
        name, content = reports.workbook(session, period)
    else:
        from citykpi.collect.tidy import write_csv

        name = f"{stem}.csv"
        with tempfile.TemporaryDirectory(prefix="citykpi-export-") as tmp:
            write_csv(submission, Path(tmp) / name)
            content = (Path(tmp) / name).read_bytes()
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    return Response(content, media_type=MEDIA[format], headers=headers)
