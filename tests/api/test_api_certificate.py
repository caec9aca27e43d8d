"""The certificate document through the API: issued periods only, the same visibility as the reports.

Two demo cities are loaded with the platform's own demo loader (their first year walked through
the whole workflow and published): Lotusgate meets the default rule, Vellmarsk misses one core KPI.
"""

from __future__ import annotations

import re

import pytest
from apiworld import PASSWORD, ROLES, World

from citykpi.demo.cities import CITIES
from citykpi.model.completion import CertificateRule
from citykpi.platform import accounts, cities, verification
from citykpi.platform.demo import load_demo
from citykpi.platform.roles import Principal, Role
from citykpi.platform.workflow import PeriodState, ReviewAction
from citykpi.store.schema import Period

ADMIN = Principal("setup", Role.ADMIN)
SPECS = {spec.name: spec for spec in CITIES}
REFERENCE = re.compile(r"\d+-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}")


def _period(world: World, slug: str, year: int) -> int:
    with world.app.state.db.read() as s:  # type: ignore[attr-defined]
        city = cities.get_city(s, slug)
        return next(p.id for p in city.periods if p.year == year)


@pytest.fixture
def demo(world: World) -> World:
    load_demo(world.app.state.db, [SPECS["Lotusgate"], SPECS["Vellmarsk"]], (2022, 2023), accounts=False)  # type: ignore[attr-defined]
    return world


def _verify_as_vera(world: World, period_id: int) -> None:
    """A named verifier walks the draft period to verified (not published), as the demo loader would."""
    db = world.app.state.db  # type: ignore[attr-defined]
    with db.write() as s:
        vera = accounts.principal(
            accounts.create_user(
                s, "vera", "correct horse battery", Role.VERIFIER, cities=["lotusgate"], display_name="Vera Verifier"
            )
        )
    with db.write() as s:
        period = s.get(Period, period_id)
        assert period is not None
        verification.transition(s, ADMIN, period, PeriodState.SUBMITTED, period.version, "complete")
        verification.transition(s, vera, period, PeriodState.UNDER_VERIFICATION, period.version, "")
        for review in verification.reviews(s, period):
            verification.act(s, vera, review, period, ReviewAction.ACCEPT, review.version, "")
        verification.transition(s, vera, period, PeriodState.VERIFIED, period.version, "all accepted")


def test_issued_period_gives_the_document_in_html_and_pdf_with_the_reference_the_api_shows(demo: World) -> None:
    period = _period(demo, "lotusgate", 2022)
    public = demo.client()
    decision = public.get(f"/api/v1/periods/{period}/certificate").json()
    assert decision["issued"] is True and REFERENCE.fullmatch(decision["reference"])

    page = public.get(f"/api/v1/periods/{period}/certificate", params={"format": "html", "lang": "fr"})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "Lotusgate" in page.text and "Certificat d'achèvement" in page.text
    assert decision["reference"] in page.text and f"/api/v1/periods/{period}/certificate" in page.text
    assert "demo-loader" in page.text  # the loader accepted every KPI and declared the period verified

    pdf = demo.client("viewer").get(f"/api/v1/periods/{period}/certificate", params={"format": "pdf"})
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF") and "lotusgate-2022-certificate.pdf" in pdf.headers["content-disposition"]
    assert public.get(f"/api/v1/periods/{period}/certificate").json()["reference"] == decision["reference"]


def test_check_address_is_the_configured_public_url_not_the_request_host(demo: World) -> None:
    """Behind a proxy the request's host is the proxy's view of the server; CITYKPI_PUBLIC_URL wins."""
    period, public = _period(demo, "lotusgate", 2022), demo.client()
    path = f"/api/v1/periods/{period}/certificate"
    unset = public.get(path, params={"format": "html"}).text
    assert f"Check it at http://testserver{path}" in unset  # no setting: the request's own host
    demo.app.state.settings.public_url = "https://kpi.example.org/citykpi/"  # type: ignore[attr-defined]
    proxied = public.get(path, params={"format": "html"}, headers={"host": "10.0.0.5:8000"}).text
    assert f"Check it at https://kpi.example.org/citykpi{path}" in proxied
    assert "10.0.0.5" not in proxied and "testserver" not in proxied


def test_the_configured_rule_is_the_one_printed_and_changing_it_changes_the_reference(demo: World) -> None:
    period, public = _period(demo, "vellmarsk", 2022), demo.client()
    demo.app.state.settings.certificate_rule = CertificateRule(min_share=0.95)  # type: ignore[attr-defined]
    decision = public.get(f"/api/v1/periods/{period}/certificate").json()
    assert decision["issued"] is True and decision["decision"]["missing"] == ["SC: EH: ED: 3C"]
    page = public.get(f"/api/v1/periods/{period}/certificate", params={"format": "html"}).text
    assert "At least 95% of the core KPIs are reported or justified not applicable, and verified." in page
    assert decision["reference"] in page
    demo.app.state.settings.certificate_rule = CertificateRule(min_share=0.9)  # type: ignore[attr-defined]
    again = public.get(f"/api/v1/periods/{period}/certificate").json()["reference"]
    assert again != decision["reference"] and again.split("-")[0] == str(period)


def test_published_period_that_misses_the_rule_answers_409_with_the_missing_kpi(demo: World) -> None:
    period = _period(demo, "vellmarsk", 2022)
    answer = demo.client().get(f"/api/v1/periods/{period}/certificate", params={"format": "pdf"})
    assert answer.status_code == 409
    error = answer.json()["error"]
    assert error["type"] == "conflict" and "meet the certificate rule" in error["message"]
    assert [d["location"]["kpi"] for d in error["report"]["errors"]] == ["SC: EH: ED: 3C"]
    assert demo.client().get(f"/api/v1/periods/{period}/certificate").json()["reference"] is None


def test_draft_period_answers_409_naming_the_state_and_every_missing_core_kpi(world: World) -> None:
    period = world.periods["alpha"]
    answer = world.client("editor").get(f"/api/v1/periods/{period}/certificate", params={"format": "html"})
    assert answer.status_code == 409
    error = answer.json()["error"]
    assert "the period is draft" in error["message"]
    missing = world.client("editor").get(f"/api/v1/periods/{period}/certificate").json()["decision"]["missing"]
    assert [d["location"]["kpi"] for d in error["report"]["errors"]] == missing and len(missing) > 40
    assert all("not accepted by a verifier (review draft)" in d["message"] for d in error["report"]["errors"])


def test_verified_period_is_certified_for_its_readers_and_hidden_from_the_public(demo: World) -> None:
    period = _period(demo, "lotusgate", 2023)
    _verify_as_vera(demo, period)
    viewer = demo.client("viewer").get(f"/api/v1/periods/{period}/certificate", params={"format": "html"})
    assert viewer.status_code == 200
    assert "Vera Verifier" in viewer.text and "2023" in viewer.text
    for role in [*ROLES, None]:
        client = demo.client(role)
        report = client.get(f"/api/v1/periods/{period}/reports/verification").status_code
        document = client.get(f"/api/v1/periods/{period}/certificate", params={"format": "html"}).status_code
        assert document == report, f"{role or 'public'}: certificate {document}, verification report {report}"
    assert demo.client().get(f"/api/v1/periods/{period}/certificate", params={"format": "pdf"}).status_code == 404


def test_pages_link_the_certificate_once_it_is_issued(demo: World) -> None:
    public = demo.client()
    public.cookies.set("lang", "fr")
    issued, missed = _period(demo, "lotusgate", 2022), _period(demo, "vellmarsk", 2022)
    page = public.get("/cities/lotusgate").text
    assert f"/api/v1/periods/{issued}/certificate?format=pdf&amp;lang=fr" in page
    assert "Certificat d'achèvement (PDF)" in page
    assert "/certificate?" not in public.get("/cities/vellmarsk").text
    viewer = demo.client()
    token = re.search(r'name="csrf_token" value="([^"]+)"', viewer.get("/signin").text)
    assert token is not None
    form = {"username": "viewer", "password": PASSWORD, "next": "/", "csrf_token": token.group(1)}
    signed = viewer.post("/signin", data=form, follow_redirects=False)
    assert signed.status_code == 303
    assert f"/api/v1/periods/{issued}/certificate?format=pdf" in viewer.get(f"/periods/{issued}").text
    assert "/certificate?" not in viewer.get(f"/periods/{missed}").text
    assert "/certificate?" not in viewer.get(f"/periods/{_period(demo, 'lotusgate', 2023)}").text  # still a draft
