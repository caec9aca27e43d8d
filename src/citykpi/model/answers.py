"""The words a city may write for yes, no and partial, in the languages the template is used in.

One list for every reader (cells, the assessment of a reported answer, target files, scoring), so
that a word accepted in a workbook is never refused, or scored differently, further down.
"""

from __future__ import annotations

YES_WORDS = frozenset({"yes", "y", "true", "oui", "ja", "si", "sí"})
NO_WORDS = frozenset({"no", "n", "false", "non", "nein"})
PARTIAL_WORDS = frozenset({"partial", "partly", "partiel", "partiellement"})


def yes_no(text: str, *, digits: bool = True) -> bool | None:
    """True for a yes word, False for a no word, None for anything else.

    `digits` also reads 1 and 0 as yes and no, as a spreadsheet's check cells do; a target file turns
    it off, because there 1 and 0 are numbers.
    """
    word = text.strip().lower()
    if word in YES_WORDS or (digits and word == "1"):
        return True
    if word in NO_WORDS or (digits and word == "0"):
        return False
    return None
