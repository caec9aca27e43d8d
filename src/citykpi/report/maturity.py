"""Maturity self-assessments in a report: the level each criterion reached, what it means, and its evidence.

A criterion is a KPI whose single data point describes its levels (a `maturity` framework, see
docs/catalogue.md); it is not scored against targets, so the report shows the levels themselves.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from citykpi.framework.model import Kpi
from citykpi.model.assessment import KpiResult
from citykpi.report.charts import horizontal_bars

LEVEL_COLOURS = ("#d7301f", "#fc8d59", "#fdcc8a", "#78c679", "#238443")  # level 1 to 5


@dataclass(frozen=True)
class Criterion:
    kpi: Kpi
    result: KpiResult

    @property
    def model(self) -> str:
        return self.kpi.dimension

    @property
    def level(self) -> int | None:
        """The level reached, or None when the criterion was not answered."""
        levels = self.kpi.data_points[0].levels or []
        answer = self.result.value_text if self.result.has_value else None
        return levels.index(answer) + 1 if answer in levels else None

    @property
    def description(self) -> str:
        descriptions = self.kpi.data_points[0].level_descriptions or []
        return descriptions[self.level - 1] if self.level else ""

    @property
    def evidence(self) -> str:
        return self.result.source


def criteria(results: Sequence[KpiResult], kpis: dict[str, Kpi]) -> list[Criterion]:
    """The maturity criteria among a city-year's results, in catalogue order."""
    found = []
    for r in results:
        kpi = kpis.get(r.code)
        if kpi is not None and len(kpi.data_points) == 1 and kpi.data_points[0].level_descriptions:
            found.append(Criterion(kpi, r))
    return found


def level_chart(found: Sequence[Criterion], _: Callable[[str], str]) -> dict[str, Any]:
    """One bar per criterion, as long as its level (1-5), coloured by level; the tooltip says what it means."""
    rows = [
        {
            "name": f"{c.model}: {c.kpi.name}",
            "level": c.level or 0,
            "label": str(c.level) if c.level else _("Not reported"),
            "fill": LEVEL_COLOURS[c.level - 1] if c.level else "#d9d9d9",
            "tip": f"{c.kpi.name}: {c.description or _('Not reported')} {_('Evidence')}: {c.evidence or '–'}",
        }
        for c in found
    ]
    x = {
        "field": "level",
        "type": "quantitative",
        "scale": {"domain": [0, 5]},
        "axis": {"title": _("Maturity level"), "values": [1, 2, 3, 4, 5], "grid": True},
    }
    return horizontal_bars(rows, x, width=420, label_limit=300)
