"""What reports say of their targets: which table the scores use (page 1), unusable targets, strengths, digits."""

from __future__ import annotations

import subprocess
from pathlib import Path

from citykpi.framework.catalogue import Catalogue
from citykpi.model.assessment import Assessment, ResultStatus
from citykpi.report import render
from citykpi.report.comparison import compared
from citykpi.report.content import build
from citykpi.report.i18n import number
from citykpi.report.pages import city_html, compare_html
from citykpi.report.recommendations import read_recommendations
from citykpi.scoring.targetfiles import default_target_set
from citykpi.scoring.targets import Target, TargetBook, TargetSet

PUBLIC = "Scores use the public reference targets compiled by citykpi"
LOADED = "Scores use the targets loaded for this report: Pully local targets."


def first_page(page: str, tmp_path: Path) -> str:
    out = tmp_path / "r.pdf"
    render.pdf(page, out)
    text = subprocess.run(
        ["pdftotext", "-f", "1", "-l", "1", str(out), "-"], capture_output=True, text=True, check=True
    )
    return " ".join(text.stdout.split())


def masthead(page: str) -> str:
    return " ".join(page.split('<header class="masthead">', 1)[1].split("</header>", 1)[0].split())


def test_page_one_of_every_report_names_the_targets_the_scores_use(
    history: list[Assessment], book: TargetBook, catalogue: Catalogue, tmp_path: Path
) -> None:
    report = build(history, catalogue.kpis, book)
    recommendations, _ = read_recommendations()
    pages = [city_html(report, kind, "en", recommendations) for kind in ("snapshot", "verification", "profile")]
    for page in [*pages, compare_html([compared(report.history, catalogue.kpis, book)], book.names)]:
        assert PUBLIC in masthead(page)
    assert PUBLIC in first_page(pages[0], tmp_path)
    local = TargetSet(
        id="pully",
        name="Pully local targets",
        targets=[Target(kpi="EN: EN: AQ: 1C", data_point="pm10", level=3, value=20, direction="lower", source="OAPC")],
    )
    mixed = build(history, catalogue.kpis, TargetBook([default_target_set(), local]))
    text = first_page(city_html(mixed, "snapshot", "en"), tmp_path)
    assert LOADED in text and "Data points these do not cover use the public reference targets." in text
    only = build(history, catalogue.kpis, TargetBook([local]))
    text = masthead(city_html(only, "verification", "en"))
    assert LOADED in text and "public reference targets" not in text


def test_an_annual_mean_is_not_scored_against_a_short_term_guideline(
    history: list[Assessment], book: TargetBook, catalogue: Catalogue
) -> None:
    report = build(history, catalogue.kpis, book)
    o3 = next(i for i in report.card.items if i.key == ("EN: EN: AQ: 1C", "o3"))
    assert o3.result.has_value and o3.benchmark is None and o3.points is None
    page = city_html(report, "snapshot", "en")
    assert (
        "A target of 60 is not used: the target is a peak-season mean value; the KPI asks for the annual mean." in page
    )
    assert "A target of 40 is not used: the target is a 24-hour value; the KPI asks for the annual mean." in page


def test_strengths_are_categories_at_66_percent_or_more(
    history: list[Assessment], book: TargetBook, catalogue: Catalogue
) -> None:
    report = build(history, catalogue.kpis, book)
    assert report.strengths and all((g.percent or 0) >= 66 for g in report.strengths)
    # A city whose every scored value is far from its target has no strength to list.
    weak = [
        history[-1].model_copy(
            update={
                "results": [
                    r.model_copy(update={"value": 0.0, "value_text": None}) if r.value is not None else r
                    for r in history[-1].results
                ]
            }
        )
    ]
    poor = build(weak, catalogue.kpis, book)
    assert [g for g in poor.ranked_categories() if (g.percent or 0) < 66] and all(
        (g.percent or 0) >= 66 for g in poor.strengths
    )
    page = city_html(poor, "snapshot", "en")
    strengths = page.split("Strengths</h3>", 1)[1].split("</ul>", 1)[0]
    for g in poor.ranked_categories():
        if (g.percent or 0) < 66:
            assert f"{g.name} (" not in strengths


def test_small_values_keep_their_significant_digits(
    history: list[Assessment], book: TargetBook, catalogue: Catalogue
) -> None:
    assert number(0.001, "en", 2) == "0.001" and number(0.00123, "fr", 2) == "0,0012" and number(0.0, "en", 2) == "0"
    first = next(r for r in history[-1].results if r.status is ResultStatus.REPORTED and r.value is not None)
    tiny = history[-1].model_copy(
        update={"results": [r.model_copy(update={"value": 0.001}) if r is first else r for r in history[-1].results]}
    )
    page = city_html(build([tiny], catalogue.kpis, book), "snapshot", "en")
    row = page.split(f'<td class="code">{first.code}</td>', 1)[1].split("</tr>", 1)[0]
    assert '<td class="num">0.001' in row


def test_snapshot_table_keeps_status_and_unit_apart_and_explains_targets_and_points(
    history: list[Assessment], book: TargetBook, catalogue: Catalogue, tmp_path: Path
) -> None:
    latest = history[-1]
    broken = next(r for r in latest.results if r.has_value and r.unit == "Percentage")
    failed = broken.model_copy(
        update={"status": ResultStatus.ERROR, "value": None, "reason": "zero denominator: households is 0"}
    )
    errored = latest.model_copy(update={"results": [failed if r is broken else r for r in latest.results]})
    page = city_html(build([errored], catalogue.kpis, book), "snapshot", "en")
    row = page.split(f'<td class="code">{broken.code}</td>', 1)[1].split("</tr>", 1)[0]
    assert 'colspan="2"' in row and "Error: zero denominator: households is 0" in row
    assert "Target: ≥ the value to reach or pass" in page and "Points: 4 at 95 % of the target or more" in page
    assert "≥ " in page or "≤ " in page
    out = tmp_path / "s.pdf"
    render.pdf(page, out)
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True, check=True).stdout
    assert "Not reportedPercentage" not in text and "ErrorPercentage" not in text
    assert "Not reported" in text and "zero denominator" in text
