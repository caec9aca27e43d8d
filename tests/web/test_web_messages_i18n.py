"""The importer's and the services' messages on French pages, over HTTP against a real server (both databases)."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from web_server import CITY, YEARS, csrf_of, draft_period, running, signed_in

from citykpi.demo.cities import CITIES
from citykpi.demo.errors import spoil
from citykpi.demo.generate import generate
from citykpi.demo.workbook import write_filled
from citykpi.framework.catalogue import Catalogue


@pytest.fixture(scope="module")
def base(module_db_url: str) -> Iterator[str]:
    with running(module_db_url, cities=1) as url:
        yield url


def editor(base: str, lang: str, user: str = "editor") -> httpx.Client:
    return signed_in(base, user, lang)


def report_rows(page: str) -> list[list[str]]:
    body = page.split('<section class="report"', 1)[1].split("</section>", 1)[0]
    rows = re.findall(r"<tr><td>(.*?)</td></tr>", body)
    return [[html.unescape(c) for c in row.split("</td><td>")] for row in rows]


@pytest.fixture(scope="module")
def broken(tmp_path_factory: pytest.TempPathFactory) -> Path:
    catalogue = Catalogue.load()
    submission = generate(list(catalogue.kpis.values()), CITIES[0], YEARS[-1])
    path = write_filled(catalogue, submission, tmp_path_factory.mktemp("upload") / f"{CITY}-{YEARS[-1]}.xlsx")
    spoil(path)
    return path


def upload(client: httpx.Client, path: Path) -> httpx.Response:
    period = draft_period(client)
    token = csrf_of(client.get(period).text)
    files = {"file": (path.name, path.read_bytes(), "application/octet-stream")}
    return client.post(f"{period}/upload", data={"csrf_token": token}, files=files)


def test_upload_errors_in_french_at_the_same_cells(base: str, broken: Path) -> None:
    english, french = upload(editor(base, "en"), broken), upload(editor(base, "fr"), broken)
    assert english.status_code == french.status_code == 422
    en_rows, fr_rows = report_rows(english.text), report_rows(french.text)
    assert len(en_rows) == len(fr_rows) >= 4
    for en, fr in zip(en_rows, fr_rows, strict=True):
        assert (en[0], en[2]) == (fr[0], fr[2])  # the same sheet and KPI
        assert en[1] == fr[1] or not re.fullmatch(r"[A-Z]+\d+", en[1])  # the same cell (a field's name is said)
    en_text, fr_text = " ".join(r[3] for r in en_rows), " ".join(r[3] for r in fr_rows)
    assert "expected a number, found the text 'about 150 000'" in en_text
    assert "112 is above the maximum 100" in en_text
    assert "is not a KPI code of the loaded frameworks" in en_text
    assert "un nombre est attendu, la cellule contient le texte 'about 150 000'" in fr_text
    assert "112 est supérieur au maximum de 100" in fr_text
    assert "'EN: EN: EQ: 9Z' n'est pas un code de KPI des référentiels chargés" in fr_text
    assert "water_meters vaut 0 et" in fr_text
    assert "expected a number" not in fr_text and "Erreurs" in french.text


def test_file_level_problem_in_french(base: str, tmp_path: Path) -> None:
    notes = tmp_path / "notes.xlsx"
    notes.write_bytes(b"this is not a spreadsheet")
    answer = upload(editor(base, "fr"), notes)
    assert answer.status_code == 422
    row = report_rows(answer.text)[0]
    assert row[0] == "notes.xlsx"
    assert row[3].startswith("c'est un fichier texte (CSV ?) et non un classeur Excel")


def test_csv_rows_located_in_french(base: str, tmp_path: Path) -> None:
    tidy = tmp_path / "vellmarsk.csv"
    tidy.write_text(
        "city,country,year,kpi,kind,name,value,status\n"
        f'{CITIES[0].name},DE,{YEARS[-1]},EC: ICT: ICT: 1C,input,households_with_internet,"12,5",reported\n',
        encoding="utf-8",
    )
    french, english = upload(editor(base, "fr"), tidy), upload(editor(base, "en"), tidy)
    assert report_rows(french.text)[0][1:] == [
        "ligne 2, colonne 'value'",
        "EC: ICT: ICT: 1C",
        "'12,5' utilise une virgule décimale ; écrivez-le avec un point décimal",
    ]
    assert report_rows(english.text)[0][1:] == [
        "row 2, column 'value'",
        "EC: ICT: ICT: 1C",
        "'12,5' uses a decimal comma; write it with a decimal point",
    ]


def _value_form(client: httpx.Client) -> tuple[str, str]:
    period = draft_period(client)
    found = re.search(r'href="(/values/\d+/edit)"', client.get(period).text)
    assert found is not None
    return found.group(1), client.get(found.group(1)).text


def test_entry_form_and_inline_check_in_french(base: str) -> None:
    client = editor(base, "fr")
    url, form = _value_form(client)
    token, version = csrf_of(form), re.search(r'name="version" value="(\d+)"', form)
    assert version is not None
    data = {"csrf_token": token, "version": version.group(1), "value": "12,5", "status": "reported"}
    saved = client.post(url, data=data)
    assert saved.status_code == 422
    assert "'12,5' utilise une virgule décimale ; écrivez-le avec un point décimal" in html.unescape(saved.text)
    checked = client.post(url.replace("/edit", "/check"), data={"csrf_token": token, "value": "12,5"})
    assert checked.json() == {"value": ["'12,5' utilise une virgule décimale ; écrivez-le avec un point décimal"]}
    english = editor(base, "en")
    answer = english.post(
        url.replace("/edit", "/check"), data={"csrf_token": csrf_of(english.get(url).text), "value": "12,5"}
    )
    assert answer.json() == {"value": ["'12,5' uses a decimal comma; write it with a decimal point"]}
    stale = client.post(url, data={**data, "value": "12.5", "version": str(int(version.group(1)) + 7)})
    assert stale.status_code == 409
    assert "a été modifié par" in html.unescape(stale.text) and "rien n'a été écrasé" in html.unescape(stale.text)


def test_refused_action_in_french_and_english(base: str) -> None:
    for lang, expected in [
        ("fr", "le formulaire a expiré ou ne provient pas de ce site"),
        ("en", "the form has expired or did not come from this site"),
    ]:
        client = editor(base, lang)
        answer = client.post(f"{draft_period(client)}/transition", data={"target": "submitted", "version": "1"})
        assert answer.status_code == 403 and expected in answer.text
    client = editor(base, "fr")
    period = draft_period(client)
    data = {"csrf_token": csrf_of(client.get(period).text), "target": "submitted", "version": "999"}
    stale = client.post(f"{period}/transition", data=data)
    assert stale.status_code == 409
    assert "la période a changé entre-temps (version" in html.unescape(stale.text)
    data["target"] = "published"
    wrong = client.post(f"{period}/transition", data=data)
    assert wrong.status_code == 403  # publishing is a hub manager's
    assert "city_editor 'editor' n'a pas le droit de gérer" in html.unescape(wrong.text)
    hub = editor(base, "fr", "hub")
    early = hub.post(f"{period}/transition", data={**data, "csrf_token": csrf_of(hub.get(period).text)})
    assert early.status_code == 409  # the hub manager may publish, but not a draft
    assert (
        "impossible de faire passer une période de l'état brouillon à l'état publié ; seulement depuis : vérifié"
        in html.unescape(early.text)
    )
    missing = httpx.Client(base_url=base, cookies={"lang": "fr"}).get("/cities/atlantis")
    assert missing.status_code == 404 and "aucune ville &#39;atlantis&#39;" in missing.text


def test_screening_findings_in_french(base: str) -> None:
    """Last: it submits the draft. A zero denominator typed in the form is found on submit, shown in both languages."""
    client = editor(base, "fr")
    period = draft_period(client)
    kpi = "EC: ICT: WS: 1C"
    row = re.search(rf'href="(/values/\d+/edit)" aria-label="[^"]*{kpi} water_meters"', client.get(period).text)
    assert row is not None
    form = client.get(row.group(1)).text
    version = re.search(r'name="version" value="(\d+)"', form)
    assert version is not None
    data = {"csrf_token": csrf_of(form), "version": version.group(1), "value": "0", "status": "reported"}
    assert client.post(row.group(1), data=data).status_code == 303
    page = client.get(period).text
    seen = re.search(r'name="version" value="(\d+)"', page)
    assert seen is not None
    moved = client.post(
        f"{period}/transition", data={"csrf_token": csrf_of(page), "target": "submitted", "version": seen.group(1)}
    )
    assert moved.status_code == 303
    review = re.search(rf'<tr id="kpi-{kpi}">.*?href="(/reviews/\d+)"', client.get(period).text, re.S)
    assert review is not None
    french = html.unescape(client.get(review.group(1)).text)
    english = html.unescape(editor(base, "en").get(review.group(1)).text)
    assert f"water_meters is 0 and {kpi} divides by it" in english
    assert f"water_meters vaut 0 et {kpi} divise par cette valeur" in french
