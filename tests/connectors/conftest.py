from __future__ import annotations

import pytest

from citykpi.framework.model import DataPoint, Kpi, Provenance


@pytest.fixture
def air_kpi() -> Kpi:
    points = [
        DataPoint(key=k, label=label, unit="μg/m3", direction="lower")
        for k, label in (("pm10", "PM10"), ("pm2_5", "PM2.5"), ("no2", "NO2"), ("so2", "SO2"), ("o3", "O3"))
    ]
    return Kpi(
        code="EN: EN: AQ: 1C",
        name="Air Pollution",
        dimension="Environment",
        subdimension="Environment",
        category="Air Quality",
        level="core",
        unit="μg/m3",
        data_points=points,
        provenance=Provenance(confidence="high", basis="KPI sheet"),
    )
