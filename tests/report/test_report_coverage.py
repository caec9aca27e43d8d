"""Every score in the City Snapshot says what it covers: scored, reported and framework data points."""

from __future__ import annotations

import re
from collections.abc import Callable

from citykpi.framework.catalogue import Catalogue
from citykpi.model.assessment import Assessment
from citykpi.report.comparison import compared
from citykpi.report.content import build
from citykpi.report.pages import city_html, compare_html
from citykpi.report.recommendations import read_recommendations
from citykpi.scoring.scorecard import GroupLevel
from citykpi.scoring.targets import TargetBook


def _cards(page: str) -> dict[str, str]:
    """Dimension name -> the text of its card in the scores section."""
    found = re.findall(r'<div class="card">\s*<div class="label">([^<]+)</div>(.*?)</div>\s*</div>', page, re.S)
    return {name: re.sub(r"<[^>]+>", "", body) for name, body in found}


def test_snapshot_cards_and_wheel_centre_give_coverage_beside_the_score(
    history: list[Assessment], catalogue: Catalogue, book: TargetBook
) -> None:
    report = build(history, catalogue.kpis, book)
    card = report.card
    page = city_html(report, "snapshot")
    cards = _cards(page)
    for group in card.level(GroupLevel.DIMENSION):
        c = group.coverage
        assert 0 < c.scored < c.reported < c.framework  # the fixture leaves some out at each step
        text = cards[group.name]
        assert f"{group.percent:.0f} %" in text
        assert f"{c.scored} of {c.reported} reported data points scored; {c.framework} in the framework" in text
    assert sum(g.coverage.framework for g in card.level(GroupLevel.DIMENSION)) == card.city.coverage.framework
    wheel = page.split('<figure class="wheel">', 1)[1].split("</figure>", 1)[0]
    city = card.city.coverage
    assert card.city.percent is not None
    for words in (f"{card.city.percent:.0f} %", f"{city.scored} of {city.reported} reported scored"):
        assert f">{words}</text>" in wheel
    assert f">{city.framework} in the framework</text>" in wheel

    french = city_html(report, "snapshot", "fr")
    assert f"{city.scored} notés sur {city.reported} déclarés</text>" in french
    fr_cards = _cards(french)
    economy = card.group(GroupLevel.DIMENSION, "Economy")
    assert economy is not None
    e = economy.coverage
    assert (
        f"{e.scored} points de données notés sur {e.reported} communiqués ; {e.framework} dans le cadre"
        in (fr_cards["Économie"])
    )


def test_compare_report_gives_each_city_score_its_coverage(
    make_history: Callable[..., list[Assessment]], catalogue: Catalogue, book: TargetBook
) -> None:
    reports = [build(make_history(name, seed=seed), catalogue.kpis, book) for name, seed in (("Alpha", 1), ("Beta", 2))]
    page = compare_html([compared(r.history, catalogue.kpis, book) for r in reports], book.names)
    assert "Under each score: data points scored / reported / in the framework" in page
    for report in reports:
        row = page.split(f"<b>{report.latest.profile.city}</b>", 1)[1].split("</tr>", 1)[0]
        for group in [*report.card.level(GroupLevel.DIMENSION), report.card.city]:
            c = group.coverage
            assert f'<div class="note">{c.scored} / {c.reported} / {c.framework}</div>' in row
        assert len(re.findall(r"\d+ / \d+ / \d+", row)) == 4  # three dimensions and the city


def test_profile_gives_each_subdimension_score_its_coverage(
    history: list[Assessment], catalogue: Catalogue, book: TargetBook
) -> None:
    report = build(history, catalogue.kpis, book)
    recommendations, _ = read_recommendations()
    assert recommendations is not None and report.progress is not None  # the table is shown with progress
    page = city_html(report, "profile", "en", recommendations)
    for group in report.card.level(GroupLevel.SUBDIMENSION):
        row = page.split(f"<tr><td>{group.name}</td>", 1)[1].split("</tr>", 1)[0]
        c = group.coverage
        assert f"{c.scored} of {c.reported} reported data points scored; {c.framework} in the framework" in row
