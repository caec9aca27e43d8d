"""The test tree stays collectable in one pytest session (rootdir "prepend" import mode).

Without `__init__.py` files every test directory lands on `sys.path` under its own module names,
so two `helpers.py` (or two `test_cli.py`) in different folders shadow each other, and
`from conftest import ...` picks whichever conftest was imported first. `--import-mode=importlib`
is no cure: it stops the folder-local helper modules (`workbook_helpers`, ...) from importing.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]
IMPORTS_CONFTEST = re.compile(r"^\s*(from\s+conftest\s+import|import\s+conftest\b)", re.MULTILINE)


def _modules() -> list[Path]:
    return [p for p in TESTS.rglob("*.py") if ".venv" not in p.parts and "__pycache__" not in p.parts]


def test_no_module_imports_a_conftest() -> None:
    offenders = [str(p.relative_to(TESTS)) for p in _modules() if IMPORTS_CONFTEST.search(p.read_text("utf-8"))]
    assert offenders == [], "move shared fixtures into a helper module with a unique name"


def test_module_names_are_unique_across_test_folders() -> None:
    names = Counter(p.name for p in _modules() if p.name not in ("conftest.py", "__init__.py"))
    assert [name for name, n in names.items() if n > 1] == []
