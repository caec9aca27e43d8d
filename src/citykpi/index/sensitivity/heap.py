"""Keep a worker's heap for the replicator's arrays when Dask has told glibc to give memory back.

Dask's nanny starts every worker with MALLOC_TRIM_THRESHOLD_=65536, so that unmanaged memory goes
back to the operating system. Setting that threshold also switches off glibc's dynamic mmap
threshold: every array over 128 KiB is then mapped and zeroed afresh, and the heap is trimmed
after each free. A replication allocates thousands of such arrays; at 3,000 cities x 91 KPIs this
cost 38 times the page faults and 2.6 times the CPU of the same runs in a plain process, which is
why a two-worker Dask cluster ran four times slower than local workers (issue 15). Raising both
thresholds back to what glibc's dynamic rule reaches for such arrays gives the plain process's
figures. Other C libraries (macOS, musl) are left as they are.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import platform

M_TRIM_THRESHOLD = -1  # glibc's mallopt parameters (malloc.h)
M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD = 32 * 1024 * 1024  # the largest value glibc's dynamic rule reaches on 64-bit
TRIM_THRESHOLD = 2 * MMAP_THRESHOLD  # what the dynamic rule sets beside it

_done = False


def keep_heap_for_arrays() -> bool:
    """Once per process; True when glibc accepted both thresholds."""
    global _done
    if _done:
        return True
    if platform.libc_ver()[0] != "glibc":
        return False
    libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
    _done = bool(libc.mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and bool(
        libc.mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD)
    )
    return _done
