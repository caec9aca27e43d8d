"""What marking the workbook back costs an upload's answer, against reading and checking the same file.

The page answers an upload of a workbook with problems with the copy marked as `citykpi validate
--annotate` marks it (`platform.uploads.annotated`), made in a process of its own after the file was
read and checked (`platform.uploads._check`, also in a process of its own). Both are timed here on
the same files, in the same run: the demo's broken workbook (four errors) and a workbook with two
plausibility warnings (tests/warned_workbook.py's changes). Printed: median wall seconds of each step
over the runs, the ratio marking / reading, and the sizes the page carries (the marked workbook and
its base64 `data:` link). The server's database is not involved; the load average is printed beside.
"""

from __future__ import annotations

import argparse
import base64
import os
import statistics
import sys
import tempfile
from pathlib import Path

from timing import Took, measuring

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))


def files(folder: Path) -> dict[str, Path]:
    from citykpi.demo.errors import spoil
    from warned_workbook import warned_workbook, workbook

    broken = workbook(folder / "broken", 2024)
    spoil(broken)
    return {"four errors": broken, "two warnings": warned_workbook(folder / "warned", 2024)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    from citykpi.framework.catalogue import Catalogue
    from citykpi.platform import isolated, uploads

    catalogue = Catalogue.load()
    print(f"load average before: {os.getloadavg()[0]:.2f}")
    with tempfile.TemporaryDirectory() as tmp:
        for label, path in files(Path(tmp)).items():
            path.parent.mkdir(parents=True, exist_ok=True)
            content = path.read_bytes()
            read: list[Took] = []
            marked: list[Took] = []
            for _ in range(runs + 1):  # the first run starts the fork server and is not counted
                with measuring(read):
                    checked = isolated.run(uploads._check, content, path.name, catalogue, seconds=120)
                with measuring(marked):
                    copy = uploads.annotated(path.name, content, checked.report, seconds=120)
            assert copy is not None
            r = statistics.median(t.wall for t in read[1:])
            m = statistics.median(t.wall for t in marked[1:])
            problems = len(checked.report.errors) + len(checked.report.warnings)
            print(
                f"{label}: {problems} problems; read+check {r:.2f} s, mark {m:.2f} s (x{m / r:.2f}); "
                f"workbook {len(content) / 1024:.0f} KiB, marked {len(copy) / 1024:.0f} KiB, "
                f"data: link {len(base64.b64encode(copy)) / 1024:.0f} KiB"
            )
    print(f"load average after: {os.getloadavg()[0]:.2f} (runs: {runs})")


if __name__ == "__main__":
    main()
