"""KPI values from a submission: `assess`, `summary`, and pandas frames for analysts.

Everything is loaded on first use: importing `citykpi.assess.cli` to list the commands must not
pull in pydantic models, and the pandas functions (`to_frame`, `assess_files`, `summary_frame`) must
not make the command line and the web server import pandas when they do not need it.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from citykpi.assess.engine import assess
    from citykpi.assess.files import InvalidSubmissionError
    from citykpi.assess.frame import assess_files, summary_frame, to_frame
    from citykpi.assess.summary import Summary, summary

__all__ = [
    "InvalidSubmissionError",
    "Summary",
    "assess",
    "assess_files",
    "summary",
    "summary_frame",
    "to_frame",
]

_LAZY = {
    "assess": "citykpi.assess.engine",
    "summary": "citykpi.assess.summary",
    "Summary": "citykpi.assess.summary",
    "to_frame": "citykpi.assess.frame",
    "assess_files": "citykpi.assess.frame",
    "summary_frame": "citykpi.assess.frame",
    "InvalidSubmissionError": "citykpi.assess.files",
}


def __getattr__(name: str) -> object:
    if name in _LAZY:
        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'citykpi.assess' has no attribute {name!r}")
