"""The administration pages in headless Chromium: every new page axe-clean and without sideways
scrolling at 1280 and 390 px, nothing refused by the Content-Security-Policy, errors shown at their field.

An administrator creates a hub, a city (first with a latitude of 999), a reporting year and
invites a city editor; the editor sets a password from the link and makes an API token; a hub
manager sees their hub only. The flow runs on both databases; axe and widths on SQLite only (the
markup does not depend on the database), as in test_web_browser.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from browsing import DESKTOP, demo_site, sign_in, sign_out, watched

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def base(module_db_url: str) -> Iterator[str]:
    yield from demo_site(module_db_url, cities=1)


def submit(page, name: str) -> None:  # type: ignore[no-untyped-def]
    page.get_by_role("button", name=name).click()
    page.wait_for_load_state()


def test_administration_pages(base: str, browser, check) -> None:  # type: ignore[no-untyped-def]
    page = watched(browser.new_page(viewport=DESKTOP))
    sign_in(page, base, "admin")
    page.get_by_role("link", name="Administration").click()
    check(page, "admin")

    page.get_by_role("link", name="New hub").click()
    page.get_by_label("Key").fill("Alpine hub")
    page.get_by_label("Name").fill("Alpine hub")
    page.get_by_label("Country").fill("Austria")
    check(page, "admin-hub-new")
    submit(page, "Create the hub")
    page.get_by_role("link", name="Alpine hub").click()
    check(page, "admin-hub-edit")

    page.goto(f"{base}/admin/cities/new")
    page.get_by_label("Name").fill("Bergstadt")
    page.get_by_label("Country").fill("Austria")
    page.get_by_label("Population").fill("120000")
    page.get_by_label("Hub").select_option(label="Alpine hub")
    page.get_by_label("Latitude").fill("999")
    page.get_by_label("Longitude").fill("11.4")
    submit(page, "Create the city")
    assert "Nothing was saved" in page.get_by_role("alert").inner_text()
    latitude = page.get_by_label("Latitude")
    assert latitude.get_attribute("aria-invalid") == "true" and latitude.input_value() == "999"
    assert "between -90 and 90" in page.locator("#e-latitude").inner_text()
    check(page, "admin-city-error")
    latitude.fill("47.1")
    page.get_by_label("Why (kept in the audit trail)").fill("joins the programme")
    submit(page, "Create the city")
    assert "Saved." in page.get_by_role("status").inner_text()
    page.get_by_label("Year (required)").fill("2025")
    submit(page, "Open the reporting year")
    assert "Bergstadt 2025" in page.locator("h1").inner_text()
    check(page, "admin-period")
    page.get_by_role("link", name="Bergstadt").click()
    assert "small (50k-200k)" in page.get_by_label("Peer group").inner_text()
    check(page, "admin-city-edit")

    page.goto(f"{base}/admin/users")
    check(page, "admin-users")
    page.get_by_role("link", name="Invite a user").click()
    page.get_by_label("User name").fill("anna")
    page.get_by_label("Full name").fill("Anna Berg")
    page.get_by_label("Role").select_option("city_editor")
    page.get_by_label("Bergstadt (Austria)").check()
    check(page, "admin-user-new")
    submit(page, "Create the invitation")
    link = page.get_by_label("Invitation link").input_value()
    check(page, "admin-invitation")
    page.goto(f"{base}/admin/users")
    page.get_by_role("link", name="anna").click()
    check(page, "admin-user-edit")
    sign_out(page)

    page.goto(link)
    check(page, "invitation")
    page.get_by_label("New password").fill("anna-chooses-this")
    page.get_by_label("The same password again").fill("anna-chooses-this")
    submit(page, "Set the password and sign in")
    assert "Your password is set" in page.get_by_role("status").inner_text()
    assert page.locator(".who").inner_text().startswith("anna")
    page.get_by_role("link", name="API tokens").click()
    page.get_by_label("Name of the new token").fill("nightly export")
    submit(page, "Create a token")
    assert page.get_by_label("New token", exact=True).input_value().startswith("ck_")
    check(page, "tokens")
    submit(page, "Revoke nightly export")
    assert "revoked" in page.locator("table").inner_text()
    sign_out(page)

    sign_in(page, base, "hub")
    page.get_by_role("link", name="Administration").click()
    assert "Alpine hub" not in page.locator("main").inner_text()
    check(page, "admin-hub-manager")
    page.close()
