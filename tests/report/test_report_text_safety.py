"""Every character XML cannot hold, in every place a chart shows text, is drawn instead of aborting the process.

vl-convert aborts the whole interpreter (a Rust panic, not an exception) on such a character, so
the drawing runs in a subprocess: a regression fails this test instead of killing the test run.
"""

from __future__ import annotations

import subprocess
import sys

from hypothesis import given
from hypothesis import strategies as st

from citykpi.model.textsafety import _NOT_XML, chart_text, forbidden_character, xml_safe

DRAW = """
from citykpi.report.render import svg
codes = [*range(0x20), 0xFFFE, 0xFFFF, 0xD800, ord('"'), ord("\\\\"), ord("'")]
for code in codes:
    name = "Probe" + chr(code) + "City"
    spec = {
        "title": name,
        "description": name,
        "data": {"values": [{"name": name, "v": 1}]},
        "mark": {"type": "text", "tooltip": True},
        "encoding": {"text": {"field": "name"}, "y": {"field": "name", "type": "nominal", "title": name}},
    }
    drawn = svg(spec)
    assert code > 0x20 or chr(code) not in drawn, code
print(len(codes))
"""


def test_every_character_svg_cannot_hold_is_drawn_as_a_replacement() -> None:
    done = subprocess.run([sys.executable, "-c", DRAW], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "38"


def test_names_refuse_every_c0_character_and_texts_keep_tab_and_line_breaks() -> None:
    for code in range(0x20):
        assert forbidden_character(f"a{chr(code)}b") == (1, chr(code))
        assert (forbidden_character(f"a{chr(code)}b", multiline=True) is None) == (chr(code) in "\t\n\r")
    assert forbidden_character("caf\u00e9 \u2013 \U0001f600 \x7f") is None  # accents, dashes, emoji, DEL
    assert xml_safe("a\x00b\x1fc\td\ufffe") == "a\ufffdb\ufffdc\td\ufffd"


@given(st.text(alphabet=st.characters(codec=None, categories=None), max_size=40))
def test_chart_text_of_any_text_is_the_xml_safe_text_with_blanks_as_spaces(text: str) -> None:
    """The shortcut for printable texts gives what the full replacement gives, on every code point."""
    expected = xml_safe(text).translate(str.maketrans("\t\n\r", "   "))
    assert chart_text(text) == expected
    assert not _NOT_XML.search(chart_text(text)) and not set("\t\n\r") & set(chart_text(text))


def test_chart_text_replaces_what_xml_cannot_hold_blanks_line_breaks_and_keeps_the_rest() -> None:
    kept = [0x7F, 0x85, 0xA0, 0x2028, 0x200B]  # not printable, but XML holds them: left as they are
    replaced = [*(c for c in range(0x20) if c not in (0x09, 0x0A, 0x0D)), 0xFFFE, 0xFFFF, 0xD800, 0xDFFF]
    assert [chart_text(f"a{chr(c)}b") for c in kept] == [f"a{chr(c)}b" for c in kept]
    assert {chart_text(f"a{chr(c)}b") for c in replaced} == {"a\ufffdb"}
    assert [chart_text(f"a{c}b") for c in "\t\n\r"] == ["a b"] * 3
    assert chart_text("Zürich, 東京 ✓") == "Zürich, 東京 ✓"
