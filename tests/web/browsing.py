"""What the browser tests share: axe-core, width and CSP checks of a page, screenshots, signing in and out.

Set `CITYKPI_SCREENSHOTS=dir` to keep a screenshot of each checked page at both sizes.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

from chromium import needs_chromium
from web_server import running

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
SHOTS = os.environ.get("CITYKPI_SCREENSHOTS")


def demo_site(database_url: str, cities: int = 2) -> Iterator[str]:
    """The demo site of `cities` cities served to a browser test module (`yield from` it in its `base`
    fixture); skipped before the database is filled where Debian chromium is not installed."""
    needs_chromium()
    with running(database_url, cities=cities) as url:
        yield url


def axe_violations(page) -> list[str]:  # type: ignore[no-untyped-def]
    # Evaluated through the DevTools protocol: a <script> tag with axe would be refused by the
    # pages' Content-Security-Policy, as any inline script is.
    page.evaluate(AXE.read_text(encoding="utf-8"))
    found = page.evaluate(
        "async () => (await axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21aa']})).violations"
        ".map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).slice(0, 3).join(', '))"
    )
    return list(found)


def check_page(page, name: str) -> None:  # type: ignore[no-untyped-def]
    """No axe violation, no horizontal page overflow at desktop and phone size, nothing the CSP refused."""
    assert refused(page) == [], name
    for label, size in (("desktop", DESKTOP), ("phone", PHONE)):
        page.set_viewport_size(size)
        found = axe_violations(page)
        assert found == [], f"{name} at {label} size: {found}"
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 1, f"{name} scrolls sideways by {overflow}px at {label} size"
        if SHOTS:
            Path(SHOTS).mkdir(parents=True, exist_ok=True)
            page.screenshot(path=f"{SHOTS}/{name}-{label}.png", full_page=label == "phone")
    page.set_viewport_size(DESKTOP)


def watched(page):  # type: ignore[no-untyped-def]
    """`page`, recording what the Content-Security-Policy refuses (Chromium says it on the console)."""
    found: list[str] = []
    page.on("console", lambda m: found.append(m.text) if "Content Security Policy" in m.text else None)
    page.csp_refused = found
    return page


def refused(page) -> list[str]:  # type: ignore[no-untyped-def]
    return list(page.csp_refused)


def sign_in(page, base: str, user: str, password: str | None = None) -> None:  # type: ignore[no-untyped-def]
    """As a demo account (password `<name>-demo-pass`) unless `password` is given."""
    page.goto(f"{base}/signin")
    page.get_by_label("User name").fill(user)
    page.get_by_label("Password").fill(password or f"{user}-demo-pass")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    assert page.locator(".who").inner_text().startswith(user)


def sign_out(page) -> None:  # type: ignore[no-untyped-def]
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state()


def confirmed(page, button: str, yes: str | None = None) -> None:  # type: ignore[no-untyped-def]
    """Click `button`; the step cannot be undone, so a dialog asks first, and `yes` (or the same words) confirms."""
    page.get_by_role("button", name=button, exact=True).click()
    dialog = page.locator("dialog[open]")
    dialog.wait_for()
    assert dialog.locator("p").first.inner_text().endswith(("?", "undone.", "queries.", "rejected.", "final."))
    with page.expect_navigation():
        dialog.get_by_role("button", name=yes or button, exact=True).click()
    page.wait_for_load_state()


def move(page, button: str) -> None:  # type: ignore[no-untyped-def]
    """A workflow step of the period page, confirmed in its dialog."""
    confirmed(page, button)
    assert "The period moved to its next state." in page.content()
