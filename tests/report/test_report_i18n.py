"""The shipped catalogs: every message has a French translation with the same placeholders."""

from __future__ import annotations

import random
import re
from importlib import resources

import pytest
from babel import Locale
from babel.messages.pofile import read_po
from babel.numbers import parse_pattern

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


def test_numbers_are_written_as_babel_writes_them() -> None:
    """`number` writes most values itself (`i18n._grouped`), in babel's steps; babel is the reference."""
    rng = random.Random(5)
    values = [0.0, -0.0, 0.5, 2.5, -2.5, 0.125, 2.675, 999.995, -1234.005, 1e15, 123456789.125, 5e20, 10.0]
    values += [rng.uniform(-1e7, 1e7) for _ in range(500)] + [
        round(rng.uniform(0, 1e4), rng.randint(0, 4)) for _ in range(500)
    ]
    values += [rng.randint(-(10**6), 10**6) / 8 for _ in range(500)]
    for lang in ("en", "fr"):
        for digits in (0, 1, 2, 3):
            pattern = parse_pattern("#,##0" + ("." + "#" * digits if digits else ""))
            shown = [v for v in values if v == 0 or round(v, digits) != 0]  # the others keep two digits
            expected = [pattern.apply(v, Locale.parse(lang)) for v in shown]
            assert [number(v, lang, digits) for v in shown] == expected, (lang, digits)


def test_catalogs_compile_at_load_and_numbers_follow_the_locale() -> None:
    assert translations("fr").gettext("Benchmarking wheel") == "Roue de référence"
    assert translations("en").gettext("Benchmarking wheel") == "Benchmarking wheel"
    assert number(1234.5, "en") == "1,234.5"
    assert number(1234.5, "fr") == "1\u202f234,5"
    assert number(None, "fr") == "–"
    with pytest.raises(UnknownLanguage, match="en, fr"):
        translations("de")
