"""Notifications and problem reports over HTTP against a real server (both databases).

The unread count is in the navigation of every page, cached pages included, and is each visitor's
own; a problem report needs no account, refuses what it must with a message, is rate-limited, and
reaches the verifier's queue and inbox; the reporter reads the answer at their private link.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator

import httpx
import pytest
from web_server import CITY, YEARS, csrf_of, draft_period, running, signed_in

from citykpi.platform import problem_reports
from citykpi.store.notice_rules import rules


@pytest.fixture(scope="module")
def base(module_db_url: str) -> Iterator[str]:
    with running(module_db_url, cities=1) as url:
        yield url


def patient(client: httpx.Client) -> httpx.Client:
    client.timeout = httpx.Timeout(60)  # a first city page on a machine shared by many test runs can take seconds
    return client


def user(base: str, name: str, lang: str = "en") -> httpx.Client:
    return patient(signed_in(base, name, lang))


def unread(page: str) -> int:
    nav = page.split('href="/notifications"', 1)[1].split("</a>", 1)[0]
    found = re.search(r'class="count" aria-hidden="true">(\d+)<', nav)
    return int(found.group(1)) if found else 0


def test_a_state_change_shows_in_the_verifiers_count_on_cached_pages_and_opens_its_period(base: str) -> None:
    editor, verifier, hub = user(base, "editor"), user(base, "verifier"), user(base, "hub")
    city_page = f"/cities/{CITY}"
    assert unread(verifier.get(city_page).text) == 0  # the page is now cached for the verifier
    period = draft_period(editor)
    page = editor.get(period).text
    version = re.search(r'name="version" value="(\d+)"', page)
    assert version is not None
    moved = editor.post(
        f"{period}/transition",
        data={"csrf_token": csrf_of(page), "target": "submitted", "version": version.group(1)},
    )
    assert moved.status_code == 303
    for client in (verifier, hub):
        assert unread(client.get(city_page).text) == 1  # the cached page, with this visitor's own count
        assert unread(client.get("/").text) == 1
    assert unread(editor.get(city_page).text) == 0  # the editor acted: not told of it
    inbox = verifier.get("/notifications").text
    assert f"{CITY.capitalize()} {YEARS[-1]} is now submitted (by editor)" in inbox
    notice = re.search(r'action="(/notifications/\d+/open)"', inbox)
    assert notice is not None
    opened = verifier.post(notice.group(1), data={"csrf_token": csrf_of(inbox)})
    assert opened.status_code == 303 and opened.headers["location"] == period
    assert unread(verifier.get(city_page).text) == 0 and unread(hub.get(city_page).text) == 1
    foreign = hub.post(notice.group(1), data={"csrf_token": csrf_of(hub.get("/notifications").text)})
    assert foreign.status_code == 404  # someone else's notification


def test_the_count_and_pages_are_french_for_a_french_reader(base: str) -> None:
    page = user(base, "admin", "fr").get("/notifications/settings")
    assert page.status_code == 200 and "Paramètres des notifications" in page.text


def test_settings_keep_choices_and_refuse_a_bad_address(base: str) -> None:
    viewer = user(base, "verifier")
    form = viewer.get("/notifications/settings").text
    token = csrf_of(form)
    bad = viewer.post("/notifications/settings", data={"csrf_token": token, "address": "not an address\x07"})
    assert bad.status_code == 422 and "control character" in bad.text
    saved = viewer.post(
        "/notifications/settings",
        data={"csrf_token": token, "address": "vera@example.org", "in_app": ["query-answered"], "email": []},
    )
    assert saved.status_code == 303
    again = viewer.get("/notifications/settings").text
    assert 'value="vera@example.org"' in again
    assert re.search(r'id="in-query-answered" name="in_app" value="query-answered" checked', again)
    assert not re.search(r'id="in-period-state"[^>]*checked', again)
    restore = {"csrf_token": token, "address": "", "in_app": list(rules().kinds)}
    assert viewer.post("/notifications/settings", data=restore).status_code == 303


def _report_form(client: httpx.Client, query: str = "") -> str:
    answer = client.get(f"/cities/{CITY}/report-problem{query}")
    assert answer.status_code == 200
    return csrf_of(answer.text)


def test_a_public_report_reaches_the_verifier_who_answers_and_the_reporter_reads_it(base: str) -> None:
    public = patient(httpx.Client(base_url=base))
    kpi = "EC: ICT: ICT: 1C"
    token = _report_form(public, f"?kpi={kpi}&year={YEARS[0]}")
    sent = public.post(
        f"/cities/{CITY}/report-problem",
        data={"csrf_token": token, "kpi": kpi, "year": str(YEARS[0]), "message": "Internet access of 140 % ?"},
    )
    assert sent.status_code == 303 and sent.headers["cache-control"] == "no-store"
    private = sent.headers["location"]
    assert re.fullmatch(r"/problems/[A-Za-z0-9_-]{32}\?ok=reported", private)
    mine = public.get(private)
    assert "Keep this private address" in mine.text and "No answer yet" in mine.text
    assert f'<a href="{base}{private.split("?")[0]}">' in mine.text  # the whole address, to copy
    assert 's-report-open">open</span>' in mine.text  # the state in words
    verifier = user(base, "verifier")
    queue = verifier.get("/queue").text
    assert "Problems reported by visitors" in queue and "Internet access of 140 % ?" in queue
    assert "A visitor reported a problem with EC: ICT: ICT: 1C" in verifier.get("/notifications").text
    report = re.search(r'action="(/problem-reports/\d+/answer)"', queue)
    assert report is not None
    empty = verifier.post(report.group(1), data={"csrf_token": csrf_of(queue), "answer": " ", "settle": "answered"})
    assert empty.status_code == 422 and "the answer is empty" in empty.text
    answered = verifier.post(
        report.group(1), data={"csrf_token": csrf_of(queue), "answer": "A typo: 40 %. Fixed.", "settle": "answered"}
    )
    assert answered.status_code == 303
    shown = html.unescape(public.get(private.split("?")[0]).text)
    assert "A typo: 40 %. Fixed." in shown and "The team's answer" in shown
    assert "Internet access of 140 % ?" not in verifier.get("/queue").text  # settled: off the queue
    again = verifier.post(report.group(1), data={"csrf_token": csrf_of(queue), "answer": "x", "settle": "dismissed"})
    assert again.status_code == 409
    editor = user(base, "editor")
    assert "Problems reported" not in user(base, "viewer").get("/queue").text
    assert editor.get("/queue").status_code == 200


def test_reports_refuse_with_a_message_what_they_cannot_keep(base: str) -> None:
    public = patient(httpx.Client(base_url=base, headers={"x-forwarded-for": "ignored"}))
    token = _report_form(public)
    url = f"/cities/{CITY}/report-problem"
    no_csrf = public.post(url, data={"message": "hello"})
    assert no_csrf.status_code == 403
    control = public.post(url, data={"csrf_token": token, "message": "bad \x00 byte"})
    assert control.status_code == 422 and "control character U+0000" in control.text
    long = public.post(url, data={"csrf_token": token, "message": "x" * (problem_reports.MAX_TEXT + 1)})
    assert long.status_code == 422 and f"at most {problem_reports.MAX_TEXT}" in long.text
    assert public.post(url, data={"csrf_token": token, "message": "   "}).status_code == 422
    unknown = public.post(url, data={"csrf_token": token, "message": "m", "kpi": "NOPE"})
    assert unknown.status_code == 422 and "no KPI" in unknown.text
    assert public.get("/problems/not-a-real-token-at-all").status_code == 404
    assert public.get("/cities/no-such-city/report-problem").status_code == 404


def test_reports_are_rate_limited_per_client(base: str) -> None:
    public = patient(httpx.Client(base_url=base))
    token = _report_form(public)
    url = f"/cities/{CITY}/report-problem"
    statuses = [
        public.post(url, data={"csrf_token": token, "message": f"report {i}"}).status_code
        for i in range(problem_reports.PER_CLIENT + 1)
    ]
    # Earlier tests of this module sent reports from the same address (127.0.0.1) within the hour.
    assert statuses[-1] == 429 and 303 not in statuses[statuses.index(429) :]
    refused = public.post(url, data={"csrf_token": token, "message": "one more"})
    assert refused.status_code == 429 and "Too many reports were sent from here" in refused.text


def test_behind_a_proxy_on_this_machine_each_forwarded_client_has_its_own_limit(base: str) -> None:
    """uvicorn takes the client's address from X-Forwarded-For when the connection comes from a
    trusted proxy (127.0.0.1 and ::1 unless FORWARDED_ALLOW_IPS says otherwise), so the reporters
    behind one reverse proxy do not share one limit."""
    url = f"/cities/{CITY}/report-problem"

    def sent(address: str, count: int) -> list[int]:
        public = patient(httpx.Client(base_url=base, headers={"x-forwarded-for": address}))
        token = _report_form(public)
        return [public.post(url, data={"csrf_token": token, "message": f"from {address}"}).status_code
                for _ in range(count)]  # fmt: skip

    assert sent("203.0.113.7", problem_reports.PER_CLIENT + 1) == [303] * problem_reports.PER_CLIENT + [429]
    assert sent("203.0.113.8", 1) == [303]  # another reporter behind the same proxy


def test_the_public_is_sent_to_sign_in_and_has_no_count(base: str) -> None:
    public = patient(httpx.Client(base_url=base))
    for path in ("/notifications", "/notifications/settings", "/admin/webhooks"):
        answer = public.get(path)
        assert answer.status_code == 303 and answer.headers["location"] == f"/signin?next={path}"
    assert 'href="/notifications"' not in public.get(f"/cities/{CITY}").text
    assert public.post("/notifications/read", data={"csrf_token": "x"}).status_code == 403
