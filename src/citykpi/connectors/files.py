"""The files of one ingest, from paths and glob patterns as a user types them.

A shell expands `*.csv` itself, but not inside quotes, on Windows, or in a script that passes the
pattern on; so patterns are expanded here too, in sorted order, and a pattern matching nothing is an
error rather than an ingest of fewer files than meant.
"""

from __future__ import annotations

import glob
from collections.abc import Sequence
from pathlib import Path

from citykpi.model.diagnostics import Diagnostic, error


def expand(patterns: Sequence[str]) -> tuple[list[Path], list[Diagnostic]]:
    found: list[Path] = []
    problems: list[Diagnostic] = []
    for pattern in patterns:
        if any(c in pattern for c in "*?["):
            matched = sorted(Path(p) for p in glob.glob(pattern) if Path(p).is_file())
            if not matched:
                problems.append(error("file-error", "no file matches this pattern", file=pattern))
        else:
            matched = [Path(pattern)]
            if not matched[0].is_file():
                problems.append(error("file-error", "file not found", file=pattern))
                matched = []
        found.extend(p for p in matched if p not in found)
    return found, problems


def source_label(paths: Sequence[Path]) -> str:
    """What an entry's `source` says: the file, or the first files and how many more."""
    names = [p.name for p in paths]
    return ", ".join(names) if len(names) <= 3 else f"{', '.join(names[:2])} and {len(names) - 2} more files"
