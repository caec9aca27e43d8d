"""Checks of the fields of a record sent by a page or the API: each problem located at its field.

The services run them before writing, so a page form and an API body get the same sentences, a
text too long for its column is refused with its field's name rather than by the database (which
PostgreSQL would answer with an error and SQLite would silently keep), and a latitude of 999 never
reaches a map.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from citykpi.model.diagnostics import Diagnostic, Location, Param, said
from citykpi.model.textsafety import text_problems


def texts(
    fields: Mapping[str, tuple[str, int]], required: tuple[str, ...] = (), multiline: tuple[str, ...] = ()
) -> list[Diagnostic]:
    """Control characters, empty required fields and texts over their column's `limit`, per field."""
    problems = text_problems({name: text for name, (text, _) in fields.items()}, multiline)
    for name, (text, limit) in fields.items():
        where = Location(field=name)
        if name in required and not text.strip():
            problems.append(said("missing-field", "{field} is required", {"field": name}, location=where))
        elif len(text) > limit:
            template = "{field} has {length} characters; at most {limit} are kept"
            params: dict[str, Param] = {"field": name, "length": len(text), "limit": limit}
            problems.append(said("field-too-long", template, params, location=where))
    return problems


def in_range(name: str, value: float | None, low: float, high: float) -> list[Diagnostic]:
    """A missing value is allowed (the field is optional); a present one must be finite and within bounds."""
    if value is None or (math.isfinite(value) and low <= value <= high):
        return []
    template = "{field} must lie between {low} and {high}; {value} does not"
    params: dict[str, Param] = {"field": name, "low": low, "high": high, "value": value}
    return [said("out-of-range", template, params, location=Location(field=name))]


def duplicate(name: str, what: str, taken: str) -> Diagnostic:
    return said(
        "duplicate-name", "{what} {name!r} already exists", {"what": what, "name": taken}, location=Location(field=name)
    )


def number(name: str, text: str) -> tuple[float | None, list[Diagnostic]]:
    """A number typed in a form field: empty is None; "12.5" a number; "a lot", "nan" or "1e999" a problem."""
    typed = text.strip()
    if not typed:
        return None, []
    try:
        value = float(typed)
    except ValueError:
        value = math.nan
    if math.isfinite(value):
        return value, []
    params = {"field": name, "text": typed[:40]}
    return None, [said("not-a-number", "{field}: {text!r} is not a number", params, location=Location(field=name))]


def whole(name: str, text: str) -> tuple[int | None, list[Diagnostic]]:
    """A required whole number typed in a form field (a year, a choice's id)."""
    value, problems = number(name, text)
    if problems:
        return None, problems
    if value is None:
        return None, [said("missing-field", "{field} is required", {"field": name}, location=Location(field=name))]
    if not value.is_integer() or abs(value) > 2_147_483_647:
        params = {"field": name, "text": text.strip()[:40]}
        template = "{field}: {text!r} is not a whole number"
        return None, [said("not-a-number", template, params, variant="whole", location=Location(field=name))]
    return int(value), []
