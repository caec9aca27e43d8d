"""Cells a spreadsheet program would run as a formula: made inert on export, read back as they were typed.

OWASP's advice against CSV injection: a cell beginning with `=`, `+`, `-`, `@`, a tab or a carriage
return may be taken for a formula when Excel or LibreOffice opens the file, so every text written
to a CSV or XLSX export that begins so gets a single quote in front. A plain number (`-3`, `+1.5e3`)
is not a formula and is written as it is. The readers of citykpi's own formats drop that quote again,
so an export read back gives the text that was exported; a text that already begins with quotes
before such a character gets one more, which keeps the mapping one-to-one.
"""

from __future__ import annotations

import re
from typing import TypeVar

from citykpi.collect.cells import NUMBER

TRIGGER = re.compile(r"'*[=+\-@\t\r]")

T = TypeVar("T")


def neutralised(value: T) -> T | str:
    """`value` as a spreadsheet cell that runs nothing; anything but a text is returned as it is."""
    if isinstance(value, str) and TRIGGER.match(value) and not NUMBER.match(value):
        return "'" + value
    return value


def restored(text: str) -> str:
    """The text `neutralised` was given: a quote in front of a trigger character is removed."""
    return text[1:] if text.startswith("'") and TRIGGER.match(text, 1) else text
