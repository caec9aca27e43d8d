"""The verifier's pages over HTTP against a real server (SQLite and PostgreSQL): the evidence panel,
screening on the demo's real figures, what each role's queue lists, filters and sorting in the URL,
actions only where the states allow them, and a hub's screening thresholds.

One walk through the workflow per module, in order: the tests share the server's state, as a city's
team and its verifier share a period.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from web_server import YEARS, csrf_of, draft_period, running, signed_in

from citykpi.demo.cities import CITIES
from warned_workbook import workbook

COMMUTING = "EC: I: T: 4A"
BROADBAND = "EC: ICT: ICT: 2C"


@pytest.fixture(scope="module")
def base(module_db_url: str) -> Iterator[str]:
    with running(module_db_url, cities=2) as url:
        yield url


def text(answer: httpx.Response) -> str:
    """The page's words, as a reader sees them (tags dropped, entities decoded, spaces folded)."""
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", answer.text)))


def review_of(client: httpx.Client, period: str, kpi: str) -> str:
    found = re.search(r'href="(/reviews/\d+)">' + re.escape(kpi) + "<", client.get(f"{period}/reviews").text)
    assert found is not None, kpi
    return found.group(1)


def user(base: str, name: str, lang: str = "en") -> httpx.Client:
    """A signed-in client that waits: an upload or a submission parses and screens a whole workbook,
    which takes seconds on the shared machine under load (httpx gives up after 5 s by default)."""
    client = signed_in(base, name, lang)
    client.timeout = httpx.Timeout(120)
    return client


@pytest.fixture(scope="module")
def period(base: str) -> str:
    return draft_period(user(base, "editor"))


def move(client: httpx.Client, period: str, target: str) -> None:
    page = client.get(period).text
    version = re.search(r'name="version" value="(\d+)"', page)
    assert version is not None
    form = {"csrf_token": csrf_of(page), "version": version.group(1), "target": target}
    answer = client.post(f"{period}/transition", data=form)
    assert answer.status_code == 303, text(answer)


def upload_with_a_warning(editor: httpx.Client, period: str, folder: Path) -> None:
    """The city's workbook with commuters_walking retyped and a broadband figure that breaks a
    plausibility rule of the catalogue (a warning kept with the values), uploaded; the warning explained."""
    changes = {
        ("EC: I: T: 4A", "input", "commuters_walking"): {"value": 1000},
        ("EC: ICT: ICT: 1C", "input", "households_with_internet"): {"value": 1000},
        (BROADBAND, "input", "fixed_broadband_subscriptions"): {"value": 2000},
    }
    path = workbook(folder, YEARS[-1], changes=changes)
    files = {"file": (path.name, path.read_bytes(), "application/octet-stream")}
    answer = editor.post(f"{period}/upload", data={"csrf_token": csrf_of(editor.get(period).text)}, files=files)
    assert answer.status_code == 200 and "Warnings kept with the values (1)" in answer.text, text(answer)
    page = editor.get(period).text
    form = re.search(r'<form method="post" action="([^"]+/explain)"[^>]*>(.*?)</form>', page, re.S)
    assert form is not None
    version = re.search(r'name="version" value="(\d+)"', form.group(2))
    assert version is not None
    sent = {"csrf_token": csrf_of(page), "version": version.group(1), "explanation": "Business lines are counted too."}
    assert editor.post(form.group(1), data=sent).status_code == 303


def edit_value(editor: httpx.Client, period: str, kpi: str, name: str, value: str) -> None:
    rows = editor.get(period).text
    entry = re.search(re.escape(f'aria-label="Edit {html.escape(kpi)} {name}"'), rows)
    found = re.search(r'href="(/values/\d+/edit)" aria-label="Edit ' + re.escape(html.escape(kpi)) + " " + name, rows)
    assert entry is not None and found is not None
    form_page = editor.get(found.group(1)).text
    fields = dict(re.findall(r'<input id="f-(\w+)" name="\w+" value="([^"]*)"', form_page))
    selected = dict(
        re.findall(r'<select id="f-(\w+)"[^>]*>(?:(?!</select>).)*?<option value="([^"]*)" selected', form_page, re.S)
    )
    version = re.search(r'name="version" value="(\d+)"', form_page)
    assert version is not None
    form = {**fields, **selected, "value": value, "reason": "recount", "version": version.group(1)}
    answer = editor.post(found.group(1), data={**form, "csrf_token": csrf_of(form_page)})
    assert answer.status_code == 303, text(answer)


def test_editor_queue_lists_the_draft_to_submit(base: str, period: str) -> None:
    editor = user(base, "editor")
    queue = editor.get("/queue")
    region = re.search(r'id="q-submit">.*?</section>', queue.text, re.S)
    place = f"{CITIES[0].name}, {CITIES[0].country}"  # a city is named with its country
    assert region is not None and f"{place} {YEARS[-1]}" in html.unescape(region.group(0))
    assert "Nothing is waiting for you." not in queue.text
    page = text(editor.get(period))
    assert "Submit for verification" in page and "Move to" not in page
    assert "data-confirm=" in editor.get(period).text  # asks before the step
    # "Completeness 100 % ... Certificate: not yet (54 KPIs missing)" read as a contradiction
    assert "Completeness" not in page and "KPIs missing" not in page
    assert re.search(
        r"Certificate of completion: not yet · \d+ of the core KPIs it counts still wait for verification", page
    )


def test_submission_screens_the_real_figures_and_the_review_shows_the_evidence(
    base: str, period: str, tmp_path: Path
) -> None:
    editor = user(base, "editor")
    upload_with_a_warning(editor, period, tmp_path)
    edit_value(editor, period, COMMUTING, "commuters_cycling", "900")
    move(editor, period, "submitted")
    verifier = user(base, "verifier")
    queue = text(verifier.get("/queue"))
    assert "Submitted reporting years: verification to start" in queue
    review = review_of(verifier, period, COMMUTING)
    page = text(verifier.get(review))
    assert "Transportation Mode Share" in page and "Unit: Percentage per mode" in page
    assert "100 * commuters_private_vehicle / commuters" in page  # the formula
    # the demo's commuters fell 36 % from 2023 to 2024: flagged
    assert "EC: I: T: 4A commuters changed by -36% from 2023 (12498) to 2024 (8009)" in page
    # each input's value, last year's, the change and where it came from
    assert re.search(r"Commuters \(total\) commuters 8,009 persons 12,498 -35.9 %", page)
    cell = r"Workbook vellmarsk-2024.xlsx, sheet Economy, cell [A-Z]+\d+ · by editor, \d{4}-\d\d-\d\d \d\d:\d\d UTC"
    assert re.search(r"Commuters walking to work commuters_walking 1,000 persons 1,570 -36.3 % " + cell, page)
    assert re.search(
        r"Commuters cycling to work commuters_cycling 900 persons 1,404 -35.9 % Typed on the web · by editor",
        page,
    )
    assert "Imported from demo Vellmarsk 2024 · by demo-loader" in page  # stored before a cell was kept
    assert "Data quality, origin, source and notes" in page and "citykpi demo generator (synthetic)" in page
    assert "Peer group: town (<50k)" in page  # the other demo city is in another group
    # the values' history: created by the demo load, then changed by the upload and the web edit
    assert "UTC editor update 989 1,000 import of vellmarsk-2024.xlsx" in page
    assert "UTC editor update 882 900 recount" in page
    assert "2024 36." in page and "2023 37.1" in page  # earlier years, this year's listed first
    # verification has not started: nothing to accept, query or reject yet
    assert "Accept this KPI" not in page and 'action="/reviews/' not in verifier.get(review).text
    assert "The verifier decides once verification of the year has started." in page
    assert "Next KPI: EC: I: T: 5A" in page
    assert "The checks gave no warning on this KPI's values in the last imported file." in page
    warned = text(verifier.get(review_of(verifier, period, BROADBAND)))
    assert re.search(
        r"Warnings and the city's explanations vellmarsk-2024.xlsx · Economy · [A-Z]+\d+ .*?"
        r"Business lines are counted too. Explained by editor",
        warned,
    )


def test_actions_appear_once_verification_started_and_the_queue_filters_and_sorts(base: str, period: str) -> None:
    verifier = user(base, "verifier")
    review = review_of(verifier, period, COMMUTING)
    move(verifier, period, "under_verification")
    page = text(verifier.get(review))
    for button in ("Send the question to the city", "Accept this KPI", "Reject this KPI"):
        assert button in page
    flagged = verifier.get("/queue", params={"findings": "yes", "sort": "findings"})
    body = flagged.text.split("<tbody>")[1]
    rows = re.findall(r"<tr>.*?</tr>", body, re.S)
    assert rows and all("⚑" in row for row in rows)
    first = re.search(r'href="/reviews/\d+">([^<]+)<', body)
    assert first is not None
    counts = [int(n) for n in re.findall(r"⚑ (\d+)", flagged.text)]
    assert counts == sorted(counts, reverse=True) and html.unescape(first.group(1)) == COMMUTING  # most findings first
    assert 'value="yes" selected' in flagged.text and 'value="findings" selected' in flagged.text  # kept in the URL
    clean = verifier.get("/queue", params={"findings": "no"})
    assert "⚑" not in clean.text.split("<tbody>")[1]
    none = verifier.get("/queue", params={"state": "queried"})
    assert "No KPI matches these filters." in none.text
    assert verifier.get("/queue", params={"sort": "nonsense"}).status_code == 422  # a page, not a 500
    # the queried KPI then waits for the editor, with its name
    form = verifier.get(review).text
    version = re.search(r'name="version" value="(\d+)"', form)
    assert version is not None
    data = {"csrf_token": csrf_of(form), "version": version.group(1), "action": "query", "message": "Why -36 %?"}
    assert verifier.post(f"{review}/act", data=data).status_code == 303
    editor_queue = text(user(base, "editor").get("/queue", params={"state": "queried"}))
    assert f"{COMMUTING} ⓘ Transportation Mode Share queried" in editor_queue  # ⓘ: the KPI's definition
    history = text(verifier.get(review))
    assert " query raised " in history  # the audit's kebab-case action, in words


def test_hub_manager_sets_a_threshold_and_others_may_not(base: str) -> None:
    hub = user(base, "hub")
    page = hub.get("/screening")
    assert page.status_code == 200 and "North hub" in page.text and "South hub" not in page.text
    assert "Default: 30 %" in text(page)
    form = {
        "csrf_token": csrf_of(page.text),
        "hub": "North hub",
        "rule": "year-on-year",
        "percent": "45",
        "reason": "small towns",
    }
    assert hub.post("/screening", data=form).status_code == 303
    assert re.search(r"This hub: 45 %, set by hub on", text(hub.get("/screening")))
    bad = hub.post("/screening", data={**form, "percent": "lots"})
    assert (
        bad.status_code == 422
        and "the threshold must be a number of percent, such as 30, not &#39;lots&#39;" in bad.text
    )
    other = hub.post("/screening", data={**form, "hub": "South hub"})
    assert other.status_code == 403
    assert user(base, "editor").get("/screening").status_code == 403


def test_french_words_for_the_new_pages(base: str) -> None:
    hub = user(base, "hub", lang="fr")
    assert "Seuils de filtrage" in hub.get("/screening").text
    admin = user(base, "admin", lang="fr")
    queue = text(admin.get("/queue"))
    assert "Années de rapport à soumettre" in queue and "brouillon" in queue
    assert "under_verification" not in queue and "hub_manager" not in queue
