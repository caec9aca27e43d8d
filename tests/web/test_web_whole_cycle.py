"""A city's whole cycle on the platform in Chromium, with no API call and no command (issue 13, "Done when").

The administrator creates a hub, a city, a reporting year and invites an editor, a verifier and a
hub manager; each sets a password from their one-time link. The editor downloads the city's
workbook, fills it with openpyxl as a person would in Excel (the profile on the cover, every value
of the year, one value typed as words and two implausible figures), uploads it and sees the error
at its cell, fixes it, uploads again and sees the counts and the two warnings, explains them and
submits. The verifier starts verification, sees the evidence panel of a warned KPI with the warning
and the city's explanation, raises a query; the editor is told by a
notification and answers; the verifier accepts, accepts the rest and marks the year verified; the
hub manager, told by the queue, publishes; the public sees the year and its City Snapshot.

The cycle runs at 1280 px and at 390 px (phone) on SQLite and PostgreSQL, each with its own hub and
city; every page met on the way is checked with axe-core at that width, without sideways
scrolling and with nothing refused by the Content-Security-Policy (on SQLite: the markup does not
depend on the database). It prints how long each cycle took.
"""

from __future__ import annotations

import dataclasses
import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from browsing import (
    DESKTOP,
    PHONE,
    SHOTS,
    axe_violations,
    confirmed,
    demo_site,
    move,
    refused,
    sign_in,
    sign_out,
    watched,
)

from citykpi.collect.fill import entry_cells, type_rows
from citykpi.collect.layout import COVER_SHEET
from citykpi.demo.cities import CITIES
from citykpi.demo.generate import generate
from citykpi.framework.catalogue import Catalogue
from citykpi.model.submission import Submission
from warned_workbook import IMPLAUSIBLE, WARNED_KPIS

pytestmark = pytest.mark.browser
YEAR = 2025
PASSWORD = "a long enough password"
CYCLES = {  # width -> (hub, city) of the cycle run at that width
    "desktop": ("Alpine hub", "Bergstadt"),
    "phone": ("Lakes hub", "Seewinkel"),
}
MODE_SHARE = WARNED_KPIS[1]  # commuters' mode shares adding up to 50 %: a plausibility warning


@pytest.fixture(scope="module")
def base(module_db_url: str) -> Iterator[str]:
    yield from demo_site(module_db_url, cities=2)


def checker(module_db_url: str, label: str) -> Callable[[Any, str], None]:
    """axe-core at the page's own width, no sideways scrolling, no CSP refusal (SQLite runs only)."""

    def check(page, name: str) -> None:  # type: ignore[no-untyped-def]
        assert refused(page) == [], name
        assert axe_violations(page) == [], f"{name} at {label} width"
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 1, f"{name} scrolls sideways by {overflow}px at {label} width"
        if SHOTS:
            Path(SHOTS).mkdir(parents=True, exist_ok=True)
            page.screenshot(path=f"{SHOTS}/cycle-{name}-{label}.png", full_page=label == "phone")

    return check if module_db_url.startswith("sqlite") else lambda _page, _name: None


def the_year(city: str) -> Submission:
    """What the city's team knows of the year: a demo city's figures under this city's name."""
    spec = dataclasses.replace(CITIES[1], name=city, country="Austria")
    return generate(list(Catalogue.load().kpis.values()), spec, YEAR)


def filled(downloaded: Path, year: Submission, slip: tuple[str, str, str] | None) -> Path:
    """The downloaded workbook filled in with openpyxl: the profile on the cover, every value, the two
    implausible figures, and at `slip` a number typed as words."""
    wb = openpyxl.load_workbook(downloaded)
    cover = wb[COVER_SHEET]
    profile = year.profile.model_dump()
    for row in cover.iter_rows(min_row=4):
        key = row[2].value
        if key in ("households", "gdp", "currency") and row[1].value in (None, ""):
            row[1].value = profile[key]
    changes = {(e.kpi, e.kind.value, e.name): entry_cells(e) for e in year.entries}
    for key, cells in IMPLAUSIBLE.items():
        changes[key] = {**changes.get(key, {}), **cells}
    if slip is not None:
        changes[slip] = {**changes[slip], "value": "about a thousand"}
    assert type_rows(wb, changes) == set()
    out = downloaded.with_name(f"{downloaded.stem}-filled.xlsx")
    wb.save(out)
    return out


def go(page, name: str | re.Pattern[str], exact: bool = True, within: str | None = None) -> None:  # type: ignore[no-untyped-def]
    """Follow the link named `name` (inside the region `within`), as a person clicks it."""
    where = page.get_by_role("region", name=within) if within else page
    where.get_by_role("link", name=name, exact=exact).first.click()
    page.wait_for_load_state()


def submit(page, name: str) -> None:  # type: ignore[no-untyped-def]
    page.get_by_role("button", name=name, exact=True).click()
    page.wait_for_load_state()


def set_password(page, link: str, check: Callable[[Any, str], None]) -> None:  # type: ignore[no-untyped-def]
    page.goto(link)
    check(page, "invitation")
    page.get_by_label("New password").fill(PASSWORD)
    page.get_by_label("The same password again").fill(PASSWORD)
    submit(page, "Set the password and sign in")
    assert "Your password is set and you are signed in." in page.get_by_role("status").inner_text()


def invite(page, base: str, username: str, role: str, scope: str) -> str:  # type: ignore[no-untyped-def]
    page.goto(f"{base}/admin/users")
    go(page, "Invite a user")
    page.get_by_label("User name").fill(username)
    page.get_by_label("Full name").fill(username.replace("-", " ").title())
    page.get_by_label("Role").select_option(role)
    page.get_by_label(scope).check()
    submit(page, "Create the invitation")
    link: str = page.get_by_label("Invitation link").input_value()
    return link


@pytest.mark.parametrize("width", list(CYCLES))
def test_a_city_goes_through_its_whole_cycle_in_the_pages(  # type: ignore[no-untyped-def]
    base: str, browser, module_db_url: str, width: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    hub, city = CYCLES[width]
    slug = city.lower()
    check = checker(module_db_url, width)
    year = the_year(city)
    started = time.monotonic()
    context = browser.new_context(viewport=PHONE if width == "phone" else DESKTOP, accept_downloads=True)
    page = watched(context.new_page())

    # The administrator: hub, city, reporting year, and the invitations of the city's people.
    sign_in(page, base, "admin")
    go(page, "Administration")
    check(page, "admin")
    go(page, "New hub")
    page.get_by_label("Key").fill(hub)
    page.get_by_label("Name").fill(hub)
    page.get_by_label("Country").fill("Austria")
    submit(page, "Create the hub")
    go(page, "New city")
    page.get_by_label("Name").fill(city)
    page.get_by_label("Country").fill("Austria")
    page.get_by_label("Population").fill(str(round(year.profile.population or 0)))
    page.get_by_label("Area (km²)").fill(str(year.profile.area_km2))
    page.get_by_label("Hub").select_option(label=hub)
    page.get_by_label("Latitude").fill("47.3")
    page.get_by_label("Longitude").fill("999")  # a slip: refused at its field, nothing saved
    submit(page, "Create the city")
    assert "between -180 and 180" in page.locator("#e-longitude").inner_text()
    check(page, "admin-city-error")
    page.get_by_label("Longitude").fill("11.4")
    submit(page, "Create the city")
    page.get_by_label("Year (required)").fill(str(YEAR))
    submit(page, "Open the reporting year")
    assert f"{city} {YEAR}" in page.locator("h1").inner_text()
    check(page, "admin-period")
    links = {
        "editor": invite(page, base, f"{slug}-editor", "city_editor", f"{city} (Austria)"),
        "verifier": invite(page, base, f"{slug}-verifier", "verifier", f"{city} (Austria)"),
        "hub": invite(page, base, f"{slug}-hub", "hub_manager", hub),
    }
    check(page, "admin-invitation")
    sign_out(page)

    # The editor: a password from the link, the year from the queue, the workbook down and up.
    set_password(page, links["editor"], check)
    page.goto(f"{base}/queue")
    go(page, f"{city}, Austria {YEAR}", within="Reporting years to submit")  # a city is named with its country
    period_url = page.url.split("?")[0]
    with page.expect_download() as download:
        go(page, f"Download the workbook of {city} {YEAR}, filled with the stored values")
    downloaded = tmp_path / download.value.suggested_filename
    download.value.save_as(downloaded)
    slip = next(
        (e.kpi, e.kind.value, e.name)
        for e in year.entries
        if e.kind.value == "input" and isinstance(e.value, float) and e.kpi not in WARNED_KPIS
    )
    page.get_by_label("Collection workbook").set_input_files(str(filled(downloaded, year, slip)))
    submit(page, "Check and import")
    report = page.locator("section.report")
    assert "Nothing was imported" in report.inner_text()
    cells = report.locator("tbody tr").first.locator("td")
    assert re.fullmatch(r"[A-Z]+\d+", cells.nth(1).inner_text().strip())  # the cell of the slip
    check(page, "upload-error")
    page.get_by_label("Collection workbook").set_input_files(str(filled(downloaded, year, None)))
    submit(page, "Check and import")
    counts = dict(re.findall(r"(\w+): (\d+)", page.locator("ul.counts").inner_text()))
    assert int(counts["Created"]) > 100 and counts["Warnings"] == "2", counts
    check(page, "upload-warnings")
    page.goto(period_url)
    explanations = page.get_by_label(re.compile("^Explanation of the warning on"))
    assert explanations.count() == 2  # the two warnings, kept with the values
    for n in range(2):
        explanations.nth(n).fill(f"Checked with the statistics office ({n + 1}): the survey counts main modes only.")
        page.get_by_role("button", name="Save the explanation").nth(n).click()
        page.wait_for_load_state()
        assert "Your explanation of the warning was saved." in page.get_by_role("status").first.inner_text()
    check(page, "warnings-explained")
    move(page, "Submit for verification")
    sign_out(page)

    # The verifier: verification started from the queue, the evidence of the warned KPI, a query.
    set_password(page, links["verifier"], check)
    page.goto(f"{base}/queue")
    go(page, f"{city}, Austria {YEAR}", within="Submitted reporting years: verification to start")
    move(page, "Start verification")
    go(page, "Verification of this period")
    check(page, "reviews")
    go(page, MODE_SHARE)
    review_url = page.url
    panels = ("Definition", "Screening findings", "Warnings and the city's explanations", "Inputs of the formula")
    for panel in (*panels, "Peer group", "Change history"):
        assert page.get_by_role("region", name=panel).count() == 1, panel
    warned = page.get_by_role("region", name="Warnings and the city's explanations").inner_text()
    assert "mode shares add up to less than 95 %" in warned  # the warning, at its cell
    assert "the survey counts main modes only" in warned and f"Explained by {slug}-editor" in warned
    check(page, "review-evidence")
    page.goto(f"{base}/cities/{slug}/kpis/{MODE_SHARE}")  # the KPI page keeps them too
    kept = page.get_by_role("region", name=re.compile("^Warnings kept with the values")).inner_text()
    assert "the survey counts main modes only" in kept
    check(page, "kpi-warning")
    page.goto(review_url)
    page.get_by_label("Your question to the city").fill("Why do the mode shares add up to half?")
    submit(page, "Send the question to the city")
    assert "add up to half" in page.locator(".thread").inner_text()
    sign_out(page)

    # The editor: told by a notification, answers.
    sign_in(page, base, f"{slug}-editor", PASSWORD)
    assert int(page.locator("nav .count").inner_text()) >= 1  # the unread count beside "Notifications"
    go(page, "Notifications", exact=False)
    check(page, "notifications")
    told = f"{slug}-verifier raised a query on {MODE_SHARE} of {city} {YEAR}"
    assert told in page.locator("main").inner_text()
    page.get_by_role("button", name=re.compile(f"^Open.*{re.escape(told)}")).click()
    page.wait_for_load_state()
    assert page.url == review_url  # the notification leads to the question
    page.get_by_label("Your answer to the verifier").fill("Para transport and walking were not surveyed in 2025.")
    submit(page, "Send the answer to the verifier")
    sign_out(page)

    # The verifier accepts it and the rest, and marks the year verified.
    sign_in(page, base, f"{slug}-verifier", PASSWORD)
    page.goto(review_url)
    assert "not surveyed in 2025" in page.locator(".thread").inner_text()
    submit(page, "Accept this KPI")
    go(page, re.compile("Verification ·"), exact=False)
    confirmed(page, "Accept every submitted KPI without screening findings", "Accept them")
    page.goto(f"{base}/queue?findings=yes&sort=findings")
    while (flagged := page.locator("table.rows tbody th a")).count():
        flagged.first.click()
        page.wait_for_load_state()
        submit(page, "Accept this KPI")
        page.goto(f"{base}/queue?findings=yes&sort=findings")
    page.goto(period_url)
    move(page, "Mark as verified")
    sign_out(page)

    # The hub manager, told by the queue, publishes.
    set_password(page, links["hub"], check)
    page.goto(f"{base}/queue")
    check(page, "queue-publish")
    go(page, f"{city}, Austria {YEAR}", within="Verified reporting years waiting to be published")
    move(page, "Publish")
    sign_out(page)

    # The public sees the year and its City Snapshot.
    page.goto(f"{base}/cities/{slug}?year={YEAR}")
    assert "published" in page.locator(".state").first.inner_text()
    page.goto(f"{base}/open-data")
    with page.expect_navigation():
        page.get_by_role("link", name=f"City Snapshot of {city}, Austria {YEAR}").click()
    assert city in page.content()
    assert refused(page) == []
    took = time.monotonic() - started
    context.close()
    with capsys.disabled():
        print(f"\nwhole cycle at {width} width on {module_db_url.split(':')[0]}: {took:.1f} s")
