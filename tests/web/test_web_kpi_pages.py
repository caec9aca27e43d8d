"""KPI pages for everyone and the open-data page, over HTTP against a real server (both databases), and in Chromium.

The demo's first year is published and its second a draft, so the pages must show the first and
never a value of the second to the public.
"""

from __future__ import annotations

import html
import io
import re
import zipfile
from collections.abc import Iterator
from urllib.parse import quote

import httpx
import pandas as pd
import pytest
from test_web_browser import check_page, sign_in, watched
from web_server import CITY, YEARS, draft_period, running, signed_in

from citykpi.framework.catalogue import Catalogue
from citykpi.scoring.targetfiles import default_target_set

KPI = "EC: ICT: ICT: 1C"
KPI_PAGE = f"/kpis/u4ssc/{quote(KPI, safe='')}"


@pytest.fixture(scope="module")
def base(module_db_url: str) -> Iterator[str]:
    with running(module_db_url, cities=2) as url:
        yield url


def text_of(page: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))


def test_kpi_page_says_what_the_kpi_is_how_it_is_computed_its_targets_and_who_reports_it(base: str) -> None:
    public = httpx.Client(base_url=base, timeout=60)
    answer = public.get(KPI_PAGE)
    assert answer.status_code == 200
    words = text_of(answer.text)
    kpi = Catalogue.load().kpis[KPI]
    assert (
        kpi.definition in words and kpi.formula_text in words and "100 * households_with_internet / households" in words
    )
    assert "households_with_internet Households with Internet access" in words  # the input, then its unit
    assert "Number of households in the city households" in words  # a profile field the formula reads, with unit
    assert "17.8.1" in words and kpi.provenance.basis in words and "Confidence: high" in words
    target = next(t for t in default_target_set().targets if t.kpi == KPI)
    assert target.source in words and "2030" in words
    rows = public.get("/api/v1/results", params={"kpi": KPI}).json()["items"]
    assert {r["year"] for r in rows} == {YEARS[0]}  # the draft year stays out
    for row in rows:
        assert row["city_name"] in words and f"{row['value']:.2f}" in words
        assert f'href="/cities/{row["city"]}/kpis/{quote(KPI, safe="")}"' in answer.text


def test_unknown_kpi_or_framework_is_a_404_page(base: str) -> None:
    public = httpx.Client(base_url=base, timeout=60)
    for path in ("/kpis/u4ssc/EC: ICT: ICT: 99", "/kpis/nowhere/EC: ICT: ICT: 1C", "/kpis/nowhere"):
        answer = public.get(path)
        assert answer.status_code == 404 and "<html" in answer.text, path


def test_the_framework_page_links_every_kpi(base: str) -> None:
    page = httpx.Client(base_url=base, timeout=60).get("/kpis/u4ssc").text
    for code in Catalogue.load().kpis:
        assert f'href="/kpis/u4ssc/{quote(code, safe="")}"' in page, code


def test_pages_that_name_a_kpi_link_to_its_page(base: str) -> None:
    public = httpx.Client(base_url=base, timeout=60)
    assert f'href="{KPI_PAGE}"' in public.get(f"/cities/{CITY}").text
    city_kpi = public.get(f"/cities/{CITY}/kpis/{KPI}").text
    assert f'href="{KPI_PAGE}"' in city_kpi and Catalogue.load().kpis[KPI].definition in city_kpi
    editor = signed_in(base, "editor")
    period = editor.get(draft_period(editor)).text
    assert f'href="{KPI_PAGE}"' in period and f'aria-label="Definition of {KPI}"' in period
    verifier = signed_in(base, "verifier")
    queue = verifier.get("/queue").text
    review = re.search(r'href="(/reviews/\d+)"', queue)
    if review is not None:
        assert "/kpis/u4ssc/" in verifier.get(review.group(1)).text


def test_open_data_page_names_the_licence_and_links_the_bulk_files_and_each_periods_results(base: str) -> None:
    public = httpx.Client(base_url=base, timeout=60)
    page = public.get("/open-data").text
    assert 'href="https://creativecommons.org/licenses/by/4.0/" rel="license"' in page and "CC-BY-4.0" in page
    assert 'href="/api/v1/open-data?format=zip"' in page and 'href="/api/v1/open-data?format=parquet"' in page
    results = re.findall(r'href="(/api/v1/results\?format=csv&amp;period=\d+&amp;limit=200000)"', page)
    assert len(results) == 2 and page.count("Collection file (CSV)") == 2
    per_period = pd.read_csv(io.BytesIO(public.get(html.unescape(results[0])).content))
    assert len(per_period) > 100 and per_period["period_id"].nunique() == 1 and per_period["value"].notna().any()


def test_bulk_download_and_the_query_read_with_pandas_in_one_line(base: str) -> None:
    frame = pd.read_csv(f"{base}/api/v1/results?format=csv&limit=200000")  # the documented one line
    assert set(frame["year"]) == {YEARS[0]} and frame["city"].nunique() == 2
    archive = zipfile.ZipFile(io.BytesIO(httpx.get(f"{base}/api/v1/open-data?format=zip").content))
    bulk = pd.read_csv(archive.open("results.csv"))
    assert len(bulk) == len(frame) and list(bulk.columns) == list(frame.columns)
    assert pd.read_parquet(io.BytesIO(httpx.get(f"{base}/api/v1/open-data?format=parquet").content)).shape == bulk.shape


@pytest.mark.browser
def test_kpi_and_open_data_pages_pass_axe_at_desktop_and_phone_size(base: str, browser, module_db_url: str) -> None:  # type: ignore[no-untyped-def]
    if not module_db_url.startswith("sqlite"):
        pytest.skip("the axe and phone-width checks run on SQLite only, as in test_web_browser")
    page = watched(browser.new_page())
    for name, path in (("kpi-about", KPI_PAGE), ("kpis", "/kpis/u4ssc"), ("open-data", "/open-data")):
        page.goto(f"{base}{path}")
        check_page(page, name)
    page.goto(f"{base}/cities/{CITY}/kpis/{KPI}")
    page.get_by_role("link", name="About this KPI: formula, inputs, targets and the cities that report it").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Definition").is_visible()
    sign_in(page, base, "editor")
    page.goto(f"{base}/queue")
    check_page(page, "queue-with-kpi-links")
    page.close()
