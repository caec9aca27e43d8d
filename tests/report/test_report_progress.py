"""Progress in the reports: words that fit whether a target exists, a legend beside them, and no
projected year that is not ahead of the data."""

from __future__ import annotations

import re

from citykpi.framework.catalogue import Catalogue
from citykpi.model.assessment import Assessment, ResultStatus
from citykpi.report.content import build
from citykpi.report.pages import city_html
from citykpi.scoring.targets import TargetBook

PM10 = ("EN: EN: AQ: 1C", "pm10")


def with_pm10(history: list[Assessment], values: list[float]) -> list[Assessment]:
    """The history with PM10 replaced by `values`, one a year (the shipped target is WHO's 15 µg/m³)."""
    out = []
    for assessment, value in zip(history, values, strict=True):
        results = [
            r.model_copy(update={"value": value, "status": ResultStatus.REPORTED})
            if (r.code, r.data_point) == PM10
            else r
            for r in assessment.results
        ]
        out.append(assessment.model_copy(update={"results": results}))
    return out


def test_met_then_missed_reads_deterioration_without_a_target_year(
    history: list[Assessment], catalogue: Catalogue, book: TargetBook
) -> None:
    assert book.benchmark(*PM10) is not None and book.benchmark(*PM10).numeric == 15
    report = build(with_pm10(history, [12.0, 10.0, 17.0]), catalogue.kpis, book)
    p = report.progress.item(*PM10) if report.progress else None
    assert p is not None and p.status.value == "deterioration" and p.projected_year is None
    page = city_html(report, "snapshot")
    rows = [r for r in re.findall(r"<tr>.*?</tr>", page, flags=re.S) if "– PM10 annual mean concentration" in r]
    (row,) = rows
    assert "Deterioration" in row and "target in" not in row


def test_words_follow_the_target_and_the_legend_explains_those_shown(
    history: list[Assessment], catalogue: Catalogue, book: TargetBook
) -> None:
    report = build(history, catalogue.kpis, book)
    assert report.progress is not None
    items = list(report.progress.items.values())
    on_track = sum(1 for p in items if p.status.value == "substantial_progress" and p.with_target)
    substantial = sum(1 for p in items if p.status.value == "substantial_progress" and not p.with_target)
    assert substantial > 0  # the fixture city improves on KPIs without a target too
    page = city_html(report, "snapshot")
    kpi_rows = page.split("All KPIs", 1)[1]
    assert kpi_rows.count("</b> On track</span>") == on_track
    assert kpi_rows.count("</b> Substantial progress</span>") == substantial
    legend = re.search(r'<p class="note legend">(.*?)</p>', kpi_rows, flags=re.S)
    assert legend is not None
    assert "<b>Substantial progress</b>: no target; improving by 1.5% a year or more" in legend.group(1)
    shown = {p.status.value for p in items}
    assert ("<b>Target achieved</b>" in legend.group(1)) == ("target_achieved" in shown)
    if any(p.projected_year for p in items):
        assert "target in YEAR: the year the target is reached" in legend.group(1)
    for year in re.findall(r"target in (\d{4})", kpi_rows):
        assert int(year) > report.years[-1]
    first_page = page.split("All KPIs", 1)[0]
    assert 'class="note legend"' in first_page  # the dimension cards' words are explained where they are


def test_a_trend_line_per_data_point_of_two_years_or_more(
    history: list[Assessment], catalogue: Catalogue, book: TargetBook
) -> None:
    report = build(history, catalogue.kpis, book)
    page = city_html(report, "snapshot").split("All KPIs", 1)[1]
    expected = [i for g in report.kpis for i in g.items if len(report.trend(i)) > 1 and not i.result.value_text]
    assert expected and page.count('<svg class="spark"') == len(expected)
    item = expected[0]
    (label,) = re.findall(r'<svg class="spark"[^>]*aria-label="([^"]*)"', page)[:1]
    assert [int(y) for y in re.findall(r"(\d{4}): ", label)] == [y for y, _ in report.trend(item)]


def test_sparkline_puts_higher_values_higher_and_the_target_dashed() -> None:
    from citykpi.report.sparkline import sparkline

    drawn = str(sparkline([(2019, 10.0), (2021, 20.0), (2023, 15.0)], 30.0, "PM10 <b>"))
    ys = [float(p.split(",")[1]) for p in re.search(r'polyline points="([^"]+)"', drawn).group(1).split()]
    assert ys[1] < ys[2] < ys[0]  # 20 above 15 above 10
    target_y = float(re.search(r'<line [^>]*y1="([\d.]+)"', drawn).group(1))
    assert target_y < min(ys)  # 30 is above every value
    assert "stroke-dasharray" in drawn and 'aria-label="PM10 &lt;b&gt;"' in drawn
    assert "<line" not in str(sparkline([(2019, 1.0), (2020, 1.0)], None, "flat"))
