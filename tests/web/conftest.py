"""Fixtures shared by the browser tests of this folder."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from chromium import launched


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    yield from launched()
