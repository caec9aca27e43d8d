"""The Dask-worker heap fix: with Dask's MALLOC_TRIM_THRESHOLD_ set, repeated array allocations
fault in fresh pages each time unless `keep_heap_for_arrays` has raised glibc's thresholds."""

from __future__ import annotations

import os
import platform
import subprocess
import sys

import pytest

SCRIPT = """
import resource, sys
import numpy as np
from citykpi.index.sensitivity.heap import keep_heap_for_arrays
fixed = keep_heap_for_arrays() if sys.argv[1] == "fix" else False
x = np.ones((1000, 91))
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(300):
    y = x * 2.0  # a 728 KB temporary, freed at once: what a replication does thousands of times
    del y
print(fixed, resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
"""


def faults(mode: str) -> tuple[str, int]:
    env = {**os.environ, "MALLOC_TRIM_THRESHOLD_": "65536"}  # what Dask's nanny gives its workers
    done = subprocess.run([sys.executable, "-c", SCRIPT, mode], capture_output=True, text=True, env=env, check=True)
    fixed, count = done.stdout.split()
    return fixed, int(count)


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="the fix applies to glibc only")
def test_raised_thresholds_stop_the_page_faults_dask_settings_cause() -> None:
    plain_fixed, plain = faults("plain")
    fixed, kept = faults("fix")
    assert (plain_fixed, fixed) == ("False", "True")
    assert plain > 300 * 100  # each temporary mapped afresh: ~178 pages of 4 KiB each time
    assert kept < plain / 10
