"""The assessment as pandas DataFrames, for analysts working in notebooks.

Same columns as `kpis.csv` (see `citykpi.assess.table`), with pandas' nullable dtypes so that a
missing value stays missing instead of turning a quality level into a float.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Literal

import pandas as pd

from citykpi.assess.summary import summary
from citykpi.assess.table import COLUMNS, rows
from citykpi.model.assessment import Assessment

SummaryLevel = Literal["total", "dimension", "subdimension", "level"]
_DTYPES = {"value": "Float64", "quality": "Int64", "verified": "boolean"}


def to_frame(assessment: Assessment) -> pd.DataFrame:
    """One row per KPI data point."""
    frame = pd.DataFrame(rows(assessment), columns=list(COLUMNS))
    return frame.astype(_DTYPES)


def stack(assessments: Iterable[Assessment]) -> pd.DataFrame:
    frames = [_with_city(to_frame(a), a) for a in assessments]
    if not frames:
        return _with_city(pd.DataFrame(columns=list(COLUMNS)).astype(_DTYPES), None)
    return pd.concat(frames, ignore_index=True)


def summary_frame(assessments: Assessment | Sequence[Assessment], by: SummaryLevel = "dimension") -> pd.DataFrame:
    """Reporting counts per city-year and group (`by`), one row each."""
    items = [assessments] if isinstance(assessments, Assessment) else list(assessments)
    records: list[dict[str, object]] = []
    for assessment in items:
        s = summary(assessment)
        head = {"city": s.city, "country": s.country, "year": s.year}
        groups = [s.total] if by == "total" else getattr(s, f"by_{by}")
        records += [{**head, **g.model_dump()} for g in groups]
    return pd.DataFrame.from_records(records)


def _with_city(frame: pd.DataFrame, assessment: Assessment | None) -> pd.DataFrame:
    profile = assessment.profile if assessment else None
    frame.insert(0, "city", profile.city if profile else pd.Series(dtype="string"))
    frame.insert(1, "country", profile.country if profile else pd.Series(dtype="string"))
    frame.insert(2, "year", profile.year if profile else pd.Series(dtype="Int64"))
    return frame
