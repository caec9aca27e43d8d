"""Start-up of the `citykpi` command: `--help` and `assess FILE` as fresh processes.

Every command builds the whole command table first, so an eager heavy import in any command module
is paid by all of them (tests/test_cli_startup.py guards which libraries are imported; this prints
what it costs). Per command: median wall and CPU seconds of the child process (CPU from `getrusage`,
because the machine is shared), and the sum of the modules' own import times from `-X importtime`
with the number of modules imported. Runs alternate between the commands (and, with `--against
<checkout>/src`, between this code and that one) so that changes of load hit every figure alike.
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


def run(args: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU seconds of `python -m citykpi.cli ARGS`."""
    cpu, wall = _child_cpu(), time.perf_counter()
    subprocess.run([sys.executable, "-m", "citykpi.cli", *args], check=True, capture_output=True, env=env)
    return time.perf_counter() - wall, _child_cpu() - cpu


def imports(args: list[str], env: dict[str, str]) -> tuple[float, int]:
    """Seconds spent importing (sum of each module's own time) and the number of modules imported."""
    command = [sys.executable, "-X", "importtime", "-m", "citykpi.cli", *args]
    done = subprocess.run(command, check=True, capture_output=True, text=True, env=env)
    lines = [line for line in done.stderr.splitlines() if line.startswith("import time:")][1:]  # after the header
    own = [int(line.split("|")[0].split(":")[1]) for line in lines]
    return sum(own) / 1e6, len(own)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=9)
    parser.add_argument("--against", type=Path, help="the src folder of another checkout, measured alternately")
    args = parser.parse_args()
    codes = {"this code": dict(os.environ)}
    if args.against:
        codes[str(args.against)] = {**os.environ, "PYTHONPATH": str(args.against.resolve())}
    with tempfile.TemporaryDirectory(prefix="citykpi-startup-") as tmp:
        source = write_csv(generate(list(Catalogue.load().kpis.values()), city("Vellmarsk"), 2023), Path(tmp) / "t.csv")
        commands = {"--help": ["--help"], "assess FILE": ["assess", str(source), "-o", str(Path(tmp) / "out")]}
        load = os.getloadavg()
        times: dict[tuple[str, str], list[tuple[float, float]]] = {(c, n): [] for c in codes for n in commands}
        for _ in range(args.repeat):
            for code, env in codes.items():
                for name, command in commands.items():
                    times[(code, name)].append(run(command, env))
        print(f"{'code':<28}{'command':<14}{'wall s':>8}{'CPU s':>8}{'import s':>10}{'modules':>9}")
        for (code, name), taken in times.items():
            wall = statistics.median(t[0] for t in taken)
            cpu = statistics.median(t[1] for t in taken)
            found = [imports(commands[name], codes[code]) for _ in range(3)]
            seconds = statistics.median(f[0] for f in found)
            print(f"{code[-28:]:<28}{name:<14}{wall:>8.3f}{cpu:>8.3f}{seconds:>10.3f}{found[0][1]:>9}")
    print(f"medians of {args.repeat} runs; load average before {load[0]:.1f}, after {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
