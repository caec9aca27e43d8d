"""Report translations: gettext catalogs shipped as .po files and compiled in memory at load.

Compiling at load (Babel reads the .po, writes a .mo into memory) means a fresh
`pip install -e .` works without a build step, and translators edit one file only.
"""

from __future__ import annotations

import gettext
from functools import lru_cache
from importlib import resources
from io import BytesIO

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal

LANGUAGES = ("en", "fr")


class UnknownLanguage(ValueError):
    pass


@lru_cache(maxsize=len(LANGUAGES))
def translations(lang: str) -> gettext.NullTranslations:
    if lang not in LANGUAGES:
        raise UnknownLanguage(f"unknown report language '{lang}'; choose one of {', '.join(LANGUAGES)}")
    po = resources.files("citykpi.report") / "data" / "locale" / lang / "LC_MESSAGES" / "messages.po"
    with po.open("rb") as fh:
        catalog = read_po(fh, locale=lang)
    compiled = BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


def number(value: float | None, lang: str, digits: int = 1) -> str:
    """A value as the reader's locale writes it; trailing zeros dropped, None as a dash."""
    if value is None:
        return "–"
    pattern = "#,##0" + ("." + "#" * digits if digits else "")
    return format_decimal(value, format=pattern, locale=lang)
