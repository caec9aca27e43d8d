"""ISO 37120/37122/37123 and the SDG view from a filled collection workbook, through `citykpi export`."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from typer.testing import CliRunner

from citykpi.cli import app
from citykpi.demo.cities import city
from citykpi.demo.generate import generate
from citykpi.demo.workbook import write_filled
from citykpi.exchange.iso import STANDARDS, crosswalk, links
from citykpi.framework.catalogue import Catalogue
from citykpi.model.assessment import Assessment
from citykpi.validate.files import assessed_or_raise

runner = CliRunner()


@pytest.fixture(scope="module")
def workbook(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Assessment]:
    catalogue = Catalogue.load()
    path = write_filled(
        catalogue,
        generate(list(catalogue.kpis.values()), city("Vellmarsk"), 2024),
        tmp_path_factory.mktemp("wb") / "v.xlsx",
    )
    return path, assessed_or_raise(path, catalogue)


def export(path: Path, fmt: str, out: Path) -> list[dict[str, str]]:
    result = runner.invoke(app, ["export", str(path), "--format", fmt, "-o", str(out)])
    assert result.exit_code == 0, result.output
    name = "sdg-indicators" if fmt == "sdg-indicators" else fmt
    with (out / f"{name}.csv").open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


@pytest.mark.parametrize("fmt", list(STANDARDS))
def test_every_exact_match_is_the_u4ssc_value(fmt: str, workbook: tuple[Path, Assessment], tmp_path: Path) -> None:
    path, assessment = workbook
    rows = export(path, fmt, tmp_path)
    values = {(r.code, r.data_point): r.value for r in assessment.results}
    exact = [r for r in crosswalk() if r.iso_standard == STANDARDS[fmt] and r.match == "exact"]
    written = [r for r in rows if r["match"] == "exact"]
    # One row per exact crosswalk row; the wastewater row stands for its three treatment levels.
    multi = sum(1 for r in exact if r.u4ssc_code == "EN: EN: WS: 4C")
    assert len(written) == len(exact) + 2 * multi
    assert {(r["u4ssc_code"], r["iso_number"]) for r in written} == {(r.u4ssc_code, r.iso_number) for r in exact}
    for row in written:
        expected = values[(row["u4ssc_code"], row["u4ssc_data_point"])]
        assert row["factor"] == "1"
        if expected is None:
            assert row["value"] == "" and row["status"] != "computed"
        else:
            assert float(row["value"]) == pytest.approx(expected, rel=1e-9), row
    assert sum(1 for r in written if r["value"]) >= len(written) - 3  # the demo city reports nearly everything


def test_iso37120_exact_count_units_and_conversions(workbook: tuple[Path, Assessment], tmp_path: Path) -> None:
    path, assessment = workbook
    rows = {(r["u4ssc_code"], r["iso_number"], r["u4ssc_data_point"]): r for r in export(path, "iso37120", tmp_path)}
    values = {(r.code, r.data_point): r.value for r in assessment.results}
    assert rows[("EN: EN: AQ: 1C", "8.1", "pm2_5")]["iso_unit"] == "ug/m3"
    assert float(rows[("EN: EN: AQ: 1C", "8.1", "pm2_5")]["value"]) == pytest.approx(
        values[("EN: EN: AQ: 1C", "pm2_5")]
    )
    # Close matches that convert carry their stated difference: ha per 100 000 inhabitants -> m2 per capita (x 0.1).
    park = rows[("EN: EN: PSN: 4A", "14.2", "value")]
    assert park["match"] == "close" and "ISO m2 per capita" in park["difference"]
    assert float(park["value"]) == pytest.approx(0.1 * values[("EN: EN: PSN: 4A", "value")])
    # CAIDI minutes -> hours.
    outage = rows[("EC: I: ES: 2C", "", "value")]
    assert float(outage["value"]) == pytest.approx(values[("EC: I: ES: 2C", "value")] / 60, rel=1e-8)  # type: ignore[operator]
    left = read(tmp_path / "left-out.csv")
    by_match = {m: [r for r in left if r["match"] == m] for m in ("related", "close", "none")}
    assert len(by_match["related"]) == 13 and len(by_match["none"]) == 11
    assert all(r["reason"] for r in left)
    broadband = next(r for r in left if r["u4ssc_code"] == "EC: ICT: ICT: 2C")
    assert "does not convert" in broadband["reason"]
    # Nothing of the crosswalk for this standard is lost: computed + left out = all its rows.
    standard = [r for r in crosswalk() if r.iso_standard == STANDARDS["iso37120"]]
    computed = {(r["u4ssc_code"], r["iso_number"], r["iso_name"].split(" (")[0]) for r in rows.values()}
    assert len(computed) + len(left) - len(by_match["none"]) == len(standard)


def test_sdg_view_per_indicator(workbook: tuple[Path, Assessment], tmp_path: Path) -> None:
    path, _ = workbook
    rows = export(path, "sdg-indicators", tmp_path)
    water = [r for r in rows if r["sdg_code"] == "6.1.1"]
    assert [(r["u4ssc_code"], r["match"], r["sdg_level"]) for r in water] == [("EC: I: WS: 2C", "exact", "indicator")]
    pm = {r["u4ssc_data_point"] for r in rows if r["sdg_code"] == "11.6.2"}
    assert pm == {"pm2_5", "pm10"}  # NO2, SO2 and O3 are not 11.6.2
    assert {r["sdg_level"] for r in rows} >= {"indicator", "goal"}
    assert all(r["city"] == "Vellmarsk" and r["year"] == "2024" for r in rows)


def test_shipped_conversions_each_name_one_crosswalk_row() -> None:
    found = links(Catalogue.load().kpis)
    assert len(found) == len(crosswalk())  # every crosswalk row is of a catalogue KPI
    computed = [k for k in found if k.factor is not None]
    assert {k.row.match for k in computed} == {"exact", "close"}
    assert sum(1 for k in computed if k.row.match == "exact") == 35  # the 44 exact rows less 9 SDG rows


def test_one_way_views_are_refused_on_import(workbook: tuple[Path, Assessment], tmp_path: Path) -> None:
    path, _ = workbook
    export(path, "iso37120", tmp_path / "iso")
    result = runner.invoke(app, ["import", str(tmp_path / "iso"), "-f", "iso37120", "-o", str(tmp_path / "back")])
    assert result.exit_code == 1
    assert "iso37120 is a one-way view written from U4SSC results; it cannot be imported" in result.output
    assert not (tmp_path / "back").exists()
