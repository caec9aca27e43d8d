"""`citykpi ingest measurements` end to end: CPCB file -> tidy CSV that the collection reader accepts."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from citykpi.cli import app
from citykpi.collect.readers import read_any
from citykpi.framework.catalogue import Catalogue

DATA = Path(__file__).parent / "data" / "city_day_2019_subset.csv"


def test_ingest_writes_a_submission_the_pipeline_reads(tmp_path: Path) -> None:
    out = tmp_path / "delhi.csv"
    args = ["ingest", "measurements", str(DATA), "--kpi", "en:en:aq:1c", "--city", "Delhi", "--year", "2019"]
    result = CliRunner().invoke(app, [*args, "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "108.50" in result.output and "Delhi 100%" in result.output
    submission, report = read_any(out, Catalogue.load())
    assert report.valid and submission is not None
    values = {e.name: e.value for e in submission.entries}
    assert values["pm2_5"] == pytest.approx(108.501479, abs=1e-6)
    assert values["o3"] == pytest.approx(38.941014, abs=1e-6)


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        (["--kpi", "EN: EN: AQ: 9C"], "no KPI with code 'EN: EN: AQ: 9C'"),
        (["--kpi", "EN: EN: AQ: 1C", "--unit", "NO2"], "write POLLUTANT=UNIT"),
        (["--kpi", "EN: EN: AQ: 1C", "--city", "Pune"], "no row for city 'Pune'"),
    ],
)
def test_user_errors_exit_without_traceback(extra: list[str], expected: str) -> None:
    args = ["ingest", "measurements", str(DATA), "--city", "Delhi", "--year", "2019", *extra]
    result = CliRunner().invoke(app, args)
    assert result.exit_code in (1, 2) and expected in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
