"""The hostile corpus, built once per session (about 10 s) for every test of this folder."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from corpus import SEED, Case, build


@pytest.fixture(scope="session")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[Case], Path, float]:
    folder = tmp_path_factory.mktemp("hostile")
    start = time.perf_counter()
    cases = build(folder, SEED)
    return cases, folder, time.perf_counter() - start
