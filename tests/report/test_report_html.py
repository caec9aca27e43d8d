"""Report pages from assessments made by the real engine: content, escaping, translation."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from citykpi.framework.catalogue import Catalogue
from citykpi.model.assessment import Assessment
from citykpi.report.comparison import compared
from citykpi.report.content import build
from citykpi.report.pages import city_html, compare_html
from citykpi.report.recommendations import read_recommendations
from citykpi.scoring.targets import TargetBook

VERIFICATION_SECTIONS = [
    "Introduction",
    "KPI reporting and verification summary",
    "Data-point reporting and verification summary",
    "City performance benchmark",
    "Benchmarks and scoring methodology",
    "Verification results per dimension",
    "KPIs not reported",
    "KPIs not verified",
    "Next steps",
]


def test_snapshot_lists_every_kpi_with_progress_and_sdg_view(
    history: list[Assessment], catalogue: Catalogue, book: TargetBook
) -> None:
    report = build(history, catalogue.kpis, book)
    page = city_html(report, "snapshot")
    for code in catalogue.kpis:
        assert f'<td class="code">{code}</td>' in page
    # one table row per data point
    assert page.count('<td class="code">') == sum(len(k.data_points) for k in catalogue.kpis.values())
    titles = ("City profile", "Benchmarking wheel", "Scores by dimension", "Strengths", "Weakest areas", "SDG view")
    for title in titles:
        assert f">{title}<" in page
    assert "Progress 2019–2023" in page
    statuses = {p.status.value for p in report.progress.items.values()} if report.progress else set()
    assert len(statuses) >= 3  # the fixture city moves in several directions
    assert "<svg" in page and "http://" not in page.split("<svg", 1)[0]  # no external resource before the chart


def test_single_year_report_says_progress_needs_more_years(
    make_history: Callable[..., list[Assessment]], catalogue: Catalogue, book: TargetBook
) -> None:
    report = build(make_history("Oneyear"), catalogue.kpis, book)
    assert report.progress is None
    page = city_html(report, "snapshot")
    assert page.count("No progress is shown: it needs values of two years or more") == 1  # said once, not per row
    assert "one year only" not in page and "<th>Progress</th>" not in page


def test_markup_in_user_text_stays_text(
    make_history: Callable[..., list[Assessment]], catalogue: Catalogue, book: TargetBook
) -> None:
    evil = "<script>alert(1)</script>"
    report = build(make_history(evil), catalogue.kpis, book)
    recommendations, _ = read_recommendations()
    pages = [city_html(report, kind, "en", recommendations) for kind in ("snapshot", "verification", "profile")]
    pages.append(compare_html([compared(report.history, catalogue.kpis, book)], book.names))
    for page in pages:
        assert "<script>alert" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
        # no script at all: tooltips are the charts' own SVG titles
        assert re.findall(r"<script[ >]", page) == []


def test_verification_report_has_the_published_sections(
    history: list[Assessment], catalogue: Catalogue, book: TargetBook
) -> None:
    report = build(history, catalogue.kpis, book)
    page = city_html(report, "verification")
    positions = [page.find(section) for section in VERIFICATION_SECTIONS]
    assert all(p > 0 for p in positions) and positions == sorted(positions)
    total = report.verification()[-1]
    assert total.kpis == len(catalogue.kpis)
    assert total.data_points_reported == sum(1 for r in history[-1].results if r.has_value)
    for group in report.not_verified:
        assert group.code in page
    # made from workbooks: the status is the workbook's column, and there is no query log to show
    assert "verification column of the city" in page and "Query log" not in page


def test_profile_recommends_for_the_weakest_subdimensions(
    history: list[Assessment], catalogue: Catalogue, book: TargetBook
) -> None:
    report = build(history, catalogue.kpis, book)
    recommendations, _ = read_recommendations()
    assert recommendations is not None
    page = city_html(report, "profile", "en", recommendations)
    weakest = report.weakest_subdimensions(3)
    assert weakest
    for sub in weakest:
        themes = [r.theme for r in recommendations.recommendations if r.subdimension == sub.name]
        assert any(theme in page for theme in themes), sub.name


def test_french_report(history: list[Assessment], catalogue: Catalogue, book: TargetBook) -> None:
    page = city_html(build(history, catalogue.kpis, book), "snapshot", "fr")
    assert '<html lang="fr">' in page
    for words in ("Roue de référence", "Scores par dimension", "Économie", "Tous les ICP", "Vue ODD"):
        assert words in page
    assert "Benchmarking wheel" not in page


def test_compare_puts_cities_side_by_side(
    make_history: Callable[..., list[Assessment]], catalogue: Catalogue, book: TargetBook
) -> None:
    reports = [build(make_history(name, seed=seed), catalogue.kpis, book) for name, seed in (("Alpha", 1), ("Beta", 2))]
    page = compare_html([compared(r.history, catalogue.kpis, book) for r in reports], book.names)
    assert page.count("<b>Alpha</b>") == 1 and page.count("<b>Beta</b>") == 1
    for code in catalogue.kpis:
        assert f'<td class="code">{code}</td>' in page


def test_verification_summaries_count_not_applicable_kpis_apart_from_not_reported(
    history: list[Assessment], catalogue: Catalogue, book: TargetBook
) -> None:
    from citykpi.model.assessment import ResultStatus

    code = "EC: I: T: 7A"  # shared vehicles: a city without car sharing declares it not applicable
    latest = history[-1]
    results = [
        r.model_copy(update={"status": ResultStatus.NOT_APPLICABLE, "value": None, "value_text": None})
        if r.code == code
        else r
        for r in latest.results
    ]
    report = build([latest.model_copy(update={"results": results})], catalogue.kpis, book)
    total = report.verification()[-1]
    applicable_missing = sum(1 for k in report.kpis if not k.reported and k.code != code)
    assert total.kpis_not_applicable >= 1 and total.kpis_not_reported == applicable_missing
    assert total.kpis == total.kpis_reported + total.kpis_not_applicable + total.kpis_not_reported
    page = city_html(report, "verification")
    summary = page.split("KPI reporting and verification summary", 1)[1].split("</table>", 1)[0]
    cells = f'<td class="num">{total.kpis_reported}</td><td class="num">{total.kpis_not_applicable}</td>'
    assert "Not applicable" in summary and cells in summary


def test_verification_pdf_has_no_nearly_blank_page(
    history: list[Assessment], catalogue: Catalogue, book: TargetBook, tmp_path: Path
) -> None:
    import subprocess

    from citykpi.report import render

    out = tmp_path / "verification.pdf"
    render.pdf(city_html(build(history, catalogue.kpis, book), "verification"), out)
    info = subprocess.run(["pdfinfo", str(out)], capture_output=True, text=True, check=True).stdout
    pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
    for page in range(1, pages):  # the last page ends the report wherever the text ends
        text = subprocess.run(
            ["pdftotext", "-f", str(page), "-l", str(page), str(out), "-"], capture_output=True, text=True, check=True
        ).stdout
        assert len(text) > 600, f"page {page} of {pages} holds only: {' '.join(text.split())[:200]}"
