"""Wall-clock and CPU seconds of one piece of work, measured the same way by every benchmark.

CPU time is this process's, all threads (`time.process_time`): work done by a database server or
a subprocess shows in the wall clock only, which is why both figures are printed.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Took:
    wall: float
    cpu: float

    def __add__(self, other: Took) -> Took:
        return Took(self.wall + other.wall, self.cpu + other.cpu)


NOTHING = Took(0.0, 0.0)


@contextmanager
def measuring(into: list[Took]) -> Iterator[None]:
    """Appends the time the `with` block took to `into`."""
    wall, cpu = time.perf_counter(), time.process_time()
    yield
    into.append(Took(time.perf_counter() - wall, time.process_time() - cpu))


def timed(action: Callable[[], T]) -> tuple[Took, T]:
    """The time `action()` took, and what it returned."""
    took: list[Took] = []
    with measuring(took):
        result = action()
    return took[0], result
