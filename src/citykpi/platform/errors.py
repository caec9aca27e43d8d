"""Failures a caller can cause, as exceptions the API turns into status codes and the pages into messages."""

from __future__ import annotations

from citykpi.diagnostics import Diagnostic, ValidationReport


class PlatformError(Exception):
    status = 400
    type = "bad-request"

    def __init__(self, message: str, report: ValidationReport | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.report = report


class NotFound(PlatformError):
    status = 404
    type = "not-found"


class Forbidden(PlatformError):
    status = 403
    type = "forbidden"


class Unauthenticated(PlatformError):
    status = 401
    type = "unauthenticated"


class Conflict(PlatformError):
    """A stale version or a state that no longer allows the change: nothing was written."""

    status = 409
    type = "conflict"


class Invalid(PlatformError):
    status = 422
    type = "invalid"

    @classmethod
    def of(cls, diagnostics: list[Diagnostic], message: str) -> Invalid:
        return cls(message, ValidationReport.from_diagnostics(diagnostics))


class RateLimited(PlatformError):
    status = 429
    type = "rate-limited"
