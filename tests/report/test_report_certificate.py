"""The certificate document: a real one-page PDF whose text states the city, year, rule and figures."""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest

from citykpi.framework.catalogue import Catalogue
from citykpi.model.completion import CertificateRule, KpiState, certificate, completion
from citykpi.report.certificate import CertificateFacts, certificate_html, rule_text
from citykpi.report.render import pdf

HOSTILE = '<script>alert("x")</script> & Sons'


def _facts(catalogue: Catalogue, city: str = "Lakeside", rule: CertificateRule | None = None) -> CertificateFacts:
    """Every core KPI complete (one justified not applicable), advanced ones partly reported and verified."""
    states = []
    for i, kpi in enumerate(catalogue.kpis.values()):
        core = kpi.level.value == "core"
        not_applicable = core and i == 3
        reported = not not_applicable and (core or i % 2 == 0)
        states.append(KpiState(kpi.code, kpi.dimension, kpi.level.value, reported, not_applicable, core or i % 4 == 0))
    rule = rule or CertificateRule()
    return CertificateFacts(
        city=city,
        country="Utopia",
        year=2023,
        framework="U4SSC Key Performance Indicators",
        framework_version="2017",
        decision=certificate(states, rule),
        completion=completion(states),
        verifiers=["Ada Verifier", "Bo Checker"],
        verified_by="Ada Verifier",
        verified_at=datetime(2024, 3, 9, 14, 30, tzinfo=UTC),
        reference="7-0A1B-2C3D-4E5F",
        check_url="https://kpi.example.org/api/v1/periods/7/certificate",
    )


def _pdf_text(page: str, out: Path) -> tuple[str, int]:
    pdf(page, out)
    text = subprocess.run(["pdftotext", "-layout", str(out), "-"], check=True, capture_output=True, text=True).stdout
    info = subprocess.run(["pdfinfo", str(out)], check=True, capture_output=True, text=True).stdout
    pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
    return " ".join(text.split()), pages


def test_pdf_states_city_year_rule_figures_verifiers_and_reference_on_one_page(
    catalogue: Catalogue, tmp_path: Path
) -> None:
    facts = _facts(catalogue)
    text, pages = _pdf_text(certificate_html(facts, "en"), tmp_path / "certificate.pdf")
    assert pages == 1
    assert "Certificate of completion" in text and "Lakeside" in text and "Utopia" in text
    assert "reference year 2023" in text and "version 2017" in text
    assert "All core KPIs are reported or justified not applicable, and verified." in text
    core = facts.decision.considered
    assert f"Met by {core} of {core} KPIs." in text
    overall = facts.completion.overall
    economy = facts.completion.by_dimension["Economy"]["core"]
    assert f"Economy Core {economy.total} {economy.reported} {economy.not_applicable} {economy.verified}" in text
    assert f"All KPIs {overall.total} {overall.reported} {overall.not_applicable} {overall.verified}" in text
    assert "March 9, 2024" in text and "Ada Verifier, Bo Checker" in text and "7-0A1B-2C3D-4E5F" in text
    assert "U4SSC publishes no threshold" in text and "configured assumption" in text


def test_french_certificate(catalogue: Catalogue, tmp_path: Path) -> None:
    text, pages = _pdf_text(certificate_html(_facts(catalogue), "fr"), tmp_path / "certificat.pdf")
    assert pages == 1
    assert "Certificat d'achèvement" in text and "année de référence 2023" in text
    assert "Tous les ICP fondamentaux sont communiqués ou justifiés non applicables, et vérifiés." in text
    assert "Économie Fondamental" in text and "9 mars 2024" in text
    assert "U4SSC ne publie aucun seuil" in text


def test_hostile_city_name_is_escaped(catalogue: Catalogue) -> None:
    page = certificate_html(_facts(catalogue, city=HOSTILE), "en")
    assert "<script>" not in page
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; Sons" in page


@pytest.mark.parametrize(
    ("rule", "lang", "sentence"),
    [
        (CertificateRule(), "en", "All core KPIs are reported or justified not applicable, and verified."),
        (
            CertificateRule(levels=["core", "advanced"], min_share=0.9, not_applicable_counts=False),
            "en",
            "At least 90% of the core and advanced KPIs are reported and verified.",
        ),
        (
            CertificateRule(levels=["advanced"], require_verified=False),
            "en",
            "All advanced KPIs are reported or justified not applicable.",
        ),
        (
            CertificateRule(min_share=0.755, not_applicable_counts=False, require_verified=False),
            "en",
            "At least 75.5% of the core KPIs are reported.",
        ),
        (
            CertificateRule(levels=["core", "advanced"], min_share=0.9),
            "fr",
            "Au moins 90\u00a0% des ICP fondamentaux et avancés sont communiqués ou justifiés non applicables,"
            " et vérifiés.",
        ),
        (
            CertificateRule(levels=["pilot"]),
            "en",
            "All pilot KPIs are reported or justified not applicable, and verified.",
        ),
    ],
)
def test_rule_is_written_from_its_settings(rule: CertificateRule, lang: str, sentence: str) -> None:
    assert rule_text(rule, lang) == sentence


def test_a_configured_rule_appears_on_the_certificate_with_its_counted_rows(catalogue: Catalogue) -> None:
    facts = _facts(catalogue, rule=CertificateRule(levels=["core", "advanced"], min_share=0.5))
    page = certificate_html(facts, "en")
    assert "At least 50% of the core and advanced KPIs" in page
    assert page.count('<tr class="counted">') == 6  # three dimensions, both levels counted
    assert certificate_html(_facts(catalogue), "en").count('<tr class="counted">') == 3
