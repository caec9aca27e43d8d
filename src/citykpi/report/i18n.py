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
    """A value as the reader's locale writes it; trailing zeros dropped, None as a dash."""
    if value is None:
        return "–"
    pattern = "#,##0" + ("." + "#" * digits if digits else "")
    return format_decimal(value, format=pattern, locale=lang)
