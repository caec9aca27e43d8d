"""The comparison report is fair by default: common basis, unranked sparse cities, years apart,
a chart in one neutral colour."""

from __future__ import annotations

import re
from collections.abc import Callable

from citykpi.framework.catalogue import Catalogue
from citykpi.model.assessment import Assessment, ResultStatus
from citykpi.report.charts import NEUTRAL
from citykpi.report.comparison import compared
from citykpi.report.content import build
from citykpi.report.pages import compare_html
from citykpi.report.style import BAND_COLOURS
from citykpi.scoring.targets import TargetBook


def sparse(history: list[Assessment], keep: int) -> list[Assessment]:
    """The same city reporting only its first `keep` data points in its latest year."""
    latest = history[-1]
    results = [
        r if n < keep else r.model_copy(update={"value": None, "value_text": None, "status": ResultStatus.NOT_REPORTED})
        for n, r in enumerate(latest.results)
    ]
    return [*history[:-1], latest.model_copy(update={"results": results})]


def rows_of(page: str) -> list[str]:
    return re.findall(r"<tr><td class=\"num\">(.*?)</tr>", page, re.S)


def test_sparse_city_is_shown_but_not_ranked_and_ranks_use_the_common_basis(
    make_history: Callable[..., list[Assessment]], catalogue: Catalogue, book: TargetBook
) -> None:
    reports = [build(make_history(name, seed=seed), catalogue.kpis, book) for name, seed in (("Alpha", 1), ("Beta", 2))]
    thin = build(sparse(make_history("Thin", seed=3), keep=12), catalogue.kpis, book)
    cities = [compared(r.history, catalogue.kpis, book) for r in [thin, *reports]]
    assert not cities[0].entrant.ranked and all(c.entrant.ranked for c in cities[1:])
    page = compare_html(cities, book.names)
    rows = rows_of(page)
    names = [re.search(r"<b>(\w+)</b>", row).group(1) for row in rows]  # type: ignore[union-attr]
    assert names[-1] == "Thin" and "not ranked" in rows[-1]
    # ranked rows carry 1 and 2, in the order of their common-basis scores
    common = {c.city: c for c in cities}
    alpha, beta = (common[n].entrant for n in ("Alpha", "Beta"))
    basis = set(alpha.points) & set(beta.points)
    percent = {n: 100 * sum(common[n].entrant.points[k] for k in basis) / (4 * len(basis)) for n in ("Alpha", "Beta")}
    assert names[:2] == sorted(percent, key=lambda n: -percent[n])
    assert rows[0].startswith("1</td>") and rows[1].startswith("2</td>")
    assert f"common basis of {len(basis)} data points" in page
    assert f"{percent[names[0]]:.0f} %" in rows[0].split("common data points")[0]
    assert "draft" in rows[0] or "verified" in rows[0]
    assert "Completeness" in page and f"of {len(catalogue.kpis)} KPIs" in rows[0]


def test_years_are_told_apart_and_the_chart_uses_no_band_colour(
    make_history: Callable[..., list[Assessment]], catalogue: Catalogue, book: TargetBook
) -> None:
    old = build(make_history("Oldtown", years=(2021,), seed=4), catalogue.kpis, book)
    new = [build(make_history(name, seed=seed), catalogue.kpis, book) for name, seed in (("Alpha", 1), ("Beta", 2))]
    page = compare_html([compared(r.history, catalogue.kpis, book) for r in [old, *new]], book.names)
    assert "The cities' latest years differ:" in page and "2023: 2 cities; 2021: 1 city" in page
    headings = re.findall(r"<h3>(\d{4}): (\d+) cit", page)
    assert headings == [("2023", "2"), ("2021", "1")]
    # Oldtown is ranked first of its own year, not among the 2023 cities
    table_2021 = page.split("<h3>2021:", 1)[1].split("</table>", 1)[0]
    assert "<b>Oldtown</b>" in table_2021 and 'class="num">1</td>' in table_2021
    chart = page.split('<div class="chart">', 1)[1].split("</div>", 1)[0]
    assert "<svg" in chart and NEUTRAL in chart
    assert not any(colour in chart.lower() for colour in BAND_COLOURS.values())
