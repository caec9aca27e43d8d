"""Air-quality ingest on real CPCB data and on small hand-made station files."""

from __future__ import annotations

from pathlib import Path

import pytest

from citykpi.connectors.ingest import AIR_QUALITY_KPI, Options, ingest_measurements
from citykpi.framework.model import Kpi
from citykpi.model.submission import DataQuality, EntryKind, Status

DATA = Path(__file__).parent / "data" / "city_day_2019_subset.csv"

# Hand-computed with awk (sum of non-empty cells / count), see data/SOURCE.md.
DELHI_2019 = {"pm2_5": 108.501479, "pm10": 215.047808, "no2": 45.236027, "so2": 14.031205, "o3": 38.941014}


def values(result) -> dict[str, float | None]:
    return {e.name: e.value for e in result.submission.entries}


def by_name(result, name: str):
    return next(e for e in result.submission.entries if e.name == name)


def test_delhi_2019_reproduces_hand_computed_annual_means(air_kpi: Kpi) -> None:
    result = ingest_measurements(DATA, air_kpi, "Delhi", 2019)
    assert result.report.valid and not result.report.warnings
    got = values(result)
    assert got == {k: pytest.approx(v, abs=1e-6) for k, v in DELHI_2019.items()}
    entry = by_name(result, "pm2_5")
    assert entry.kpi == AIR_QUALITY_KPI and entry.kind is EntryKind.VALUE and entry.status is Status.REPORTED
    assert entry.quality is DataQuality.ACCURATE_MEASUREMENT
    assert "1 of 1 station(s) with >= 75% valid daily readings (Delhi 100%)" in entry.notes
    assert result.submission.profile.city == "Delhi" and result.submission.profile.year == 2019


def test_incomplete_station_year_gives_an_estimate_with_a_warning(air_kpi: Kpi) -> None:
    result = ingest_measurements(DATA, air_kpi, "chennai", 2019)
    pm10 = by_name(result, "pm10")
    assert pm10.value == pytest.approx(58.513905, abs=1e-6)  # 169 of 365 days, see SOURCE.md
    assert pm10.quality is DataQuality.ASSUMPTION_ESTIMATE
    assert "ESTIMATE" in pm10.notes and "46%" in pm10.notes
    assert [w.type for w in result.report.warnings] == ["completeness"]
    assert by_name(result, "no2").quality is DataQuality.ACCURATE_MEASUREMENT


def test_pollutant_without_any_reading_is_not_available(air_kpi: Kpi) -> None:
    result = ingest_measurements(DATA, air_kpi, "Lucknow", 2019)
    pm10 = by_name(result, "pm10")
    assert pm10.value is None and pm10.status is Status.NOT_AVAILABLE and pm10.quality is None
    assert any("no valid PM10" in w.message for w in result.report.warnings)


def test_unknown_city_lists_the_cities_of_the_file(air_kpi: Kpi) -> None:
    result = ingest_measurements(DATA, air_kpi, "Pune", 2019)
    assert result.submission is None
    (problem,) = result.report.errors
    assert problem.type == "no-data" and "'Pune'" in problem.message and "Chennai, Delhi, Lucknow" in problem.message


def test_year_outside_the_file(air_kpi: Kpi) -> None:
    result = ingest_measurements(DATA, air_kpi, "Delhi", 2016)
    assert result.submission is None and "no reading dated 2016" in result.report.errors[0].message


def write_hourly(path: Path, rows: list[str], header: str = "station,datetime,NO2 (ppb),PM10") -> Path:
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def hourly_rows(station: str, hours: int, no2: float, pm10: float) -> list[str]:
    # 2021 is not a leap year: 8760 hours; readings start on 1 January 00:00.
    return [
        f"{station},2021-{1 + h // (24 * 28):02d}-{1 + (h // 24) % 28:02d} {h % 24:02d}:00:00,{no2},{pm10}"
        for h in range(hours)
    ]


def test_hourly_stations_ppb_conversion_and_completeness(tmp_path: Path, air_kpi: Kpi) -> None:
    # Station A: 6720 hours (76.7 %, complete); station B: 6000 hours (68.5 %, excluded).
    rows = hourly_rows("A", 6720, 10.0, 30.0) + hourly_rows("B", 6000, 50.0, 90.0) + ["A,2020-12-31 23:00:00,999,999"]
    path = write_hourly(tmp_path / "hourly.csv", rows)
    result = ingest_measurements(path, air_kpi, "Springfield", 2021)
    assert result.report.valid
    assert values(result)["no2"] == pytest.approx(19.0)  # 10 ppb x 1.9, station B excluded
    assert values(result)["pm10"] == pytest.approx(30.0)
    assert "mean of 1 of 2 station(s) with >= 75% valid hourly readings (A 77%)" in by_name(result, "no2").notes
    assert "converted from ppb x1.9" in by_name(result, "no2").notes


def test_unit_override_and_negative_readings(tmp_path: Path, air_kpi: Kpi) -> None:
    rows = [
        f"2021-{m:02d}-{d:02d},{v}" for m in range(1, 13) for d in range(1, 29) for v in ([0.01] if d > 1 else [-1])
    ]
    path = write_hourly(tmp_path / "daily.csv", rows, header="Date,SO2")
    result = ingest_measurements(path, air_kpi, "X", 2021, Options(units={"so2": "ppm"}))
    # 12 x 27 = 324 valid days of 365 (89 %): 0.01 ppm = 10 ppb x 2.62
    assert values(result) == {"so2": pytest.approx(26.2)}
    assert any(w.type == "constraint-error" and "12 negative SO2" in w.message for w in result.report.warnings)


@pytest.mark.parametrize(
    ("header", "rows", "units", "expected"),
    [
        ("datetime,PM2.5 (ppb)", ["2021-01-01,1"], None, "PM2.5 is a mass concentration"),
        ("datetime,NO2", ["2021-01-01,1"], {"NO2": "furlongs"}, "unknown unit 'furlongs'"),
        ("when,NO2", ["2021-01-01,1"], None, "no a date/time column"),
        ("datetime,CO", ["2021-01-01,1"], None, "no pollutant column"),
        ("datetime,NO2", ["2021-01-01,abc"], None, "cannot read the measurements"),
        ("datetime,NO2", ["2021-01-01,1"], {"benzene": "ppb"}, "--unit names 'benzene'"),
    ],
)
def test_bad_files_give_clear_errors(tmp_path: Path, air_kpi: Kpi, header, rows, units, expected) -> None:
    path = write_hourly(tmp_path / "bad.csv", rows, header=header)
    result = ingest_measurements(path, air_kpi, "X", 2021, Options(units=units))
    assert result.submission is None
    assert any(expected in e.message for e in result.report.errors), result.report.errors
    assert all(e.location.file == "bad.csv" for e in result.report.errors if e.type != "unknown-pollutant")


def test_parquet_input_gives_the_same_means(tmp_path: Path, air_kpi: Kpi) -> None:
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    path = tmp_path / "city_day.parquet"
    pq.write_table(pacsv.read_csv(DATA), path)
    result = ingest_measurements(path, air_kpi, "Delhi", 2019)
    assert values(result) == {k: pytest.approx(v, abs=1e-6) for k, v in DELHI_2019.items()}


def test_parquet_with_text_times(tmp_path: Path, air_kpi: Kpi) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    times = [f"2021-01-{d:02d} {h:02d}:00:00" for d in range(1, 32) for h in range(24)] * 12  # 8928 rows
    path = tmp_path / "text-times.parquet"
    pq.write_table(pa.table({"datetime": times, "O3 (ppb)": [10.0] * len(times)}), path)
    result = ingest_measurements(path, air_kpi, "X", 2021)
    assert values(result) == {"o3": pytest.approx(19.6)}  # 10 ppb x 1.96
    pq.write_table(pa.table({"datetime": ["yesterday"], "O3": [1.0]}), path)
    assert "cannot read the measurements" in ingest_measurements(path, air_kpi, "X", 2021).report.errors[0].message


def test_other_kpis_have_no_connector(air_kpi: Kpi) -> None:
    other = air_kpi.model_copy(update={"code": "EN: EN: AQ: 2C"})
    result = ingest_measurements(DATA, other, "Delhi", 2019)
    assert result.report.errors[0].type == "unsupported-kpi" and AIR_QUALITY_KPI in result.report.errors[0].message
