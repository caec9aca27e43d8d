"""Start-up of the `citykpi` command: `--help` and `assess FILE` as fresh processes.

Every command builds the whole command table first, so an eager heavy import in any command module
is paid by all of them (tests/test_cli_startup.py guards which libraries are imported; this prints
what it costs). Per command: median wall and CPU seconds of the child process (CPU from `getrusage`,
because the machine is shared), and the sum of the modules' own import times from `-X importtime`
with the number of modules imported. Runs of the two commands alternate so that load changes hit both.
To measure another checkout, run this file with `PYTHONPATH=<checkout>/src`.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from citykpi.collect.tidy import write_csv
from citykpi.demo.cities import city
from citykpi.demo.generate import generate
from citykpi.framework.catalogue import Catalogue


def _child_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run(args: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds of `python -m citykpi.cli ARGS`."""
    cpu, wall = _child_cpu(), time.perf_counter()
    subprocess.run([sys.executable, "-m", "citykpi.cli", *args], check=True, capture_output=True)
    return time.perf_counter() - wall, _child_cpu() - cpu


def imports(args: list[str]) -> tuple[float, int]:
    """Seconds spent importing (sum of each module's own time) and the number of modules imported."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "citykpi.cli", *args], check=True, capture_output=True, text=True
    )
    lines = [line for line in done.stderr.splitlines() if line.startswith("import time:")][1:]  # after the header
    own = [int(line.split("|")[0].split(":")[1]) for line in lines]
    return sum(own) / 1e6, len(own)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=9)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="citykpi-startup-") as tmp:
        source = write_csv(generate(list(Catalogue.load().kpis.values()), city("Vellmarsk"), 2023), Path(tmp) / "t.csv")
        commands = {"--help": ["--help"], "assess FILE": ["assess", str(source), "-o", str(Path(tmp) / "out")]}
        load = os.getloadavg()
        times: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
        for _ in range(args.repeat):
            for name, command in commands.items():
                times[name].append(run(command))
        print(f"{'command':<14}{'wall s':>8}{'CPU s':>8}{'import s':>10}{'modules':>9}")
        for name, command in commands.items():
            wall = statistics.median(t[0] for t in times[name])
            cpu = statistics.median(t[1] for t in times[name])
            seconds, count = statistics.median(imports(command)[0] for _ in range(3)), imports(command)[1]
            print(f"{name:<14}{wall:>8.3f}{cpu:>8.3f}{seconds:>10.3f}{count:>9}")
    print(f"medians of {args.repeat} runs; load average before {load[0]:.1f}, after {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
