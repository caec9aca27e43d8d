"""Every failure as JSON with a type, a message and, where there is one, the validation report.

Malformed input (bad JSON, wrong types, unknown enum values) is answered 422 in the same shape as
the importer's report, so scripts and pages handle one format; nothing a client sends can cause a 500.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError
from starlette.exceptions import HTTPException
from starlette.routing import Match

from citykpi.model.diagnostics import Diagnostic, Location, ValidationReport
from citykpi.platform.errors import PlatformError, RateLimited


def body(type_: str, message: str, report: ValidationReport | None = None) -> dict[str, Any]:
    return {"error": {"type": type_, "message": message, "report": report.model_dump(mode="json") if report else None}}


def _request_diagnostic(err: Any) -> Diagnostic:
    loc = [str(p) for p in err.get("loc", ())]
    return Diagnostic(
        type="request-error",
        location=Location(field=".".join(loc[1:]) or None, column=loc[0] if loc else None),
        message=str(err.get("msg", "invalid value")),
    )


async def _platform(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, PlatformError)
    wait = exc.params.get("seconds") if isinstance(exc, RateLimited) else None
    headers = {"Retry-After": str(wait)} if wait is not None else None
    return JSONResponse(body(exc.type, exc.message, exc.report), status_code=exc.status, headers=headers)


async def _validation(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    report = ValidationReport.from_diagnostics(_request_diagnostic(e) for e in exc.errors())
    return JSONResponse(body("invalid-request", "the request is not valid", report), status_code=422)


METHODS = ("DELETE", "GET", "HEAD", "PATCH", "POST", "PUT")


def _allowed_methods(request: Request) -> str:
    """Every method some route of this path takes: Starlette names only those of the first route that
    matched the path, so `DELETE /api/v1/cities` said `Allow: GET` though POST is served there too."""
    routes = request.app.router.routes
    return ", ".join(
        method
        for method in METHODS
        if any(route.matches({**request.scope, "method": method})[0] is Match.FULL for route in routes)
    )


async def _http(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 405:
        headers = {"Allow": _allowed_methods(request)}
        return JSONResponse(body("http", str(exc.detail)), status_code=405, headers=headers)
    if exc.status_code == 400:
        # A body FastAPI or Starlette cannot parse (JSON that is not UTF-8 or nested too deep, a
        # multipart body without its boundary) is an invalid request like any other: 422, as documented.
        where = Location(column="body")
        problem = Diagnostic(type="request-error", location=where, message=f"the body cannot be read: {exc.detail}")
        report = ValidationReport.from_diagnostics([problem])
        return JSONResponse(body("invalid-request", "the request is not valid", report), status_code=422)
    return JSONResponse(body("http", str(exc.detail)), status_code=exc.status_code, headers=exc.headers)


async def _unstorable(_request: Request, exc: Exception) -> JSONResponse:
    # Input the schema allows but the database cannot hold (a NUL character in a text, a number
    # out of the column's range): the transaction was rolled back, so nothing was written.
    message = "a value cannot be stored: it contains a NUL character or is out of range"
    return JSONResponse(body("unstorable-value", message), status_code=422)


def install(app: FastAPI) -> None:
    app.add_exception_handler(DataError, _unstorable)
    app.add_exception_handler(OverflowError, _unstorable)  # sqlite3 binding a too large integer
    app.add_exception_handler(PlatformError, _platform)
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(HTTPException, _http)
