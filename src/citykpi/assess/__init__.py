"""KPI values from a submission: `assess`, `summary`, and pandas frames for analysts.

Reading files to assess them is `citykpi.validate.files` (`check_file`, `assess_files`), one floor
up, because a file is always checked with its assessment. The pandas functions (`to_frame`,
`summary_frame`) are loaded on first use, so that the command line and the web server do not import
pandas when they do not need it. `assess` and
`summary` are imported eagerly: `summary` is also the name of a submodule, and a lazy name would be
replaced by that module as soon as anything imports `citykpi.assess.summary`.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

from citykpi.assess.engine import assess
from citykpi.assess.summary import Summary, summary

if TYPE_CHECKING:
    from citykpi.assess.frame import summary_frame, to_frame

__all__ = [
    "Summary",
    "assess",
    "summary",
    "summary_frame",
    "to_frame",
]

_LAZY = {
    "to_frame": "citykpi.assess.frame",
    "summary_frame": "citykpi.assess.frame",
}


def __getattr__(name: str) -> object:
    if name in _LAZY:
        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'citykpi.assess' has no attribute {name!r}")
