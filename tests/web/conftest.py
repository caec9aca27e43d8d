"""Fixtures shared by the browser tests of this folder."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from browsing import check_page
from chromium import launched


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    yield from launched()


@pytest.fixture(scope="module")
def check(module_db_url: str) -> Callable[[Any, str], None]:
    """`check_page` (axe-core, both widths, CSP) on the SQLite run; the PostgreSQL run serves the same pages."""
    return check_page if module_db_url.startswith("sqlite") else lambda _page, _name: None
