"""The shipped chart libraries: the versions the module names are the files' and the README's, each
has its licence, and each script can be written inline into a page (tests/web/test_index_chart_pages.py
draws such pages; tests/web/test_web_hub_pages.py fetches the files from the web's /static/vendor/)."""

from __future__ import annotations

import re

from citykpi import vendor


def test_the_versions_named_are_those_of_the_files_and_of_the_readme() -> None:
    readme = vendor.text("README.md")
    for package, version in vendor.VERSIONS.items():
        assert f"| {package} {version}" in readme, package  # the README's table row of the package
        assert (vendor.directory() / f"LICENSE-{package}").is_file(), package
    # The version each minified bundle declares (vega's `t.version`, vega-lite's `var n`, vega-embed's `const hn`).
    declared = {
        name: re.findall(r'(?:version|var n|const hn)="(\d+\.\d+\.\d+)"', vendor.text(name)) for name in vendor.SCRIPTS
    }
    assert declared == {
        "vega.min.js": [vendor.VERSIONS["vega"]],
        "vega-lite.min.js": [vendor.VERSIONS["vega-lite"]],
        "vega-embed.min.js": [vendor.VERSIONS["vega-embed"]],
    }


def test_every_script_can_stand_inside_a_script_element() -> None:
    """An HTML parser ends a script at `</script` and changes state at `<!--`, whatever the JavaScript means."""
    for name in vendor.SCRIPTS:
        text = vendor.text(name).lower()
        assert "</script" not in text and "<!--" not in text, name


def test_a_file_is_read_once_per_process() -> None:
    assert vendor.text("vega.min.js") is vendor.text("vega.min.js")
