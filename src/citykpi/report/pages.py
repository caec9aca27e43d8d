"""The report kinds: which template, which charts, which context."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from citykpi.report import charts, render
from citykpi.report.comparison import BARS_UP_TO, CITIES_PER_TABLE, ComparedCity, comparison
from citykpi.report.content import CityReport, dp_label, kinds_counted
from citykpi.report.i18n import translations
from citykpi.report.labels import KINDS
from citykpi.report.maturity import level_chart
from citykpi.report.recommendations import RecommendationSet, for_subdimension
from citykpi.report.wheel import legend, wheel_svg
from citykpi.scoring.comparison import RANK_MIN_SHARE
from citykpi.scoring.scorecard import GroupLevel
from citykpi.scoring.targetfiles import default_target_set

WEAKEST_SUBDIMENSIONS = 3
# Side-by-side tables in one part of a comparison PDF: about 150 MiB of layout (report/render.pdf_of_parts).
TABLES_PER_PART = 4
WEAK_BELOW = 66.0  # a category under 66 % of the maximum points counts as weak for recommendations


def _translator(lang: str) -> Callable[[str], str]:
    return translations(lang).gettext


def _basis(target_sets: list[str]) -> dict[str, Any]:
    """Which targets the scores stand on, for page 1: the public reference set or sets the user loaded."""
    public = default_target_set().name
    return {"loaded_sets": [n for n in target_sets if n != public], "uses_public": public in target_sets}


def _common(report: CityReport, kind: str, lang: str) -> dict[str, Any]:
    _ = _translator(lang)
    profile = report.latest.profile
    return {
        "report": report,
        "title": profile.city,
        "kind_label": _(KINDS[kind]),
        "target_sets": report.target_sets,
        **_basis(report.target_sets),
        "target_kinds": report.target_kinds,
        "sources": report.sources,
        "dp_label": dp_label,
        "wheel": wheel_svg(report.card, lang),
        "wheel_legend": legend(_),
        "subdimension_chart": render.svg(charts.group_bars(report.card.level(GroupLevel.SUBDIMENSION), _)),
        "maturity_chart": render.svg(level_chart(report.maturity, _)) if report.maturity else "",
    }


def _profile_context(
    report: CityReport, recommendations: RecommendationSet, city: Mapping[str, str], lang: str
) -> dict[str, Any]:
    weakest = report.weakest_subdimensions(WEAKEST_SUBDIMENSIONS)
    advice = []
    for sub in weakest:
        # Only categories the city reported and that scored weak: an unreported one is not "weak".
        categories = [
            g
            for g in report.card.level(GroupLevel.CATEGORY)
            if g.path[:2] == sub.path and g.percent is not None and g.percent < WEAK_BELOW
        ]
        advice.append((sub, categories, for_subdimension(recommendations, sub.name, report.card, city)))
    kinds = recommendations.contexts
    _ = _translator(lang)
    pair = _("%(kind)s: %(value)s")  # French puts a space before the colon

    def said(kind: str, values: list[str]) -> str:
        value = ", ".join(kinds[kind].values[v].said(lang) for v in values)
        return pair % {"kind": kinds[kind].name.said(lang), "value": value}

    return {
        "advice": advice,
        "recommendation_set": recommendations,
        "tags": lambda r: [said(k, values) for k, values in r.context.items()],
        "context_given": [said(k, [v]) for k, v in city.items()],
        "context_untold": [kinds[k].name.said(lang) for k in kinds if k not in city],
    }


def city_html(
    report: CityReport,
    kind: str,
    lang: str = "en",
    recommendations: RecommendationSet | None = None,
    city: Mapping[str, str] | None = None,
) -> str:
    """`city`: the city's context tags (income group, main pollution source) for the profile's recommendations."""
    context = _common(report, kind, lang)
    if kind == "profile":
        if recommendations is None:
            raise ValueError("the SSC City Profile needs a recommendations set")
        context.update(_profile_context(report, recommendations, city or {}, lang))
    return render.html(f"{kind}.html", lang, **context)


def compare_html(cities: Sequence[ComparedCity], target_sets: list[str], lang: str = "en") -> str:
    """The whole comparison as one page (the HTML report)."""
    (page,) = compare_parts(cities, target_sets, lang)
    return page


def compare_parts(
    cities: Sequence[ComparedCity], target_sets: list[str], lang: str, tables_per_part: int = 0
) -> list[str]:
    """The comparison as one document, or for a PDF laid out part by part as documents of at most
    `tables_per_part` side-by-side tables, the first with the score tables and the chart.

    Every side-by-side table after the first starts a page, so the parts joined break their pages
    where the one document would. Parts draw no page footer: no part knows the others' pages, so
    `compare_footers` draws them over the joined pages (`render.pdf_of_parts`).
    """
    _ = _translator(lang)
    compared = comparison(cities)
    dims = [(row.city.place_label, row.city.dimensions) for row in compared.rows]
    chunks = compared.chunks()
    step = tables_per_part or len(chunks) or 1
    shares = [chunks[i : i + step] for i in range(0, len(chunks), step)] or [[]]
    common = {
        "comparison": compared,
        "title": _("City comparison"),
        "kind_label": _("Comparison"),
        "target_sets": target_sets,
        **_basis(target_sets),
        "target_kinds": kinds_counted(c.kinds for c in cities),
        "codes": compared.codes(),
        "rank_min_share": RANK_MIN_SHARE,
        "footed": len(shares) == 1,
        "footer_pages": 0,
        "per_table": CITIES_PER_TABLE,
    }
    chart = render.svg(charts.compare_chart(dims, _, BARS_UP_TO))
    return [
        render.html(
            "compare.html",
            lang,
            **common,
            intro=n == 0,
            last=n == len(shares) - 1,
            chart=chart if n == 0 else "",
            chunks=share,
        )
        for n, share in enumerate(shares)
    ]


def compare_footers(pages: int, lang: str) -> str:
    """`pages` blank pages of the comparison's size with its footer (title, page n of `pages`) on a
    transparent page, to be drawn over the joined parts."""
    _ = _translator(lang)
    return render.html(
        "compare.html", lang, title=_("City comparison"), footed=True, footer_pages=pages, intro=False, last=False
    )
