"""Posted forms: every field read as text, and a service's refusal shown beside the field it names.

The administration forms take their fields as plain text (no FastAPI `Form(max_length=...)`,
whose refusal is the API's JSON): the services check lengths, numbers and ranges and name the
field, so every problem comes back as a sentence on the form, with what was typed kept.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse

from citykpi.model.diagnostics import Diagnostic
from citykpi.platform.errors import Invalid, PlatformError
from citykpi.web.i18n import language
from citykpi.web.problems import diagnostic_text, error_text
from citykpi.web.render import page
from citykpi.web.session import Visitor, check_csrf


@dataclass(frozen=True)
class Posted:
    values: dict[str, list[str]] = field(default_factory=dict)

    def text(self, name: str) -> str:
        return next(iter(self.values.get(name, [])), "")

    def get(self, name: str, default: str = "") -> str:
        """As a dict's `get`, so that a template shows a posted form and a record's fields alike."""
        return self.text(name) or default

    def all(self, name: str) -> list[str]:
        return [v for v in self.values.get(name, []) if v]

    def checked(self, current: Visitor) -> Posted:
        """This form, once its CSRF field matches the visitor's session (`Forbidden` otherwise)."""
        check_csrf(current, self.text("csrf_token"))
        return self


async def posted(request: Request) -> Posted:
    form = await request.form()
    values: dict[str, list[str]] = {}
    for key, value in form.multi_items():
        if isinstance(value, str):
            values.setdefault(key, []).append(value)
    return Posted(values)


Form = Annotated[Posted, Depends(posted)]


def by_field(request: Request, failure: PlatformError, names: Iterable[str]) -> dict[str, list[str]]:
    """The failure's sentences per form field; those of no field of the form (or none at all) under ""."""
    lang, known = language(request), set(names)
    found: dict[str, list[str]] = {}
    diagnostics: list[Diagnostic] = failure.report.errors if failure.report else []
    for d in diagnostics:
        where = (d.location.field or "").split(".")[0]
        found.setdefault(where if where in known else "", []).append(diagnostic_text(d, lang))
    if not diagnostics:
        found[""] = [error_text(failure, lang)]
    return found


def form_page(
    request: Request, template: str, form: object, names: Iterable[str], failure: PlatformError | None, **context: Any
) -> HTMLResponse:
    """The form's page: as loaded, or after `failure` with its status and each sentence at its field."""
    errors = by_field(request, failure, names) if failure else {}
    return page(request, template, status=failure.status if failure else 200, form=form, errors=errors, **context)


def refuse(problems: list[Diagnostic], what: str) -> None:
    """Raises the form's number problems, found before any service is called, as the services would."""
    if problems:
        raise Invalid.of(problems, "the {what} is not valid", what, what=what)
