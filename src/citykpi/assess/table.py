"""The flat table of an assessment: the columns of `kpis.csv` and of the analysts' DataFrame.

One definition serves both, so that the file a city downloads and the frame an analyst loads in a
notebook never drift apart. Single-valued KPIs leave `data_point` blank, as the U4SSC template has
no data point label for them.
"""

from __future__ import annotations

from collections import Counter

from citykpi.model.assessment import Assessment

COLUMNS: tuple[str, ...] = (
    "code",
    "data_point",
    "value",
    "value_text",
    "unit",
    "status",
    "quality",
    "source",
    "reason",
    "name",
    "dimension",
    "subdimension",
    "category",
    "level",
    "origin",
    "verified",
)

Row = dict[str, str | float | int | bool | None]


def rows(assessment: Assessment) -> list[Row]:
    per_code = Counter(r.code for r in assessment.results)
    return [
        {
            "code": r.code,
            "data_point": r.data_point if per_code[r.code] > 1 else "",
            "value": r.value,
            "value_text": r.value_text,
            "unit": r.unit,
            "status": r.status.value,
            "quality": int(r.quality) if r.quality is not None else None,
            "source": r.source,
            "reason": r.reason,
            "name": r.name,
            "dimension": r.dimension,
            "subdimension": r.subdimension,
            "category": r.category,
            "level": r.level,
            "origin": r.origin,
            "verified": r.verified,
        }
        for r in assessment.results
    ]
