"""The whole cycle of the dashboard in headless Chromium against a real server and database.

Editor uploads a workbook with errors and sees them located, fixes a value with inline validation,
submits; verifier queries a KPI, the editor answers, the verifier accepts and verifies; the hub
manager publishes; the public sees the published year and its downloads. Every main page passes
axe-core's WCAG 2 A/AA rules, at desktop and at phone size.

The cycle runs on SQLite and on PostgreSQL; the axe and phone-width checks run on SQLite only: the
markup does not depend on the database, and the checks take about half of the cycle's time.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from browsing import DESKTOP, confirmed, demo_site, move, refused, sign_in, sign_out, watched
from web_server import CITY, YEARS

from citykpi.demo.cities import CITIES
from citykpi.demo.errors import spoil
from citykpi.demo.generate import generate
from citykpi.demo.workbook import write_filled
from citykpi.framework.catalogue import Catalogue

pytestmark = pytest.mark.browser
PLACE = f"{CITIES[0].name}, {CITIES[0].country}"  # pages name a city with its country


@pytest.fixture(scope="module")
def base(module_db_url: str) -> Iterator[str]:
    yield from demo_site(module_db_url)


def broken_workbook(tmp: Path) -> Path:
    catalogue = Catalogue.load()
    submission = generate(list(catalogue.kpis.values()), CITIES[0], YEARS[-1])
    path = write_filled(catalogue, submission, tmp / f"{CITY}-{YEARS[-1]}.xlsx")
    spoil(path)
    return path


def test_whole_cycle(base: str, browser, check, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    page = watched(browser.new_page(viewport=DESKTOP))
    page.goto(base)
    check(page, "home")
    page.goto(f"{base}/compare")
    check(page, "compare")
    page.goto(f"{base}/cities/{CITY}")  # the public page is cached until the city's data changes
    assert page.get_by_role("link", name=str(YEARS[-1]), exact=True).count() == 0
    page.goto(f"{base}/cities/{CITY}?year={YEARS[-1]}")  # the draft year: a sentence, not an error
    assert page.get_by_role("status").inner_text() == "This reporting year is not published yet."
    check(page, "closed")

    # The editor: upload a workbook with errors, see them located, nothing imported.
    sign_in(page, base, "editor")
    page.goto(f"{base}/cities/{CITY}?year={YEARS[-1]}")
    check(page, "city")
    page.get_by_role("link", name=f"Open the data of {YEARS[-1]}").click()
    check(page, "period")
    page.get_by_label("Collection workbook").set_input_files(str(broken_workbook(tmp_path)))
    page.get_by_role("button", name="Check and import").click()
    page.wait_for_load_state()
    report = page.locator("section.report")
    assert "Nothing was imported" in report.inner_text()
    first = report.locator("tbody tr").first.locator("td")
    assert first.nth(0).inner_text() not in ("", "–")  # the sheet
    assert re.fullmatch(r"[A-Z]+\d+", first.nth(1).inner_text().strip())  # the cell, e.g. F23
    check(page, "upload-errors")

    # Fix a value in the form: inline validation with the importer's message, then a good value.
    period_url = page.url.split("?")[0].removesuffix("/upload")
    page.goto(period_url)
    edit = page.locator("a", has_text="Edit").first
    edit.click()
    code = page.locator("h1").inner_text().split(" · ")[0]
    page.get_by_label("Value", exact=True).fill("a lot")
    page.get_by_label("Source").click()  # leaving the field validates it on the server
    message = page.locator("#e-value")
    message.wait_for(state="visible")
    page.wait_for_function("document.getElementById('e-value').textContent.trim().length > 0")
    assert page.get_by_label("Value", exact=True).get_attribute("aria-invalid") == "true"
    check(page, "entry-invalid")
    page.get_by_label("Value", exact=True).fill("42")
    page.get_by_label("Why this change").fill("corrected after the statistics office's revision")
    page.get_by_role("button", name="Save").click()
    page.wait_for_load_state()
    assert "The value was saved." in page.content()
    page.get_by_role("button", name="Submit for verification").click()  # asks first; cancelled, nothing moves
    page.locator("dialog[open]").get_by_role("button", name="Cancel").click()
    page.locator("dialog").wait_for(state="detached")  # the page's script removes it after the click, not at once
    assert page.locator("dialog").count() == 0 and "draft" in page.locator("h1 .state").inner_text()
    move(page, "Submit for verification")
    sign_out(page)

    # The verifier: start verification, raise a query on the edited KPI.
    sign_in(page, base, "verifier")
    page.goto(f"{base}/queue")
    check(page, "queue")
    to_start = page.get_by_role("region", name="Submitted reporting years: verification to start")
    to_start.get_by_role("link", name=f"{PLACE} {YEARS[-1]}").click()
    page.wait_for_load_state()
    move(page, "Start verification")  # state names in words, never as their codes
    for shown in (page.url, f"{base}/queue"):
        page.goto(shown)
        assert "under verification" in page.locator("main").inner_text()
        assert "under_verification" not in page.locator("body").inner_text()
    page.goto(period_url)
    page.get_by_role("link", name="Verification of this period").click()
    page.get_by_role("link", name=code, exact=True).click()
    review_url = page.url
    typed = page.get_by_role("region", name="Inputs of the formula").get_by_text("Typed on the web · by editor")
    assert typed.count() >= 1  # the edited input says where it came from
    assert page.get_by_role("heading", name="Change history").count() == 1
    page.get_by_label("Your question to the city").fill("Why did this value jump to 42?")
    page.get_by_role("button", name="Send the question to the city").click()
    page.wait_for_load_state()
    assert "Why did this value jump to 42?" in page.locator(".thread").inner_text()
    check(page, "review")
    sign_out(page)

    # The editor answers the question.
    sign_in(page, base, "editor")
    page.goto(f"{base}/queue")
    page.get_by_role("link", name=code, exact=True).click()
    page.get_by_label("Your answer to the verifier").fill("The statistics office revised the series in March.")
    page.get_by_role("button", name="Send the answer to the verifier").click()
    page.wait_for_load_state()
    sign_out(page)

    # The verifier accepts it and the clean rest, and declares the period verified.
    sign_in(page, base, "verifier")
    page.goto(review_url)
    assert "revised the series in March" in page.locator(".thread").inner_text()
    page.get_by_role("button", name="Accept this KPI").click()
    page.wait_for_load_state()
    assert "accepted" in page.locator("h1 .state").inner_text()
    page.get_by_role("link", name=re.compile("Verification ·")).click()
    confirmed(page, "Accept every submitted KPI without screening findings", "Accept them")
    page.goto(f"{base}/queue?findings=yes&sort=findings")  # the flagged ones are left, one by one
    check(page, "queue-findings")
    while (flagged := page.locator("table.rows tbody th a")).count():
        flagged.first.click()
        page.get_by_role("button", name="Accept this KPI").click()
        page.wait_for_load_state()
        page.goto(f"{base}/queue?findings=yes&sort=findings")
    page.goto(period_url)
    move(page, "Mark as verified")
    sign_out(page)

    # The hub manager, told by the queue, publishes.
    sign_in(page, base, "hub")
    page.goto(f"{base}/queue")
    check(page, "queue-publish")
    waiting = page.get_by_role("region", name="Verified reporting years waiting to be published")
    waiting.get_by_role("link", name=f"{PLACE} {YEARS[-1]}").click()
    page.wait_for_load_state()
    assert page.url == period_url
    move(page, "Publish")
    page.goto(f"{base}/queue")
    assert page.get_by_role("region", name="Verified reporting years waiting to be published").count() == 0
    sign_out(page)

    # The public sees the published year, its audit-free KPI page and the open-data downloads.
    page.goto(f"{base}/cities/{CITY}")
    assert page.get_by_role("link", name=str(YEARS[-1]), exact=True).get_attribute("aria-current") == "page"
    page.goto(f"{base}/cities/{CITY}?year={YEARS[-1]}")
    assert "published" in page.locator(".state").first.inner_text()
    assert page.locator(".wheel svg").count() == 1
    page.goto(f"{base}/cities/{CITY}/kpis/{code}")
    assert "42" in page.locator("main").inner_text()
    assert page.get_by_role("heading", name="Audit trail").count() == 0
    check(page, "kpi-public")
    page.goto(f"{base}/open-data")
    check(page, "open-data")
    snapshot = page.get_by_role("link", name=f"City Snapshot of {PLACE} {YEARS[-1]}")
    with page.expect_navigation():
        snapshot.click()
    assert CITIES[0].name in page.content()
    assert refused(page) == []  # the report's inline style and script are allowed by their hashes
    page.close()
