"""Report a problem, notifications and webhooks in headless Chromium against a real server (both databases).

A visitor reports a problem from a city page with no account and keeps the private link; the verifier
sees the unread count in the navigation, the notification and the queue item, and answers; the
visitor reads the answer. Every new page passes axe-core's WCAG 2 A/AA rules at 1280 and 390 px
(on SQLite: the markup does not depend on the database).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from browsing import DESKTOP, demo_site, sign_in, sign_out, watched
from web_server import CITY

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def base(module_db_url: str) -> Iterator[str]:
    yield from demo_site(module_db_url, cities=1)


def test_a_reported_problem_is_answered_through_the_pages(base: str, browser, check) -> None:  # type: ignore[no-untyped-def]
    page = watched(browser.new_page(viewport=DESKTOP))
    page.goto(f"{base}/cities/{CITY}")
    page.get_by_role("link", name="Does a value look wrong? Report a problem").click()
    page.wait_for_load_state()
    check(page, "report-problem")
    page.get_by_label("What looks wrong, and why?").fill("The share of green areas fell by half in one year.\nA typo?")
    page.get_by_role("button", name="Send the report").click()
    page.wait_for_load_state()
    assert "Keep this private address" in page.content()
    private = page.url.split("?")[0]
    assert page.locator(".address a").inner_text() == private
    check(page, "problem-sent")

    sign_in(page, base, "verifier")
    count = page.locator('header nav a[href="/notifications"]')
    assert page.locator('header nav a[href="/notifications"] .count').inner_text() == "1"
    assert "(1 unread)" in count.inner_text()  # what a screen reader says
    count.click()
    page.wait_for_load_state()
    assert "A visitor reported a problem" in page.content()
    check(page, "notifications")
    page.get_by_role("button", name="Open").first.click()
    page.wait_for_load_state()
    assert page.url.startswith(f"{base}/queue")
    assert page.locator('header nav a[href="/notifications"] .count').count() == 0  # read now
    check(page, "queue-problems")
    page.get_by_label("Answer (the reporter reads it at their private link)").fill("It was a typo; corrected to 31 %.")
    page.get_by_role("button", name="Send the answer").click()
    page.wait_for_load_state()
    assert "The report is answered" in page.content()
    page.goto(f"{base}/notifications/settings")
    check(page, "notification-settings")
    page.get_by_label("A problem was reported: By e-mail").uncheck()
    page.get_by_label("E-mail address").fill("vera@example.org")
    page.get_by_role("button", name="Save").click()
    page.wait_for_load_state()
    assert "Your notification settings are saved." in page.content()
    assert not page.get_by_label("A problem was reported: By e-mail").is_checked()
    sign_out(page)

    page.goto(private)
    assert "It was a typo; corrected to 31 %." in page.content()
    check(page, "problem-answered")

    sign_in(page, base, "admin")
    page.goto(f"{base}/admin/webhooks")
    check(page, "webhooks")
    page.get_by_label("Address (http or https)").fill("https://receiver.example.org/citykpi")
    page.get_by_label("A reporting year changed state").check()
    page.get_by_role("button", name="Register the webhook").click()
    page.wait_for_load_state()
    assert page.locator("code.secret").inner_text()
    check(page, "webhook-registered")
    page.close()
