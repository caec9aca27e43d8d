"""Report translations: gettext catalogs shipped as .po files (see `citykpi.gettext_po`)."""

from __future__ import annotations

import gettext
from functools import lru_cache

from babel import Locale
from babel.numbers import NumberPattern, parse_pattern

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
    if value == 0:  # not kept: 0.0 and -0.0 are one key but babel writes "-0" for the latter
        return _written(value, lang, digits)
    return _kept(value, lang, digits)


def _written(value: float, lang: str, digits: int) -> str:
    if value != 0 and round(value, digits) == 0:
        return _pattern("@#").apply(value, _locale(lang))
    return _pattern("#,##0" + ("." + "#" * digits if digits else "")).apply(value, _locale(lang))


# Pages write the same values again and again (a KPI page's chart table lists the peer group's values,
# the same on every peer city's page: ~1 000 numbers a page, 70 ms of babel), so written ones are kept.
_kept = lru_cache(maxsize=65536)(_written)


# What babel's format_decimal parses on every call, parsed once: a page of a KPI across 150 cities
# writes hundreds of numbers, and the parsing cost as much as the writing.
@lru_cache(maxsize=8)
def _locale(lang: str) -> Locale:
    return Locale.parse(lang)


@lru_cache(maxsize=16)
def _pattern(pattern: str) -> NumberPattern:
    return parse_pattern(pattern)
