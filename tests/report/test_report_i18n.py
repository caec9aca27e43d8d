"""The shipped catalogs: every message has a French translation with the same placeholders."""

from __future__ import annotations

import re
from importlib import resources

import pytest
from babel.messages.pofile import read_po

from citykpi.report.i18n import UnknownLanguage, number, translations

LOCALE = resources.files("citykpi.report") / "data" / "locale"
PLACEHOLDER = re.compile(r"%\([a-z_]+\)s|%%")


def test_every_message_is_translated_to_french_with_the_same_placeholders() -> None:
    with (LOCALE / "messages.pot").open("rb") as fh:
        template = read_po(fh)
    with (LOCALE / "fr" / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        french = read_po(fh, locale="fr")
    ids = {m.id for m in template if m.id}
    assert ids
    for message_id in ids:
        found = french.get(message_id)
        assert found is not None and found.string, f"untranslated: {message_id!r}"
        assert sorted(PLACEHOLDER.findall(str(message_id))) == sorted(PLACEHOLDER.findall(str(found.string)))


def test_catalogs_compile_at_load_and_numbers_follow_the_locale() -> None:
    assert translations("fr").gettext("Benchmarking wheel") == "Roue de référence"
    assert translations("en").gettext("Benchmarking wheel") == "Benchmarking wheel"
    assert number(1234.5, "en") == "1,234.5"
    assert number(1234.5, "fr") == "1\u202f234,5"
    assert number(None, "fr") == "–"
    with pytest.raises(UnknownLanguage, match="en, fr"):
        translations("de")
