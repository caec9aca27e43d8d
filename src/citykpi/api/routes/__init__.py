"""One router per resource; `register` mounts them under /api/v1 with the JSON error answers."""

from __future__ import annotations

from fastapi import FastAPI

from citykpi.api import errors
from citykpi.api.routes import auth, cities, exports, results, targets, values, workflow
from citykpi.api.schemas import ERROR_RESPONSES

API_PREFIX = "/api/v1"
ROUTERS = (auth.router, cities.router, targets.router, values.router, workflow.router, exports.router,
           results.router)  # fmt: skip


def register(app: FastAPI) -> None:
    """Called by `citykpi.app.create_app`."""
    errors.install(app)
    for router in ROUTERS:
        app.include_router(router, prefix=API_PREFIX, responses=ERROR_RESPONSES)
