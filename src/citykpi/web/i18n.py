"""Page translations: gettext .po files compiled in memory, and the reader's language.

As for the reports, compiling at load means a fresh `pip install -e .` works without a build step.
The language is the `lang` cookie set by the language switch, else the browser's Accept-Language.
"""

from __future__ import annotations

import gettext
from functools import lru_cache

from fastapi import Request

from citykpi.gettext_po import compiled

LANGUAGES = ("en", "fr")
LANG_COOKIE = "lang"


@lru_cache(maxsize=len(LANGUAGES))
def translations(lang: str) -> gettext.NullTranslations:
    return compiled("citykpi.web", lang)


def language(request: Request) -> str:
    chosen = request.cookies.get(LANG_COOKIE, "")
    if chosen in LANGUAGES:
        return chosen
    for part in request.headers.get("accept-language", "").split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in LANGUAGES:
            return code
    return LANGUAGES[0]
