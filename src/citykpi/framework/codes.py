"""KPI codes as people type them.

Official sheets print "SC: EH: ED:2C", spreadsheets lose spaces, people type lower case; all of
these must find the same KPI. Codes are compared by a key without whitespace, case-folded.
"""

from __future__ import annotations

import re

_SPACE = re.compile(r"\s+")


def code_key(text: str) -> str:
    return _SPACE.sub("", text).upper()
