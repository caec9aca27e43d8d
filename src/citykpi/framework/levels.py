"""A KPI's level, in a module of its own so that `citykpi kpis list --level` offers the choice at
start-up without importing pydantic and the framework schema (`citykpi.framework.model`)."""

from __future__ import annotations

from enum import StrEnum


class Level(StrEnum):
    CORE = "core"
    ADVANCED = "advanced"
