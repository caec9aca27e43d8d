"""`make demo`'s script end to end, in a fresh process as make runs it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_demo_script_generates_validates_and_assesses(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "demo.py"), "--out", str(tmp_path), "--no-serve"],
        capture_output=True,
        text=True,
        timeout=300,
        env={"COLUMNS": "200", "PATH": "/usr/bin:/bin"},
    )
    assert done.returncode == 0, done.stderr
    assert "SYNTHETIC DEMO DATA" in done.stdout
    for error_type in ("type-error", "constraint-error", "zero-denominator", "unknown-kpi"):
        assert error_type in done.stdout
    assert len(list((tmp_path / "data" / "workbooks").glob("*.xlsx"))) == 17  # 4 cities x 4 years + the broken one
    assert len(list((tmp_path / "data" / "tidy").glob("*.csv"))) == 16
    results = tmp_path / "assessment" / "vellmarsk-2024"
    summary = json.loads((results / "summary.json").read_text(encoding="utf-8"))
    assert summary["city"] == "Vellmarsk" and summary["total"]["kpis_reported"] > 80
    assert str(results) in done.stdout.replace("\n", "")
