"""The query API across cities (GET /api/v1/results) and the bulk open-data download, on both databases.

Two demo cities in two hubs, two years each: the first year published by the demo loader's full
verification cycle, the second a draft. Every filter is checked against rows the unfiltered query
returns, so a filter that did nothing, or dropped rows it should keep, fails.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Iterator
from typing import Any

import pandas as pd
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from citykpi.app import create_app
from citykpi.demo.cities import CITIES
from citykpi.framework.catalogue import Catalogue
from citykpi.http.settings import Settings
from citykpi.platform import accounts, verification
from citykpi.platform.demo import LOADER, load_demo
from citykpi.platform.verification import Decision
from citykpi.platform.workflow import PeriodState, ReviewAction
from citykpi.store.schema import City, Entry, Period, User

YEARS = (2022, 2023)  # the first published, the second a draft
KPI = "EC: ICT: ICT: 1C"  # 100 * households_with_internet / households


class Demo:
    def __init__(self, url: str, **settings: Any) -> None:
        self.app = create_app(Settings(database_url=url, **settings))
        load_demo(self.app.state.db, specs=CITIES[:2], years=YEARS)
        self.tokens: dict[str, str] = {}
        with self.app.state.db.write() as s:
            for user in s.scalars(select(User)):
                self.tokens[user.username] = accounts.issue(s, user, "token", name="tests")[0]
            self.cities = {c.slug: c.hub for c in s.scalars(select(City))}

    def client(self, user: str | None = None) -> TestClient:
        client = TestClient(self.app, raise_server_exceptions=False)
        if user:
            client.headers["Authorization"] = f"Bearer {self.tokens[user]}"
        return client

    def rows(self, user: str | None = None, **params: Any) -> list[dict[str, Any]]:
        answer = self.client(user).get("/api/v1/results", params={"limit": 100_000, **params})
        assert answer.status_code == 200, answer.text
        return list(answer.json()["items"])


@pytest.fixture(scope="module")
def demo(module_db_url: str) -> Iterator[Demo]:
    made = Demo(module_db_url)
    yield made
    made.app.state.db.dispose()


def test_public_gets_every_published_value_of_every_city_and_nothing_of_a_draft(demo: Demo) -> None:
    rows = demo.rows()
    kpis = Catalogue.load().kpis
    points = sum(len(k.data_points) for k in kpis.values())
    assert len(rows) == 2 * points  # two cities, one published year each, every data point
    assert {r["year"] for r in rows} == {YEARS[0]} and {r["period_status"] for r in rows} == {"published"}
    assert {r["city"] for r in rows} == set(demo.cities)
    computed = next(r for r in rows if r["code"] == KPI)
    assert computed["unit"] == "Percentage" and computed["status"] == "computed" and computed["verified"] is True
    assert computed["quality"] in range(1, 7) and computed["source"]
    assert computed["points"] in (1, 2, 3, 4) and computed["band"] and computed["percent"] > 0  # target 100 %
    keys = [(r["city"], r["year"], r["code"], r["data_point"]) for r in rows]
    assert len(set(keys)) == len(keys) and demo.rows() == rows  # one row per data point, in one stable order


@pytest.mark.parametrize(
    ("parameter", "field"),
    [
        ("city", "city"),
        ("hub", "hub"),
        ("country", "country"),
        ("peer_group", "peer_group"),
        ("kpi", "code"),
        ("dimension", "dimension"),
        ("status", "status"),
        ("period", "period_id"),
    ],
)
def test_each_filter_keeps_exactly_the_matching_rows(demo: Demo, parameter: str, field: str) -> None:
    every = demo.rows("viewer")
    wanted = sorted({r[field] for r in every}, key=str)[0]
    found = demo.rows("viewer", **{parameter: wanted})
    assert found == [r for r in every if r[field] == wanted]
    assert 0 < len(found) < len(every) or len({r[field] for r in every}) == 1


def test_filters_combine_and_repeat(demo: Demo) -> None:
    every = demo.rows("viewer")
    two_kpis = demo.rows("viewer", kpi=[KPI, "EN: EN: AQ: 1C"], year_from=YEARS[1], year_to=YEARS[1])
    assert two_kpis == [r for r in every if r["code"] in (KPI, "EN: EN: AQ: 1C") and r["year"] == YEARS[1]]
    assert {r["code"] for r in two_kpis} == {KPI, "EN: EN: AQ: 1C"} and len({r["city"] for r in two_kpis}) == 2
    assert demo.rows("viewer", year_from=YEARS[1]) == [r for r in every if r["year"] >= YEARS[1]]
    assert demo.rows("viewer", year_to=YEARS[0]) == [r for r in every if r["year"] <= YEARS[0]]
    drafts = demo.rows("viewer", period_status="draft")
    assert drafts and {r["year"] for r in drafts} == {YEARS[1]}


def test_signed_in_callers_see_what_their_role_reads(demo: Demo) -> None:
    years = {user: {(r["city"], r["year"]) for r in demo.rows(user)} for user in ("viewer", "editor", "hub", "admin")}
    first, second = sorted(demo.cities, key=lambda slug: demo.cities[slug] != "North hub")
    assert years["viewer"] == years["admin"] == {(c, y) for c in demo.cities for y in YEARS}
    # The demo editor belongs to the first demo city; the hub manager to the North hub, which holds it.
    assert years["editor"] == years["hub"] == {(first, YEARS[0]), (first, YEARS[1]), (second, YEARS[0])}


def test_the_cursor_walks_every_row_once_in_a_stable_order(demo: Demo) -> None:
    every = demo.rows("viewer")
    client = demo.client("viewer")
    walked: list[dict[str, Any]] = []
    cursor = None
    while True:
        answer = client.get("/api/v1/results", params={"limit": 97, **({"cursor": cursor} if cursor else {})})
        assert answer.status_code == 200
        page = answer.json()
        walked += page["items"]
        cursor = page["next_cursor"]
        assert answer.headers.get("X-Next-Cursor") == cursor
        if cursor is None:
            break
        assert 'rel="next"' in answer.headers["Link"]
    assert walked == every


@pytest.mark.parametrize(
    ("params", "named"),
    [
        ({"cursor": "not-a-cursor"}, "cursor"),
        ({"cursor": "WyJhIiwyMDIyXQ"}, "cursor"),  # valid base64 JSON of the wrong shape
        ({"limit": 0}, "limit"),
        ({"limit": 10_000_000}, "limit"),
        ({"year_from": "soon"}, "year_from"),
        ({"year_from": 2024, "year_to": 2020}, "year_from"),
        ({"format": "xml"}, "format"),
        ({"inputs": "perhaps"}, "inputs"),
        ({"period": "first"}, "period"),
    ],
)
def test_bad_parameters_answer_422_naming_the_parameter(demo: Demo, params: dict[str, Any], named: str) -> None:
    answer = demo.client().get("/api/v1/results", params=params)
    assert answer.status_code == 422, answer.text
    fields = [d["location"]["field"] for d in answer.json()["error"]["report"]["errors"]]
    assert named in [f.split(".")[0] for f in fields]  # a repeated parameter adds its position: period.0


def test_inputs_on_request_are_the_numerator_and_denominator_behind_the_value(demo: Demo) -> None:
    assert "inputs" not in demo.rows(kpi=KPI)[0]
    rows = demo.rows(kpi=KPI, inputs="true")
    with demo.app.state.db.read() as s:
        for row in rows:
            used = {i["name"]: i for i in row["inputs"]}
            assert set(used) == {"households_with_internet", "households"}
            assert used["households_with_internet"]["unit"] == "households"
            stored = s.scalar(
                select(Entry.value_num).where(
                    Entry.period_id == row["period_id"], Entry.name == "households_with_internet"
                )
            )
            assert used["households_with_internet"]["value"] == stored
            assert row["value"] == pytest.approx(100 * stored / used["households"]["value"])


def test_csv_reads_into_pandas_as_the_json_rows(demo: Demo) -> None:
    rows = demo.rows()
    answer = demo.client().get("/api/v1/results", params={"format": "csv", "limit": 100_000})
    assert answer.headers["content-type"].startswith("text/csv")
    frame = pd.read_csv(io.BytesIO(answer.content))
    assert len(frame) == len(rows) and list(frame["code"]) == [r["code"] for r in rows]
    assert frame["value"].dropna().tolist() == [r["value"] for r in rows if r["value"] is not None]
    with_inputs = demo.client().get("/api/v1/results", params={"format": "csv", "kpi": KPI, "inputs": "true"})
    first = next(csv.DictReader(io.StringIO(with_inputs.text)))
    assert {i["name"] for i in json.loads(first["inputs"])} == {"households_with_internet", "households"}


def test_the_same_query_as_sdmx_csv_and_ngsi_ld(demo: Demo) -> None:
    rows = demo.rows(kpi=KPI)
    sdmx = demo.client().get("/api/v1/results", params={"format": "sdmx-csv", "kpi": KPI})
    assert sdmx.status_code == 200 and sdmx.headers["content-type"].startswith("application/vnd.sdmx.data+csv")
    observations = list(csv.DictReader(io.StringIO(sdmx.text)))
    assert [float(o["OBS_VALUE"]) for o in observations] == [r["value"] for r in rows]
    assert {o["KPI"] for o in observations} == {"EC_ICT_ICT_1C"} and {o["VERIFICATION"] for o in observations} == {
        "VERIFIED"
    }
    ngsi = demo.client().get("/api/v1/results", params={"format": "ngsi-ld", "kpi": KPI})
    entities = ngsi.json()
    assert ngsi.headers["content-type"].startswith("application/ld+json") and len(entities) == len(rows)
    assert {e["type"] for e in entities} == {"KeyPerformanceIndicator"}
    assert [e["kpiValue"]["value"] for e in entities] == [r["value"] for r in rows]
    context = entities[0]["@context"][-1]
    assert demo.client().get(context).json()["@context"]


def test_one_kpi_through_the_api_is_the_catalogue_model(demo: Demo) -> None:
    answer = demo.client().get(f"/api/v1/catalogue/u4ssc/kpis/{KPI}")
    assert answer.status_code == 200
    assert answer.json() == Catalogue.load().kpis[KPI].model_dump(mode="json")
    assert demo.client().get("/api/v1/catalogue/u4ssc/kpis/EC: ICT: ICT: 99").status_code == 404
    schema = demo.client().get("/openapi.json").json()
    response = schema["paths"]["/api/v1/catalogue/{framework}/kpis/{code}"]["get"]["responses"]["200"]
    assert response["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Kpi"}


def _package(client: TestClient) -> dict[str, bytes]:
    answer = client.get("/api/v1/open-data", params={"format": "zip"})
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(answer.content)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def test_bulk_package_is_a_valid_frictionless_package_with_dictionary_and_licence(demo: Demo, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from frictionless import Package

    files = _package(demo.client())
    assert set(files) == {"datapackage.json", "results.csv", "inputs.csv", "cities.csv", "dictionary.csv"}
    for name, content in files.items():
        (tmp_path / name).write_bytes(content)
    descriptor = json.loads(files["datapackage.json"])
    assert descriptor["licenses"] == [
        {
            "name": "CC-BY-4.0",
            "title": "Creative Commons Attribution 4.0",
            "path": "https://creativecommons.org/licenses/by/4.0/",
        }
    ]
    report = Package(str(tmp_path / "datapackage.json")).validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:5]
    results = pd.read_csv(io.BytesIO(files["results.csv"]))
    assert len(results) == len(demo.rows()) and set(results["year"]) == {YEARS[0]}
    inputs = pd.read_csv(io.BytesIO(files["inputs.csv"]))
    assert "households_with_internet" in set(inputs["name"]) and set(inputs["year"]) == {YEARS[0]}
    cities = pd.read_csv(io.BytesIO(files["cities.csv"]))
    assert sorted(cities["city"]) == sorted(demo.cities) and cities["households"].notna().all()  # the denominator
    dictionary = pd.read_csv(io.BytesIO(files["dictionary.csv"]))
    assert set(dictionary["table"]) == {"results", "inputs", "cities"} and dictionary["description"].notna().all()


def test_bulk_csv_and_parquet_hold_the_published_results(demo: Demo) -> None:
    client = demo.client()
    by_csv = pd.read_csv(io.BytesIO(client.get("/api/v1/open-data", params={"format": "csv"}).content))
    by_parquet = pd.read_parquet(io.BytesIO(client.get("/api/v1/open-data", params={"format": "parquet"}).content))
    assert len(by_csv) == len(by_parquet) == len(demo.rows())
    assert by_parquet["points"].dropna().tolist() == by_csv["points"].dropna().tolist()
    answer = client.get("/api/v1/open-data", params={"format": "csv", "table": "cities"})
    assert answer.headers["content-disposition"] == 'attachment; filename="citykpi-cities.csv"'
    assert client.get("/api/v1/open-data", params={"table": "users"}).status_code == 422


def test_bulk_files_are_rebuilt_when_a_period_is_published_and_name_the_deployments_licence(db_url: str) -> None:
    demo = Demo(db_url, open_data_licence="CC0-1.0")
    try:
        client = demo.client()
        before = pd.read_csv(io.BytesIO(_package(client)["results.csv"]))
        assert len(demo.rows()) == len(before)  # the query's answer is kept too, until something is published
        assert set(before["year"]) == {YEARS[0]}
        assert json.loads(_package(client)["datapackage.json"])["licenses"][0]["name"] == "CC0-1.0"
        with demo.app.state.db.write() as s:
            draft = s.scalars(select(Period).where(Period.year == YEARS[1])).first()
            assert draft is not None
            for state in (PeriodState.SUBMITTED, PeriodState.UNDER_VERIFICATION):
                verification.transition(s, LOADER, draft, state, draft.version, "test")
            accept = [Decision(r, ReviewAction.ACCEPT, r.version) for r in verification.reviews(s, draft)]
            verification.decide(s, LOADER, draft, accept)
            for state in (PeriodState.VERIFIED, PeriodState.PUBLISHED):
                verification.transition(s, LOADER, draft, state, draft.version, "test")
            slug = draft.city.slug
        after = pd.read_csv(io.BytesIO(_package(client)["results.csv"]))
        assert set(after[after["city"] == slug]["year"]) == set(YEARS)
        assert len(after) == len(before) * 3 // 2
        assert len(pd.read_csv(io.BytesIO(client.get("/api/v1/open-data?format=csv").content))) == len(after)
        assert len(demo.rows()) == len(after)
    finally:
        demo.app.state.db.dispose()


def test_a_signed_in_callers_answer_follows_an_edit_of_a_draft(db_url: str) -> None:
    demo = Demo(db_url)
    try:
        editor = demo.client("editor")
        draft = next(r for r in demo.rows("editor", kpi=KPI, period_status="draft"))
        entry = editor.get(f"/api/v1/periods/{draft['period_id']}/values", params={"kpi": KPI, "kind": "input"}).json()[
            "items"
        ]
        numerator = next(e for e in entry if e["name"] == "households_with_internet")
        changed = {"kpi": KPI, "kind": "input", "name": numerator["name"], "value": numerator["value"] / 2,
                   "version": numerator["version"], "reason": "test"}  # fmt: skip
        assert editor.put(f"/api/v1/periods/{draft['period_id']}/values", json=changed).status_code == 200
        after = next(r for r in demo.rows("editor", kpi=KPI, period_status="draft") if r["city"] == draft["city"])
        assert after["value"] == pytest.approx(draft["value"] / 2)
        assert KPI not in {r["code"] for r in demo.rows(period_status="draft")}  # and the public still sees no draft
    finally:
        demo.app.state.db.dispose()


def test_the_openapi_row_model_names_the_query_columns_in_their_order() -> None:
    """The JSON rows are written from `RESULT_COLUMNS`; the model the OpenAPI document shows must not drift."""
    from citykpi.api.schemas import ResultRowOut
    from citykpi.platform.columns import INPUTS, RESULT_COLUMNS

    assert list(ResultRowOut.model_fields) == [c.name for c in (*RESULT_COLUMNS, INPUTS)]
