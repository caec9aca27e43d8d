"""Two cities named London, in two countries: `assess`, `compare` and `report` keep them apart."""

from __future__ import annotations

import csv
import json
from dataclasses import replace
from pathlib import Path

import pytest
from typer.testing import CliRunner

from citykpi.cli import app
from citykpi.collect.tidy import write_csv
from citykpi.demo.cities import city
from citykpi.demo.generate import generate
from citykpi.framework.catalogue import Catalogue
from citykpi.scoring.derive import by_city
from citykpi.validate.files import assessed_or_raise

runner = CliRunner(env={"COLUMNS": "200"})


@pytest.fixture(scope="module")
def londons(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """London, United Kingdom and London, Canada in 2016, and London, Canada in 2015 too."""
    folder = tmp_path_factory.mktemp("londons")
    kpis = list(Catalogue.load().kpis.values())
    uk = replace(city("Vellmarsk"), name="London", country="United Kingdom")
    canada = replace(city("Lotusgate"), name="London", country="Canada")
    return {
        "uk-2016": write_csv(generate(kpis, uk, 2016), folder / "london-uk-2016.csv"),
        "ca-2016": write_csv(generate(kpis, canada, 2016), folder / "london-ca-2016.csv"),
        "ca-2015": write_csv(generate(kpis, canada, 2015), folder / "london-ca-2015.csv"),
    }


def run(*args: str | Path) -> tuple[int, str]:
    result = runner.invoke(app, [str(a) for a in args])
    return result.exit_code, result.output


def test_assess_writes_one_folder_per_country_with_the_country_in_its_name(
    londons: dict[str, Path], tmp_path: Path
) -> None:
    code, output = run("assess", londons["uk-2016"], londons["ca-2016"], londons["ca-2015"], "-o", tmp_path)
    assert code == 0, output
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["london-canada-2015", "london-canada-2016", "london-united-kingdom-2016"]
    countries = {
        name: json.loads((tmp_path / name / "kpis.json").read_text(encoding="utf-8"))["profile"]["country"]
        for name in names
    }
    assert countries == {
        "london-canada-2015": "Canada",
        "london-canada-2016": "Canada",
        "london-united-kingdom-2016": "United Kingdom",
    }
    with (tmp_path / "london-canada-2016" / "kpis.csv").open(encoding="utf-8") as handle:
        assert len(list(csv.DictReader(handle))) == 112


def test_assess_still_refuses_the_same_city_country_and_year_twice(londons: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "out"
    code, output = run("assess", londons["uk-2016"], londons["ca-2016"], londons["uk-2016"], "-o", out)
    assert code == 1
    assert "both London, United Kingdom 2016" in output and "Nothing written" in output
    assert not out.exists()


def test_compare_shows_two_rows_with_their_countries(londons: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "compare.html"
    code, output = run("compare", londons["uk-2016"], londons["ca-2016"], "-o", out)
    assert code == 0, output
    page = out.read_text(encoding="utf-8")
    assert page.count("<td><b>London</b></td>") == 2  # one row each, after its rank
    assert "<td>United Kingdom</td>" in page and "<td>Canada</td>" in page
    assert "London, United Kingdom 2016</th>" in page and "London, Canada 2016</th>" in page


def test_report_builds_no_trend_across_two_countries(londons: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    code, output = run("report", londons["ca-2015"], londons["uk-2016"], "-o", out)
    assert code == 1
    assert "2 cities (London, Canada 2015; London, United Kingdom 2016)" in output
    assert "a city is its name and its country" in output
    assert not out.exists()


def test_report_of_one_london_over_two_years_is_a_trend(londons: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    code, output = run("report", londons["ca-2015"], londons["ca-2016"], "-o", out)
    assert code == 0, output
    assert "London [2015, 2016]" in output
    assert "Progress 2015–2016" in out.read_text(encoding="utf-8")


def test_leading_city_samples_count_each_london_once(londons: dict[str, Path]) -> None:
    catalogue = Catalogue.load()
    assessments = [assessed_or_raise(path, catalogue) for path in londons.values()]
    cities = by_city(assessments)
    assert sorted(cities) == [("London", "Canada"), ("London", "United Kingdom")]
    assert [a.profile.year for a in cities[("London", "Canada")]] == [2015, 2016]
