from __future__ import annotations

import pytest

from citykpi.framework.catalogue import Catalogue
from citykpi.framework.model import Kpi


@pytest.fixture(scope="session")
def air_kpi() -> Kpi:
    """The catalogue's own definition, so that a change of its data point keys is caught here."""
    return Catalogue.load().kpi("EN: EN: AQ: 1C")
