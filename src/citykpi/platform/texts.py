"""The text fields of a service call, refused with one located error each when they hold a control character."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from citykpi.model.textsafety import text_problems
from citykpi.platform.errors import Invalid


def check_texts(fields: Mapping[str, object], multiline: Iterable[str] = (), kpi: str | None = None) -> None:
    """Raises `Invalid` (422) naming each field that holds a character `citykpi.textsafety` refuses."""
    problems = text_problems(fields, multiline, kpi)
    if problems:
        raise Invalid.of(problems, "a text holds a control character", "control-character")
