"""The verification cycle through the HTTP API, as a city editor, a verifier and the public would drive it."""

from __future__ import annotations

import time
from pathlib import Path

from apiworld import PASSWORD, World

from citykpi.collect.tidy import write_csv
from citykpi.model.submission import CityProfile, Entry, EntryKind, Status, Submission

KPI = "EC: ICT: ICT: 1C"


def _csv(tmp_path: Path, households_with_internet: object, year: int = 2023) -> Path:
    submission = Submission(
        profile=CityProfile(city="Alpha", country="X", year=year, population=250_000, households=100_000),
        entries=[
            Entry(
                kpi=KPI,
                kind=EntryKind.INPUT,
                name="households_with_internet",
                value=households_with_internet,  # type: ignore[arg-type]
                status=Status.REPORTED,
                quality=1,
                source="national census",
            )
        ],
    )
    return write_csv(submission, tmp_path / "alpha-2023.csv")


def _upload(client, period: int, path: Path):  # type: ignore[no-untyped-def]
    with path.open("rb") as f:
        return client.post(f"/api/v1/periods/{period}/import", files={"file": (path.name, f, "text/csv")})


def test_editor_imports_fixes_submits_verifier_queries_accepts_and_public_sees_published(
    world: World, tmp_path: Path
) -> None:
    editor, verifier, hub = world.client("editor"), world.client("verifier"), world.client("hub")
    public = world.client()
    period = world.periods["alpha"]

    bad = _csv(tmp_path, 80_000)
    bad.write_text(bad.read_text().replace("80000", "eighty thousand"))
    answer = _upload(editor, period, bad)
    assert answer.status_code == 422
    located = answer.json()["error"]["report"]["errors"][0]["location"]
    assert located["kpi"] == KPI and located["row"] is not None

    good = _upload(editor, period, _csv(tmp_path, 80_000))
    assert good.status_code == 200, good.text
    assert good.json()["created"] == 1
    figures = editor.get("/api/v1/cities/alpha").json()["periods"][0]["completion"]["overall"]
    assert (figures["reported"], figures["verified"]) == (1, 0)  # stored with the import, read by the city page
    again = _upload(editor, period, _csv(tmp_path, 80_000))
    assert (again.json()["created"], again.json()["updated"]) == (0, 0)

    value = editor.get(f"/api/v1/periods/{period}/values", params={"kpi": KPI}).json()["items"][0]
    fixed = editor.put(
        f"/api/v1/periods/{period}/values",
        json={**_edit(82_000), "version": value["version"], "reason": "census correction"},
    )
    assert fixed.status_code == 200 and fixed.json()["version"] == value["version"] + 1
    listed = editor.get(f"/api/v1/periods/{period}/values", params={"kpi": KPI}).json()["items"][0]
    assert listed["value"] == 82_000  # the cached list was not served after the change
    stale = editor.put(f"/api/v1/periods/{period}/values", json={**_edit(1), "version": value["version"]})
    assert stale.status_code == 409
    history = editor.get(f"/api/v1/values/{value['id']}/history").json()
    assert [h["reason"] for h in history][-1] == "census correction"
    assert history[-1]["old"]["value"] == 80_000 and history[-1]["new"]["value"] == 82_000

    results = editor.get(f"/api/v1/periods/{period}/results", params={"code": KPI}).json()["items"]
    assert results[0]["status"] == "computed" and abs(results[0]["value"] - 82.0) < 1e-9

    assert public.get(f"/api/v1/periods/{period}").status_code == 404
    assert _move(editor, period, "submitted").status_code == 200
    assert _move(verifier, period, "under_verification").status_code == 200

    reviews = {r["kpi"]: r for r in verifier.get(f"/api/v1/periods/{period}/reviews").json()}
    review = reviews[KPI]
    queried = verifier.post(
        f"/api/v1/reviews/{review['id']}/actions",
        json={"action": "query", "version": review["version"], "message": "Which census year?"},
    )
    assert queried.status_code == 200 and queried.json()["state"] == "queried"
    answered = editor.post(
        f"/api/v1/reviews/{review['id']}/actions",
        json={"action": "answer", "version": queried.json()["version"], "message": "2021 census"},
    )
    accepted = verifier.post(
        f"/api/v1/reviews/{review['id']}/actions",
        json={"action": "accept", "version": answered.json()["version"]},
    )
    thread = accepted.json()["messages"]
    assert editor.get("/api/v1/cities/alpha").json()["periods"][0]["completion"]["overall"]["verified"] == 1
    assert [m["action"] for m in thread] == ["query", "answer", "accept"]

    assert _move(verifier, period, "verified").status_code == 409  # other KPIs still undecided
    for other in reviews.values():
        if other["kpi"] != KPI:
            decided = verifier.post(
                f"/api/v1/reviews/{other['id']}/actions",
                json={"action": "reject", "version": other["version"], "message": "not reported"},
            )
            assert decided.status_code == 200
    assert _move(verifier, period, "verified").status_code == 200
    assert _move(verifier, period, "published").status_code == 403
    published = _move(hub, period, "published")
    assert published.status_code == 200
    assert published.json()["certificate"]["eligible"] is False  # most core KPIs are missing

    seen = public.get(f"/api/v1/periods/{period}")
    assert seen.status_code == 200 and seen.json()["status"] == "published"
    assert public.get(f"/api/v1/periods/{period}/export", params={"format": "csv"}).status_code == 200
    report = public.get(f"/api/v1/periods/{period}/reports/verification")
    assert report.status_code == 200 and "Alpha" in report.text and "<html" in report.text.lower()
    certificate = public.get(f"/api/v1/periods/{period}/certificate").json()
    assert certificate["issued"] is False and KPI not in certificate["decision"]["missing"]
    assert certificate["decision"]["rule"]["levels"] == ["core"]
    assert public.get(f"/api/v1/periods/{period}/reviews").status_code == 401


def _edit(value: float) -> dict[str, object]:
    return {"kpi": KPI, "kind": "input", "name": "households_with_internet", "value": value, "status": "reported"}


def _move(client, period: int, to: str):  # type: ignore[no-untyped-def]
    version = client.get(f"/api/v1/periods/{period}").json()["version"]
    return client.post(f"/api/v1/periods/{period}/transitions", json={"to": to, "version": version})


def test_cookie_session_needs_csrf_token_and_sign_in_is_rate_limited(world: World) -> None:
    browser = world.client()
    signed = browser.post("/api/v1/auth/login", json={"username": "editor", "password": PASSWORD})
    assert signed.status_code == 200
    csrf = signed.json()["csrf_token"]
    period = world.periods["alpha"]
    body = {**_edit(5), "version": 0}
    assert browser.put(f"/api/v1/periods/{period}/values", json=body).status_code == 403
    ok = browser.put(f"/api/v1/periods/{period}/values", json=body, headers={"X-CSRF-Token": csrf})
    assert ok.status_code == 200, ok.text

    stranger = world.client()
    answers = [stranger.post("/api/v1/auth/login", json={"username": "viewer", "password": "wrong"}) for _ in range(2)]
    assert [a.status_code for a in answers] == [401, 429]
    assert answers[1].headers["Retry-After"] == "1"  # the first failure's wait: a second
    assert stranger.post("/api/v1/auth/login", json={"username": "viewer", "password": PASSWORD}).status_code == 429
    time.sleep(1.1)
    assert stranger.post("/api/v1/auth/login", json={"username": "viewer", "password": PASSWORD}).status_code == 200


def test_targets_are_set_with_history_and_checked_against_the_catalogue(world: World) -> None:
    editor = world.client("editor")
    first = editor.put("/api/v1/cities/alpha/targets", json={"kpi": "ec: ict: ict: 1c", "year": 2030, "value": 90})
    assert first.status_code == 200 and first.json()["kpi"] == KPI
    editor.put("/api/v1/cities/alpha/targets", json={"kpi": KPI, "year": 2030, "value": 95, "note": "council plan"})
    assert [t["value"] for t in world.client().get("/api/v1/cities/alpha/targets").json()] == [95]
    wrong = editor.put("/api/v1/cities/alpha/targets", json={"kpi": KPI, "data_point": "g4", "year": 2030, "value": 1})
    assert wrong.status_code == 422 and wrong.json()["error"]["report"]["errors"][0]["type"] == "unknown-data-point"
    assert (
        world.client("other_editor")
        .put("/api/v1/cities/alpha/targets", json={"kpi": KPI, "year": 2030, "value": 1})
        .status_code
        == 403
    )
