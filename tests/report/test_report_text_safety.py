"""Every character XML cannot hold, in every place a chart shows text, is drawn instead of aborting the process.

vl-convert aborts the whole interpreter (a Rust panic, not an exception) on such a character, so
the drawing runs in a subprocess: a regression fails this test instead of killing the test run.
"""

from __future__ import annotations

import subprocess
import sys

from citykpi.model.textsafety import forbidden_character, xml_safe

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
