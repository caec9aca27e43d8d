"""The city editor in headless Chromium against a real server: download, upload with warnings, the
marked workbook, explaining a warning, entering a value never reported, the KPI list's filter.

Every new or changed page passes axe-core's WCAG 2 A/AA rules and does not scroll sideways at 1280
and 390 px (SQLite variant, as in test_web_browser: the markup does not depend on the database).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import openpyxl
import pytest
from browsing import DESKTOP, demo_site, sign_in, watched
from web_server import CITY, YEARS

from warned_workbook import warned_workbook

pytestmark = pytest.mark.browser
YEAR = YEARS[-1]
MODE_SHARE = "EC: I: T: 4A"


@pytest.fixture(scope="module")
def base(module_db_url: str) -> Iterator[str]:
    yield from demo_site(module_db_url, cities=1)


def test_editor_round_trip_warnings_and_data_entry(base: str, browser, check, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    page = watched(browser.new_page(viewport=DESKTOP, accept_downloads=True))
    page.set_default_timeout(60_000)  # a whole workbook is filled or read per request, on a loaded machine
    sign_in(page, base, "editor")
    page.goto(f"{base}/cities/{CITY}?year={YEAR}")
    page.get_by_role("link", name=f"Open the data of {YEAR}").click()
    check(page, "editor-period")

    # The city's own workbook, filled with what is stored.
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the workbook of").click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    assert saved.name == f"{CITY}-{YEAR}.xlsx" and "Economy" in openpyxl.load_workbook(saved).sheetnames

    # Upload a file with two plausibility warnings: counted, located, kept, and marked back.
    page.get_by_label("Collection workbook").set_input_files(str(warned_workbook(tmp_path, YEAR)))
    page.get_by_role("button", name="Check and import").click()
    page.wait_for_load_state()
    report = page.locator("section.report")
    assert "was imported" in report.inner_text() and "Warnings: 2" in report.inner_text()
    cells = report.locator("tbody tr td:nth-child(2)").all_inner_texts()
    assert cells == ["I6", "I95"]
    check(page, "editor-upload-answer")
    with page.expect_download() as download:
        page.get_by_role("link", name="with the problems marked").click()
    marked = tmp_path / download.value.suggested_filename
    download.value.save_as(marked)
    assert openpyxl.load_workbook(marked).sheetnames[0] == "Problems"

    # Explain the mode-share warning; the period and the KPI page show it.
    label = f"Explanation of the warning on {MODE_SHARE} at I95"
    page.get_by_label(label).fill("Para transport is not surveyed in Vellmarsk.")
    page.locator("form", has=page.get_by_label(label)).get_by_role("button", name="Save the explanation").click()
    page.wait_for_load_state()
    assert "Your explanation of the warning was saved." in page.content()
    assert "Explained by editor" in page.locator(".warnings").inner_text()
    check(page, "editor-period-warnings")
    page.goto(f"{base}/cities/{CITY}/kpis/{quote(MODE_SHARE)}")
    assert "Para transport is not surveyed in Vellmarsk." in page.locator("#warnings-title + .scroll").inner_text()
    check(page, "editor-kpi-warnings")

    # Data entry for any KPI: the list filters as one types, and without script through the form.
    page.goto(f"{base}/cities/{CITY}?year={YEAR}")
    page.get_by_role("link", name=f"Open the data of {YEAR}").click()
    page.get_by_role("link", name="Enter values for any KPI of the framework").click()
    check(page, "editor-kpi-list")
    total = page.locator("#kpis tbody tr").count()
    page.get_by_label("Search (code, name, unit or input)").fill("commuters cycling")
    assert page.locator("#kpis tbody tr:visible").count() == 1
    assert f"1 of {total} KPIs shown" in page.locator("#kpi-count").inner_text()
    page.get_by_label("Search (code, name, unit or input)").fill("")
    page.get_by_label("Dimension").select_option("Environment")
    shown = page.locator("#kpis tbody tr:visible th").all_inner_texts()
    assert shown and all(code.startswith("EN") for code in shown)
    page.get_by_label("Dimension").select_option("")
    page.get_by_role("link", name=MODE_SHARE, exact=True).click()
    check(page, "editor-kpi-entry")
    page.get_by_role("link", name=f"Enter {MODE_SHARE} cycling").click()
    assert "Unit: Percentage" in page.locator("#unit").inner_text()
    page.get_by_label("Value").fill("150")
    page.get_by_label("Status").focus()  # leaving the field asks the server (inline validation)
    page.locator("#e-value").filter(has_text="above the maximum").wait_for()
    check(page, "editor-entry-new")
    page.get_by_label("Value").fill("7.5")
    page.get_by_role("button", name="Save").click()
    page.wait_for_load_state()
    assert "The value was saved." in page.content()
    assert page.csp_refused == []
