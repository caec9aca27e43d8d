"""Every input of the hostile corpus through the real `validate` and `assess` commands.

In-process through the click command typer builds (built once: building it costs more than reading a
small file), plus a few real `citykpi` processes. A crash is an exception, an exit code other than
0 and 1, a report that is not JSON, or the CLI's last-resort "please report this as a bug" message.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import typer
from corpus import SEED, Case, cases_by_kind

from citykpi.cli import app

CELL_TYPES = {"type-error", "constraint-error", "formula-in-cell"}  # problems of one cell


def run(command: Any, args: list[str]) -> tuple[int | None, str]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        try:
            code = command.main(args=args, prog_name="citykpi", standalone_mode=False)
        except SystemExit as exc:  # click's own usage errors
            code = exc.code if isinstance(exc.code, int) else 2
    return (0 if code is None else code), out.getvalue()


def faults(case: Case, command: Any, out: Path) -> list[str]:
    """What is wrong with how the CLI treated `case`; empty when all is right."""
    try:
        code, text = run(command, ["validate", str(case.path), "--format", "json"])
    except Exception as exc:
        return [f"validate raised {type(exc).__name__}: {exc}"]
    if code not in (0, 1):
        return [f"validate exit {code}: {text[-300:]}"]
    try:
        report = json.loads(text)
    except ValueError:
        return [f"validate printed no JSON report: {text[:300]}"]
    found: list[str] = []
    problems = report["errors"] + report["warnings"]
    if any("report this as a bug" in p["message"] for p in problems):
        found.append(f"a reader failed: {problems}")
    if (code == 0) != report["valid"]:
        found.append(f"exit {code} but valid={report['valid']}")
    if case.expect_valid is not None and report["valid"] != case.expect_valid:
        found.append(f"valid={report['valid']}, expected {case.expect_valid}: {problems[:3]}")
    if case.at is not None and not any(
        all(p["location"].get(k) == v for k, v in case.at.items()) for p in report["errors"]
    ):
        found.append(f"no error at {case.at}: {[(p['type'], p['location']) for p in report['errors']][:5]}")
    if case.kind in ("cell", "csv-cell") and any(p["type"] == "damaged-file" for p in problems):
        found.append("a cell's content made the whole file 'damaged'")
    for p in report["errors"]:
        if p["type"] in CELL_TYPES and p.get("variant") != "package" and not _located(p["location"], case.path.suffix):
            found.append(f"a cell problem without its cell: {p}")
    target = out / f"{case.path.parent.name}-{case.path.stem}"  # a data package is a folder's datapackage.json
    try:
        assessed, assess_text = run(command, ["assess", str(case.path), "-o", str(target)])
    except Exception as exc:
        return [*found, f"assess raised {type(exc).__name__}: {exc}"]
    if assessed != code:
        found.append(f"assess exit {assessed}, validate exit {code}: {assess_text[-300:]}")
    written = sorted(p.name for p in target.iterdir()) if target.exists() else []
    if assessed == 1 and written:
        found.append(f"assess wrote {written} for an invalid file")
    if assessed == 0 and written != ["kpis.csv", "kpis.json", "summary.json"]:
        found.append(f"assess wrote {written}")
    return found


def _located(location: dict[str, Any], suffix: str) -> bool:
    if suffix == ".xlsx":
        return bool(location.get("sheet") and location.get("cell"))
    return location.get("row") is not None and bool(location.get("column") or location.get("field"))


def test_no_hostile_input_crashes_validate_or_assess(corpus: tuple[list[Case], Path, float]) -> None:
    cases, folder, built = corpus
    command = typer.main.get_command(app)
    start, cpu = time.perf_counter(), time.process_time()
    failures: dict[str, list[str]] = {}
    for case in cases:
        found = faults(case, command, folder / "out")
        if found:
            failures[f"{case.path.name} ({case.name[:80]})"] = found
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    kinds = dict(cases_by_kind(cases))
    crashes = sum(1 for found in failures.values() if any("raised" in f or "exit" in f or "bug" in f for f in found))
    print(
        f"\nhostile corpus (seed {SEED}): {len(cases)} inputs {kinds}; built in {built:.1f} s, validate + assess "
        f"of all in {elapsed:.1f} s ({cpu:.1f} s of CPU); {crashes} crashes, {len(failures)} inputs with a fault; "
        f"load average {os.getloadavg()[0]:.2f}"
    )
    assert len(cases) >= 1000
    assert failures == {}
    assert Counter(c.kind for c in cases).keys() >= {
        "truncation",
        "bit-flip",
        "zip-structure",
        "xml",
        "cell",
        "csv",
        "datapackage",
        "zip-bomb",
    }


@pytest.mark.parametrize("kind", ["bit-flip", "zip-structure", "cell", "csv-cell", "datapackage"])
def test_a_real_citykpi_process_exits_0_or_1_on_each_kind(corpus: tuple[list[Case], Path, float], kind: str) -> None:
    cases, folder, _ = corpus
    for case in [c for c in cases if c.kind == kind][:2]:
        validate = subprocess.run(
            [sys.executable, "-m", "citykpi.cli", "validate", str(case.path)],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert validate.returncode in (0, 1) and "Traceback" not in validate.stderr, (case.name, validate.stderr)
        out = folder / "process" / case.path.stem
        assess = subprocess.run(
            [sys.executable, "-m", "citykpi.cli", "assess", str(case.path), "-o", str(out)],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert assess.returncode == validate.returncode and "Traceback" not in assess.stderr, (case.name, assess.stderr)
