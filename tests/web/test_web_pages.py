"""Pages over HTTP against a real server: permissions, CSRF, errors as pages, language, no 500."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
from web_server import CITY, YEARS, csrf_of, draft_period, running, signed_in

from citykpi.demo.cities import CITIES
from citykpi.report.i18n import translations


@pytest.fixture(scope="module")
def base(module_db_url: str) -> Iterator[str]:
    with running(module_db_url, cities=2) as url:
        yield url


def test_public_sees_published_years_only(base: str) -> None:
    editor = signed_in(base, "editor")
    period = draft_period(editor)
    public = httpx.Client(base_url=base)
    city = public.get(f"/cities/{CITY}").text
    assert f">{YEARS[0]}<" in city and f">{YEARS[-1]}<" not in city
    assert public.get(f"/cities/{CITY}?year={YEARS[-1]}").status_code == 404
    assert public.get(period).status_code == 404
    assert public.get(f"/wheels/{period.rsplit('/', 1)[1]}.svg").status_code == 404
    assert "Audit trail" not in public.get(f"/cities/{CITY}/kpis/EC: ICT: ICT: 1C").text


def published_period(client: httpx.Client) -> str:
    found = re.search(r'href="(/periods/\d+)"', client.get(f"/cities/{CITY}?year={YEARS[0]}").text)
    assert found is not None
    return found.group(1)


@pytest.mark.parametrize(
    ("lang", "unpublished", "team_only", "sign_in"),
    [
        ("en", "This reporting year is not published yet.", "the working space of the city's team", "Sign in if"),
        ("fr", "Cette année de rapport n'est pas encore publiée.", "espace de travail de l'équipe", "Connectez-vous"),
    ],
)
def test_public_is_told_in_words_why_a_page_is_closed(
    base: str, lang: str, unpublished: str, team_only: str, sign_in: str
) -> None:
    """Not the service's "public 'public' may not read Vellmarsk 2024": a sentence and a way to sign in.

    A draft year and a year that does not exist get the same answer, so a draft's existence does not leak.
    """
    editor = signed_in(base, "editor")
    draft, published = draft_period(editor), published_period(editor)
    public = httpx.Client(base_url=base, cookies={"lang": lang})
    for path in (f"/cities/{CITY}?year={YEARS[-1]}", f"/cities/{CITY}?year=2199", draft, "/periods/987654"):
        answer = public.get(path)
        assert answer.status_code == 404, path
        assert unpublished in answer.text and "may not" not in answer.text and "no period" not in answer.text
        assert f'href="/signin?next={quote(path, safe="/")}">{sign_in}' in answer.text
    for path in (published, f"{published}/reviews"):
        answer = public.get(path)
        assert answer.status_code == 403, path
        assert team_only in answer.text and "&#39;public&#39;" not in answer.text
    form = {"username": "editor", "password": "editor-demo-pass", "next": draft}
    back = public.post("/signin", data={**form, "csrf_token": csrf_of(public.get("/signin").text)})
    assert back.headers["location"] == draft
    other = re.search(r'href="(/periods/\d+)"', signed_in(base, "admin").get(f"/cities/lotusgate?year={YEARS[0]}").text)
    assert other is not None
    answer = editor.get(other.group(1))  # a signed-in user keeps the service's precise message
    assert answer.status_code == 403 and "may not read Lotusgate" in answer.text


def test_form_without_csrf_token_changes_nothing(base: str) -> None:
    editor = signed_in(base, "editor")
    period = draft_period(editor)
    answer = editor.post(f"{period}/transition", data={"target": "submitted", "version": "1"})
    assert answer.status_code == 403 and "did not come from this site" in answer.text
    assert "draft" in editor.get(period).text


def test_wrong_password_and_unknown_pages_are_pages(base: str) -> None:
    client = httpx.Client(base_url=base)
    form = {"username": "no-such-user", "password": "nope-nope"}  # a wrong try makes that name wait a second
    assert client.post("/signin", data=form).status_code == 403  # no sign-in CSRF token: login CSRF
    answer = client.post("/signin", data={**form, "csrf_token": csrf_of(client.get("/signin").text)})
    assert answer.status_code == 401 and "Wrong user name or password." in answer.text
    missing = client.get("/cities/atlantis")
    assert missing.status_code == 404 and "no city &#39;atlantis&#39;" in missing.text
    assert client.get("/queue").headers["location"].startswith("/signin")
    assert client.get("/periods/99999999999999999999").status_code == 422  # beyond the database's integers


def test_upload_of_a_non_workbook_is_reported(base: str, tmp_path: Path) -> None:
    editor = signed_in(base, "editor")
    period = draft_period(editor)
    token = csrf_of(editor.get(period).text)
    files = {"file": ("notes.xlsx", b"this is not a spreadsheet", "application/octet-stream")}
    answer = editor.post(f"{period}/upload", data={"csrf_token": token}, files=files)
    assert answer.status_code == 422
    assert "Errors found in the file" in answer.text and "notes.xlsx" in answer.text


def test_editor_of_one_city_cannot_reach_another(base: str) -> None:
    """Another city's draft is not even visible to the editor: 404, so its existence does not leak."""
    editor = signed_in(base, "editor")
    admin = signed_in(base, "admin")
    other = admin.get("/cities/lotusgate").text
    period = re.search(r'href="(/periods/\d+)"', other)
    assert period is not None
    value = re.search(r'href="/values/(\d+)/edit"', admin.get(period.group(1)).text)
    assert value is not None
    assert editor.get(f"/values/{value.group(1)}/edit").status_code == 404
    assert editor.get(period.group(1)).status_code == 404


def test_french_pages(base: str) -> None:
    client = httpx.Client(base_url=base, cookies={"lang": "fr"}, timeout=60)  # a first city page draws its wheel
    page = client.get(f"/cities/{CITY}").text
    assert '<html lang="fr">' in page and "Roue d'évaluation" in page and "publié" in page
    # dimension names, the peer group and the word for KPI in French; no English beside a French wheel
    assert '<th scope="row">Économie</th>' in page and '<th scope="col">Société et culture</th>' in page
    assert "bourg (moins de 50 k)" in page and "town (&lt;50k)" not in page
    visible = re.sub(r"<svg.*?</svg>|<[^>]+>", " ", page, flags=re.DOTALL)
    assert "ICP" in visible and not re.search(r"\bKPIs?\b", visible)
    # KPI names and units from the catalogue's French (framework/data/u4ssc.fr.yaml), in the table and the wheel
    assert "Accès des ménages à Internet" in visible and "Household Internet Access" not in page
    assert "Pourcentage" in visible and not re.search(r"\bPercentage\b", page)
    assert "EC: ICT: ICT: 1C Accès des ménages à Internet" in page  # a wheel segment's tooltip
    about = client.get("/kpis/u4ssc/EN%3A%20EN%3A%20AQ%3A%201C").text
    assert "Pollution de l&#39;air" in about and "Concentration moyenne annuelle de PM2,5" in about
    assert "Air Pollution" not in about and "PM2.5 annual mean concentration" not in about
    # the city's KPI page names each data point of its history table, one KPI's row by the KPI's name
    history = client.get(f"/cities/{CITY}/kpis/EN: EN: AQ: 1C").text
    assert '<th scope="row">Concentration moyenne annuelle de PM10</th>' in history
    assert '<th scope="row">pm10</th>' not in history
    single = client.get(f"/cities/{CITY}/kpis/EC: ICT: ICT: 1C").text
    assert '<th scope="row">Accès des ménages à Internet</th>' in single and '<th scope="row">value</th>' not in single
    by_kpi = client.get("/compare/kpis", params={"kpi": "EN: EN: AQ: 1C", "point": "no2"}).text
    assert "EN: EN: AQ: 1C · Pollution de l&#39;air · Concentration moyenne annuelle de NO2" in by_kpi
    switched = httpx.Client(base_url=base).get("/lang/fr?next=/compare")
    assert switched.status_code == 303 and switched.headers["location"] == "/compare"
    assert "lang=fr" in switched.headers["set-cookie"]


def test_audit_times_are_utc_whatever_the_database_zone(base: str) -> None:
    """The demo was loaded moments ago: its audit rows must read as now in UTC, even on a non-UTC server."""
    page = signed_in(base, "admin").get(f"/cities/{CITY}/kpis/EC: ICT: ICT: 1C").text
    assert "When (UTC)" in page
    shown = re.findall(r"<td>(\d{4}-\d\d-\d\d \d\d:\d\d)</td>", page)
    assert shown
    now = datetime.now(UTC)
    for when in shown:
        assert abs(datetime.strptime(when, "%Y-%m-%d %H:%M").replace(tzinfo=UTC) - now) < timedelta(minutes=30), when


def test_cached_pages_are_per_visitor_and_follow_their_read_scope(base: str) -> None:
    """A rendered page is reused for its own session only: names, CSRF secrets and draft years never cross."""
    editor, viewer = signed_in(base, "editor"), signed_in(base, "viewer")
    other = next(s for s in re.findall(r'href="/cities/([a-z0-9-]+)"', httpx.get(f"{base}/").text) if s != CITY)
    for _ in range(2):  # the second round is served from the cache
        mine, theirs = editor.get(f"/cities/{other}").text, viewer.get(f"/cities/{other}").text
        assert f">{YEARS[-1]}<" in theirs and f">{YEARS[-1]}<" not in mine  # the editor's city is the first
        assert "viewer" in theirs and "viewer" not in mine
        assert csrf_of(mine) != csrf_of(theirs)
        public = httpx.get(f"{base}/cities/{other}").text
        assert 'name="csrf_token"' not in public.split("<main", 1)[-1] and f">{YEARS[-1]}<" not in public


def test_versions_beyond_the_database_integers_are_conflicts(base: str) -> None:
    """SQLite cannot bind integers beyond 64 bits and PostgreSQL compares them: either way a stale form."""
    editor = signed_in(base, "editor")
    period = draft_period(editor)
    workspace = editor.get(period).text
    token = csrf_of(workspace)
    value = re.search(r'href="(/values/\d+)/edit"', workspace)
    assert value is not None
    huge = str(10**20)
    edit = editor.post(f"{value.group(1)}/edit", data={"csrf_token": token, "version": huge, "value": "42"})
    move = editor.post(f"{period}/transition", data={"csrf_token": token, "version": huge, "target": "submitted"})
    assert edit.status_code == 409 and move.status_code == 409


def test_city_page_shows_progress_with_its_legend_only_over_two_years(base: str) -> None:
    public = httpx.Client(base_url=base).get(f"/cities/{CITY}").text  # one published year
    assert public.count("No progress is shown: it needs values of two years or more.") == 1
    assert "Progress 2023" not in public and 'class="hint legend"' not in public
    editor = signed_in(base, "editor").get(f"/cities/{CITY}?year={YEARS[-1]}").text  # the draft year too
    assert f"Progress {YEARS[0]}–{YEARS[-1]}" in editor and "No progress is shown" not in editor
    legend = re.search(r'<p class="hint legend">(.*?)</p>', editor, flags=re.S)
    assert legend is not None
    kpis = editor.split('id="kpis-title"', 1)[1].split('<p class="hint legend">', 1)[0]
    words = set(re.findall(r'aria-hidden="true">.</b> ([^<(]+?)(?: <span| <svg|</td>)', kpis))
    assert words and words == set(re.findall(r"<b>([^<]+)</b>:", legend.group(1)))  # every word shown is explained
    for year in re.findall(r"target in (\d{4})", kpis):
        assert int(year) > YEARS[-1]
    lines = re.findall(r'<svg class="spark"[^>]*aria-label="([^"]*)"', kpis)
    assert lines and all(f"{YEARS[0]}: " in label and f"{YEARS[-1]}: " in label for label in lines)


def test_kpi_page_charts_each_data_point_over_the_years_with_its_target(base: str) -> None:
    code = "EC: ICT: ICT: 4C"  # two data points (3G and 4G coverage), each with a public target
    page = signed_in(base, "editor").get(f"/cities/{CITY}/kpis/{code}").text  # both years
    figures = re.findall(r'<figure class="chart-figure".*?</figure>', page, flags=re.S)
    assert [re.search(r"<figcaption[^>]*>.*· (.*?)</figcaption>", f, flags=re.S).group(1) for f in figures] == [
        "3G coverage",
        "4G coverage",
    ]
    for figure in figures:  # the table beside each chart has a column a year, the city's row first
        head, body = figure.split("<tbody>", 1)
        assert re.findall(r'<th scope="col">(\d{4})</th>', head) == [str(y) for y in YEARS]
        own = re.search(r"<tr><td>(.*?)</td>(.*?)</tr>", body)
        assert own and own.group(1) == CITIES[0].name
        assert len(re.findall(r"<td>[\d.,]+ \(.+? of target\)</td>", own.group(2))) == len(YEARS)  # value (band)
        assert "Dashed line: the public reference target (100)." in figure


def test_open_data_offers_the_iso_and_sdg_views_of_each_published_year(base: str) -> None:
    public = httpx.Client(base_url=base)
    page = public.get("/open-data").text
    links = re.findall(r'href="(/api/v1/periods/\d+/export\?format=(?:iso37120|sdg-indicators))"', page)
    assert len(links) == 4  # two demo cities, one published year each, two views
    for link in links:
        answer = public.get(link)
        assert answer.status_code == 200 and answer.headers["content-type"] == "application/zip"
    french = public.get("/open-data", headers={"Accept-Language": "fr"}).text
    assert "Indicateurs ODD de" in french


def test_choose_indicators_page_proposes_and_downloads_the_workbook(base: str) -> None:
    public = httpx.Client(base_url=base)
    page = public.get("/choose-indicators", params={"sdg": "11", "theme": "mobility", "every": "true"})
    assert page.status_code == 200
    rows = re.findall(r'<tr><td><a href="/kpis/u4ssc/[^"]+">([A-Z]{2}: [^<]+)</a></td>', page.text)
    assert "EC: I: T: 3C" in rows and "SC: SH: SA: 9C" not in rows  # bicycle network yes; traffic fatalities not SDG 11
    assert "Data held" not in page.text  # no city chosen
    # For a city, the data it reports in its latest period the visitor may see (the published one for the public).
    held = public.get("/choose-indicators", params={"sdg": "11", "city": CITY})
    assert held.status_code == 200 and "Data held" in held.text
    workbook = public.get("/choose-indicators", params={"sdg": "11", "city": CITY, "format": "xlsx"})
    assert workbook.status_code == 200 and workbook.content[:2] == b"PK"
    assert public.get("/choose-indicators", params={"theme": "traffik"}).status_code == 422
    assert public.get("/choose-indicators", params={"sdg": "18"}).status_code == 422
    french = public.get("/choose-indicators", params={"sdg": "6"}, headers={"Accept-Language": "fr"}).text
    assert "Choisir des indicateurs" in french and "ICP proposés" in french


def test_upload_of_a_damaged_workbook_shows_the_damage_in_the_error_table(base: str, tmp_path: Path) -> None:
    """A flipped run of bytes inside a compressed sheet (zlib or CRC failure): an error page, not a 500."""
    import zipfile

    from citykpi.collect.template import write_template
    from citykpi.framework.catalogue import Catalogue
    from citykpi.model.submission import CityProfile

    path = write_template(Catalogue.load(), CityProfile(city="X", year=2024), tmp_path / "x.xlsx")
    data = path.read_bytes()
    sheet = max(zipfile.ZipFile(path).infolist(), key=lambda info: info.compress_size)
    middle = sheet.header_offset + 30 + len(sheet.filename) + sheet.compress_size // 2
    damaged = data[:middle] + b"\x00" * 64 + data[middle + 64 :]
    editor = signed_in(base, "editor")
    editor.timeout = httpx.Timeout(60)  # the machine running the tests may be busy
    period = draft_period(editor)
    token = csrf_of(editor.get(period).text)
    files = {"file": ("city.xlsx", damaged, "application/octet-stream")}
    answer = editor.post(f"{period}/upload", data={"csrf_token": token}, files=files)
    assert answer.status_code == 422
    table = answer.text[answer.text.index("Errors found in the file") :]
    assert "the workbook is damaged and cannot be read" in table and "save it again" in table


def test_accepting_every_clean_kpi_needs_a_verifier_even_when_none_is_left(base: str) -> None:
    editor = signed_in(base, "editor")
    period = draft_period(editor)  # a draft: nothing submitted, so nothing to accept
    answer = editor.post(f"{period}/accept-clean", data={"csrf_token": csrf_of(editor.get(period).text)})
    assert answer.status_code == 403 and "acted" not in answer.headers.get("location", "")


def test_a_control_character_in_a_form_is_shown_at_its_field_and_nothing_is_saved(base: str) -> None:
    editor = signed_in(base, "editor")
    workspace = editor.get(draft_period(editor)).text
    value = re.search(r'href="(/values/\d+)/edit"', workspace)
    assert value is not None
    form = editor.get(f"{value.group(1)}/edit").text
    version = re.search(r'name="version" value="(\d+)"', form)
    assert version is not None
    data = {"csrf_token": csrf_of(workspace), "version": version.group(1), "value": "42", "status": "reported"}
    answer = editor.post(f"{value.group(1)}/edit", data={**data, "notes": "ok\r\nfine", "source": "survey\x1f"})
    assert answer.status_code == 422
    assert "source holds the control character U+001F at position 7; remove it" in answer.text
    assert "survey" not in editor.get(f"{value.group(1)}/edit").text.split('name="source"')[1][:80]


def test_the_pages_progress_colours_are_the_reports() -> None:
    """The city page colours progress symbols by CSS class (its policy forbids style attributes)."""
    from citykpi.report.style import PROGRESS_COLOURS

    css = (Path(__file__).parents[2] / "src/citykpi/web/data/static/site.css").read_text(encoding="utf-8")
    found = dict(re.findall(r"\.progress-(\w+) \{ color: (#\w+); \}", css))
    assert found == {status.value: colour for status, colour in PROGRESS_COLOURS.items()}


def _note(scored: int, reported: int, framework: int, lang: str) -> str:
    if lang == "fr":
        return f"{scored} points de données notés sur {reported} communiqués ; {framework} dans le cadre"
    return f"{scored} of {reported} reported data points scored; {framework} in the framework"


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_city_and_home_pages_say_what_each_score_covers(base: str, lang: str) -> None:
    public = httpx.Client(base_url=base, cookies={"lang": lang})
    period = public.get(f"/api/v1/cities/{CITY}/periods").json()[0]["id"]
    groups = public.get(f"/api/v1/periods/{period}/scores").json()
    city = groups[0]
    dimensions = [g for g in groups if g["level"] == "dimension"]
    assert city["level"] == "city" and len(dimensions) == 3

    page = public.get(f"/cities/{CITY}").text
    for g in dimensions:
        c = g["coverage"]
        name = translations(lang).gettext(g["path"][0])  # the dimension in the page's language
        row = re.search(rf"<tr><th scope=\"row\">{re.escape(name)}</th>(.*?)</tr>", page)
        assert row is not None, g["path"]
        assert _note(c["scored"], c["reported"], c["framework"], lang) in row.group(1)
    whole = _note(**city["coverage"], lang=lang)
    assert page.count(whole) == 3  # the wheel's caption, the year's scores table and the progress table
    assert 0 < city["coverage"]["scored"] < city["coverage"]["reported"] < city["coverage"]["framework"]

    home = public.get("/").text
    card = home.split(f'href="/cities/{CITY}"', 1)[1].split("</li>", 1)[0]
    assert f"{city['percent']:.0f} %</strong>" in card and whole in card
    assert "style=" not in page and "style=" not in home  # the CSP allows no inline style


def test_compare_page_says_what_each_city_score_covers(base: str) -> None:
    public = httpx.Client(base_url=base)
    period = public.get(f"/api/v1/cities/{CITY}/periods").json()[0]["id"]
    groups = public.get(f"/api/v1/periods/{period}/scores").json()
    page = public.get("/compare").text
    row = page.split(f'<a href="/cities/{CITY}">', 1)[1].split("</tr>", 1)[0]
    for g in [groups[0], *(g for g in groups if g["level"] == "dimension")]:
        assert _note(**g["coverage"], lang="en") in row, g["path"]
    assert row.count("reported data points scored") == 4  # the whole city and three dimensions
    assert "style=" not in page
