"""Run every `bench/*_bench.py` in turn (`make bench`); each prints its own figures and targets.

Each benchmark runs in its own process with its default arguments, so that one benchmark's memory
and warm caches do not flatter the next. Extra arguments are passed to every benchmark unchanged.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path


def main() -> int:
    failed: list[str] = []
    for script in sorted(Path(__file__).parent.glob("*_bench.py")):
        print(f"\n=== {script.name} ===", flush=True)
        started = time.perf_counter()
        code = subprocess.call([sys.executable, str(script), *sys.argv[1:]])
        print(f"=== {script.name}: exit {code}, {time.perf_counter() - started:.1f} s ===", flush=True)
        if code:
            failed.append(script.name)
    if failed:
        print(f"failed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
