"""Report translations: gettext catalogs shipped as .po files (see `citykpi.gettext_po`)."""

from __future__ import annotations

import gettext
from functools import lru_cache

from babel.numbers import format_decimal

from citykpi.gettext_po import compiled

LANGUAGES = ("en", "fr")


class UnknownLanguage(ValueError):
    pass


@lru_cache(maxsize=len(LANGUAGES))
def translations(lang: str) -> gettext.NullTranslations:
    if lang not in LANGUAGES:
        raise UnknownLanguage(f"unknown report language '{lang}'; choose one of {', '.join(LANGUAGES)}")
    return compiled("citykpi.report", lang)


def number(value: float | None, lang: str, digits: int = 1) -> str:
    """A value as the reader's locale writes it; trailing zeros dropped, None as a dash.

    A value that `digits` decimals would round to nothing keeps two significant digits instead
    (0.001 is "0.001", 0.00123 "0.0012"), so no reported quantity is printed as "0".
    """
    if value is None:
        return "–"
    if value != 0 and round(value, digits) == 0:
        return format_decimal(value, format="@#", locale=lang)
    pattern = "#,##0" + ("." + "#" * digits if digits else "")
    return format_decimal(value, format=pattern, locale=lang)
