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


# ASCII digits only: Python's \d and float() also take Arabic-Indic or full-width digits, which a
# spreadsheet or a database reading the same file would not take for a number.
NUMBER = re.compile(r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?$")
THOUSANDS = re.compile(r"^[+-]?[0-9]{1,3}([, \u00a0\u202f'][0-9]{3})+(\.[0-9]+)?$")
DECIMAL_COMMA = re.compile(r"^[+-]?[0-9]+,[0-9]+$")
WITH_UNIT = re.compile(r"^([+-]?[0-9.,\s\u00a0\u202f']*[0-9])\s*([^0-9\s].*)$")
QUALITY_LEVEL = re.compile(r"^([1-6])(?:\.?$|\.?\s|\s*-)")  # '3', '3.', '3 - Extrapolated based on ...'; not '1.5'
# Characters an XML 1.0 document (an .xlsx part, an SVG chart, an HTML page) cannot hold, and the other
# C0 controls; `LINE_BREAKS` are allowed where a text may span lines (notes, sources).
CONTROL = re.compile("[\x00-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
LINE_BREAKS = "\t\n\r"
TEXT_LIMIT = 32_767  # characters an Excel cell holds: a longer text would be cut on export


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
        try:
            value = float(raw)
        except OverflowError:  # an int of hundreds of digits (a hostile file's numeric cell)
            value = math.inf
    elif isinstance(raw, datetime | date | time):
        template = "expected a number, found a date/time ({found}); format the cell as a number"
        return _problem("type-error", "date", template, found=str(raw))
    else:
        s = str(raw).strip()
        if NUMBER.match(s):
            value = float(s)
        elif len(s) > 100:  # no typing slip is that long; the patterns below would backtrack on it
            return _problem("type-error", "text", "expected a number, found the text '{found}'", found=s[:60])
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
        return _problem("type-error", "not-finite", "expected a finite number, found {found}", found=_quote(raw))
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
        return level(raw, levels) if levels else plain_text(raw, lines=True)
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
    if m := QUALITY_LEVEL.match(s):
        return DataQuality(int(m.group(1)))
    for q, label in DATA_QUALITY_LABELS.items():
        if s.casefold() == label.casefold():
            return q
    template = "unknown data quality '{found}'; choose one of the six levels 1-6"
    return _problem("constraint-error", "quality", template, found=s[:60])


CONTROL_MESSAGES = {
    False: ("control-character", "the text contains the control character {code} at position {position}; remove it"),
    True: (
        "control-character-lines",
        "the text contains the control character {code} at position {position}; remove it "
        "(tabs and line breaks are the only ones allowed)",
    ),
}


def plain_text(raw: Raw, *, lines: bool) -> str | Problem:
    """A text cell that every output (an .xlsx cell, a chart, a page) holds unchanged, or why not.

    Control characters (`lines`: other than tab and line breaks) are refused rather than removed,
    so that what is stored is what the city typed.
    """
    s = text(raw)
    if len(s) > TEXT_LIMIT:
        template = "the text has {length} characters, above the limit of {limit} (what an Excel cell holds)"
        return _problem("constraint-error", "text-length", template, length=len(s), limit=TEXT_LIMIT)
    bad = next((c for c in CONTROL.findall(s) if not (lines and c in LINE_BREAKS)), None)
    if bad is not None:
        variant, template = CONTROL_MESSAGES[lines]
        return _problem("type-error", variant, template, code=f"U+{ord(bad):04X}", position=s.index(bad) + 1)
    return s


def verified(raw: Raw) -> bool | Problem | None:
    if is_blank(raw):
        return None
    result = boolean(raw)
    if isinstance(result, Problem):
        template = "'Verified' must be YES or NO, found '{found}'"
        return _problem("constraint-error", "verified", template, found=text(raw)[:40])
    return result


def _quote(raw: Raw) -> str:
    """A value quoted in a message, cut so that a 5,000-digit number does not make a 5,000-character message."""
    shown = str(raw)
    return shown if len(shown) <= 60 else f"{shown[:57]}..."


def _show(x: float) -> str:
    x = float(x)  # catalogue bounds may be ints, which lack is_integer() before Python 3.12
    return str(int(x)) if x.is_integer() and abs(x) < 1e15 else f"{x:g}"
