"""Schemathesis from the OpenAPI document, anonymously and as every role: no 500, every answer as documented.

Every operation is walked with a few generated requests per caller (anonymous and one per role, so
that generated input reaches the handlers past the permission checks as well as stopping at them),
and each answer is checked by schemathesis' own checks: not a server error, a status code the
document declares for the operation, a declared content type, and a body matching the declared
schema. Bounded (`EXAMPLES` per operation and caller) to about a minute. (schemathesis' own pytest
plugin does not run under pytest 9 yet, so the operations are walked here with its Hypothesis
strategies.)
"""

from __future__ import annotations

from collections import Counter

import pytest
import schemathesis
from apiworld import ROLES, World
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

EXAMPLES = 3
KPI = "EC: ICT: ICT: 1C"
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
CALLERS = [None, *ROLES]


def known_ids(world: World) -> dict[str, list[object]]:
    """Ids that exist, so that generated requests also reach rows: alpha submitted with a value and
    its reviews, beta a draft."""
    admin = world.client("admin")
    alpha, beta = world.periods["alpha"], world.periods["beta"]
    body = {"kpi": KPI, "kind": "input", "name": "households_with_internet", "value": 50, "status": "reported"}
    value = admin.put(f"/api/v1/periods/{alpha}/values", json={**body, "version": 0}).json()["id"]
    version = admin.get(f"/api/v1/periods/{alpha}").json()["version"]
    assert admin.post(f"/api/v1/periods/{alpha}/transitions", json={"to": "submitted", "version": version}).is_success
    reviews = [r["id"] for r in admin.get(f"/api/v1/periods/{alpha}/reviews").json()[:2]]
    return {"period_id": [alpha, beta], "slug": ["alpha", "beta"], "value_id": [value], "review_id": reviews}


@pytest.mark.parametrize("caller", CALLERS)
def test_generated_input_gets_documented_answers(world: World, caller: str | None) -> None:
    schema = schemathesis.openapi.from_asgi("/openapi.json", world.app)
    known = known_ids(world)
    headers = {"Authorization": f"Bearer {world.tokens[caller]}"} if caller else {}
    failures: list[str] = []
    codes: Counter[int] = Counter()
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 25

    for operation in operations:
        if operation.method.upper() == "DELETE" or operation.path == "/api/v1/auth/logout":
            continue  # would revoke the token the other operations are sent with

        @given(case=operation.as_strategy(), real=st.integers(0, 2))
        @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def check(case: schemathesis.Case, real: int) -> None:
            for name in case.path_parameters or {}:
                if real and name in known:  # two times in three a row that exists
                    case.path_parameters[name] = known[name][real % len(known[name])]
            response = case.call(headers=headers)
            codes[response.status_code] += 1
            try:
                case.validate_response(response, checks=CHECKS, headers=headers)
            except Exception as exc:  # schemathesis' failures, one or a group of them
                failures.append(f"{case.method} {case.formatted_path}: {response.status_code} {str(exc)[:400]}")

        try:
            check()
        except Exception as exc:  # hypothesis re-raises what the example raised
            failures.append(f"{operation.method.upper()} {operation.path}: {str(exc)[:400]}")
    print(f"caller {caller or 'anonymous'}: {sum(codes.values())} requests, status codes {dict(sorted(codes.items()))}")
    assert sum(codes.values()) >= len(operations)
    assert not failures, "\n".join(failures)
