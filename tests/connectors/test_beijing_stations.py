"""Beijing-shaped station files: globs, .gz, year/month/day/hour columns, the directive's coverage
rule counted against the calendar year, partial years, and the estimate flag down to the snapshot."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
from beijing_files import Station, station_file
from typer.testing import CliRunner

from citykpi.cli import app
from citykpi.connectors.files import expand
from citykpi.connectors.ingest import Ingest, Options, ingest_measurements
from citykpi.framework.model import Kpi
from citykpi.model.submission import DataQuality, Status

START, END = datetime(2015, 3, 1), datetime(2017, 3, 1)  # like the real files: March to February


def dongsi_gap(t: datetime) -> bool:
    """40 summer days without any reading in 2016: below 90 % of the year, above 75 % of the summer."""
    return datetime(2016, 6, 1) <= t < datetime(2016, 7, 11)


@pytest.fixture(scope="module")
def stations(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Station]]:
    folder = tmp_path_factory.mktemp("beijing")
    _, aoti = station_file(folder, "Aotizhongxin", START, END, seed=1)
    _, dongsi = station_file(folder, "Dongsi", START, END, seed=2, missing=dongsi_gap)
    return folder, {"Aotizhongxin": aoti, "Dongsi": dongsi}


def ingest(folder: Path, kpi: Kpi, options: Options | None = None, years: list[int] | None = None) -> Ingest:
    paths, problems = expand([str(folder / "PRSA_Data_*.csv.gz")])
    assert len(paths) == 2 and not problems
    return ingest_measurements(paths, kpi, "Beijing", years or [], options)


def said(output: str) -> str:
    """The terminal output with rich's line wrapping undone."""
    return " ".join(output.split())


def entry(result: Ingest, year: int, name: str):
    done = next(y for y in result.years if y.year == year)
    return next(e for e in done.submission.entries if e.name == name)


def test_every_year_of_the_files_against_its_calendar_year(stations, air_kpi: Kpi) -> None:
    folder, by_name = stations
    result = ingest(folder, air_kpi)
    assert result.report.valid
    assert [y.year for y in result.years] == [2015, 2016, 2017]
    assert result.ignored == ("CO",)
    aoti, dongsi = by_name["Aotizhongxin"], by_name["Dongsi"]
    # 2016: Dongsi misses 40 days, so only Aotizhongxin meets 90 % of the year for PM10 ...
    pm10 = entry(result, 2016, "pm10")
    assert pm10.value == pytest.approx(aoti.mean("pm10", 2016), rel=1e-12)
    assert pm10.quality is DataQuality.ACCURATE_MEASUREMENT and pm10.status is Status.REPORTED
    assert "mean of 1 of 2 station(s) meeting coverage rule eu-2008-50" in pm10.notes
    # ... but both meet O3's 75 % of summer and 75 % of winter, counted separately.
    o3 = entry(result, 2016, "o3")
    assert o3.value == pytest.approx((aoti.mean("o3", 2016) + dongsi.mean("o3", 2016)) / 2, rel=1e-12)
    assert "mean of 2 of 2 station(s)" in o3.notes
    # 2015 starts in March (84 % of the year, O3 winter 68 %) and 2017 ends in February: not available.
    for year in (2015, 2017):
        for name in ("pm10", "pm2_5", "no2", "so2", "o3"):
            e = entry(result, year, name)
            assert e.value is None and e.status is Status.NOT_AVAILABLE and e.quality is None, (year, name)
            assert e.notes.startswith(f"not available: {e.notes.split(': ')[1]}: no station meets coverage rule")
    assert "Aotizhongxin year 16% (needs 90%)" in entry(result, 2017, "no2").notes
    assert "winter (January-March, October-December) 66% (needs 75%)" in entry(result, 2015, "o3").notes


def test_allow_partial_gives_estimates_of_the_partial_years_only(stations, air_kpi: Kpi) -> None:
    folder, by_name = stations
    result = ingest(folder, air_kpi, Options(allow_partial=True), years=[2016, 2017])
    pm10 = entry(result, 2017, "pm10")
    expected = (by_name["Aotizhongxin"].mean("pm10", 2017) + by_name["Dongsi"].mean("pm10", 2017)) / 2
    assert pm10.value == pytest.approx(expected, rel=1e-12)
    assert pm10.quality is DataQuality.ASSUMPTION_ESTIMATE and pm10.notes.startswith("ESTIMATE from a partial year")
    assert entry(result, 2016, "pm10").quality is DataQuality.ACCURATE_MEASUREMENT  # a complete station exists
    assert [w.type for w in result.report.warnings] == ["completeness"] * 5


def test_the_rule_of_earlier_versions_by_name(stations, air_kpi: Kpi) -> None:
    folder, by_name = stations
    result = ingest(folder, air_kpi, Options(rule="any-75"), years=[2016])
    both = (by_name["Aotizhongxin"].mean("pm10", 2016) + by_name["Dongsi"].mean("pm10", 2016)) / 2
    assert entry(result, 2016, "pm10").value == pytest.approx(both, rel=1e-12)
    assert result.rule is not None and result.rule.name == "any-75"


def test_estimate_survives_assess_and_shows_in_the_snapshot(stations, tmp_path: Path) -> None:
    folder, _ = stations
    runner = CliRunner()
    out = tmp_path / "beijing-{year}.csv"
    args = ["ingest", "measurements", str(folder / "PRSA_Data_*.csv.gz"), "--kpi", "EN: EN: AQ: 1C"]
    done = runner.invoke(app, [*args, "--city", "Beijing", "--year", "2016", "--year", "2017"])
    assert done.exit_code == 0 and "--allow-partial gives an estimate" in said(done.output)  # 2017 is n/a ...
    done = runner.invoke(app, [*args, "--city", "Beijing", "--allow-partial", "-o", str(out)])
    assert done.exit_code == 0, done.output
    assert "ignored (pollutants EN: EN: AQ: 1C does not use): CO" in said(done.output)
    files = [tmp_path / f"beijing-{y}.csv" for y in (2015, 2016, 2017)]
    assert all(f.is_file() for f in files)
    assessed = runner.invoke(app, ["assess", *map(str, files[1:]), "-o", str(tmp_path / "results")])
    assert assessed.exit_code == 0, assessed.output
    results = json.loads(next((tmp_path / "results").glob("*2017*/kpis.json")).read_text(encoding="utf-8"))
    pm10 = next(r for r in results["results"] if r["code"] == "EN: EN: AQ: 1C" and r["data_point"] == "pm10")
    assert pm10["quality"] == int(DataQuality.ASSUMPTION_ESTIMATE) and pm10["status"] == "reported"
    page = tmp_path / "snapshot.html"
    report = runner.invoke(app, ["report", *map(str, files[1:]), "--kind", "snapshot", "-o", str(page)])
    assert report.exit_code == 0, report.output
    html = page.read_text(encoding="utf-8")
    assert html.count('class="estimate"') == 5  # the five pollutants of 2017, the reference year
    assert "Estimate: data quality 4" in html


def test_several_years_need_a_year_slot_in_the_output_name(stations, tmp_path: Path) -> None:
    folder, _ = stations
    args = ["ingest", "measurements", str(folder / "PRSA_Data_*.csv.gz"), "--kpi", "EN: EN: AQ: 1C"]
    done = CliRunner().invoke(app, [*args, "--city", "Beijing", "-o", str(tmp_path / "beijing.csv")])
    assert done.exit_code == 2 and "3 years were read; put {year} in the file name" in said(done.output)
    assert not list(tmp_path.glob("*.csv"))


def write(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_named_time_columns_and_impossible_dates(tmp_path: Path, air_kpi: Kpi) -> None:
    # 2021, every day at 06:00: 365 readings, plus a month 13, a 30 February and an hour 24.
    days = [datetime.fromordinal(datetime(2021, 1, 1).toordinal() + i) for i in range(365)]
    rows = [f"{d.year},{d.month},{d.day},6,{d.month}" for d in days] + [
        "2021,13,1,0,1",
        "2021,2,30,0,1",
        "2021,3,1,24,1",
    ]
    path = write(tmp_path / "parts.csv", ["yr,mo,dy,hr,NO2", *rows])
    options = Options(time_parts=["yr", "mo", "dy", "hr"], rule="any-75")
    result = ingest_measurements([path], air_kpi, "X", [2021], options)
    assert next(w.message for w in result.report.warnings).startswith("3 row(s) have no readable time")
    (no2,) = result.years[0].means
    # Hourly (an hour column): 365 of 8760 hours, so even the lenient rule refuses the year.
    assert no2.value is None and no2.stations[0].valid == 365 and no2.stations[0].expected == 8760
    wrong = ingest_measurements([path], air_kpi, "X", [2021], Options(time_parts=["yr", "month", "dy"]))
    assert "--time-columns" in wrong.report.errors[0].message and "month" in wrong.report.errors[0].message


def test_files_in_different_units_add_up(tmp_path: Path, air_kpi: Kpi) -> None:
    days = [f"2021-{m:02d}-{d:02d}" for m in range(1, 13) for d in range(1, 29)]  # 336 of 365 days: 92 %
    a = write(tmp_path / "a.csv", ["date,NO2 (ppb)", *(f"{d},10" for d in days)])
    b = write(tmp_path / "b.csv", ["date,NO2", *(f"{d},40" for d in days)])
    result = ingest_measurements([a, b], air_kpi, "X", [2021])
    (no2,) = result.years[0].means
    assert no2.value == pytest.approx((19.0 + 40.0) / 2)  # each file is a station, ppb converted first
    assert [s.station for s in no2.stations] == ["a.csv", "b.csv"]
    assert no2.note.endswith("; converted from ppb x1.9")


def test_rules_file_of_the_user(tmp_path: Path, air_kpi: Kpi) -> None:
    days = [f"2021-{m:02d}-{d:02d}" for m in range(1, 13) for d in range(1, 29)]
    data = write(tmp_path / "a.csv", ["date,PM10", *(f"{d},20" for d in days)])
    rules = tmp_path / "rules.yaml"
    rules.write_text(
        "default: strict\nrules:\n  strict:\n    title: all days\n    source: our ordinance\n"
        "    windows:\n      '*': [{name: year, months: [1,2,3,4,5,6,7,8,9,10,11,12], minimum: 0.95}]\n",
        encoding="utf-8",
    )
    result = ingest_measurements([data], air_kpi, "X", [2021], Options(rules_file=rules))
    (pm10,) = result.years[0].means
    assert pm10.value is None and "coverage rule strict (all days" in pm10.note and "92% (needs 95%)" in pm10.note
    rules.write_text(rules.read_text().replace("minimum: 0.95", "minimum: 1.5").replace("months: [1,", "months: [0,"))
    bad = ingest_measurements([data], air_kpi, "X", [2021], Options(rules_file=rules))
    messages = [str(e) for e in bad.report.errors]
    assert len(messages) == 2 and all(m.startswith(f"[rule-error] {rules}") for m in messages)
    assert any("field 'rules.strict.windows.*.0.minimum'" in m for m in messages)
    assert any("months are distinct numbers from 1" in m for m in messages)
    unknown = ingest_measurements([data], air_kpi, "X", [2021], Options(rule="who"))
    assert "no coverage rule 'who'; rules: any-75, eu-2008-50" in unknown.report.errors[0].message


def test_a_pattern_matching_nothing_is_an_error(tmp_path: Path) -> None:
    paths, problems = expand([str(tmp_path / "*.csv.gz"), str(tmp_path / "absent.csv")])
    assert paths == [] and [p.message for p in problems] == ["no file matches this pattern", "file not found"]


def test_months_by_search_equal_numpys_calendar() -> None:
    import numpy as np

    from citykpi.connectors.timestamps import months_since_epoch

    rng = np.random.default_rng(3)
    for low, high in [(-(10**9), 10**9), (1609459199, 1609459201), (951782400, 951868800 * 2)]:  # 1938-2001, ...
        seconds = rng.integers(low, high, 50_000)
        expected = seconds.astype("datetime64[s]").astype("datetime64[M]").astype(np.int64)
        assert (months_since_epoch(seconds) == expected).all()


def test_a_partial_last_year_makes_no_trend_in_the_snapshot(stations, air_kpi: Kpi) -> None:
    """Issue 12: 2017 (January and February) was the snapshot's reference year and turned trends into
    "Deterioration". Not available by default, it gives no value to a trend."""
    from citykpi.assess.engine import assess
    from citykpi.framework.catalogue import Catalogue
    from citykpi.report.content import build
    from citykpi.scoring.targetfiles import default_target_set
    from citykpi.scoring.targets import TargetBook

    folder, _ = stations
    catalogue = Catalogue.load()
    result = ingest(folder, air_kpi)
    history = [assess(y.submission, catalogue) for y in result.years]
    report = build(history, dict(catalogue.kpis), TargetBook([default_target_set()]))
    assert report.years == [2015, 2016, 2017] and report.progress is not None
    for point in ("pm10", "pm2_5", "no2", "so2", "o3"):
        p = report.progress.item(air_kpi.code, point)
        assert p is not None and p.status.value == "not_available" and p.note == "needs two years", point
        assert p.current_year == 2016  # the only year meeting the rule
