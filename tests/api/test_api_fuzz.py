"""Schemathesis from the OpenAPI document: malformed or odd input never makes the API answer 500.

Bounded to a few examples per operation so the suite stays fast; requests are sent as the
administrator so that generated input reaches the handlers instead of stopping at the permission
check. (schemathesis' own pytest plugin does not run under pytest 9 yet, so the operations are
walked here with its Hypothesis strategies.)
"""

from __future__ import annotations

import schemathesis
from apiworld import World
from hypothesis import HealthCheck, given, settings

EXAMPLES = 3


def test_no_server_error_on_generated_input(world: World) -> None:
    schema = schemathesis.openapi.from_asgi("/openapi.json", world.app)
    headers = {"Authorization": f"Bearer {world.tokens['admin']}"}
    failures: list[str] = []
    calls: list[int] = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 25

    for operation in operations:
        if operation.method.upper() == "DELETE" or operation.path == "/api/v1/auth/logout":
            continue  # would revoke the token the other operations are sent with

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def check(case: schemathesis.Case) -> None:
            response = case.call(headers=headers)
            calls.append(response.status_code)
            if response.status_code >= 500:
                failures.append(f"{case.method} {case.formatted_path}: {response.status_code} {response.text[:200]}")

        check()
    assert len(calls) >= 2 * len(operations) and any(code == 422 for code in calls)
    assert not failures, "\n".join(failures)
