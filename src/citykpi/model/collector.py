"""Building many small acyclic objects without the cyclic garbage collector running meanwhile.

CPython starts a collection every 700 net allocations and its older-generation passes walk every
tracked object of the process, so an import that creates ~85 000 results (each a model, a dict and
a set) pays for the caller's whole heap many times over: in the exchange benchmark, which holds 750
assessments, this was about a third of the NGSI-LD import. The objects built here hold no cycles, so
reference counting frees them anyway; the collector only resumes afterwards.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """Leaves the collector as it found it, so a caller that disabled it keeps it disabled.

    The switch is process-wide: other threads also skip cyclic collection for the duration (their
    garbage is collected afterwards, not lost).
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def few_collections() -> None:
    """Make the garbage collector's passes rare in a process that builds a large, long-lived heap.

    A comparison holds a worker's assessments (some 1,300) until its cities are built, and
    WeasyPrint holds a part's whole box tree until it is written; the collector's repeated passes
    over those objects took about 40 % of the CPU (reading 260 tidy CSV files: 10.7 ms a file with
    the default thresholds, 5.2 ms with these; laying out four side-by-side tables: 6.1-7.4 s, 4.5-5.0
    s). Neither forms many reference cycles, so the peak memory was the same (238 and 174 MiB).
    """
    gc.set_threshold(50_000, 20, 100)


def set_aside() -> None:
    """Frees what is garbage now and moves every object left out of the collector's sight for good:
    for a heap built once and kept for the life of the process (see `citykpi.cli.serve.settled`)."""
    gc.collect()
    gc.freeze()
