"""Gettext catalogues shipped as .po files and compiled in memory when first used.

Compiling at load (Babel reads the .po, writes a .mo into memory) means a fresh `pip install -e .`
works without a build step, and translators edit one file only. Reports and pages share this.
"""

from __future__ import annotations

import gettext
from importlib import resources
from io import BytesIO

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po


def compiled(package: str, lang: str, domain: str = "messages") -> gettext.GNUTranslations:
    """The catalogue `<package>/data/locale/<lang>/LC_MESSAGES/<domain>.po`, ready for gettext."""
    po = resources.files(package) / "data" / "locale" / lang / "LC_MESSAGES" / f"{domain}.po"
    with po.open("rb") as fh:
        catalog = read_po(fh, locale=lang)
    mo = BytesIO()
    write_mo(mo, catalog)
    mo.seek(0)
    return gettext.GNUTranslations(mo)
