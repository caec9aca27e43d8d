"""Turning one raw cell (from a workbook or a CSV) into a typed value, or saying why not.

Pure functions returning `Problem`s without a location: the reader knows where the cell is and
attaches it. A problem's message is written for the city team, who typed the value.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time

from citykpi.framework.model import ValueKind
from citykpi.model.answers import yes_no
from citykpi.model.diagnostics import Param
from citykpi.model.submission import DATA_QUALITY_LABELS, DataQuality, Status

Raw = str | int | float | bool | datetime | date | time | None
Value = float | bool | str


@dataclass(frozen=True)
class Problem:
    type: str
    message: str
    variant: str = ""
    params: dict[str, Param] = field(default_factory=dict)


def _problem(type: str, variant: str, template: str, **params: Param) -> Problem:
    """A problem whose English message is `template` filled with `params`, kept for translations."""
    return Problem(type, template.format(**params), variant, params)


NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
THOUSANDS = re.compile(r"^[+-]?\d{1,3}([, \u00a0\u202f']\d{3})+(\.\d+)?$")
DECIMAL_COMMA = re.compile(r"^[+-]?\d+,\d+$")
WITH_UNIT = re.compile(r"^([+-]?[\d.,\s\u00a0\u202f']*\d)\s*([^\d\s].*)$")


def text(raw: Raw) -> str:
    """A cell as text; dates and numbers as Python prints them."""
    if raw is None:
        return ""
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    return str(raw).strip()


def is_blank(raw: Raw) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())


def number(raw: Raw, *, integer: bool = False) -> float | Problem:
    if isinstance(raw, bool):
        return _problem("type-error", "logical", "expected a number, found the logical value {found}", found=str(raw))
    if isinstance(raw, int | float):
        value = float(raw)
    elif isinstance(raw, datetime | date | time):
        template = "expected a number, found a date/time ({found}); format the cell as a number"
        return _problem("type-error", "date", template, found=str(raw))
    else:
        s = str(raw).strip()
        if NUMBER.match(s):
            value = float(s)
        elif THOUSANDS.match(s):
            template = "'{found}' uses thousands separators; write the number without them (e.g. 12345.6)"
            return _problem("type-error", "thousands", template, found=s)
        elif DECIMAL_COMMA.match(s):
            return _problem(
                "type-error", "decimal-comma", "'{found}' uses a decimal comma; write it with a decimal point", found=s
            )
        elif (m := WITH_UNIT.match(s)) and NUMBER.match(m.group(1).strip()):
            template = (
                "'{found}' contains a unit ('{unit}'); put the number only ({number}), "
                "the unit is given in the 'Unit' column"
            )
            return _problem("type-error", "unit", template, found=s, unit=m.group(2).strip(), number=m.group(1).strip())
        else:
            return _problem("type-error", "text", "expected a number, found the text '{found}'", found=s[:60])
    if not math.isfinite(value):
        return _problem("type-error", "not-finite", "expected a finite number, found {found}", found=str(raw))
    if integer and not value.is_integer():
        return _problem("type-error", "not-whole", "expected a whole number, found {found}", found=_show(value))
    return value


def in_range(value: float, minimum: float | None, maximum: float | None, unit: str) -> Problem | None:
    if minimum is not None and value < minimum:
        if minimum == 0:
            if unit:
                template = "{value} is negative; a value in '{unit}' cannot be below 0"
                return _problem("constraint-error", "negative-unit", template, value=_show(value), unit=unit)
            return _problem(
                "constraint-error", "negative", "{value} is negative; a value cannot be below 0", value=_show(value)
            )
        template = "{value} is below the minimum {minimum}{unit}"
        return _problem(
            "constraint-error", "below", template, value=_show(value), minimum=_show(minimum), unit=_suffix(unit)
        )
    if maximum is not None and value > maximum:
        template = "{value} is above the maximum {maximum}{unit}"
        return _problem(
            "constraint-error", "above", template, value=_show(value), maximum=_show(maximum), unit=_suffix(unit)
        )
    return None


def _suffix(unit: str) -> str:
    """' %' for the catalogue's 'Percentage ...' units, else the unit itself."""
    if unit == "%" or unit.casefold().startswith("percent"):
        return " %"
    return f" {unit}" if unit else ""


def boolean(raw: Raw) -> bool | Problem:
    if isinstance(raw, bool):
        return raw
    answer = yes_no(text(raw))
    if answer is not None:
        return answer
    return _problem("type-error", "yes-no", "expected yes or no, found '{found}'", found=text(raw)[:60])


def level(raw: Raw, levels: tuple[str, ...]) -> str | Problem:
    s = text(raw)
    for choice in levels:
        if s.casefold() == choice.casefold():
            return choice
    template = "'{found}' is not one of the allowed answers: {allowed}"
    return _problem("constraint-error", "level", template, found=s[:60], allowed=", ".join(levels))


def typed(
    raw: Raw, kind: ValueKind, minimum: float | None, maximum: float | None, unit: str, levels: tuple[str, ...] = ()
) -> Value | Problem:
    """The value of a filled cell, checked against its kind and range."""
    if kind is ValueKind.BOOLEAN:
        return boolean(raw)
    if kind is ValueKind.LEVEL:
        return level(raw, levels) if levels else text(raw)
    result = number(raw, integer=kind is ValueKind.INTEGER)
    if isinstance(result, Problem):
        return result
    return in_range(result, minimum, maximum, unit) or result


def status(raw: Raw) -> Status | Problem | None:
    """The status column; None when blank (the reader infers it from the value)."""
    s = text(raw).casefold()
    if not s:
        return None
    for choice in Status:
        if s == choice.value:
            return choice
    aliases = {"na": Status.NOT_AVAILABLE, "n/a": Status.NOT_APPLICABLE, "nr": Status.NOT_REPORTED}
    if s in aliases:
        return aliases[s]
    allowed = ", ".join(f"'{c.value}'" for c in (Status.REPORTED, Status.NOT_AVAILABLE, Status.NOT_APPLICABLE))
    template = "unknown status '{found}'; use {allowed} or leave it empty"
    return _problem("constraint-error", "status", template, found=text(raw)[:40], allowed=allowed)


def quality(raw: Raw) -> DataQuality | Problem | None:
    """Accepts the level number (1-6), the dropdown text '1 - Based on ...' or the label alone."""
    s = text(raw)
    if not s:
        return None
    head = s.split(" ", 1)[0].rstrip(".-")
    if head.isdigit() and 1 <= int(head) <= 6:
        return DataQuality(int(head))
    for q, label in DATA_QUALITY_LABELS.items():
        if s.casefold() == label.casefold():
            return q
    template = "unknown data quality '{found}'; choose one of the six levels 1-6"
    return _problem("constraint-error", "quality", template, found=s[:60])


def verified(raw: Raw) -> bool | Problem | None:
    if is_blank(raw):
        return None
    result = boolean(raw)
    if isinstance(result, Problem):
        template = "'Verified' must be YES or NO, found '{found}'"
        return _problem("constraint-error", "verified", template, found=text(raw)[:40])
    return result


def _show(x: float) -> str:
    x = float(x)  # catalogue bounds may be ints, which lack is_integer() before Python 3.12
    return str(int(x)) if x.is_integer() and abs(x) < 1e15 else f"{x:g}"
