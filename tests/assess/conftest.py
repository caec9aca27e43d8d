"""The hand-built framework of the assessment tests, loaded the way the CLI loads an extra file."""

from __future__ import annotations

from pathlib import Path

import pytest

from citykpi.framework.catalogue import Catalogue
from citykpi.framework.loading import load_framework
from citykpi.framework.validation import Source

MINI = Path(__file__).parent / "data" / "mini-framework.yaml"


@pytest.fixture(scope="session")
def mini() -> Catalogue:
    return Catalogue.of([Source(load_framework(MINI), MINI.name)])
