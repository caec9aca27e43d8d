"""Third-party chart libraries and the basemap, shipped in the package (data/README.md says from where).

On the ground floor so that every package that draws a chart uses the same files without importing
another's: the web serves them as /static/vendor/..., `citykpi.index` writes them into its
self-contained chart pages. Nothing here imports anything; a file is read only when asked for.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable

# The npm versions of the files (README.md's table); the tests hold them equal to the versions the
# scripts report in a browser and to the README.
VERSIONS = {"vega": "6.4.0", "vega-lite": "6.5.0", "vega-embed": "7.3.0", "world-atlas": "2.0.2"}
# The scripts a Vega-Lite page needs, in the order they must run (each uses the one before it).
SCRIPTS = ("vega.min.js", "vega-lite.min.js", "vega-embed.min.js")


def directory() -> Traversable:
    """The folder of the files (and nothing else: no module), for a server that serves them as they are."""
    return resources.files(__name__) / "data"


@cache
def text(name: str) -> str:
    """A file's text, read once per process (a chart command may write several pages)."""
    return (directory() / name).read_text(encoding="utf-8")
