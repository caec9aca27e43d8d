"""Every endpoint, called by every role: the allowed/forbidden matrix, and nothing unpublished for the public.

"Forbidden" is 401/403, or 404 where the endpoint hides an unpublished period's existence; anything
else (200, 201, 204, 404 of a missing object, 409 of a state that moved on, 422) means the role got
past the permission check. A route missing from `MATRIX` fails the test, so new endpoints join it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from apiworld import PASSWORD, ROLES, World

KPI = "EC: ICT: ICT: 1C"
EVERYONE = frozenset([*ROLES, "public"])
SIGNED_IN = frozenset(ROLES)
READERS = frozenset({"admin", "hub", "editor", "verifier", "viewer"})  # of city alpha (hub north)


@dataclass(frozen=True)
class Call:
    allowed: frozenset[str]
    json: dict[str, Any] | None = None
    params: dict[str, Any] | None = None
    hides: bool = False  # 404 counts as forbidden: the period must not be revealed
    upload: bool = False


MATRIX: dict[tuple[str, str], Call] = {
    ("GET", "/healthz"): Call(EVERYONE),
    ("POST", "/api/v1/auth/login"): Call(EVERYONE, json={"username": "viewer", "password": PASSWORD}),
    ("POST", "/api/v1/auth/logout"): Call(EVERYONE),
    ("GET", "/api/v1/auth/me"): Call(EVERYONE),
    ("GET", "/api/v1/tokens"): Call(SIGNED_IN),
    ("POST", "/api/v1/tokens"): Call(SIGNED_IN, json={"name": "script"}),
    ("DELETE", "/api/v1/tokens/{token_id}"): Call(SIGNED_IN),
    ("GET", "/api/v1/users"): Call(frozenset({"admin"})),
    ("POST", "/api/v1/users"): Call(
        frozenset({"admin"}), json={"username": "new-{role}", "password": PASSWORD, "role": "viewer"}
    ),
    ("GET", "/api/v1/catalogue"): Call(EVERYONE),
    ("GET", "/api/v1/catalogue/{framework}/kpis/{code}"): Call(EVERYONE),
    ("GET", "/api/v1/results"): Call(EVERYONE),
    ("GET", "/api/v1/open-data"): Call(EVERYONE),
    ("GET", "/api/v1/context.jsonld"): Call(EVERYONE),
    ("GET", "/api/v1/cities"): Call(EVERYONE),
    ("POST", "/api/v1/cities"): Call(frozenset({"admin"}), json={"name": "Gamma {role}"}),
    ("GET", "/api/v1/cities/{slug}"): Call(EVERYONE),
    ("GET", "/api/v1/cities/{slug}/periods"): Call(EVERYONE),
    ("GET", "/api/v1/cities/{slug}/similar"): Call(EVERYONE),
    ("GET", "/api/v1/compare"): Call(EVERYONE),
    ("POST", "/api/v1/cities/{slug}/periods"): Call(frozenset({"admin", "hub", "editor"}), json={"year": 2024}),
    ("GET", "/api/v1/cities/{slug}/targets"): Call(EVERYONE),
    ("PUT", "/api/v1/cities/{slug}/targets"): Call(
        frozenset({"admin", "hub", "editor"}), json={"kpi": KPI, "year": 2030, "value": 95}
    ),
    ("GET", "/api/v1/periods"): Call(EVERYONE),
    ("GET", "/api/v1/periods/{period_id}"): Call(READERS, hides=True),
    ("GET", "/api/v1/periods/{period_id}/values"): Call(READERS, hides=True),
    ("PUT", "/api/v1/periods/{period_id}/values"): Call(
        frozenset({"admin", "editor"}),
        json={"kpi": KPI, "kind": "input", "name": "households_with_internet", "value": 7, "version": 0},
        hides=True,
    ),
    ("GET", "/api/v1/values/{value_id}"): Call(READERS, hides=True),
    ("GET", "/api/v1/values/{value_id}/history"): Call(READERS, hides=True),
    ("POST", "/api/v1/periods/{period_id}/import"): Call(frozenset({"admin", "editor"}), hides=True, upload=True),
    ("GET", "/api/v1/periods/{period_id}/results"): Call(READERS, hides=True),
    ("GET", "/api/v1/periods/{period_id}/scores"): Call(READERS, hides=True),
    ("GET", "/api/v1/periods/{period_id}/audit"): Call(READERS, hides=True),
    ("GET", "/api/v1/periods/{period_id}/export"): Call(READERS, hides=True, params={"format": "csv"}),
    ("GET", "/api/v1/periods/{period_id}/reviews"): Call(READERS, hides=True),
    ("GET", "/api/v1/reviews/{review_id}"): Call(READERS, hides=True),
    ("GET", "/api/v1/periods/{period_id}/reports/{kind}"): Call(READERS, hides=True),
    ("GET", "/api/v1/periods/{period_id}/certificate"): Call(READERS, hides=True),
    ("POST", "/api/v1/reviews/{review_id}/actions"): Call(
        frozenset({"admin", "verifier"}), json={"action": "accept", "version": 1}, hides=True
    ),
    ("POST", "/api/v1/periods/{period_id}/transitions"): Call(
        frozenset({"admin", "editor"}), json={"to": "submitted", "version": 1}, hides=True
    ),
}


def _api_routes(world: World) -> set[tuple[str, str]]:
    paths = world.app.openapi()["paths"]  # type: ignore[attr-defined]
    return {(method.upper(), path) for path, operations in paths.items() for method in operations}


def _fixtures(world: World) -> dict[str, Any]:
    """Objects the paths name: city alpha, its draft period, a value, and a review of a submitted period."""
    admin = world.client("admin")
    draft = world.periods["alpha"]
    value = admin.put(
        f"/api/v1/periods/{draft}/values",
        json={"kpi": KPI, "kind": "input", "name": "households_with_internet", "value": 5, "version": 0},
    ).json()
    submitted = admin.post("/api/v1/cities/alpha/periods", json={"year": 2022}).json()["id"]
    moved = admin.post(f"/api/v1/periods/{submitted}/transitions", json={"to": "submitted", "version": 1})
    assert moved.status_code == 200, moved.text
    review = admin.get(f"/api/v1/periods/{submitted}/reviews").json()[0]
    token = admin.post("/api/v1/tokens", json={"name": "to revoke"}).json()["id"]
    return {
        "slug": "alpha",
        "period_id": draft,
        "value_id": value["id"],
        "review_id": review["id"],
        "token_id": token,
        "kind": "verification",
        "framework": "u4ssc",
        "code": KPI,
    }


def test_every_endpoint_with_every_role(world: World) -> None:
    assert _api_routes(world) == set(MATRIX), "add new endpoints to MATRIX"
    ids = _fixtures(world)
    failures = []
    for (method, template), call in MATRIX.items():
        for role in sorted(EVERYONE):
            client = world.client(None if role == "public" else role)
            url = template.format(**ids)
            body = {k: v.format(role=role) if isinstance(v, str) else v for k, v in (call.json or {}).items()}
            files = {"file": ("alpha.csv", b"kpi,kind,name,value\n", "text/csv")} if call.upload else None
            answer = client.request(method, url, json=body or None, params=call.params, files=files)
            forbidden = {401, 403} | ({404} if call.hides else set())
            refused = answer.status_code in forbidden
            assert answer.status_code < 500, f"{method} {url} as {role}: {answer.status_code} {answer.text}"
            if refused == (role in call.allowed):
                failures.append(f"{method} {template} as {role}: {answer.status_code} {answer.text[:120]}")
    assert not failures, "\n".join(failures)


def test_public_sees_nothing_of_an_unpublished_period(world: World) -> None:
    public, period = world.client(), world.periods["alpha"]
    assert all(p["id"] != period for p in public.get("/api/v1/periods").json()["items"])
    assert public.get("/api/v1/cities/alpha").json()["periods"] == []
    assert public.get("/api/v1/cities/alpha/periods").json() == []
    assert public.get("/api/v1/results", params={"period": period}).json()["items"] == []
    for path in ("", "/values", "/results", "/scores", "/export", "/reviews", "/audit"):
        assert public.get(f"/api/v1/periods/{period}{path}").status_code in (401, 404)
