"""No package imports one above it (docs/architecture.md), and the package graph has no cycle.

Read from the source, not from `sys.modules`: an import inside a function, under TYPE_CHECKING or as
a module name handed to importlib is a dependency as much as one at the top of a file, and each is
counted here.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path

SOURCE = Path(__file__).parents[1] / "src" / "citykpi"

# Bottom to top; a package may import its own floor and the floors below.
FLOORS: list[set[str]] = [
    {"model", "gettext_po", "vendor"},  # data shapes and diagnostics; the shipped chart libraries
    {"framework"},  # the KPI catalogue as data, formulas
    {"collect", "index"},  # readers of city files; the composite-index engine
    {"assess", "scoring", "demo", "connectors"},  # values from a submission; scores; synthetic and sensor data
    {"validate"},  # checks on a submission and its assessment; the one read -> assess -> check pass
    {"exchange", "report"},  # exchange formats; reports and certificates
    {"store"},  # the database
    {"platform"},  # services: accounts, cities, values, workflow
    {"http"},  # HTTP plumbing the two front ends share: callers, CSRF, caches, request dependencies
    {"api", "web"},  # HTTP front ends: the JSON API and the pages, which never import each other
    {"app"},  # the application factory, the one module that imports both api and web
    {"cli"},  # the command table
]
FLOOR = {package: level for level, packages in enumerate(FLOORS) for package in packages}

# Known upward imports, each to be removed by the change named beside it.
ALLOWED: dict[tuple[str, str], str] = {}
MODULE_NAME = re.compile(r"(citykpi(?:\.[a-z_]+)+)(?::[A-Za-z_]+)?")  # "package.module" or "package.module:attr"


def modules() -> Iterator[tuple[str, Path]]:
    for path in sorted(SOURCE.rglob("*.py")):
        parts = path.relative_to(SOURCE.parent).with_suffix("").parts
        yield ".".join(parts[:-1] if parts[-1] == "__init__" else parts), path


def package_of(module: str) -> str | None:
    """`citykpi.collect.cells` -> `collect`; None for the root package and names that are not modules."""
    parts = module.split(".")
    if len(parts) < 2 or parts[0] != "citykpi":
        return None
    head = SOURCE / parts[1]
    return parts[1] if head.is_dir() or head.with_suffix(".py").is_file() else None


def imports(path: Path) -> Iterator[str]:
    """Every citykpi module the file names: import statements anywhere, and module names in strings."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module
        elif (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and (named := MODULE_NAME.fullmatch(node.value))
        ):
            yield named.group(1)


@cache
def edges() -> dict[tuple[str, str], set[str]]:
    """(importing package, imported package) -> the importing modules."""
    found: dict[tuple[str, str], set[str]] = {}
    for module, path in modules():
        source = package_of(module)
        for name in imports(path):
            target = package_of(name)
            if source and target and target != source:
                found.setdefault((source, target), set()).add(module)
    return found


def allowed(source: str, target: str, module: str) -> bool:
    return (source, target) in ALLOWED or (module, target) in ALLOWED


def test_every_package_has_a_floor() -> None:
    packages = {package_of(module) for module, _ in modules()} - {None}
    assert packages - FLOOR.keys() == set()


def test_no_package_imports_one_above_it() -> None:
    upward = {
        f"{module} imports {target} (floor {FLOOR[target]} over {source}'s {FLOOR[source]})"
        for (source, target), importers in edges().items()
        for module in importers
        if FLOOR[target] > FLOOR[source] and not allowed(source, target, module)
    }
    assert sorted(upward) == []


def test_the_ground_floor_imports_nothing_of_the_project() -> None:
    assert sorted(target for (source, target) in edges() if source == "model") == []


def test_the_package_graph_has_no_cycle() -> None:
    graph: dict[str, set[str]] = {}
    for (source, target), importers in edges().items():
        if any(not allowed(source, target, module) for module in importers):
            graph.setdefault(source, set()).add(target)
    done: set[str] = set()

    def visit(package: str, path: list[str]) -> list[str]:
        if package in path:
            return [*path[path.index(package) :], package]
        if package in done:
            return []
        for target in sorted(graph.get(package, ())):
            if cycle := visit(target, [*path, package]):
                return cycle
        done.add(package)
        return []

    cycles = [cycle for package in sorted(graph) if (cycle := visit(package, []))]
    assert cycles == []


def test_the_scan_sees_imports_inside_functions_and_in_strings(tmp_path: Path) -> None:
    example = """\
import typing
if typing.TYPE_CHECKING:
    from citykpi.store.db import Database


def serve() -> None:
    from citykpi.platform import seed


FACTORY = "citykpi.app:create_app"
PLUGINS = ["citykpi.index.cli"]
"""
    source = tmp_path / "example.py"
    source.write_text(example, encoding="utf-8")
    names = {"typing", "citykpi.store.db", "citykpi.platform", "citykpi.app", "citykpi.index.cli"}
    assert set(imports(source)) == names
    assert "citykpi.cli.serve" in edges()[("cli", "app")]  # the serve command names the app factory


def test_every_allowance_is_still_needed() -> None:
    """An allowance whose import has gone must go too, or it would excuse the next one."""
    found = edges()
    stale = [
        key
        for key in ALLOWED
        if not any(key in ((s, t), (m, t)) for (s, t), importers in found.items() for m in importers)
    ]
    assert stale == []
