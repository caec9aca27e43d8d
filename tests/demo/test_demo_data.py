"""The demo data set: reproducible, plausible, and the broken workbook fails where it was broken."""

from __future__ import annotations

from pathlib import Path

import pytest

from citykpi.assess import assess, summary
from citykpi.collect.readers import read_any
from citykpi.collect.tidy import write_csv
from citykpi.demo.cities import CITIES, city
from citykpi.demo.errors import SLIPS, spoil
from citykpi.demo.generate import generate
from citykpi.demo.workbook import write_filled
from citykpi.framework.catalogue import Catalogue
from citykpi.model.assessment import ResultStatus
from citykpi.validate.files import check_file


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return Catalogue.load()


def test_generation_is_deterministic(catalogue: Catalogue, tmp_path: Path) -> None:
    kpis = list(catalogue.kpis.values())
    first = write_csv(generate(kpis, city("Lotusgate"), 2022), tmp_path / "a.csv").read_bytes()
    second = write_csv(generate(kpis, city("Lotusgate"), 2022), tmp_path / "b.csv").read_bytes()
    assert first == second
    other_year = write_csv(generate(kpis, city("Lotusgate"), 2023), tmp_path / "c.csv").read_bytes()
    assert other_year != first


def test_cities_have_their_size_and_improve_over_the_years(catalogue: Catalogue) -> None:
    kpis = list(catalogue.kpis.values())
    sizes = {spec.name: generate(kpis, spec, 2021).profile.population for spec in CITIES}
    assert 15_000 < sizes["Vellmarsk"] < 25_000
    assert 8_000_000 < sizes["Lotusgate"] < 10_000_000
    assert 600_000 < sizes["Nyasoka"] < 1_000_000
    early = summary(assess(generate(kpis, city("Nyasoka"), 2021), catalogue)).total
    late = summary(assess(generate(kpis, city("Nyasoka"), 2024), catalogue)).total
    assert late.kpis_reported > early.kpis_reported  # declared data gaps close over the years


def test_demo_cities_show_every_status_but_error(catalogue: Catalogue) -> None:
    results = assess(generate(list(catalogue.kpis.values()), city("Nyasoka"), 2022), catalogue).results
    statuses = {r.status for r in results}
    assert statuses == {
        ResultStatus.COMPUTED,
        ResultStatus.REPORTED,
        ResultStatus.NOT_AVAILABLE,
        ResultStatus.NOT_APPLICABLE,
        ResultStatus.NOT_REPORTED,
    }
    partial = summary(assess(generate(list(catalogue.kpis.values()), city("Nyasoka"), 2022), catalogue)).partial
    assert [(p.code, p.missing) for p in partial] == [("EN: EN: AQ: 1C", ["so2", "o3"])]


def test_template_fill_validate_assess_gives_the_generated_values(catalogue: Catalogue, tmp_path: Path) -> None:
    submission = generate(list(catalogue.kpis.values()), city("Puerto Quimera"), 2023)
    path = write_filled(catalogue, submission, tmp_path / "pq.xlsx")
    read, report = read_any(path, catalogue)
    assert report.valid, [str(d) for d in report.errors]
    assert read is not None
    direct = assess(submission, catalogue).results
    via_workbook = assess(read, catalogue).results
    assert [(r.code, r.data_point, r.status, r.value_text) for r in via_workbook] == [
        (r.code, r.data_point, r.status, r.value_text) for r in direct
    ]
    for got, want in zip(via_workbook, direct, strict=True):
        assert got.value == (want.value if want.value is None else pytest.approx(want.value, rel=1e-9))
    assert sum(r.has_value for r in via_workbook) > 100


def test_the_broken_workbook_fails_with_each_planted_error_where_it_was_planted(
    catalogue: Catalogue, tmp_path: Path
) -> None:
    path = write_filled(catalogue, generate(list(catalogue.kpis.values()), city("Nyasoka"), 2024), tmp_path / "b.xlsx")
    spoil(path)
    checked = check_file(path, catalogue)
    report = checked.report
    assert not report.valid
    found = {(d.type, d.location.kpi) for d in report.errors}
    planted = {(s.expected_type, s.cells.get("kpi", s.row[0])) for s in SLIPS}
    assert found == planted
    assert all(d.location.sheet and (d.location.cell or d.location.row) for d in report.errors)
    assert checked.submission is not None  # a located error still leaves the rest of the file readable
