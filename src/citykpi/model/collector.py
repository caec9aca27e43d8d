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
