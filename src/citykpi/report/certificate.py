"""The certificate of completion as a document a city can print and frame.

The document states only what the platform recorded: who decided, when the period was declared
verified, the figures and the rule in force. The rule is written out from the `CertificateRule`
itself, because U4SSC publishes no threshold and a reader must see which assumption was applied;
a reference (period id and a digest of the certified state) lets a printed copy be checked.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from babel.dates import format_date
from babel.numbers import format_percent
from pydantic import BaseModel, Field

from citykpi.model.completion import CertificateDecision, CertificateRule, Completion, Tally
from citykpi.report import render
from citykpi.report.i18n import translations
from citykpi.report.labels import N_

# Level names as adjectives of "KPIs"; a whole phrase per combination so French agrees in number.
LEVEL_PHRASES: dict[tuple[str, ...], str] = {
    ("core",): N_("core KPIs"),
    ("advanced",): N_("advanced KPIs"),
    ("advanced", "core"): N_("core and advanced KPIs"),
}
LEVEL_NAMES = {"core": N_("Core"), "advanced": N_("Advanced")}


class CertificateFacts(BaseModel):
    """What an issued certificate states, gathered from the workflow's records by the platform."""

    city: str
    country: str = ""
    year: int
    framework: str
    framework_version: str
    decision: CertificateDecision = Field(description="The rule applied and how many KPIs meet it")
    completion: Completion
    verifiers: list[str] = Field(description="Who accepted or rejected KPIs of the period")
    verified_at: datetime = Field(description="When the period was declared verified")
    verified_by: str = Field(description="Who declared the period verified")
    reference: str = Field(description="Period id and a digest of the certified state")
    check_url: str = Field(default="", description="Where the platform shows the same reference")


def rule_text(rule: CertificateRule, lang: str) -> str:
    """The rule as one sentence, so the document never claims a rule other than the one applied."""
    _ = translations(lang).gettext
    levels = tuple(sorted(rule.levels))
    kpis = _(LEVEL_PHRASES[levels]) if levels in LEVEL_PHRASES else _("%(levels)s KPIs") % {"levels": ", ".join(levels)}
    condition = _condition(rule, _)
    words = {"kpis": kpis, "condition": condition}
    if rule.min_share >= 1:
        return _("All %(kpis)s %(condition)s.") % words
    share = format_percent(round(rule.min_share, 3), locale=lang, decimal_quantization=False)
    return _("At least %(share)s of the %(kpis)s %(condition)s.") % {"share": share, **words}


def _condition(rule: CertificateRule, _: Callable[[str], str]) -> str:
    if rule.not_applicable_counts:
        if rule.require_verified:
            return _("are reported or justified not applicable, and verified")
        return _("are reported or justified not applicable")
    return _("are reported and verified") if rule.require_verified else _("are reported")


def figure_rows(facts: CertificateFacts) -> list[tuple[str, str, Tally, bool]]:
    """(dimension, level, tally, counted by the rule) per dimension and level, catalogue order, core first."""
    rows = []
    for dimension, levels in facts.completion.by_dimension.items():
        for level in sorted(levels, key=lambda name: (name != "core", name)):
            rows.append((dimension, level, levels[level], level in facts.decision.rule.levels))
    return rows


def certificate_html(facts: CertificateFacts, lang: str = "en") -> str:
    _ = translations(lang).gettext
    return render.html(
        "certificate.html",
        lang,
        facts=facts,
        title=_("Certificate of completion: %(city)s %(year)s") % {"city": facts.city, "year": facts.year},
        rule=rule_text(facts.decision.rule, lang),
        rows=figure_rows(facts),
        level_names=LEVEL_NAMES,
        verified_on=format_date(facts.verified_at.date(), format="long", locale=lang),
    )
