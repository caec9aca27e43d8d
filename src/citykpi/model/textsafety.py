"""Which characters a text may hold: refused at input, replaced where text reaches SVG or XML.

XML 1.0 (and so SVG, and vl-convert's text renderer, which aborts the whole process on one) cannot
hold C0 control characters other than tab, newline and carriage return, nor U+FFFE/U+FFFF or a lone
surrogate. Names and other one-line texts refuse every C0 character; texts typed in a text area
(notes, reasons, messages) keep tab and line breaks (a browser sends a line break as CR LF).
Data stored before inputs were checked may still hold them, so every chart and SVG is drawn
from `xml_safe` text: the refusal at input is for the user, the replacement at output is the guard.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from citykpi.model.diagnostics import Diagnostic, Location, Param, said

# What XML 1.0 cannot hold; a text area's text may hold no more than that.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
# A one-line text (a name) holds no control character at all.
_NOT_ONE_LINE = re.compile("[\x00-\x1f\ufffe\uffff\ud800-\udfff]")
REPLACEMENT = "\ufffd"
TEMPLATES = {
    "one-line": "{field} holds the control character {char} at position {position}; remove it",
    "multi-line": "{field} holds the control character {char} at position {position}; "
    "only tab and line breaks are allowed",
}


def forbidden_character(text: str, multiline: bool = False) -> tuple[int, str] | None:
    """(position from 0, character) of the first character the text may not hold; None when it has none."""
    found = (_NOT_XML if multiline else _NOT_ONE_LINE).search(text)
    return (found.start(), found.group()) if found else None


def text_problems(
    fields: Mapping[str, object], multiline: Iterable[str] = (), kpi: str | None = None
) -> list[Diagnostic]:
    """One `control-character` error per text field (named in the location) holding a forbidden character."""
    lines = frozenset(multiline)
    problems = []
    for field, text in fields.items():
        found = forbidden_character(text, field in lines) if isinstance(text, str) else None
        if found is None:
            continue
        variant = "multi-line" if field in lines else "one-line"
        params: dict[str, Param] = {"field": field, "char": f"U+{ord(found[1]):04X}", "position": found[0] + 1}
        where = Location(kpi=kpi, field=field)
        problems.append(said("control-character", TEMPLATES[variant], params, variant=variant, location=where))
    return problems


def xml_safe(text: str) -> str:
    """`text` with every character XML 1.0 cannot hold replaced by U+FFFD, so it shows that something was there."""
    return _NOT_XML.sub(REPLACEMENT, text)


def chart_text(text: str) -> str:
    """`xml_safe`, and tab and line breaks as spaces: a chart draws one line per label, and Vega's
    tooltip expressions fail to parse on a line break inside a title.

    A printable text holds none of those characters (each is a control, a surrogate or a
    noncharacter, none printable), and nearly every text is one: a wheel's spec holds some 2,800."""
    return text if text.isprintable() else xml_safe(text).translate(_BLANKS)


_BLANKS = str.maketrans("\t\n\r", "   ")


def chart_safe(value: Any) -> Any:
    """A JSON-like tree (a Vega-Lite spec) with every string in it, keys included, made `chart_text`."""
    if isinstance(value, str):
        return chart_text(value)
    if isinstance(value, Mapping):
        return {chart_safe(k): chart_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [chart_safe(v) for v in value]
    return value
