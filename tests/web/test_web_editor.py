"""The city editor's pages over HTTP against a real server (SQLite and PostgreSQL).

Download the city's workbook and upload it back; an upload's answer (counts, every problem at its
cell grouped by type, the workbook marked back); warnings kept with the values and explained;
web edits an upload overwrites; data entry for any KPI with the row's own unit and choices; hostile
files answered, never a 500.
"""

from __future__ import annotations

import base64
import html
import io
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import httpx
import openpyxl
import pytest
from web_server import CITY, YEARS, csrf_of, draft_period, running, signed_in

from citykpi.framework.catalogue import Catalogue
from hostile.corpus import build
from warned_workbook import warned_workbook, workbook

YEAR = YEARS[-1]
MODE_SHARE = "EC: I: T: 4A"


@pytest.fixture(scope="module")
def base(module_db_url: str) -> Iterator[str]:
    with running(module_db_url, cities=1) as url:
        yield url


@pytest.fixture(scope="module")
def editor(base: str) -> httpx.Client:
    return signed_in(base, "editor")


def upload(client: httpx.Client, name: str, content: bytes) -> httpx.Response:
    period = draft_period(client)
    token = csrf_of(client.get(period).text)
    files = {"file": (name, content, "application/octet-stream")}
    return client.post(f"{period}/upload", data={"csrf_token": token}, files=files)


def report(page: str) -> str:
    return page.split('<section class="report"', 1)[1].split("</section>", 1)[0]


def counts(page: str) -> dict[str, int]:
    return {k: int(v) for k, v in re.findall(r"<li>(\w+): <strong>(\d+)</strong></li>", report(page))}


def marked_workbook(page: str) -> openpyxl.Workbook:
    found = re.search(r'href="data:application/vnd[^;"]+;base64,([^"]+)" download="([^"]+)"', page)
    assert found is not None, "no marked workbook offered"
    assert found.group(2).endswith("-checked.xlsx")
    return openpyxl.load_workbook(io.BytesIO(base64.b64decode(found.group(1))))


def test_the_workbook_downloaded_from_the_period_page_uploads_back_unchanged(editor: httpx.Client) -> None:
    period = draft_period(editor)
    page = editor.get(period).text
    assert f'href="{period}/workbook"' in page
    answer = editor.get(f"{period}/workbook")
    assert answer.status_code == 200
    assert answer.headers["content-disposition"] == f'attachment; filename="{CITY}-{YEAR}.xlsx"'
    back = upload(editor, f"{CITY}-{YEAR}.xlsx", answer.content)
    assert back.status_code == 200
    assert counts(back.text) == {"Created": 0, "Updated": 0, "Unchanged": counts(back.text)["Unchanged"], "Warnings": 0}
    assert counts(back.text)["Unchanged"] > 100


def test_the_public_cannot_download_a_draft_workbook(base: str, editor: httpx.Client) -> None:
    answer = httpx.get(f"{base}{draft_period(editor)}/workbook")
    assert answer.status_code == 404 and "not published yet" in answer.text


def test_an_upload_with_warnings_answers_each_at_its_cell_and_keeps_them(editor: httpx.Client, tmp_path: Path) -> None:
    path = warned_workbook(tmp_path, YEAR)
    answer = upload(editor, path.name, path.read_bytes())
    assert answer.status_code == 200
    found = counts(answer.text)
    assert found["Updated"] > 0 and found["Warnings"] == 2
    body = report(answer.text)
    assert "Plausibility" in body and "(2)" in body
    rows = re.findall(r"<tr><td>(.*?)</td><td>(.*?)</td><td>(.*?)</td><td>(.*?)</td></tr>", body)
    assert [(r[0], r[1], html.unescape(r[2])) for r in rows] == [
        ("Economy", "I6", "EC: ICT: ICT: 2C"),
        ("Economy", "I95", MODE_SHARE),
    ]
    marked = marked_workbook(answer.text)
    assert marked.sheetnames[0] == "Problems"
    assert "normally below household Internet access" in marked["Economy"]["I6"].comment.text
    assert "Warnings kept with the values (2)" in answer.text  # the answer reads the import's commit
    # Kept: the period page lists them, with a form to explain each.
    period_page = editor.get(draft_period(editor)).text
    assert "Warnings kept with the values (2)" in period_page
    assert period_page.count('name="explanation"') == 2


def test_an_explained_warning_shows_on_the_period_and_kpi_pages(editor: httpx.Client, tmp_path: Path) -> None:
    period = draft_period(editor)
    page = editor.get(period).text
    if "Warnings kept with the values" not in page:
        path = warned_workbook(tmp_path, YEAR)
        upload(editor, path.name, path.read_bytes())
        page = editor.get(period).text
    label = f"Explanation of the warning on {MODE_SHARE} at I95"
    form = re.search(
        r'<form method="post" action="([^"]+/explain)"[^>]*>(.*?)</form>', page[page.index(label) - 900 :], re.S
    )
    assert form is not None
    version = re.search(r'name="version" value="(\d+)"', form.group(2))
    assert version is not None
    sent = {"csrf_token": csrf_of(page), "version": version.group(1), "explanation": "Para transport is not surveyed."}
    answer = editor.post(form.group(1), data=sent)
    assert answer.status_code == 303 and "ok=explained" in answer.headers["location"]
    again = editor.get(period).text
    assert "Your explanation of the warning was saved." in editor.get(answer.headers["location"]).text
    assert "Para transport is not surveyed." in again and "Explained by editor" in again
    kpi_page = editor.get(f"/cities/{CITY}/kpis/{quote(MODE_SHARE)}").text
    assert "Warnings kept with the values (1)" in kpi_page and "Para transport is not surveyed." in kpi_page
    # A control character is refused at its field, nothing saved.
    bell = editor.post(form.group(1), data=sent | {"version": str(int(version.group(1)) + 1), "explanation": "a\x07b"})
    assert bell.status_code == 422 and 'aria-invalid="true" aria-describedby="explain-error-' in bell.text
    assert re.search(r'<p class="field-error" id="explain-error-\d+" role="alert">[^<]*control', bell.text)
    assert "Para transport is not surveyed." in editor.get(period).text
    # The same version again is stale: nothing is overwritten.
    stale = editor.post(form.group(1), data=sent | {"explanation": "second thoughts"})
    assert stale.status_code == 409 and "nothing was overwritten" in stale.text
    # A value of the KPI edited on the web afterwards: the warning says the checks have not seen it.
    flag = "A value of this KPI was edited after this file was imported"
    assert flag not in again
    entry_page = editor.get(f"{period}/enter?kpi={quote(MODE_SHARE)}").text
    edit = re.search(r'href="(/values/\d+/edit)" aria-label="Edit EC: I: T: 4A commuters_walking"', entry_page)
    assert edit is not None
    form_page = editor.get(edit.group(1)).text
    fields = dict(re.findall(r'name="(version|csrf_token)" value="([^"]*)"', form_page))
    walked = fields | {"value": "300", "status": "reported", "reason": "survey recount"}
    assert editor.post(edit.group(1), data=walked).status_code == 303
    assert editor.get(period).text.count(flag) == 1  # on the mode-share warning only


def test_explaining_needs_the_csrf_token_and_an_editor(base: str, editor: httpx.Client) -> None:
    page = editor.get(draft_period(editor)).text
    action = re.search(r'action="([^"]+/explain)"', page)
    if action is None:
        pytest.skip("no warning kept (run with the module)")
    missing = editor.post(action.group(1), data={"version": "1", "explanation": "x"})
    assert missing.status_code in (400, 403)
    verifier = signed_in(base, "verifier")
    refused = verifier.post(
        action.group(1),
        data={"csrf_token": csrf_of(verifier.get("/queue").text)}
        | {
            "version": "1",
            "explanation": "x",
        },
    )
    assert refused.status_code == 403


def test_an_upload_lists_the_web_edits_it_reverts(editor: httpx.Client, tmp_path: Path) -> None:
    path = workbook(tmp_path, YEAR)
    upload(editor, path.name, path.read_bytes())
    period = draft_period(editor)
    entry_page = editor.get(f"{period}/enter?kpi={quote(MODE_SHARE)}").text
    edit = re.search(r'href="(/values/\d+/edit)" aria-label="Edit EC: I: T: 4A commuters"', entry_page)
    assert edit is not None
    form_page = editor.get(edit.group(1)).text
    assert "Unit: persons" in form_page and "Percentage per mode" not in form_page
    fields = dict(re.findall(r'name="(version|csrf_token)" value="([^"]*)"', form_page))
    sent = fields | {"value": "905", "status": "reported", "reason": "corrected from the survey"}
    assert editor.post(edit.group(1), data=sent).status_code == 303
    answer = upload(editor, path.name, path.read_bytes())
    assert answer.status_code == 200
    body = report(answer.text)
    assert "Values edited since the last upload, replaced by this file (1)" in body
    row = re.search(
        r"<tr><th scope=\"row\">EC: I: T: 4A</th><td>commuters</td><td>value</td>"
        r"<td>905(?:\.0)?</td><td>([\d.]+)</td><td>editor</td>",
        body,
    )
    assert row is not None, body
    assert "Values edited since the last upload" not in report(upload(editor, path.name, path.read_bytes()).text)


def test_every_kpi_of_the_framework_is_listed_in_order_with_search_and_dimension(editor: httpx.Client) -> None:
    period = draft_period(editor)
    assert f'href="{period}/kpis"' in editor.get(period).text
    codes = list(Catalogue.load().kpis)
    listed = re.findall(
        r'<th scope="row"><a href="[^"]+/enter\?kpi=[^"]+">([^<]+)</a></th>', editor.get(f"{period}/kpis").text
    )
    assert [html.unescape(c) for c in listed] == codes
    found = editor.get(f"{period}/kpis", params={"q": "commuters cycling"}).text
    assert [html.unescape(c) for c in re.findall(r'/enter\?kpi=[^"]+">([^<]+)</a>', found)] == [MODE_SHARE]
    environment = editor.get(f"{period}/kpis", params={"dimension": "Environment"}).text
    shown = [html.unescape(c) for c in re.findall(r'/enter\?kpi=[^"]+">([^<]+)</a>', environment)]
    assert shown and all(code.startswith("EN") for code in shown)
    nothing = editor.get(f"{period}/kpis", params={"q": "<script>zzz"}).text
    assert "No KPI matches" in nothing and "<script>zzz" not in nothing


def test_a_french_editor_finds_a_kpi_by_its_french_name(base: str) -> None:
    french = signed_in(base, "editor", "fr")
    period = draft_period(french)
    found = french.get(f"{period}/kpis", params={"q": "chômage jeunes"}).text
    assert [html.unescape(c) for c in re.findall(r'/enter\?kpi=[^"]+">([^<]+)</a>', found)] == ["EC: P: EM: 2C"]
    assert "<td>Taux de chômage des jeunes</td><td>Pourcentage</td><td>Économie</td>" in found


def _form_fields(page: str) -> dict[str, str]:
    return dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', page))


def test_a_qualitative_answer_is_a_choice_of_its_levels(editor: httpx.Client) -> None:
    period = draft_period(editor)
    kpi = next(
        k for k in Catalogue.load().kpis.values() if any(p.levels == ["no", "partial", "yes"] for p in k.data_points)
    )
    point = next(p for p in kpi.data_points if p.levels)
    entry_page = editor.get(f"{period}/enter", params={"kpi": kpi.code}).text
    link = re.search(rf'href="([^"]+)" aria-label="(?:Edit|Enter) {re.escape(kpi.code)} {point.key}"', entry_page)
    assert link is not None
    form = editor.get(html.unescape(link.group(1)))
    assert form.status_code == 200 and '<select id="f-value" name="value"' in form.text
    assert re.findall(r'<option value="(no|partial|yes)"', form.text) == ["no", "partial", "yes"]
    assert "Unit: yes / partial / no" in form.text
    action = re.search(r'<form method="post" action="([^"]+)" class="card narrow"', form.text)
    assert action is not None
    sent = _form_fields(form.text) | {"status": "reported", "reason": "plan adopted"}
    bad = editor.post(action.group(1), data=sent | {"value": "maybe"})
    assert bad.status_code == 422
    assert re.search(r'<select id="f-value" name="value" aria-invalid="true"', bad.text)
    assert "is not one of the allowed answers: no, partial, yes" in bad.text
    assert editor.post(action.group(1), data=sent | {"value": "partial"}).status_code == 303
    assert re.search(r"<td>partial</td>", editor.get(f"{period}/enter", params={"kpi": kpi.code}).text)


def test_a_value_never_reported_is_created_from_the_kpi_page_with_its_own_unit(editor: httpx.Client) -> None:
    period = draft_period(editor)
    entry_page = editor.get(f"{period}/enter", params={"kpi": MODE_SHARE}).text
    assert "<td>persons</td>" in entry_page and "<td>Percentage</td>" in entry_page
    link = re.search(rf'href="([^"]+)" aria-label="Enter {re.escape(MODE_SHARE)} cycling"', entry_page)
    assert link is not None, "the directly reported cycling share is not stored by the demo"
    form = editor.get(html.unescape(link.group(1)))
    assert form.status_code == 200
    assert "Unit: Percentage · Allowed: 0 – 100" in form.text and "Percentage per mode" not in form.text
    sent = _form_fields(form.text) | {"value": "7.5", "status": "reported", "reason": "from the 2024 survey"}
    assert sent["version"] == "0" and sent["kind"] == "value"
    made = editor.post(f"{period}/values/new", data=sent)
    assert made.status_code == 303
    after = editor.get(f"{period}/enter", params={"kpi": MODE_SHARE}).text
    assert re.search(rf'aria-label="Edit {re.escape(MODE_SHARE)} cycling"', after)
    twice = editor.post(f"{period}/values/new", data=sent | {"value": "8"})
    assert twice.status_code == 409 and "nothing was overwritten" in twice.text
    unknown = editor.get(f"{period}/values/new", params={"kpi": MODE_SHARE, "kind": "input", "name": "nope"})
    assert unknown.status_code == 404


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> list:  # type: ignore[type-arg]
    """One case of each kind of damage, and two hostile cell values the error must locate."""
    cases = build(tmp_path_factory.mktemp("hostile"))
    first = {case.kind: case for case in reversed(cases)}
    located = [c for c in cases if c.at and "cell" in c.at and c not in first.values()]
    return [*first.values(), *located[:2]]


def test_hostile_files_are_answered_with_located_errors_never_a_500(editor: httpx.Client, hostile: list) -> None:  # type: ignore[type-arg]
    for case in hostile:
        answer = upload(editor, case.path.name, case.path.read_bytes())
        assert answer.status_code in (200, 422), (case.kind, case.name, answer.status_code)
        assert '<section class="report"' in answer.text, case.name
        if answer.status_code == 422 and case.at and "cell" in case.at:
            rows = re.findall(r"<tr><td>(.*?)</td><td>(.*?)</td>", report(answer.text))
            assert (html.unescape(str(case.at["sheet"])), case.at["cell"]) in [
                (html.unescape(s), c) for s, c in rows
            ], case.name
