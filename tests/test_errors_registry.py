"""The registry of diagnostic types covers every type the source emits, and docs/errors.md is its print.

The scan reads the source rather than running it: a type raised on a rare path (a damaged zip, an
unreachable scheduler) must be listed as much as a common one.
"""

from __future__ import annotations

import ast
from pathlib import Path

from typer.testing import CliRunner

from citykpi.cli import app
from citykpi.model.errors import registry
from citykpi.validate import reference

SOURCE = Path(__file__).parents[1] / "src" / "citykpi"
DOC = Path(__file__).parents[1] / "docs" / "errors.md"
# Functions whose first argument is a diagnostic type: the constructors of citykpi.model.diagnostics and
# the readers' own shorthands for them.
BUILDERS = {"said", "error", "warning"}
SHORTHANDS = {"fail", "found", "_found", "_problem", "_fail", "_error"}


def _command(path: Path) -> bool:
    """Command-line modules, whose `fail(message)` prints a sentence rather than making a diagnostic."""
    return path.name == "cli.py" or path.relative_to(SOURCE).parts[0] == "cli"


def emitted() -> dict[str, set[str]]:
    """Diagnostic type -> modules that emit it."""
    found: dict[str, set[str]] = {}
    for path in SOURCE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
            literal = None
            if name == "Diagnostic":
                literal = next((k.value for k in node.keywords if k.arg == "type"), None)
            elif (name in BUILDERS and isinstance(func, ast.Name)) or (name in SHORTHANDS and not _command(path)):
                literal = node.args[0] if node.args else None
            if isinstance(literal, ast.Constant) and isinstance(literal.value, str):
                found.setdefault(literal.value, set()).add(str(path.relative_to(SOURCE)))
    return found


def test_every_emitted_type_is_registered() -> None:
    found = emitted()
    assert {"missing-input", "zero-denominator", "type-error", "invalid-parameter"} <= found.keys()  # the scan sees
    unregistered = {code: sorted(where) for code, where in found.items() if code not in registry().by_code()}
    assert unregistered == {}


def test_every_registered_type_is_emitted_and_described() -> None:
    found = emitted()
    assert sorted(set(registry().by_code()) - found.keys()) == []
    for item in registry().by_code().values():
        assert item.title and item.description.endswith(".") and item.template, item.code


def test_docs_errors_md_is_the_registry_printed() -> None:
    assert DOC.read_text(encoding="utf-8") == reference.markdown(), (
        "regenerate: citykpi errors --markdown > docs/errors.md"
    )


def test_citykpi_errors_lists_every_type() -> None:
    result = CliRunner().invoke(app, ["errors"])
    assert result.exit_code == 0, result.output
    listed = {line.split()[0] for line in result.output.splitlines() if line.startswith("  ")}
    assert listed == set(registry().by_code())
    assert "missing-input" in result.output and "Missing input" in result.output
