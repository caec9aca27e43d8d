"""Failures a caller can cause, as exceptions the API turns into status codes and the pages into messages."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Self

from citykpi.model.diagnostics import Diagnostic, Param, ValidationReport


class PlatformError(Exception):
    """`message` is the English the API answers; `variant` and `params` let a page say it in French."""

    status = 400
    type = "bad-request"

    def __init__(
        self,
        message: str,
        report: ValidationReport | None = None,
        *,
        variant: str = "",
        params: Mapping[str, Param] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.report = report
        self.variant = variant
        self.params = dict(params or {})

    @classmethod
    def said(cls, variant: str, template: str, report: ValidationReport | None = None, **params: Param) -> Self:
        """The error whose English message is `template` filled with `params` (as diagnostics.said)."""
        return cls(template.format(**params), report, variant=variant, params=params)

    @property
    def key(self) -> str:
        return f"{self.type}.{self.variant}" if self.variant else self.type


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
    def of(cls, diagnostics: list[Diagnostic], message: str, variant: str = "", **params: Param) -> Invalid:
        """With a `variant`, `message` is a template filled with `params`, as in `said`."""
        report = ValidationReport.from_diagnostics(diagnostics)
        if variant:
            return cls.said(variant, message, report, **params)
        return cls(message, report)


class RateLimited(PlatformError):
    status = 429
    type = "rate-limited"
