"""Uploads are read in a process of their own: its answer or its error comes back, a stuck read is killed in time."""

from __future__ import annotations

import time

import pytest

from citykpi.platform import isolated


def _fail(message: str) -> None:
    raise ValueError(message)


def test_the_answer_and_the_error_come_back_from_the_process() -> None:
    assert isolated.run(sorted, [3, 1, 2], seconds=60) == [1, 2, 3]
    with pytest.raises(ValueError, match="bad cell"):
        isolated.run(_fail, "bad cell", seconds=60)


def test_work_over_its_budget_is_stopped_at_the_budget() -> None:
    started = time.monotonic()
    with pytest.raises(isolated.OutOfTime):
        isolated.run(time.sleep, 30, seconds=1)
    assert time.monotonic() - started < 10  # killed, not waited for (30 s)
