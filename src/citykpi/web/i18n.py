"""Page translations: gettext .po files compiled in memory, and the reader's language.

As for the reports, compiling at load means a fresh `pip install -e .` works without a build step.
The language is the `lang` cookie set by the language switch, else the browser's Accept-Language.
"""

from __future__ import annotations

import gettext
from functools import lru_cache
from importlib import resources
from io import BytesIO

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from fastapi import Request

LANGUAGES = ("en", "fr")
LANG_COOKIE = "lang"


@lru_cache(maxsize=len(LANGUAGES))
def translations(lang: str) -> gettext.NullTranslations:
    po = resources.files("citykpi.web") / "data" / "locale" / lang / "LC_MESSAGES" / "messages.po"
    with po.open("rb") as fh:
        catalog = read_po(fh, locale=lang)
    compiled = BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


def language(request: Request) -> str:
    chosen = request.cookies.get(LANG_COOKIE, "")
    if chosen in LANGUAGES:
        return chosen
    for part in request.headers.get("accept-language", "").split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in LANGUAGES:
            return code
    return LANGUAGES[0]
